"""``ujuzi mentor ...``: mentorship from the command line, for coordinators' scripts and
for people who prefer a terminal (docs/cli.md). ``match`` works on a cohort file alone; the
other commands work on the profile's records through app/mentorship/local.py (loaded when
one runs), offline except ``find`` and ``dashboard --refresh``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import formatting
from app.errors import UjuziError
from app.i18n import _, ngettext
from app.mentorship.cohort import CohortError, load_cohort
from app.mentorship.matching import match_cohort
from app.terminal import json_text

if TYPE_CHECKING:
    from app.library import Library
    from app.mentorship.models import MentorProfile


def _day(text: str) -> date:
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{value!r} is not a date like 2026-12-01").format(value=text)) from None


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this module's commands to the ``ujuzi`` parser."""
    mentor = commands.add_parser("mentor", help=_("mentorship: match mentees with mentors"))
    actions = mentor.add_subparsers(dest="mentor_command", metavar="ACTION", required=True)
    match = actions.add_parser(
        "match", help=_("assign a cohort of mentees to mentors, best total fit first"))
    match.add_argument("--cohort", metavar="FILE", type=Path, required=True,
                       help=_("the cohort file (JSON: mentors, mentees, blocks)"))
    match.add_argument("--date", metavar="YYYY-MM-DD", type=_day,
                       help=_("match as on this day: waiting time and the week of the "
                              "timetables (default: today, UTC)"))
    match.add_argument("--json", action="store_true", help=_("print JSON for scripts"))
    _person_commands(actions)


def _common(parser: argparse.ArgumentParser, json: bool = False) -> argparse.ArgumentParser:
    """``--profile`` and ``--home`` after the command too, and ``--json`` where it prints
    data."""
    parser.add_argument("--profile", metavar="NAME", default=argparse.SUPPRESS,
                        help=_("learner profile (default: the default profile)"))
    parser.add_argument("--home", metavar="DIR", default=argparse.SUPPRESS,
                        help=_("data directory (default: $UJUZI_HOME or the user's)"))
    if json:
        parser.add_argument("--json", action="store_true", help=_("print JSON for scripts"))
    return parser


def _person_commands(actions: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    profile = _common(actions.add_parser(
        "profile", help=_("show or change your mentorship profile")), json=True)
    profile.add_argument("what", nargs="?", choices=("show", "set"), default="show")
    profile.add_argument("--offers", metavar="SKILL", nargs="+",
                         help=_("skill ids you offer as a mentor (replaces the list)"))
    profile.add_argument("--wants", metavar="SKILL", nargs="+",
                         help=_("skill ids you want to learn (replaces the list)"))
    profile.add_argument("--language", metavar="TAG=LEVEL", action="append",
                         help=_("a language and your level 0-5, e.g. sw=4 (repeat; "
                                "replaces the list)"))
    profile.add_argument("--timezone", metavar="ZONE", help=_("e.g. Africa/Nairobi"))
    profile.add_argument("--availability", metavar="DAY,HH:MM,HH:MM", action="append",
                         help=_("a weekly window, e.g. mon,18:00,20:00 (repeat; replaces "
                                "the list)"))
    profile.add_argument("--capacity", metavar="N", type=int,
                         help=_("most mentees at once"))
    for flag, word in (("looking", _("whether you are looking for a mentor now")),
                       ("mentoring", _("whether you are open to mentees")),
                       ("auto-accept", _("whether requests take a free place at once"))):
        group = profile.add_mutually_exclusive_group()
        dest = flag.replace("-", "_")
        group.add_argument(f"--{flag}", dest=dest, action="store_true", default=None,
                           help=word)
        group.add_argument(f"--not-{flag}", dest=dest, action="store_false")
    profile.add_argument("--away-until", metavar="YYYY-MM-DD",
                         help=_("away until this day ('none': back)"))
    profile.add_argument("--backup", metavar="NAME",
                         help=_("the mentor who stands in while you are away ('none')"))
    profile.add_argument("--bio", metavar="TEXT", help=_("a few words about you"))

    find = _common(actions.add_parser(
        "find", help=_("ask the hub for the best mentors for you (network)")), json=True)
    find.add_argument("--limit", metavar="N", type=int, default=10)

    request = _common(actions.add_parser("request", help=_("ask someone to mentor you")),
                      json=True)
    request.add_argument("mentor", metavar="NAME")
    request.add_argument("--message", metavar="TEXT", default="")
    request.add_argument("--no-share-progress", dest="share_progress", action="store_false",
                         help=_("do not let the mentor see your progress"))

    _common(actions.add_parser("list", help=_("your mentors and mentees")), json=True)

    for name, words in (("accept", _("accept a request or a proposed match")),
                        ("decline", _("decline a request or a proposed match")),
                        ("pause", _("pause a relationship")),
                        ("resume", _("resume a paused relationship")),
                        ("complete", _("end a relationship as completed")),
                        ("cancel", _("cancel a relationship or your request"))):
        command = _common(actions.add_parser(name, help=words))
        command.add_argument("relationship", metavar="REL_ID")
        command.add_argument("--reason", metavar="TEXT", default="")
    hand_over = _common(actions.add_parser(
        "hand-over", help=_("hand a mentee over to another mentor")))
    hand_over.add_argument("relationship", metavar="REL_ID")
    hand_over.add_argument("--to", metavar="NAME", required=True)
    hand_over.add_argument("--reason", metavar="TEXT", default="")
    consent = _common(actions.add_parser(
        "consent", help=_("let your new mentor see the notes and history")))
    consent.add_argument("relationship", metavar="REL_ID")

    goal = actions.add_parser("goal", help=_("goals and tasks of a relationship"))
    goal_actions = goal.add_subparsers(dest="goal_command", metavar="ACTION", required=True)
    goal_add = _common(goal_actions.add_parser("add", help=_("add a goal")), json=True)
    goal_add.add_argument("relationship", metavar="REL_ID")
    goal_add.add_argument("title", metavar="TITLE")
    goal_add.add_argument("--due", metavar="YYYY-MM-DD", type=_day)
    goal_add.add_argument("--pack", metavar="PACK_ID", action="append", default=[],
                          help=_("link a pack (repeat)"))
    goal_add.add_argument("--resource", metavar="RESOURCE_ID", action="append", default=[],
                          help=_("link a resource (repeat)"))
    goal_add.add_argument("--task", metavar="TEXT", action="append", default=[],
                          help=_("a task of the goal (repeat)"))
    goal_list = _common(goal_actions.add_parser("list", help=_("list the goals")), json=True)
    goal_list.add_argument("relationship", metavar="REL_ID")
    goal_done = _common(goal_actions.add_parser("done", help=_("mark a task done")))
    goal_done.add_argument("goal", metavar="GOAL_ID")
    goal_done.add_argument("task", metavar="TASK_ID")
    goal_done.add_argument("--undo", action="store_true", help=_("mark it not done"))
    goal_remove = _common(goal_actions.add_parser("remove", help=_("delete a goal")))
    goal_remove.add_argument("goal", metavar="GOAL_ID")

    note = actions.add_parser("note", help=_("notes of a relationship"))
    note_actions = note.add_subparsers(dest="note_command", metavar="ACTION", required=True)
    note_add = _common(note_actions.add_parser("add", help=_("add a note")), json=True)
    note_add.add_argument("relationship", metavar="REL_ID")
    note_add.add_argument("text", metavar="TEXT")
    note_add.add_argument("--private", action="store_true",
                          help=_("only you can read it (encrypted before it syncs)"))
    note_list = _common(note_actions.add_parser("list", help=_("list the notes")), json=True)
    note_list.add_argument("relationship", metavar="REL_ID")
    note_edit = _common(note_actions.add_parser(
        "edit", help=_("replace a note's text (settles a conflict)")))
    note_edit.add_argument("note", metavar="NOTE_ID")
    note_edit.add_argument("text", metavar="TEXT")
    note_remove = _common(note_actions.add_parser("remove", help=_("delete a note")))
    note_remove.add_argument("note", metavar="NOTE_ID")

    for name, words in (("block", _("never be matched with or asked by this person")),
                        ("unblock", _("lift a block"))):
        command = _common(actions.add_parser(name, help=words))
        command.add_argument("user", metavar="NAME")
    report = _common(actions.add_parser(
        "report", help=_("report a person to the hub's administrators")))
    report.add_argument("user", metavar="NAME")
    report.add_argument("--reason", metavar="TEXT", required=True)

    dashboard = _common(actions.add_parser(
        "dashboard", help=_("your mentees' progress (the copy kept here; --refresh asks the "
                            "hub)")), json=True)
    dashboard.add_argument("--refresh", action="store_true",
                           help=_("fetch it from the hub first (network)"))


def cmd_mentor(args: argparse.Namespace) -> int:
    if args.mentor_command == "match":
        return cmd_match(args)
    from app.library import Library

    with Library(getattr(args, "home", None)) as library:
        profile = getattr(args, "profile", None)
        if profile:
            library.profile_id(profile)  # an unknown profile fails here, in words
        return _PERSON_COMMANDS[args.mentor_command](args, library, profile)


def _emit(data: Any) -> None:
    print(json_text(data))


def _split(values: list[str] | None) -> list[str] | None:
    """Skill ids given as ``a b`` or ``a,b``."""
    if values is None:
        return None
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


def _languages(values: list[str]) -> dict[str, int]:
    languages = {}
    for value in values:
        tag, _sep, level = value.partition("=")
        try:
            languages[tag.strip()] = int(level)
        except ValueError:
            raise CohortError(_("--language {value}: give a tag and a level 0-5, e.g. sw=4"
                                ).format(value=value)) from None
    return languages


def _availability(values: list[str]) -> list[tuple[str, str, str]]:
    slots = []
    for value in values:
        parts = [part.strip() for part in value.split(",")]
        if len(parts) != 3:
            raise CohortError(_("--availability {value}: give a day and two times, e.g. "
                                "mon,18:00,20:00").format(value=value))
        slots.append((parts[0].lower(), parts[1], parts[2]))
    return slots


def _none(value: str | None, current: str | None) -> str | None:
    if value is None:
        return current
    return None if value.strip().lower() in ("", "none") else value.strip()


def _profile_lines(value: MentorProfile) -> list[str]:
    yes, no = _("yes"), _("no")
    languages = ", ".join(f"{tag} {level}" for tag, level in sorted(value.languages.items()))
    windows = ", ".join(f"{day} {start}-{end}" for day, start, end in value.availability)
    return [
        _("Offers: {skills}").format(skills=", ".join(value.offers) or "-"),
        _("Wants: {skills}").format(skills=", ".join(value.wants) or "-"),
        _("Languages: {languages}").format(languages=languages or "-"),
        _("Time zone: {zone}").format(zone=value.timezone),
        _("Availability: {windows}").format(windows=windows or "-"),
        _("Capacity: {count}").format(count=formatting.number(value.capacity)),
        _("Looking for a mentor: {answer}").format(answer=yes if value.looking else no),
        _("Open to mentees: {answer}").format(answer=yes if value.mentoring else no),
        _("Accepts requests at once: {answer}").format(
            answer=yes if value.auto_accept else no),
        _("Away until: {day}").format(day=value.away_until or "-"),
        _("Backup mentor: {name}").format(name=value.backup_mentor or "-"),
    ] + ([_("About: {bio}").format(bio=value.bio)] if value.bio else [])


def cmd_profile(args: argparse.Namespace, library: Library, profile: str | None) -> int:
    from dataclasses import replace

    from app.mentorship import local
    from app.mentorship.models import MentorProfile

    current = local.get_profile(library, profile)
    changes: dict[str, Any] = {}
    if args.offers is not None:
        changes["offers"] = _split(args.offers)
    if args.wants is not None:
        changes["wants"] = _split(args.wants)
    if args.language is not None:
        changes["languages"] = _languages(args.language)
    if args.timezone is not None:
        changes["timezone"] = args.timezone
    if args.availability is not None:
        changes["availability"] = _availability(args.availability)
    if args.capacity is not None:
        changes["capacity"] = args.capacity
    for flag in ("looking", "mentoring", "auto_accept"):
        if getattr(args, flag) is not None:
            changes[flag] = getattr(args, flag)
    base = current or MentorProfile()
    if args.away_until is not None:
        changes["away_until"] = _none(args.away_until, base.away_until)
    if args.backup is not None:
        changes["backup_mentor"] = _none(args.backup, base.backup_mentor)
    if args.bio is not None:
        changes["bio"] = args.bio
    if args.what == "set" or changes:
        if not changes:
            raise UjuziError(_("Say what to change, e.g. 'ujuzi mentor profile set "
                               "--offers wiki-editing --capacity 2'."))
        current = replace(base, **changes)
        local.save_profile(library, current, profile)
    if args.json:
        _emit(None if current is None else current.to_json())
    elif current is None:
        print(_("No mentorship profile yet; make one with 'ujuzi mentor profile set ...'."))
    else:
        print("\n".join(_profile_lines(current)))
    return 0


def cmd_find(args: argparse.Namespace, library: Library, profile: str | None) -> int:
    from app.mentorship import local

    if args.limit < 1:
        raise UjuziError(_("--limit must be 1 or more."))
    suggestions = local.find_mentors(library, profile, limit=args.limit)
    if args.json:
        _emit([suggestion.to_json() for suggestion in suggestions])
        return 0
    if not suggestions:
        print(_("The hub found no mentor for you now; check your profile's wanted skills "
                "and languages."))
    for suggestion in suggestions:
        print(f"{suggestion.mentor}  {formatting.number(suggestion.score, 3)}  "
              + ngettext("{count} place left", "{count} places left",
                         suggestion.places_left).format(
                             count=formatting.number(suggestion.places_left)))
        print(f"  {suggestion.explanation}")
    return 0


def _relationship_line(relationship: Any) -> str:
    waiting = (" " + _("({actions} not yet synced)").format(
        actions=", ".join(relationship.waiting))) if relationship.waiting else ""
    role = _("you mentor {name}") if relationship.role == "mentor" else _("{name} mentors you")
    return f"{relationship.id}  {relationship.state:<11}  " \
           f"{role.format(name=relationship.peer)}{waiting}"


def cmd_request(args: argparse.Namespace, library: Library, profile: str | None) -> int:
    from app.mentorship import local

    made = local.request_mentor(library, args.mentor, message=args.message,
                                share_progress=args.share_progress, profile=profile)
    if args.json:
        _emit(made.to_json())
    else:
        print(_("Request to {mentor} recorded ({id}); it reaches them at the next sync.")
              .format(mentor=made.mentor, id=made.id))
    return 0


def cmd_list(args: argparse.Namespace, library: Library, profile: str | None) -> int:
    from app.mentorship import local

    found = local.relationships(library, profile)
    if args.json:
        _emit([relationship.to_json() for relationship in found])
        return 0
    if not found:
        print(_("No mentors or mentees yet; 'ujuzi mentor find' suggests mentors."))
    for relationship in found:
        print(_relationship_line(relationship))
    return 0


def cmd_act(args: argparse.Namespace, library: Library, profile: str | None) -> int:
    from app.mentorship import local

    action = {"hand-over": "hand_over", "consent": "consent_history"}.get(
        args.mentor_command, args.mentor_command)
    local.act(library, args.relationship, action, reason=getattr(args, "reason", ""),
              to=getattr(args, "to", None), profile=profile)
    print(_("Recorded; the hub applies it at the next sync."))
    return 0


def cmd_person(args: argparse.Namespace, library: Library, profile: str | None) -> int:
    from app.mentorship import local

    if args.mentor_command == "block":
        local.block(library, args.user, profile)
    elif args.mentor_command == "unblock":
        local.unblock(library, args.user, profile)
    else:
        local.report(library, args.user, args.reason, profile)
    print(_("Recorded; the hub applies it at the next sync."))
    return 0


def cmd_goal(args: argparse.Namespace, library: Library, profile: str | None) -> int:
    from app.mentorship import local
    from app.mentorship.models import Goal, GoalLink, Task

    if args.goal_command == "add":
        goal = local.save_goal(library, Goal(
            id="", relationship=args.relationship, title=args.title,
            due=args.due.isoformat() if args.due else None,
            links=[GoalLink("pack", pack) for pack in args.pack]
            + [GoalLink("resource", resource) for resource in args.resource],
            tasks=[Task("", task) for task in args.task]), profile)
        if args.json:
            _emit(goal.to_json())
        else:
            print(_("Goal added ({id}).").format(id=goal.id))
        return 0
    if args.goal_command == "list":
        found = local.goals(library, args.relationship, profile)
        if args.json:
            _emit([goal.to_json() for goal in found])
            return 0
        for goal in found:
            progress = "" if goal.progress is None else \
                f" ({formatting.number(round(goal.progress * 100))} %)"
            print(f"{goal.id}  {goal.title}{progress}"
                  + (f"  {_('due {day}').format(day=goal.due)}" if goal.due else ""))
            for task in goal.tasks:
                print(f"  [{'x' if task.done else ' '}] {task.id}  {task.title}")
        return 0
    if args.goal_command == "done":
        local.set_task_done(library, args.goal, args.task, not args.undo, profile)
        return 0
    local.delete_goal(library, args.goal, profile)
    return 0


def cmd_note(args: argparse.Namespace, library: Library, profile: str | None) -> int:
    from app.mentorship import local

    if args.note_command == "add":
        note = local.add_mentor_note(library, args.relationship, args.text, args.private,
                                     profile)
        if args.json:
            _emit(note.to_json())
        else:
            print(_("Note added ({id}).").format(id=note.id))
        return 0
    if args.note_command == "list":
        found = local.mentor_notes(library, args.relationship, profile)
        if args.json:
            _emit([note.to_json() for note in found])
            return 0
        for note in found:
            kind = _("private") if note.private else _("shared")
            print(f"{note.id}  {note.created}  {note.author}  ({kind})")
            if note.locked:
                print("  " + _("(its key is not on this device: sign in again to read it)"))
            elif note.conflict:
                print("  " + _("Edited on two devices; keep one with 'ujuzi mentor note "
                               "edit':"))
            for version in note.versions:
                print(f"  {version}")
        return 0
    if args.note_command == "edit":
        local.edit_mentor_note(library, args.note, args.text, profile)
        return 0
    local.delete_mentor_note(library, args.note, profile)
    return 0


def cmd_dashboard(args: argparse.Namespace, library: Library, profile: str | None) -> int:
    from app.mentorship import local

    board = local.dashboard(library, profile, refresh=args.refresh)
    if args.json:
        _emit(board.to_json())
        return 0
    if board.fetched is None:
        print(_("No dashboard kept here yet; fetch it with 'ujuzi mentor dashboard "
                "--refresh'."))
        return 0
    print(_("As fetched from the hub at {when}").format(when=board.fetched))
    for row in board.rows:
        done = sum(pack.done for pack in row.packs)
        total = sum(pack.total for pack in row.packs)
        score = "-" if row.quiz_mean_score is None else formatting.number(
            row.quiz_mean_score, 2)
        attempts = ngettext("{count} attempt", "{count} attempts", row.quiz_attempts).format(
            count=formatting.number(row.quiz_attempts))
        due = ngettext("{count} goal due", "{count} goals due", row.goals_due).format(
            count=formatting.number(row.goals_due))
        # Translators: {attempts} is "{count} attempt(s)" and {due} "{count} goal(s) due",
        # each translated on its own.
        line = _("{done}/{total} done, quiz {score} ({attempts}), {due}, last active {when}")
        print(f"{row.mentee}  {row.state}  " + line.format(
            done=formatting.number(done), total=formatting.number(total), score=score,
            attempts=attempts, due=due, when=row.last_active or "-"))
    return 0


_PERSON_COMMANDS: dict[str, Callable[[argparse.Namespace, Library, str | None], int]] = {
    "profile": cmd_profile, "find": cmd_find, "request": cmd_request, "list": cmd_list,
    **{name: cmd_act for name in ("accept", "decline", "pause", "resume", "complete",
                                  "cancel", "hand-over", "consent")},
    "block": cmd_person, "unblock": cmd_person, "report": cmd_person,
    "goal": cmd_goal, "note": cmd_note, "dashboard": cmd_dashboard,
}


def cmd_match(args: argparse.Namespace) -> int:
    cohort = load_cohort(args.cohort)
    as_of = args.date or datetime.now(UTC).date()
    result = match_cohort(cohort, as_of)
    if args.json:
        print(json_text(result.to_json()))
        return 0
    print(ngettext("{pairs} pair", "{pairs} pairs", len(result.pairs)).format(
        pairs=formatting.number(len(result.pairs))) + _(", ")
        + _("{unmatched} unmatched, total score {total} (as on {day})").format(
            unmatched=formatting.number(len(result.unmatched)),
            total=formatting.number(result.total_score / 1000, 3), day=formatting.day(as_of)))
    if result.pairs:
        print()
        print(_("Pairs (mentor, mentee, score: why):"))
        for pair in result.pairs:
            print(f"  {pair.mentor}  {pair.mentee}  "
                  f"{formatting.number(pair.score / 1000, 3)}: {pair.explanation}")
    if result.unmatched:
        print()
        print(_("Unmatched (mentee: why):"))
        for left in result.unmatched:
            print(f"  {left.mentee}: {left.reason}")
    return 0


#: ``ujuzi <command>`` -> handler(args) returning the exit code.
HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {"mentor": cmd_mentor}

__all__ = ["HANDLERS", "CohortError", "add_commands"]

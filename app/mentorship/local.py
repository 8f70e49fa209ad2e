"""Mentorship on this device: the API of the window and the command line (Qt-free).

Everything a person does is a record written through the one writer
(:func:`app.store.records.write_record`: a new version, the outbox, Lamport clocks) and
synced by the record plane (docs/sync.md). What only the hub decides (a relationship's
state) arrives as hub-authored ``relationship`` records at pull; until then a request made
here shows at once as ``waiting``. Reads that need everyone's data (:func:`find_mentors`,
:func:`dashboard` with ``refresh=True``) call the hub and keep the answer in the library
database, so that it shows offline with its date. Only those two need the network.

Every function takes the open ``library`` and ``profile``: the local learner's name (None:
the current one, as :func:`app.profiles.current_profile` chooses)."""

from __future__ import annotations

import contextlib
import json
from datetime import date
from typing import Any

from app.errors import HubError, NotFoundError, UjuziError
from app.i18n import _, active_language, ngettext
from app.library import Library
from app.mentorship import cohort, crypto
from app.mentorship.models import (
    ACTIONS,
    FINAL_STATES,
    UPSTREAM,
    WAITING,
    AuditLine,
    Dashboard,
    DashboardRow,
    Goal,
    GoalLink,
    MentorNote,
    MentorProfile,
    PackProgress,
    Relationship,
    Skill,
    Suggestion,
    Task,
)
from app.mentorship.store import PENDING_KEY as _PENDING_KEY
from app.mentorship.store import cache_get as _cache_get
from app.mentorship.store import cache_put as _cache_put
from app.mentorship.store import dumps as _dumps
from app.mentorship.store import rows as _rows
from app.mentorship.store import write as _write
from app.paths import resources_dir
from app.store.db import utc_now
from app.store.records import DEVICE_KEY, get_meta, new_id, next_lamport, write_record

MATCHES_PATH = "/api/v1/mentorship/matches"
SKILLS_PATH = "/api/v1/mentorship/skills"
MENTEES_PATH = "/api/v1/mentorship/mentees"
#: Actions on a relationship that :func:`act` records.
RELATIONSHIP_ACTIONS = ("accept", "decline", "cancel", "pause", "resume", "complete",
                        "hand_over", "consent_history")
#: What each side may do (the hub checks again, with the state it knows).
MENTOR_ONLY = frozenset({"hand_over"})
MENTEE_ONLY = frozenset({"consent_history"})
PROFILE_ID = "me"
_SHARED_CACHE = ""  # the profile id of what every profile shares (the skills the hub saw)


class MentorshipError(UjuziError):
    """A mentorship action that cannot be taken, in words."""


# -- plumbing --------------------------------------------------------------------------------


def _profile_id(library: Library, profile: str | None) -> str:
    return library.profile_id(profile)


def _account(library: Library, profile: str | None) -> Any:
    from app.sync.account import Account  # the sync client loads when mentorship needs it

    return Account(library, profile)


def _me(library: Library, profile: str | None) -> str:
    """The learner's hub account name (relationships are between account names)."""
    user = _account(library, profile).user
    if not user:
        raise MentorshipError(_("Mentorship needs this profile's hub account; sign in once "
                                "with 'ujuzi login URL --user NAME'."))
    return str(user)


def _one(library: Library, table: str, profile_id: str, record_id: str) -> dict[str, Any]:
    for state in _rows(library, table, profile_id, "AND id = ?", (record_id,)):
        return state
    raise NotFoundError(_("There is no {what} with the id {id}.").format(
        what=_TABLE_WORDS.get(table, table), id=record_id))


_TABLE_WORDS = {"mentor_relationships": "relationship", "mentor_goals": "goal",
                "mentor_shared_notes": "note", "mentor_private_notes": "note"}


def _hub_get(library: Library, profile: str | None, path: str) -> Any:
    with _account(library, profile).session() as hub:
        return hub.json("GET", path)


def _listed(answer: Any, *names: str) -> list[Any]:
    """The list of a hub answer: the answer itself or its first field of ``names``."""
    if isinstance(answer, dict):
        for name in names:
            if isinstance(answer.get(name), list):
                return list(answer[name])
    if isinstance(answer, list):
        return answer
    raise HubError(_("The hub sent an answer the client cannot use."))


# -- skills ----------------------------------------------------------------------------------


def _shipped_skills() -> list[dict[str, Any]]:
    path = resources_dir() / "mentorship" / "skills.json"
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [item for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)]


def _label(labels: Any, skill_id: str) -> str:
    if not isinstance(labels, dict):
        return skill_id
    language = active_language().split("_")[0].split("-")[0]
    for wanted in (active_language(), language, "en"):
        if isinstance(labels.get(wanted), str) and labels[wanted]:
            return str(labels[wanted])
    return skill_id


def skills(library: Library) -> list[Skill]:
    """The skill list: the shipped one (resources/mentorship/skills.json) and the ids the hub
    has listed (cached at :func:`find_mentors`), labelled in the interface's language
    (English, else the id, where the language has no label), sorted by label."""
    found: dict[str, Skill] = {}
    for item in _shipped_skills():
        found[item["id"]] = Skill(item["id"], _label(item.get("labels"), item["id"]))
    seen, _fetched = _cache_get(library, _SHARED_CACHE, "skills")
    for item in seen if isinstance(seen, list) else []:
        skill_id = item.get("id") if isinstance(item, dict) else item
        if isinstance(skill_id, str) and skill_id and skill_id not in found:
            labels = item.get("labels") if isinstance(item, dict) else None
            found[skill_id] = Skill(skill_id, _label(labels, skill_id))
    return sorted(found.values(), key=lambda skill: (skill.label.casefold(), skill.id))


# -- profile ---------------------------------------------------------------------------------


def _profile_from(data: dict[str, Any]) -> MentorProfile:
    return MentorProfile(
        offers=[str(s) for s in data.get("offers") or []],
        wants=[str(s) for s in data.get("wants") or []],
        languages={str(k): int(v) for k, v in (data.get("languages") or {}).items()},
        timezone=str(data.get("timezone") or "UTC"),
        availability=[(str(a), str(b), str(c)) for a, b, c in data.get("availability") or []],
        capacity=int(data.get("capacity") or 0), looking=bool(data.get("looking")),
        mentoring=bool(data.get("mentoring")), auto_accept=bool(data.get("auto_accept")),
        away_until=data.get("away_until"), backup_mentor=data.get("backup_mentor"),
        bio=str(data.get("bio") or ""))


def check_profile(value: MentorProfile) -> None:
    """Raise :class:`app.mentorship.cohort.CohortError` (a UjuziError) for the first
    mistake of a profile: the cohort file's rules for skills, languages, time zone and
    availability; a capacity 0-1000; a date for ``away_until``; a bio of at most 10,000
    characters."""
    data = value.to_json()
    for key in ("offers", "wants"):
        cohort._skills(data, key, "profile")
    cohort._languages(data, "profile")
    cohort._zone(data, "profile")
    cohort._availability(data, "profile")
    if not 0 <= value.capacity <= 1000:
        raise cohort.CohortError(_("profile.capacity: the capacity must be a whole number, 0 to "
                                   "{most}").format(most=1000))
    if value.away_until is not None:
        try:
            if len(value.away_until) != 10:
                raise ValueError(value.away_until)
            date.fromisoformat(value.away_until)
        except ValueError:
            raise cohort.CohortError(_("profile.away_until: a date like 2026-10-01")) from None
    if value.backup_mentor is not None and not value.backup_mentor.strip():
        raise cohort.CohortError(_("profile.backup_mentor: an account name"))
    if len(value.bio) > 10_000:
        raise cohort.CohortError(ngettext("profile.bio: a text of at most {count} character",
                                          "profile.bio: a text of at most {count} characters",
                                          10_000).format(count=10_000))


def get_profile(library: Library, profile: str | None = None) -> MentorProfile | None:
    """The learner's mentorship profile, or None before one is saved."""
    profile_id = _profile_id(library, profile)
    for state in _rows(library, "mentor_profiles", profile_id, "AND id = ?", (PROFILE_ID,)):
        return _profile_from(state["data"])
    return None


def save_profile(library: Library, value: MentorProfile, profile: str | None = None) -> None:
    """Check ``value`` (the cohort file's field rules) and save it as the learner's
    ``mentor_profile`` record. Raises :class:`app.errors.UjuziError` naming the first
    mistake; nothing is saved then."""
    profile_id = _profile_id(library, profile)
    check_profile(value)
    data = value.to_json()
    data["availability"] = [[day.lower(), start, end] for day, start, end in value.availability]
    _write(library, "mentor_profiles", profile_id, PROFILE_ID, data)


# -- suggestions -----------------------------------------------------------------------------


def _suggestion(item: Any) -> Suggestion | None:
    if not isinstance(item, dict) or not isinstance(item.get("mentor"), str):
        return None
    try:
        return Suggestion(mentor=item["mentor"], score=float(item.get("score") or 0),
                          factors=dict(item.get("factors") or {}),
                          explanation=str(item.get("explanation") or ""),
                          places_left=int(item.get("places_left") or 0))
    except (TypeError, ValueError):
        return None


def find_mentors(library: Library, profile: str | None = None,
                 limit: int = 10) -> list[Suggestion]:
    """NETWORK. The hub's best mentors for the learner (as a mentee), kept as the cached
    copy. Raises the sync errors (not signed in, hub unreachable) as UjuziError."""
    profile_id = _profile_id(library, profile)
    with _account(library, profile).session() as hub:
        items = _listed(hub.json("GET", f"{MATCHES_PATH}?limit={int(limit)}"),
                        "matches", "suggestions", "mentors")
        try:
            seen = _listed(hub.json("GET", SKILLS_PATH), "skills")
        except HubError:
            seen = None  # the list stays as it was; the suggestions are what was asked
    suggestions = [s for s in (_suggestion(item) for item in items) if s is not None]
    _cache_put(library, profile_id, "suggestions", [s.to_json() for s in suggestions])
    if seen is not None:
        _cache_put(library, _SHARED_CACHE, "skills", seen)
    return suggestions


def cached_suggestions(library: Library,
                       profile: str | None = None) -> tuple[list[Suggestion], str | None]:
    """The suggestions of the last :func:`find_mentors` and when they were fetched (UTC
    ISO time; None and an empty list if never)."""
    body, fetched = _cache_get(library, _profile_id(library, profile), "suggestions")
    items = body if isinstance(body, list) else []
    return [s for s in (_suggestion(item) for item in items) if s is not None], fetched


# -- relationships and actions --------------------------------------------------------------


def _action(library: Library, profile_id: str, data: dict[str, Any]) -> str:
    action_id = new_id()
    full = {"action": data["action"], "relationship": data.get("relationship"),
            "peer": data.get("peer"), "to": data.get("to"),
            "message": data.get("message", ""), "reason": data.get("reason", ""),
            "share_progress": bool(data.get("share_progress", True))}
    _write(library, "mentor_actions", profile_id, action_id, full)
    return action_id


def _pending_actions(library: Library, profile_id: str) -> list[dict[str, Any]]:
    """The learner's actions, oldest first, each with ``_waiting`` (not yet synced)."""
    waiting = {str(row[0]) for row in library.db.execute(
        "SELECT record_id FROM outbox WHERE profile_id = ? AND type = 'mentor_action'",
        (profile_id,))}
    actions = []
    for state in _rows(library, "mentor_actions", profile_id, "ORDER BY counter, updated_at"):
        state["_waiting"] = state["id"] in waiting
        actions.append(state)
    return actions


def _audit(items: Any) -> list[AuditLine]:
    lines = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            lines.append(AuditLine(
                action=item.get("action"), by=str(item.get("by") or ""),
                what=str(item.get("what") or ""), from_state=item.get("from"),
                to_state=str(item.get("to") or ""), at=str(item.get("at") or ""),
                ok=bool(item.get("ok", True)), reason=str(item.get("reason") or "")))
    return lines


def relationships(library: Library, profile: str | None = None) -> list[Relationship]:
    """The learner's relationships (as mentor and as mentee): requests to answer as mentor
    first, longest waiting first; then the other live ones, then the ended ones, newest
    first; each with the learner's actions on it not yet synced."""
    profile_id = _profile_id(library, profile)
    me = _account(library, profile).user or ""
    actions = _pending_actions(library, profile_id)
    waiting: dict[str, list[str]] = {}
    for action in actions:
        if action["_waiting"] and action["data"].get("relationship"):
            waiting.setdefault(str(action["data"]["relationship"]), []).append(
                str(action["data"]["action"]))
    found: dict[str, Relationship] = {}
    for state in _rows(library, "mentor_relationships", profile_id):
        data = state["data"]
        mentor, mentee = str(data.get("mentor") or ""), str(data.get("mentee") or "")
        shown = str(data.get("state") or "")
        if shown == "pending" and data.get("upstream"):
            shown = UPSTREAM  # the workshop hub passed it on; the central hub decides
        found[state["id"]] = Relationship(
            id=state["id"], mentor=mentor, mentee=mentee, state=shown,
            role="mentor" if mentor == me and mentee != me else "mentee",
            waiting=waiting.get(state["id"], []), audit=_audit(data.get("audit")),
            explanation=str(data.get("explanation") or ""),
            updated=data.get("updated") or data.get("created"),
            share_progress=bool(data.get("share_progress", True)),
            history_shared=bool(data.get("history_shared")),
            previous_mentor=data.get("previous_mentor"))
    for action in actions:
        data = action["data"]
        rel = data.get("relationship")
        if data.get("action") == "request" and rel and rel not in found:
            found[rel] = Relationship(
                id=rel, mentor=str(data.get("peer") or ""), mentee=me, state=WAITING,
                role="mentee", waiting=waiting.get(rel, []),
                updated=action["_updated"],
                share_progress=bool(data.get("share_progress", True)))
    newest_first = sorted(found.values(), key=lambda r: r.updated or "", reverse=True)
    incoming = sorted((r for r in newest_first if _incoming(r)), key=lambda r: r.updated or "")
    return incoming + sorted((r for r in newest_first if not _incoming(r)),
                             key=lambda r: r.state in FINAL_STATES)


def _incoming(relationship: Relationship) -> bool:
    """Whether the learner, as mentor, has a request to answer."""
    return relationship.role == "mentor" and relationship.state in ("pending", "proposed")


def _relationship(library: Library, relationship_id: str,
                  profile: str | None) -> Relationship:
    for relationship in relationships(library, profile):
        if relationship.id == relationship_id:
            return relationship
    raise NotFoundError(_("There is no relationship with the id {id}.").format(
        id=relationship_id))


def request_mentor(library: Library, mentor: str, message: str = "",
                   share_progress: bool = True, profile: str | None = None) -> Relationship:
    """Ask ``mentor`` to mentor the learner: a ``request`` action with a new relationship id.
    The relationship shows at once, state ``waiting``, until the hub's answer is pulled."""
    profile_id = _profile_id(library, profile)
    me = _me(library, profile)
    mentor = mentor.strip()
    if not mentor:
        raise MentorshipError(_("Name the mentor to ask (their hub account name)."))
    if mentor == me:
        raise MentorshipError(_("You cannot be your own mentor."))
    for relationship in relationships(library, profile):
        if (relationship.role == "mentee" and relationship.mentor == mentor
                and relationship.state not in FINAL_STATES):
            raise MentorshipError(_("You already have a relationship with {mentor} ({state})."
                                    ).format(mentor=mentor, state=relationship.state))
    relationship_id = new_id()
    _action(library, profile_id, {"action": "request", "relationship": relationship_id,
                                  "peer": mentor, "message": message,
                                  "share_progress": share_progress})
    return _relationship(library, relationship_id, profile)


def act(library: Library, relationship_id: str, action: str, reason: str = "",
        to: str | None = None, profile: str | None = None) -> None:
    """Record ``action`` (accept, decline, cancel, pause, resume, complete, hand_over,
    consent_history) on a relationship; the hub applies it at sync. ``to`` names the new
    mentor of a hand-over. Raises UjuziError for an unknown relationship or action, a
    hand-over without ``to``, or an action the learner's side cannot take."""
    profile_id = _profile_id(library, profile)
    if action not in RELATIONSHIP_ACTIONS:
        raise MentorshipError(_("{action} is not an action on a relationship (one of "
                                "{actions}).").format(action=action,
                                                      actions=", ".join(RELATIONSHIP_ACTIONS)))
    relationship = _relationship(library, relationship_id, profile)
    if relationship.state in FINAL_STATES:
        raise MentorshipError(_("This relationship has ended ({state}); nothing more can "
                                "change it.").format(state=relationship.state))
    if action in MENTOR_ONLY and relationship.role != "mentor":
        raise MentorshipError(_("Only the mentor can hand a relationship over."))
    if action in MENTEE_ONLY and relationship.role != "mentee":
        raise MentorshipError(_("Only the mentee can share the history with a new mentor."))
    if action == "hand_over":
        to = (to or "").strip()
        if not to:
            raise MentorshipError(_("A hand-over names the new mentor."))
        if to in (relationship.mentor, relationship.mentee):
            raise MentorshipError(_("Hand the relationship over to another mentor."))
    _action(library, profile_id, {"action": action, "relationship": relationship_id,
                                  "to": to if action == "hand_over" else None,
                                  "reason": reason})


def _person_action(library: Library, action: str, user: str, reason: str,
                   profile: str | None) -> None:
    profile_id = _profile_id(library, profile)
    me = _me(library, profile)
    user = user.strip()
    if not user or user == me:
        raise MentorshipError(_("Name another person (their hub account name)."))
    _action(library, profile_id, {"action": action, "peer": user, "reason": reason})


def block(library: Library, user: str, profile: str | None = None) -> None:
    """Block ``user``: the hub refuses their requests, never matches the pair and cancels
    any live relationship between them."""
    _person_action(library, "block", user, "", profile)


def unblock(library: Library, user: str, profile: str | None = None) -> None:
    """Lift a block of ``user``."""
    _person_action(library, "unblock", user, "", profile)


def report(library: Library, user: str, reason: str, profile: str | None = None) -> None:
    """Report ``user`` to the hub's administrators, with ``reason`` (required)."""
    if not reason.strip():
        raise MentorshipError(_("Say why you report this person."))
    _person_action(library, "report", user, reason.strip(), profile)


# -- goals -----------------------------------------------------------------------------------


def _value(register: Any, default: Any = None) -> Any:
    return register.get("v", default) if isinstance(register, dict) else default


def _pack_progress(library: Library, profile_id: str, pack_id: str) -> tuple[int, int]:
    row = library.db.execute(
        "SELECT COUNT(*), COALESCE(SUM(p.completed), 0) FROM resources r LEFT JOIN progress p "
        "ON p.resource_id = r.id AND p.profile_id = ? AND p.deleted = 0 WHERE r.pack_id = ?",
        (profile_id, pack_id)).fetchone()
    return int(row[1]), int(row[0])


def _goal(library: Library, profile_id: str, state: dict[str, Any],
          relationship: Relationship | None, board: dict[str, DashboardRow]) -> Goal:
    fields = state.get("fields") or {}
    links = [GoalLink(str(kind), str(link_id))
             for kind, link_id in _value(fields.get("links"), []) or []]
    tasks = []
    for task_id, task in (state.get("tasks") or {}).items():
        if _value(task.get("removed"), False):
            continue
        tasks.append((_value(task.get("position"), 0) or 0, task_id,
                      Task(task_id, str(_value(task.get("title"), "")),
                           bool(_value(task.get("done"), False)))))
    tasks.sort(key=lambda item: (item[0], item[1]))
    done = total = 0
    for link in links:
        if link.kind != "pack":
            continue
        row = board.get(relationship.id) if relationship and relationship.role == "mentor" \
            else None
        if row is not None:
            for pack in row.packs:
                if pack.pack_id == link.id:
                    # The hub counts a pack's resources when it publishes the pack; this
                    # device counts them when it has the pack.
                    here = _pack_progress(library, profile_id, link.id)[1]
                    done, total = done + pack.done, total + max(pack.total, here)
        elif relationship is None or relationship.role == "mentee":
            pack_done, pack_total = _pack_progress(library, profile_id, link.id)
            done, total = done + pack_done, total + pack_total
    return Goal(id=state["id"], relationship=str(state["data"].get("relationship") or ""),
                title=str(_value(fields.get("title"), "")), due=_value(fields.get("due")),
                links=links, tasks=[task for _p, _i, task in tasks],
                progress=done / total if total else None)


def goals(library: Library, relationship_id: str, profile: str | None = None) -> list[Goal]:
    """The goals of a relationship, by due date (none last) then title, each with its
    progress from its linked packs (this device's progress, or the mentor's cached
    dashboard)."""
    profile_id = _profile_id(library, profile)
    relationship = next((r for r in relationships(library, profile)
                         if r.id == relationship_id), None)
    board = {row.relationship: row for row in dashboard(library, profile).rows}
    found = [_goal(library, profile_id, state, relationship, board)
             for state in _rows(library, "mentor_goals", profile_id)
             if state["data"].get("relationship") == relationship_id]
    return sorted(found, key=lambda goal: (goal.due is None, goal.due or "",
                                           goal.title.casefold(), goal.id))


def _goal_state(library: Library, profile_id: str, goal_id: str) -> dict[str, Any]:
    return _one(library, "mentor_goals", profile_id, goal_id)


def _stamp(library: Library) -> list[Any]:
    return [next_lamport(library.db), get_meta(library.db, DEVICE_KEY) or ""]


def _set(library: Library, registers: dict[str, Any], name: str, value: Any) -> None:
    """Give field ``name`` the ``value`` with a new clock, if it changed."""
    current = registers.get(name)
    if isinstance(current, dict) and current.get("v") == value:
        return
    registers[name] = {"v": value, "clock": _stamp(library)}


def _check_due(due: str | None) -> None:
    if due is None:
        return
    try:
        if len(due) != 10:
            raise ValueError(due)
        date.fromisoformat(due)
    except ValueError:
        raise MentorshipError(_("{value!r} is not a date like 2026-12-01").format(
            value=due)) from None


def save_goal(library: Library, goal: Goal, profile: str | None = None) -> Goal:
    """Create (``goal.id == ""``) or change a goal; tasks with an empty id get one. Only
    the fields that changed get a new clock, so edits of different fields on two devices
    both survive. Returns the goal as saved."""
    profile_id = _profile_id(library, profile)
    if not goal.title.strip():
        raise MentorshipError(_("A goal needs a title."))
    _check_due(goal.due)
    for link in goal.links:
        if link.kind not in ("pack", "resource") or not link.id:
            raise MentorshipError(_("A goal links to a pack or a resource by its id."))
    with library.db.atomic():
        if goal.id:
            state = _goal_state(library, profile_id, goal.id)
            if state["data"].get("relationship") != goal.relationship:
                raise MentorshipError(_("A goal stays with its relationship."))
            goal_id = goal.id
        else:
            _relationship(library, goal.relationship, profile)
            goal_id, state = new_id(), {"data": {"relationship": goal.relationship}}
        fields: dict[str, Any] = dict(state.get("fields") or {})
        tasks: dict[str, Any] = {task_id: dict(registers)
                                 for task_id, registers in (state.get("tasks") or {}).items()}
        _set(library, fields, "title", goal.title.strip())
        _set(library, fields, "due", goal.due)
        _set(library, fields, "links", [[link.kind, link.id] for link in goal.links])
        kept = set()
        for position, task in enumerate(goal.tasks):
            if not task.title.strip():
                raise MentorshipError(_("A task needs a title."))
            task_id = task.id or new_id()
            kept.add(task_id)
            registers = tasks.setdefault(task_id, {})
            _set(library, registers, "title", task.title.strip())
            _set(library, registers, "done", task.done)
            _set(library, registers, "position", position)
            _set(library, registers, "removed", False)
        for task_id, registers in tasks.items():
            if task_id not in kept:
                _set(library, registers, "removed", True)
        _write(library, "mentor_goals", profile_id, goal_id, dict(state["data"]),
               {"fields": fields, "tasks": tasks})
    return next(saved for saved in goals(library, goal.relationship, profile)
                if saved.id == goal_id)


def delete_goal(library: Library, goal_id: str, profile: str | None = None) -> None:
    """Delete a goal (a tombstone that syncs)."""
    profile_id = _profile_id(library, profile)
    state = _goal_state(library, profile_id, goal_id)
    _write(library, "mentor_goals", profile_id, goal_id,
           {"relationship": state["data"].get("relationship")}, {}, deleted=True)


def set_task_done(library: Library, goal_id: str, task_id: str, done: bool,
                  profile: str | None = None) -> None:
    """Mark a goal's task done or not done."""
    profile_id = _profile_id(library, profile)
    with library.db.atomic():
        state = _goal_state(library, profile_id, goal_id)
        tasks: dict[str, Any] = dict(state.get("tasks") or {})
        if task_id not in tasks or _value(tasks[task_id].get("removed"), False):
            raise NotFoundError(_("The goal has no task with the id {id}.").format(id=task_id))
        tasks[task_id] = dict(tasks[task_id])
        _set(library, tasks[task_id], "done", bool(done))
        _write(library, "mentor_goals", profile_id, goal_id, state["data"],
               {"fields": state.get("fields") or {}, "tasks": tasks})


# -- notes -----------------------------------------------------------------------------------


def _keys(library: Library, profile: str | None) -> crypto.Keys:
    account = _account(library, profile)
    if not account.url or not account.user:
        return crypto.Keys()
    return crypto.load_keys(str(account.url), str(account.user))


def mentor_notes(library: Library, relationship_id: str,
                 profile: str | None = None) -> list[MentorNote]:
    """The relationship's shared notes and the learner's private notes, oldest first.
    A private note whose key this device lacks shows ``locked``."""
    profile_id = _profile_id(library, profile)
    notes = []
    for state in _rows(library, "mentor_shared_notes", profile_id):
        data = state["data"]
        if data.get("relationship") != relationship_id:
            continue
        notes.append(MentorNote(
            id=state["id"], relationship=relationship_id, private=False,
            versions=[str(v.get("body", "")) for v in state.get("versions") or []],
            author=str(data.get("author") or ""), created=str(data.get("created") or "")))
    private = [state for state in _rows(library, "mentor_private_notes", profile_id)
               if state["data"].get("relationship") == relationship_id]
    keys = crypto.Keys()
    if private:
        with contextlib.suppress(crypto.NotesKeyError):  # no keyring: the notes show locked
            keys = _keys(library, profile)
    me = _account(library, profile).user or ""
    for state in private:
        content = crypto.decrypt_note(keys, state["id"], state["data"])
        notes.append(MentorNote(
            id=state["id"], relationship=relationship_id, private=True,
            versions=[str(content.get("text", ""))] if content else [], author=me,
            created=str(content.get("created", "")) if content else "",
            locked=content is None))
    return sorted(notes, key=lambda note: (note.created, note.id))


def _shared_note_edit(library: Library, profile_id: str, note_id: str,
                      data: dict[str, Any], text: str) -> None:
    """Write a shared note's new text: one version that has seen all it replaces."""
    write_record(library.db, "mentor_shared_notes", {"profile_id": profile_id, "id": note_id},
                 {"data": _dumps(data), "body": text})


def add_mentor_note(library: Library, relationship_id: str, text: str, private: bool,
                    profile: str | None = None) -> MentorNote:
    """Add a note: shared (both parties read it) or private (encrypted with the account's
    notes key before it leaves the device; needs a signed-in account)."""
    profile_id = _profile_id(library, profile)
    me = _me(library, profile)
    if not text.strip():
        raise MentorshipError(_("A note needs some text."))
    _relationship(library, relationship_id, profile)
    note_id, created = new_id(), utc_now()
    if private:
        with library.db.atomic():
            keys = _keys_for_writing(library, profile, profile_id)
            data = crypto.encrypt_note(keys, note_id, relationship_id,
                                       {"text": text, "created": created})
            _write(library, "mentor_private_notes", profile_id, note_id, data)
    else:
        _shared_note_edit(library, profile_id, note_id,
                          {"relationship": relationship_id, "author": me, "created": created},
                          text)
    return next(note for note in mentor_notes(library, relationship_id, profile)
                if note.id == note_id)


def _note_table(library: Library, profile_id: str, note_id: str) -> tuple[str, dict[str, Any]]:
    for table in ("mentor_shared_notes", "mentor_private_notes"):
        for state in _rows(library, table, profile_id, "AND id = ?", (note_id,)):
            return table, state
    raise NotFoundError(_("There is no note with the id {id}.").format(id=note_id))


def edit_mentor_note(library: Library, note_id: str, text: str,
                     profile: str | None = None) -> None:
    """Replace a note's text (an edit of a shared note in conflict settles it)."""
    profile_id = _profile_id(library, profile)
    if not text.strip():
        raise MentorshipError(_("A note needs some text; delete it instead."))
    table, state = _note_table(library, profile_id, note_id)
    data = state["data"]
    if table == "mentor_shared_notes":
        _shared_note_edit(library, profile_id, note_id, data, text)
        return
    keys = _keys(library, profile)
    content = crypto.decrypt_note(keys, note_id, data)
    if content is None:
        raise crypto.NotesKeyError(_("This private note's key is not on this device; sign "
                                     "in again with 'ujuzi login URL --user NAME'."))
    _write(library, table, profile_id, note_id, crypto.encrypt_note(
        keys, note_id, str(data["relationship"]), {**content, "text": text}))


def delete_mentor_note(library: Library, note_id: str, profile: str | None = None) -> None:
    """Delete a note (a tombstone that syncs)."""
    profile_id = _profile_id(library, profile)
    table, state = _note_table(library, profile_id, note_id)
    _write(library, table, profile_id, note_id,
           {"relationship": state["data"].get("relationship")}, {}, deleted=True)


# -- the notes key at login ------------------------------------------------------------------


def _keys_for_writing(library: Library, profile: str | None, profile_id: str) -> crypto.Keys:
    """The account's notes keys, with the current one to encrypt with: the key made at login
    moves to the keyring at its first use, and its wrapped form goes to the outbox."""
    keys = _keys(library, profile)
    if keys.current is not None:
        return keys
    pending, _fetched = _cache_get(library, profile_id, _PENDING_KEY)
    if not isinstance(pending, dict):
        return keys  # encrypt_note says what to do
    account = _account(library, profile)
    keys.add(str(pending["key_id"]), crypto.decode(str(pending["key"])))
    crypto.store_keys(str(account.url), str(account.user), keys)
    _write(library, "mentor_notes_keys", profile_id, str(pending["key_id"]),
           dict(pending["wrapped"]))
    library.db.execute("DELETE FROM mentor_cache WHERE profile_id = ? AND name = ?",
                       (profile_id, _PENDING_KEY))
    return keys


# -- dashboard -------------------------------------------------------------------------------


def _row(item: Any) -> DashboardRow | None:
    if not isinstance(item, dict) or not isinstance(item.get("mentee"), str):
        return None
    try:
        quiz = item.get("quiz") or {}
        mean = quiz.get("mean_score")
        return DashboardRow(
            mentee=item["mentee"], relationship=str(item.get("relationship") or ""),
            state=str(item.get("state") or ""),
            packs=[PackProgress(str(p.get("pack_id")), str(p.get("title") or p.get("pack_id")),
                                int(p.get("done") or 0), int(p.get("total") or 0))
                   for p in item.get("packs") or [] if isinstance(p, dict)],
            quiz_attempts=int(quiz.get("attempts") or 0),
            quiz_mean_score=None if mean is None else float(mean),
            last_active=item.get("last_active"), goals_due=int(item.get("goals_due") or 0),
            timeline=[(str(day), int(count)) for day, count in item.get("timeline") or []])
    except (TypeError, ValueError, AttributeError):
        return None


def dashboard(library: Library, profile: str | None = None,
              refresh: bool = False) -> Dashboard:
    """A mentor's dashboard of mentees. ``refresh=True``: NETWORK, fetch it from the hub
    and keep it; otherwise the cached copy (``fetched`` None: never fetched)."""
    profile_id = _profile_id(library, profile)
    if refresh:
        items = _listed(_hub_get(library, profile, MENTEES_PATH), "mentees", "rows")
        _cache_put(library, profile_id, "dashboard", items)
    body, fetched = _cache_get(library, profile_id, "dashboard")
    rows = [row for row in (_row(item) for item in body or []) if row is not None]
    return Dashboard(rows=rows, fetched=fetched)


__all__ = [
    "ACTIONS", "RELATIONSHIP_ACTIONS", "MentorshipError", "act", "add_mentor_note", "block",
    "cached_suggestions", "dashboard", "delete_goal", "delete_mentor_note",
    "edit_mentor_note", "find_mentors", "get_profile", "goals", "mentor_notes",
    "relationships", "report", "request_mentor", "save_goal",
    "save_profile", "set_task_done", "skills", "unblock",
]

"""``ujuzi hub mentor match --all [--json] [--dry-run]``: cohort matching over the hub's
profiles, run on the hub machine (``--home``/``--database`` like ``hub user add``); the pairs
become ``proposed`` relationships that both people see at their next sync."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from app.errors import UjuziError
from app.i18n import _, ngettext


class MentorCommandError(UjuziError):
    """A ``hub mentor`` command given without what it needs."""

    exit_code = 2


def add_commands(actions: Any, common: Callable[[argparse.ArgumentParser], None],
                 json_flag: Callable[[argparse.ArgumentParser], None]) -> None:
    mentor = actions.add_parser("mentor", help=_("mentorship on this hub"))
    mentor_actions = mentor.add_subparsers(dest="mentor_command", metavar="COMMAND",
                                           required=True)
    match = mentor_actions.add_parser(
        "match", help=_("match every mentee looking for a mentor (--all) and propose the "
                        "pairs to both people"))
    match.add_argument("--all", action="store_true", dest="everyone",
                       help=_("every looking mentee without a live mentor"))
    match.add_argument("--dry-run", action="store_true",
                       help=_("show the pairs without proposing them"))
    json_flag(match)
    common(match)


def run(engine: Any, args: argparse.Namespace, emit: Callable[[Any], None]) -> int:
    from app.formatting import number
    from app.hub import mentorship

    if not args.everyone:
        raise MentorCommandError(_("Say whom to match: ujuzi hub mentor match --all"))
    answer = mentorship.match_all(engine, args.dry_run)
    if args.json:
        emit(answer)
        return 0
    for pair in answer["pairs"]:
        print(_("{mentor} mentors {mentee} (score {score}): {explanation}").format(
            mentor=pair["mentor"], mentee=pair["mentee"], score=number(pair["score"], 3),
            explanation=pair["explanation"]))
    for item in answer["unmatched"]:
        print(_("{mentee} is not matched: {reason}").format(mentee=item["mentee"],
                                                           reason=item["reason"]))
    if args.dry_run:
        print(_("Nothing was proposed (--dry-run)."))
    else:
        print(ngettext("Proposed {count} pair; each person accepts or declines.",
                       "Proposed {count} pairs; each person accepts or declines.",
                       len(answer["pairs"])).format(count=number(len(answer["pairs"]))))
    return 0

"""``ujuzi mentor ...``: mentorship from the command line, for coordinators' scripts."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from app import formatting
from app.i18n import _, ngettext
from app.mentorship.cohort import CohortError, load_cohort
from app.mentorship.matching import match_cohort
from app.terminal import json_text


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


def cmd_mentor(args: argparse.Namespace) -> int:
    if args.mentor_command == "match":
        return cmd_match(args)
    raise AssertionError(args.mentor_command)  # argparse allows no other


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

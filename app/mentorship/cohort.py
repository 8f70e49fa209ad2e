"""The cohort file: the mentors and mentees a coordinator matches at once, read and checked.

The format (docs/mentorship.md)::

    {"mentors": [{"id": "m1", "offers": ["wiki-editing"], "languages": {"sw": 4},
                  "capacity": 3, "timezone": "Africa/Nairobi",
                  "availability": [["mon", "18:00", "20:00"]]}],
     "mentees": [{"id": "e1", "wants": ["wiki-editing"], "languages": {"sw": 5},
                  "timezone": "Europe/Paris", "availability": [["mon", "17:00", "19:00"]],
                  "waiting_since": "2026-10-01"}],
     "blocks": [["m1", "e7"]]}

Every problem is reported as one :class:`CohortError` line that names where it is, e.g.
``mentees[3].languages.sw: the level must be 0 to 5``. Unknown fields are refused too: a
misspelt ``capasity`` must not quietly become "no capacity".
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.errors import UjuziError
from app.i18n import _

#: Days of the week as the file names them, Monday first (``date.weekday()`` order).
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: The highest language level (0: none ... 5: native or equivalent).
MAX_LEVEL = 5

_TAG = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$")
_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")


class CohortError(UjuziError):
    """A cohort file that cannot be read or does not follow the format (said in one line)."""


@dataclass(frozen=True)
class Slot:
    """A weekly window of availability in the person's own time zone. ``end`` is None for
    midnight at the end of the day ("24:00"); an end at or before the start runs past
    midnight into the next day."""

    day: int
    start: time
    end: time | None


@dataclass(frozen=True)
class Person:
    """What mentors and mentees share: languages (tag -> level 0-5), zone, availability."""

    id: str
    languages: Mapping[str, int]
    timezone: ZoneInfo
    availability: tuple[Slot, ...]


@dataclass(frozen=True)
class Mentor(Person):
    offers: frozenset[str]
    capacity: int


@dataclass(frozen=True)
class Mentee(Person):
    wants: frozenset[str]
    waiting_since: date


@dataclass(frozen=True)
class Cohort:
    mentors: tuple[Mentor, ...]
    mentees: tuple[Mentee, ...]
    #: Blocked pairs, each as a frozenset of the two ids (so either order blocks).
    blocks: frozenset[frozenset[str]]


def load_cohort(path: Path) -> Cohort:
    """Read and check the cohort file at ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CohortError(_("no cohort file at {path}").format(path=path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CohortError(_("cannot read the cohort file {path}: {reason}").format(
            path=path, reason=getattr(exc, "strerror", None) or exc)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CohortError(_("{path} is not JSON: line {line}, column {column}: {reason}").format(
            path=path, line=exc.lineno, column=exc.colno, reason=exc.msg)) from None
    return parse_cohort(data)


def parse_cohort(data: Any) -> Cohort:
    """Check a decoded cohort file and turn it into a :class:`Cohort`."""
    if not isinstance(data, dict):
        raise CohortError(_('the cohort file must hold a JSON object with "mentors" and '
                            '"mentees"'))
    _known(data, "", {"mentors", "mentees", "blocks"})
    mentors = tuple(_mentor(item, f"mentors[{i}]")
                    for i, item in enumerate(_list(data, "mentors", "")))
    mentees = tuple(_mentee(item, f"mentees[{i}]")
                    for i, item in enumerate(_list(data, "mentees", "")))
    for kind, people in (("mentors", mentors), ("mentees", mentees)):
        seen: set[str] = set()
        for i, person in enumerate(people):
            if person.id in seen:
                raise CohortError(_("{where}: the id {id} appears twice").format(
                    where=f"{kind}[{i}].id", id=json.dumps(person.id, ensure_ascii=False)))
            seen.add(person.id)
    everyone = {p.id for p in mentors} | {p.id for p in mentees}
    blocks: set[frozenset[str]] = set()
    raw_blocks = data.get("blocks", [])
    if not isinstance(raw_blocks, list):
        raise CohortError(_("{where}: must be a list of pairs of ids").format(where="blocks"))
    for i, pair in enumerate(raw_blocks):
        where = f"blocks[{i}]"
        if (not isinstance(pair, list) or len(pair) != 2
                or not all(isinstance(x, str) and x for x in pair)):
            raise CohortError(_("{where}: must be a pair of ids, e.g. [\"m1\", \"e7\"]").format(
                where=where))
        if pair[0] == pair[1]:
            raise CohortError(_("{where}: a person cannot be blocked with themselves").format(
                where=where))
        for person in pair:
            if person not in everyone:
                raise CohortError(_("{where}: no mentor or mentee has the id {id}").format(
                    where=where, id=json.dumps(person, ensure_ascii=False)))
        blocks.add(frozenset(pair))
    return Cohort(mentors, mentees, frozenset(blocks))


# -- the parts ------------------------------------------------------------------------------


def _mentor(item: Any, where: str) -> Mentor:
    fields = _object(item, where)
    _known(fields, where, {"id", "offers", "languages", "capacity", "timezone", "availability"})
    capacity = _require(fields, "capacity", where)
    if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 0:
        raise CohortError(_("{where}: the capacity must be a whole number, 0 or more").format(
            where=f"{where}.capacity"))
    return Mentor(
        id=_id(fields, where), languages=_languages(fields, where),
        timezone=_zone(fields, where), availability=_availability(fields, where),
        offers=_skills(fields, "offers", where), capacity=capacity)


def _mentee(item: Any, where: str) -> Mentee:
    fields = _object(item, where)
    _known(fields, where, {"id", "wants", "languages", "timezone", "availability",
                           "waiting_since"})
    wants = _skills(fields, "wants", where)
    if not wants:
        raise CohortError(_("{where}: list at least one wanted skill").format(
            where=f"{where}.wants"))
    raw = _require(fields, "waiting_since", where)
    try:
        if not isinstance(raw, str) or len(raw) != 10:
            raise ValueError(raw)
        since = date.fromisoformat(raw)
    except ValueError:
        raise CohortError(_("{where}: must be a date like 2026-10-01").format(
            where=f"{where}.waiting_since")) from None
    return Mentee(
        id=_id(fields, where), languages=_languages(fields, where),
        timezone=_zone(fields, where), availability=_availability(fields, where),
        wants=wants, waiting_since=since)


def _object(item: Any, where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise CohortError(_("{where}: must be an object").format(where=where))
    return item


def _known(fields: dict[str, Any], where: str, allowed: set[str]) -> None:
    for key in fields:
        if key not in allowed:
            raise CohortError(_("{where}: unknown field (expected one of {fields})").format(
                where=f"{where}.{key}" if where else key, fields=", ".join(sorted(allowed))))


def _require(fields: dict[str, Any], key: str, where: str) -> Any:
    if key not in fields:
        raise CohortError(_("{where}: missing").format(where=f"{where}.{key}" if where else key))
    return fields[key]


def _list(fields: dict[str, Any], key: str, where: str) -> list[Any]:
    value = _require(fields, key, where)
    if not isinstance(value, list):
        raise CohortError(_("{where}: must be a list").format(
            where=f"{where}.{key}" if where else key))
    return value


def _id(fields: dict[str, Any], where: str) -> str:
    value = _require(fields, "id", where)
    if not isinstance(value, str) or not value.strip():
        raise CohortError(_("{where}: must be a non-empty text").format(where=f"{where}.id"))
    return value


def _skills(fields: dict[str, Any], key: str, where: str) -> frozenset[str]:
    skills = _list(fields, key, where)
    for i, skill in enumerate(skills):
        if not isinstance(skill, str) or not skill.strip():
            raise CohortError(_("{where}: a skill id must be a non-empty text").format(
                where=f"{where}.{key}[{i}]"))
    return frozenset(skills)


def _languages(fields: dict[str, Any], where: str) -> dict[str, int]:
    value = _require(fields, "languages", where)
    if not isinstance(value, dict):
        raise CohortError(_("{where}: must be an object of language tags and levels, "
                            "e.g. {{\"sw\": 4}}").format(where=f"{where}.languages"))
    for tag, level in value.items():
        here = f"{where}.languages.{tag}"
        if not _TAG.match(tag):
            raise CohortError(_("{where}: not a language tag (e.g. sw, en, pt-BR)").format(
                where=here))
        if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= MAX_LEVEL:
            raise CohortError(_("{where}: the level must be 0 to 5").format(where=here))
    return dict(value)


def _zone(fields: dict[str, Any], where: str) -> ZoneInfo:
    name = _require(fields, "timezone", where)
    here = f"{where}.timezone"
    if not isinstance(name, str) or not name:
        raise CohortError(_("{where}: must be a time zone name like Africa/Nairobi").format(
            where=here))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise CohortError(_("{where}: unknown time zone {name}").format(
            where=here, name=json.dumps(name, ensure_ascii=False))) from None


def _clock(value: Any, where: str, end: bool) -> time | None:
    if end and value == "24:00":
        return None
    match = _CLOCK.match(value) if isinstance(value, str) else None
    if not match:
        raise CohortError(_("{where}: must be a time of day like 18:30").format(where=where))
    return time(int(match[1]), int(match[2]))


def _availability(fields: dict[str, Any], where: str) -> tuple[Slot, ...]:
    slots = []
    for i, raw in enumerate(_list(fields, "availability", where)):
        here = f"{where}.availability[{i}]"
        if not isinstance(raw, list) or len(raw) != 3:
            raise CohortError(_('{where}: must be [day, start, end], e.g. '
                                '["mon", "18:00", "20:00"]').format(where=here))
        day = raw[0].lower() if isinstance(raw[0], str) else raw[0]
        if day not in DAYS:
            raise CohortError(_("{where}: the day must be one of {days}").format(
                where=f"{here}[0]", days=", ".join(DAYS)))
        start = _clock(raw[1], f"{here}[1]", end=False)
        finish = _clock(raw[2], f"{here}[2]", end=True)
        if start == finish:
            raise CohortError(_("{where}: the window starts and ends at the same time").format(
                where=here))
        assert start is not None  # only an end may be "24:00"
        slots.append(Slot(DAYS.index(day), start, finish))
    return tuple(slots)

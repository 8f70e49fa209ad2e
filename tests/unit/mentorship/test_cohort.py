"""The cohort file: what it accepts, and one clear line for each kind of mistake."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest

from app.i18n import set_language
from app.mentorship.cohort import CohortError, load_cohort, parse_cohort
from tests.unit.mentorship.cohorts import mentee, mentor


@pytest.fixture(autouse=True)
def _english() -> None:
    set_language("en")


def valid() -> dict[str, Any]:
    return {"mentors": [mentor("m0", ["wiki"]), mentor("m1", ["commons"], capacity=3)],
            "mentees": [mentee(f"e{i}", ["wiki"]) for i in range(4)],
            "blocks": [["m0", "e1"]]}


def test_a_valid_cohort_is_read_whole() -> None:
    data = valid()
    data["mentors"][1]["availability"] = [["FRI", "22:00", "01:00"], ["sat", "20:00", "24:00"]]
    data["mentees"][0]["languages"] = {"sw-KE": 4, "en": 0}
    cohort = parse_cohort(data)
    assert [m.id for m in cohort.mentors] == ["m0", "m1"]
    assert cohort.mentors[1].capacity == 3 and cohort.mentors[1].offers == {"commons"}
    slots = cohort.mentors[1].availability
    assert (slots[0].day, slots[0].start, slots[0].end) == (4, time(22), time(1))
    assert (slots[1].day, slots[1].end) == (5, None)
    assert cohort.mentees[0].languages == {"sw-KE": 4, "en": 0}
    assert cohort.mentees[0].waiting_since == date(2026, 11, 1)
    assert cohort.blocks == {frozenset({"m0", "e1"})}
    assert parse_cohort({"mentors": [], "mentees": []}).blocks == frozenset()


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is _DELETE:
            del node[last]
        else:
            node[int(last) if last.isdigit() else last] = value
    return change


_DELETE = object()

MISTAKES = [
    (_set("mentees/3/languages/sw", 6), "mentees[3].languages.sw: the level must be 0 to 5"),
    (_set("mentees/3/languages/sw", True), "mentees[3].languages.sw: the level must be 0 to 5"),
    (_set("mentees/0/languages/sw", "4"), "mentees[0].languages.sw: the level must be 0 to 5"),
    (_set("mentors/1/languages", {"swahili!": 3}),
     "mentors[1].languages.swahili!: not a language tag (e.g. sw, en, pt-BR)"),
    (_set("mentors/1/languages", ["sw"]), "mentors[1].languages: must be an object of language "
                                          "tags and levels, e.g. {\"sw\": 4}"),
    (_set("mentors/0/capacity", -1), "mentors[0].capacity: the capacity must be a whole number, "
                                     "0 or more"),
    (_set("mentors/0/capacity", 1.5), "mentors[0].capacity: the capacity must be a whole "
                                      "number, 0 or more"),
    (_set("mentors/0/capacity", _DELETE), "mentors[0].capacity: missing"),
    (_set("mentors/0/capasity", 2), "mentors[0].capasity: unknown field (expected one of "
                                    "availability, capacity, id, languages, offers, timezone)"),
    (_set("mentors/1/timezone", "Mars/Olympus"), 'mentors[1].timezone: unknown time zone '
                                                 '"Mars/Olympus"'),
    (_set("mentors/1/timezone", "../../etc/passwd"), 'mentors[1].timezone: unknown time zone '
                                                     '"../../etc/passwd"'),
    (_set("mentees/2/availability/0", ["monday", "18:00", "20:00"]),
     "mentees[2].availability[0][0]: the day must be one of mon, tue, wed, thu, fri, sat, sun"),
    (_set("mentees/2/availability/0", ["mon", "25:00", "20:00"]),
     "mentees[2].availability[0][1]: must be a time of day like 18:30"),
    (_set("mentees/2/availability/0", ["mon", "18:00", "24:00"]), None),
    (_set("mentees/2/availability/0", ["mon", "24:00", "02:00"]),
     "mentees[2].availability[0][1]: must be a time of day like 18:30"),
    (_set("mentees/2/availability/0", ["mon", "18:00", "18:00"]),
     "mentees[2].availability[0]: the window starts and ends at the same time"),
    (_set("mentees/2/availability/0", ["mon", "18:00"]),
     'mentees[2].availability[0]: must be [day, start, end], e.g. ["mon", "18:00", "20:00"]'),
    (_set("mentees/1/waiting_since", "01/10/2026"),
     "mentees[1].waiting_since: must be a date like 2026-10-01"),
    (_set("mentees/1/wants", []), "mentees[1].wants: list at least one wanted skill"),
    (_set("mentees/1/wants", ["wiki", 3]), "mentees[1].wants[1]: a skill id must be a "
                                           "non-empty text"),
    (_set("mentors/0/offers", "wiki"), "mentors[0].offers: must be a list"),
    (_set("mentees/1/id", "e0"), 'mentees[1].id: the id "e0" appears twice'),
    (_set("mentees/1/id", ""), "mentees[1].id: must be a non-empty text"),
    (_set("blocks/0", ["m0", "nobody"]), 'blocks[0]: no mentor or mentee has the id "nobody"'),
    (_set("blocks/0", ["m0"]), 'blocks[0]: must be a pair of ids, e.g. ["m1", "e7"]'),
    (_set("blocks/0", ["e1", "e1"]), "blocks[0]: a person cannot be blocked with themselves"),
    (_set("mentees", {}), "mentees: must be a list"),
    (_set("mentors", _DELETE), "mentors: missing"),
    (_set("mentees/0", "e0"), "mentees[0]: must be an object"),
    (_set("extra", 1), "extra: unknown field (expected one of blocks, mentees, mentors)"),
]


@pytest.mark.parametrize(("change", "message"), MISTAKES)
def test_each_mistake_is_named_in_one_line(change: Callable[[dict[str, Any]], None],
                                           message: str | None) -> None:
    data = copy.deepcopy(valid())
    change(data)
    if message is None:
        parse_cohort(data)
        return
    with pytest.raises(CohortError) as caught:
        parse_cohort(data)
    assert str(caught.value) == message


def test_a_file_that_is_not_a_cohort(tmp_path: Path) -> None:
    path = tmp_path / "cohort.json"
    with pytest.raises(CohortError, match=r"^no cohort file at "):
        load_cohort(path)
    path.write_text('{"mentors": [,]}', encoding="utf-8")
    with pytest.raises(CohortError) as caught:
        load_cohort(path)
    assert str(caught.value) == f"{path} is not JSON: line 1, column 14: Expecting value"
    path.write_bytes(b"\xff\xfe{}")
    with pytest.raises(CohortError, match=r"^cannot read the cohort file "):
        load_cohort(path)
    path.write_text(json.dumps([1, 2]), encoding="utf-8")
    with pytest.raises(CohortError) as caught:
        load_cohort(path)
    assert str(caught.value) == ('the cohort file must hold a JSON object with "mentors" '
                                 'and "mentees"')
    path.write_text(json.dumps(valid()), encoding="utf-8")
    assert len(load_cohort(path).mentees) == 4

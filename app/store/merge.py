"""How two copies of one learner's record become one: the merge rules of every record type,
shared by the client (app/sync) and the hub (app/hub) so that both compute the same result.

A record travels as its whole state (a JSON object), never as a diff::

    {"type": "note", "id": "<uuid>", "deleted": false, "data": {...}, ...type's own fields}

Each type's :meth:`Rule.merge` is commutative, associative and idempotent (a join), so
replicas that have seen the same states hold the same record, whatever the order in which
the states arrived and however often: a replayed push or pull changes nothing. No rule reads
a device's clock. Where order matters, states carry a *Lamport clock* ``[count, device]``
(every device counts past the highest count it has seen, so a change made after seeing
another is ordered after it; the device id breaks ties) or *version vectors* (``{device:
counter}``: which edits a version has seen, so that edits made without seeing each other
are recognised as concurrent).

- ``profile``: its name is a register; the later change by Lamport clock wins.
- ``progress`` (one per resource, ``id`` is the resource id): completion never goes back
  (``completed`` is or-ed, the first ``completed_at`` kept); the resume position and when it
  was opened are those of the latest session by Lamport clock.
- ``quiz_attempt``: attempts never change; the merge is their union (same id, same attempt).
- ``note``: a multi-value register. Each version carries a version vector; an edit replaces
  every version it has seen. Concurrent edits stay side by side (a conflict, shown to the
  learner, who keeps one or merges them with an edit that has seen both).

A deletion is final for every type: a deleted record stays deleted, whatever edit arrives
(older or concurrent), and keeps no text (a tombstone).

Mentorship's types (docs/mentorship.md, "On the hub"):

- ``mentor_profile`` (id ``"me"``), ``private_note``, ``notes_key``: registers by Lamport
  clock, like ``profile``.
- ``mentor_action``: immutable, like ``quiz_attempt``.
- ``relationship``: written by the hub only; a register by ``data.version`` (a hub counter:
  the higher version wins).
- ``goal``: per-field registers. ``data`` is ``{"relationship": id}``; the record carries
  ``fields: {name: {"v": value, "clock": [count, device]}}`` and ``tasks: {task_id: {name:
  {"v": value, "clock": [...]}}}``; each field (of the goal, of each task) keeps the value
  of its later clock, so two people editing different fields both keep their edit.
- ``shared_note``: like ``note`` (versions with version vectors; conflicts kept).

New types register a :class:`Rule` in :data:`RULES`; the wire format and the protocol stay
the same.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

State = dict[str, Any]
Clock = tuple[int, str]
VersionVector = dict[str, int]


# -- clocks and version vectors -----------------------------------------------------------


def clock_of(value: Any) -> Clock:
    """A Lamport clock from its JSON form ``[count, device]`` (missing: the least)."""
    if not value:
        return (0, "")
    return (int(value[0]), str(value[1]))


def later(a: Any, b: Any) -> bool:
    """Whether clock ``a`` is after clock ``b``."""
    return clock_of(a) > clock_of(b)


def dominates(a: Mapping[str, int], b: Mapping[str, int]) -> bool:
    """Whether version vector ``a`` has seen everything ``b`` has (``a >= b``)."""
    return all(a.get(device, 0) >= counter for device, counter in b.items())


def join(*vectors: Mapping[str, int]) -> VersionVector:
    """The least version vector that has seen all of ``vectors``."""
    joined: VersionVector = {}
    for vector in vectors:
        for device, counter in vector.items():
            joined[device] = max(joined.get(device, 0), int(counter))
    return joined


# -- rules ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """The merge of two states of one record type, and what its tombstone keeps."""

    merge_live: Callable[[State, State], State]
    #: The fields of ``data`` a tombstone keeps (the rest, text included, is dropped).
    tombstone_keeps: tuple[str, ...] = ()


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _register(a: State, b: State) -> State:
    """The state with the later clock (``clock``); equal clocks: the same change."""
    if later(b.get("clock"), a.get("clock")):
        return b
    if later(a.get("clock"), b.get("clock")):
        return a
    return min(a, b, key=_canonical)  # the same change seen twice; deterministic anyway


def _progress(a: State, b: State) -> State:
    newer = _register(a, b)
    data_a, data_b = a.get("data", {}), b.get("data", {})
    data = dict(newer.get("data", {}))
    data["completed"] = bool(data_a.get("completed")) or bool(data_b.get("completed"))
    finished = [when for when in (data_a.get("completed_at"), data_b.get("completed_at"))
                if when]
    data["completed_at"] = min(finished) if finished else None
    return {**newer, "data": data}


def _immutable(a: State, b: State) -> State:
    return min(a, b, key=_canonical)


def _note(a: State, b: State) -> State:
    """Union of the versions, without those another version has seen."""
    versions: dict[str, dict[str, Any]] = {}
    for version in [*a.get("versions", []), *b.get("versions", [])]:
        # One edit has one version vector; should two texts ever claim the same one (a
        # device whose counter went back), the same one is kept whatever the order.
        key = _canonical(version["vv"])
        if key not in versions or _canonical(version) < _canonical(versions[key]):
            versions[key] = version
    kept = [
        version for key, version in versions.items()
        if not any(other_key != key and dominates(other["vv"], version["vv"])
                   for other_key, other in versions.items())
    ]
    kept.sort(key=lambda version: _canonical(version["vv"]))
    base = _immutable(a, b)
    return {**base, "versions": kept}


def _version_of(state: State) -> int:
    version = state.get("data", {}).get("version", 0)
    return version if isinstance(version, int) and not isinstance(version, bool) else 0


def _by_version(a: State, b: State) -> State:
    """The state with the higher ``data.version``; equal versions: deterministic."""
    if _version_of(a) != _version_of(b):
        return a if _version_of(a) > _version_of(b) else b
    return min(a, b, key=_canonical)


def _field(a: Any, b: Any) -> Any:
    """One field register ``{"v": value, "clock": [count, device]}``: the later clock."""
    if not isinstance(a, dict) or not isinstance(b, dict):
        return a if isinstance(a, dict) else b
    if later(b.get("clock"), a.get("clock")):
        return b
    if later(a.get("clock"), b.get("clock")):
        return a
    return min(a, b, key=_canonical)


def _fields(a: Any, b: Any) -> dict[str, Any]:
    a = a if isinstance(a, dict) else {}
    b = b if isinstance(b, dict) else {}
    return {name: _field(a[name], b[name]) if name in a and name in b
            else a.get(name, b.get(name)) for name in sorted({*a, *b})}


def _goal(a: State, b: State) -> State:
    """Each field of the goal and of each of its tasks merged as its own register."""
    tasks_a = a.get("tasks") if isinstance(a.get("tasks"), dict) else {}
    tasks_b = b.get("tasks") if isinstance(b.get("tasks"), dict) else {}
    assert isinstance(tasks_a, dict) and isinstance(tasks_b, dict)
    tasks = {task: _fields(tasks_a.get(task), tasks_b.get(task))
             for task in sorted({*tasks_a, *tasks_b})}
    base = _immutable(a, b)
    data = max(a.get("data", {}), b.get("data", {}), key=_moved)
    return {**base, "data": data, "fields": _fields(a.get("fields"), b.get("fields")),
            "tasks": tasks}


def _moved(data: Any) -> tuple[int, str]:
    """A goal's ``data`` ordered by ``moved`` (the hub counts the goal's moves to a new
    relationship at a hand-over), then deterministically."""
    if not isinstance(data, dict):
        return (-1, "")
    moved = data.get("moved", 0)
    count = moved if isinstance(moved, int) and not isinstance(moved, bool) else 0
    return (count, _canonical(data))


RULES: dict[str, Rule] = {
    "profile": Rule(_register, tombstone_keeps=()),
    "progress": Rule(_progress, tombstone_keeps=("resource_id",)),
    "quiz_attempt": Rule(_immutable, tombstone_keeps=("resource_id",)),
    "note": Rule(_note, tombstone_keeps=("resource_id",)),
    # Mentorship (docs/mentorship.md).
    "mentor_profile": Rule(_register, tombstone_keeps=()),
    "mentor_action": Rule(_immutable, tombstone_keeps=("action", "relationship")),
    "relationship": Rule(_by_version, tombstone_keeps=("mentor", "mentee")),
    "goal": Rule(_goal, tombstone_keeps=("relationship", "moved")),
    "shared_note": Rule(_note, tombstone_keeps=("relationship",)),
    "private_note": Rule(_register, tombstone_keeps=("relationship",)),
    "notes_key": Rule(_register, tombstone_keeps=()),
    "badge": Rule(_immutable, tombstone_keeps=()),  # written by the hub only (app/hub/badges)
}


class UnknownRecordType(ValueError):
    """A record of a type this version does not know."""


def tombstone(state: State) -> State:
    """The deleted form of ``state``: its type, id and the data its rule keeps; no text."""
    rule = _rule(state["type"])
    data = state.get("data", {})
    return {"type": state["type"], "id": state["id"], "deleted": True,
            "data": {key: data[key] for key in rule.tombstone_keeps if key in data}}


def merge(a: State, b: State) -> State:
    """The one state that both ``a`` and ``b`` become (same type and id)."""
    if a["type"] != b["type"] or a["id"] != b["id"]:
        raise ValueError("only two states of one record merge")
    if a.get("deleted") or b.get("deleted"):
        stones = [tombstone(state) for state in (a, b) if state.get("deleted")]
        return min(stones, key=_canonical)
    merged = _rule(a["type"]).merge_live(a, b)
    return {**merged, "deleted": False}


def _rule(record_type: str) -> Rule:
    try:
        return RULES[record_type]
    except KeyError:
        raise UnknownRecordType(f"unknown record type {record_type!r}") from None


# -- local edits ----------------------------------------------------------------------------


def tick(seen: int) -> int:
    """The next Lamport count of a device whose highest count seen so far is ``seen``."""
    return seen + 1


def note_versions_after_edit(
    state: State | None, device: str, counter: int, body: str
) -> list[dict[str, Any]]:
    """The versions of a note after this device edits it to ``body``: one version that has
    seen every version it replaces (so it settles a conflict too)."""
    seen = join(*(version["vv"] for version in (state or {}).get("versions", [])))
    seen[device] = max(seen.get(device, 0), counter)
    return [{"vv": seen, "body": body}]


def in_conflict(state: State) -> bool:
    """Whether a note holds concurrent versions the learner has not settled."""
    return not state.get("deleted") and len(state.get("versions", [])) > 1

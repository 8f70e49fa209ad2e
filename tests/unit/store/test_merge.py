"""The merge rules of records (app/store/merge.py): a join, so replicas converge in any order."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.store.merge import (
    dominates,
    in_conflict,
    join,
    merge,
    note_versions_after_edit,
    tombstone,
)

DEVICES = ("a", "b", "c")


def note(versions: list[dict[str, Any]], deleted: bool = False) -> dict[str, Any]:
    state = {"type": "note", "id": "n1", "deleted": deleted,
             "data": {"resource_id": "p/r", "created_at": "2026-01-01"}, "versions": versions}
    return tombstone(state) if deleted else state


def progress(clock: tuple[int, str], position: float, completed: bool = False,
             completed_at: str | None = None) -> dict[str, Any]:
    return {"type": "progress", "id": "p/r", "deleted": False, "clock": list(clock),
            "data": {"resource_id": "p/r", "position": position, "completed": completed,
                     "completed_at": completed_at}}


def test_concurrent_note_edits_are_both_kept_and_an_edit_that_saw_both_settles_them() -> None:
    base = note(note_versions_after_edit(None, "a", 1, "first"))
    on_a = note(note_versions_after_edit(base, "a", 2, "edited on a"))
    on_b = note(note_versions_after_edit(base, "b", 1, "edited on b"))
    both = merge(on_a, on_b)
    assert in_conflict(both)
    assert sorted(v["body"] for v in both["versions"]) == ["edited on a", "edited on b"]
    assert merge(on_a, base) == merge(base, on_a) and not in_conflict(merge(on_a, base))
    settled = note(note_versions_after_edit(both, "c", 1, "merged by hand"))
    assert not in_conflict(merge(both, settled))
    assert merge(merge(on_a, settled), on_b)["versions"] == settled["versions"]


def test_a_deletion_is_final_and_keeps_no_text() -> None:
    base = note(note_versions_after_edit(None, "a", 1, "secret words"))
    later_edit = note(note_versions_after_edit(base, "b", 5, "edited after"))
    deleted = note([], deleted=True)
    for merged in (merge(deleted, later_edit), merge(later_edit, deleted)):
        assert merged["deleted"] is True
        assert "secret" not in repr(merged) and "edited" not in repr(merged)


def test_progress_never_goes_back_and_resumes_at_the_latest_session() -> None:
    finished_early = progress((3, "a"), 80.0, completed=True, completed_at="2026-01-02")
    later_session = progress((7, "b"), 12.5)
    merged = merge(finished_early, later_session)
    assert merged["data"]["completed"] is True
    assert merged["data"]["completed_at"] == "2026-01-02"
    assert merged["data"]["position"] == 12.5
    assert merge(later_session, finished_early) == merged


def test_version_vectors() -> None:
    assert dominates({"a": 2, "b": 1}, {"a": 1})
    assert not dominates({"a": 2}, {"b": 1})
    assert join({"a": 2}, {"a": 1, "b": 3}) == {"a": 2, "b": 3}


# A random history: devices edit, delete or learn each other's states, then every replica
# merges everything in its own order.
operations = st.lists(
    st.tuples(st.sampled_from(DEVICES), st.sampled_from(["edit", "delete", "learn"]),
              st.sampled_from(DEVICES)),
    min_size=1, max_size=25)


@settings(max_examples=200, deadline=None)
@given(operations, st.randoms(use_true_random=False))
def test_notes_converge_in_any_order_and_no_deleted_note_returns(
    history: list[tuple[str, str, str]], rng: Any,
) -> None:
    replicas: dict[str, dict[str, Any] | None] = dict.fromkeys(DEVICES)
    counters = dict.fromkeys(DEVICES, 0)
    produced: list[dict[str, Any]] = []
    for device, action, other in history:
        current = replicas[device]
        if action == "learn":
            theirs = replicas[other]
            if theirs is not None:
                replicas[device] = theirs if current is None else merge(current, theirs)
            continue
        counters[device] += 1
        if action == "edit":
            state = note(note_versions_after_edit(current, device, counters[device],
                                                  f"{device}{counters[device]}"))
        else:
            state = note([], deleted=True)
        replicas[device] = state if current is None else merge(current, state)
        produced.append(replicas[device])
    if not produced:
        return
    results = []
    for _ in range(3):
        order = produced[:]
        rng.shuffle(order)
        merged = order[0]
        for state in order[1:]:
            merged = merge(merged, state)
            assert merge(merged, state) == merged  # idempotent
        results.append(merged)
    assert all(result == results[0] for result in results)
    if any(state["deleted"] for state in produced):
        assert results[0]["deleted"] is True
    for left, right in itertools.combinations(produced[:6], 2):
        assert merge(left, right) == merge(right, left)


# -- mentorship's types: each rule is a join (commutative, associative, idempotent) ----------

clocks = st.tuples(st.integers(0, 4), st.sampled_from(DEVICES)).map(list)
small_values = st.one_of(st.none(), st.booleans(), st.integers(0, 3), st.sampled_from(["x", "y"]))


def _register_state(record_type: str, data: dict[str, Any]) -> Any:
    return st.builds(lambda clock, value, deleted: {
        "type": record_type, "id": "r1", "deleted": deleted, "clock": clock,
        "data": {**data, "value": value}}, clocks, small_values, st.booleans())


field_registers = st.dictionaries(
    st.sampled_from(["title", "due", "links", "done"]),
    st.builds(lambda v, clock: {"v": v, "clock": clock}, small_values, clocks), max_size=3)

goals = st.builds(lambda fields, tasks, deleted, moved: {
    "type": "goal", "id": "g1", "deleted": deleted,
    "data": {"relationship": f"rel{moved}", "moved": moved}, "fields": fields, "tasks": tasks},
    field_registers, st.dictionaries(st.sampled_from(["t1", "t2", "t3"]), field_registers,
                                     max_size=3),
    st.booleans(), st.integers(0, 2))

relationships = st.builds(lambda version, state, deleted: {
    "type": "relationship", "id": "rel1", "deleted": deleted,
    "data": {"mentor": "amina", "mentee": "baraka", "version": version, "state": state,
             "audit": []}},
    st.integers(0, 4), st.sampled_from(["pending", "active", "declined"]), st.booleans())

actions = st.builds(lambda action, deleted: {
    "type": "mentor_action", "id": "a1", "deleted": deleted,
    "data": {"action": action, "relationship": "rel1", "peer": None}},
    st.sampled_from(["request", "accept", "block"]), st.booleans())

shared_notes = st.builds(lambda versions, deleted: {
    "type": "shared_note", "id": "s1", "deleted": deleted, "data": {"relationship": "rel1"},
    "versions": versions},
    st.lists(st.builds(lambda vv, body: {"vv": vv, "body": body},
                       st.dictionaries(st.sampled_from(DEVICES), st.integers(1, 3),
                                       min_size=1),
                       st.sampled_from(["p", "q"])), max_size=3),
    st.booleans())

MENTORSHIP_STATES = {
    "mentor_profile": _register_state("mentor_profile", {"capacity": 2}),
    "private_note": _register_state("private_note", {"relationship": "rel1"}),
    "notes_key": _register_state("notes_key", {}),
    "mentor_action": actions,
    "relationship": relationships,
    "goal": goals,
    "shared_note": shared_notes,
}


def _normal(state: dict[str, Any]) -> dict[str, Any]:
    """A pushed state as a replica holds it (merged with itself: a tombstone loses text)."""
    return merge(state, state)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(MENTORSHIP_STATES)), st.data())
def test_every_mentorship_rule_is_a_join(record_type: str, data: Any) -> None:
    strategy = MENTORSHIP_STATES[record_type]
    a, b, c = (_normal(data.draw(strategy)) for _ in range(3))
    assert merge(a, b) == merge(b, a)
    assert merge(merge(a, b), c) == merge(a, merge(b, c))
    assert merge(a, a) == a
    assert merge(merge(a, b), b) == merge(a, b)


def test_two_texts_claiming_one_version_vector_merge_the_same_in_either_order() -> None:
    """A device whose counter went back could give two texts one version vector: the merge
    keeps the same one whichever arrives first (Hypothesis found the order mattered)."""
    for record_type in ("note", "shared_note"):
        a = {"type": record_type, "id": "s1", "deleted": False, "data": {},
             "versions": [{"vv": {"a": 1}, "body": "p"}]}
        b = {**a, "versions": [{"vv": {"a": 1}, "body": "q"}]}
        assert merge(a, b) == merge(b, a)
        assert merge(merge(a, b), a) == merge(a, b)


def test_a_relationship_keeps_the_hub_s_higher_version() -> None:
    older = {"type": "relationship", "id": "r", "deleted": False,
             "data": {"version": 2, "state": "pending"}}
    newer = {"type": "relationship", "id": "r", "deleted": False,
             "data": {"version": 3, "state": "active"}}
    assert merge(older, newer)["data"]["state"] == "active"
    assert merge(newer, older)["data"]["state"] == "active"


def test_goal_edits_to_different_fields_and_tasks_are_both_kept() -> None:
    base = {"type": "goal", "id": "g", "deleted": False, "data": {"relationship": "r"},
            "fields": {"title": {"v": "Edit 5 articles", "clock": [1, "a"]}},
            "tasks": {"t1": {"title": {"v": "Sandbox", "clock": [1, "a"]},
                             "done": {"v": False, "clock": [1, "a"]}}}}
    mentor = {**base, "fields": {"title": {"v": "Edit 10 articles", "clock": [2, "a"]}}}
    mentee = {**base, "tasks": {"t1": {**base["tasks"]["t1"],
                                       "done": {"v": True, "clock": [2, "b"]}}}}
    merged = merge(mentor, mentee)
    assert merged["fields"]["title"]["v"] == "Edit 10 articles"
    assert merged["tasks"]["t1"]["done"]["v"] is True
    assert merged["tasks"]["t1"]["title"]["v"] == "Sandbox"
    moved = {**base, "data": {"relationship": "r2", "moved": 1}}
    assert merge(mentee, moved)["data"]["relationship"] == "r2"
    assert merge(moved, mentee)["tasks"]["t1"]["done"]["v"] is True
    gone = merge(merged, {**base, "deleted": True})
    assert gone["deleted"] is True and gone["data"] == {"relationship": "r"}
    assert "Sandbox" not in repr(gone)

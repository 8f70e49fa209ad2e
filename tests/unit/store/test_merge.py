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

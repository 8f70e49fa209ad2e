"""Records of every type, as a client pushes them, for the hub's sync tests."""

from __future__ import annotations

from typing import Any

State = dict[str, Any]


def profile(record_id: str, name: str, count: int = 1, device: str = "dev-a") -> State:
    return {"type": "profile", "id": record_id, "deleted": False, "clock": [count, device],
            "data": {"name": name}}


def progress(resource: str, position: float, count: int = 1, device: str = "dev-a",
             completed: bool = False) -> State:
    return {"type": "progress", "id": resource, "deleted": False, "clock": [count, device],
            "data": {"resource_id": resource, "position": position, "completed": completed,
                     "completed_at": "2026-12-06T10:00:00Z" if completed else None}}


def attempt(record_id: str, resource: str, score: float) -> State:
    return {"type": "quiz_attempt", "id": record_id, "deleted": False,
            "data": {"resource_id": resource, "score": score,
                     "answers": [{"question": "q1", "answer": "a"}]}}


def note(record_id: str, body: str, vv: dict[str, int], resource: str = "org.x/intro",
         deleted: bool = False) -> State:
    state: State = {"type": "note", "id": record_id, "deleted": deleted,
                    "data": {"resource_id": resource, "created_at": "2026-12-06T10:00:00Z",
                             "at_seconds": None},
                    "versions": [] if deleted else [{"vv": vv, "body": body}]}
    return state


def every_type(marker: str) -> list[State]:
    """One record of each type, each carrying ``marker`` in its id and text."""
    return [
        profile(f"profile-{marker}", f"name {marker}"),
        progress(f"org.{marker}/res", 12.5, completed=True),
        attempt(f"attempt-{marker}", f"org.{marker}/quiz", 0.75),
        note(f"note-{marker}", f"text {marker}", {"dev-a": 1}),
    ]


def changes(states: list[State], first: int = 1) -> list[dict[str, Any]]:
    return [{"counter": first + index, "record": state} for index, state in enumerate(states)]

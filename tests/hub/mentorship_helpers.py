"""Mentorship records as a client pushes them, for the hub's mentorship tests."""

from __future__ import annotations

import uuid
from typing import Any

State = dict[str, Any]


def mentor_profile(count: int = 1, device: str = "dev-a", **fields: Any) -> State:
    data: dict[str, Any] = {
        "offers": [], "wants": [], "languages": {"sw": 5, "en": 4},
        "timezone": "Africa/Nairobi", "availability": [["mon", "18:00", "20:00"]],
        "capacity": 0, "looking": False, "mentoring": False, "auto_accept": False,
        "away_until": None, "backup_mentor": None, "bio": ""}
    data.update(fields)
    return {"type": "mentor_profile", "id": "me", "deleted": False,
            "clock": [count, device], "data": data}


def action(what: str, relationship: str | None = None, peer: str | None = None,
           to: str | None = None, reason: str = "", share_progress: bool = True,
           action_id: str | None = None) -> State:
    return {"type": "mentor_action", "id": action_id or str(uuid.uuid4()), "deleted": False,
            "data": {"action": what, "relationship": relationship, "peer": peer, "to": to,
                     "message": "", "reason": reason, "share_progress": share_progress}}


def goal(goal_id: str, relationship: str, title: str, count: int = 1,
         device: str = "dev-a", pack: str | None = None) -> State:
    fields: dict[str, Any] = {"title": {"v": title, "clock": [count, device]}}
    if pack is not None:
        fields["links"] = {"v": [["pack", pack]], "clock": [count, device]}
    return {"type": "goal", "id": goal_id, "deleted": False,
            "data": {"relationship": relationship}, "fields": fields,
            "tasks": {"t1": {"title": {"v": "first task", "clock": [count, device]},
                             "done": {"v": False, "clock": [count, device]}}}}


def shared_note(note_id: str, relationship: str, body: str, device: str = "dev-a",
                counter: int = 1) -> State:
    return {"type": "shared_note", "id": note_id, "deleted": False,
            "data": {"relationship": relationship, "created_at": "2026-12-06T10:00:00Z"},
            "versions": [{"vv": {device: counter}, "body": body}]}


def private_note(note_id: str, relationship: str) -> State:
    return {"type": "private_note", "id": note_id, "deleted": False, "clock": [1, "dev-a"],
            "data": {"relationship": relationship, "key_id": "k1", "nonce": "AAAAAAAAAAAAAAAA",
                     "ciphertext": "c2VjcmV0IGJ5dGVz"}}


class Person:
    """A signed-in account on a running hub that pushes from its own device, counting its
    changes, and reads its relationships as its pulls bring them."""

    def __init__(self, learner: Any, name: str, device: str = "dev-a") -> None:
        self.learner = learner
        self.name = name
        self.device = device
        self.counter = 0

    def push(self, *states: State, device: str | None = None) -> Any:
        response = self.learner.push(list(states), device=device or self.device,
                                     first=self.counter + 1)
        if response.status_code == 200:
            self.counter += len(states)
        return response

    def ok(self, *states: State) -> None:
        response = self.push(*states)
        assert response.status_code == 200, response.text

    def records(self, record_type: str | None = None) -> list[State]:
        pulled = [entry["record"] for entry in self.learner.pull()]
        return [r for r in pulled if record_type is None or r["type"] == record_type]

    def relationship(self, relationship_id: str) -> State:
        found = [r for r in self.records("relationship") if r["id"] == relationship_id]
        assert found, f"{self.name} does not see {relationship_id}"
        data: State = found[-1]["data"]
        return data

    def get(self, path: str, **params: Any) -> Any:
        return self.learner.session.get(f"{self.learner.url}{path}", params=params, timeout=60)

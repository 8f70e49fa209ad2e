"""Records of every type, as a client pushes them, and a learner pushing and pulling them
over HTTP, for the hub's sync tests."""

from __future__ import annotations

from typing import Any

import requests

from tests.hubs import RunningHub

State = dict[str, Any]
PASSWORD = "a long password"


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


class Learner:
    """A signed-in account on a running hub, pushing and pulling over HTTP."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.token = token
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    @classmethod
    def add(cls, hub: RunningHub, name: str, role: str = "learner") -> Learner:
        """Add the account on ``hub`` and sign it in."""
        hub.add_user(name, role, PASSWORD)
        login = requests.post(f"{hub.url}/api/v1/auth/login", timeout=60, json={
            "user": name, "password": PASSWORD, "device": "tests"})
        assert login.status_code == 200, login.text
        return cls(hub.url, login.json()["token"])

    def push(self, states: list[dict[str, Any]], device: str = "dev-a", first: int = 1,
             **extra: Any) -> requests.Response:
        return self.session.post(f"{self.url}/api/v1/sync/push", timeout=60, json={
            "device": device, "changes": changes(states, first), **extra})

    def page(self, since: int = 0, limit: int = 500, **params: Any) -> requests.Response:
        return self.session.get(f"{self.url}/api/v1/sync/pull", timeout=60,
                                params={"since": since, "limit": limit, **params})

    def pull(self, since: int = 0, limit: int = 500) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        while True:
            response = self.page(since, limit)
            assert response.status_code == 200, response.text
            body = response.json()
            found.extend(body["records"])
            since = body["cursor"]
            if not body["more"]:
                return found

"""A hub told its upstream (``ujuzi hub serve --upstream URL``; ``hub forward`` names it
too) decides no mentorship action; ``--no-upstream`` makes it decide again. A real hub
process; the upstream itself need not answer, since nothing is forwarded here."""

from __future__ import annotations

import uuid
from pathlib import Path

import requests

from tests.hub.mentorship_helpers import Person, action, mentor_profile
from tests.hub.sync_helpers import PASSWORD, Learner
from tests.hubs import RunningHub, start_hub

CENTRAL = "http://central.example.org:8470"


def _person(hub: RunningHub, name: str, device: str) -> Person:
    login = requests.post(f"{hub.url}/api/v1/auth/login", timeout=60, json={
        "user": name, "password": PASSWORD, "device": device})
    assert login.status_code == 200, login.text
    return Person(Learner(hub.url, login.json()["token"]), name, device)


def test_serve_with_an_upstream_defers_and_without_decides_again(tmp_path: Path) -> None:
    home = tmp_path / "laptop"
    hub = start_hub(home, options=("--upstream", CENTRAL + "/"))
    try:
        for name in ("amina", "juma", "baraka"):
            hub.add_user(name, "learner", PASSWORD)
        mentors = [_person(hub, name, f"{name}-pc") for name in ("amina", "juma")]
        for mentor in mentors:
            mentor.ok(mentor_profile(offers=["wiki-editing"], capacity=2, mentoring=True,
                                     auto_accept=True))
        baraka = _person(hub, "baraka", "baraka-pc")
        deferred = str(uuid.uuid4())
        baraka.ok(action("request", relationship=deferred, peer="amina"))
        shown = baraka.relationship(deferred)
        assert (shown["state"], shown["upstream"], shown["version"], shown["audit"]) == (
            "pending", True, 0, [])
        assert [r["id"] for r in mentors[0].records("relationship")] == []
        # An action on it is kept for the central hub, not decided here.
        baraka.ok(action("cancel", relationship=deferred))
        assert baraka.relationship(deferred)["state"] == "pending"
        listed = hub.cli("mentor", "match", "--all", check=False)
        assert listed.returncode == 5
        assert listed.stderr.strip().splitlines()[-1].endswith(
            f"This hub leaves mentorship decisions to its upstream hub {CENTRAL}: match "
            "there, or here with --dry-run.")
    finally:
        hub.stop()

    hub = start_hub(home, options=("--no-upstream",))
    try:
        baraka = _person(hub, "baraka", "baraka-pc-2")
        decided = str(uuid.uuid4())
        baraka.ok(action("request", relationship=decided, peer="juma"))
        assert baraka.relationship(decided)["state"] == "active"
    finally:
        hub.stop()


"""Mentorship's records and routes against the authorisation matrix (in-process app, SQLite
in tmp_path): a space's records reach its parties only, a private note reaches its author
only, on every route and on the sync feed, whatever the caller's role; and expiry follows
hub time."""

from __future__ import annotations

import re
import uuid
from typing import Any

from app.hub import db, mentorship, records
from app.hub.server import route_keys
from tests.hub.conftest import ROLES, LocalHub
from tests.hub.mentorship_helpers import action, goal, mentor_profile, private_note, shared_note
from tests.hub.sync_helpers import changes

PUSH, PULL = "/api/v1/sync/push", "/api/v1/sync/pull"
SECRET = "c2VjcmV0IGJ5dGVz"  # the private note's ciphertext (base64)
MARKER = "zq7space"


def push(hub: LocalHub, headers: dict[str, str], states: list[dict[str, Any]],
         first: int, device: str = "dev-a") -> Any:
    response = hub.client.post(PUSH, headers=headers, json={
        "device": device, "changes": changes(states, first)})
    assert response.status_code == 200, response.text
    return response


def test_no_mentorship_record_reaches_anyone_it_is_not_for_on_any_route(
        local_hub: LocalHub) -> None:
    amina = local_hub.account("amina", "mentor")
    baraka = local_hub.account("baraka", "learner")
    push(local_hub, amina, [mentor_profile(offers=["wiki-editing"], capacity=2,
                                           mentoring=True)], 1)
    rel = str(uuid.uuid4())
    push(local_hub, baraka, [mentor_profile(wants=["wiki-editing"], looking=True),
                             action("request", relationship=rel, peer="amina")], 1)
    push(local_hub, amina, [action("accept", relationship=rel)], 2)
    push(local_hub, baraka, [goal("g1", rel, f"{MARKER} goal"),
                             shared_note("n1", rel, f"{MARKER} note"),
                             private_note("p1", rel)], 3)
    push(local_hub, amina, [private_note("p2", rel)], 3, device="dev-m")
    others = {role: local_hub.account(f"other-{role}", role) for role in ROLES}
    callers = {"amina": amina, "baraka": baraka, **others}
    parameters = {"pack_id": "org.x", "version": "1.0.0", "sha256": "0" * 64,
                  "submission_id": "1", "name": "amina",
                  "badge_id": "urn:uuid:00000000-0000-0000-0000-000000000000"}
    for who, headers in callers.items():
        for method, template in route_keys(local_hub.app):
            path = re.sub(r"{(\w+)}", lambda m: parameters[m.group(1)], template)
            if method == "GET":
                response = local_hub.client.get(path, headers=headers,
                                                params={"since": 0, "limit": 1000})
            elif template == "/api/v1/mentorship/match-all":
                response = local_hub.client.post(path, headers=headers,
                                                 json={"dry_run": True})
            else:
                continue
            body = response.content
            if template == PULL:
                pulled = response.json()["records"]
                notes = [e["record"]["id"] for e in pulled
                         if e["record"]["type"] == "private_note"]
                assert notes == {"amina": ["p2"], "baraka": ["p1"]}.get(who, []), who
                if who in ("amina", "baraka"):
                    assert MARKER.encode() in body
                    continue
            assert MARKER.encode() not in body, (who, template)
            if template != PULL:
                assert SECRET.encode() not in body, (who, template)


def test_a_request_expires_after_the_set_days_of_hub_time(local_hub: LocalHub) -> None:
    local_hub.account("amina", "mentor")
    local_hub.account("baraka", "learner")
    with local_hub.engine.connect() as connection:
        ids = mentorship.user_ids(connection, ["amina", "baraka"])
    start = db.now()
    records.push(local_hub.engine, ids["amina"], "m", [records.Change(1, mentor_profile(
        offers=["wiki-editing"], capacity=1, mentoring=True))], now=start)
    rel = str(uuid.uuid4())
    records.push(local_hub.engine, ids["baraka"], "b", [records.Change(1, action(
        "request", relationship=rel, peer="amina"))], now=start)

    def state() -> dict[str, Any]:
        with local_hub.engine.connect() as connection:
            found = mentorship.get_relationship(connection, rel)
        assert found is not None
        return found.data

    mentorship.expire_for(local_hub.engine, ids["amina"], now=start + 13 * 86400)
    assert state()["state"] == "pending"
    # A push of either party, fourteen days on, finds it expired (no route needed).
    records.push(local_hub.engine, ids["amina"], "m", [records.Change(2, mentor_profile(
        2, offers=["wiki-editing"], capacity=1, mentoring=True))], now=start + 14 * 86400)
    data = state()
    assert data["state"] == "declined"
    line = data["audit"][-1]
    assert (line["by"], line["what"], line["from"], line["reason"]) == (
        "hub", "expire", "pending", "expired")
    # Accepting it now is refused and changes nothing.
    records.push(local_hub.engine, ids["amina"], "m", [records.Change(3, action(
        "accept", relationship=rel))], now=start + 15 * 86400)
    assert state()["state"] == "declined" and state()["audit"][-1]["ok"] is False


def test_reports_reach_admins_only(local_hub: LocalHub) -> None:
    amina = local_hub.account("amina", "mentor")
    local_hub.account("baraka", "learner")
    admin = local_hub.account("root", "admin")
    curator = local_hub.account("cura", "curator")
    push(local_hub, amina, [action("report", peer="baraka", reason="rude messages")], 1)
    listed = local_hub.client.get("/api/v1/mentorship/reports", headers=admin).json()
    assert [(r["reporter"], r["reported"], r["reason"]) for r in listed["reports"]] == [
        ("amina", "baraka", "rude messages")]
    for headers in (amina, curator):
        assert local_hub.client.get("/api/v1/mentorship/reports",
                                    headers=headers).status_code == 403
    skills = local_hub.client.get("/api/v1/mentorship/skills", headers=amina).json()
    assert "wiki-editing" in {skill["id"] for skill in skills["skills"]}

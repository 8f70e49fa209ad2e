"""Badges on a real hub process (``ujuzi hub serve``, SQLite in tmp_path): who may award
and for what (a completed pack, a completed goal), revocation, and a learner's device that
syncs its badge, exports it and has it checked by ``ujuzi badge verify`` offline, in a fresh
data folder with no hub running."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from app.mentorship import badges
from app.packs.signing import fingerprint
from tests.hub.mentorship_helpers import Person, action, goal, mentor_profile
from tests.hub.sync_helpers import PASSWORD, Learner, progress
from tests.hubs import RunningHub, start_hub
from tests.packs import make_pack
from tests.sync.conftest import file_keyring  # noqa: F401  (autouse: a keyring per test)
from tests.sync.records_helpers import ujuzi

PACK = "org.test.sample"
RESOURCES = ("intro", "second")
WIKI = "wiki-editing"


@pytest.fixture
def badge_hub(tmp_path: Path) -> Iterator[RunningHub]:
    running = start_hub(tmp_path / "hub-home")
    make_pack(tmp_path / "p.ujpack", articles={name: f"# {name}\n\nText." for name in RESOURCES})
    running.publish(tmp_path / "p.ujpack")
    try:
        yield running
    finally:
        running.stop()


def person(hub: RunningHub, name: str, role: str = "learner") -> Person:
    return Person(Learner.add(hub, name, role), name)


def mentorship(hub: RunningHub, mentor_name: str, mentee_name: str) -> tuple[Person, Person, str]:
    """A mentor and a mentee in an active relationship (its id last)."""
    mentor = person(hub, mentor_name)
    mentor.ok(mentor_profile(offers=[WIKI], capacity=2, mentoring=True))
    mentee = person(hub, mentee_name)
    mentee.ok(mentor_profile(wants=[WIKI], looking=True))
    rel = str(uuid.uuid4())
    mentee.ok(action("request", relationship=rel, peer=mentor_name))
    mentor.ok(action("accept", relationship=rel))
    assert mentee.relationship(rel)["state"] == "active"
    return mentor, mentee, rel


def complete(who: Person, *names: str) -> None:
    who.ok(*(progress(f"{PACK}/{name}", 1.0, completed=True) for name in names))


def award(who: Person, user: str, target: str, **extra: Any) -> requests.Response:
    response: requests.Response = who.learner.session.post(
        f"{who.learner.url}/api/v1/badges", json={"user": user, "for": target, **extra},
        timeout=60)
    return response


def login(home: Path, url: str, user: str) -> None:
    ujuzi(home, "login", url, "--user", user, "--password-stdin", input=PASSWORD + "\n")


def hub_key(hub: RunningHub) -> str:
    key: str = requests.get(f"{hub.url}/api/v1/hub", timeout=60).json()["key"]["public_key"]
    return key


def test_a_mentor_awards_a_pack_badge_only_once_the_pack_is_complete(
        badge_hub: RunningHub) -> None:
    amina, baraka, _rel = mentorship(badge_hub, "amina", "baraka")
    complete(baraka, "intro")
    refused = award(amina, "baraka", PACK)
    assert refused.status_code == 409, refused.text
    assert "has not completed the pack Sample pack" in refused.json()["detail"]
    assert "1 of 2 resources not done (the first: Second)" in refused.json()["detail"]
    complete(baraka, "second")
    given = award(amina, "baraka", PACK)
    assert given.status_code == 201, given.text
    body = given.json()
    assert body["for"] == {"kind": "pack", "id": PACK, "version": "1.0.0",
                           "title": "Sample pack"}
    credential = body["credential"]
    # The learner's next pull brings it as a badge record of their own.
    pulled = baraka.records("badge")
    assert [record["id"] for record in pulled] == [body["id"]]
    assert pulled[0]["data"]["credential"] == credential
    assert pulled[0]["data"]["awarded_by"] == "amina"
    result = badges.verify(credential, trusted_keys=[hub_key(badge_hub)])
    assert result.ok and result.trusted, result
    assert result.fingerprint == badge_hub.fingerprint == fingerprint(hub_key(badge_hub))
    assert badges.holds(credential, "baraka")
    assert "1.0.0" in (result.criteria or "") and PACK in (result.criteria or "")
    assert amina.records("badge") == []  # the awarder holds no copy
    again = award(amina, "baraka", PACK)
    assert again.status_code == 409 and "already holds" in again.json()["detail"]


def test_who_is_not_the_learners_mentor_may_not_award(badge_hub: RunningHub) -> None:
    amina, baraka, _rel = mentorship(badge_hub, "amina", "baraka")
    complete(baraka, *RESOURCES)
    juma = person(badge_hub, "juma")
    refused = award(juma, "baraka", PACK)
    assert refused.status_code == 403, refused.text
    assert "not baraka's mentor" in refused.json()["detail"]
    tom = person(badge_hub, "tom", "trainer")
    assert award(tom, "baraka", PACK).status_code == 403
    assert award(baraka, "baraka", PACK).status_code == 403  # not to oneself
    assert award(amina, "nobody", PACK).status_code == 404
    assert award(amina, "baraka", "no.such.pack").status_code == 404
    assert baraka.records("badge") == []
    # A curator may award to anyone who completed the pack.
    cora = person(badge_hub, "cora", "curator")
    assert award(cora, "baraka", PACK).status_code == 201
    # Only the hub writes badges: a pushed one is refused.
    forged = {"type": "badge", "id": "urn:uuid:x", "deleted": False, "data": {}}
    assert baraka.push(forged).status_code == 403


def test_a_goal_badge_needs_every_task_done_and_the_goals_mentor(
        badge_hub: RunningHub) -> None:
    amina, baraka, rel = mentorship(badge_hub, "amina", "baraka")
    goal_state = goal("g1", rel, "Edit three articles")
    baraka.ok(goal_state)
    refused = award(amina, "baraka", "g1")
    assert refused.status_code == 409
    assert "not completed the goal Edit three articles" in refused.json()["detail"]
    done = {**goal_state, "tasks": {"t1": {**goal_state["tasks"]["t1"],
                                           "done": {"v": True, "clock": [2, "dev-a"]}}}}
    amina.ok(done)
    # Another mentor of baraka's may not award for a goal of amina's relationship.
    other, _b, _r = mentorship(badge_hub, "zawadi", "kito")
    assert award(other, "baraka", "g1").status_code == 403
    given = award(amina, "baraka", "g1")
    assert given.status_code == 201, given.text
    credential = given.json()["credential"]
    assert credential["credentialSubject"]["achievement"]["name"] == "Edit three articles"
    assert badges.verify(credential).ok


def test_revocation_by_the_awarder_or_a_curator_and_the_published_list(
        badge_hub: RunningHub) -> None:
    amina, baraka, _rel = mentorship(badge_hub, "amina", "baraka")
    complete(baraka, *RESOURCES)
    badge_id = award(amina, "baraka", PACK).json()["id"]
    juma = person(badge_hub, "juma")
    path = f"/api/v1/badges/{badge_id}/revoke"
    refused = juma.learner.session.post(f"{badge_hub.url}{path}", json={"reason": "no"},
                                        timeout=60)
    assert refused.status_code == 403
    assert juma.get("/api/v1/badges/revoked").json()["revoked"] == []
    done = amina.learner.session.post(f"{badge_hub.url}{path}",
                                      json={"reason": "awarded by mistake"}, timeout=60)
    assert done.status_code == 200, done.text
    assert done.json()["reason"] == "awarded by mistake"
    listed = baraka.get("/api/v1/badges/revoked").json()
    assert [(item["id"], item["reason"]) for item in listed["revoked"]] == [
        (badge_id, "awarded by mistake")]
    # Others learn that it is revoked, not why.
    assert [(item["id"], item["reason"]) for item in
            juma.get("/api/v1/badges/revoked").json()["revoked"]] == [(badge_id, None)]
    # Once revoked, the badge may be awarded again.
    assert award(amina, "baraka", PACK).status_code == 201


def test_the_issuer_profile_and_keys_are_public(badge_hub: RunningHub) -> None:
    answer = requests.get(f"{badge_hub.url}/api/v1/badges/issuer", timeout=60)
    assert answer.status_code == 200
    body = answer.json()
    assert body["id"].startswith("urn:uuid:") and body["type"] == ["Profile"]
    assert [key["public_key"] for key in body["keys"]] == [hub_key(badge_hub)]
    assert body["keys"][0]["did"] == badges.did_key(hub_key(badge_hub))
    assert requests.get(f"{badge_hub.url}/api/v1/badges/revoked",
                        timeout=60).status_code == 401


def test_the_issuer_and_the_revoked_list_answer_304_to_the_copy_a_device_keeps(
        badge_hub: RunningHub) -> None:
    """Every sync asks for both; when nothing changed they answer with no body."""
    amina, baraka, _rel = mentorship(badge_hub, "amina", "baraka")
    complete(baraka, *RESOURCES)
    badge_id = award(amina, "baraka", PACK).json()["id"]
    url = f"{badge_hub.url}/api/v1/badges/revoked"
    first = baraka.get("/api/v1/badges/revoked")
    tag = first.headers["ETag"]
    unchanged = baraka.learner.session.get(url, headers={"If-None-Match": tag}, timeout=60)
    assert (unchanged.status_code, unchanged.content) == (304, b"")
    amina.learner.session.post(f"{badge_hub.url}/api/v1/badges/{badge_id}/revoke",
                               json={"reason": "awarded by mistake"}, timeout=60)
    changed = baraka.learner.session.get(url, headers={"If-None-Match": tag}, timeout=60)
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert [item["id"] for item in changed.json()["revoked"]] == [badge_id]
    issuer = requests.get(f"{badge_hub.url}/api/v1/badges/issuer", timeout=60)
    again = requests.get(f"{badge_hub.url}/api/v1/badges/issuer",
                         headers={"If-None-Match": issuer.headers["ETag"]}, timeout=60)
    assert (again.status_code, again.content) == (304, b"")


# -- the learner's device and the CLI -----------------------------------------------------------

def test_a_synced_badge_exports_and_verifies_offline_until_revoked(
        tmp_path: Path) -> None:
    hub = start_hub(tmp_path / "hub-home")
    try:
        make_pack(tmp_path / "p.ujpack",
                  articles={name: f"# {name}\n\nText." for name in RESOURCES})
        hub.publish(tmp_path / "p.ujpack")
        _amina, baraka, _rel = mentorship(hub, "amina", "baraka")
        complete(baraka, *RESOURCES)
        mentor_home, learner_home = tmp_path / "amina-device", tmp_path / "baraka-device"
        login(mentor_home, hub.url, "amina")
        awarded = json.loads(ujuzi(mentor_home, "badge", "award", "baraka", "--for", PACK,
                                   "-o", str(tmp_path / "as-awarded.json"), "--json").stdout)
        badge_id = awarded["id"]
        refused = ujuzi(mentor_home, "badge", "award", "baraka", "--for", PACK, check=False)
        assert refused.returncode != 0 and "already holds" in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1

        login(learner_home, hub.url, "baraka")
        assert json.loads(ujuzi(learner_home, "badge", "list", "--json").stdout) == {
            "badges": []}
        ujuzi(learner_home, "sync")
        listed = json.loads(ujuzi(learner_home, "badge", "list", "--json").stdout)["badges"]
        assert [item["id"] for item in listed] == [badge_id]
        assert listed[0]["verification"]["ok"] and listed[0]["verification"]["trusted"]
        assert listed[0]["for"]["title"] == "Sample pack"
        exported = tmp_path / "badge.json"
        ujuzi(learner_home, "badge", "export", badge_id, "-o", str(exported))
        assert json.loads(exported.read_text()) == awarded["credential"]

        here = ujuzi(learner_home, "badge", "verify", str(exported))
        assert "Valid" in here.stdout and hub.fingerprint in here.stdout
        assert "yes" in here.stdout  # this machine signs in to that hub

        # Revoked on the hub: the learner's next sync fetches the list, and the check fails.
        ujuzi(mentor_home, "badge", "revoke", badge_id, "--reason", "awarded by mistake")
        ujuzi(learner_home, "sync")
        revoked = ujuzi(learner_home, "badge", "verify", str(exported), "--json", check=False)
        assert revoked.returncode == 1
        data = json.loads(revoked.stdout)
        assert (data["ok"], data["status"]) == (False, "revoked")
        assert "awarded by mistake" in data["reason"]
        assert "revoked" in revoked.stderr
    finally:
        hub.stop()

    # No hub running, a fresh data folder, no account: the proof still checks, and this
    # machine knows neither the hub nor the revocation.
    fresh = tmp_path / "fresh-home"
    offline = ujuzi(fresh, "badge", "verify", str(exported), "--json")
    data = json.loads(offline.stdout)
    assert (data["ok"], data["status"], data["trusted"]) == (True, "valid", False)
    assert data["fingerprint"] == hub.fingerprint
    assert data["issuer_name"] == "Ujuzi hub"
    assert not fresh.exists() or not any(fresh.iterdir())  # verify wrote nothing

    tampered = tmp_path / "tampered.json"
    changed = json.loads(exported.read_text())
    changed["credentialSubject"]["achievement"]["name"] = "Advanced pack"
    tampered.write_text(json.dumps(changed))
    bad = ujuzi(fresh, "badge", "verify", str(tampered), check=False)
    assert bad.returncode == 1 and "Not valid (tampered)" in bad.stdout
    assert len(bad.stderr.strip().splitlines()) == 1
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert ujuzi(fresh, "badge", "verify", str(broken), check=False).returncode == 1

"""The hub's checks of pushed mentorship records (in-process app, SQLite in tmp_path): each
type is accepted when sound, refused with one line when not, and the hub's own types are
refused to clients."""

from __future__ import annotations

from typing import Any

import pytest

from tests.hub.conftest import LocalHub
from tests.hub.mentorship_helpers import (
    action,
    goal,
    mentor_profile,
    private_note,
    shared_note,
)
from tests.hub.sync_helpers import changes

PUSH = "/api/v1/sync/push"


def push(hub: LocalHub, headers: dict[str, str], states: list[dict[str, Any]]) -> Any:
    return hub.client.post(PUSH, headers=headers,
                           json={"device": "dev-a", "changes": changes(states)})


def test_every_mentorship_type_a_client_writes_is_accepted(local_hub: LocalHub) -> None:
    amina = local_hub.account("amina", "learner")
    states = [
        mentor_profile(offers=["wiki-editing"], capacity=2, mentoring=True),
        action("block", peer="someone"),
        private_note("p1", "rel-x"),
        {"type": "notes_key", "id": "notes_key", "deleted": False, "clock": [1, "dev-a"],
         "data": {"salt": "c2FsdA==", "nonce": "bm9uY2U=", "wrapped": "a2V5"}},
    ]
    response = push(local_hub, amina, states)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(("state", "words"), [
    (mentor_profile(languages={"sw": 7}), "data.languages.sw: the level must be 0 to 5"),
    (mentor_profile(timezone="Mars/Olympus"), "data.timezone: unknown time zone"),
    (mentor_profile(availability=[["mon", "25:00", "20:00"]]), "a time of day like 18:30"),
    (mentor_profile(capasity=3), "data.capasity: unknown field"),
    (mentor_profile(capacity=-1), "data.capacity"),
    (mentor_profile(offers=[""]), "a skill id must be a non-empty text"),
    (mentor_profile(away_until="next week"), "data.away_until"),
    ({**mentor_profile(), "id": "other"}, 'id is "me"'),
    (action("dance"), "data.action: one of"),
    (action("accept"), "the action accept names its relationship"),
    (action("block"), "the action block names the person"),
    (action("hand_over", relationship="r"), "a hand-over names the new mentor"),
    ({**goal("g", "r", "t"), "fields": {"title": "no register"}}, "fields:"),
    ({**shared_note("n", "r", "x"), "data": {}}, "data.relationship"),
    ({**private_note("p", "r"), "data": {"relationship": "r", "key_id": "k", "nonce": "AA==",
                                          "ciphertext": "AA==", "text": "plain words"}},
     "only data.relationship, key_id, nonce and ciphertext"),
    ({**private_note("p", "r"), "versions": [{"vv": {"a": 1}, "body": "plain"}]},
     "only data.relationship"),
    (private_note("p", "r") | {"data": {"relationship": "r", "key_id": "k", "nonce": "!!",
                                        "ciphertext": "AA=="}}, "data.nonce: base64"),
])
def test_a_malformed_mentorship_record_is_refused_whole(
        local_hub: LocalHub, state: dict[str, Any], words: str) -> None:
    amina = local_hub.account("amina", "learner")
    response = push(local_hub, amina, [mentor_profile(bio="kept?"), state])
    assert response.status_code == 400, response.text
    assert response.json()["detail"].startswith("Change 1: ")
    assert words in response.json()["detail"]
    pulled = local_hub.client.get("/api/v1/sync/pull", headers=amina).json()
    assert pulled["records"] == []


@pytest.mark.parametrize("record_type", ["relationship", "badge"])
def test_a_client_may_not_push_what_only_the_hub_writes(
        local_hub: LocalHub, record_type: str) -> None:
    amina = local_hub.account("amina", "learner")
    forged = {"type": record_type, "id": "r1", "deleted": False,
              "data": {"mentor": "amina", "mentee": "baraka", "state": "active",
                       "version": 99}}
    response = push(local_hub, amina, [mentor_profile(), forged])
    assert response.status_code == 403, response.text
    assert "only the hub writes" in response.json()["detail"]
    assert local_hub.client.get("/api/v1/sync/pull", headers=amina).json()["records"] == []


def test_a_forwarder_s_echo_of_hub_written_records_is_skipped_not_refused(
        local_hub: LocalHub) -> None:
    """A workshop hub forwards what its learners hold, the relationships the central hub
    wrote among them: the central hub keeps its own and acknowledges the whole push."""
    local_hub.account("amina", "learner")
    forwarder = local_hub.account("workshop", "forwarder")
    echoed = {"type": "relationship", "id": "r1", "deleted": False,
              "data": {"mentor": "juma", "mentee": "amina", "state": "active",
                       "version": 99}}
    response = local_hub.client.post(PUSH, headers=forwarder, json={
        "device": "upstream-copy", "owner": "amina",
        "changes": changes([mentor_profile(bio="from the workshop"), echoed])})
    assert response.status_code == 200, response.text
    assert response.json() == {"acked": 2, "refused": []}
    pulled = local_hub.client.get("/api/v1/sync/pull", headers=forwarder,
                                  params={"owner": "amina"}).json()["records"]
    assert [entry["record"]["type"] for entry in pulled] == ["mentor_profile"]

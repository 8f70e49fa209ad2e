"""A forwarder's push is answered record by record: what the central hub does not take (a
space's record written by someone who is no party of it, a malformed record) is refused
with its reason and the rest is applied, so one refusal never stops forwarding. Anyone
else's push stays whole: one refusal refuses it all. The real app in-process (SQLite in
tmp_path)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.hub import db
from app.hub.config import HubConfig
from app.hub.mentor_db import space_records
from app.hub.service import prepare
from tests.hub.conftest import LocalHub
from tests.hub.mentorship_helpers import action, goal, mentor_profile, shared_note
from tests.hub.sync_helpers import changes, profile

PUSH, PULL = "/api/v1/sync/push", "/api/v1/sync/pull"


def _push(hub: LocalHub, headers: dict[str, str], states: list[dict[str, Any]],
          device: str = "dev-a", first: int = 1, **extra: Any) -> Any:
    return hub.client.post(PUSH, headers=headers, json={
        "device": device, "changes": changes(states, first), **extra})


def _space_ids(hub: LocalHub) -> set[str]:
    with hub.engine.connect() as connection:
        return {str(row.record_id) for row in connection.execute(
            sa.select(space_records.c.record_id).where(space_records.c.type != "relationship"))}


def test_a_forwarders_push_refuses_record_by_record(local_hub: LocalHub) -> None:
    amina = local_hub.account("amina", "learner")
    baraka = local_hub.account("baraka", "learner")
    chidi = local_hub.account("chidi", "learner")
    relay = local_hub.account("relay", "forwarder")
    assert _push(local_hub, amina, [mentor_profile(offers=["wiki"], capacity=2,
                                                   mentoring=True)]).status_code == 200
    rel = str(uuid.uuid4())
    assert _push(local_hub, baraka, [action("request", relationship=rel, peer="amina")]
                 ).status_code == 200

    # chidi is no party of the relationship: his goal is refused, his profile and his
    # party's note go through.
    answer = _push(local_hub, relay, [goal("g-chidi", rel, "not mine"),
                                      profile("p-chidi", "Chidi")],
                   device="hub:laptop", owner="chidi")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"acked": 2, "refused": [
        {"counter": 1, "type": "goal", "id": "g-chidi",
         "reason": f"you are not a party of the relationship {rel}"}]}
    kept = local_hub.client.get(PULL, headers=chidi).json()["records"]
    assert [entry["record"]["id"] for entry in kept] == ["p-chidi"]
    assert "g-chidi" not in _space_ids(local_hub)

    mixed = _push(local_hub, relay, [
        shared_note("n-baraka", rel, "hello"),
        {"type": "goal", "id": "g-bad", "deleted": False, "data": {"relationship": rel},
         "fields": {"title": "no registers"}},
        goal("g-baraka", rel, "edit ten articles")], device="hub:laptop", owner="baraka")
    assert mixed.status_code == 200, mixed.text
    assert [(r["counter"], r["id"]) for r in mixed.json()["refused"]] == [(2, "g-bad")]
    assert mixed.json()["acked"] == 3
    assert {"n-baraka", "g-baraka"} <= _space_ids(local_hub)
    assert "g-bad" not in _space_ids(local_hub)

    # Sent again (an answer lost): nothing more, nothing refused twice.
    again = _push(local_hub, relay, [goal("g-chidi", rel, "not mine"),
                                     profile("p-chidi", "Chidi")],
                  device="hub:laptop", owner="chidi")
    assert again.json() == {"acked": 2, "refused": []}

    # Anyone else's push is whole: one record refused refuses it all.
    whole = _push(local_hub, chidi, [profile("p-chidi-2", "Chidi"),
                                     goal("g-chidi-2", rel, "not mine")], device="chidi-pc")
    assert whole.status_code == 403
    assert [e["record"]["id"] for e in local_hub.client.get(PULL, headers=chidi)
            .json()["records"]] == ["p-chidi"]


def test_a_forwarded_late_edit_of_a_handed_over_mentor_is_refused(
        local_hub: LocalHub) -> None:
    """An old mentor's edit is dropped after a hand-over; from a workshop hub it is named
    in the answer, so the laptop can say so."""
    juma = local_hub.account("juma", "learner")
    local_hub.account("amina", "learner")
    baraka = local_hub.account("baraka", "learner")
    relay = local_hub.account("relay", "forwarder")
    for headers in (juma, local_hub.login("amina")):
        assert _push(local_hub, headers, [mentor_profile(
            offers=["wiki"], capacity=2, mentoring=True, auto_accept=True)]).status_code == 200
    rel = str(uuid.uuid4())
    assert _push(local_hub, baraka, [action("request", relationship=rel, peer="juma")]
                 ).status_code == 200
    assert _push(local_hub, juma, [action("hand_over", relationship=rel, to="amina")],
                 first=2).status_code == 200
    late = _push(local_hub, relay, [shared_note("n-late", rel, "see you monday")],
                 device="hub:laptop", owner="juma")
    assert late.json() == {"acked": 1, "refused": [
        {"counter": 1, "type": "shared_note", "id": "n-late",
         "reason": f"juma no longer reads the relationship {rel} (it was handed over)"}]}
    assert "n-late" not in _space_ids(local_hub)


def test_the_revision_gives_space_records_their_writers(tmp_path: Path) -> None:
    engine = prepare(HubConfig(home=tmp_path))
    try:
        with engine.connect() as connection:
            found = compare_metadata(MigrationContext.configure(connection), db.metadata)
            columns = {column["name"] for column in
                       sa.inspect(connection).get_columns(space_records.name)}
    finally:
        engine.dispose()
    assert {"writer_id", "written_seq"} <= columns
    assert [item for item in found if space_records.name in repr(item)] == []

"""The hub's sync under load and on the wire. Concurrent writers on a SQLite hub take turns:
a writer waits for the one in its transaction and goes on when it ends, instead of finding
the database locked (SQLite's own waiting is switched off here, so that a writer left to it
would fail at once). A push may come gzip-compressed (held to the limit of what it inflates
to); a pull too small to gain from gzip is sent as it is."""

from __future__ import annotations

import gzip
import json
import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from app.hub import accounts, records
from app.hub.config import HubConfig
from app.hub.service import prepare
from tests.hub.conftest import LocalHub

PASSWORD = "a long password"
WRITERS = 8
PUSHES = 15


def _no_busy_waiting(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA busy_timeout=0")


def _change(counter: int, device: str) -> records.Change:
    return records.Change(counter, {
        "type": "progress", "id": f"org.test/r{counter % 3}", "deleted": False,
        "clock": [counter, device],
        "data": {"resource_id": f"org.test/r{counter % 3}", "position": float(counter),
                 "completed": False, "completed_at": None}})


def test_concurrent_pushes_on_sqlite_take_turns_and_none_finds_the_database_locked(
        tmp_path: Path) -> None:
    engine = prepare(HubConfig(home=tmp_path / "hub-home"))
    sa.event.listen(engine, "connect", _no_busy_waiting)
    engine.dispose()  # every connection from here on has SQLite's busy timeout at 0
    try:
        owners = [accounts.add_user(engine, f"learner{index}", "learner", PASSWORD).id
                  for index in range(WRITERS)]
        failures: list[BaseException] = []
        start = threading.Barrier(WRITERS)

        def writer(owner_id: int) -> None:
            start.wait()
            try:
                for push in range(PUSHES):
                    changes = [_change(push * 5 + k + 1, "laptop") for k in range(5)]
                    assert records.push(engine, owner_id, "laptop", changes) == push * 5 + 5
            except BaseException as error:
                failures.append(error)

        threads = [threading.Thread(target=writer, args=(owner,)) for owner in owners]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        with engine.connect() as connection:
            seqs = [row.seq for row in connection.execute(
                sa.select(records.db.sync_records.c.seq))]
            marks = {row.owner_id: row.counter for row in connection.execute(
                sa.select(records.db.sync_devices))}
        # Three records per learner, each with its own seq; every device's mark at its end.
        assert len(seqs) == len(set(seqs)) == 3 * WRITERS
        assert marks == dict.fromkeys(owners, PUSHES * 5)
    finally:
        engine.dispose()


# -- what goes on the wire -------------------------------------------------------------------

def _push_body(count: int) -> bytes:
    return json.dumps({"device": "laptop", "changes": [
        {"counter": k + 1, "record": _change(k + 1, "laptop").record}
        for k in range(count)]}).encode()


def test_a_push_sent_gzip_compressed_is_applied_like_a_plain_one(local_hub: LocalHub) -> None:
    headers = local_hub.account("ada", "learner")
    body = _push_body(20)
    response = local_hub.client.post("/api/v1/sync/push", content=gzip.compress(body),
                                     headers={**headers, "Content-Type": "application/json",
                                              "Content-Encoding": "gzip"})
    assert response.status_code == 200, response.text
    assert response.json() == {"acked": 20}
    pulled = local_hub.client.get("/api/v1/sync/pull", headers=headers).json()
    assert sorted(entry["record"]["id"] for entry in pulled["records"]) == \
        [f"org.test/r{k}" for k in range(3)]


def test_a_compressed_push_is_held_to_the_limit_of_what_it_inflates_to(
        local_hub: LocalHub) -> None:
    headers = local_hub.account("ada", "learner")
    bomb = gzip.compress(b"[" + b" " * (records.MAX_PUSH_BYTES + 1) + b"]")
    assert len(bomb) < records.MAX_PUSH_BYTES // 100
    response = local_hub.client.post("/api/v1/sync/push", content=bomb, headers={
        **headers, "Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert response.status_code == 413, response.text
    broken = local_hub.client.post("/api/v1/sync/push", content=b"not gzip at all", headers={
        **headers, "Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert broken.status_code == 400
    assert "gzip" in broken.json()["detail"]


def test_a_pull_with_nothing_new_is_not_made_larger_by_gzip(local_hub: LocalHub) -> None:
    headers = local_hub.account("ada", "learner")
    empty = local_hub.client.get("/api/v1/sync/pull?since=0", headers={
        **headers, "Accept-Encoding": "gzip"})
    assert empty.status_code == 200
    assert "content-encoding" not in empty.headers
    assert empty.json() == {"records": [], "cursor": 0, "more": False}
    local_hub.client.post("/api/v1/sync/push", content=_push_body(20), headers={
        **headers, "Content-Type": "application/json"})
    full = local_hub.client.get("/api/v1/sync/pull?since=0", headers={
        **headers, "Accept-Encoding": "gzip"})
    assert full.headers["content-encoding"] == "gzip"

"""Concurrent writers on a SQLite hub take turns: a writer waits for the one in its
transaction and goes on when it ends, instead of finding the database locked (SQLite's own
waiting is switched off here, so that a writer left to it would fail at once)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from app.hub import accounts, records
from app.hub.config import HubConfig
from app.hub.service import prepare

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

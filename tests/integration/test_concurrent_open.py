"""Several real processes open the same library at the same moment (the window, the command
line and a second window started by a double click): a new library, and one written by an
older version, are created or upgraded once, and every process gets a working library."""

from __future__ import annotations

import multiprocessing
import sqlite3
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import pytest

from app.store.db import MIGRATIONS, SCHEMA_VERSION

PROCESSES = 6
ROUNDS = 4


def _open(home: str, barrier: Barrier, results: Any) -> None:
    from app.library import Library

    barrier.wait()
    try:
        with Library(home) as library:
            profiles = [profile["name"] for profile in library.profiles()]
            version = library.db.execute("PRAGMA user_version").fetchone()[0]
        results.put(("ok", version, profiles))
    except BaseException as exc:  # reported to the test, which names it
        results.put(("failed", type(exc).__name__, str(exc)))


def _open_together(home: Path) -> list[tuple[Any, ...]]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    processes = [context.Process(target=_open, args=(str(home), barrier, results))
                 for _ in range(PROCESSES)]
    for process in processes:
        process.start()
    outcomes = [results.get() for _ in processes]
    for process in processes:
        process.join()
        assert process.exitcode == 0
    return outcomes


def _check(home: Path, outcomes: list[tuple[Any, ...]]) -> None:
    assert [o for o in outcomes if o[0] != "ok"] == []
    assert {o[1] for o in outcomes} == {SCHEMA_VERSION}
    assert all(o[2] == ["default"] for o in outcomes)  # one default profile, made once
    conn = sqlite3.connect(home / "library.sqlite3")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM meta WHERE key = 'device_id'").fetchone() == (1,)
    finally:
        conn.close()


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_processes_opening_a_new_library_at_once(tmp_path: Path, round_: int) -> None:
    home = tmp_path / "home"
    _check(home, _open_together(home))
    assert not list((home / "backups").iterdir())  # nothing to back up in a new library


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_processes_upgrading_an_older_library_at_once(tmp_path: Path, round_: int) -> None:
    home = tmp_path / "home"
    home.mkdir()
    conn = sqlite3.connect(home / "library.sqlite3")
    with conn:
        MIGRATIONS[0](conn)
        conn.execute("PRAGMA user_version = 1")
    conn.close()
    _check(home, _open_together(home))
    [backup] = (home / "backups").iterdir()  # the version 1 database, copied once
    copy = sqlite3.connect(backup)
    try:
        assert copy.execute("PRAGMA user_version").fetchone() == (1,)
    finally:
        copy.close()

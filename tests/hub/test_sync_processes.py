"""The record plane through real hub processes over loopback, on SQLite and on a real
PostgreSQL: push and pull, replays, pages, merges, isolation between learners, 50 concurrent
pushes of one owner against two workers, and a hub killed with SIGKILL during pushes."""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from app.hub.config import HubConfig
from app.store import merge
from tests.hub.sync_helpers import Learner, every_type, note, progress
from tests.hubs import RunningHub, start_hub

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite", "postgres"])
def sync_hub(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RunningHub]:
    database = None
    if request.param == "postgres":
        database = request.getfixturevalue("postgres").new_database()
    running = start_hub(tmp_path / "hub-home", database=database)
    try:
        yield running
    finally:
        running.stop()


def test_nul_characters_are_refused_in_words_on_either_database(
        sync_hub: RunningHub) -> None:
    amina = Learner.add(sync_hub, "amina")
    relay = Learner.add(sync_hub, "relay", "forwarder")
    assert amina.push([progress("org.x/a\0b", 1)]).status_code == 400
    assert amina.push([progress("org.x/a", 1)], device="dev\0a").status_code == 400
    assert relay.push([], owner="ami\0na").status_code == 404
    assert relay.page(owner="ami\0na").status_code == 404
    assert amina.push([]).json() == {"acked": 0}


def test_push_and_pull_replay_pages_merges(sync_hub: RunningHub) -> None:
    amina = Learner.add(sync_hub, "amina")
    states = [*every_type("amina"), *(progress(f"org.x/r{i}", i) for i in range(30))]
    assert amina.push(states).json() == {"acked": 34}
    first = amina.pull(limit=7)
    assert [entry["record"]["id"] for entry in first] == [state["id"] for state in states]
    # Replayed: nothing changes, not even a seq.
    assert amina.push(states).json() == {"acked": 34}
    assert amina.pull(limit=1000) == first
    # Pages: the response is gzip'ed on the wire.
    raw = amina.page(limit=1000)
    assert raw.headers["Content-Encoding"] == "gzip"
    # Concurrent note edits from two devices become a conflict; a deletion stays.
    amina.push([note("n1", "from a", {"dev-a": 40})], first=35)
    amina.push([note("n1", "from b", {"dev-b": 1})], device="dev-b")
    amina.push([note("n2", "gone soon", {"dev-a": 41})], first=36)
    amina.push([note("n2", "", {}, deleted=True)], first=37)
    amina.push([note("n2", "back?", {"dev-a": 41, "dev-b": 2})], device="dev-b", first=2)
    latest = {entry["record"]["id"]: entry["record"] for entry in amina.pull(first[-1]["seq"])}
    assert merge.in_conflict(latest["n1"])
    assert latest["n2"]["deleted"] is True and "back" not in json.dumps(latest["n2"])


def test_a_learner_cannot_read_or_overwrite_another_learners_records(
        sync_hub: RunningHub) -> None:
    amina, baraka = Learner.add(sync_hub, "amina"), Learner.add(sync_hub, "baraka")
    assert amina.push(every_type("amina")).json() == {"acked": 4}
    # Baraka pushes records with the very ids of amina's, and tries to name her.
    assert baraka.push(every_type("amina"), owner="amina").status_code == 403
    assert baraka.page(owner="amina").status_code == 403
    overwrite = [{**state, "deleted": True} for state in every_type("amina")]
    assert baraka.push(overwrite).json() == {"acked": 4}
    assert all(not entry["record"]["deleted"] for entry in amina.pull())
    assert all(entry["record"]["deleted"] for entry in baraka.pull())
    assert len(amina.pull()) == 4 and len(baraka.pull()) == 4


def test_fifty_concurrent_pushes_of_one_owner_leave_no_gap_for_a_puller(
        postgres: Any, tmp_path: Path) -> None:
    hub = start_hub(tmp_path / "hub-home", database=postgres.new_database(), workers=2)
    try:
        amina = Learner.add(hub, "amina")
        pushers = [Learner(hub.url, amina.token) for _ in range(50)]
        start = threading.Barrier(51)
        done = threading.Event()
        answers: list[int] = []
        seen: list[dict[str, Any]] = []
        cursor = {"value": 0}

        def push(pusher: Learner, index: int) -> None:
            start.wait()
            states = [progress(f"org.x/{index}-{k}", k) for k in range(5)]
            response = pusher.push(states, device=f"device-{index}")
            answers.append(response.status_code)

        def puller() -> None:
            start.wait()
            while not done.is_set():
                response = amina.page(cursor["value"], limit=7)
                body = response.json()
                seen.extend(body["records"])
                cursor["value"] = body["cursor"]

        threads = [threading.Thread(target=push, args=(pusher, index))
                   for index, pusher in enumerate(pushers)]
        reader = threading.Thread(target=puller)
        for thread in [*threads, reader]:
            thread.start()
        for thread in threads:
            thread.join()
        done.set()
        reader.join()
        seen.extend(amina.pull(cursor["value"]))
        assert answers == [200] * 50
        seqs = [entry["seq"] for entry in seen]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
        # The puller, following only its cursor while pushes committed, missed nothing.
        assert len({entry["record"]["id"] for entry in seen}) == 250 == len(seen)
        everything = amina.pull(limit=1000)
        assert [entry["seq"] for entry in everything] == seqs
        # One owner's pushes were applied one after another: each push's five seqs are
        # consecutive among her records.
        by_push: dict[str, list[int]] = {}
        for position, entry in enumerate(everything):
            by_push.setdefault(entry["record"]["id"].split("-")[0], []).append(position)
        assert all(p == list(range(p[0], p[0] + 5)) for p in by_push.values())
    finally:
        hub.stop()


def test_a_hub_killed_during_pushes_applies_each_push_whole(tmp_path: Path) -> None:
    home = tmp_path / "hub-home"
    hub = start_hub(home)
    amina = Learner.add(hub, "amina")
    batch = 300
    acks: list[int] = []
    two_acked = threading.Event()
    failure: list[BaseException] = []

    def pushing() -> None:
        counter = 1
        try:
            while True:
                states = [note(f"n{counter + k}", "x" * 200, {"dev-a": counter + k})
                          for k in range(batch)]
                response = amina.push(states, first=counter)
                acks.append(response.json()["acked"])
                counter += batch
                if len(acks) >= 2:
                    two_acked.set()
        except requests.RequestException as error:  # the hub died under it
            failure.append(error)
            two_acked.set()

    thread = threading.Thread(target=pushing)
    thread.start()
    two_acked.wait()
    hub.process.send_signal(signal.SIGKILL)
    hub.process.wait()
    thread.join()
    assert failure, "the pushes went on after the hub was killed"
    hub.stop()

    restarted = start_hub(home)
    try:
        amina = Learner(restarted.url, amina.token)
        mark = amina.push([]).json()["acked"]
        assert mark % batch == 0 and mark >= acks[-1]
        records = amina.pull(limit=1000)
        # Exactly the pushes the hub acknowledged (or committed just before dying): whole.
        assert sorted(int(entry["record"]["id"][1:]) for entry in records) == list(
            range(1, mark + 1))
        # The client sends what was not acked again; everything is there once.
        rest = [note(f"n{c}", "x" * 200, {"dev-a": c}) for c in range(mark + 1, mark + 401)]
        assert amina.push(rest, first=mark + 1).json() == {"acked": mark + 400}
        assert len(amina.pull(limit=1000)) == mark + 400
    finally:
        restarted.stop()
    engine = sa.create_engine(HubConfig(home=home).database_url)
    with engine.connect() as connection:
        assert connection.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
    engine.dispose()

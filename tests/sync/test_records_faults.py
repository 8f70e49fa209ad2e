"""Sync over a connection cut at random byte offsets in both directions and stalling,
seeded (one hub and one proxy for the module, the client called in this process): each run
ends with every record present exactly once on both devices and on the hub, and ``PRAGMA
integrity_check`` ok; a failing run names its seed. A hub killed with SIGKILL and restarted
during pushes and pulls loses nothing either."""

from __future__ import annotations

import random
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.errors import UjuziError
from app.learning import store_attempt
from app.library import Library
from app.sync.account import Account
from app.sync.records import sync_now
from tests.faulty_proxy import Faults, FaultyProxy
from tests.hubs import RunningHub, start_hub
from tests.sync.conftest import PASSWORD
from tests.sync.records_helpers import (
    add_users,
    hub_records,
    integrity_ok,
    local_records,
    new_library,
    pack_file,
    resource,
)

pytestmark = pytest.mark.slow

SEEDS = 100
KILLED_RUNS = 3


@pytest.fixture(scope="module")
def record_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHub]:
    running = start_hub(tmp_path_factory.mktemp("hub") / "home")
    try:
        add_users(running, "ada", "bo")
        yield running
    finally:
        running.stop()


def change_something(library: Library, rng: random.Random, label: str) -> None:
    """One to four random edits of a learner: notes added, edited, deleted; progress; an
    attempt."""
    for _ in range(rng.randint(1, 4)):
        live = [note["id"] for note in library.notes()]
        action = rng.choice(["add", "add", "edit", "delete", "progress", "attempt"])
        if action == "edit" and live:
            library.edit_note(rng.choice(live), f"{label} edit {rng.random():.6f}")
        elif action == "delete" and live:
            library.delete_note(rng.choice(live))
        elif action == "progress":
            library.record_progress(resource(rng.randrange(3)), position=rng.randrange(600),
                                    complete=rng.random() < 0.3)
        elif action == "attempt":
            store_attempt(library, resource(rng.randrange(3)), library.profile_id(),
                          score=rng.random(), correct=1, total=2, passed=False, answers={})
        else:
            library.add_note(resource(rng.randrange(3)), f"{label} {rng.random():.6f}")


def converged(devices: list[Library], hub_url: str, user: str) -> None:
    for library in devices:
        sync_now(library)
    for library in devices[:-1]:
        sync_now(library)
    hub = hub_records(hub_url, user)
    for library in devices:
        assert local_records(library) == hub
        assert library.db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0
        assert integrity_ok(library)


def test_seeded_cuts_and_stalls_in_both_directions_lose_and_duplicate_nothing(
        record_hub: RunningHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pack = pack_file(tmp_path)
    with FaultyProxy(record_hub.url) as proxy, \
            new_library(tmp_path / "one", pack) as one, \
            new_library(tmp_path / "two", pack) as two:
        for library in (one, two):
            Account(library).login(proxy.url, "ada", PASSWORD)
        # A stall outlasts the read timeout: the client gives up on it and goes on.
        monkeypatch.setenv("UJUZI_HTTP_TIMEOUT", "2,0.3")
        failed_syncs = cuts = 0
        for seed in range(SEEDS):
            rng = random.Random(seed)
            try:
                proxy.configure(Faults(cut=0.35, cut_up=0.25, stall=0.03, span=6000,
                                       stall_seconds=0.5), seed=seed)
                for library, label in ((one, "one"), (two, "two")):
                    change_something(library, rng, f"{label}-{seed}")
                for _ in range(rng.randint(1, 3)):
                    try:
                        sync_now(rng.choice((one, two)))
                    except UjuziError:
                        failed_syncs += 1
                cuts += proxy.cuts
                proxy.configure(Faults())
                converged([one, two], record_hub.url, "ada")
            except BaseException as error:
                raise AssertionError(f"seed {seed} failed: {error!r}") from error
        # The faults did happen, and syncs were broken by them.
        assert cuts > SEEDS and failed_syncs > 0
        assert len(one.notes()) > 0


def test_a_hub_killed_during_pushes_and_pulls_loses_and_duplicates_nothing(
        tmp_path: Path) -> None:
    home = tmp_path / "hub-home"
    hub = start_hub(home)
    add_users(hub, "ada")
    pack = pack_file(tmp_path)
    with FaultyProxy(hub.url) as proxy, new_library(tmp_path / "one", pack) as one, \
            new_library(tmp_path / "two", pack) as two:
        try:
            for library in (one, two):
                Account(library).login(proxy.url, "ada", PASSWORD)
            interrupted = 0
            for run in range(KILLED_RUNS):
                rng = random.Random(run)
                for library in (one, two):
                    with library.db.atomic():
                        for number in range(700):
                            library.add_note(resource(number), f"run {run} note {number}")
                    change_something(library, rng, f"killed-{run}")
                # Killed while one device pushes its batches and the other pulls its pages.
                timer = threading.Timer(rng.uniform(0.05, 0.6), hub.process.send_signal,
                                        (signal.SIGKILL,))
                timer.start()
                try:
                    for library in (one, two, one):
                        try:
                            sync_now(library)
                        except UjuziError:
                            interrupted += 1
                finally:
                    timer.cancel()
                hub.process.send_signal(signal.SIGKILL)
                hub.process.wait()
                hub.stop()
                hub = start_hub(home)
                proxy.retarget(hub.url)
                try:
                    converged([one, two], proxy.url, "ada")
                except BaseException as error:
                    raise AssertionError(f"run {run} failed: {error!r}") from error
            assert interrupted > 0  # the kills did break syncs under way
        finally:
            hub.stop()

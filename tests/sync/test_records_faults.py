"""Sync over a connection cut at random byte offsets in both directions and stalling,
seeded (one hub and one proxy for the module, the client called in this process): each run
ends with every record present exactly once on both devices and on the hub, and ``PRAGMA
integrity_check`` ok; a failing run names its seed. A hub killed with SIGKILL and restarted
during pushes and pulls loses nothing either. The runs are tests/sync/fault_runs.py's, which
``make bench`` makes 1,000 of (benchmarks/bench_sync_soak.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.sync.account import Account
from tests.faulty_proxy import FaultyProxy
from tests.hubs import RunningHub, start_hub
from tests.sync.conftest import PASSWORD
from tests.sync.fault_runs import TIMEOUTS, cut_run, killed_run
from tests.sync.records_helpers import add_users, new_library, pack_file

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


def test_seeded_cuts_and_stalls_in_both_directions_lose_and_duplicate_nothing(
        record_hub: RunningHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pack = pack_file(tmp_path)
    with FaultyProxy(record_hub.url) as proxy, \
            new_library(tmp_path / "one", pack) as one, \
            new_library(tmp_path / "two", pack) as two:
        for library in (one, two):
            Account(library).login(proxy.url, "ada", PASSWORD)
        monkeypatch.setenv("UJUZI_HTTP_TIMEOUT", TIMEOUTS)
        failed_syncs = cuts = 0
        for seed in range(SEEDS):
            try:
                outcome = cut_run(one, two, proxy, record_hub.url, "ada", seed)
            except BaseException as error:
                raise AssertionError(f"seed {seed} failed: {error!r}") from error
            cuts += outcome.cuts
            failed_syncs += outcome.failed_syncs
        # The faults did happen (about one connection a run), and syncs were broken by them.
        assert cuts > SEEDS // 2 and failed_syncs > 0
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
                try:
                    hub, broken = killed_run(hub, lambda: start_hub(home), proxy, one, two,
                                             "ada", run)
                except BaseException as error:
                    raise AssertionError(f"run {run} failed: {error!r}") from error
                interrupted += broken
            assert interrupted > 0  # the kills did break syncs under way
        finally:
            hub.stop()

"""Sync under faults, 1,000 seeded runs: cuts at random byte offsets both ways and stalls
(a loopback proxy), and every 50th run the hub killed with SIGKILL during pushes and pulls.

Each run is tests/sync/fault_runs.py's, with the same checks as ``make test``'s 100 (every
record exactly once on both devices and on the hub, an empty outbox, ``PRAGMA
integrity_check`` ok). Each block of 25 runs starts on two fresh devices of a fresh account,
so that a run depends on its seed and those before it in its block alone: a failing run
prints its seed, and ``python -m benchmarks.bench_sync_soak --seed N`` replays it (the runs
of its block up to it). One real hub (SQLite) serves every run; its database is checked at the end.
``UJUZI_BENCH_SOAK_RUNS`` changes the number of runs. Prints runs per second.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import keyring
from keyring.backend import KeyringBackend

from app.hub import accounts, service
from app.hub.config import HubConfig
from app.library import Library
from app.sync.account import Account
from tests.faulty_proxy import FaultyProxy
from tests.hubs import RunningHub, start_hub
from tests.sync.conftest import PASSWORD
from tests.sync.fault_runs import TIMEOUTS, cut_run, killed_run
from tests.sync.keyring_file import ENV as KEYRING_FILE
from tests.sync.keyring_file import FileKeyring
from tests.sync.records_helpers import new_library, pack_file

RUNS = 1000
#: Runs in a row that share an account and its two devices (a sign-in costs an argon2 hash
#: on the hub and a key wrapping on the device: more than a run).
BLOCK = 25
KILL_EVERY = 50


@dataclass
class Soak:
    root: Path
    hub: RunningHub
    proxy: FaultyProxy
    pack: Path
    cuts: int = 0
    failed_syncs: int = 0
    interrupted: int = 0
    killed: int = 0
    failures: list[int] = field(default_factory=list)
    block: int | None = None
    devices: tuple[Library, Library] | None = None
    _open: ExitStack = field(default_factory=ExitStack)

    def restart(self) -> RunningHub:
        return start_hub(self.root / "hub")

    def close_block(self) -> None:
        self._open.close()
        self.block, self.devices = None, None
        os.environ.pop("UJUZI_HTTP_TIMEOUT", None)

    def open_block(self, block: int) -> tuple[Library, Library]:
        """Two fresh devices of a fresh account, signed in through the proxy."""
        self.close_block()
        user = f"soak{block}"
        engine = service.connect(HubConfig.from_environment(self.hub.home))
        try:
            accounts.add_user(engine, user, "learner", PASSWORD)
        finally:
            engine.dispose()
        folder = self.root / f"block-{block}"
        self._open.callback(shutil.rmtree, folder, True)
        one = self._open.enter_context(new_library(folder / "one", self.pack))
        two = self._open.enter_context(new_library(folder / "two", self.pack))
        for library in (one, two):
            Account(library).login(self.proxy.url, user, PASSWORD)
        os.environ["UJUZI_HTTP_TIMEOUT"] = TIMEOUTS  # signed in: now the short ones
        self.block, self.devices = block, (one, two)
        return one, two


def killed(seed: int) -> bool:
    return seed % KILL_EVERY == KILL_EVERY - 1


def run(soak: Soak, seed: int) -> None:
    """The run of ``seed``, on the devices of its block (raises when a check fails)."""
    block = seed // BLOCK
    one, two = soak.devices if soak.block == block and soak.devices else \
        soak.open_block(block)
    user = f"soak{block}"
    if killed(seed):
        soak.hub, broken = killed_run(soak.hub, soak.restart, soak.proxy, one, two, user,
                                      seed)
        soak.killed += 1
        soak.interrupted += broken
    else:
        outcome = cut_run(one, two, soak.proxy, soak.hub.url, user, seed)
        soak.cuts += outcome.cuts
        soak.failed_syncs += outcome.failed_syncs


@contextmanager
def _client_settings(root: Path) -> Iterator[None]:
    """What the test fixtures set for the client: a keyring in a file, retries without
    waiting (and the default timeouts until a run has signed in)."""
    saved = {name: os.environ.get(name)
             for name in (KEYRING_FILE, "UJUZI_HTTP_TIMEOUT", "UJUZI_HTTP_BACKOFF")}
    os.environ.update({KEYRING_FILE: str(root / "keyring.json"), "UJUZI_HTTP_BACKOFF": "0"})
    os.environ.pop("UJUZI_HTTP_TIMEOUT", None)
    previous: KeyringBackend = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _hub_intact(hub: RunningHub) -> bool:
    with sqlite3.connect(HubConfig.from_environment(hub.home).layout.database) as db:
        return bool(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok")


def soak(seeds: list[int]) -> bool:
    with tempfile.TemporaryDirectory(prefix="ujuzi-bench-soak-") as tmp:
        root = Path(tmp)
        hub = start_hub(root / "hub")
        try:
            with _client_settings(root), FaultyProxy(hub.url) as proxy:
                state = Soak(root, hub, proxy, pack_file(root))
                started = time.perf_counter()
                failed_block = None
                for seed in seeds:
                    if seed // BLOCK == failed_block:
                        continue  # its devices are in no known state
                    try:
                        run(state, seed)
                    except Exception as error:
                        state.failures.append(seed)
                        failed_block = seed // BLOCK
                        state.close_block()
                        print(f"  the run of seed {seed} failed: {error!r}\n  replay it: "
                              f"python -m benchmarks.bench_sync_soak --seed {seed}")
                state.close_block()
                elapsed = time.perf_counter() - started
                hub = state.hub
        finally:
            hub.stop()
        intact = _hub_intact(hub)
    print(f"  {len(seeds)} runs ({state.killed} with the hub killed) in {elapsed:.0f} s: "
          f"{len(seeds) / elapsed:.2f} runs per second; {state.cuts} connections cut or "
          f"stalled, {state.failed_syncs} syncs broken by them, {state.interrupted} by the "
          f"kills; {len(state.failures)} runs failed; the hub's integrity_check "
          f"{'ok' if intact else 'FAILED'}")
    return not state.failures and intact


def main(argv: list[str] | None = None) -> bool:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_sync_soak",
                                     description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--seed", type=int, action="append", metavar="N",
                        help="replay the run of this seed (again for several)")
    parser.add_argument("--runs", type=int,
                        default=int(os.environ.get("UJUZI_BENCH_SOAK_RUNS", RUNS)))
    args = parser.parse_args(argv or [])
    if not args.seed:
        return soak(list(range(args.runs)))
    # A run's devices have gone through the runs before it in its block: those again first.
    return soak(sorted({earlier for seed in args.seed
                        for earlier in range(seed - seed % BLOCK, seed + 1)}))


if __name__ == "__main__":
    sys.exit(0 if main(sys.argv[1:]) else 1)

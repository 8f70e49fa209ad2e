"""Seeded fault runs of record sync, the same in ``make test`` (tests/sync/
test_records_faults.py, 100 runs) and in ``make bench`` (benchmarks/bench_sync_soak.py, 1,000
runs): two devices of one learner edit, then sync through a proxy that cuts connections at
random byte offsets in both directions and stalls them, or while the hub is killed with
SIGKILL during their pushes and pulls; each run ends with every record present exactly once
on both devices and on the hub, an empty outbox and ``PRAGMA integrity_check`` ok.

Everything a run does is drawn from ``random.Random(seed)``: a run that fails names its seed.
"""

from __future__ import annotations

import random
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass

from app.errors import UjuziError
from app.learning import store_attempt
from app.library import Library
from app.sync.records import sync_now
from tests.faulty_proxy import Faults, FaultyProxy
from tests.hubs import RunningHub
from tests.sync.records_helpers import hub_records, integrity_ok, local_records, resource

#: What the proxy does to each connection of a run with faults: the offsets of cuts are
#: drawn within the first 1,500 bytes each way, about the size of a run's requests and
#: answers (gzip'ed), so that most cuts drawn fall inside one and break it.
FAULTS = Faults(cut=0.35, cut_up=0.25, stall=0.03, span=1500, stall_seconds=0.5)
#: The client's connect and read timeouts in seconds (``UJUZI_HTTP_TIMEOUT``) for these
#: runs: a stall outlasts the read timeout, and the client gives up on it and goes on.
TIMEOUTS = "2,0.3"
#: Notes each device adds before a run whose hub is killed (several push batches and pull
#: pages, so that the kill lands in the middle of them).
KILLED_RUN_NOTES = 700


@dataclass
class Outcome:
    #: Connections of the run the proxy cut or stalled.
    cuts: int = 0
    failed_syncs: int = 0


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
    """Sync every device without faults, then check that each holds what the hub holds,
    each record once, with nothing left to push and an intact database."""
    for library in devices:
        sync_now(library)
    for library in devices[:-1]:
        sync_now(library)
    hub = hub_records(hub_url, user)
    for library in devices:
        assert local_records(library) == hub
        assert library.db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0
        assert integrity_ok(library)


def cut_run(one: Library, two: Library, proxy: FaultyProxy, hub_url: str, user: str,
            seed: int) -> Outcome:
    """Both devices edit, then one to three syncs go through cuts and stalls; then they
    converge (checked). The devices are signed in through ``proxy``."""
    rng = random.Random(seed)
    outcome = Outcome()
    proxy.reset_counts()
    proxy.configure(FAULTS, seed=seed)
    try:
        for library, label in ((one, "one"), (two, "two")):
            change_something(library, rng, f"{label}-{seed}")
        for _ in range(rng.randint(1, 3)):
            try:
                sync_now(rng.choice((one, two)))
            except UjuziError:
                outcome.failed_syncs += 1
        outcome.cuts = proxy.cuts + proxy.stalls
    finally:
        proxy.configure(Faults())
    converged([one, two], hub_url, user)
    return outcome


def killed_run(hub: RunningHub, restart: Callable[[], RunningHub], proxy: FaultyProxy,
               one: Library, two: Library, user: str, seed: int) -> tuple[RunningHub, int]:
    """Both devices add :data:`KILLED_RUN_NOTES` notes and a few edits; the hub is killed
    with SIGKILL at a random moment while one device pushes its batches and the other pulls
    its pages, then started again by ``restart`` (the proxy follows it); then they converge
    (checked). The hub now running and how many syncs the kill broke."""
    rng = random.Random(seed)
    for library in (one, two):
        with library.db.atomic():
            for number in range(KILLED_RUN_NOTES):
                library.add_note(resource(number), f"run {seed} note {number}")
        change_something(library, rng, f"killed-{seed}")
    timer = threading.Timer(rng.uniform(0.05, 0.6), hub.process.send_signal,
                            (signal.SIGKILL,))
    interrupted = 0
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
    hub = restart()
    proxy.retarget(hub.url)
    converged([one, two], proxy.url, user)
    return hub, interrupted

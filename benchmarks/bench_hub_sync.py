"""The hub's record plane over loopback HTTP, on SQLite and PostgreSQL: 10,000 records pushed
(in batches of 1,000) and pulled (pages of 1,000), then 50 concurrent learners each pushing
small batches and pulling on a schedule that offers 220 sync requests a second in all (10%
above the target of 200): the rate the hub kept up, the median and p99 latency, and the CPU
time per request of the hub's processes, of PostgreSQL's and of the 50 clients (they share
the machine's cores: on a busy machine the CPU times say more than the wall-clock figures).
SQLite with one worker and with two; PostgreSQL with two. Then the bytes on the wire of a
learner's typical day, synced by the real client, and the share of HTTP headers in them.

The concurrent requests are plain HTTP (requests), so the figures are the hub's, not a
client's. PostgreSQL is measured when Debian's initdb is installed.
``UJUZI_BENCH_SYNC_ROUNDS`` changes how many push-and-pull rounds each of the 50 learners
makes (default 20).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests

from app.hub import accounts, service
from app.hub.config import HubConfig
from tests.hubs import PG_BIN, PostgresServer, RunningHub, free_port, start_hub
from tests.wire_tap import Tap, content_length, heads, messages

RECORDS = 10_000
CLIENTS = 50
TARGET_BULK_S = 5.0
TARGET_RATE = 200.0
TARGET_P99_MS = 200.0
#: A little above the target, so that a hub keeping up shows it (offered at exactly the
#: target, the last requests' latency alone would put the measured rate under it).
OFFERED_RATE = 1.1 * TARGET_RATE
PASSWORD = "benchmark password"


def _note(index: int, device: str) -> dict[str, Any]:
    return {"type": "note", "id": f"{device}-n{index}", "deleted": False,
            "data": {"resource_id": "org.bench/intro", "created_at": "2026-12-06T10:00:00Z",
                     "at_seconds": None},
            "versions": [{"vv": {device: index}, "body": f"A note of the benchmark, {index}."}]}


def _progress(index: int, device: str) -> dict[str, Any]:
    return {"type": "progress", "id": f"org.bench/r{index % 40}", "deleted": False,
            "clock": [index, device],
            "data": {"resource_id": f"org.bench/r{index % 40}", "position": float(index),
                     "completed": index % 7 == 0, "completed_at": None}}


def _add_users(hub: RunningHub, names: list[str]) -> None:
    """Accounts made through the hub's own code on its database, in this process (a
    command per account would start Python fifty times)."""
    engine = service.connect(HubConfig.from_environment(hub.home, hub.database))
    try:
        for name in names:
            accounts.add_user(engine, name, "learner", PASSWORD)
    finally:
        engine.dispose()


def _session(hub: RunningHub, name: str) -> requests.Session:
    session = requests.Session()
    token = session.post(f"{hub.url}/api/v1/auth/login", timeout=60, json={
        "user": name, "password": PASSWORD, "device": "bench"}).json()["token"]
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def _bulk(hub: RunningHub) -> bool:
    _add_users(hub, ["bulk"])
    session = _session(hub, "bulk")
    states = [_note(i + 1, "bulk") if i % 2 else _progress(i + 1, "bulk")
              for i in range(RECORDS)]
    started = time.perf_counter()
    for start in range(0, RECORDS, 1000):
        response = session.post(f"{hub.url}/api/v1/sync/push", timeout=120, json={
            "device": "bulk", "changes": [{"counter": start + k + 1, "record": state}
                                          for k, state in enumerate(states[start:start + 1000])]})
        response.raise_for_status()
    pushed = time.perf_counter()
    cursor, count, wire = 0, 0, 0
    while True:
        response = session.get(f"{hub.url}/api/v1/sync/pull", timeout=120,
                               params={"since": cursor, "limit": 1000}, stream=True)
        response.raise_for_status()
        raw = response.raw.read(decode_content=False)
        wire += len(raw)
        gzipped = response.headers.get("Content-Encoding") == "gzip"
        page = json.loads(gzip.decompress(raw) if gzipped else raw)
        count += len(page["records"])
        cursor = page["cursor"]
        if not page["more"]:
            break
    pulled = time.perf_counter()
    total = pulled - started
    print(f"  {RECORDS} records: push {pushed - started:.2f} s, pull {pulled - pushed:.2f} s "
          f"({count} records, {wire / 1024:.0f} KiB gzip'ed on the wire); "
          f"target under {TARGET_BULK_S:.0f} s for both")
    return count == len({(s["type"], s["id"]) for s in states}) and total < TARGET_BULK_S


def _cpu_seconds(root_pid: int) -> float:
    """CPU time (user and system) of a process and of its children, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        times[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    tree = {root_pid}
    grown = True
    while grown:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        grown = bool(more)
        tree |= more
    return sum(times.get(pid, 0.0) for pid in tree)


def _concurrent(hub: RunningHub, rounds: int, database_pid: int | None = None) -> bool:
    _add_users(hub, [f"learner{index}" for index in range(CLIENTS)])
    sessions = [_session(hub, f"learner{index}") for index in range(CLIENTS)]
    for session in sessions:  # the first signed in long ago: the hub closed its connection
        session.close()
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS + 1)

    # Learners sync now and then, not back to back: each sends its requests on a schedule
    # so that all of them together offer OFFERED_RATE requests a second (an open load; a
    # request late on its slot is sent at once and its latency counted from its slot).
    interval = CLIENTS / OFFERED_RATE * 2

    def learner(index: int, session: requests.Session) -> None:
        device = f"d{index}"
        cursor = 0
        barrier.wait()
        slot = time.perf_counter() + interval * index / CLIENTS
        for turn in range(rounds):
            delay = slot - time.perf_counter()
            if delay > 0:
                time.sleep(delay)  # pacing the offered load, not waiting for a result
            slot += interval
            states = [_progress(turn * 5 + k + 1, device) for k in range(4)]
            states.append(_note(turn + 1, device))
            for call in ("push", "pull"):
                began = min(time.perf_counter(), slot - interval) if call == "push" \
                    else time.perf_counter()
                problem = None
                try:
                    if call == "push":
                        response = session.post(f"{hub.url}/api/v1/sync/push", timeout=60,
                                                json={"device": device, "changes": [
                                                    {"counter": turn * 5 + k + 1,
                                                     "record": state}
                                                    for k, state in enumerate(states)]})
                    else:
                        response = session.get(f"{hub.url}/api/v1/sync/pull", timeout=60,
                                               params={"since": cursor})
                        if response.ok:
                            cursor = response.json()["cursor"]
                    if not response.ok:
                        problem = f"{call} {response.status_code}"
                except requests.RequestException as error:
                    problem = f"{call} {type(error).__name__}"
                took = time.perf_counter() - began
                with lock:
                    latencies.append(took)
                    if problem:
                        errors.append(problem)

    threads = [threading.Thread(target=learner, args=(index, session))
               for index, session in enumerate(sessions)]
    for thread in threads:
        thread.start()
    barrier.wait()
    hub_cpu = _cpu_seconds(hub.process.pid)
    database_cpu = _cpu_seconds(database_pid) if database_pid else 0.0
    client_cpu = time.process_time()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    client_cpu = time.process_time() - client_cpu
    hub_cpu = _cpu_seconds(hub.process.pid) - hub_cpu
    database_cpu = (_cpu_seconds(database_pid) - database_cpu) if database_pid else 0.0
    latencies.sort()
    count = len(latencies)
    rate = count / elapsed
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(count * 0.99) - 1] * 1000
    print(f"  {CLIENTS} learners, {count} sync requests offered at {OFFERED_RATE:.0f} per "
          f"second: {rate:.0f} per second, median {p50:.0f} ms, p99 {p99:.0f} ms (targets: "
          f"{TARGET_RATE:.0f} per second, p99 under {TARGET_P99_MS:.0f} ms); "
          f"{len(errors)} errors")
    busy = f"; the database {database_cpu / count * 1000:.2f} ms" if database_pid else ""
    print(f"  CPU per request: the hub {hub_cpu / count * 1000:.2f} ms{busy}; the 50 "
          f"clients {client_cpu / count * 1000:.2f} ms; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return not errors and rate >= TARGET_RATE and p99 <= TARGET_P99_MS


# -- a typical day of one learner, on the wire -----------------------------------------------

def _typical_day(hub: RunningHub) -> bool:
    """One learner's device through a day (8 hours, a sync every 10 minutes): 40 resources
    opened, 25 progress changes, 3 quizzes with 10 attempts in all, 5 notes with 2 edits
    each, spread at random over the day; the real client (``sync_now``) through the tap."""
    import random

    import keyring
    from keyring.backend import KeyringBackend

    from app.learning import mark_opened, store_attempt
    from app.sync.account import Account
    from app.sync.records import sync_now
    from tests.packs import make_pack
    from tests.sync.keyring_file import ENV as KEYRING_FILE
    from tests.sync.keyring_file import FileKeyring
    from tests.sync.records_helpers import new_library

    rng = random.Random(12)
    syncs = 48
    events: list[list[str]] = [[] for _ in range(syncs)]
    for kind, count in (("open", 40), ("progress", 25), ("attempt", 10), ("note", 5),
                        ("edit", 10)):
        for _ in range(count):
            events[rng.randrange(syncs)].append(kind)
    for slot in events:  # a note is written before it is edited
        slot.sort(key=lambda kind: kind != "note")
    _add_users(hub, ["dayone"])
    root = hub.home.parent / "day"
    root.mkdir()
    pack = root / "day.ujpack"
    names = [f"r{index}" for index in range(40)] + [f"quiz{index}" for index in range(3)]
    make_pack(pack, pack_id="org.bench.day",
              articles={name: f"# {name}\n\nText of {name}.\n" for name in names})
    saved = os.environ.get(KEYRING_FILE)
    os.environ[KEYRING_FILE] = str(root / "keyring.json")
    previous: KeyringBackend = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    tap = Tap(hub.url)
    try:
        with new_library(root / "device", pack) as library:
            Account(library).login(tap.url, "dayone", PASSWORD)
            tap.streams.clear()  # the sign-in is not part of the day
            opened = iter(names[:40])
            notes: list[str] = []
            for slot in events:
                for kind in slot:
                    resource = f"org.bench.day/{rng.choice(names[:40])}"
                    if kind == "open":
                        mark_opened(library, f"org.bench.day/{next(opened)}")
                    elif kind == "progress":
                        library.record_progress(resource, position=rng.randrange(900),
                                                complete=rng.random() < 0.3)
                    elif kind == "attempt":
                        store_attempt(library, f"org.bench.day/quiz{rng.randrange(3)}",
                                      library.profile_id(), score=rng.random(), correct=3,
                                      total=5, passed=False, answers={"q1": ["a"]})
                    elif kind == "note":
                        notes.append(str(library.add_note(
                            resource, "A thought about this part, " * 4)["id"]))
                    elif notes:
                        library.edit_note(rng.choice(notes), "An edited thought, " * 5)
                sync_now(library)
    finally:
        tap.close()
        keyring.set_keyring(previous)
        if saved is None:
            os.environ.pop(KEYRING_FILE, None)
        else:
            os.environ[KEYRING_FILE] = saved
    up = [messages(bytes(stream[0])) for stream in tap.streams]
    down = [messages(bytes(stream[1])) for stream in tap.streams]
    sent, received = sum(sum(m[1:]) for m in up), sum(sum(m[1:]) for m in down)
    headers = sum(m[1] for m in up) + sum(m[1] for m in down)
    requests_sent = sum(m[0] for m in up)
    total = sent + received
    print(f"  A learner's day ({syncs} syncs, {requests_sent} requests on "
          f"{len(tap.streams)} connections): {sent / 1024:.1f} KiB sent, "
          f"{received / 1024:.1f} KiB received, {total / 1024:.1f} KiB in all, "
          f"{headers / total:.0%} of it HTTP headers")
    # Each request with its answer (in order on each connection), by route.
    routes: dict[str, list[int]] = {}
    for stream_up, stream_down in tap.streams:
        asked, answered = heads(bytes(stream_up)), heads(bytes(stream_down))
        for request, answer in zip(asked, answered, strict=False):
            route = request.split(b" ")[0] + b" " + request.split(b" ")[1].split(b"?")[0]
            kept = routes.setdefault(route.decode("latin-1"), [0, 0])
            kept[0] += 1
            kept[1] += len(request) + content_length(request) + len(answer) + content_length(answer)
    print("    by route: " + "; ".join(
        f"{route} {count}x {size / 1024:.1f} KiB"
        for route, (count, size) in sorted(routes.items(), key=lambda item: -item[1][1])))
    return True


@contextlib.contextmanager
def _postgres(root: Path) -> Iterator[PostgresServer | None]:
    if not (PG_BIN / "initdb").exists():
        yield None
        return
    import pwd

    folder = root / "pg"
    folder.mkdir()
    as_nobody = os.geteuid() == 0
    if as_nobody:
        nobody = pwd.getpwnam("nobody")
        os.chown(folder, nobody.pw_uid, nobody.pw_gid)
        os.chown(root, nobody.pw_uid, nobody.pw_gid)
    folder.chmod(0o700)
    server = PostgresServer(folder, free_port(), as_nobody)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _postmaster(server: PostgresServer) -> int | None:
    try:
        return int((server.folder / "data" / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def main() -> bool:
    rounds = int(os.environ.get("UJUZI_BENCH_SYNC_ROUNDS", "20"))
    ok = True
    with tempfile.TemporaryDirectory(prefix="ujuzi-bench-sync-") as tmp:
        root = Path(tmp)
        print(" SQLite (one worker):")
        hub = start_hub(root / "sqlite")
        try:
            ok = _bulk(hub) and ok
            ok = _concurrent(hub, rounds) and ok
            ok = _typical_day(hub) and ok
        finally:
            hub.stop()
        print(" SQLite (two workers, one per core):")
        hub = start_hub(root / "sqlite-2", workers=2)
        try:
            ok = _concurrent(hub, rounds) and ok
        finally:
            hub.stop()
        with _postgres(root) as server:
            if server is None:
                print(" PostgreSQL: not measured (initdb is not installed)")
                return ok
            print(" PostgreSQL (two workers):")
            hub = start_hub(root / "postgres", database=server.new_database(), workers=2)
            try:
                ok = _bulk(hub) and ok
                ok = _concurrent(hub, rounds, _postmaster(server)) and ok
            finally:
                hub.stop()
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)

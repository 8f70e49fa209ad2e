"""Hub downloads and catalog: throughput, bytes on the wire and response times, with baselines.

Everything runs against a real ``ujuzi hub serve`` process on loopback (SQLite), started by
``tests/hubs.py``; the pack (100 files of random bytes, 1 GB in all) is generated in a
temporary folder and published with ``ujuzi hub publish``. Four figures:

1. Download throughput of the real client (``app.sync.downloads.download_pack`` into a fresh
   library, in a child process so its peak memory is its own: the catalog, the signed
   manifest, every file streamed, hashed and synced, then installed by the atomic import,
   which checks each file again) against a plain HTTP GET of the same blobs (``requests``
   streaming each blob URL into a file in 1 MiB reads, same hub, same token, no hashing,
   no sync). The client's time includes installing: a user waits for that too. Each side
   runs twice, the faster run counts. Target: at least 80% of the baseline's throughput.
2. Bytes on the wire for a download cut exactly ten times (a seeded proxy cuts the
   connection once in each tenth of the transfer) against the pack's size. Target: within
   1% of the size plus 1 MiB per cut.
3. Bytes on the wire for the update to a version with 5% of the files changed (five new
   files of the same sizes), catalog included, against the pack's size. Target: at most 10%.
4. ``GET /api/v1/catalog`` (gzip) with 10,000 published packs against 100: the first request
   after the hub starts (the body is built then), then repeated requests without and with
   ``If-None-Match`` (the median of 25 each). The packs are small real packs, each published
   through the hub's own service (``app.hub.catalog.submit(..., publish=True)``: the checks of
   an upload, the blob folder, the signed manifest, the catalog entry), in this process on the
   hub's database before the server starts: what ``ujuzi hub publish`` does, without starting
   a process per pack. Targets: the first response within 2 s, a repeated one within 100 ms.

``UJUZI_BENCH_PACK_MB`` changes the pack's size, ``UJUZI_BENCH_HUB_PACKS`` the number of
packs in the catalog.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import keyring
import requests
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

from app.hub import accounts, catalog
from app.hub.config import HubConfig
from app.hub.service import prepare
from app.library import Library
from app.packs.archive import manifest_bytes, write_pack
from app.sync import downloads
from app.sync.account import Account
from app.sync.downloads import download_pack
from tests.faulty_proxy import BUFFER, Faults, FaultyProxy
from tests.hubs import REPO, RunningHub, start_hub

TARGET_THROUGHPUT = 0.80
CUTS = 10
CUT_SLACK = 0.01
CUT_ALLOWANCE = 1024 * 1024
TARGET_UPDATE = 0.10
TARGET_CATALOG_FIRST = 2.0
TARGET_CATALOG_REPEATED = 0.100
FILES = 100
CHANGED = 5
CATALOG_BASELINE = 100
REPEATS = 25
CHUNK = 1024 * 1024
PACK_ID = "org.bench.hub"
USER = "learner"
PASSWORD = "benchmark password 1"
MIB = 1024 * 1024


class _MemoryKeyring(KeyringBackend):
    """The client keeps its token in the keyring; a benchmark machine has no OS keyring, so
    the token lives in this process's memory."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self._items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self._items.pop((service, username), None) is None:
            raise PasswordDeleteError("no such password")


class _PlannedCuts(FaultyProxy):
    """The faulty proxy, cutting the connection in use when the bytes sent to the client
    reach each of ``points`` (so exactly one cut per point, wherever the transfer is)."""

    def __init__(self, upstream: str, points: list[int]) -> None:
        super().__init__(upstream)
        self._points = sorted(points)

    def plan(self, points: list[int]) -> None:
        with self._lock:
            self._points = sorted(points)

    def _pump_down(self, upstream: Any, client: Any, fate: str | None, offset: int,
                   faults: Faults) -> None:
        try:
            while data := upstream.recv(BUFFER):
                with self._lock:
                    cut = None
                    if self._points and self.bytes_to_client + len(data) >= self._points[0]:
                        cut = max(0, self._points.pop(0) - self.bytes_to_client)
                if cut is not None:
                    self._send(client, data[:cut], faults)
                    with self._lock:
                        self.cuts += 1
                    return
                self._send(client, data, faults)
        except OSError:
            pass


# -- the pack ------------------------------------------------------------------------------

def _write_file(path: Path, size: int) -> dict[str, Any]:
    digest = hashlib.sha256()
    with open(path, "wb") as stream:
        left = size
        while left:
            block = os.urandom(min(CHUNK, left))
            digest.update(block)
            stream.write(block)
            left -= len(block)
    return {"path": f"media/{path.name}", "sha256": digest.hexdigest(), "size": size,
            "mime": "video/mp4", "role": "main"}


def _write_pack(root: Path, version: str, entries: list[dict[str, Any]]) -> Path:
    resources = [{"id": f"clip{index:03}", "kind": "video",
                  "title": {"en": f"Clip {index}"}, "files": [entry]}
                 for index, entry in enumerate(entries)]
    manifest = {
        "format": "ujuzi-pack", "format_version": 1, "id": PACK_ID, "version": version,
        "title": {"en": "Hub benchmark pack"}, "languages": ["en"], "license": "CC0-1.0",
        "attribution": "Generated by the benchmark",
        "sections": [{"id": "all", "title": {"en": "All"},
                      "resources": [r["id"] for r in resources]}],
        "resources": resources,
    }
    pack = root / f"hub-{version}.ujpack"
    write_pack(pack, manifest_bytes(manifest), manifest,
               {entry["path"]: root / entry["path"] for entry in entries})
    return pack


def _publish(hub: RunningHub, root: Path, version: str,
             entries: list[dict[str, Any]]) -> None:
    pack = _write_pack(root, version, entries)
    hub.publish(pack)
    pack.unlink()


# -- the client and its baseline -------------------------------------------------------------

def _login(url: str) -> requests.Session:
    session = requests.Session()
    answer = session.post(f"{url}/api/v1/auth/login",
                          json={"user": USER, "password": PASSWORD, "device": "bench"})
    answer.raise_for_status()
    session.headers["Authorization"] = f"Bearer {answer.json()['token']}"
    return session


def _plain_get(url: str, shas: list[str], target: Path) -> float:
    """Seconds to GET every blob into files of ``target`` with ``requests``."""
    target.mkdir()
    with _login(url) as session:
        start = time.perf_counter()
        for sha256 in shas:
            with session.get(f"{url}/blobs/{sha256}", stream=True) as response, \
                    open(target / sha256, "wb") as out:
                response.raise_for_status()
                for block in response.iter_content(CHUNK):
                    out.write(block)
        elapsed = time.perf_counter() - start
    shutil.rmtree(target)
    return elapsed


def _client_child(home: str, url: str) -> None:
    """In the child: sign in to the hub, download and install the pack, print the figures."""
    keyring.set_keyring(_MemoryKeyring())
    installing = [0.0]
    install = downloads.install_manifest

    def timed_install(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return install(*args, **kwargs)
        finally:
            installing[0] += time.perf_counter() - start

    downloads.install_manifest = timed_install  # type: ignore[assignment]
    with Library(Path(home)) as library:
        Account(library).login(url, USER, PASSWORD)
        start = time.perf_counter()
        result = download_pack(library, PACK_ID)
        elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": elapsed, "install_seconds": installing[0],
                      "status": result.status, "peak_bytes": peak}))


def _client(url: str, home: Path) -> tuple[float, float, int]:
    """Seconds (in all, and installing) and peak memory of a download into a fresh
    library, checked afterwards."""
    answer = subprocess.run([sys.executable, "-m", "benchmarks.bench_hub", "--client",
                             str(home), url], capture_output=True, text=True, cwd=REPO)
    if answer.returncode != 0:
        raise RuntimeError(f"the client failed:\n{answer.stdout}\n{answer.stderr}")
    figures = json.loads(answer.stdout.strip().splitlines()[-1])
    _check_installed(home, "imported", figures["status"])
    shutil.rmtree(home)
    return (float(figures["seconds"]), float(figures["install_seconds"]),
            int(figures["peak_bytes"]))


def _check_installed(home: Path, expected: str, status: str, version: str = "1.0.0") -> None:
    with Library(home) as library:
        report = library.verify()
        installed = library.pack(PACK_ID)["manifest"]["version"]
    if status != expected or installed != version or report.damaged or not report.checked:
        raise RuntimeError(f"the download did not install {PACK_ID} {version} intact "
                           f"({status}, {installed}, {len(report.damaged)} damaged)")


def _downloads(root: Path, total_mb: int) -> bool:
    media = root / "media"
    media.mkdir()
    size_each = max(1, total_mb * MIB // FILES)
    entries = [_write_file(media / f"clip{index:03}.mp4", size_each) for index in range(FILES)]
    size = sum(entry["size"] for entry in entries)
    hub = start_hub(root / "hub")
    try:
        hub.add_user(USER, "learner", PASSWORD)
        _publish(hub, root, "1.0.0", entries)
        shas = [entry["sha256"] for entry in entries]
        baseline: list[float] = []
        client: list[tuple[float, float]] = []
        peak = 0
        for run in range(2):
            baseline.append(_plain_get(hub.url, shas, root / "plain"))
            seconds, installing, memory = _client(hub.url, root / f"client{run}")
            client.append((seconds, installing))
            peak = max(peak, memory)
        ok = _report_throughput(size, min(baseline), min(client), peak)
        ok = _cut_and_update(hub, root, entries, size) and ok
    finally:
        hub.stop()
    return ok


def _report_throughput(size: int, baseline: float, client_run: tuple[float, float],
                       peak: int) -> bool:
    client, installing = client_run
    mb = size / MIB
    ratio = baseline / client
    verdict = "PASS" if ratio >= TARGET_THROUGHPUT else "FAIL"
    print(f"pack size:               {mb:,.0f} MiB in {FILES} files")
    print(f"plain HTTP GET:          {baseline:6.2f} s  {mb / baseline:7.1f} MiB/s  (baseline)")
    print(f"ujuzi download+install:  {client:6.2f} s  {mb / client:7.1f} MiB/s  "
          f"(includes hashing, fsync and the atomic install: {installing:.2f} s)")
    print(f"download / baseline:     {ratio:.0%}  (target >= {TARGET_THROUGHPUT:.0%})  {verdict}")
    print(f"client peak memory:      {peak / MIB:.0f} MiB (max RSS of the client process)")
    return ratio >= TARGET_THROUGHPUT


def _cut_and_update(hub: RunningHub, root: Path, entries: list[dict[str, Any]],
                    size: int) -> bool:
    rng = random.Random(11)
    points = [int(size * (tenth + rng.uniform(0.05, 0.95)) / CUTS) for tenth in range(CUTS)]
    with _PlannedCuts(hub.url, []) as proxy, Library(root / "cut") as library:
        Account(library).login(proxy.url, USER, PASSWORD)
        proxy.reset_counts()
        proxy.plan(points)
        result = download_pack(library, PACK_ID, version="1.0.0")
        cut_bytes, cuts = proxy.bytes_to_client, proxy.cuts
        if result.status != "imported" or cuts != CUTS:
            raise RuntimeError(f"the cut download went wrong ({result.status}, {cuts} cuts)")
        _check_installed(root / "cut", "imported", result.status)

        changed = random.Random(5).sample(range(FILES), CHANGED)
        for index in changed:
            entries[index] = _write_file(root / "media" / f"clip{index:03}.mp4",
                                         entries[index]["size"])
        _publish(hub, root, "2.0.0", entries)
        proxy.reset_counts()
        update = download_pack(library, PACK_ID)  # asks for the catalog, as the CLI does
        update_bytes = proxy.bytes_to_client
        _check_installed(root / "cut", "updated", update.status, "2.0.0")
    limit = size * (1 + CUT_SLACK) + CUTS * CUT_ALLOWANCE
    cut_ok = cut_bytes <= limit
    update_ratio = update_bytes / size
    update_ok = update_ratio <= TARGET_UPDATE
    print(f"download cut {cuts} times:   {cut_bytes / MIB:,.1f} MiB on the wire for "
          f"{size / MIB:,.1f} MiB  ({cut_bytes / size:.2%} of the pack; target <= "
          f"{limit / MIB:,.1f} MiB: 1% + 1 MiB per cut)  {'PASS' if cut_ok else 'FAIL'}")
    print(f"update, {CHANGED}/{FILES} files new: {update_bytes / MIB:,.1f} MiB on the wire  "
          f"({update_ratio:.2%} of the pack; target <= {TARGET_UPDATE:.0%})  "
          f"{'PASS' if update_ok else 'FAIL'}")
    return cut_ok and update_ok


# -- the catalog -----------------------------------------------------------------------------

def _populate(config: HubConfig, work: Path, first: int, count: int) -> None:
    """Publish ``count`` small real packs through the hub's service, on its database."""
    engine = prepare(config)
    try:
        if first == 0:
            accounts.add_user(engine, USER, "learner", PASSWORD)
        source = work / "article.md"
        uploads = config.layout.uploads
        uploads.mkdir(parents=True, exist_ok=True)
        for number in range(first, first + count):
            text = (f"# Lesson {number}\n\nWhat lesson {number} teaches, in a few "
                    "sentences.\n").encode()
            source.write_bytes(text)
            manifest = {
                "format": "ujuzi-pack", "format_version": 1,
                "id": f"org.bench.lesson{number:05}", "version": "1.0.0",
                "title": {"en": f"Lesson {number}", "sw": f"Somo {number}",
                          "fr": f"Leçon {number}"},
                "description": {"en": f"The benchmark's lesson number {number}."},
                "languages": ["en", "sw", "fr"], "license": "CC-BY-SA-4.0",
                "attribution": "Generated by the benchmark",
                "sections": [{"id": "main", "title": {"en": "Main"}, "resources": ["text"]}],
                "resources": [{"id": "text", "kind": "article", "lang": "en",
                               "title": {"en": f"Lesson {number}"},
                               "files": [{"path": "articles/text.md",
                                          "sha256": hashlib.sha256(text).hexdigest(),
                                          "size": len(text), "mime": "text/markdown",
                                          "role": "main", "lang": "en"}]}],
            }
            upload = uploads / f"bench-{number}.ujpack"
            write_pack(upload, manifest_bytes(manifest), manifest, {"articles/text.md": source})
            catalog.submit(config, engine, upload, None, publish=True)
    finally:
        engine.dispose()


def _catalog_times(home: Path) -> dict[str, float]:
    hub = start_hub(home)
    try:
        with _login(hub.url) as session:
            session.headers["Accept-Encoding"] = "gzip"
            session.get(f"{hub.url}/api/v1/me").raise_for_status()  # a warm connection
            start = time.perf_counter()
            response = session.get(f"{hub.url}/api/v1/catalog")
            first = time.perf_counter() - start
            response.raise_for_status()
            etag = response.headers["ETag"]
            wire = int(response.headers.get("Content-Length", len(response.content)))
            packs = len(response.json()["packs"])
            full, cached = [], []
            for _ in range(REPEATS):
                start = time.perf_counter()
                session.get(f"{hub.url}/api/v1/catalog").raise_for_status()
                full.append(time.perf_counter() - start)
                start = time.perf_counter()
                answer = session.get(f"{hub.url}/api/v1/catalog",
                                     headers={"If-None-Match": etag})
                cached.append(time.perf_counter() - start)
                if answer.status_code != 304:
                    raise RuntimeError(f"If-None-Match got {answer.status_code}, not 304")
    finally:
        hub.stop()
    return {"packs": packs, "wire": wire, "first": first,
            "repeated": statistics.median(full), "conditional": statistics.median(cached)}


def _catalog(root: Path, packs: int) -> bool:
    home = root / "catalog-hub"
    config = HubConfig(home=home)
    work = root / "catalog-work"
    work.mkdir()
    small = min(CATALOG_BASELINE, packs)
    start = time.perf_counter()
    _populate(config, work, 0, small)
    publishing = time.perf_counter() - start
    baseline = _catalog_times(home)
    start = time.perf_counter()
    _populate(config, work, small, packs - small)
    publishing += time.perf_counter() - start
    large = _catalog_times(home)
    print(f"catalog: {packs:,} packs published in {publishing:.0f} s through the hub's "
          "service (submit and approve, in process)")
    print(f"catalog size:            {baseline['wire'] / 1024:8.1f} KiB gzipped for "
          f"{baseline['packs']:,} packs; {large['wire'] / 1024:8.1f} KiB for "
          f"{large['packs']:,}")
    ok = large["packs"] == packs
    for name, label, target in (("first", "first request", TARGET_CATALOG_FIRST),
                                ("repeated", "repeated", TARGET_CATALOG_REPEATED),
                                ("conditional", "If-None-Match (304)",
                                 TARGET_CATALOG_REPEATED)):
        passed = large[name] <= target
        ok = ok and passed
        print(f"catalog {label + ':':21} {large[name] * 1000:8.1f} ms with {packs:,} packs, "
              f"{baseline[name] * 1000:6.1f} ms with {small:,} (baseline), "
              f"x{large[name] / baseline[name]:.1f}  (target <= {target * 1000:.0f} ms)  "
              f"{'PASS' if passed else 'FAIL'}")
    return ok


@contextmanager
def _memory_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(_MemoryKeyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


def main() -> bool:
    total_mb = int(os.environ.get("UJUZI_BENCH_PACK_MB", "1024"))
    packs = int(os.environ.get("UJUZI_BENCH_HUB_PACKS", "10000"))
    with tempfile.TemporaryDirectory(prefix="ujuzi-bench-hub-") as tmp, _memory_keyring():
        root = Path(tmp)
        downloads_ok = _downloads(root, total_mb)
        catalog_ok = _catalog(root, packs)
    return downloads_ok and catalog_ok


if __name__ == "__main__":
    if sys.argv[1:2] == ["--client"]:
        _client_child(sys.argv[2], sys.argv[3])
    else:
        sys.exit(0 if main() else 1)

"""Catalog response time of a real hub process with 10,000 published packs, against
``/healthz`` on the same hub (the cost of a request that does no work).

The packs are written straight into the hub's SQLite database (listing them needs no files).
Reported: the first request after a change (the catalog is built and cached under the
database's change counter), then the median of repeated requests, plain and gzipped, and a
revalidation that answers 304. ``UJUZI_BENCH_HUB_PACKS`` changes the number of packs.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from app.hub import accounts, db
from app.hub.config import HubConfig
from app.hub.service import prepare

TARGET_MS = 100.0
REPEAT = 30


def _seed(home: Path, count: int) -> None:
    config = HubConfig(home=home)
    engine = prepare(config)
    accounts.add_user(engine, "bench", "learner", "benchmark password")
    rows = []
    for index in range(count):
        entry = {"id": f"org.bench.p{index:05}", "version": "1.0.0",
                 "title": {"en": f"Pack {index}", "fr": f"Paquet {index}"},
                 "description": {"en": "A pack of the benchmark."}, "languages": ["en", "fr"],
                 "skills": ["editing"], "level": "beginner", "license": "CC-BY-SA-4.0",
                 "attribution": "Ujuzi benchmark", "size": 10_000_000, "files": 40,
                 "manifest_sha256": "0" * 64, "published_at": "2026-01-01T00:00:00Z"}
        rows.append({"pack_id": entry["id"], "version": "1.0.0", "manifest": "{}",
                     "manifest_sha256": "0" * 64, "signature": "-", "fingerprint": "-",
                     "entry": json.dumps(entry), "size": 10_000_000, "files": 40,
                     "published_at": 0})
    with engine.begin() as connection:
        connection.execute(db.published.insert(), rows)
        db.bump(connection, db.CATALOG_COUNTER)
    engine.dispose()


def _timed(session: requests.Session, url: str, headers: dict[str, str]) -> tuple[float, int]:
    began = time.perf_counter()
    response = session.get(url, headers=headers, timeout=120)
    return (time.perf_counter() - began) * 1000, len(response.content)


def main() -> bool:
    count = int(os.environ.get("UJUZI_BENCH_HUB_PACKS", "10000"))
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        _seed(home, count)
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "--home", str(home), "hub", "serve", "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            assert process.stdout is not None
            url = process.stdout.readline().split()[3]
            session = requests.Session()
            token = session.post(f"{url}/api/v1/auth/login", timeout=120, json={
                "user": "bench", "password": "benchmark password", "device": "bench"},
            ).json()["token"]
            auth = {"Authorization": f"Bearer {token}"}
            catalog = f"{url}/api/v1/catalog"
            first, size = _timed(session, catalog, {**auth, "Accept-Encoding": "identity"})
            plain = [_timed(session, catalog, {**auth, "Accept-Encoding": "identity"})[0]
                     for _ in range(REPEAT)]
            zipped_runs = [_timed(session, catalog, {**auth, "Accept-Encoding": "gzip"})
                           for _ in range(REPEAT)]
            etag = session.get(catalog, headers=auth, timeout=120).headers["etag"]
            revalidated = [_timed(session, catalog, {**auth, "If-None-Match": etag})[0]
                           for _ in range(REPEAT)]
            health = [_timed(session, f"{url}/healthz", {})[0] for _ in range(REPEAT)]
        finally:
            process.terminate()
            process.wait()
    warm = statistics.median(plain)
    zipped = statistics.median(run[0] for run in zipped_runs)
    print(f"packs:                      {count:,}  ({size / 1e6:.1f} MB of JSON)")
    print(f"first request (build):      {first:8.1f} ms")
    print(f"catalog, cached, plain:     {warm:8.1f} ms  (target < {TARGET_MS:.0f} ms)")
    print(f"catalog, cached, gzip:      {zipped:8.1f} ms")
    print(f"catalog, 304 (If-None-Match): {statistics.median(revalidated):6.1f} ms")
    print(f"baseline /healthz:          {statistics.median(health):8.1f} ms")
    return zipped < TARGET_MS

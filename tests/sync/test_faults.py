"""Downloads over a connection that is cut and stalls at random, seeded: each ends with the
pack installed and every hash right, or a clear error and nothing installed, and the bytes
received stay within 1% of what the pack needs plus at most 1 MiB per cut; a client killed
with SIGKILL goes on from what it had."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.errors import UjuziError
from app.library import Library
from app.sync.account import Account
from app.sync.downloads import ACTIVE, cancel, download_pack, downloads
from tests.faulty_proxy import Faults, FaultyProxy
from tests.hubs import RunningHub, ujuzi_command
from tests.sync.conftest import PASSWORD
from tests.sync.helpers import file_bytes, media, publish

pytestmark = pytest.mark.slow

SEEDS = 300
MIB = 1024 * 1024
PACKS = 5


@pytest.fixture(scope="module")
def packs(shared_hub: RunningHub,
          tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, object]]:
    folder = tmp_path_factory.mktemp("packs")
    return [publish(shared_hub, folder, f"org.test.faults-{number}",
                    files=media(100 + number, 6, 130_000)) for number in range(PACKS)]


@pytest.fixture
def proxy(shared_hub: RunningHub) -> Iterator[FaultyProxy]:
    with FaultyProxy(shared_hub.url) as running:
        yield running


def test_seeded_cuts_and_stalls_end_installed_or_refused_cleanly_within_the_byte_budget(
        packs: list[dict[str, object]], proxy: FaultyProxy, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    outcomes = {"installed": 0, "refused": 0, "cuts": 0, "stalls": 0}
    with Library(tmp_path / "library") as library:
        Account(library).login(proxy.url, "ada", PASSWORD)
        # A stall lasts longer than the read timeout: the client gives up on it and resumes.
        monkeypatch.setenv("UJUZI_HTTP_TIMEOUT", "2,0.2")
        for seed in range(SEEDS):
            manifest = packs[seed % PACKS]
            pack_id, needed = str(manifest["id"]), file_bytes(manifest)
            proxy.configure(Faults(cut=0.6, stall=0.05, span=int(needed * 1.3),
                                   stall_seconds=1.0), seed=seed)
            proxy.reset_counts()
            try:
                result = download_pack(library, pack_id, version="1.0.0")
            except UjuziError as exc:
                message = str(exc)
                assert message and "\n" not in message, (seed, message)
                assert not library.has_pack(pack_id), seed
                outcomes["refused"] += 1
                for row in downloads(library):
                    if row.state in ACTIVE:
                        cancel(library, row.id)
            else:
                assert result.status == "imported", (seed, result)
                assert result.bytes_downloaded == needed, seed
                report = library.verify()
                assert report.damaged == [] and report.bytes == needed, seed
                outcomes["installed"] += 1
                library.remove_pack(pack_id)
            cuts = proxy.cuts + proxy.stalls
            outcomes["cuts"] += proxy.cuts
            outcomes["stalls"] += proxy.stalls
            assert proxy.bytes_to_client <= needed * 1.01 + MIB * cuts, (
                seed, proxy.bytes_to_client, needed, cuts)
            assert list(library.layout.downloads.iterdir()) == [], seed
    assert outcomes["installed"] > SEEDS * 0.9, outcomes
    # The faults happened: most downloads were cut, some stalled, and still came whole.
    assert outcomes["cuts"] > SEEDS // 2 and outcomes["stalls"] > 5, outcomes


def _download_command(home: Path, pack_id: str) -> list[str]:
    return [*ujuzi_command(), "--home", str(home), "download", pack_id, "--json"]


def test_a_client_killed_mid_download_resumes_from_what_it_had(
        shared_hub: RunningHub, proxy: FaultyProxy, tmp_path: Path) -> None:
    manifest = publish(shared_hub, tmp_path / "big", "org.test.killed",
                       files=media(300, 2, 700_000))
    needed = file_bytes(manifest)
    home = tmp_path / "library"
    with Library(home) as library:
        Account(library).login(proxy.url, "ada", PASSWORD)
    proxy.configure(Faults(rate=400_000))  # a slow link
    client = subprocess.Popen(_download_command(home, "org.test.killed"),
                              stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert client.stderr is not None
    for line in client.stderr:  # progress lines, every 5%
        if line.startswith("download: ") and int(line.split()[1].rstrip("%")) >= 30:
            break
    client.send_signal(signal.SIGKILL)
    client.wait()
    client.stderr.close()
    assert client.stdout is not None
    client.stdout.close()
    assert client.returncode == -signal.SIGKILL
    with Library(home) as library:
        kept = sum(path.stat().st_size for path in library.layout.downloads.iterdir())
        assert not library.has_pack("org.test.killed")
    assert needed * 0.25 <= kept < needed
    proxy.configure(Faults())
    proxy.reset_counts()
    done = subprocess.run(_download_command(home, "org.test.killed"), capture_output=True,
                          text=True, check=False, env=os.environ)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["pack_id"], result["status"]) == ("org.test.killed", "imported")
    assert result["bytes_downloaded"] == needed - kept
    with Library(home) as library:
        assert library.verify().damaged == [] and library.has_pack("org.test.killed")
        assert list(library.layout.downloads.iterdir()) == []

"""Downloads from a real hub through a loopback proxy that counts the bytes: verified,
resumed, paused and cancelled, refused with nothing installed when anything is not what the
hub signed, and an update that moves only the files that changed."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.errors import (
    Cancelled,
    ChecksumError,
    HubError,
    NetworkError,
    NotFoundError,
    SignatureError,
)
from app.library import Library
from app.packs.signing import HubKey
from app.paths import HubLayout
from app.store.blobs import BlobStore
from app.sync import review
from app.sync.account import Account
from app.sync.catalog import cached_catalog, catalog_entry, fetch_catalog
from app.sync.downloads import (
    CANCELLED,
    DONE,
    FAILED,
    PAUSED,
    QUEUED,
    TokenBucket,
    available_updates,
    cancel,
    download_pack,
    downloads,
    enqueue,
    get_download,
    pause,
    resume,
    run_download,
    run_queue,
)
from app.tasks import Progress, Reporter
from tests.faulty_proxy import FaultyProxy
from tests.hubs import RunningHub
from tests.sync.conftest import PASSWORD
from tests.sync.helpers import file_bytes, media, publish

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def proxy(shared_hub: RunningHub) -> Iterator[FaultyProxy]:
    with FaultyProxy(shared_hub.url) as running:
        yield running


def _signed_in(folder: Path, proxy: FaultyProxy, user: str = "ada") -> Library:
    library = Library(folder)
    Account(library).login(proxy.url, user, PASSWORD)
    return library


@pytest.fixture
def lib(tmp_path: Path, proxy: FaultyProxy) -> Iterator[Library]:
    library = _signed_in(tmp_path / "library", proxy)
    proxy.reset_counts()
    yield library
    library.close()


def _leftovers(library: Library) -> list[Path]:
    return sorted(library.layout.downloads.iterdir())


def _hub_db(hub: RunningHub) -> sqlite3.Connection:
    return sqlite3.connect(HubLayout(hub.home / "hub").database)


def test_a_download_is_verified_installed_and_leaves_nothing_behind(
        shared_hub: RunningHub, lib: Library, proxy: FaultyProxy, tmp_path: Path) -> None:
    manifest = publish(shared_hub, tmp_path, "org.test.plain", files=media(2, 4, 60_000))
    result = download_pack(lib, "org.test.plain")
    assert (result.status, result.version, result.files_reused) == ("imported", "1.0.0", 0)
    assert result.files_downloaded == 5 and result.bytes_downloaded == file_bytes(manifest)
    assert lib.verify().damaged == [] and lib.has_pack("org.test.plain")
    assert _leftovers(lib) == []
    assert proxy.bytes_to_client <= file_bytes(manifest) * 1.01 + 8 * 1024
    [entry] = [e for e in fetch_catalog(lib) if e.id == "org.test.plain"]
    assert (entry.status, entry.installed_version, entry.download_bytes) == ("installed",
                                                                           "1.0.0", 0)
    assert get_download(lib, result.download_id).state == DONE


def test_an_update_moves_only_the_files_that_changed(
        shared_hub: RunningHub, lib: Library, proxy: FaultyProxy, tmp_path: Path) -> None:
    files = media(3, 20, 20_000)
    old = publish(shared_hub, tmp_path / "v1", "org.test.update", "1.0.0", files)
    download_pack(lib, "org.test.update")
    files["clip-7"] = b"changed" + files["clip-7"][7:]  # one file of twenty-one: under 5%
    publish(shared_hub, tmp_path / "v2", "org.test.update", "1.1.0", files)
    proxy.reset_counts()
    [update] = available_updates(lib) or [e for e in fetch_catalog(lib) if e.status == "update"]
    assert (update.id, update.installed_version, update.version) == ("org.test.update",
                                                                     "1.0.0", "1.1.0")
    result = download_pack(lib, "org.test.update")
    assert (result.status, result.previous_version) == ("updated", "1.0.0")
    assert (result.files_downloaded, result.files_reused) == (1, 20)
    assert result.bytes_downloaded == len(files["clip-7"])
    # On the wire: the changed file, the catalog and manifest, and the HTTP headers.
    assert proxy.bytes_to_client < len(files["clip-7"]) + 24 * 1024
    assert proxy.bytes_to_client < file_bytes(old) * 0.10
    assert lib.verify().damaged == [] and _leftovers(lib) == []


def test_a_tampered_blob_is_refused_and_nothing_installed(
        shared_hub: RunningHub, lib: Library, tmp_path: Path) -> None:
    manifest = publish(shared_hub, tmp_path, "org.test.blob", files=media(4, 3, 30_000))
    entry = manifest["resources"][-1]["files"][0]
    stored = BlobStore(HubLayout(shared_hub.home / "hub").blobs, tmp_path).path_for(
        entry["sha256"])
    data = bytearray(stored.read_bytes())
    data[1000] ^= 0xFF
    stored.write_bytes(bytes(data))
    with pytest.raises(ChecksumError, match=r"does not match its checksum.*nothing was installed"):
        download_pack(lib, "org.test.blob")
    assert not lib.has_pack("org.test.blob")
    assert not lib.blobs.has(entry["sha256"])
    assert not lib.layout.download_part(entry["sha256"]).exists()
    assert not lib.layout.download_done(entry["sha256"]).exists()
    [row] = downloads(lib)
    assert row.state == FAILED and "checksum" in (row.error or "")


def test_a_tampered_manifest_is_refused_before_any_file_is_asked_for(
        shared_hub: RunningHub, lib: Library, proxy: FaultyProxy, tmp_path: Path) -> None:
    manifest = publish(shared_hub, tmp_path, "org.test.tampered", files=media(5, 3, 30_000))
    with _hub_db(shared_hub) as hub_db:
        hub_db.execute("UPDATE published SET manifest = replace(manifest, 'The Ujuzi tests', "
                       "'Someone else') WHERE pack_id = 'org.test.tampered'")
    proxy.reset_counts()
    with pytest.raises(SignatureError, match="not signed by the hub's key"):
        download_pack(lib, "org.test.tampered")
    assert proxy.bytes_to_client < file_bytes(manifest) / 4  # no file was fetched
    assert not lib.has_pack("org.test.tampered") and downloads(lib) == []
    assert _leftovers(lib) == []


def test_a_manifest_signed_by_another_key_is_refused(
        shared_hub: RunningHub, lib: Library, tmp_path: Path) -> None:
    publish(shared_hub, tmp_path, "org.test.forged", files=media(6, 2, 10_000))
    other = HubKey.generate()
    with _hub_db(shared_hub) as hub_db:
        [(text,)] = hub_db.execute(
            "SELECT manifest FROM published WHERE pack_id = 'org.test.forged'").fetchall()
        hub_db.execute("UPDATE published SET signature = ? WHERE pack_id = 'org.test.forged'",
                       (other.sign_manifest(text.encode("utf-8")),))
    with pytest.raises(SignatureError, match="not signed by the hub's key"):
        download_pack(lib, "org.test.forged")
    assert not lib.has_pack("org.test.forged") and _leftovers(lib) == []


def test_an_unreviewed_pack_cannot_be_downloaded_until_a_curator_approves_it(
        shared_hub: RunningHub, lib: Library, proxy: FaultyProxy, tmp_path: Path) -> None:
    from tests.packs import make_pack

    pack = tmp_path / "contrib.ujpack"
    make_pack(pack, pack_id="org.test.contrib", media=media(7, 2, 10_000))
    with _signed_in(tmp_path / "trainer", proxy, "tom") as trainer, \
            _signed_in(tmp_path / "curator", proxy, "cora") as curator:
        sent = review.submit(trainer, pack)
        assert (sent["status"], sent["pack_id"]) == ("pending", "org.test.contrib")
        assert "org.test.contrib" not in {entry.id for entry in fetch_catalog(lib)}
        with pytest.raises(HubError):
            enqueue(lib, "org.test.contrib", "1.0.0")
        with pytest.raises(NotFoundError, match=r"catalog has no pack org.test.contrib"):
            download_pack(lib, "org.test.contrib")
        assert not lib.has_pack("org.test.contrib") and downloads(lib) == []
        pending = [item["id"] for item in review.submissions(curator)]
        assert sent["id"] in pending
        saved = review.fetch_submission(curator, sent["id"], tmp_path / "review.ujpack")
        assert hashlib.sha256(saved.read_bytes()).digest() == \
            hashlib.sha256(pack.read_bytes()).digest()
        assert review.approve(curator, sent["id"])["status"] == "approved"
    assert download_pack(lib, "org.test.contrib").status == "imported"


def test_a_rejection_reaches_the_trainer_with_its_reason(
        shared_hub: RunningHub, proxy: FaultyProxy, tmp_path: Path) -> None:
    from tests.packs import make_pack

    pack = tmp_path / "weak.ujpack"
    make_pack(pack, pack_id="org.test.weak")
    with _signed_in(tmp_path / "trainer", proxy, "tom") as trainer, \
            _signed_in(tmp_path / "curator", proxy, "cora") as curator:
        sent = review.submit(trainer, pack)
        review.reject(curator, sent["id"], "Please add the sources.")
        [mine] = [item for item in review.submissions(trainer, None) if item["id"] == sent["id"]]
        assert (mine["status"], mine["reason"]) == ("rejected", "Please add the sources.")


class _Halfway:
    """A progress callback that acts once, when half of the download has arrived."""

    def __init__(self, action: object) -> None:
        self.action = action
        self.fired = False
        self.at = 0

    def __call__(self, progress: Progress) -> None:
        if (not self.fired and progress.stage == "download" and progress.total
                and progress.done >= progress.total // 2):
            self.fired = True
            self.at = progress.done
            self.action()  # type: ignore[operator]


def test_pause_keeps_the_parts_and_resume_fetches_only_the_rest(
        shared_hub: RunningHub, lib: Library, tmp_path: Path) -> None:
    manifest = publish(shared_hub, tmp_path, "org.test.pause", files=media(8, 2, 400_000))
    download = enqueue(lib, "org.test.pause")
    assert download.state == QUEUED and download.bytes_total == file_bytes(manifest)
    with Library(lib.layout.home) as window:  # pause comes from another connection
        halfway = _Halfway(lambda: pause(window, download.id))
        with pytest.raises(Cancelled, match="paused"):
            run_download(lib, download.id, Reporter(halfway))
    paused = get_download(lib, download.id)
    assert paused.state == PAUSED and paused.bytes_done >= halfway.at
    assert _leftovers(lib) != [] and not lib.has_pack("org.test.pause")
    assert run_queue(lib) == []  # a paused download waits
    resume(lib, download.id)
    [result] = run_queue(lib)
    assert result.pack_id == "org.test.pause" and lib.verify().damaged == []
    row = get_download(lib, download.id)
    assert row.state == DONE and row.bytes_done == row.bytes_total


def test_cancel_removes_what_was_received(
        shared_hub: RunningHub, lib: Library, tmp_path: Path) -> None:
    publish(shared_hub, tmp_path, "org.test.cancel", files=media(9, 2, 400_000))
    download = enqueue(lib, "org.test.cancel")
    with Library(lib.layout.home) as window:
        halfway = _Halfway(lambda: cancel(window, download.id))
        with pytest.raises(Cancelled, match="cancelled"):
            run_download(lib, download.id, Reporter(halfway))
    assert get_download(lib, download.id).state == CANCELLED
    assert _leftovers(lib) == [] and not lib.has_pack("org.test.cancel")


def test_a_download_stopped_by_the_app_goes_on_after_a_restart_from_what_it_had(
        shared_hub: RunningHub, lib: Library, tmp_path: Path) -> None:
    manifest = publish(shared_hub, tmp_path, "org.test.restart", files=media(10, 1, 600_000))
    download = enqueue(lib, "org.test.restart")
    stop = _Halfway(lambda: None)
    with pytest.raises(Cancelled):
        run_download(lib, download.id, Reporter(stop, cancel=lambda: stop.fired))
    assert get_download(lib, download.id).state == QUEUED
    home = lib.layout.home
    lib.close()
    with Library(home) as restarted:
        result = run_download(restarted, download.id)
        assert result.status == "imported" and restarted.verify().damaged == []
        assert get_download(restarted, download.id).state == DONE
    # The second run asked only for the rest: what the first had written stayed.
    assert result.bytes_downloaded <= file_bytes(manifest) - stop.at + 64 * 1024
    assert result.bytes_downloaded < file_bytes(manifest)


def test_the_bandwidth_cap_paces_every_chunk(
        shared_hub: RunningHub, lib: Library, tmp_path: Path) -> None:
    manifest = publish(shared_hub, tmp_path, "org.test.capped", files=media(11, 2, 100_000))

    class Clock:
        now = 0.0

        def __call__(self) -> float:
            return self.now

        def sleep(self, seconds: float) -> None:
            self.now += seconds

    clock = Clock()
    rate = 50 * 1024
    download = enqueue(lib, "org.test.capped")
    run_download(lib, download.id, bucket=TokenBucket(lambda: rate, clock, clock.sleep))
    # The hub's bytes took (at least) their time at the cap, less one burst.
    assert clock.now >= file_bytes(manifest) / rate - 0.5 - 1e-6


def test_the_catalog_kept_here_serves_offline_with_statuses_worked_out_again(
        shared_hub: RunningHub, tmp_path: Path) -> None:
    publish(shared_hub, tmp_path, "org.test.offline", files=media(12, 1, 5_000))
    with FaultyProxy(shared_hub.url) as link, _signed_in(tmp_path / "lib", link) as library:
        entries = {entry.id: entry for entry in fetch_catalog(library)}
        assert entries["org.test.offline"].status == "new"
        download_pack(library, "org.test.offline")
        link.close()  # the network goes away
        with pytest.raises(NetworkError, match="cannot be reached"):
            fetch_catalog(library)
        offline = {entry.id: entry for entry in cached_catalog(library)}
        assert offline.keys() == entries.keys()
        assert offline["org.test.offline"].status == "installed"
        assert catalog_entry(library, "org.test.offline") == offline["org.test.offline"]
        library.remove_pack("org.test.offline")
        assert {e.id: e.status for e in cached_catalog(library)}["org.test.offline"] == "new"


def test_a_download_queued_from_another_hub_is_not_sent_to_this_one(
        shared_hub: RunningHub, lib: Library, tmp_path: Path) -> None:
    publish(shared_hub, tmp_path, "org.test.moved", files=media(13, 1, 5_000))
    download = enqueue(lib, "org.test.moved")
    Account(lib).login(shared_hub.url, "ada", PASSWORD)  # another address
    with pytest.raises(HubError, match=r"queued from the hub at .*cancel it"):
        run_download(lib, download.id)
    assert get_download(lib, download.id).state == FAILED
    assert not lib.has_pack("org.test.moved")

"""Downloads from a hub that survive any connection, and the queue that keeps them.

A download is a row of the ``downloads`` table of the library's database (so it goes on
after a restart): ``queued``, ``running``, ``paused``, ``failed``, ``done`` or ``cancelled``.
Working one:

1. the pack's signed manifest is fetched (or read from the row) and its signature checked
   against the key pinned at login before any file is asked for;
2. each distinct file the blob store lacks is streamed into ``downloads/<sha256>.part`` in
   chunks. A cut or a stall keeps what arrived; the next request asks ``Range: bytes=<size on
   disk>-`` (a hub answering 200 instead of 206 restarts the part). The part is hashed as it
   grows (re-hashed first when a run resumes it); once whole, its sha256 and size are checked
   (a mismatch deletes it: nothing is installed) and it is renamed ``downloads/<sha256>``;
3. the pack is installed by the atomic import (:func:`app.packs.importer.install_manifest`),
   the blob store adopting the verified files by a link, and the finished files go.

Between chunks the worker honours the reporter's cancel (the row goes back to ``queued``, the
parts stay), a pause or cancel set on the row by :func:`pause` or :func:`cancel` (from another
thread or process), and the bandwidth cap of the settings, read again whenever the settings
file changes. A part being written is locked (:mod:`app.filelock`), so two workers never
write one file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from app import filelock
from app.errors import (
    Cancelled,
    ChecksumError,
    HubError,
    NetworkError,
    NotFoundError,
    SignatureError,
    UjuziError,
)
from app.i18n import _
from app.library import Library
from app.packs.importer import ImportResult, install_manifest
from app.packs.manifest import Manifest, parse_manifest, unique_files
from app.packs.signing import verify_manifest
from app.paths import private_opener
from app.settings import Settings
from app.store.db import utc_now
from app.sync.account import Account
from app.sync.catalog import UPDATE, CatalogEntry, cached_catalog, catalog_entry
from app.sync.http import TRANSPORT_ERRORS, HubSession, backoff_factor
from app.tasks import Reporter

QUEUED = "queued"
RUNNING = "running"
PAUSED = "paused"
FAILED = "failed"
DONE = "done"
CANCELLED = "cancelled"
#: Downloads not finished: their parts on disk are kept.
ACTIVE = (QUEUED, RUNNING, PAUSED, FAILED)

#: Bytes read per step: after each, the cap, progress and a pause or cancel are checked (a
#: database read); 256 KiB keeps that under 2% of a loopback download's time.
CHUNK_SIZE = 256 * 1024
MIN_CHUNK_SIZE = 1024
#: Attempts in a row that bring no new byte before a download fails (it can be resumed).
MAX_FAILURES = 8
#: The longest wait between two attempts, in seconds.
MAX_BACKOFF = 30.0
#: How often the row's progress is written while bytes arrive, in seconds.
PROGRESS_INTERVAL = 0.5
#: Bytes the token bucket may save up, in seconds of the cap.
BURST_SECONDS = 0.5


@dataclass(frozen=True)
class Download:
    id: int
    pack_id: str
    version: str
    state: str
    bytes_done: int
    bytes_total: int
    error: str | None
    created_at: str
    updated_at: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class DownloadResult:
    """What one download did: ``status`` is the import's (``imported``, ``updated`` or
    ``unchanged``); ``bytes_downloaded`` counts the bytes of files received in this run."""

    download_id: int
    pack_id: str
    version: str
    status: str
    previous_version: str | None
    bytes_downloaded: int
    files_downloaded: int
    files_reused: int
    result: ImportResult | None = field(default=None, compare=False, repr=False)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("result")
        return data


class _Stopped(Exception):
    """The row was paused or cancelled while the worker ran it."""

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state


class _Busy(Exception):
    """Another worker is writing one of this download's parts."""


# -- the queue ----------------------------------------------------------------------------


def _decode(row: Any) -> Download:
    return Download(int(row[0]), str(row[1]), str(row[2]), str(row[3]), int(row[4]),
                    int(row[5]), None if row[6] is None else str(row[6]), str(row[7]),
                    str(row[8]))


_COLUMNS = ("id, pack_id, version, state, bytes_done, bytes_total, error, created_at, "
            "updated_at")


def downloads(library: Library) -> list[Download]:
    """The queue and its history, newest first."""
    return [_decode(row) for row in library.db.execute(
        f"SELECT {_COLUMNS} FROM downloads ORDER BY id DESC")]


def get_download(library: Library, download_id: int) -> Download:
    row = library.db.execute(
        f"SELECT {_COLUMNS} FROM downloads WHERE id = ?", (download_id,)).fetchone()
    if row is None:
        raise NotFoundError(_("No download with id {id}.").format(id=download_id))
    return _decode(row)


def _update(library: Library, download_id: int, **values: Any) -> None:
    values["updated_at"] = utc_now()
    columns = ", ".join(f"{name} = ?" for name in values)
    with library.db.atomic():
        library.db.execute(f"UPDATE downloads SET {columns} WHERE id = ?",
                           (*values.values(), download_id))


def _state(library: Library, download_id: int) -> str:
    row = library.db.execute("SELECT state FROM downloads WHERE id = ?",
                             (download_id,)).fetchone()
    return CANCELLED if row is None else str(row[0])


def _fetch_manifest(hub: HubSession, key: str, pack_id: str,
                    version: str) -> tuple[bytes, str, Manifest]:
    """The pack's manifest as the hub signed it, its signature checked against ``key``."""
    body = hub.json("GET", f"/api/v1/packs/{quote(pack_id, safe='')}/"
                           f"{quote(version, safe='')}/manifest")
    try:
        raw = str(body["manifest"]).encode("utf-8")
        signature = str(body["signature"])
    except (KeyError, TypeError):
        raise HubError(_("The hub sent a manifest the client cannot read.")) from None
    verify_manifest(key, raw, signature)
    manifest = parse_manifest(raw)
    if manifest["id"] != pack_id or manifest["version"] != version:
        raise HubError(
            _("The hub sent the manifest of {got} {got_version} for {id} {version}; nothing "
              "was installed.").format(got=manifest["id"], got_version=manifest["version"],
                                       id=pack_id, version=version))
    return raw, signature, manifest


def _needed(library: Library, manifest: Manifest) -> dict[str, int]:
    """sha256 -> size of the pack's distinct files that the blob store lacks."""
    needed: dict[str, int] = {}
    for entry in unique_files(manifest):
        if not library.blobs.has(entry["sha256"], entry["size"]):
            needed[entry["sha256"]] = int(entry["size"])
    return needed


def _on_disk(library: Library, sha256: str) -> int:
    """Bytes of one file already in ``downloads/`` (whole, or a part)."""
    layout = library.layout
    for path in (layout.download_done(sha256), layout.download_part(sha256)):
        with contextlib.suppress(OSError):
            return path.stat().st_size
    return 0


def _account(library: Library, profile_id: str | None) -> Account:
    """The account a download queued by ``profile_id`` uses (None: the library's link)."""
    if profile_id is None:
        return Account(library)
    row = library.db.execute("SELECT name FROM profiles WHERE id = ? AND deleted = 0",
                             (profile_id,)).fetchone()
    if row is None:
        raise NotFoundError(_("The learner who queued this download was removed; cancel "
                              "it and download the pack again."))
    return Account(library, str(row[0]))


def enqueue(library: Library, pack_id: str, version: str | None = None,
            profile: str | None = None) -> Download:
    """Queue a pack's download (``version`` None: the catalog's latest) with the hub
    account of ``profile`` (None: the library's link); that account downloads it. The
    manifest is fetched and its signature checked now, so the size is known before anything
    starts; a download of the same pack still queued, paused or failed is reused (or
    replaced, for another version)."""
    account = Account(library, profile)
    key = account.require_key()
    url = account.url or ""
    profile_id = None if account.in_settings else account.profile_id
    if version is None:
        entry = catalog_entry(library, pack_id, profile=profile)
        if entry is None:
            raise NotFoundError(
                _("The hub's catalog has no pack {id}.").format(id=pack_id))
        version = entry.version
    for existing in downloads(library):
        if existing.pack_id != pack_id or existing.state not in ACTIVE:
            continue
        if existing.version == version:
            if existing.state == FAILED:
                _update(library, existing.id, state=QUEUED, error=None)
            _update(library, existing.id, profile_id=profile_id, hub_url=url)
            return get_download(library, existing.id)
        cancel(library, existing.id)
    with account.session() as hub:
        raw, signature, manifest = _fetch_manifest(hub, key, pack_id, version)
    needed = _needed(library, manifest)
    now = utc_now()
    with library.db.atomic():
        cursor = library.db.execute(
            "INSERT INTO downloads(hub_url, profile_id, pack_id, version, state, bytes_done, "
            "bytes_total, manifest, signature, created_at, updated_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (url, profile_id, pack_id, version, QUEUED,
             sum(min(_on_disk(library, sha), size) for sha, size in needed.items()),
             sum(needed.values()), raw.decode("utf-8"), signature, now, now))
        download_id = int(cursor.lastrowid or 0)
    return get_download(library, download_id)


def pause(library: Library, download_id: int) -> Download:
    """Pause a queued or running download; its parts stay for :func:`resume`."""
    download = get_download(library, download_id)
    if download.state in (QUEUED, RUNNING):
        _update(library, download_id, state=PAUSED)
    return get_download(library, download_id)


def resume(library: Library, download_id: int) -> Download:
    """Queue a paused or failed download again; it goes on from what it has."""
    download = get_download(library, download_id)
    if download.state in (PAUSED, FAILED):
        _update(library, download_id, state=QUEUED, error=None)
    return get_download(library, download_id)


def cancel(library: Library, download_id: int) -> Download:
    """Cancel a download and remove the files it received (unless another download
    still needs them)."""
    download = get_download(library, download_id)
    if download.state in ACTIVE:
        _update(library, download_id, state=CANCELLED)
        tidy(library)
    return get_download(library, download_id)


def _active_needs(library: Library) -> set[str]:
    shas: set[str] = set()
    for (raw,) in library.db.execute(
            f"SELECT manifest FROM downloads WHERE manifest IS NOT NULL AND state IN "
            f"({','.join('?' * len(ACTIVE))})", ACTIVE):
        with contextlib.suppress(UjuziError):
            shas.update(entry["sha256"] for entry in unique_files(parse_manifest(raw.encode())))
    return shas


def tidy(library: Library) -> int:
    """Remove what ``downloads/`` holds for no unfinished download (cancelled or finished
    ones, or from a crash); return how many files went. A part another worker is writing
    is left alone."""
    keep: set[Path] = set()
    for sha256 in _active_needs(library):
        keep.update((library.layout.download_part(sha256), library.layout.download_done(sha256)))
    removed = 0
    with contextlib.suppress(FileNotFoundError):
        for path in list(library.layout.downloads.iterdir()):
            if path in keep or not path.is_file():
                continue
            with _locked(path, wait=False, create=False) as handle:
                if handle is not None:
                    path.unlink(missing_ok=True)
                    removed += 1
    return removed


@contextlib.contextmanager
def _locked(path: Path, wait: bool = True,
            create: bool = True) -> Iterator[IO[bytes] | None]:
    """Open ``path`` for appending, locked; None when it is missing (and not ``create``),
    or, without waiting, when another worker holds it and ``wait`` is false."""
    def opener(name: str, flags: int) -> int:
        return private_opener(name, flags if create else flags & ~os.O_CREAT)

    try:
        handle = open(path, "ab+", opener=opener)  # noqa: SIM115 - closed below
    except FileNotFoundError:
        yield None
        return
    try:
        try:
            filelock.lock(handle, blocking=wait)
        except BlockingIOError:
            yield None
            return
        yield handle
    finally:
        handle.close()


# -- the bandwidth cap --------------------------------------------------------------------


class _LiveCap:
    """The cap of the settings in bytes per second (0: none), read again whenever the
    settings file changes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._stamp: tuple[int, int] | None = None

    def bytes_per_second(self) -> int:
        try:
            info = os.stat(self.settings.path)
            stamp: tuple[int, int] | None = (info.st_ino, info.st_mtime_ns)
        except OSError:
            stamp = None
        if stamp != self._stamp:
            self.settings.reload()
            self._stamp = stamp
        return max(0, int(self.settings.get("bandwidth_limit_kbps"))) * 1024


class TokenBucket:
    """Paces bytes to ``rate()`` bytes per second (0: no pacing), saving up at most
    :data:`BURST_SECONDS` of it. The clock and the sleep are injectable for tests."""

    def __init__(self, rate: Callable[[], int],
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.rate = rate
        self.clock = clock
        self.sleep = sleep
        self.tokens = 0.0
        self.last: float | None = None

    def chunk_size(self) -> int:
        """A read size that keeps each wait short (a quarter of a second of the cap)."""
        rate = self.rate()
        if rate <= 0:
            return CHUNK_SIZE
        return max(MIN_CHUNK_SIZE, min(CHUNK_SIZE, rate // 4))

    def consume(self, count: int) -> None:
        rate = self.rate()
        now = self.clock()
        if rate <= 0:
            self.tokens, self.last = 0.0, now
            return
        if self.last is not None:
            self.tokens = min(rate * BURST_SECONDS, self.tokens + (now - self.last) * rate)
        self.last = now
        self.tokens -= count
        if self.tokens < 0:
            self.sleep(-self.tokens / rate)


# -- one download -------------------------------------------------------------------------


class _Worker:
    """Works one download row; reports progress and honours pause, cancel and the cap."""

    def __init__(self, library: Library, download: Download, reporter: Reporter,
                 bucket: TokenBucket) -> None:
        self.library = library
        self.download = download
        self.reporter = reporter
        self.bucket = bucket
        self.done = 0
        self.total = 0
        self.received = 0
        self._saved_at = 0.0

    def tick(self, count: int) -> None:
        """After each chunk: the cap, progress, and the checks for stopping."""
        self.received += count
        self.done += count
        self.bucket.consume(count)
        self.reporter.report("download", self.done, self.total, self.download.pack_id)
        state = _state(self.library, self.download.id)
        if state in (PAUSED, CANCELLED):
            raise _Stopped(state)
        now = time.monotonic()
        if now - self._saved_at >= PROGRESS_INTERVAL:
            self._saved_at = now
            _update(self.library, self.download.id, bytes_done=self.done)

    def run(self) -> DownloadResult:
        library, download = self.library, self.download
        row = library.db.execute(
            "SELECT manifest, signature, hub_url, profile_id FROM downloads WHERE id = ?",
            (download.id,)).fetchone()
        # The account of the learner who queued it, never another one's.
        account = _account(library, None if row is None or row[3] is None else str(row[3]))
        key = account.require_key()
        if row is not None and row[2] and row[2] != account.url:
            raise HubError(
                _("The download of {id} was queued from the hub at {queued}, and this learner "
                  "is now signed in to {current}; cancel it and download the pack again.")
                .format(id=download.pack_id, queued=row[2], current=account.url))
        _update(library, download.id, state=RUNNING, error=None)
        with account.session() as hub:
            stored = row is not None and row[0] is not None
            if stored:
                raw, signature = str(row[0]).encode("utf-8"), str(row[1])
                try:
                    verify_manifest(key, raw, signature)
                except SignatureError:
                    stored = False  # the hub's key was rotated since: ask again
            if stored:
                manifest = parse_manifest(raw)
            else:
                raw, signature, manifest = _fetch_manifest(hub, key, download.pack_id,
                                                           download.version)
                _update(library, download.id, manifest=raw.decode("utf-8"),
                        signature=signature)
            shas = {entry["sha256"] for entry in unique_files(manifest)}
            needed = _needed(library, manifest)
            self.total = sum(needed.values())
            self.done = sum(min(_on_disk(library, sha), size) for sha, size in needed.items())
            _update(library, download.id, bytes_total=self.total, bytes_done=self.done)
            library.blobs.ensure_space(self.total - self.done)
            self.reporter.report("download", self.done, self.total, download.pack_id)
            fetched = 0
            for sha256, size in needed.items():
                done_path = library.layout.download_done(sha256)
                if done_path.is_file() and done_path.stat().st_size == size:
                    continue
                self._fetch_blob(hub, sha256, size)
                fetched += 1
        files = {entry["path"]: library.layout.download_done(entry["sha256"])
                 for entry in unique_files(manifest) if entry["sha256"] in needed}
        result = install_manifest(library, raw, files, self.reporter, source="hub")
        _update(library, download.id, state=DONE, bytes_done=self.total, error=None)
        for sha256 in needed:
            library.layout.download_done(sha256).unlink(missing_ok=True)
        return DownloadResult(download.id, download.pack_id, download.version, result.status,
                              result.previous_version, self.received, fetched,
                              len(shas) - len(needed), result)

    def _fetch_blob(self, hub: HubSession, sha256: str, size: int) -> None:
        layout = self.library.layout
        part_path = layout.download_part(sha256)
        failures = 0
        part = _Part()
        with _locked(part_path, wait=False) as handle:
            if handle is None:
                raise _Busy(sha256)
            while True:
                have = handle.seek(0, os.SEEK_END)
                if have > size:
                    self.done -= have
                    handle.truncate(0)
                    have = 0
                if part.length != have:  # a part from an earlier run: hash what it holds
                    part.rehash(handle, have)
                if have == size:
                    break
                error: NetworkError | None = None
                try:
                    self._receive(hub, handle, part, sha256, size, have)
                except NetworkError as exc:
                    error = exc
                except TRANSPORT_ERRORS as exc:
                    error = hub.unreachable(exc)
                if part.length > have:
                    failures = 0
                    continue
                failures += 1
                if failures >= MAX_FAILURES:
                    raise error or hub.unreachable(ConnectionError("cut"))
                _backoff(failures)
            handle.flush()
            os.fsync(handle.fileno())
            if part.digest.hexdigest() != sha256:
                part_path.unlink(missing_ok=True)
                raise ChecksumError(
                    _("A file of {id} from the hub does not match its checksum (the hub's "
                      "copy may be damaged); it was deleted and nothing was installed.")
                    .format(id=self.download.pack_id))
            state = _state(self.library, self.download.id)
            if state in (PAUSED, CANCELLED):
                raise _Stopped(state)
            os.replace(part_path, layout.download_done(sha256))

    def _receive(self, hub: HubSession, handle: IO[bytes], part: _Part, sha256: str,
                 size: int, have: int) -> None:
        """One request for the rest of a file, appended to ``handle`` (and ``part``) as it
        arrives. A network error propagates with the bytes that came written."""
        headers = {"Range": f"bytes={have}-"} if have else {}
        response = hub.request("GET", f"/blobs/{sha256}", expect=(200, 206, 416),
                               headers=headers, stream=True)
        with response:
            restart = response.status_code == 416 or (
                response.status_code == 206
                and not response.headers.get("Content-Range", "").startswith(f"bytes {have}-")
            ) or (response.status_code == 200 and have > 0)
            if restart:  # the hub sends the whole file, or the part is wrong: start over
                self.done -= have
                handle.truncate(0)
                part.rehash(handle, 0)
                have = 0
                if response.status_code != 200:
                    return
            for chunk in response.iter_content(self.bucket.chunk_size()):
                if not chunk:
                    continue
                if have + len(chunk) > size:
                    handle.truncate(0)
                    part.rehash(handle, 0)
                    raise ChecksumError(
                        _("A file of {id} from the hub is larger than its manifest says; "
                          "nothing was installed.").format(id=self.download.pack_id))
                handle.write(chunk)
                part.digest.update(chunk)
                part.length += len(chunk)
                have += len(chunk)
                self.tick(len(chunk))


class _Part:
    """The sha256 state of a part file and how many of its bytes it covers."""

    def __init__(self) -> None:
        self.digest: Any = hashlib.sha256()
        self.length = -1

    def rehash(self, handle: IO[bytes], length: int) -> None:
        self.digest = _hash_prefix(handle, length)
        self.length = length


def _hash_prefix(handle: IO[bytes], length: int) -> Any:
    """The sha256 state of the first ``length`` bytes of ``handle`` (a resumed part)."""
    digest = hashlib.sha256()
    handle.flush()
    handle.seek(0)
    remaining = length
    while remaining > 0:
        block = handle.read(min(1024 * 1024, remaining))
        if not block:
            break
        digest.update(block)
        remaining -= len(block)
    handle.seek(0, os.SEEK_END)
    return digest


def _backoff(failures: int) -> None:
    """Wait before the next attempt: exponential, with jitter."""
    base = backoff_factor()
    if base <= 0:
        return
    time.sleep(min(MAX_BACKOFF, base * 2 ** (failures - 1)) + random.uniform(0, base))


def run_download(library: Library, download_id: int,
                 reporter: Reporter | None = None,
                 bucket: TokenBucket | None = None) -> DownloadResult:
    """Work one download now: its result, or its error (the row then says ``failed``, and
    its parts stay for :func:`resume`). A cancel of the reporter puts it back in the queue."""
    reporter = reporter or Reporter()
    download = get_download(library, download_id)
    if download.state not in ACTIVE:
        raise UjuziError(_("Download {id} is {state}.").format(id=download_id,
                                                               state=download.state))
    bucket = bucket or TokenBucket(_LiveCap(library.settings).bytes_per_second)
    worker = _Worker(library, download, reporter, bucket)
    try:
        return worker.run()
    except _Stopped as stop:
        if stop.state == CANCELLED:
            tidy(library)
            raise Cancelled(_("The download of {id} was cancelled; nothing was installed.")
                            .format(id=download.pack_id)) from None
        _update(library, download_id, bytes_done=worker.done)
        raise Cancelled(_("The download of {id} is paused; resume it to go on.")
                        .format(id=download.pack_id)) from None
    except _Busy:
        raise UjuziError(_("{id} is being downloaded by another Ujuzi window or command.")
                         .format(id=download.pack_id)) from None
    except Cancelled:
        if _state(library, download_id) == RUNNING:
            _update(library, download_id, state=QUEUED, bytes_done=worker.done)
        raise
    except UjuziError as exc:
        if _state(library, download_id) in (QUEUED, RUNNING):
            _update(library, download_id, state=FAILED, error=str(exc),
                    bytes_done=worker.done)
        raise


def run_queue(library: Library, reporter: Reporter | None = None) -> list[ImportResult]:
    """Work the queue, oldest first, until nothing is left to run (what remains is paused,
    failed or busy elsewhere) or the reporter cancels (the download it was on goes back to
    the queue). A failed download keeps its error on its row and the queue goes on."""
    reporter = reporter or Reporter()
    bucket = TokenBucket(_LiveCap(library.settings).bytes_per_second)
    tidy(library)
    results: list[ImportResult] = []
    tried: set[int] = set()
    while True:
        reporter.checkpoint()
        row = next((download for download in reversed(downloads(library))
                    if download.state in (QUEUED, RUNNING) and download.id not in tried),
                   None)
        if row is None:
            return results
        tried.add(row.id)
        try:
            outcome = run_download(library, row.id, reporter, bucket)
        except Cancelled:
            if _state(library, row.id) in (PAUSED, CANCELLED):
                continue  # that download was paused or cancelled: the others go on
            raise
        except UjuziError:
            continue  # kept on its row
        if outcome.result is not None:
            results.append(outcome.result)


def download_pack(library: Library, pack_id: str, reporter: Reporter | None = None,
                  version: str | None = None, profile: str | None = None) -> DownloadResult:
    """Queue one pack and download it now (what ``ujuzi download`` does), with ``profile``'s
    hub account."""
    download = enqueue(library, pack_id, version, profile)
    return run_download(library, download.id, reporter)


def available_updates(library: Library) -> list[CatalogEntry]:
    """Installed packs with a newer version in the catalog kept here (call
    :func:`app.sync.catalog.fetch_catalog` first for the hub's latest)."""
    return [entry for entry in cached_catalog(library) if entry.status == UPDATE]

"""The content-addressed blob store: ``blobs/<aa>/<bb>/<sha256>``.

A file shared by two packs (or two versions of a pack) is stored once. A blob is streamed to
a temporary name inside the store, hashed on the way, checked against the expected checksum
and size, flushed to disk, and only then renamed into place, so a blob is never half-visible.
Blobs that no database row references (left by a killed import or a removed pack) are
collected by :meth:`BlobStore.collect_garbage`.

Free space: an import first checks that what it will write fits with a margin kept free
(:func:`space_margin`), then, while it writes, stops as if the disk were full once free space
falls under :data:`MIN_FREE_BYTES` (another program may be writing at the same time). A full
disk, real or foreseen, is recognised by :func:`is_disk_full` and reported by
:meth:`BlobStore.disk_full_error` as one line saying how much to free.
"""

from __future__ import annotations

import errno
import hashlib
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

from app.errors import ChecksumError, DiskSpaceError
from app.formatting import size, sizes
from app.i18n import _

CHUNK_SIZE = 1024 * 1024
#: Space always kept free, and the least margin an import keeps beyond what it writes, so
#: the system and the database can still write (small enough for a small USB stick).
MIN_FREE_BYTES = 1024 * 1024
#: The margin grows with the import (a tenth of it, for the database and search index rows
#: that come with the files) up to this much.
MAX_MARGIN_BYTES = 64 * 1024 * 1024
MARGIN_FRACTION = 10

#: What :meth:`BlobStore.check` finds.
INTACT = "intact"
MISSING = "missing"
WRONG_SIZE = "wrong-size"
CORRUPT = "corrupt"
UNREADABLE = "unreadable"

_SQLITE_FULL = 13
_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


def free_bytes(path: Path) -> int:
    """Free bytes on the disk holding ``path``, as an unprivileged user may use them."""
    stat = os.statvfs(path)
    return stat.f_bavail * stat.f_frsize


def space_margin(needed_bytes: int) -> int:
    """Bytes kept free beyond ``needed_bytes``: a tenth of them, at least
    :data:`MIN_FREE_BYTES`, at most :data:`MAX_MARGIN_BYTES`."""
    return min(MAX_MARGIN_BYTES, max(MIN_FREE_BYTES, needed_bytes // MARGIN_FRACTION))


class DiskFilling(OSError):
    """Free space fell under the floor while writing: treated as a full disk, before it is."""

    def __init__(self) -> None:
        super().__init__(errno.ENOSPC, os.strerror(errno.ENOSPC))


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` says the disk is full: ENOSPC or a quota from the OS, SQLITE_FULL from
    SQLite ("database or disk is full")."""
    if isinstance(exc, OSError):
        return exc.errno in _FULL_ERRNOS
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        return (code is not None and code & 0xFF == _SQLITE_FULL) or "disk is full" in str(exc)
    return False


class BlobStore:
    def __init__(self, root: Path, tmp: Path,
                 free_space: Callable[[Path], int] = free_bytes) -> None:
        """``tmp`` is where blobs are written before they are verified, on the disk of
        ``root`` so that the final rename never copies."""
        self.root = root
        self.tmp = tmp
        # Injectable so that the disk-full path can be tested without filling a real disk.
        self._free_space = free_space

    def free_space(self) -> int:
        """Free bytes on the disk holding the store (and the data directory)."""
        self.root.mkdir(parents=True, exist_ok=True)
        return self._free_space(self.root)

    def check_still_free(self, _count: int = 0) -> None:
        """Called as blocks are written: raise :class:`DiskFilling` once free space is under
        :data:`MIN_FREE_BYTES`, so an import stops before the disk is full. Takes (and
        ignores) a byte count so it can be passed as an ``on_bytes`` callback."""
        if self._free_space(self.root) < MIN_FREE_BYTES:
            raise DiskFilling()

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def has(self, sha256: str, size: int | None = None) -> bool:
        path = self.path_for(sha256)
        try:
            actual = path.stat().st_size
        except FileNotFoundError:
            return False
        return size is None or actual == size

    def write(
        self,
        source: IO[bytes],
        expected_sha256: str,
        expected_size: int,
        name: str,
        on_bytes: Callable[[int], None] | None = None,
    ) -> Path:
        """Stream ``source`` into the store, verifying it; raise :class:`ChecksumError` on any
        mismatch (the partial file is removed)."""
        self.tmp.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        written = 0
        fd, tmp_name = tempfile.mkstemp(dir=self.tmp, prefix="in-")
        tmp_path = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as target:
                while block := source.read(CHUNK_SIZE):
                    written += len(block)
                    if written > expected_size:
                        raise ChecksumError(
                            _("{name} is larger than the pack manifest says.").format(name=name)
                        )
                    digest.update(block)
                    target.write(block)
                    self.check_still_free()
                    if on_bytes is not None:
                        on_bytes(len(block))
                target.flush()
                os.fsync(target.fileno())
            if written != expected_size:
                got, want = sizes(written, expected_size)
                raise ChecksumError(
                    _("{name} is truncated: {got} of {want}.").format(
                        name=name, got=got, want=want
                    )
                )
            if digest.hexdigest() != expected_sha256:
                raise ChecksumError(
                    _("{name} is corrupt: its checksum does not match the pack manifest.")
                    .format(name=name)
                )
            final = self.path_for(expected_sha256)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp_path, final)
            return final
        except BaseException:
            tmp_path.unlink(missing_ok=True)
            raise

    def adopt(
        self,
        source: Path,
        expected_sha256: str,
        expected_size: int,
        name: str,
        on_bytes: Callable[[int], None] | None = None,
    ) -> Path:
        """Take ``source``, a file on the store's disk (a finished download), into the store
        without copying its bytes: it is read and verified like :meth:`write` does, then
        hard-linked to a temporary name in the store and renamed into place. ``source``
        stays until its owner removes it, so an import that fails after this loses no
        download. A file system without hard links (FAT) gets a copy through :meth:`write`."""
        digest = hashlib.sha256()
        read = 0
        with open(source, "rb") as stream:
            while block := stream.read(CHUNK_SIZE):
                read += len(block)
                if read > expected_size:
                    break
                digest.update(block)
                if on_bytes is not None:
                    on_bytes(len(block))
        if read != expected_size or digest.hexdigest() != expected_sha256:
            raise ChecksumError(
                _("{name} is corrupt: its checksum does not match the pack manifest.")
                .format(name=name)
            )
        self.tmp.mkdir(parents=True, exist_ok=True)
        linked = self.tmp / f"in-{expected_sha256}-{os.getpid()}"
        linked.unlink(missing_ok=True)
        try:
            os.link(source, linked)
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.EXDEV, errno.ENOTSUP, errno.EMLINK):
                raise
            with open(source, "rb") as stream:
                return self.write(stream, expected_sha256, expected_size, name)
        try:
            final = self.path_for(expected_sha256)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(linked, final)
            return final
        except BaseException:
            linked.unlink(missing_ok=True)
            raise

    def check(
        self, sha256: str, size: int, on_bytes: Callable[[int], None] | None = None
    ) -> tuple[str, int | None]:
        """Check a stored blob against its checksum and size, reading it in blocks (the size
        first: a file of the wrong size is not read). Returns the state (:data:`INTACT`,
        :data:`MISSING`, :data:`WRONG_SIZE`, :data:`CORRUPT` or :data:`UNREADABLE`) and the
        file's size on disk (None when missing). ``on_bytes`` gets the length of each block
        read."""
        path = self.path_for(sha256)
        try:
            actual = path.stat().st_size
        except FileNotFoundError:
            return MISSING, None
        except OSError:
            return UNREADABLE, None
        if not path.is_file():
            return MISSING, None
        if actual != size:
            return WRONG_SIZE, actual
        digest = hashlib.sha256()
        try:
            with open(path, "rb") as stream:
                while block := stream.read(CHUNK_SIZE):
                    digest.update(block)
                    if on_bytes is not None:
                        on_bytes(len(block))
        except OSError:
            return UNREADABLE, actual
        return (INTACT if digest.hexdigest() == sha256 else CORRUPT), actual

    def ensure_space(self, needed_bytes: int, source: str | None = None) -> None:
        """Refuse, before anything is written, what would not fit with :func:`space_margin`
        kept free. ``source`` names an importer's input whose working copy is included."""
        free = self.free_space()
        margin = space_margin(needed_bytes)
        if needed_bytes + margin <= free:
            return
        values = {"needed": size(needed_bytes), "margin": size(margin), "free": size(free),
                  "short": size(needed_bytes + margin - free), "path": self.root.parent,
                  "source": source}
        if source is None:
            message = _("Not enough disk space: this import needs {needed} for the pack plus "
                        "{margin} kept free, and {free} are free; free at least {short} on "
                        "the disk holding {path}.")
        else:
            message = _("Not enough disk space: importing {source} needs about {needed} "
                        "(a working copy and the library's copy) plus {margin} kept free, "
                        "and {free} are free; free at least {short} on the disk holding "
                        "{path}.")
        raise DiskSpaceError(message.format(**values))

    def disk_full_error(self, needed_bytes: int) -> DiskSpaceError:
        """The error for a disk that filled up while ``needed_bytes`` were being written
        (called once the import's partial files are gone, so free space is measured as the
        next attempt will find it)."""
        free = self.free_space()
        margin = space_margin(needed_bytes)
        short = max(needed_bytes + margin - free, MIN_FREE_BYTES)
        return DiskSpaceError(
            _("The disk holding {path} filled up during the import; nothing was changed. "
              "It needs {needed} plus {margin} kept free, and {free} are free now: free at "
              "least {short} and try again.").format(
                path=self.root.parent, needed=size(needed_bytes), margin=size(margin),
                free=size(free), short=size(short))
        )

    def all_hashes(self) -> Iterable[str]:
        for path in self.root.glob("??/??/*"):
            if path.is_file() and len(path.name) == 64:
                yield path.name

    def collect_garbage(self, referenced: set[str]) -> int:
        """Delete blobs nobody references and leftover temporary files; return bytes freed."""
        freed = 0
        for sha256 in list(self.all_hashes()):
            if sha256 not in referenced:
                path = self.path_for(sha256)
                freed += path.stat().st_size
                path.unlink(missing_ok=True)
        if self.tmp.exists():
            for leftover in self.tmp.iterdir():
                freed += leftover.stat().st_size
                leftover.unlink(missing_ok=True)
        return freed


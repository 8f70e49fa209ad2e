"""The content-addressed blob store: ``blobs/<aa>/<bb>/<sha256>``.

A file shared by two packs (or two versions of a pack) is stored once. A blob is streamed to
a temporary name inside the store, hashed on the way, checked against the expected checksum
and size, flushed to disk, and only then renamed into place, so a blob is never half-visible.
Blobs that no database row references (left by a killed import or a removed pack) are
collected by :meth:`BlobStore.collect_garbage`.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

from app.errors import ChecksumError, DiskSpaceError
from app.i18n import _

CHUNK_SIZE = 1024 * 1024
#: Space kept free on the disk after an import, so the system and database can still write.
SPACE_MARGIN_BYTES = 64 * 1024 * 1024


def free_bytes(path: Path) -> int:
    """Free bytes on the disk holding ``path``, as an unprivileged user may use them."""
    stat = os.statvfs(path)
    return stat.f_bavail * stat.f_frsize


class BlobStore:
    def __init__(self, root: Path, free_space: Callable[[Path], int] = free_bytes) -> None:
        self.root = root
        self.tmp = root / "tmp"
        # Injectable so that the disk-full path can be tested without filling a real disk.
        self._free_space = free_space

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
                    if on_bytes is not None:
                        on_bytes(len(block))
                target.flush()
                os.fsync(target.fileno())
            if written != expected_size:
                raise ChecksumError(
                    _("{name} is truncated: {got} of {want} bytes.").format(
                        name=name, got=written, want=expected_size
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

    def verify(self, sha256: str) -> bool:
        """Re-hash a stored blob (used by ``ujuzi verify`` and tests)."""
        digest = hashlib.sha256()
        try:
            with open(self.path_for(sha256), "rb") as stream:
                while block := stream.read(CHUNK_SIZE):
                    digest.update(block)
        except FileNotFoundError:
            return False
        return digest.hexdigest() == sha256

    def ensure_space(self, needed_bytes: int) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        free = self._free_space(self.root)
        if needed_bytes + SPACE_MARGIN_BYTES > free:
            raise DiskSpaceError(
                _(
                    "Not enough disk space: the pack needs {needed} MB and {free} MB are free."
                ).format(needed=_mb(needed_bytes + SPACE_MARGIN_BYTES), free=_mb(free))
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


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}"

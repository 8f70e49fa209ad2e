"""Reading and writing ``.ujpack`` files (zip) safely and reproducibly.

Reading checks every entry before anything is extracted: no absolute paths, no ``..``, no
links, no duplicate names, and declared sizes and compression ratios within limits (zip
bombs). The importer additionally counts the real bytes it streams against the manifest.

Writing is deterministic (fixed timestamps, manifest order, stored media, deflated text) and
atomic (a temporary file renamed into place), so exporting the same pack twice gives the same
bytes.
"""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from app.errors import PackError, UnsafeArchiveError
from app.i18n import _
from app.packs.manifest import MANIFEST_NAME, MAX_MANIFEST_BYTES, Manifest, unique_files

#: A member that expands more than this many times its compressed size is treated as a bomb
#: once it is bigger than :data:`RATIO_FLOOR_BYTES` (text deflates about 3-10x; a bomb about 1000x).
MAX_COMPRESSION_RATIO = 200
RATIO_FLOOR_BYTES = 16 * 1024 * 1024
MAX_MEMBERS = 200_000
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)

# Already-compressed formats are stored; deflating them wastes time and saves nothing.
_STORED_PREFIXES = ("video/", "audio/", "image/")
_STORED_TYPES = {"application/pdf", "application/zip", "application/epub+zip",
                 "application/x-zim"}
_DEFLATED_IMAGES = {"image/svg+xml", "image/bmp"}


def is_unsafe_name(name: str) -> bool:
    if not name or name.startswith(("/", "\\")) or "\\" in name or "\x00" in name:
        return True
    if len(name) >= 2 and name[1] == ":":  # C:/...
        return True
    parts = name.split("/")
    return any(part in ("..", ".") for part in parts)


def check_zip_members(
    archive: zipfile.ZipFile,
    max_total_bytes: int,
    label: str,
    skip: Callable[[str], bool] | None = None,
) -> dict[str, zipfile.ZipInfo]:
    """Check every member of a zip before anything is extracted; return the files by name.

    Used for ``.ujpack`` files and for every zip an importer reads (SCORM, H5P, IMS CC), so
    one set of rules guards them all. ``skip`` drops members such as macOS ``._*`` files.
    """
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise UnsafeArchiveError(_("{name} has too many files.").format(name=label))
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        name = info.filename
        if is_unsafe_name(name):
            raise UnsafeArchiveError(
                _("{label} contains an unsafe path: {name}").format(label=label, name=name[:200])
            )
        if stat.S_ISLNK(info.external_attr >> 16):
            raise UnsafeArchiveError(
                _("{label} contains a link, which is not allowed: {name}")
                .format(label=label, name=name)
            )
        if info.is_dir() or (skip is not None and skip(name)):
            continue
        known = members.get(name)
        if known is not None:
            # Some exporters (Canvas) repeat members byte for byte; only a real clash is
            # ambiguous.
            if (known.CRC, known.file_size) != (info.CRC, info.file_size):
                raise UnsafeArchiveError(
                    _("{label} contains {name} twice with different contents.")
                    .format(label=label, name=name)
                )
            continue
        total += info.file_size
        if total > max_total_bytes:
            raise UnsafeArchiveError(
                _("{label} expands to more than {limit} bytes, past the size limit.")
                .format(label=label, limit=max_total_bytes)
            )
        if (
            info.file_size > RATIO_FLOOR_BYTES
            and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
        ):
            raise UnsafeArchiveError(
                _("{label} looks like a zip bomb: {name} expands {ratio}-fold.").format(
                    label=label, name=name, ratio=info.file_size // max(info.compress_size, 1)
                )
            )
        members[name] = info
    return members


class PackArchive:
    """An opened ``.ujpack`` whose entries have passed the safety checks."""

    def __init__(self, path: Path, max_total_bytes: int) -> None:
        self.path = path
        try:
            self._zip = zipfile.ZipFile(path)
        except FileNotFoundError:
            raise PackError(_("No such file: {path}").format(path=path)) from None
        except IsADirectoryError:
            raise PackError(
                _("{path} is a folder; build a pack from it with 'ujuzi pack build'.")
                .format(path=path)
            ) from None
        except (zipfile.BadZipFile, OSError, ValueError):
            raise PackError(
                _("{name} is not a Ujuzi pack: it is not a zip archive, or it is truncated.")
                .format(name=path.name)
            ) from None
        try:
            self._members = check_zip_members(self._zip, max_total_bytes, path.name)
        except BaseException:
            self._zip.close()
            raise

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> PackArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def names(self) -> set[str]:
        return set(self._members)

    def declared_size(self, name: str) -> int:
        return self._members[name].file_size

    def read_manifest(self) -> bytes:
        info = self._members.get(MANIFEST_NAME)
        if info is None:
            raise PackError(_("The pack has no {name} manifest.").format(name=MANIFEST_NAME))
        if info.file_size > MAX_MANIFEST_BYTES:
            raise PackError(_("The pack manifest is too large."))
        with self.open(MANIFEST_NAME) as stream:
            data = stream.read(MAX_MANIFEST_BYTES + 1)
        if len(data) > MAX_MANIFEST_BYTES:
            raise PackError(_("The pack manifest is too large."))
        return data

    @contextmanager
    def open(self, name: str) -> Iterator[IO[bytes]]:
        """Open a member for streaming; zip damage surfaces as :class:`PackError`."""
        try:
            with self._zip.open(self._members[name]) as stream:
                yield stream
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            if isinstance(exc, PackError):
                raise
            raise PackError(
                _("The pack is damaged or truncated (in {name}).").format(name=name)
            ) from None


def compression_for(mime: str) -> int:
    if mime in _DEFLATED_IMAGES:
        return zipfile.ZIP_DEFLATED
    if mime.startswith(_STORED_PREFIXES) or mime in _STORED_TYPES:
        return zipfile.ZIP_STORED
    return zipfile.ZIP_DEFLATED


def _entry(name: str, compression: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
    info.compress_type = compression
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    info.create_system = 3  # Unix, so the permission bits above are read the same everywhere
    return info


def manifest_bytes(manifest: Manifest) -> bytes:
    """The canonical serialisation used when a pack is built."""
    import json

    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_pack(
    out: Path,
    manifest_data: bytes,
    manifest: Manifest,
    sources: Mapping[str, Path],
    chunk_size: int = 1024 * 1024,
    on_bytes: Callable[[int], None] | None = None,
) -> None:
    """Write a ``.ujpack`` at ``out`` atomically: the manifest, then every file in manifest
    order, each read from ``sources[path]``. ``on_bytes`` hears of every block written (and
    may raise to cancel; the partial file is removed)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.partial")
    try:
        with zipfile.ZipFile(tmp, "w", allowZip64=True) as archive:
            archive.writestr(_entry(MANIFEST_NAME, zipfile.ZIP_DEFLATED), manifest_data)
            for entry in unique_files(manifest):
                info = _entry(entry["path"], compression_for(entry["mime"]))
                info.file_size = entry["size"]
                with (
                    open(sources[entry["path"]], "rb") as source,
                    archive.open(info, "w", force_zip64=entry["size"] > 2**31) as target,
                ):
                    while block := source.read(chunk_size):
                        target.write(block)
                        if on_bytes is not None:
                            on_bytes(len(block))
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise

"""Reading and writing ``.ujpack`` files (zip) safely and reproducibly.

Reading checks every entry before anything is extracted: no absolute paths, no ``..``, no
links, no duplicate names, no name that is both a file and a folder, no encrypted members or
compression methods that cannot be read, and declared sizes and compression ratios within
limits (zip bombs). The number of entries is read from the end of the zip (the end of
central directory record, zip64 included) and counted in the central directory itself
before :mod:`zipfile` parses it, so a file claiming millions of entries costs nothing.
Unpacking counts the real bytes as they are written (:class:`ExpansionBudget`); the importer
additionally counts the real bytes it streams against the manifest.

Writing is deterministic (fixed timestamps, manifest order, stored media, deflated text) and
atomic (a temporary file renamed into place), so exporting the same pack twice gives the same
bytes.
"""

from __future__ import annotations

import os
import stat
import struct
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from app.errors import PackError, UnsafeArchiveError
from app.formatting import number, size
from app.i18n import _, ngettext
from app.packs.manifest import MANIFEST_NAME, MAX_MANIFEST_BYTES, Manifest, unique_files
from app.store.blobs import is_disk_full

#: An archive (or the members of it that expand more than this many times their compressed
#: size, counted together) is treated as a bomb once it expands to more than
#: :data:`RATIO_FLOOR_BYTES`: text deflates about 3-10x, a bomb about 1000x.
MAX_COMPRESSION_RATIO = 200
RATIO_FLOOR_BYTES = 16 * 1024 * 1024
#: Files in one archive: about what one pack manifest (32 MiB) can list.
MAX_MEMBERS = 100_000
#: Bytes of a zip's central directory (file names and their records) read into memory.
MAX_CENTRAL_DIRECTORY_BYTES = 64 * 1024 * 1024
#: Compression methods :mod:`zipfile` reads: stored, deflated, bzip2, LZMA.
READABLE_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2,
                              zipfile.ZIP_LZMA})
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
COPY_CHUNK = 1024 * 1024

_EOCD = struct.Struct("<4s4H2LH")  # end of central directory record
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
_CENTRAL = struct.Struct("<4s6H3L5H2L")  # one central directory file header

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


def too_many_files(label: str, count: int, exact: bool = True) -> UnsafeArchiveError:
    """The error for an archive or folder past :data:`MAX_MEMBERS`."""
    if exact:
        message = ngettext("{name} has {count} file; the limit is {limit}.",
                           "{name} has {count} files; the limit is {limit}.", count)
    else:
        message = ngettext("{name} has more than {count} file; the limit is {limit}.",
                           "{name} has more than {count} files; the limit is {limit}.", count)
    return UnsafeArchiveError(
        message.format(name=label, count=number(count), limit=number(MAX_MEMBERS))
    )


def expansion_limit(archive_bytes: int, max_total_bytes: int) -> int:
    """The most an archive of ``archive_bytes`` on disk may expand to."""
    return min(max_total_bytes, max(RATIO_FLOOR_BYTES, MAX_COMPRESSION_RATIO * archive_bytes))


def expansion_error(label: str, total: int, archive_bytes: int) -> UnsafeArchiveError:
    return UnsafeArchiveError(
        _("{label} looks like a zip bomb: it expands {ratio}-fold ({packed} on disk, {total} "
          "unpacked); the limit is {limit}-fold.").format(
            label=label, ratio=number(total // max(archive_bytes, 1)),
            packed=size(archive_bytes), total=size(total), limit=MAX_COMPRESSION_RATIO)
    )


def zip_entry_count(path: Path) -> int | None:
    """The number of entries of the zip at ``path``, read from its end records and then
    counted by walking the record headers of its central directory (nothing is built per
    entry, so this is cheap where :class:`zipfile.ZipFile` would build them all). Raises
    :class:`UnsafeArchiveError` as soon as the count passes :data:`MAX_MEMBERS` (or the
    directory is past :data:`MAX_CENTRAL_DIRECTORY_BYTES`); None when the end record is not
    found or not consistent (:mod:`zipfile` then says what is wrong)."""
    label = path.name
    with open(path, "rb") as stream:
        stream.seek(0, os.SEEK_END)
        file_size = stream.tell()
        tail_size = min(file_size, _EOCD.size + 0xFFFF)
        stream.seek(file_size - tail_size)
        tail = stream.read(tail_size)
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or at + _EOCD.size > len(tail):
            return None
        fields = _EOCD.unpack_from(tail, at)
        claimed, directory_bytes, directory_offset = fields[4], fields[5], fields[6]
        directory_end = file_size - tail_size + at
        if claimed == 0xFFFF or 0xFFFFFFFF in (directory_bytes, directory_offset):
            record_at = directory_end - _ZIP64_LOCATOR.size - _ZIP64_EOCD.size
            if record_at < 0:
                return None
            stream.seek(record_at)
            record = stream.read(_ZIP64_EOCD.size + _ZIP64_LOCATOR.size)
            if record[:4] != b"PK\x06\x06" or record[_ZIP64_EOCD.size:][:4] != b"PK\x06\x07":
                return None
            fields64 = _ZIP64_EOCD.unpack_from(record)
            claimed, directory_bytes = fields64[7], fields64[8]
            directory_end = record_at
        if claimed > MAX_MEMBERS:
            raise too_many_files(label, claimed)
        if directory_bytes > MAX_CENTRAL_DIRECTORY_BYTES:
            raise UnsafeArchiveError(
                _("{name} lists its files in {size}; the limit is {limit}.").format(
                    name=label, size=size(directory_bytes),
                    limit=size(MAX_CENTRAL_DIRECTORY_BYTES))
            )
        start = directory_end - directory_bytes
        if start < 0:
            return None
        stream.seek(start)
        directory = stream.read(directory_bytes)
    count = 0
    position = 0
    while position + _CENTRAL.size <= len(directory):
        header = _CENTRAL.unpack_from(directory, position)
        if header[0] != b"PK\x01\x02":
            return None
        count += 1
        if count > MAX_MEMBERS:
            raise too_many_files(label, MAX_MEMBERS, exact=False)
        position += _CENTRAL.size + header[10] + header[11] + header[12]
    return count


def open_zip(path: Path) -> zipfile.ZipFile:
    """Open a zip after counting its entries (:func:`zip_entry_count`). Raises
    :class:`UnsafeArchiveError` for too many entries, and what :class:`zipfile.ZipFile`
    raises for a file that is not a zip."""
    zip_entry_count(path)
    return zipfile.ZipFile(path)


def _archive_bytes(archive: zipfile.ZipFile) -> int | None:
    try:
        return os.fstat(archive.fp.fileno()).st_size if archive.fp is not None else None
    except (OSError, AttributeError, ValueError):
        return None


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
        raise too_many_files(label, len(infos))
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    bomb_bytes = 0
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
        if info.flag_bits & 0x1:
            raise PackError(
                _("{label} contains an encrypted file, which Ujuzi cannot read: {name}")
                .format(label=label, name=name[:200])
            )
        if info.compress_type not in READABLE_METHODS:
            raise PackError(
                _("{label} stores {name} with a compression method Ujuzi cannot read "
                  "(method {method}); save the archive again with ordinary zip compression.")
                .format(label=label, name=name[:200], method=info.compress_type)
            )
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
                _("{label} expands to more than {limit}, past the size limit.")
                .format(label=label, limit=size(max_total_bytes))
            )
        if info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            bomb_bytes += info.file_size
            if bomb_bytes > RATIO_FLOOR_BYTES:
                raise UnsafeArchiveError(
                    _("{label} looks like a zip bomb: {name} and other members expand more "
                      "than {limit}-fold, to {total} together.").format(
                        label=label, name=name[:200], limit=MAX_COMPRESSION_RATIO,
                        total=size(bomb_bytes))
                )
        members[name] = info
    archive_bytes = _archive_bytes(archive)
    if archive_bytes is not None and total > expansion_limit(archive_bytes, 2**62):
        raise expansion_error(label, total, archive_bytes)
    check_file_folder_clash(members, label)
    return members


def check_file_folder_clash(names: Iterable[str], label: str) -> None:
    """Refuse an archive holding ``a`` as a file and ``a/b`` (which makes ``a`` a folder)."""
    files: set[str] = set()
    folders: set[str] = set()
    for name in names:
        check_file_or_folder(name, files, folders, label)


def check_file_or_folder(name: str, files: set[str], folders: set[str], label: str) -> None:
    """Refuse ``name`` when an earlier one made it a folder, or made a folder of it a file
    (``a`` and ``a/b``, in either order); then count it among ``files`` and its parents
    among ``folders``. Archives read front to back (tar) check each member as it comes."""
    clash = name if name in folders else None
    parent = name.rpartition("/")[0]
    parents = []
    while parent and clash is None:
        if parent in files:
            clash = parent
        parents.append(parent)
        parent = parent.rpartition("/")[0]
    if clash is not None:
        raise UnsafeArchiveError(
            _("{label} holds a name that is both a file and a folder: {name}")
            .format(label=label, name=clash[:200])
        )
    files.add(name)
    folders.update(parents)


class ExpansionBudget:
    """Bytes written while unpacking an archive, counted as they are written.

    Every member is copied through :meth:`copy`, which stops a member whose stream is longer
    than its declared size and the whole archive once it has written ``limit`` bytes.
    ``on_bytes`` hears of every block written (it checks free space and may raise)."""

    def __init__(self, label: str, limit: int,
                 on_bytes: Callable[[int], None] | None = None) -> None:
        self.label = label
        self.limit = limit
        self.on_bytes = on_bytes
        self.written = 0

    def copy(self, source: IO[bytes], target: IO[bytes], declared: int, name: str) -> int:
        count = 0
        while block := source.read(COPY_CHUNK):
            count += len(block)
            if count > declared:
                raise UnsafeArchiveError(
                    _("{name} in {label} is longer than the {declared} the archive says.")
                    .format(name=name[:200], label=self.label,
                            declared=size(declared, exact=True))
                )
            if self.written + len(block) > self.limit:
                raise UnsafeArchiveError(
                    _("{label} expands past {limit} while unpacking; it is refused.")
                    .format(label=self.label, limit=size(self.limit))
                )
            target.write(block)
            self.written += len(block)
            if self.on_bytes is not None:
                self.on_bytes(len(block))
        return count


class PackArchive:
    """An opened ``.ujpack`` whose entries have passed the safety checks."""

    def __init__(self, path: Path, max_total_bytes: int) -> None:
        self.path = path
        try:
            self._zip = open_zip(path)
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
            if isinstance(exc, PackError) or is_disk_full(exc):
                raise  # a full disk while writing what was read is not damage
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

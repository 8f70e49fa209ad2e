"""Importing a ``.ujpack`` into the library, atomically.

Order of work, so that a crash or kill at any point leaves the library as it was:

1. open the zip and check every entry (paths, links, sizes, bombs);
2. read and validate the manifest; check every listed file is present with the listed size;
3. compare with the installed version (same version: nothing to do; older: refused);
4. check free disk space for the files not already stored;
5. stream each new file into the blob store, verifying sha256 and size (a blob becomes
   visible only by an atomic rename after it is verified, and is unreferenced until step 6);
6. in one transaction, replace the pack's rows (sections, resources, files).

Progress and notes refer to resources by their stable global id, so a newer version keeps
them. Blobs left unreferenced (by the old version, or by a killed import) are collected; when
an import fails, the blobs it stored go at once.

A disk that fills up while blobs are written or at the commit (another program writing at
the same time) ends the import as a :class:`~app.errors.DiskSpaceError` saying how much to
free, after its blobs are removed. Converters work in a scratch folder ``.import-*`` in the
data directory (:meth:`Library.scratch_folder`); one left by a killed process is removed when
a library is next opened, or by the next import.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from app.errors import PackError, UnsafeArchiveError, VersionError
from app.formatting import sizes
from app.i18n import _
from app.library import Library
from app.packs.archive import PackArchive
from app.packs.manifest import Manifest, parse_manifest, unique_files
from app.packs.rules import version_key
from app.store.blobs import is_disk_full
from app.store.db import utc_now
from app.store.keys import resource_key
from app.tasks import Reporter


@dataclass(frozen=True)
class ImportResult:
    pack_id: str
    version: str
    status: str  # "imported", "updated" or "unchanged"
    previous_version: str | None
    files: int
    files_stored: int
    bytes_stored: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def import_pack(
    library: Library,
    path: Path,
    reporter: Reporter | None = None,
    source: str = "file",
    external: Mapping[str, Sequence[Path]] | None = None,
) -> ImportResult:
    """Import the pack at ``path``. ``external`` names files the manifest lists that are not
    in the zip but on disk, read as the concatenation of the given parts: an importer's huge
    source file (a 100 GB ZIM, or a split ``.zimaa`` set) goes straight into the blob store,
    verified like any other, without first being copied into a temporary pack."""
    reporter = reporter or Reporter()
    path = Path(path)
    external = external or {}
    max_bytes = int(library.settings.get("max_pack_bytes"))
    with library.write_lock():
        library.remove_stale_scratch()
        with PackArchive(path, max_bytes) as archive:
            return _import_locked(library, archive, reporter, source, external)


class _PackSource(Protocol):
    """Where an import reads a pack: a ``.ujpack`` (:class:`PackArchive`) or a manifest
    whose files are all on disk (:class:`_ManifestOnly`)."""

    def read_manifest(self) -> bytes: ...
    def names(self) -> set[str]: ...
    def declared_size(self, name: str) -> int: ...
    def open(self, name: str) -> Any: ...


class _ManifestOnly:
    """A pack given as its manifest's bytes alone: every file it lists comes from outside."""

    def __init__(self, raw: bytes) -> None:
        self._raw = raw

    def read_manifest(self) -> bytes:
        return self._raw

    def names(self) -> set[str]:
        return set()

    def declared_size(self, name: str) -> int:
        raise KeyError(name)

    def open(self, name: str) -> Any:
        raise KeyError(name)


def install_manifest(
    library: Library,
    raw: bytes,
    files: Mapping[str, Path],
    reporter: Reporter | None = None,
    source: str = "hub",
) -> ImportResult:
    """Install the pack whose manifest is ``raw`` (exactly the bytes a hub signed), taking
    each file the blob store lacks from ``files`` (manifest path -> a verified download on the
    library's disk), which the store adopts by a hard link instead of a copy
    (:meth:`BlobStore.adopt`: read and checked once more, never copied when the disk allows
    links). The same order and atomicity as :func:`import_pack`; ``files`` stay where they
    are, for the caller to remove once this returns."""
    reporter = reporter or Reporter()
    max_bytes = int(library.settings.get("max_pack_bytes"))
    with library.write_lock():
        library.remove_stale_scratch()
        pack = _ManifestOnly(raw)
        total = sum(e["size"] for e in unique_files(parse_manifest(raw)))
        if total > max_bytes:
            shown, limit = sizes(total, max_bytes)
            raise UnsafeArchiveError(
                _("The pack holds {total}, more than the limit of {limit}.")
                .format(total=shown, limit=limit)
            )
        return _import_locked(library, pack, reporter, source,
                              {path: [file] for path, file in files.items()}, adopt=True)


def _import_locked(
    library: Library,
    archive: _PackSource,
    reporter: Reporter,
    source: str,
    external: Mapping[str, Sequence[Path]],
    adopt: bool = False,
) -> ImportResult:
    raw = archive.read_manifest()
    manifest = parse_manifest(raw)
    entries = unique_files(manifest)
    names = archive.names()
    for entry in entries:
        if entry["path"] in external:
            parts = external[entry["path"]]
            if sum(part.stat().st_size for part in parts) != entry["size"]:
                raise PackError(
                    _("{path} has changed on disk since it was read.")
                    .format(path=entry["path"])
                )
            continue
        if adopt and library.blobs.has(entry["sha256"], entry["size"]):
            continue  # a download needs no copy of what the store holds (under the lock)
        if entry["path"] not in names:
            raise PackError(
                _("The pack is missing {path}, which its manifest lists.")
                .format(path=entry["path"])
            )
        if archive.declared_size(entry["path"]) != entry["size"]:
            got, want = sizes(archive.declared_size(entry["path"]), entry["size"])
            raise PackError(
                _("{path} in the pack holds {got}, but its manifest says {want}.")
                .format(path=entry["path"], got=got, want=want)
            )

    pack_id: str = manifest["id"]
    version: str = manifest["version"]
    manifest_sha256 = hashlib.sha256(raw).hexdigest()
    installed = library.db.execute(
        "SELECT version, manifest_sha256 FROM packs WHERE id = ?", (pack_id,)
    ).fetchone()
    previous: str | None = installed[0] if installed else None
    if previous is not None:
        order = version_key(version).compare(version_key(previous))
        if order < 0:
            raise VersionError(
                _("Version {installed} of {id} is already installed; {version} is older.")
                .format(installed=previous, id=pack_id, version=version)
            )
        if order == 0:
            if installed[1] != manifest_sha256:
                raise VersionError(
                    _(
                        "A different pack {id} {version} is already installed; "
                        "a changed pack needs a new version number."
                    ).format(id=pack_id, version=version)
                )
            if all(library.blobs.has(e["sha256"], e["size"]) for e in entries):
                return ImportResult(pack_id, version, "unchanged", previous, len(entries), 0, 0)

    missing = [e for e in entries if not library.blobs.has(e["sha256"], e["size"])]
    total = sum(e["size"] for e in missing)
    # Adopted files are already on this disk: linking them takes no more space.
    library.blobs.ensure_space(
        sum(e["size"] for e in missing if not (adopt and e["path"] in external)))

    try:
        _store_and_commit(library, archive, manifest, raw, manifest_sha256, source,
                          reporter, external, missing, total, adopt)
    except BaseException as exc:
        _remove_orphans(library)
        if is_disk_full(exc):
            raise library.blobs.disk_full_error(total) from None
        raise
    library.collect_garbage()
    reporter.report("import", total, total, pack_id)
    status = "imported" if installed is None else "updated"
    return ImportResult(pack_id, version, status, previous, len(entries), len(missing), total)


def _store_and_commit(
    library: Library,
    archive: _PackSource,
    manifest: Manifest,
    raw: bytes,
    manifest_sha256: str,
    source: str,
    reporter: Reporter,
    external: Mapping[str, Sequence[Path]],
    missing: list[dict[str, Any]],
    total: int,
    adopt: bool = False,
) -> None:
    """Steps 5 and 6: stream the new files (``total`` bytes) into the blob store (or, with
    ``adopt``, take the outside files in by a link), then write the rows."""
    done = 0
    reporter.report("import", 0, total, manifest["id"])
    for entry in missing:
        def advance(count: int, detail: str = entry["path"]) -> None:
            nonlocal done
            done += count
            reporter.report("import", done, total, detail)

        outside = external.get(entry["path"])
        if adopt and outside is not None and len(outside) == 1:
            library.blobs.adopt(outside[0], entry["sha256"], entry["size"], entry["path"],
                                on_bytes=advance)
            continue
        opened = archive.open(entry["path"]) if outside is None else _concatenated(outside)
        with opened as stream:
            library.blobs.write(
                stream, entry["sha256"], entry["size"], entry["path"], on_bytes=advance
            )
    reporter.checkpoint()

    with library.db.atomic():
        _write_rows(library, manifest, raw, manifest_sha256, source, reporter)


def _remove_orphans(library: Library) -> None:
    """Remove the blobs a failed import stored (the caller holds the write lock). The error
    that ended the import is what the user needs to see: if this fails too (the database
    itself is unusable), the next import collects the blobs."""
    with suppress(Exception):
        library.collect_garbage()


class _PartsReader(io.RawIOBase):
    """Reads several files as one stream (the parts of a split file)."""

    def __init__(self, parts: Sequence[Path]) -> None:
        self._parts = list(parts)
        self._current: IO[bytes] | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while True:
            if self._current is None:
                if not self._parts:
                    return 0
                self._current = open(self._parts.pop(0), "rb")  # noqa: SIM115
            count = self._current.readinto(buffer)  # type: ignore[attr-defined]
            if count:
                return int(count)
            self._current.close()
            self._current = None

    def close(self) -> None:
        if self._current is not None:
            self._current.close()
            self._current = None
        super().close()


@contextmanager
def _concatenated(parts: Sequence[Path]) -> Iterator[IO[bytes]]:
    with io.BufferedReader(_PartsReader(parts), 1024 * 1024) as stream:
        yield stream


def _write_rows(
    library: Library,
    manifest: Manifest,
    raw: bytes,
    manifest_sha256: str,
    source: str,
    reporter: Reporter | None = None,
) -> None:
    db = library.db
    pack_id = manifest["id"]
    db.execute("DELETE FROM packs WHERE id = ?", (pack_id,))  # cascades to the old rows
    total_bytes = sum(e["size"] for e in unique_files(manifest))
    db.execute(
        "INSERT INTO packs(id, version, manifest, manifest_sha256, title, description, "
        "languages, license, attribution, total_bytes, imported_at, source) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            pack_id,
            manifest["version"],
            raw.decode("utf-8"),
            manifest_sha256,
            _json(manifest["title"]),
            _json(manifest.get("description", {})),
            _json(manifest["languages"]),
            manifest["license"],
            manifest["attribution"],
            total_bytes,
            utc_now(),
            source,
        ),
    )
    section_of: dict[str, str] = {}
    order: list[str] = []
    for position, section in enumerate(manifest["sections"]):
        db.execute(
            "INSERT INTO sections(pack_id, id, position, title) VALUES (?,?,?,?)",
            (pack_id, section["id"], position, _json(section["title"])),
        )
        for local_id in section["resources"]:
            section_of[local_id] = section["id"]
            order.append(local_id)
    # Resources not placed in a section keep manifest order after the sectioned ones.
    for resource in manifest["resources"]:
        if resource["id"] not in section_of:
            order.append(resource["id"])
    position_of = {local_id: index for index, local_id in enumerate(order)}
    for resource in manifest["resources"]:
        key = resource_key(pack_id, resource["id"])
        db.execute(
            "INSERT INTO resources(id, pack_id, local_id, section_id, position, kind, lang, "
            "title, description, duration, url, translations) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                key,
                pack_id,
                resource["id"],
                section_of.get(resource["id"]),
                position_of[resource["id"]],
                resource["kind"],
                resource.get("lang"),
                _json(resource["title"]),
                _json(resource.get("description", {})),
                resource.get("duration"),
                resource.get("url"),
                _json(
                    {lang: resource_key(pack_id, other)
                     for lang, other in resource.get("translations", {}).items()}
                ),
            ),
        )
        for entry in resource["files"]:
            _insert_file(library, pack_id, key, entry)
    for entry in manifest.get("files", []):
        _insert_file(library, pack_id, None, entry)
    # The search index commits in this same transaction (app/search/index.py).
    from app.search.index import index_pack

    index_pack(library, manifest, reporter)


def _insert_file(
    library: Library, pack_id: str, resource_id: str | None, entry: dict[str, Any]
) -> None:
    library.db.execute(
        "INSERT OR IGNORE INTO files(pack_id, resource_id, path, sha256, size, mime, role, lang) "
        "VALUES (?,?,?,?,?,?,?,?)",
        (
            pack_id,
            resource_id,
            entry["path"],
            entry["sha256"],
            entry["size"],
            entry["mime"],
            entry["role"],
            entry.get("lang"),
        ),
    )


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)

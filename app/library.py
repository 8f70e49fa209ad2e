"""The library: one data directory's packs, profiles, progress and notes.

This is the facade the CLI and the UI call. It owns the database connection, the blob store
and the settings of one data directory; pack import and export live in :mod:`app.packs` and
work through it. Resource ids are global: ``<pack id>/<resource id in the pack>``, stable
across pack versions so that progress and notes survive updates.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from app import filelock
from app.errors import NotFoundError, UjuziError
from app.i18n import _
from app.paths import Layout, exclusive_lock, layout, private_opener
from app.settings import Settings
from app.store.blobs import INTACT, MISSING, BlobStore, free_bytes
from app.store.db import connect, utc_now
from app.store.records import new_id, write_record
from app.tasks import Reporter

Row = dict[str, Any]
DEFAULT_PROFILE = "default"


@dataclass
class DamagedBlob:
    """A stored file that is not what its packs expect: ``problem`` is one of the states of
    :meth:`app.store.blobs.BlobStore.check`; ``files`` says where the packs use it
    (``pack_id``, ``resource_id``, None for the pack's own files, and ``path``)."""

    sha256: str
    size: int
    problem: str
    actual_size: int | None
    files: list[Row] = field(default_factory=list)

    def as_dict(self) -> Row:
        return {"sha256": self.sha256, "size": self.size, "problem": self.problem,
                "actual_size": self.actual_size, "files": self.files}


@dataclass
class BlobReport:
    """What :meth:`Library.verify` found: how many stored files (and bytes) it checked, and
    the damaged ones."""

    checked: int
    bytes: int
    damaged: list[DamagedBlob]

    def as_dict(self) -> Row:
        return {"checked": self.checked, "bytes": self.bytes,
                "damaged": [blob.as_dict() for blob in self.damaged]}


class Library:
    """An open data directory. Not thread-safe: give each thread its own ``Library``."""

    def __init__(
        self,
        home: str | os.PathLike[str] | None = None,
        free_space: Callable[[Path], int] = free_bytes,
    ) -> None:
        self.layout: Layout = layout(home)
        try:
            self.layout.ensure()
        except OSError as exc:
            raise UjuziError(
                _("Cannot create the data directory {path}: {error}").format(
                    path=self.layout.home, error=exc.strerror
                )
            ) from None
        self.settings = Settings(self.layout)
        self.db: sqlite_utils.Database = connect(self.layout)
        self.blobs = BlobStore(self.layout.blobs, self.layout.blob_tmp, free_space)
        self._tidy_scratch()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writers' lock ------------------------------------------------------------------

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Serialise imports, removals and garbage collection across processes: a blob that
        one process has stored but not yet committed must not be collected by another."""
        with exclusive_lock(self.layout.writers_lock):
            yield

    # -- importers' scratch folders ------------------------------------------------------

    @contextmanager
    def scratch_folder(self) -> Iterator[Path]:
        """A scratch folder on the library's disk (so big files are not copied across disks),
        removed when the import ends, however it ends. It is created and locked under the
        write lock, and stale folders of killed imports are removed first."""
        with self.write_lock():
            remove_stale_scratch(self.layout)
            folder = self.layout.new_staging_folder()
            owner = open(folder / _OWNER, "wb")  # noqa: SIM115 - held until the folder goes
            try:
                filelock.lock(owner, blocking=False)
                owner.write(str(os.getpid()).encode())
                owner.flush()
            except BaseException:
                owner.close()
                shutil.rmtree(folder, ignore_errors=True)
                raise
        try:
            yield folder
        finally:
            try:
                shutil.rmtree(folder, ignore_errors=True)
            finally:
                owner.close()

    def remove_stale_scratch(self) -> int:
        """Remove the scratch folders of imports that are no longer running; the caller holds
        :meth:`write_lock`."""
        return remove_stale_scratch(self.layout)

    def _tidy_scratch(self) -> None:
        """At open, remove what killed imports left, if no writer is busy (never wait: an
        import may hold the lock for minutes, and the next import tidies up too)."""
        if not self.layout.staging_folders():
            return
        with open(self.layout.writers_lock, "a+b", opener=private_opener) as handle:
            try:
                filelock.lock(handle, blocking=False)
            except BlockingIOError:
                return
            try:
                remove_stale_scratch(self.layout)
            finally:
                filelock.unlock(handle)

    def collect_garbage(self) -> int:
        """Remove blobs no pack references and temporary leftovers; return bytes freed.
        Callers hold :meth:`write_lock`."""
        referenced = {row[0] for row in self.db.execute("SELECT DISTINCT sha256 FROM files")}
        return self.blobs.collect_garbage(referenced)

    def verify(self, reporter: Reporter | None = None) -> BlobReport:
        """Check every stored file the packs use against its checksum and size, reading each
        once however many packs share it; progress is reported in bytes. A file found missing
        because a pack was removed meanwhile is not counted as damaged."""
        reporter = reporter or Reporter()
        expected: dict[str, int] = {}
        uses: dict[str, list[Row]] = {}
        for sha256, size, pack_id, resource_id, path in self.db.execute(
            "SELECT sha256, size, pack_id, resource_id, path FROM files "
            "ORDER BY sha256, pack_id, path"
        ):
            expected.setdefault(sha256, size)
            uses.setdefault(sha256, []).append(
                {"pack_id": pack_id, "resource_id": resource_id, "path": path})
        total = sum(expected.values())
        done = 0
        stage = _("verifying")
        reporter.report(stage, 0, total)

        def read(count: int) -> None:
            nonlocal done
            done += count
            reporter.report(stage, done, total)

        damaged = []
        for sha256, size in expected.items():
            before = done
            problem, actual = self.blobs.check(sha256, size, read)
            if done < before + size:  # what was not read still counts as checked
                read(before + size - done)
            if problem == MISSING and not self.db.execute(
                    "SELECT 1 FROM files WHERE sha256 = ?", (sha256,)).fetchone():
                continue  # its pack was removed while we checked
            if problem != INTACT:
                damaged.append(DamagedBlob(sha256, size, problem, actual, uses[sha256]))
        return BlobReport(len(expected), total, damaged)

    # -- profiles -------------------------------------------------------------------------

    def profiles(self) -> list[Row]:
        return list(
            self.db.query(
                "SELECT id, name, created_at FROM profiles WHERE deleted = 0 ORDER BY name"
            )
        )

    def profile_id(self, name: str | None = None) -> str:
        wanted = name or self.settings.get("profile") or DEFAULT_PROFILE
        row = self.db.execute(
            "SELECT id FROM profiles WHERE name = ? AND deleted = 0", (wanted,)
        ).fetchone()
        if row is None:
            raise NotFoundError(
                _("There is no profile named {name}; create it with 'ujuzi profile add {name}'.")
                .format(name=wanted)
            )
        return str(row[0])

    def add_profile(self, name: str) -> str:
        name = name.strip()
        if not name or len(name) > 100:
            raise UjuziError(_("A profile name must have 1 to 100 characters."))
        with self.db.atomic():
            exists = self.db.execute(
                "SELECT 1 FROM profiles WHERE name = ? AND deleted = 0", (name,)
            ).fetchone()
            if exists:
                raise UjuziError(_("A profile named {name} already exists.").format(name=name))
            profile_id = new_id()
            write_record(self.db, "profiles", {"id": profile_id},
                         {"name": name, "created_at": utc_now()})
        return profile_id

    def remove_profile(self, name: str) -> None:
        if name == DEFAULT_PROFILE:
            raise UjuziError(_("The default profile cannot be removed."))
        profile_id = self.profile_id(name)
        write_record(self.db, "profiles", {"id": profile_id}, {}, deleted=True)

    # -- packs and resources --------------------------------------------------------------

    def packs(self) -> list[Row]:
        rows = self.db.query(
            "SELECT p.id, p.version, p.title, p.description, p.languages, p.license, "
            "p.attribution, p.total_bytes, p.imported_at, "
            "(SELECT COUNT(*) FROM resources r WHERE r.pack_id = p.id) AS resource_count "
            "FROM packs p ORDER BY p.id"
        )
        return [_decode_pack(row) for row in rows]

    def has_pack(self, pack_id: str) -> bool:
        return bool(self.db.execute("SELECT 1 FROM packs WHERE id = ?", (pack_id,)).fetchone())

    def pack(self, pack_id: str, profile: str | None = None) -> Row:
        """A pack with its sections, resources (with files and progress) in order."""
        rows = list(self.db.query("SELECT * FROM packs WHERE id = ?", (pack_id,)))
        if not rows:
            raise NotFoundError(_("No pack with id {id}.").format(id=pack_id))
        pack = _decode_pack(rows[0])
        pack["manifest"] = json.loads(rows[0]["manifest"])
        profile_id = self.profile_id(profile)
        resources = [
            self._decode_resource(row, profile_id)
            for row in self.db.query(
                "SELECT * FROM resources WHERE pack_id = ? ORDER BY position", (pack_id,)
            )
        ]
        by_section: dict[str | None, list[Row]] = {}
        for resource in resources:
            by_section.setdefault(resource["section_id"], []).append(resource)
        pack["sections"] = [
            {
                "id": row["id"],
                "title": json.loads(row["title"]),
                "resources": by_section.get(row["id"], []),
            }
            for row in self.db.query(
                "SELECT * FROM sections WHERE pack_id = ? ORDER BY position", (pack_id,)
            )
        ]
        pack["unsectioned"] = by_section.get(None, [])
        pack["files"] = self._files("pack_id = ? AND resource_id IS NULL", pack_id)
        done = sum(1 for resource in resources if resource["progress"]["completed"])
        pack["progress"] = {"completed": done, "total": len(resources)}
        return pack

    def resource(self, resource_id: str, profile: str | None = None) -> Row:
        rows = list(self.db.query("SELECT * FROM resources WHERE id = ?", (resource_id,)))
        if not rows:
            raise NotFoundError(_("No resource with id {id}.").format(id=resource_id))
        return self._decode_resource(rows[0], self.profile_id(profile))

    def find(self, item_id: str, profile: str | None = None) -> Row:
        """A pack or a resource by id, tagged with ``type``."""
        if self.has_pack(item_id):
            return {"type": "pack", **self.pack(item_id, profile)}
        try:
            return {"type": "resource", **self.resource(item_id, profile)}
        except NotFoundError:
            raise NotFoundError(
                _("No pack or resource with id {id}.").format(id=item_id)
            ) from None

    def _decode_resource(self, row: Row, profile_id: str) -> Row:
        resource = dict(row)
        for key in ("title", "description", "translations"):
            resource[key] = json.loads(resource[key])
        resource["files"] = self._files("resource_id = ?", row["id"])
        resource["progress"] = self._progress(profile_id, row["id"])
        return resource

    def _files(self, where: str, value: str) -> list[Row]:
        return [
            {**row, "blob": str(self.blobs.path_for(row["sha256"]))}
            for row in self.db.query(
                f"SELECT path, sha256, size, mime, role, lang FROM files WHERE {where} "
                "ORDER BY rowid",
                (value,),
            )
        ]

    def pack_files(self, pack_id: str) -> list[Row]:
        """Every file of a pack (the pack's own and its resources'), each with the resource it
        belongs to (``resource_id``, None for the pack's own) and its blob."""
        return [
            {**row, "blob": str(self.blobs.path_for(row["sha256"]))}
            for row in self.db.query(
                "SELECT path, sha256, size, mime, role, lang, resource_id FROM files "
                "WHERE pack_id = ? ORDER BY rowid",
                (pack_id,),
            )
        ]

    def pack_cover(self, pack_id: str) -> Path | None:
        """The blob of a pack's cover picture, if it has one."""
        row = self.db.execute(
            "SELECT f.sha256 FROM files f WHERE f.pack_id = ? AND f.resource_id IS NULL "
            "AND f.path = json_extract((SELECT manifest FROM packs WHERE id = ?), '$.cover')",
            (pack_id, pack_id),
        ).fetchone()
        return None if row is None else self.blobs.path_for(row[0])

    def resource_urls(self, pack_id: str) -> list[tuple[str, str]]:
        """``(resource id, url)`` of a pack's resources that have a url, in the order they
        were stored."""
        return [
            (str(row[0]), str(row[1]))
            for row in self.db.execute(
                "SELECT id, url FROM resources WHERE pack_id = ? AND url IS NOT NULL "
                "ORDER BY rowid",
                (pack_id,),
            )
        ]

    def main_file(self, resource_id: str) -> Path:
        """The on-disk blob of a resource's main file (what a viewer or player opens)."""
        row = self.db.execute(
            "SELECT sha256 FROM files WHERE resource_id = ? AND role = 'main' ORDER BY rowid",
            (resource_id,),
        ).fetchone()
        if row is None:
            raise NotFoundError(_("Resource {id} has no main file.").format(id=resource_id))
        return self.blobs.path_for(row[0])

    def remove_pack(self, pack_id: str) -> int:
        """Remove a pack and free its files; the learner's progress and notes are kept so a
        later re-import restores them. Returns the bytes freed."""
        with self.write_lock():
            if not self.has_pack(pack_id):
                raise NotFoundError(_("No pack with id {id}.").format(id=pack_id))
            with self.db.atomic():
                from app.search.index import unindex_pack

                unindex_pack(self.db, pack_id)  # the search index changes in this transaction
                self.db.execute("DELETE FROM packs WHERE id = ?", (pack_id,))
            return self.collect_garbage()

    # -- progress -------------------------------------------------------------------------

    def _progress(self, profile_id: str, resource_id: str) -> Row:
        row = self.db.execute(
            "SELECT position, completed, completed_at, updated_at FROM progress "
            "WHERE profile_id = ? AND resource_id = ? AND deleted = 0",
            (profile_id, resource_id),
        ).fetchone()
        if row is None:
            return {"position": 0.0, "completed": False, "completed_at": None, "updated_at": None}
        return {
            "position": row[0],
            "completed": bool(row[1]),
            "completed_at": row[2],
            "updated_at": row[3],
        }

    def progress(self, resource_id: str, profile: str | None = None) -> Row:
        self.resource(resource_id, profile)  # raises NotFoundError for unknown ids
        return self._progress(self.profile_id(profile), resource_id)

    def record_progress(
        self,
        resource_id: str,
        profile: str | None = None,
        position: float | None = None,
        complete: bool = False,
    ) -> Row:
        """Record a position and/or completion. Completion is never undone by a later
        position update: progress only moves forward, which is also how sync merges it."""
        if position is not None and (position < 0 or position != position):
            raise UjuziError(_("A position must be a number of seconds, 0 or more."))
        self.resource(resource_id, profile)
        profile_id = self.profile_id(profile)
        now = utc_now()
        with self.db.atomic():
            existing = self.db.execute(
                "SELECT position, completed, completed_at FROM progress "
                "WHERE profile_id = ? AND resource_id = ?",
                (profile_id, resource_id),
            ).fetchone()
            before_position, before_completed, before_completed_at = existing or (0.0, 0, None)
            write_record(
                self.db,
                "progress",
                {"profile_id": profile_id, "resource_id": resource_id},
                {
                    "position": before_position if position is None else position,
                    "completed": int(bool(before_completed) or complete),
                    "completed_at": before_completed_at or (now if complete else None),
                },
            )
        return self._progress(profile_id, resource_id)

    # -- notes ----------------------------------------------------------------------------

    def add_note(
        self,
        resource_id: str,
        body: str,
        profile: str | None = None,
        at_seconds: float | None = None,
    ) -> Row:
        body = body.strip()
        if not body:
            raise UjuziError(_("A note cannot be empty."))
        if at_seconds is not None and (at_seconds < 0 or at_seconds != at_seconds):
            raise UjuziError(_("A note's time must be a number of seconds, 0 or more."))
        self.resource(resource_id, profile)
        profile_id = self.profile_id(profile)
        note_id = new_id()
        with self.db.atomic():
            write_record(
                self.db,
                "notes",
                {"id": note_id},
                {
                    "profile_id": profile_id,
                    "resource_id": resource_id,
                    "body": body,
                    "at_seconds": at_seconds,
                    "created_at": utc_now(),
                },
            )
            from app.search.index import index_note

            index_note(self.db, note_id)  # searchable as soon as it is saved
        return self.note(note_id)

    def _check_live_note(self, note_id: str, profile_id: str) -> None:
        """Raise :class:`NotFoundError` unless the profile has this note, not deleted."""
        live = self.db.execute(
            "SELECT 1 FROM notes WHERE id = ? AND profile_id = ? AND deleted = 0",
            (note_id, profile_id),
        ).fetchone()
        if live is None:
            raise NotFoundError(_("No note with id {id}.").format(id=note_id))

    def edit_note(self, note_id: str, body: str, profile: str | None = None) -> Row:
        """Change a note's text. The edit has seen every version of the note, so a note in
        conflict (edited on two devices without seeing each other) becomes this one text."""
        body = body.strip()
        if not body:
            raise UjuziError(_("A note cannot be empty."))
        profile_id = self.profile_id(profile)
        with self.db.atomic():
            self._check_live_note(note_id, profile_id)
            write_record(self.db, "notes", {"id": note_id}, {"body": body})
            from app.search.index import index_note

            index_note(self.db, note_id)
        return self.note(note_id)

    def note(self, note_id: str) -> Row:
        """A live note; ``versions`` holds each version's ``body`` (several, and
        ``conflict`` true, while edits made on two devices wait for the learner)."""
        rows = list(
            self.db.query(
                "SELECT id, resource_id, body, at_seconds, created_at, updated_at FROM notes "
                "WHERE id = ? AND deleted = 0",
                (note_id,),
            )
        )
        if not rows:
            raise NotFoundError(_("No note with id {id}.").format(id=note_id))
        return self._with_versions(rows[0])

    def _with_versions(self, row: Row) -> Row:
        from app.store.records import note_versions

        versions = [{"body": version["body"]} for version in note_versions(self.db, row["id"])]
        if not versions:
            versions = [{"body": row["body"]}]
        return {**row, "conflict": len(versions) > 1, "versions": versions}

    def notes(self, profile: str | None = None, resource_id: str | None = None) -> list[Row]:
        profile_id = self.profile_id(profile)
        sql = (
            "SELECT n.id, n.resource_id, n.body, n.at_seconds, n.created_at, n.updated_at, "
            "r.title AS resource_title FROM notes n LEFT JOIN resources r ON r.id = n.resource_id "
            "WHERE n.profile_id = ? AND n.deleted = 0"
        )
        params: list[Any] = [profile_id]
        if resource_id is not None:
            sql += " AND n.resource_id = ?"
            params.append(resource_id)
        sql += " ORDER BY n.created_at, n.rowid"
        rows = []
        for row in self.db.query(sql, params):
            row["resource_title"] = json.loads(row["resource_title"] or "{}")
            rows.append(self._with_versions(row))
        return rows

    def delete_note(self, note_id: str, profile: str | None = None) -> None:
        """Delete a note so that its text is gone from the disk: the row becomes a tombstone
        (id, version, update time, ``deleted``; the text and time emptied), the search index
        is rewritten without it, freed space is zeroed (``secure_delete``) and the write-ahead
        log, which still holds the old pages, is checkpointed and truncated."""
        profile_id = self.profile_id(profile)
        with self.db.atomic():
            self._check_live_note(note_id, profile_id)
            from app.search.index import unindex_note

            unindex_note(self.db, note_id)
            write_record(self.db, "notes", {"id": note_id}, {"body": "", "at_seconds": None},
                         deleted=True)
            # FTS5 keeps a deleted row's words in its index (and adds them again as delete
            # markers) until segments merge: merge them all now.
            self.db.execute("INSERT INTO notes_fts(notes_fts) VALUES ('optimize')")
        if not self.db.conn.in_transaction:
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _decode_pack(row: Row) -> Row:
    pack = dict(row)
    for key in ("title", "description", "languages"):
        pack[key] = json.loads(pack[key])
    return pack


#: The file inside a scratch folder that its process keeps locked while it runs.
_OWNER = ".owner"


def remove_stale_scratch(layout: Layout) -> int:
    """Remove the scratch folders of converters that are no longer running (killed, or from
    a crash), and return how many went. Call it holding the library's write lock:
    :meth:`Library.scratch_folder` creates and locks its folder under the same lock, so a
    folder whose owner file is not locked has no running owner."""
    removed = 0
    for folder in layout.staging_folders():
        if folder.is_symlink() or not folder.is_dir():
            continue
        try:
            handle = open(folder / _OWNER, "rb")  # noqa: SIM115 - closed below
        except FileNotFoundError:
            handle = None  # never locked: left before its owner could lock it
        except OSError:
            continue
        try:
            if handle is not None:
                try:
                    filelock.lock(handle, blocking=False)
                except BlockingIOError:
                    continue  # its import is running
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
        finally:
            if handle is not None:
                handle.close()
    return removed

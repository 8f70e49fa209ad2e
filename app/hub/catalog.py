"""Submissions, review and the published catalog.

An upload is checked like an import (the zip's safety, the manifest, every listed file
present with its size and sha256) before it becomes a submission; it waits in
:attr:`HubLayout.submissions` until a curator approves it. Approval copies its files into the
hub's content-addressed blob folder (verified again on the way in), signs the manifest's exact
bytes with the hub's key and publishes the version in one transaction. Learners see only
published versions, and only files of published versions are served.

The catalog body is built from one stored entry per published version and cached by each
worker under the database's catalog change counter, so every worker serves the same bytes
and a change made through any worker is seen by all at their next request.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from app.errors import ChecksumError, HubError, NotFoundError, PackError
from app.formatting import sizes
from app.hub import db, keys
from app.hub.accounts import User
from app.hub.config import HubConfig
from app.i18n import _, ngettext
from app.packs.archive import PackArchive
from app.packs.manifest import Manifest, parse_manifest, unique_files
from app.packs.rules import version_key
from app.packs.signing import HubKey
from app.store.blobs import CHUNK_SIZE, BlobStore

PENDING = "pending"
APPROVED = "approved"
REJECTED = "rejected"
STATUSES = (PENDING, APPROVED, REJECTED)
MAX_REASON = 2000
#: The largest id a submission can have (the integer column of both databases).
MAX_ID = 2**31 - 1


class VersionConflict(HubError):
    """A version that is not newer than the published one."""


class StateConflict(HubError):
    """A submission that was already decided."""


@dataclass(frozen=True)
class Inspected:
    raw: bytes
    manifest: Manifest
    size: int
    files: int


def inspect_pack(path: Path, max_bytes: int) -> Inspected:
    """Check an uploaded pack as the importer would, reading every file once to check its
    sha256; raise :class:`PackError` with the importer's words."""
    with PackArchive(path, max_bytes) as archive:
        raw = archive.read_manifest()
        manifest = parse_manifest(raw)
        entries = unique_files(manifest)
        names = archive.names()
        for entry in entries:
            if entry["path"] not in names:
                raise PackError(_("The pack is missing {path}, which its manifest lists.")
                                .format(path=entry["path"]))
            if archive.declared_size(entry["path"]) != entry["size"]:
                got, want = sizes(archive.declared_size(entry["path"]), entry["size"])
                raise PackError(
                    _("{path} in the pack holds {got}, but its manifest says {want}.")
                    .format(path=entry["path"], got=got, want=want))
        for entry in entries:
            digest = hashlib.sha256()
            count = 0
            with archive.open(entry["path"]) as stream:
                while block := stream.read(CHUNK_SIZE):
                    count += len(block)
                    if count > entry["size"]:
                        break
                    digest.update(block)
            if count != entry["size"] or digest.hexdigest() != entry["sha256"]:
                raise ChecksumError(
                    _("{name} is corrupt: its checksum does not match the pack manifest.")
                    .format(name=entry["path"]))
    return Inspected(raw, manifest, sum(entry["size"] for entry in entries), len(entries))


def max_unpacked(config: HubConfig) -> int:
    """The most an uploaded pack may unpack to (media is stored, text deflates)."""
    return 4 * config.max_upload


# -- submissions -----------------------------------------------------------------------------

_submitters = db.users.alias("submitter")
_reviewers = db.users.alias("reviewer")


def _submission_query() -> sa.Select[Any]:
    return (
        sa.select(db.submissions, _submitters.c.name.label("submitter_name"),
                  _reviewers.c.name.label("reviewer_name"))
        .outerjoin(_submitters, _submitters.c.id == db.submissions.c.submitter_id)
        .outerjoin(_reviewers, _reviewers.c.id == db.submissions.c.reviewer_id)
    )


def _submission(row: sa.RowMapping, with_manifest: bool = False) -> dict[str, Any]:
    result = {
        "id": row["id"], "pack_id": row["pack_id"], "version": row["version"],
        "title": json.loads(row["title"]), "submitter": row["submitter_name"],
        "submitter_id": row["submitter_id"],
        "submitted_at": db.iso(row["submitted_at"]), "status": row["status"],
        "reason": row["reason"], "reviewer": row["reviewer_name"],
        "reviewed_at": db.iso(row["reviewed_at"]), "size": row["size"],
        "files": row["files"], "languages": json.loads(row["languages"]),
        "license": row["license"], "attribution": row["attribution"],
    }
    if with_manifest:
        result["manifest"] = row["manifest"]
    return result


def get_submission(engine: Engine, submission_id: int,
                   with_manifest: bool = False) -> dict[str, Any]:
    if not 1 <= submission_id <= MAX_ID:
        raise NotFoundError(_("There is no submission {id}.").format(id=submission_id))
    with engine.connect() as connection:
        row = connection.execute(_submission_query().where(
            db.submissions.c.id == submission_id)).mappings().first()
    if row is None:
        raise NotFoundError(_("There is no submission {id}.").format(id=submission_id))
    return _submission(row, with_manifest)


def list_submissions(engine: Engine, status: str | None = None,
                     submitter: int | None = None) -> list[dict[str, Any]]:
    query = _submission_query().order_by(db.submissions.c.id)
    if status is not None:
        query = query.where(db.submissions.c.status == status)
    if submitter is not None:
        query = query.where(db.submissions.c.submitter_id == submitter)
    with engine.connect() as connection:
        return [_submission(row) for row in connection.execute(query).mappings()]


def _latest_published(connection: Connection, pack_id: str) -> str | None:
    versions = connection.execute(sa.select(db.published.c.version).where(
        db.published.c.pack_id == pack_id)).scalars().all()
    return max(versions, key=version_key) if versions else None


def _check_newer(connection: Connection, pack_id: str, version: str) -> None:
    latest = _latest_published(connection, pack_id)
    if latest is not None and version_key(version) <= version_key(latest):
        raise VersionConflict(
            _("{id} {version} is not newer than the published version {latest}.")
            .format(id=pack_id, version=version, latest=latest))


def submit(config: HubConfig, engine: Engine, upload: Path, submitter: User | None,
           publish: bool = False) -> dict[str, Any]:
    """Turn an uploaded file into a submission (the file is moved or removed either way);
    approved at once when ``publish``."""
    hub = config.layout
    try:
        pack = inspect_pack(upload, max_unpacked(config))
        manifest = pack.manifest
        with engine.begin() as connection:
            _check_newer(connection, manifest["id"], manifest["version"])
            submission_id = connection.execute(db.submissions.insert().values(
                pack_id=manifest["id"], version=manifest["version"],
                title=json.dumps(manifest["title"], ensure_ascii=False),
                submitter_id=submitter.id if submitter else None, submitted_at=db.now(),
                status=PENDING, size=pack.size, files=pack.files,
                languages=json.dumps(manifest["languages"]), license=manifest["license"],
                attribution=manifest["attribution"], manifest=pack.raw.decode("utf-8"),
            ).returning(db.submissions.c.id)).scalar_one()
            hub.submissions.mkdir(parents=True, exist_ok=True)
            os.replace(upload, hub.submission(submission_id))
    finally:
        upload.unlink(missing_ok=True)
    if publish:
        return approve(config, engine, submission_id, submitter)
    return get_submission(engine, submission_id)


def _catalog_entry(manifest: Manifest, size: int, files: int, manifest_sha256: str,
                   published_at: int) -> str:
    entry = {
        "id": manifest["id"], "version": manifest["version"], "title": manifest["title"],
        "description": manifest.get("description", {}), "languages": manifest["languages"],
        "skills": manifest.get("skills", []), "level": manifest.get("level"),
        "license": manifest["license"], "attribution": manifest["attribution"],
        "size": size, "files": files, "manifest_sha256": manifest_sha256,
        "published_at": db.iso(published_at),
    }
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":"))


def approve(config: HubConfig, engine: Engine, submission_id: int,
            reviewer: User | None) -> dict[str, Any]:
    """Publish a pending submission: its files into the blob folder, its manifest signed."""
    hub = config.layout
    current = get_submission(engine, submission_id, with_manifest=True)
    if current["status"] != PENDING:
        raise StateConflict(_("Submission {id} is already {status}.").format(
            id=submission_id, status=current["status"]))
    raw = current["manifest"].encode("utf-8")
    manifest = parse_manifest(raw)
    entries = unique_files(manifest)
    store = BlobStore(hub.blobs, hub.blob_tmp)
    with PackArchive(hub.submission(submission_id), max_unpacked(config)) as archive:
        for entry in entries:
            if not store.has(entry["sha256"], entry["size"]):
                with archive.open(entry["path"]) as stream:
                    store.write(stream, entry["sha256"], entry["size"], entry["path"])
    key = keys.load(config)
    at = db.now()
    try:
        with engine.begin() as connection:
            _check_newer(connection, manifest["id"], manifest["version"])
            changed = connection.execute(db.submissions.update().where(
                db.submissions.c.id == submission_id, db.submissions.c.status == PENDING,
            ).values(status=APPROVED, reviewer_id=reviewer.id if reviewer else None,
                     reviewed_at=at))
            if changed.rowcount != 1:
                raise StateConflict(_("Submission {id} was decided by someone else.")
                                    .format(id=submission_id))
            _insert_published(connection, key, manifest, raw, entries, current["size"],
                              current["files"], submission_id, at)
    except IntegrityError:
        raise VersionConflict(_("{id} {version} is already published.").format(
            id=manifest["id"], version=manifest["version"])) from None
    return get_submission(engine, submission_id)


def _insert_published(connection: Connection, key: HubKey, manifest: Manifest, raw: bytes,
                      entries: list[dict[str, Any]], size: int, files: int,
                      submission_id: int | None, at: int) -> None:
    """Put a version into the catalog, its manifest signed by ``key`` (the caller's
    transaction; the version must be newer than the published one)."""
    manifest_sha256 = hashlib.sha256(raw).hexdigest()
    published_id = connection.execute(db.published.insert().values(
        pack_id=manifest["id"], version=manifest["version"],
        submission_id=submission_id, manifest=raw.decode("utf-8"),
        manifest_sha256=manifest_sha256, signature=key.sign_manifest(raw),
        fingerprint=key.fingerprint,
        entry=_catalog_entry(manifest, size, files, manifest_sha256, at),
        size=size, files=files, published_at=at,
    ).returning(db.published.c.id)).scalar_one()
    connection.execute(db.published_files.insert(), [
        {"published_id": published_id, "sha256": entry["sha256"], "size": entry["size"]}
        for entry in {e["sha256"]: e for e in entries}.values()])
    db.bump(connection, db.CATALOG_COUNTER)


def is_newer(engine: Engine, pack_id: str, version: str) -> bool:
    """Whether ``version`` is newer than the version of ``pack_id`` published here."""
    with engine.connect() as connection:
        latest = _latest_published(connection, pack_id)
    return latest is None or version_key(version) > version_key(latest)


def publish_mirrored(config: HubConfig, engine: Engine, raw: bytes) -> bool:
    """Publish a version another hub published (its manifest ``raw``, checked against that
    hub's key by the caller), signed with this hub's key, once every file it lists is in the
    blob folder; False when this hub already has it or a newer one."""
    manifest = parse_manifest(raw)
    entries = unique_files(manifest)
    store = BlobStore(config.layout.blobs, config.layout.blob_tmp)
    missing = [entry["sha256"] for entry in entries
               if not store.has(entry["sha256"], entry["size"])]
    if missing:
        raise PackError(ngettext("{id} {version}: {count} of its files is not on this hub.",
                                 "{id} {version}: {count} of its files are not on this hub.",
                                 len(missing)).format(id=manifest["id"],
                                                      version=manifest["version"],
                                                      count=len(missing)))
    key = keys.load(config)
    try:
        with engine.begin() as connection:
            _check_newer(connection, manifest["id"], manifest["version"])
            _insert_published(connection, key, manifest, raw, entries,
                              sum(entry["size"] for entry in entries), len(entries), None,
                              db.now())
    except (VersionConflict, IntegrityError):
        return False
    return True


def reject(engine: Engine, submission_id: int, reviewer: User | None,
           reason: str) -> dict[str, Any]:
    reason = reason.strip()
    if not reason:
        raise HubError(_("Say why the submission is rejected: the submitter reads it."))
    get_submission(engine, submission_id)
    with engine.begin() as connection:
        changed = connection.execute(db.submissions.update().where(
            db.submissions.c.id == submission_id, db.submissions.c.status == PENDING,
        ).values(status=REJECTED, reason=reason[:MAX_REASON],
                 reviewer_id=reviewer.id if reviewer else None, reviewed_at=db.now()))
    if changed.rowcount != 1:
        current = get_submission(engine, submission_id)
        raise StateConflict(_("Submission {id} is already {status}.").format(
            id=submission_id, status=current["status"]))
    return get_submission(engine, submission_id)


# -- what learners see -----------------------------------------------------------------------

@dataclass(frozen=True)
class CatalogBody:
    counter: int
    etag: str
    raw: bytes
    gzipped: bytes


class CatalogCache:
    """The catalog's bytes, rebuilt when the database's change counter moves."""

    def __init__(self) -> None:
        self._body: CatalogBody | None = None
        self._lock = threading.Lock()

    def get(self, engine: Engine) -> CatalogBody:
        with engine.connect() as connection:
            counter = db.counter(connection, db.CATALOG_COUNTER)
            body = self._body
            if body is not None and body.counter == counter:
                return body
            with self._lock:
                body = self._body
                if body is not None and body.counter == counter:
                    return body
                rows = connection.execute(sa.select(
                    db.published.c.pack_id, db.published.c.version, db.published.c.entry,
                )).all()
        latest: dict[str, tuple[Any, str]] = {}
        for pack_id, version, entry in rows:
            key = version_key(version)
            known = latest.get(pack_id)
            if known is None or key > known[0]:
                latest[pack_id] = (key, entry)
        raw = ('{"packs":[' + ",".join(latest[pack_id][1] for pack_id in sorted(latest))
               + "]}").encode("utf-8")
        etag = '"catalog-' + hashlib.sha256(raw).hexdigest()[:32] + '"'
        body = CatalogBody(counter, etag, raw, gzip.compress(raw, compresslevel=6, mtime=0))
        with self._lock:
            self._body = body
        return body


def published_manifest(engine: Engine, pack_id: str, version: str) -> dict[str, Any]:
    with engine.connect() as connection:
        row = connection.execute(sa.select(
            db.published.c.manifest, db.published.c.signature, db.published.c.fingerprint,
        ).where(db.published.c.pack_id == pack_id,
                db.published.c.version == version)).mappings().first()
    if row is None:
        raise NotFoundError(_("{id} {version} is not published on this hub.").format(
            id=pack_id, version=version))
    return {"manifest": row["manifest"], "signature": row["signature"],
            "fingerprint": row["fingerprint"]}


def published_blob(config: HubConfig, engine: Engine, sha256: str) -> Path | None:
    """The file of ``sha256`` when a published version lists it, else None."""
    with engine.connect() as connection:
        listed = connection.execute(sa.select(db.published_files.c.size).where(
            db.published_files.c.sha256 == sha256).limit(1)).first()
    if listed is None:
        return None
    hub = config.layout
    path = BlobStore(hub.blobs, hub.blob_tmp).path_for(sha256)
    return path if path.is_file() else None

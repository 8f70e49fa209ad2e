"""The one writer of learners' records, and the ``meta`` table's accessors.

Learners' records (profiles, progress, notes, quiz attempts) will sync between devices, so
each write gives the record a new version: this device's id and the next value of its change
counter (kept in ``meta``), with the time of the change and a ``deleted`` tombstone.
:func:`write_record` is the only code that writes these tables, so that the version, the
tombstone and, later, a log of changes for sync are made in one place. Interactive state (a
SCORM activity's memory) is written by it too but stays on this device: it gets its update
time and no version.

``meta`` holds single values by key: the device id, the change counter, one-off markers, the
search index's state. :func:`get_meta`, :func:`set_meta` and :func:`next_version` are its only
accessors (the first migration writes its first rows).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import sqlite_utils

from app.store.db import utc_now

DEVICE_KEY = "device_id"
COUNTER_KEY = "counter"


class Version(NamedTuple):
    """A record's version: the device that wrote it and that device's change counter."""

    device_id: str
    counter: int


@dataclass(frozen=True)
class RecordTable:
    """A table of learners' records: the columns that name one record, whether its records
    sync (and so carry a version and a tombstone), and whether a new record gets a UUID
    ``id`` when its key does not name one."""

    name: str
    key: tuple[str, ...]
    synced: bool = True
    new_id: bool = False


RECORD_TABLES: dict[str, RecordTable] = {
    table.name: table
    for table in (
        RecordTable("profiles", ("id",)),
        RecordTable("progress", ("profile_id", "resource_id"), new_id=True),
        RecordTable("notes", ("id",)),
        RecordTable("quiz_attempts", ("id",)),
        RecordTable("interactive_state", ("profile_id", "resource_id"), synced=False),
    )
}


def new_id() -> str:
    """A new record id (a random UUID)."""
    return str(uuid.uuid4())


# -- meta -------------------------------------------------------------------------------------


def get_meta(db: sqlite_utils.Database, key: str) -> str | None:
    """The value stored under ``key``, or None."""
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_meta(db: sqlite_utils.Database, key: str, value: str | None) -> None:
    """Store ``value`` under ``key`` (None removes the key)."""
    if value is None:
        db.execute("DELETE FROM meta WHERE key = ?", (key,))
        return
    db.execute(
        "INSERT INTO meta(key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def next_version(db: sqlite_utils.Database) -> Version:
    """This device's id and the next value of its change counter.

    Called inside the transaction that writes the record, so that the counter and the record
    commit together (:func:`write_record` does)."""
    device_id = get_meta(db, DEVICE_KEY)
    counter = int(get_meta(db, COUNTER_KEY) or 0) + 1
    set_meta(db, COUNTER_KEY, str(counter))
    return Version(str(device_id), counter)


# -- records ----------------------------------------------------------------------------------


def write_record(
    db: sqlite_utils.Database,
    table: str,
    key: Mapping[str, Any],
    values: Mapping[str, Any],
    deleted: bool = False,
) -> Version | None:
    """Create or change the record of ``table`` that ``key`` names, setting ``values``; return
    its new version (None for a record that stays on this device).

    The record gets the new version, the update time and ``deleted`` (a tombstone when True;
    writing a record again brings it back). A new record gets ``key`` and ``values``, the
    table's defaults for the other columns, and a fresh ``id`` where the table makes one.
    Runs in one transaction (a savepoint inside the caller's)."""
    spec = RECORD_TABLES.get(table)
    if spec is None:
        raise ValueError(f"{table} is not a table of records")
    if set(key) != set(spec.key):
        raise ValueError(f"a {table} record is named by {', '.join(spec.key)}")
    if deleted and not spec.synced:
        raise ValueError(f"{table} records are not kept as tombstones")
    with db.atomic():
        changes: dict[str, Any] = {**values, "updated_at": utc_now()}
        version = None
        if spec.synced:
            version = next_version(db)
            changes.update(device_id=version.device_id, counter=version.counter,
                           deleted=int(deleted))
        where = " AND ".join(f"{column} = ?" for column in spec.key)
        updated = db.execute(
            f"UPDATE {table} SET {', '.join(f'{column} = ?' for column in changes)} "
            f"WHERE {where}",
            [*changes.values(), *(key[column] for column in spec.key)],
        )
        if updated.rowcount == 0:
            row = {**key, **changes}
            if spec.new_id:
                row.setdefault("id", new_id())
            db.execute(
                f"INSERT INTO {table}({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                list(row.values()),
            )
    return version

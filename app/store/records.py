"""The one writer of learners' records, their states as sync sends them, and the ``meta``
table's accessors.

Learners' records (profiles, progress, notes, quiz attempts) sync between devices, so each
write gives the record a new version: this device's id and the next value of its change
counter (kept in ``meta``), with the time of the change and a ``deleted`` tombstone.
:func:`write_record` is the only code that writes these tables for a local change. In the
same transaction it keeps the record's merge state (app/store/merge.py): the next Lamport
clock of a profile or a progress (this device's highest count is the ``lamport`` meta key),
the versions of a note, each with its version vector (an edit replaces every version it has
seen, so an edit of a note in conflict settles it; a deletion drops them all), and it
appends the record to the ``outbox`` under the change's counter (one row per record: a newer
change replaces the older one's row, since sync sends whole states). Interactive state (a
SCORM activity's memory) is written by it too but stays on this device: it gets its update
time and no version.

:func:`record_state` reads a record as the whole state that sync sends (the wire form of
docs/sync.md) and :func:`apply_state` writes a merged state pulled from the hub into the
tables, without an outbox row (what was pulled is not sent back). Mentorship's records
(``STATE_TABLES``) are kept whole as their states, one table per type, and written by
:func:`write_record` like the others (a shared note's text becomes its versions, as a
note's). Records of a type no table holds, and profiles of the account's other devices, are
kept as their states in ``sync_foreign``.

``meta`` holds single values by key: the device id, the change counter, the Lamport count,
one-off markers, the search index's state. :func:`get_meta`, :func:`set_meta` and
:func:`next_version` are its only accessors (the first migration writes its first rows).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import sqlite_utils

from app.store import merge
from app.store.db import utc_now

DEVICE_KEY = "device_id"
COUNTER_KEY = "counter"
LAMPORT_KEY = "lamport"


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
    #: The record's type on the wire (app/store/merge.py), for the tables that sync.
    type: str = ""


#: Mentorship's record types and their tables (app/mentorship/local.py). A row is one
#: profile's copy of a record as its state: ``data``, the type's other fields (``extra``),
#: ``clock`` and ``deleted``; record_state and apply_state read and write them whole.
STATE_TABLES: dict[str, str] = {
    "mentor_profile": "mentor_profiles", "mentor_action": "mentor_actions",
    "relationship": "mentor_relationships", "goal": "mentor_goals",
    "shared_note": "mentor_shared_notes", "private_note": "mentor_private_notes",
    "notes_key": "mentor_notes_keys",
}
#: Types whose records carry a Lamport clock that each local change advances.
CLOCKED_TYPES = frozenset({"profile", "progress", "mentor_profile", "private_note",
                           "notes_key"})

RECORD_TABLES: dict[str, RecordTable] = {
    table.name: table
    for table in (
        RecordTable("profiles", ("id",), type="profile"),
        RecordTable("progress", ("profile_id", "resource_id"), new_id=True, type="progress"),
        RecordTable("notes", ("id",), type="note"),
        RecordTable("quiz_attempts", ("id",), type="quiz_attempt"),
        RecordTable("interactive_state", ("profile_id", "resource_id"), synced=False),
        *(RecordTable(name, ("profile_id", "id"), type=record_type)
          for record_type, name in STATE_TABLES.items()),
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
        if spec.type == "shared_note":
            changes.pop("body", None)  # kept in the versions, as a note's
        version = None
        if spec.synced:
            version = next_version(db)
            changes.update(device_id=version.device_id, counter=version.counter,
                           deleted=int(deleted))
            if spec.type in CLOCKED_TYPES:
                changes["clock"] = _dumps([next_lamport(db), version.device_id])
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
        if version is not None:
            _after_change(db, spec, key, values, version, deleted)
    return version


def _after_change(db: sqlite_utils.Database, spec: RecordTable, key: Mapping[str, Any],
                  values: Mapping[str, Any], version: Version, deleted: bool) -> None:
    """A synced record's note versions and its outbox row, in the change's transaction."""
    if spec.type == "note":
        note_id = str(key["id"])
        if deleted:
            db.execute("DELETE FROM note_versions WHERE note_id = ?", (note_id,))
        elif "body" in values:
            seen = {"versions": _versions(db, note_id)}
            _store_versions(db, note_id, merge.note_versions_after_edit(
                seen, version.device_id, version.counter, str(values["body"])))
    if spec.type == "shared_note" and not deleted and "body" in values:
        row = db.execute(f"SELECT extra FROM {spec.name} WHERE profile_id = ? AND id = ?",
                         (key["profile_id"], key["id"])).fetchone()
        extra = dict(json.loads(row[0])) if row else {}
        extra["versions"] = merge.note_versions_after_edit(
            extra, version.device_id, version.counter, str(values["body"]))
        db.execute(f"UPDATE {spec.name} SET extra = ? WHERE profile_id = ? AND id = ?",
                   (_dumps(extra), key["profile_id"], key["id"]))
    if spec.type == "profile":
        profile_id, record_id = str(key["id"]), str(key["id"])
    elif spec.type == "progress":
        profile_id, record_id = str(key["profile_id"]), str(key["resource_id"])
    elif spec.type in STATE_TABLES:
        profile_id, record_id = str(key["profile_id"]), str(key["id"])
    else:
        profile_id = str(db.execute(f"SELECT profile_id FROM {spec.name} WHERE id = ?",
                                    (key["id"],)).fetchone()[0])
        record_id = str(key["id"])
    enqueue(db, profile_id, spec.type, record_id, version.counter)


def enqueue(db: sqlite_utils.Database, profile_id: str, record_type: str, record_id: str,
            counter: int) -> None:
    """Put a record in the outbox under ``counter`` (replacing its older row)."""
    db.execute("DELETE FROM outbox WHERE profile_id = ? AND type = ? AND record_id = ?",
               (profile_id, record_type, record_id))
    db.execute("INSERT INTO outbox(counter, profile_id, type, record_id) VALUES (?, ?, ?, ?)",
               (counter, profile_id, record_type, record_id))


def enqueue_all(db: sqlite_utils.Database, profile_id: str) -> int:
    """Put every record of a profile in the outbox again, under new counters (its profile
    now syncs with another hub account, which has none of them); how many. What the profile
    kept of the former account's other devices (``sync_foreign``) is dropped, not sent."""
    with db.atomic():
        db.execute("DELETE FROM sync_foreign WHERE profile_id = ?", (profile_id,))
        rows = db.execute(
            "SELECT 'profile', id FROM profiles WHERE id = :p "
            "UNION ALL SELECT 'progress', resource_id FROM progress WHERE profile_id = :p "
            "UNION ALL SELECT 'note', id FROM notes WHERE profile_id = :p "
            "UNION ALL SELECT 'quiz_attempt', id FROM quiz_attempts WHERE profile_id = :p",
            {"p": profile_id},
        ).fetchall()
        for record_type, record_id in rows:
            enqueue(db, profile_id, str(record_type), str(record_id), next_version(db).counter)
    return len(rows)


def next_lamport(db: sqlite_utils.Database) -> int:
    """The next Lamport count of this device (kept in ``meta``)."""
    count = merge.tick(int(get_meta(db, LAMPORT_KEY) or 0))
    set_meta(db, LAMPORT_KEY, str(count))
    return count


def witness_clock(db: sqlite_utils.Database, state: Mapping[str, Any]) -> None:
    """Count past the Lamport clock of a state this device received."""
    count = merge.clock_of(state.get("clock"))[0]
    if count > int(get_meta(db, LAMPORT_KEY) or 0):
        set_meta(db, LAMPORT_KEY, str(count))


# -- states: records as sync sends them ------------------------------------------------------


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _versions(db: sqlite_utils.Database, note_id: str) -> list[dict[str, Any]]:
    rows = db.execute("SELECT vv, body FROM note_versions WHERE note_id = ? ORDER BY vv",
                      (note_id,)).fetchall()
    return [{"vv": json.loads(vv), "body": body} for vv, body in rows]


def _store_versions(db: sqlite_utils.Database, note_id: str,
                    versions: list[dict[str, Any]]) -> None:
    db.execute("DELETE FROM note_versions WHERE note_id = ?", (note_id,))
    for version in versions:
        db.execute("INSERT INTO note_versions(note_id, vv, body) VALUES (?, ?, ?)",
                   (note_id, _dumps(version["vv"]), version["body"]))


def note_versions(db: sqlite_utils.Database, note_id: str) -> list[dict[str, Any]]:
    """A note's versions (``vv``, ``body``): more than one while it is in conflict."""
    return _versions(db, note_id)


def record_state(db: sqlite_utils.Database, profile_id: str, record_type: str,
                 record_id: str) -> merge.State | None:
    """The whole state of one record of a profile, as sync sends it; None if there is none."""
    state: merge.State | None = None
    if record_type == "profile" and record_id == profile_id:
        row = db.execute("SELECT name, created_at, clock, deleted FROM profiles WHERE id = ?",
                         (record_id,)).fetchone()
        if row is not None:
            state = {"data": {"name": row[0], "created_at": row[1]},
                     "clock": json.loads(row[2]) if row[2] else None, "deleted": bool(row[3])}
    elif record_type == "progress":
        row = db.execute(
            "SELECT position, completed, completed_at, opened_at, clock, deleted FROM progress "
            "WHERE profile_id = ? AND resource_id = ?", (profile_id, record_id)).fetchone()
        if row is not None:
            state = {"data": {"resource_id": record_id, "position": row[0],
                              "completed": bool(row[1]), "completed_at": row[2],
                              "opened_at": row[3]},
                     "clock": json.loads(row[4]) if row[4] else None, "deleted": bool(row[5])}
    elif record_type == "note":
        row = db.execute(
            "SELECT resource_id, created_at, at_seconds, deleted FROM notes "
            "WHERE id = ? AND profile_id = ?", (record_id, profile_id)).fetchone()
        if row is not None:
            state = {"data": {"resource_id": row[0], "created_at": row[1],
                              "at_seconds": row[2]},
                     "versions": _versions(db, record_id), "deleted": bool(row[3])}
    elif record_type == "quiz_attempt":
        row = db.execute(
            "SELECT resource_id, score, correct, total, passed, answers, created_at, deleted "
            "FROM quiz_attempts WHERE id = ? AND profile_id = ?",
            (record_id, profile_id)).fetchone()
        if row is not None:
            state = {"data": {"resource_id": row[0], "score": row[1], "correct": row[2],
                              "total": row[3], "passed": bool(row[4]),
                              "answers": json.loads(row[5]) if row[5] else None,
                              "created_at": row[6]},
                     "deleted": bool(row[7])}
    elif record_type in STATE_TABLES:
        row = db.execute(f"SELECT data, extra, clock, deleted FROM {STATE_TABLES[record_type]} "
                         "WHERE profile_id = ? AND id = ?", (profile_id, record_id)).fetchone()
        if row is not None:
            state = {"data": json.loads(row[0]), **json.loads(row[1]), "deleted": bool(row[3])}
            if row[2]:
                state["clock"] = json.loads(row[2])
    else:
        row = db.execute("SELECT state FROM sync_foreign WHERE profile_id = ? AND type = ? "
                         "AND record_id = ?", (profile_id, record_type, record_id)).fetchone()
        return None if row is None else dict(json.loads(row[0]))
    if state is None:
        return None
    whole: merge.State = {"type": record_type, "id": record_id, **state}
    if whole["type"] in ("profile", "progress") and whole.get("clock") is None:
        whole.pop("clock")
    return merge.tombstone(whole) if whole["deleted"] else whole


def apply_state(db: sqlite_utils.Database, profile_id: str, state: merge.State) -> None:
    """Write a state pulled from the hub (already merged with the local one) into the
    tables of ``profile_id``: no outbox row, no new version. A note's text is kept in its
    versions (the first one's in ``notes.body``); a tombstone keeps no text."""
    record_type, record_id = str(state["type"]), str(state["id"])
    data: dict[str, Any] = dict(state.get("data") or {})
    deleted = bool(state.get("deleted"))
    clock = state.get("clock")
    writer = merge.clock_of(clock)
    device = writer[1] or "hub"
    now = utc_now()
    with db.atomic():
        witness_clock(db, state)
        if record_type == "profile" and record_id == profile_id:
            row = db.execute("SELECT name FROM profiles WHERE id = ?", (record_id,)).fetchone()
            name = data.get("name", row[0] if row else "")
            taken = db.execute("SELECT 1 FROM profiles WHERE name = ? AND id != ? AND "
                               "deleted = 0", (name, record_id)).fetchone()
            if row is not None and (taken or row[0] == "default" or not name):
                name = row[0]  # names are unique here, and the default profile stays
            keep = row is not None and row[0] == "default"
            db.execute(
                "UPDATE profiles SET name = ?, clock = ?, deleted = ?, updated_at = ?, "
                "device_id = ?, counter = ? WHERE id = ?",
                (name, _dumps(clock) if clock else None, int(deleted and not keep), now,
                 device, writer[0], record_id))
        elif record_type == "progress":
            values = {"position": float(data.get("position") or 0),
                      "completed": int(bool(data.get("completed"))),
                      "completed_at": data.get("completed_at"),
                      "opened_at": data.get("opened_at"),
                      "clock": _dumps(clock) if clock else None, "deleted": int(deleted),
                      "device_id": device, "counter": writer[0], "updated_at": now}
            _upsert(db, "progress", {"profile_id": profile_id, "resource_id": record_id},
                    values, {"id": new_id()})
        elif record_type == "note":
            versions = [] if deleted else list(state.get("versions") or [])
            values = {"body": versions[0]["body"] if versions else "",
                      "at_seconds": None if deleted else data.get("at_seconds"),
                      "deleted": int(deleted), "device_id": _version_device(versions),
                      "counter": 0, "updated_at": now}
            _upsert(db, "notes", {"id": record_id}, values,
                    {"profile_id": profile_id, "resource_id": data.get("resource_id", ""),
                     "created_at": data.get("created_at") or ""})
            _store_versions(db, record_id, versions)
        elif record_type == "quiz_attempt":
            values = {"deleted": int(deleted), "updated_at": now, "device_id": device,
                      "counter": 0}
            if deleted:
                values["answers"] = "null"
            created = {"profile_id": profile_id, "resource_id": data.get("resource_id", ""),
                       "score": float(data.get("score") or 0),
                       "correct": int(data.get("correct") or 0),
                       "total": int(data.get("total") or 0),
                       "passed": int(bool(data.get("passed"))),
                       "answers": _dumps(data.get("answers")),
                       "created_at": data.get("created_at") or ""}
            _upsert(db, "quiz_attempts", {"id": record_id}, values, created)
        elif record_type in STATE_TABLES:
            extra = {name: value for name, value in state.items()
                     if name not in ("type", "id", "data", "clock", "deleted")}
            for register in _registers(extra):
                witness_clock(db, register)
            _upsert(db, STATE_TABLES[record_type],
                    {"profile_id": profile_id, "id": record_id},
                    {"data": _dumps(data), "extra": _dumps(extra),
                     "clock": _dumps(clock) if clock else None, "deleted": int(deleted),
                     "device_id": device, "counter": writer[0], "updated_at": now}, {})
        else:
            db.execute(
                "INSERT INTO sync_foreign(profile_id, type, record_id, state) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(profile_id, type, record_id) "
                "DO UPDATE SET state = excluded.state",
                (profile_id, record_type, record_id, _dumps(state)))


def _registers(value: Any) -> list[Mapping[str, Any]]:
    """The per-field registers (``{"v", "clock"}``) nested in a state's fields."""
    if not isinstance(value, dict):
        return []
    if "clock" in value and "v" in value:
        return [value]
    return [register for item in value.values() for register in _registers(item)]


def _version_device(versions: list[dict[str, Any]]) -> str:
    for version in versions:
        for device in sorted(version.get("vv") or {}):
            return str(device)
    return "hub"


def _upsert(db: sqlite_utils.Database, table: str, key: Mapping[str, Any],
            values: Mapping[str, Any], created: Mapping[str, Any]) -> None:
    """Update the row ``key`` names with ``values``, or insert it with ``created`` too."""
    where = " AND ".join(f"{column} = ?" for column in key)
    updated = db.execute(
        f"UPDATE {table} SET {', '.join(f'{column} = ?' for column in values)} WHERE {where}",
        [*values.values(), *key.values()])
    if updated.rowcount == 0:
        row = {**created, **key, **values}
        db.execute(f"INSERT INTO {table}({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                   list(row.values()))

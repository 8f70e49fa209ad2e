"""The record plane of the hub (docs/sync.md): learners' records kept per owner as merged
states, each with a ``seq`` from one increasing sequence, and per (owner, device) the highest
change counter applied.

A push is one transaction: it locks its owner's row (``SELECT ... FOR UPDATE`` on
PostgreSQL; on SQLite its first statement is a write, which takes the database's writer
lock), skips the changes whose counter is not above the device's mark, merges each record
with the stored state by :func:`app.store.merge.merge` and gives every state that changed the
next ``seq``. The lock makes one owner's pushes commit one after the other, so their ``seq``
values are in commit order and a pull reading ``seq > cursor`` never skips one.

The owner of a record is the account that pushed it (or, for a ``forwarder`` account, the
account it names): records carry no owner, and a pull reads only its owner's rows.

A forwarder's push is answered record by record (``refused``): a record that anyone else's
push would have refused whole (malformed, or of a space its owner is no party of) is left
out with its reason, the rest is applied, and the device's mark moves past it all, so that a
workshop hub is never stuck on one record and does not send it again until it changes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app.errors import HubError
from app.hub import db, mentor_checks, mentorship
from app.hub.plane import RecordError, State, canonical, upstream
from app.hub.plane import merge_states as _merge
from app.hub.plane import next_seqs as _next_seqs
from app.i18n import _, ngettext
from app.store import merge

#: The most changes one push may carry, and the largest body of a push (bytes).
MAX_BATCH = 1000
MAX_PUSH_BYTES = 8 * 1024 * 1024
#: Records a pull page holds by default and at most.
DEFAULT_PAGE = 500
MAX_PAGE = 1000
#: The largest counter and seq (PostgreSQL's BIGINT).
MAX_COUNTER = 2**63 - 1
MAX_ID = 300
_CHUNK = 300


class RecordForbidden(HubError):
    """A pushed record its pusher may not write: a type only the hub writes, or a record of
    a relationship's space whose parties do not include the pusher (403)."""


@dataclass(frozen=True)
class Change:
    counter: int
    record: State


@dataclass(frozen=True)
class Refusal:
    """A change of a forwarder's push left out, and why (in words)."""

    counter: int
    type: str
    id: str
    reason: str

    def json(self) -> dict[str, Any]:
        return {"counter": self.counter, "type": self.type, "id": self.id,
                "reason": self.reason}


class _Refused(Exception):
    """Changes a forwarder's push must leave out: roll back and apply the rest."""

    def __init__(self, refusals: list[Refusal]) -> None:
        super().__init__(len(refusals))
        self.refusals = refusals


def _refusal(change: Change, reason: str) -> Refusal:
    record = change.record
    return Refusal(change.counter, str(record.get("type"))[:64], str(record.get("id"))[:300],
                   reason)


@dataclass(frozen=True)
class Page:
    """A page of a pull: ``(seq, state as canonical JSON)`` in ``seq`` order."""

    records: list[tuple[int, str]]
    cursor: int
    more: bool

    def json(self) -> bytes:
        """The page as the API sends it, built from the stored JSON texts."""
        rows = ",".join(f'{{"seq":{seq},"record":{state}}}' for seq, state in self.records)
        more = "true" if self.more else "false"
        return f'{{"records":[{rows}],"cursor":{self.cursor},"more":{more}}}'.encode()


# -- checking what arrives -------------------------------------------------------------------

def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _clock_ok(value: Any) -> bool:
    return value is None or (
        isinstance(value, list) and len(value) == 2 and _is_int(value[0])
        and 0 <= value[0] <= MAX_COUNTER and isinstance(value[1], str))


def _versions_ok(value: Any) -> bool:
    if not isinstance(value, list):
        return False
    for version in value:
        if not isinstance(version, dict) or not isinstance(version.get("body"), str):
            return False
        vv = version.get("vv")
        if not isinstance(vv, dict) or not all(
                _is_int(counter) and 0 <= counter <= MAX_COUNTER for counter in vv.values()):
            return False
    return True


def check_record(record: Any) -> str | None:
    """What is wrong with ``record`` as a pushed state, in words; None when it is sound."""
    if not isinstance(record, dict):
        return _("a record is a JSON object")
    record_type = record.get("type")
    if not isinstance(record_type, str) or record_type not in merge.RULES:
        return _("unknown record type {type}; this hub knows {known}").format(
            type=json.dumps(record_type)[:80], known=", ".join(sorted(merge.RULES)))
    record_id = record.get("id")
    if not isinstance(record_id, str) or not 1 <= len(record_id) <= MAX_ID \
            or "\0" in record_id:
        return ngettext("a record's id is a string of 1 to {count} character",
                        "a record's id is a string of 1 to {count} characters",
                        MAX_ID).format(count=MAX_ID)
    if not isinstance(record.get("deleted", False), bool):
        return _("deleted is true or false")
    if not isinstance(record.get("data", {}), dict):
        return _("data is a JSON object")
    if not _clock_ok(record.get("clock")):
        return _("clock is [count, device]")
    if record_type == "progress" and not isinstance(
            record.get("data", {}).get("completed_at"), str | None):
        return _("a progress's completed_at is a time or null")
    if record_type == "note" and not _versions_ok(record.get("versions", [])):
        return _("a note's versions are a list of {{\"vv\": {{device: counter}}, \"body\": "
                 "text}}")
    return mentor_checks.problem(record)


def hub_written(record: Any) -> bool:
    """Whether ``record`` is of a type only a hub writes (``relationship``, ``badge``)."""
    return isinstance(record, dict) and record.get("type") in mentor_checks.HUB_ONLY_TYPES


def check_changes(device: str, changes: Sequence[Change], forwarded: bool = False,
                  malformed: list[Refusal] | None = None) -> None:
    """Refuse the whole push (nothing applied) when a change is malformed; with
    ``malformed``, add it there instead (a forwarder's push, answered record by record). A
    forwarder's push may carry what the upstream hub wrote and the forwarder pulled from it:
    those records are skipped, not refused."""
    if "\0" in device:
        raise RecordError(_("A device id has no NUL characters."))
    previous = 0
    for index, change in enumerate(changes):
        if change.counter <= previous:
            raise RecordError(_("Change {index}: counters must increase within a push.")
                              .format(index=index))
        previous = change.counter
        if hub_written(change.record):
            if forwarded:
                continue
            raise RecordForbidden(_("Change {index}: only the hub writes records of type "
                                    "{type}.")
                                  .format(index=index, type=change.record["type"]))
        problem = check_record(change.record)
        if problem is not None and malformed is not None:
            malformed.append(_refusal(change, problem))
        elif problem is not None:
            raise RecordError(_("Change {index}: {problem}.").format(index=index,
                                                                      problem=problem))


# -- push --------------------------------------------------------------------------------------

def device_mark(connection: Connection, owner_id: int, device: str) -> int:
    table = db.sync_devices
    value = connection.execute(sa.select(table.c.counter).where(
        table.c.owner_id == owner_id, table.c.device == device)).scalar()
    return int(value or 0)


def _stored(connection: Connection, owner_id: int,
            keys: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, str]]:
    """The stored ``(row id, state)`` of each of ``keys`` the owner has."""
    table = db.sync_records
    found: dict[tuple[str, str], tuple[int, str]] = {}
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start:start + _CHUNK]
        rows = connection.execute(sa.select(
            table.c.id, table.c.type, table.c.record_id, table.c.state).where(
            table.c.owner_id == owner_id,
            sa.tuple_(table.c.type, table.c.record_id).in_(chunk)))
        for row in rows:
            found[(row.type, row.record_id)] = (row.id, row.state)
    return found


def push(engine: Engine, owner_id: int, device: str, changes: Sequence[Change],
         now: int | None = None, forwarded: bool = False,
         refused: list[Refusal] | None = None) -> int:
    """Apply ``changes`` of ``device`` for ``owner_id``; the device's mark afterwards.

    Mentorship's records go further (app/hub/mentorship.py): a space's records into their
    space, actions processed in push order (kept for it on a hub with an upstream); the
    transaction then holds the owner rows of everyone whose pull they reach, and starts over
    if that set grew while it waited.
    ``forwarded``: a forwarder's push, whose hub-written records are skipped (the hub keeps
    its own). ``refused``: answer record by record (see the module's docstring): the
    changes left out, with their reasons, are added there; only those past the device's
    mark, so a push sent again refuses nothing twice."""
    malformed: list[Refusal] | None = None if refused is None else []
    check_changes(device, changes, forwarded, malformed)
    now = db.now() if now is None else now
    top = changes[-1].counter if changes else 0
    left_out = {refusal.counter for refusal in malformed or []}
    dropped: list[Refusal] = []
    # Each refusal found leaves one more change out and starts again: at most one round
    # per change.
    for _round in range(len(changes) + 1):
        kept = [change for change in changes if change.counter not in left_out]
        try:
            before, acked = _push_changes(engine, owner_id, device, kept, now, top,
                                          refusing=refused is not None)
        except _Refused as error:
            dropped.extend(error.refusals)
            left_out.update(refusal.counter for refusal in error.refusals)
            continue
        if refused is not None:
            found = [*(malformed or []), *dropped]
            refused.extend(sorted((r for r in found if r.counter > before),
                                  key=lambda refusal: refusal.counter))
        return acked
    raise HubError(_("The hub is busy with this relationship; try again."))


def _push_changes(engine: Engine, owner_id: int, device: str, changes: Sequence[Change],
                  now: int, top: int, refusing: bool) -> tuple[int, int]:
    """:func:`push` of ``changes``, the device's mark moved to ``top``: the marks before and
    after."""
    mentoring = any(change.record.get("type") in MENTOR_TYPES for change in changes)
    for _attempt in range(mentorship.MAX_ATTEMPTS):
        people = {owner_id}
        if mentoring:
            with engine.connect() as connection:
                people = mentorship.people_needed(
                    connection, owner_id, [change.record for change in changes], now)
        try:
            with engine.begin() as connection:
                mentorship.lock_people(connection, people)
                if mentoring and not mentorship.people_needed(
                        connection, owner_id, [change.record for change in changes],
                        now) <= people:
                    raise mentorship.StartOver
                return _push_locked(connection, owner_id, device, changes, people, now, top,
                                    refusing)
        except mentorship.StartOver:
            continue
    raise HubError(_("The hub is busy with this relationship; try again."))


#: Types whose push involves more than the owner's own rows.
MENTOR_TYPES = frozenset({"mentor_profile", "mentor_action", "goal", "shared_note"})


def _push_locked(connection: Connection, owner_id: int, device: str,
                 changes: Sequence[Change], people: set[int], now: int, top: int,
                 refusing: bool = False) -> tuple[int, int]:
    mark = device_mark(connection, owner_id, device)
    if top <= mark:
        return mark, mark
    fresh = [change for change in changes if change.counter > mark]
    own = [change for change in fresh
           if change.record["type"] not in mentor_checks.SPACE_TYPES
           and not hub_written(change.record)]
    merged: dict[tuple[str, str], State] = {}
    for change in own:
        key = (change.record["type"], change.record["id"])
        merged[key] = _merge(merged.get(key, change.record), change.record)
    stored = _stored(connection, owner_id, list(merged))
    updates: list[dict[str, Any]] = []
    inserts: list[dict[str, Any]] = []
    for key, state in merged.items():
        before = stored.get(key)
        # Merged with itself, a new state takes its normal form (a tombstone, no text).
        state = _merge(json.loads(before[1]) if before else state, state)
        text = canonical(state)
        if before is not None and text == before[1]:
            continue
        if before is None:
            inserts.append({"owner_id": owner_id, "type": key[0], "record_id": key[1],
                            "state": text})
        else:
            updates.append({"row_id": before[0], "new_state": text})
    seqs = iter(_next_seqs(connection, len(updates) + len(inserts)))
    for row in updates:
        row["new_seq"] = next(seqs)
    for row in inserts:
        row["seq"] = next(seqs)
    table = db.sync_records
    if updates:
        connection.execute(
            table.update().where(table.c.id == sa.bindparam("row_id"))
            .values(state=sa.bindparam("new_state"), seq=sa.bindparam("new_seq")),
            updates)
    if inserts:
        connection.execute(table.insert(), inserts)
    if any(change.record["type"] in MENTOR_TYPES for change in fresh):
        refusals: list[Refusal] | None = [] if refusing else None
        _mentorship(connection, owner_id, fresh, stored, people, now, refusals)
        if refusals:
            raise _Refused(refusals)  # rolled back; applied again without them
    acked = top
    devices = db.sync_devices
    result = connection.execute(devices.update().where(
        devices.c.owner_id == owner_id, devices.c.device == device).values(counter=acked))
    if result.rowcount == 0:
        connection.execute(devices.insert().values(owner_id=owner_id, device=device,
                                                   counter=acked))
    return mark, acked


def _mentorship(connection: Connection, owner_id: int, fresh: Sequence[Change],
                stored: dict[tuple[str, str], tuple[int, str]], people: set[int],
                now: int, refusals: list[Refusal] | None = None) -> None:
    """The space records and actions of a push, in push order (the caller holds the locks
    of ``people``). With ``refusals``, a record its pusher may not write is added there
    (nothing of it applied) and the others go on."""
    name = connection.execute(sa.select(db.users.c.name)
                              .where(db.users.c.id == owner_id)).scalar()
    actor = mentorship.Actor(owner_id, str(name))
    deciding = upstream(connection) is None
    mentorship.expire(connection, people, now)
    seen: set[str] = set()
    for index, change in enumerate(fresh):
        record = change.record
        if hub_written(record):
            continue
        try:
            if record["type"] in mentor_checks.SPACE_TYPES:
                mentorship.apply_space_record(connection, owner_id, record, index, actor.name,
                                              refusing=refusals is not None)
            elif record["type"] == "mentor_action" and not record.get("deleted") \
                    and ("mentor_action", record["id"]) not in stored \
                    and record["id"] not in seen:
                seen.add(record["id"])
                if deciding:
                    mentorship.process_action(connection, actor, record["id"], record["data"],
                                              now)
                else:
                    mentorship.defer_action(connection, actor, record["data"], now)
        except mentorship.SpaceForbidden as error:
            if refusals is None:
                raise
            refusals.append(_refusal(change, error.reason))
    mentorship.note_push(connection, owner_id, [change.record for change in fresh], now)


def mark(engine: Engine, owner_id: int, device: str) -> int:
    with engine.connect() as connection:
        return device_mark(connection, owner_id, device)


# -- pull --------------------------------------------------------------------------------------

def pull(engine: Engine, owner_id: int, since: int, limit: int,
         spaces: bool = True) -> Page:
    """The owner's records with ``seq`` after ``since``, at most ``limit`` of them, with
    those of the relationships' spaces the owner reads (``spaces``)."""
    table = db.sync_records
    if spaces:
        mentorship.expire_for(engine, owner_id)
    with engine.connect() as connection:
        rows = [(int(row.seq), row.state) for row in connection.execute(
            sa.select(table.c.seq, table.c.state)
            .where(table.c.owner_id == owner_id, table.c.seq > since)
            .order_by(table.c.seq).limit(limit + 1))]
        if spaces:
            rows = sorted(rows + mentorship.space_page(connection, owner_id, since,
                                                        limit + 1))[:limit + 1]
    records = rows[:limit]
    cursor = records[-1][0] if records else since
    return Page(records, cursor, len(rows) > limit)

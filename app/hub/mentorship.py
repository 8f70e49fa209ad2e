"""Mentorship on the hub: relationships' spaces, the actions the hub decides, expiry, and the
reads that need everyone's data (matches, requests, the mentor's dashboard, match-all).

**Spaces.** Records of types ``relationship``, ``goal`` and ``shared_note`` belong to a
relationship's space (``data.relationship``; a relationship's own space is its id), kept in
``space_records``. ``space_members`` says who pulls a space; a member whose ``until_seq`` is
set reads nothing of it past that ``seq`` (an old mentor after a hand-over). When someone
joins a space its records take new ``seq`` values, so their next pull, past their cursor,
brings them.

**Locks.** A pull's cursor is one ``seq`` over the caller's own records and their spaces, so
every transaction that writes a row a person reads holds that person's owner row (the lock
of :func:`app.hub.plane.lock_owner`): a push into a space holds every member's, an action
every party's (the mentor's among them, which is what makes capacity safe: two requests for
a mentor's last place commit one after the other, the second seeing the first). The rows are
locked in increasing id order, after a read of who is needed; if the needed set grew in
between (someone joined the space), the transaction starts over.

**A hub with an upstream** (a workshop hub that forwards to a central hub,
:func:`app.hub.plane.upstream`) decides nothing: an action stays its author's record, which
``hub forward`` sends up; a request shows at once as a relationship of version 0 marked
``upstream`` (waiting for the central hub), and the central hub's relationships, goals and
shared notes that the forward pulls down are merged into their spaces here
(:func:`take_upstream`), the central version winning by ``data.version``. Each space
record keeps who last changed it by a push here (``writer_id``, ``written_seq``), which
``hub forward`` sends up as theirs; one the upstream holds as it is here has none.

**Actions** (``mentor_action`` records) are processed inside the push's transaction, in push
order: the state machine of docs/mentorship.md, capacity (active + paused) at every
transition to ``active``, blocks, reports, hand-over. Each outcome, refused or not, is an
audit line in the relationship record, which the hub writes with a higher ``data.version``
and a new ``seq`` into its space. Pending and proposed relationships expire after
``UJUZI_MENTOR_REQUEST_DAYS`` days (14) of hub time, checked at each push, pull and route.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app.errors import HubError
from app.hub import db, journal
from app.hub.mentor_checks import SPACE_TYPES
from app.hub.mentor_db import (
    mentor_blocks,
    mentor_people,
    mentor_relationships,
    mentor_reports,
    space_members,
    space_records,
)
from app.hub.plane import canonical, lock_owner, next_seqs, upstream
from app.hub.plane import merge_states as _merge
from app.i18n import _

State = dict[str, Any]

REQUEST_DAYS_ENV = "UJUZI_MENTOR_REQUEST_DAYS"
DEFAULT_REQUEST_DAYS = 14.0
LIVE = ("proposed", "pending", "active", "paused")
FINAL = ("completed", "cancelled", "declined", "handed_over")
#: States that take one of the mentor's places.
TAKING = ("active", "paused")
#: How often a push starts over when the people it must lock changed meanwhile.
MAX_ATTEMPTS = 8
_HUB = "hub"


class SpaceForbidden(HubError):
    """A push of a space's record by someone who is not a party of the space (403).
    ``reason``: the refusal of that one record, in words (a forwarder's push is answered
    record by record)."""

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason or message


class StartOver(Exception):
    """The people a transaction must lock changed after it locked them: roll back, retry."""


def request_seconds() -> int:
    """How long a pending or proposed relationship waits before it expires (seconds)."""
    raw = os.environ.get(REQUEST_DAYS_ENV, "").strip()
    try:
        days = float(raw) if raw else DEFAULT_REQUEST_DAYS
    except ValueError:
        days = DEFAULT_REQUEST_DAYS
    return max(0, int(days * 86400))


def _iso(seconds: int) -> str:
    return db.iso(seconds) or ""


def _load(text: str) -> State:
    value: State = json.loads(text)
    return value


# -- people and locks ------------------------------------------------------------------------

def user_ids(connection: Connection, names: Iterable[str]) -> dict[str, int]:
    wanted = sorted({name for name in names if name})
    if not wanted:
        return {}
    rows = connection.execute(sa.select(db.users.c.name, db.users.c.id)
                              .where(db.users.c.name.in_(wanted)))
    return {row.name: int(row.id) for row in rows}


def user_names(connection: Connection, ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = connection.execute(sa.select(db.users.c.id, db.users.c.name)
                              .where(db.users.c.id.in_(wanted)))
    return {int(row.id): row.name for row in rows}


def lock_people(connection: Connection, ids: Iterable[int]) -> None:
    """Lock each person's owner row, in increasing id order (no two transactions wait on
    each other in a cycle)."""
    for owner_id in sorted(set(ids)):
        lock_owner(connection, owner_id)


def _members(connection: Connection, spaces: Iterable[str]) -> set[int]:
    wanted = sorted(set(spaces))
    if not wanted:
        return set()
    rows = connection.execute(sa.select(space_members.c.user_id).where(
        space_members.c.space.in_(wanted), space_members.c.until_seq.is_(None)))
    return {int(row.user_id) for row in rows}


def _relationship_rows(connection: Connection, ids: Iterable[str]) -> list[sa.Row[Any]]:
    wanted = sorted(set(ids))
    if not wanted:
        return []
    return list(connection.execute(sa.select(mentor_relationships)
                                   .where(mentor_relationships.c.id.in_(wanted))))


def _stored_spaces(connection: Connection, keys: Sequence[tuple[str, str]]) -> dict[
        tuple[str, str], tuple[int, str, str]]:
    """The stored ``(row id, space, state)`` of each space record of ``keys``."""
    found: dict[tuple[str, str], tuple[int, str, str]] = {}
    for start in range(0, len(keys), 300):
        chunk = list(keys[start:start + 300])
        rows = connection.execute(sa.select(
            space_records.c.id, space_records.c.type, space_records.c.record_id,
            space_records.c.space, space_records.c.state).where(
            sa.tuple_(space_records.c.type, space_records.c.record_id).in_(chunk)))
        for row in rows:
            found[(row.type, row.record_id)] = (int(row.id), row.space, row.state)
    return found


def _space_of(record: State) -> str | None:
    value = record.get("data", {}).get("relationship")
    return value if isinstance(value, str) else None


def people_needed(connection: Connection, owner_id: int, records: Sequence[State],
                  now: int) -> set[int]:
    """Everyone whose owner row a push of ``records`` by ``owner_id`` must hold."""
    people = {owner_id}
    spaces: set[str] = set()
    relationships: set[str] = set()
    names: set[str] = set()
    space_keys = []
    for record in records:
        if record.get("type") in SPACE_TYPES:
            space_keys.append((record["type"], record["id"]))
            space = _space_of(record)
            if space:
                spaces.add(space)
        elif record.get("type") == "mentor_action" and not record.get("deleted"):
            data = record.get("data", {})
            if isinstance(data.get("relationship"), str):
                relationships.add(data["relationship"])
            names.update(name for name in (data.get("peer"), data.get("to"))
                         if isinstance(name, str))
    for _key, (_row, space, _state) in _stored_spaces(connection, space_keys).items():
        spaces.add(space)
    people |= _members(connection, spaces)
    rows = _relationship_rows(connection, relationships)
    for row in rows:
        people |= {int(row.mentor_id), int(row.mentee_id)}
        if row.previous_id:
            relationships.add(row.previous_id)
    for row in _relationship_rows(connection, {r.previous_id for r in rows if r.previous_id}):
        people |= {int(row.mentor_id), int(row.mentee_id)}
    # A relationship that follows one named (consent given on the old one).
    for row in connection.execute(sa.select(mentor_relationships).where(
            mentor_relationships.c.previous_id.in_(sorted(relationships)))):
        people |= {int(row.mentor_id), int(row.mentee_id)}
    people |= set(user_ids(connection, names).values())
    people |= _expired_parties(connection, {owner_id}, now)
    return people


def _expired_parties(connection: Connection, people: set[int], now: int) -> set[int]:
    table = mentor_relationships
    rows = connection.execute(sa.select(table.c.mentor_id, table.c.mentee_id).where(
        table.c.state.in_(("pending", "proposed")), table.c.expires_at <= now,
        sa.or_(table.c.mentor_id.in_(sorted(people)), table.c.mentee_id.in_(sorted(people)))))
    found: set[int] = set()
    for row in rows:
        found |= {int(row.mentor_id), int(row.mentee_id)}
    return found


# -- relationship records --------------------------------------------------------------------

@dataclass
class Relationship:
    id: str
    data: State
    mentor_id: int
    mentee_id: int

    @property
    def state(self) -> str:
        return str(self.data["state"])

    @property
    def mentor(self) -> str:
        return str(self.data["mentor"])

    @property
    def mentee(self) -> str:
        return str(self.data["mentee"])


def get_relationship(connection: Connection, relationship_id: str) -> Relationship | None:
    row = connection.execute(sa.select(mentor_relationships).where(
        mentor_relationships.c.id == relationship_id)).first()
    if row is None:
        return None
    text = connection.execute(sa.select(space_records.c.state).where(
        space_records.c.type == "relationship",
        space_records.c.record_id == relationship_id)).scalar()
    data = _load(str(text))["data"]
    return Relationship(relationship_id, data, int(row.mentor_id), int(row.mentee_id))


def put_space_record(connection: Connection, space: str, state: State,
                     row_id: int | None = None, writer: int | None = None) -> None:
    """Store ``state`` in ``space`` with a new ``seq`` (a new row, or row ``row_id``).
    ``writer``: the account whose push made this change (its ``written_seq`` is the new
    ``seq``); otherwise a row keeps the writer it had (a new row has none)."""
    seq = next_seqs(connection, 1)[0]
    values: State = {"space": space, "seq": seq, "state": canonical(state)}
    if writer is not None:
        values.update(writer_id=writer, written_seq=seq)
    if row_id is None:
        connection.execute(space_records.insert().values(
            type=state["type"], record_id=state["id"], **values))
    else:
        connection.execute(space_records.update().where(space_records.c.id == row_id)
                           .values(**values))


def save_relationship(connection: Connection, rel: Relationship, now: int,
                      new: bool = False) -> None:
    """Write ``rel`` (version + 1, ``updated`` now) into its space and its row."""
    rel.data["version"] = int(rel.data.get("version", 0)) + 1
    rel.data["updated"] = _iso(now)
    state = {"type": "relationship", "id": rel.id, "deleted": False, "data": rel.data}
    expires = rel.data.get("expires") if rel.state in ("pending", "proposed") else None
    expires_at = _seconds(expires) if isinstance(expires, str) else None
    values = {"mentor_id": rel.mentor_id, "mentee_id": rel.mentee_id, "state": rel.state,
              "version": rel.data["version"], "updated_at": now, "expires_at": expires_at,
              "previous_id": rel.data.get("previous")}
    if new:
        connection.execute(mentor_relationships.insert().values(
            id=rel.id, created_at=now, **values))
        put_space_record(connection, rel.id, state)
        return
    connection.execute(mentor_relationships.update().where(
        mentor_relationships.c.id == rel.id).values(**values))
    row_id = connection.execute(sa.select(space_records.c.id).where(
        space_records.c.type == "relationship",
        space_records.c.record_id == rel.id)).scalar()
    put_space_record(connection, rel.id, state, int(row_id) if row_id else None)


def _seconds(value: str) -> int:
    return int(datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


def audit(rel: Relationship, action_id: str | None, by: str, what: str, before: str | None,
          after: str, ok: bool, reason: str, now: int) -> None:
    rel.data.setdefault("audit", []).append({
        "action": action_id, "by": by, "what": what, "from": before, "to": after,
        "at": _iso(now), "ok": ok, "reason": reason})


def join_space(connection: Connection, space: str, user_id: int) -> None:
    """Make ``user_id`` a reader of ``space`` and give its records new ``seq`` values."""
    found = connection.execute(sa.select(space_members.c.until_seq).where(
        space_members.c.space == space, space_members.c.user_id == user_id)).first()
    if found is None:
        connection.execute(space_members.insert().values(space=space, user_id=user_id,
                                                         until_seq=None))
    elif found.until_seq is not None:
        connection.execute(space_members.update().where(
            space_members.c.space == space, space_members.c.user_id == user_id)
            .values(until_seq=None))
    else:
        return
    rows = connection.execute(sa.select(space_records.c.id).where(
        space_records.c.space == space).order_by(space_records.c.seq)).all()
    seqs = next_seqs(connection, len(rows))
    for row, seq in zip(rows, seqs, strict=True):
        connection.execute(space_records.update().where(space_records.c.id == row.id)
                           .values(seq=seq))


def leave_space(connection: Connection, space: str, user_id: int) -> None:
    """``user_id`` keeps what the space held so far and reads nothing new of it."""
    last = connection.execute(sa.select(sa.func.max(space_records.c.seq)).where(
        space_records.c.space == space)).scalar()
    connection.execute(space_members.update().where(
        space_members.c.space == space, space_members.c.user_id == user_id)
        .values(until_seq=int(last or 0)))


def is_member(connection: Connection, space: str, user_id: int) -> str:
    """``"member"``, ``"former"`` (reads nothing new) or ``"none"``."""
    row = connection.execute(sa.select(space_members.c.until_seq).where(
        space_members.c.space == space, space_members.c.user_id == user_id)).first()
    if row is None:
        return "none"
    return "member" if row.until_seq is None else "former"


# -- the push's mentorship part ---------------------------------------------------------------

def apply_space_record(connection: Connection, owner_id: int, record: State,
                       index: int, name: str = "", refusing: bool = False) -> None:
    """Merge a pushed space record into its space (403 when the pusher is no party). An
    old mentor's late edit is dropped; ``refusing`` (a forwarder's push, answered record by
    record) refuses it instead, so that the forwarding hub can say so."""
    key = (record["type"], record["id"])
    stored = _stored_spaces(connection, [key]).get(key)
    base = _load(stored[2]) if stored else record
    state = _merge(_merge(base, record), record) if stored else _merge(record, record)
    space = _space_of(state) or (stored[1] if stored else None)
    spaces = {space, stored[1] if stored else None} - {None}
    if not spaces:
        raise SpaceForbidden(_("Change {index}: the record names no relationship.").format(
            index=index), _("the record names no relationship"))
    standing = {is_member(connection, str(name), owner_id) for name in spaces}
    if "none" in standing:
        raise SpaceForbidden(
            _("Change {index}: you are not a party of the relationship {id}.").format(
                index=index, id=str(space)[:80]),
            _("you are not a party of the relationship {id}").format(id=str(space)[:80]))
    if "former" in standing:
        if refusing:
            reason = _("{name} no longer reads the relationship {id} (it was handed "
                       "over)").format(name=name, id=str(space)[:80])
            raise SpaceForbidden(_("Change {index}: {reason}.").format(index=index,
                                                                         reason=reason),
                                 reason)
        return  # an old mentor's late edit: kept on their device, not shared any more
    if stored is not None and canonical(state) == stored[2] and stored[1] == space:
        return
    put_space_record(connection, str(space), state, stored[0] if stored else None,
                     writer=owner_id)


def note_push(connection: Connection, owner_id: int, records: Sequence[State],
              now: int) -> None:
    """Keep when ``owner_id`` last pushed, and since when they are looking for a mentor."""
    profile = next((r for r in reversed(records) if r.get("type") == "mentor_profile"), None)
    row = connection.execute(sa.select(mentor_people).where(
        mentor_people.c.user_id == owner_id)).first()
    since = row.looking_since if row is not None else None
    if profile is not None:
        stored = connection.execute(sa.select(db.sync_records.c.state).where(
            db.sync_records.c.owner_id == owner_id, db.sync_records.c.type == "mentor_profile",
            db.sync_records.c.record_id == "me")).scalar()
        merged = _load(str(stored)) if stored else profile
        looking = not merged.get("deleted") and bool(merged.get("data", {}).get("looking"))
        since = (since or now) if looking else None
    if row is None:
        connection.execute(mentor_people.insert().values(user_id=owner_id, last_push=now,
                                                         looking_since=since))
    else:
        connection.execute(mentor_people.update().where(mentor_people.c.user_id == owner_id)
                           .values(last_push=now, looking_since=since))


def expire(connection: Connection, people: set[int], now: int) -> int:
    """Decline the pending and proposed relationships of ``people`` (all of whose parties
    the caller holds locked) that are past their time; on a hub with an upstream, none (the
    upstream decides)."""
    if upstream(connection):
        return 0
    table = mentor_relationships
    ids = sorted(people)
    rows = connection.execute(sa.select(table.c.id, table.c.mentor_id, table.c.mentee_id)
                              .where(table.c.state.in_(("pending", "proposed")),
                                     table.c.expires_at <= now, table.c.mentor_id.in_(ids),
                                     table.c.mentee_id.in_(ids))).all()
    done = 0
    for row in rows:
        if int(row.mentor_id) not in people or int(row.mentee_id) not in people:
            continue
        rel = get_relationship(connection, row.id)
        assert rel is not None
        before = rel.state
        rel.data["state"] = "declined"
        audit(rel, None, _HUB, "expire", before, "declined", True, "expired", now)
        save_relationship(connection, rel, now)
        done += 1
    return done


def expire_for(engine: Engine, user_id: int, now: int | None = None) -> None:
    """Expire ``user_id``'s overdue requests (before a pull or a route answers)."""
    now = db.now() if now is None else now
    with engine.connect() as connection:
        if upstream(connection):
            return  # the upstream expires requests
        people = _expired_parties(connection, {user_id}, now)
    if not people:
        return
    with engine.begin() as connection:
        lock_people(connection, people)
        expire(connection, people, now)


# -- actions ---------------------------------------------------------------------------------

def profile_data(connection: Connection, user_id: int) -> State | None:
    text = connection.execute(sa.select(db.sync_records.c.state).where(
        db.sync_records.c.owner_id == user_id, db.sync_records.c.type == "mentor_profile",
        db.sync_records.c.record_id == "me")).scalar()
    if text is None:
        return None
    state = _load(str(text))
    if state.get("deleted"):
        return None
    data: State = state.get("data", {})
    return data


def places_taken(connection: Connection, mentor_id: int, besides: str | None = None) -> int:
    table = mentor_relationships
    query = sa.select(sa.func.count()).select_from(table).where(
        table.c.mentor_id == mentor_id, table.c.state.in_(TAKING))
    if besides is not None:
        query = query.where(table.c.id != besides)
    return int(connection.execute(query).scalar() or 0)


def capacity_of(connection: Connection, mentor_id: int) -> int:
    profile = profile_data(connection, mentor_id) or {}
    value = profile.get("capacity", 0)
    return value if isinstance(value, int) else 0


def place_left(connection: Connection, mentor_id: int, besides: str | None = None) -> bool:
    return places_taken(connection, mentor_id, besides) < capacity_of(connection, mentor_id)


def blocked(connection: Connection, a: int, b: int) -> bool:
    return connection.execute(sa.select(mentor_blocks.c.blocker_id).where(sa.or_(
        sa.and_(mentor_blocks.c.blocker_id == a, mentor_blocks.c.blocked_id == b),
        sa.and_(mentor_blocks.c.blocker_id == b, mentor_blocks.c.blocked_id == a)))
    ).first() is not None


def blocked_pairs(connection: Connection) -> set[frozenset[int]]:
    return {frozenset((int(row.blocker_id), int(row.blocked_id)))
            for row in connection.execute(sa.select(mentor_blocks))}


@dataclass(frozen=True)
class Actor:
    id: int
    name: str


def new_relationship(connection: Connection, rel_id: str, mentor: tuple[int, str],
                     mentee: tuple[int, str], state: str, now: int, share_progress: bool,
                     **extra: Any) -> Relationship:
    data: State = {
        "mentor": mentor[1], "mentee": mentee[1], "state": state, "version": 0,
        "created": _iso(now), "updated": _iso(now),
        "expires": _iso(now + request_seconds()) if state in ("pending", "proposed") else None,
        "share_progress": share_progress, "history_shared": False, "previous_mentor": None,
        "previous": None, "accepted": [], "factors": None, "explanation": None,
        "algorithm": None, "audit": []}
    data.update(extra)
    return Relationship(rel_id, data, mentor[0], mentee[0])


def _enter_spaces(connection: Connection, rel: Relationship) -> None:
    join_space(connection, rel.id, rel.mentor_id)
    join_space(connection, rel.id, rel.mentee_id)


def process_action(connection: Connection, actor: Actor, action_id: str, data: State,
                   now: int) -> None:
    """Apply one ``mentor_action`` (the caller holds every party's lock)."""
    what = str(data["action"])
    if what in ("block", "unblock", "report"):
        _about_person(connection, actor, action_id, what, data, now)
        return
    rel_id = str(data["relationship"])
    if what == "request":
        _request(connection, actor, action_id, rel_id, data, now)
        return
    rel = get_relationship(connection, rel_id)
    if rel is None:
        journal.event("mentor-action-ignored", action=what, relationship=rel_id[:80],
                      user=actor.name, reason="no such relationship")
        return
    if what == "consent_history" and rel.mentee_id == actor.id and rel.state in FINAL:
        successor = connection.execute(sa.select(mentor_relationships.c.id).where(
            mentor_relationships.c.previous_id == rel.id)).scalar()
        follow = get_relationship(connection, str(successor)) if successor else None
        rel = follow or rel
    if actor.id not in (rel.mentor_id, rel.mentee_id):
        raise SpaceForbidden(_("You are not a party of the relationship {id}.").format(
            id=rel_id[:80]), _("you are not a party of the relationship {id}").format(
                id=rel_id[:80]))
    expire(connection, {rel.mentor_id, rel.mentee_id}, now)
    rel = get_relationship(connection, rel.id) or rel
    before = rel.state
    reason = str(data.get("reason") or "")
    problem, after = _transition(connection, actor, rel, what, data, now)
    if problem is not None:
        audit(rel, action_id, actor.name, what, before, before, False, problem, now)
        save_relationship(connection, rel, now)
        return
    rel.data["state"] = after
    if after not in ("pending", "proposed"):
        rel.data["expires"] = None
    audit(rel, action_id, actor.name, what, before, after, True, reason, now)
    if what == "consent_history":
        _share_history(connection, rel)
    save_relationship(connection, rel, now)
    if what == "hand_over":
        _hand_over(connection, actor, action_id, rel, str(data["to"]), now)


def _transition(connection: Connection, actor: Actor, rel: Relationship, what: str,
                data: State, now: int) -> tuple[str | None, str]:
    """``(problem, new state)``: the problem in words when ``what`` is refused."""
    state = rel.state
    is_mentor = actor.id == rel.mentor_id
    if state in FINAL and what != "consent_history":
        return _("the relationship is {state} already").format(state=state), state
    if what == "accept":
        if state == "pending":
            if not is_mentor:
                return _("only the mentor accepts a request"), state
            return _to_active(connection, rel)
        if state == "proposed":
            accepted = set(rel.data.get("accepted") or [])
            accepted.add("mentor" if is_mentor else "mentee")
            rel.data["accepted"] = sorted(accepted)
            if accepted == {"mentor", "mentee"}:
                return _to_active(connection, rel)
            return None, "pending" if "mentee" in accepted else "proposed"
        return _("only a pending or proposed relationship is accepted"), state
    if what == "decline":
        if state == "pending" and not is_mentor:
            return _("only the mentor declines a request; cancel it instead"), state
        if state in ("pending", "proposed"):
            return None, "declined"
        return _("only a pending or proposed relationship is declined"), state
    if what == "cancel":
        return None, "cancelled"
    if what == "pause":
        return (None, "paused") if state == "active" else (
            _("only an active relationship is paused"), state)
    if what == "resume":
        if state != "paused":
            return _("only a paused relationship is resumed"), state
        return _to_active(connection, rel)
    if what == "complete":
        return (None, "completed") if state in TAKING else (
            _("only an active or paused relationship is completed"), state)
    if what == "hand_over":
        return _check_hand_over(connection, actor, rel, data)
    if what == "consent_history":
        if actor.id != rel.mentee_id:
            return _("only the mentee consents to share the history"), state
        if not rel.data.get("previous"):
            return _("this relationship follows no other: there is no history to share"), state
        return None, state
    return _("unknown action {action}").format(action=what), state


def _to_active(connection: Connection, rel: Relationship) -> tuple[str | None, str]:
    if not place_left(connection, rel.mentor_id, besides=rel.id):
        return _("no place left"), rel.state
    if blocked(connection, rel.mentor_id, rel.mentee_id):
        return _("one of them has blocked the other"), rel.state
    return None, "active"


def _check_hand_over(connection: Connection, actor: Actor, rel: Relationship,
                     data: State) -> tuple[str | None, str]:
    if actor.id != rel.mentor_id:
        return _("only the mentor hands a mentee over"), rel.state
    if rel.state not in TAKING:
        return _("only an active or paused relationship is handed over"), rel.state
    target = str(data.get("to"))
    ids = user_ids(connection, [target])
    if target not in ids:
        return _("there is no account named {name}").format(name=target), rel.state
    if ids[target] in (rel.mentor_id, rel.mentee_id):
        return _("a mentee is handed over to another mentor"), rel.state
    if blocked(connection, ids[target], rel.mentee_id):
        return _("the new mentor and the mentee have blocked each other"), rel.state
    return None, "handed_over"


def _hand_over(connection: Connection, actor: Actor, action_id: str, old: Relationship,
               target: str, now: int) -> None:
    """The new relationship (pending, or active when the new mentor takes requests at once
    and has a place), the goals moved into it, the old mentor out of the space."""
    target_id = user_ids(connection, [target])[target]
    new_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"ujuzi-hand-over:{action_id}"))
    rel = new_relationship(connection, new_id, (target_id, target),
                           (old.mentee_id, old.mentee), "pending", now,
                           bool(old.data.get("share_progress", True)),
                           previous_mentor=old.mentor, previous=old.id)
    profile = profile_data(connection, target_id) or {}
    state = "pending"
    if profile.get("auto_accept") and place_left(connection, target_id):
        state = "active"
        rel.data["expires"] = None
    rel.data["state"] = state
    audit(rel, action_id, actor.name, "hand_over", None, state, True,
          _("handed over by {name}").format(name=actor.name), now)
    save_relationship(connection, rel, now, new=True)
    _enter_spaces(connection, rel)
    old.data["successor"] = new_id
    save_relationship(connection, old, now)
    # Goals move into the new relationship (data.moved orders the moves).
    rows = connection.execute(sa.select(space_records.c.id, space_records.c.state).where(
        space_records.c.space.in_(_chain(connection, old.id)),
        space_records.c.type == "goal")).all()
    for row in rows:
        goal = _load(row.state)
        goal_data = dict(goal.get("data", {}))
        goal_data["relationship"] = new_id
        goal_data["moved"] = int(goal_data.get("moved", 0) or 0) + 1
        put_space_record(connection, new_id, {**goal, "data": goal_data}, int(row.id))
    leave_space(connection, old.id, old.mentor_id)


def _chain(connection: Connection, rel_id: str) -> list[str]:
    """``rel_id`` and the relationships it followed, newest first."""
    chain = [rel_id]
    while len(chain) < 100:
        previous = connection.execute(sa.select(mentor_relationships.c.previous_id).where(
            mentor_relationships.c.id == chain[-1])).scalar()
        if not previous or previous in chain:
            break
        chain.append(str(previous))
    return chain


def _share_history(connection: Connection, rel: Relationship) -> None:
    """The mentee's consent: the new mentor reads the spaces of the relationships before."""
    rel.data["history_shared"] = True
    for space in _chain(connection, rel.id)[1:]:
        join_space(connection, space, rel.mentor_id)


def _request(connection: Connection, actor: Actor, action_id: str, rel_id: str, data: State,
             now: int) -> None:
    existing = connection.execute(sa.select(mentor_relationships.c.mentee_id).where(
        mentor_relationships.c.id == rel_id)).first()
    if existing is not None:
        if int(existing.mentee_id) != actor.id:
            raise SpaceForbidden(_("The relationship {id} is not yours.").format(
                id=rel_id[:80]), _("the relationship {id} is not yours").format(
                    id=rel_id[:80]))
        return  # the same request seen again
    peer = str(data["peer"])
    ids = user_ids(connection, [peer])
    mentor_id = ids.get(peer, 0)
    share = bool(data.get("share_progress", True))
    if mentor_id == 0:
        journal.event("mentor-action-ignored", action="request", user=actor.name,
                      reason="no such account")
        return
    profile = profile_data(connection, mentor_id)
    away_note = ""
    backup = _backup_for(connection, profile, actor.id, now)
    if backup is not None:
        away_note = _("{name} is away until {date}; the request went to their backup mentor, "
                      "{backup}.").format(name=peer, date=str(profile["away_until"]),  # type: ignore[index]
                                          backup=backup[1])
        (mentor_id, peer), profile = backup, profile_data(connection, backup[0])
    rel = new_relationship(connection, rel_id, (mentor_id, peer), (actor.id, actor.name),
                           "pending", now, share)
    rel.data["message"] = str(data.get("message") or "")
    problem: str | None = None
    if mentor_id == actor.id:
        problem = _("a person cannot mentor themselves")
    elif blocked(connection, mentor_id, actor.id):
        problem = _("one of them has blocked the other")
    elif profile is None or not profile.get("mentoring"):
        problem = _("{name} is not open to mentees").format(name=peer)
    elif _live_between(connection, mentor_id, actor.id):
        problem = _("a relationship between them is already live")
    state = "pending"
    ok = problem is None
    if problem is None and profile is not None and profile.get("auto_accept"):
        if place_left(connection, mentor_id):
            state = "active"
        else:
            problem = _("no place left")
    if problem is not None:
        state = "declined"
    if state != "pending":
        rel.data["expires"] = None
    rel.data["state"] = state
    audit(rel, action_id, actor.name, "request", None, state, problem is None,
          problem or " ".join(part for part in (away_note, str(data.get("message") or ""))
                              if part), now)
    if not ok:
        journal.event("mentor-request-refused", user=actor.name, mentor=peer,
                      reason=problem or "")
    save_relationship(connection, rel, now, new=True)
    _enter_spaces(connection, rel)


def _live_between(connection: Connection, mentor_id: int, mentee_id: int) -> bool:
    table = mentor_relationships
    return connection.execute(sa.select(table.c.id).where(
        table.c.mentor_id == mentor_id, table.c.mentee_id == mentee_id,
        table.c.state.in_(LIVE))).first() is not None


def _about_person(connection: Connection, actor: Actor, action_id: str, what: str,
                  data: State, now: int) -> None:
    peer = str(data["peer"])
    ids = user_ids(connection, [peer])
    if peer not in ids or ids[peer] == actor.id:
        journal.event("mentor-action-ignored", action=what, user=actor.name,
                      reason="no such account")
        return
    other = ids[peer]
    if what == "report":
        if connection.execute(sa.select(mentor_reports.c.id).where(
                mentor_reports.c.action_id == action_id)).first() is None:
            connection.execute(mentor_reports.insert().values(
                action_id=action_id, reporter_id=actor.id, reported_id=other,
                reason=str(data.get("reason") or ""), created_at=now))
        journal.event("mentor-report", user=actor.name, reported=peer)
        return
    exists = connection.execute(sa.select(mentor_blocks.c.blocker_id).where(
        mentor_blocks.c.blocker_id == actor.id, mentor_blocks.c.blocked_id == other)).first()
    if what == "unblock":
        if exists is not None:
            connection.execute(mentor_blocks.delete().where(
                mentor_blocks.c.blocker_id == actor.id, mentor_blocks.c.blocked_id == other))
        return
    if exists is None:
        connection.execute(mentor_blocks.insert().values(blocker_id=actor.id,
                                                         blocked_id=other, created_at=now))
    table = mentor_relationships
    rows = connection.execute(sa.select(table.c.id).where(table.c.state.in_(LIVE), sa.or_(
        sa.and_(table.c.mentor_id == actor.id, table.c.mentee_id == other),
        sa.and_(table.c.mentor_id == other, table.c.mentee_id == actor.id)))).all()
    for row in rows:
        rel = get_relationship(connection, row.id)
        assert rel is not None
        before = rel.state
        rel.data["state"] = "cancelled"
        rel.data["expires"] = None
        audit(rel, action_id, actor.name, "block", before, "cancelled", True,
              _("blocked"), now)
        save_relationship(connection, rel, now)


# -- pull ------------------------------------------------------------------------------------

def space_page(connection: Connection, user_id: int, since: int,
               limit: int) -> list[tuple[int, str]]:
    """The records of ``user_id``'s spaces with ``seq`` after ``since`` (at most ``limit``)."""
    members = space_members
    rows = connection.execute(
        sa.select(space_records.c.seq, space_records.c.state)
        .select_from(space_records.join(members, members.c.space == space_records.c.space))
        .where(members.c.user_id == user_id, space_records.c.seq > since,
               sa.or_(members.c.until_seq.is_(None),
                      space_records.c.seq <= members.c.until_seq))
        .order_by(space_records.c.seq).limit(limit)).all()
    return [(int(row.seq), row.state) for row in rows]


# -- reads for the routes --------------------------------------------------------------------

def relationships_of(connection: Connection, user_id: int,
                     role: str) -> list[Relationship]:
    column = mentor_relationships.c.mentor_id if role == "mentor" \
        else mentor_relationships.c.mentee_id
    ids = [row.id for row in connection.execute(
        sa.select(mentor_relationships.c.id).where(column == user_id))]
    found = [get_relationship(connection, rel_id) for rel_id in ids]
    return [rel for rel in found if rel is not None]


def pending_requests(engine: Engine, user_id: int) -> list[State]:
    """The caller's pending requests as a mentor, longest waiting first."""
    expire_for(engine, user_id)
    with engine.connect() as connection:
        rels = [rel for rel in relationships_of(connection, user_id, "mentor")
                if rel.state == "pending"]
    rels.sort(key=lambda rel: (str(rel.data.get("created")), rel.id))
    return [{"relationship": rel.id, "mentee": rel.mentee, "since": rel.data.get("created"),
             "expires": rel.data.get("expires"), "message": rel.data.get("message", ""),
             "share_progress": rel.data.get("share_progress", True)} for rel in rels]


def reports(engine: Engine) -> list[State]:
    with engine.connect() as connection:
        rows = connection.execute(sa.select(mentor_reports).order_by(mentor_reports.c.id)).all()
        names = user_names(connection, [r.reporter_id for r in rows]
                           + [r.reported_id for r in rows])
    return [{"id": row.id, "reporter": names.get(row.reporter_id),
             "reported": names.get(row.reported_id), "reason": row.reason,
             "at": db.iso(row.created_at)} for row in rows]


def shipped_skills() -> list[State]:
    """resources/mentorship/skills.json: ``[{"id", "labels": {language: label}}]``."""
    from app.paths import resources_dir

    try:
        items = json.loads((resources_dir() / "mentorship" / "skills.json")
                           .read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [item for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)]


def skills(engine: Engine) -> list[State]:
    """The shipped skill list and every id a profile on this hub names."""
    listed = shipped_skills()
    known = {skill["id"] for skill in listed}
    seen: set[str] = set()
    with engine.connect() as connection:
        for row in connection.execute(sa.select(db.sync_records.c.state).where(
                db.sync_records.c.type == "mentor_profile")):
            data = _load(row.state).get("data", {})
            for key in ("offers", "wants"):
                seen.update(skill for skill in data.get(key, []) if isinstance(skill, str))
    return listed + [{"id": skill, "labels": {}} for skill in sorted(seen - known)]


def today(now: int) -> date:
    return datetime.fromtimestamp(now, UTC).date()


# -- matching over the hub's profiles ---------------------------------------------------------

def _profiles(connection: Connection) -> dict[int, State]:
    rows = connection.execute(sa.select(db.sync_records.c.owner_id, db.sync_records.c.state)
                              .where(db.sync_records.c.type == "mentor_profile",
                                     db.sync_records.c.record_id == "me"))
    found: dict[int, State] = {}
    for row in rows:
        state = _load(row.state)
        if not state.get("deleted") and isinstance(state.get("data"), dict):
            found[int(row.owner_id)] = state["data"]
    return found


def _disabled(connection: Connection) -> set[int]:
    return {int(row.id) for row in connection.execute(
        sa.select(db.users.c.id).where(db.users.c.disabled.is_(True)))}


def _backup_for(connection: Connection, profile: State | None, mentee_id: int,
                now: int) -> tuple[int, str] | None:
    """The backup mentor a request goes to while the asked mentor is away: named in their
    profile, an account open to mentees, not the mentee and not blocked with them."""
    if profile is None or not _away(profile, today(now)):
        return None
    name = profile.get("backup_mentor")
    if not isinstance(name, str) or not name:
        return None
    backup_id = user_ids(connection, [name]).get(name, 0)
    if backup_id in (0, mentee_id) or blocked(connection, backup_id, mentee_id):
        return None
    backup_profile = profile_data(connection, backup_id)
    if backup_profile is None or not backup_profile.get("mentoring") \
            or _away(backup_profile, today(now)):
        return None
    return backup_id, name


def _person(data: State, name: str) -> State:
    return {"id": name, "languages": data.get("languages") or {},
            "timezone": data.get("timezone") or "UTC",
            "availability": data.get("availability") or []}


def _away(data: State, as_of: date) -> bool:
    away = data.get("away_until")
    return isinstance(away, str) and away >= as_of.isoformat()


def _parses(cohort: State) -> bool:
    """Whether a one-person cohort is sound (a profile checked at push always is; one kept
    from before a rule tightened is left out rather than stopping everyone's matching)."""
    from app.mentorship.cohort import CohortError, parse_cohort

    try:
        parse_cohort(cohort)
    except CohortError:
        return False
    return True


@dataclass
class HubCohort:
    """A :class:`~app.mentorship.cohort.Cohort` built from the hub's profiles, and who is
    who in it."""

    cohort: Any
    ids: dict[str, int]
    capacity: dict[str, int]
    taken: dict[str, int]


def hub_cohort(connection: Connection, as_of: date, mentee_ids: set[int] | None = None,
               live_capacity: bool = True) -> HubCohort:
    """Mentors: profiles open to mentees, not away, with a place left (their capacity in the
    cohort is what is left when ``live_capacity``). Mentees: ``mentee_ids``, or everyone
    looking for a mentor without a live relationship as a mentee. Blocks: the hub's."""
    from app.mentorship.cohort import parse_cohort

    profiles = _profiles(connection)
    disabled = _disabled(connection)
    names = user_names(connection, profiles)
    table = mentor_relationships
    taken_rows = connection.execute(
        sa.select(table.c.mentor_id, sa.func.count()).where(table.c.state.in_(TAKING))
        .group_by(table.c.mentor_id)).all()
    taken = {int(row[0]): int(row[1]) for row in taken_rows}
    with_mentor = {int(row.mentee_id) for row in connection.execute(
        sa.select(table.c.mentee_id).where(table.c.state.in_(LIVE)))}
    looking = {int(row.user_id): row.looking_since for row in connection.execute(
        sa.select(mentor_people.c.user_id, mentor_people.c.looking_since))}
    mentors, mentees = [], []
    capacity: dict[str, int] = {}
    taken_by_name: dict[str, int] = {}
    for user_id, data in sorted(profiles.items(), key=lambda item: names[item[0]]):
        name = names[user_id]
        if user_id in disabled:
            continue
        if data.get("mentoring") and not _away(data, as_of) and data.get("offers"):
            full = int(data.get("capacity") or 0)
            left = full - taken.get(user_id, 0)
            if left > 0:
                capacity[name] = full
                taken_by_name[name] = taken.get(user_id, 0)
                mentors.append({**_person(data, name), "offers": list(data["offers"]),
                                "capacity": left if live_capacity else full})
        wanted = mentee_ids is None and data.get("looking") and user_id not in with_mentor
        if (wanted or (mentee_ids is not None and user_id in mentee_ids)) and data.get("wants"):
            since = looking.get(user_id)
            waiting = today(int(since)) if since else as_of
            mentees.append({**_person(data, name), "wants": list(data["wants"]),
                            "waiting_since": min(waiting, as_of).isoformat()})
    mentors = [m for m in mentors if _parses({"mentors": [m], "mentees": []})]
    mentees = [m for m in mentees if _parses({"mentors": [], "mentees": [m]})]
    people = {m["id"] for m in mentors} | {m["id"] for m in mentees}
    ids = {name: user_id for user_id, name in names.items() if name in people}
    blocks = []
    for pair in blocked_pairs(connection):
        a, b = sorted(pair)
        if names.get(a) in people and names.get(b) in people and a != b:
            blocks.append([names[a], names[b]])
    cohort = parse_cohort({"mentors": mentors, "mentees": mentees, "blocks": sorted(blocks)})
    return HubCohort(cohort, ids, capacity, taken_by_name)


def matches(engine: Engine, user_id: int, limit: int, now: int | None = None) -> list[State]:
    """The best mentors for ``user_id`` as a mentee (hard rules, live places, blocks)."""
    from app.mentorship.cohort import Mentor
    from app.mentorship.matching import _match as explained
    from app.mentorship.matching import compatible_pairs

    now = db.now() if now is None else now
    expire_for(engine, user_id, now)
    as_of = today(now)
    with engine.connect() as connection:
        found = hub_cohort(connection, as_of, {user_id}, live_capacity=False)
        live = {rel.mentor for rel in relationships_of(connection, user_id, "mentee")
                if rel.state in LIVE}
    cohort = found.cohort
    if not cohort.mentees:
        return []
    mentee = cohort.mentees[0]
    answers: list[State] = []
    for pair in compatible_pairs(cohort, as_of).candidates:
        mentor: Mentor = cohort.mentors[pair.mentor]
        if mentor.id in live:
            continue
        taken = found.taken[mentor.id]
        match = explained(mentor, mentee, pair, taken, as_of)
        answers.append({"mentor": mentor.id, "score": match.score / 1000,
                        "factors": dict(match.factors), "explanation": match.explanation,
                        "places_left": mentor.capacity - taken})
    answers.sort(key=lambda item: (-item["score"], item["mentor"]))
    return answers[:limit]


def match_all(engine: Engine, dry_run: bool, by: str = _HUB,
              now: int | None = None) -> State:
    """Cohort matching over every looking mentee without a live mentor; the pairs become
    ``proposed`` relationships (not when ``dry_run``). The answer is ``ujuzi mentor match
    --json``'s, with the proposed relationships' ids."""
    from app.mentorship.matching import match_cohort

    now = db.now() if now is None else now
    as_of = today(now)
    with engine.connect() as connection:
        central = upstream(connection)
        if central and not dry_run:
            raise HubError(_("This hub leaves mentorship decisions to its upstream hub "
                             "{url}: match there, or here with --dry-run.").format(url=central))
        people = set(hub_cohort(connection, as_of).ids.values())
    with engine.begin() as connection:
        lock_people(connection, people)
        expire(connection, people, now)
        found = hub_cohort(connection, as_of)
        result = match_cohort(found.cohort, as_of)
        answer = result.to_json()
        answer["dry_run"] = dry_run
        proposed = []
        for pair, raw in zip(result.pairs, answer["pairs"], strict=True):
            mentor_id, mentee_id = found.ids[pair.mentor], found.ids[pair.mentee]
            if dry_run or not {mentor_id, mentee_id} <= people:
                raw["relationship"] = None
                continue
            rel_id = str(uuid.uuid4())
            rel = new_relationship(connection, rel_id, (mentor_id, pair.mentor),
                                   (mentee_id, pair.mentee), "proposed", now, True,
                                   factors=dict(pair.factors), explanation=pair.explanation,
                                   algorithm=answer["algorithm"])
            audit(rel, None, by, "propose", None, "proposed", True, pair.explanation, now)
            save_relationship(connection, rel, now, new=True)
            _enter_spaces(connection, rel)
            raw["relationship"] = rel_id
            proposed.append(rel_id)
        if dry_run:
            connection.rollback()
    journal.event("mentor-match-all", pairs=len(result.pairs), unmatched=len(result.unmatched),
                  dry_run=dry_run, user=by)
    return answer


# -- a hub with an upstream ------------------------------------------------------------------

def defer_action(connection: Connection, actor: Actor, data: State, now: int) -> None:
    """An action on a hub whose upstream decides: it stays the actor's record (forwarded up
    with the others). A request shows at once as its relationship, state ``pending``, marked
    ``upstream`` and of version 0, so that the upstream's decision (version 1 or more)
    replaces it wherever it is merged; only the mentee reads it until then."""
    rel_id = data.get("relationship")
    if data.get("action") != "request" or not isinstance(rel_id, str):
        return
    known = connection.execute(sa.select(space_records.c.id).where(
        space_records.c.type == "relationship", space_records.c.record_id == rel_id)).first()
    if known is not None:
        return  # the same request seen again, or decided upstream already
    peer = str(data.get("peer") or "")
    rel = new_relationship(connection, rel_id, (0, peer), (actor.id, actor.name), "pending",
                           now, bool(data.get("share_progress", True)), upstream=True,
                           message=str(data.get("message") or ""))
    rel.data["expires"] = None
    put_space_record(connection, rel_id, {"type": "relationship", "id": rel_id,
                                          "deleted": False, "data": rel.data})
    join_space(connection, rel_id, actor.id)


def _pulled_space(state: State) -> str | None:
    if state.get("type") == "relationship":
        return str(state["id"])
    return _space_of(state)


def pulled_people(connection: Connection, owner_id: int, states: Sequence[State]) -> set[int]:
    """Everyone whose owner row a merge of ``states`` pulled from the upstream for
    ``owner_id`` must hold: the owner, the members of the spaces it writes into, and the
    parties of its relationships who have accounts here."""
    spaces: set[str] = set()
    names: set[str] = set()
    keys = []
    for state in states:
        if state.get("type") not in SPACE_TYPES:
            continue
        keys.append((str(state["type"]), str(state["id"])))
        space = _pulled_space(state)
        if space:
            spaces.add(space)
        if state.get("type") == "relationship":
            data = state.get("data", {})
            names.update(str(data.get(side) or "") for side in ("mentor", "mentee"))
    for _key, (_row, space, _state) in _stored_spaces(connection, keys).items():
        spaces.add(space)
    return {owner_id} | _members(connection, spaces) | set(user_ids(connection, names).values())


def take_upstream(connection: Connection, owner_id: int, state: State, now: int) -> bool:
    """Merge a space record that the upstream sent for ``owner_id`` into its space here (the
    caller holds the locks of :func:`pulled_people`); whether it changed anything. The owner
    reads the space from now on; a relationship's row follows its record when both parties
    have accounts here, with no expiry (the upstream expires requests). A record the
    upstream holds as it is here has nothing left to forward: it loses its writer."""
    key = (str(state["type"]), str(state["id"]))
    stored = _stored_spaces(connection, [key]).get(key)
    merged = _merge(_load(stored[2]), state) if stored else _merge(state, state)
    space = _pulled_space(merged) or (stored[1] if stored else None)
    if space is None:
        return False
    changed = stored is None or canonical(merged) != stored[2] or stored[1] != space
    if changed:
        put_space_record(connection, space, merged, stored[0] if stored else None)
        if merged["type"] == "relationship":
            _take_relationship(connection, merged, now)
    if stored is not None and canonical(merged) == canonical(_merge(state, state)):
        connection.execute(space_records.update().where(space_records.c.id == stored[0])
                           .values(writer_id=None, written_seq=None))
    if is_member(connection, space, owner_id) == "none":
        join_space(connection, space, owner_id)
    return changed


def _take_relationship(connection: Connection, state: State, now: int) -> None:
    data = state.get("data", {})
    mentor, mentee = str(data.get("mentor") or ""), str(data.get("mentee") or "")
    ids = user_ids(connection, [mentor, mentee])
    table = mentor_relationships
    found = connection.execute(sa.select(table.c.id).where(table.c.id == state["id"])).first()
    if mentor not in ids or mentee not in ids:
        if found is not None:  # its mentor changed to someone this hub does not know
            connection.execute(table.delete().where(table.c.id == state["id"]))
        return
    version = data.get("version")
    values = {"mentor_id": ids[mentor], "mentee_id": ids[mentee],
              "state": str(data.get("state") or ""),
              "version": version if isinstance(version, int) else 0, "updated_at": now,
              "expires_at": None, "previous_id": data.get("previous")}
    if found is None:
        connection.execute(table.insert().values(id=state["id"], created_at=now, **values))
    else:
        connection.execute(table.update().where(table.c.id == state["id"]).values(**values))
    if values["state"] == "handed_over" \
            and is_member(connection, str(state["id"]), ids[mentor]) == "member":
        leave_space(connection, str(state["id"]), ids[mentor])


# -- the mentor's dashboard -------------------------------------------------------------------

def _pack_titles(connection: Connection) -> dict[str, tuple[str, int]]:
    """Each published pack's title and resource count (its newest version)."""
    rows = connection.execute(sa.select(db.published.c.pack_id, db.published.c.manifest)
                              .order_by(db.published.c.id)).all()
    found: dict[str, tuple[str, int]] = {}
    for row in rows:
        try:
            manifest = json.loads(row.manifest)
        except ValueError:
            continue
        title = manifest.get("title", row.pack_id)
        if isinstance(title, dict):
            title = title.get("en") or next(iter(title.values()), row.pack_id)
        found[row.pack_id] = (str(title), len(manifest.get("resources", [])))
    return found


def _goals_due(connection: Connection, space: str, as_of: date) -> int:
    due = 0
    soon = date.fromordinal(as_of.toordinal() + 7).isoformat()
    for row in connection.execute(sa.select(space_records.c.state).where(
            space_records.c.space == space, space_records.c.type == "goal")):
        goal = _load(row.state)
        if goal.get("deleted"):
            continue
        when = (goal.get("fields", {}).get("due") or {}).get("v")
        tasks = goal.get("tasks", {}).values()
        finished = bool(tasks) and all((task.get("done") or {}).get("v") for task in tasks)
        if isinstance(when, str) and when[:10] <= soon and not finished:
            due += 1
    return due


def dashboard(engine: Engine, mentor_id: int, now: int | None = None) -> list[State]:
    """One row per live mentee (active or paused) who shares progress with ``mentor_id``."""
    now = db.now() if now is None else now
    expire_for(engine, mentor_id, now)
    as_of = today(now)
    rows: list[State] = []
    with engine.connect() as connection:
        packs = _pack_titles(connection)
        for rel in relationships_of(connection, mentor_id, "mentor"):
            if rel.state not in TAKING or not rel.data.get("share_progress", True):
                continue
            rows.append(_row(connection, rel, packs, as_of))
    rows.sort(key=lambda row: (row["mentee"], row["relationship"]))
    return rows


def _row(connection: Connection, rel: Relationship, packs: dict[str, tuple[str, int]],
         as_of: date) -> State:
    table = db.sync_records
    done: dict[str, int] = {}
    started: set[str] = set()
    timeline: dict[str, int] = {}
    scores: list[float] = []
    for row in connection.execute(sa.select(table.c.type, table.c.state).where(
            table.c.owner_id == rel.mentee_id, table.c.type.in_(("progress", "quiz_attempt")))):
        state = _load(row.state)
        if state.get("deleted"):
            continue
        data = state.get("data", {})
        if row.type == "quiz_attempt":
            score = data.get("score")
            if isinstance(score, int | float) and not isinstance(score, bool):
                scores.append(float(score))
            continue
        resource = str(data.get("resource_id") or state.get("id", ""))
        pack_id = resource.split("/", 1)[0]
        started.add(pack_id)
        if data.get("completed"):
            done[pack_id] = done.get(pack_id, 0) + 1
            when = data.get("completed_at")
            if isinstance(when, str) and len(when) >= 10:
                timeline[when[:10]] = timeline.get(when[:10], 0) + 1
    last = connection.execute(sa.select(mentor_people.c.last_push).where(
        mentor_people.c.user_id == rel.mentee_id)).scalar()
    return {
        "mentee": rel.mentee, "relationship": rel.id, "state": rel.state,
        "packs": [{"pack_id": pack_id, "title": packs.get(pack_id, (pack_id, 0))[0],
                   "done": done.get(pack_id, 0),
                   "total": max(packs.get(pack_id, (pack_id, 0))[1], done.get(pack_id, 0))}
                  for pack_id in sorted(started)],
        "quiz": {"attempts": len(scores),
                 "mean_score": round(sum(scores) / len(scores), 4) if scores else None},
        "last_active": db.iso(int(last)) if last else None,
        "goals_due": _goals_due(connection, rel.id, as_of),
        "timeline": [[day, count] for day, count in sorted(timeline.items())],
    }

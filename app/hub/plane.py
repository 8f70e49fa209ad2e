"""The primitives of the hub's record plane that its parts share (app/hub/records.py, the
spaces of app/hub/mentorship.py, badges, forwarding): the canonical form of a state, the
owner lock, the one increasing sequence, the merge with its error in words, and the hub's
upstream (the central hub that decides mentorship for a workshop hub). They sit below those
parts, so that none of them imports another to reach them."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.errors import HubError
from app.hub import db
from app.i18n import _
from app.store import merge

#: The ``hub_state`` counter that is the sequence on SQLite (PostgreSQL has ``sync_seq``).
SEQ_COUNTER = "sync_seq"
#: The ``hub_text`` setting naming this hub's upstream hub (written by ``hub forward`` and
#: ``hub serve --upstream``): while it is set, the upstream decides mentorship here.
UPSTREAM = "upstream"

State = dict[str, Any]


class RecordError(HubError):
    """A pushed record that is malformed or of a type this hub does not know (400)."""


def canonical(state: State) -> str:
    return json.dumps(state, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def insert_for(connection: Connection, table: sa.Table) -> Any:
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def lock_owner(connection: Connection, owner_id: int) -> None:
    """Hold ``owner_id``'s row until the transaction ends (see the module's docstring): one
    upsert, which on PostgreSQL locks the row it inserts or updates."""
    table = db.sync_owners
    connection.execute(insert_for(connection, table).values(owner_id=owner_id, pushes=1)
                       .on_conflict_do_update(index_elements=[table.c.owner_id],
                                              set_={"pushes": table.c.pushes + 1}))


def next_seqs(connection: Connection, count: int) -> list[int]:
    """``count`` new values of the one sequence, increasing."""
    if count == 0:
        return []
    if connection.dialect.name == "postgresql":
        rows = connection.execute(sa.text(
            "SELECT nextval('sync_seq') FROM generate_series(1, :count)"), {"count": count})
        return sorted(int(row[0]) for row in rows)
    table = db.hub_state
    last = connection.execute(
        insert_for(connection, table).values(key=SEQ_COUNTER, value=count)
        .on_conflict_do_update(index_elements=[table.c.key],
                               set_={"value": table.c.value + count})
        .returning(table.c.value)).scalar_one()
    return list(range(int(last) - count + 1, int(last) + 1))


def merge_states(a: State, b: State) -> State:
    try:
        return merge.merge(a, b)
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        raise RecordError(_("The record {type} {id} cannot be merged: {error}.").format(
            type=b.get("type"), id=str(b.get("id"))[:80], error=str(error)[:200])) from None


def upstream(connection: Connection) -> str | None:
    """The URL of the hub this one forwards to, which decides its mentorship; None when
    this hub decides on its own."""
    value = connection.execute(sa.select(db.hub_text.c.value)
                               .where(db.hub_text.c.key == UPSTREAM)).scalar()
    return str(value) if value else None


def set_upstream(connection: Connection, url: str | None) -> None:
    """Name this hub's upstream (None: none, the hub decides on its own again)."""
    connection.execute(db.hub_text.delete().where(db.hub_text.c.key == UPSTREAM))
    if url:
        connection.execute(db.hub_text.insert().values(key=UPSTREAM, value=url))

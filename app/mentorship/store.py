"""Mentorship's local tables (library migration 7): reading their live records, writing
through the one writer, and the cache of hub answers kept for offline use.

It sits below the sync client so that both the mentorship client (app/mentorship/local.py)
and the sync's login (app/sync/notes_keys.py) use one copy of these rules.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from app.library import Library
from app.store.db import utc_now
from app.store.records import write_record

#: The ``mentor_cache`` entry of a notes key made at login and not used yet.
PENDING_KEY = "notes_key_pending"


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def rows(library: Library, table: str, profile_id: str,
         where: str = "", params: tuple[Any, ...] = ()) -> Iterator[dict[str, Any]]:
    """The live records of one mentorship table for a profile, as states with their row's
    bookkeeping (``_updated``)."""
    for record_id, data, extra, clock, updated in library.db.execute(
            f"SELECT id, data, extra, clock, updated_at FROM {table} "
            f"WHERE profile_id = ? AND deleted = 0 {where}", (profile_id, *params)):
        state: dict[str, Any] = {"id": str(record_id), "data": json.loads(data),
                                 **json.loads(extra), "_updated": updated}
        if clock:
            state["clock"] = json.loads(clock)
        yield state


def write(library: Library, table: str, profile_id: str, record_id: str,
          data: dict[str, Any], extra: dict[str, Any] | None = None,
          deleted: bool = False) -> None:
    """Write one mentorship record through the one writer (its outbox entry included)."""
    values: dict[str, Any] = {"data": dumps(data)}
    if extra is not None:
        values["extra"] = dumps(extra)
    write_record(library.db, table, {"profile_id": profile_id, "id": record_id}, values,
                 deleted=deleted)


def cache_put(library: Library, profile_id: str, name: str, body: Any) -> str:
    """Keep a hub answer for offline use; returns when it was fetched."""
    fetched = utc_now()
    with library.db.atomic():
        library.db.execute(
            "INSERT INTO mentor_cache(profile_id, name, body, fetched) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(profile_id, name) DO UPDATE SET body = excluded.body, "
            "fetched = excluded.fetched", (profile_id, name, dumps(body), fetched))
    return fetched


def cache_get(library: Library, profile_id: str, name: str) -> tuple[Any, str | None]:
    """A kept hub answer and when it was fetched (``None, None``: none kept)."""
    row = library.db.execute("SELECT body, fetched FROM mentor_cache WHERE profile_id = ? "
                             "AND name = ?", (profile_id, name)).fetchone()
    if row is None:
        return None, None
    try:
        return json.loads(row[0]), str(row[1])
    except ValueError:
        return None, None

"""What the client keeps of the hub in the library's database for offline use, by key
(the ``hub_cache`` table): the last catalog and its ETag, the account's role."""

from __future__ import annotations

from typing import Any

CATALOG = "catalog"
CATALOG_ETAG = "catalog_etag"
CATALOG_URL = "catalog_url"
ROLE = "role"


def get(db: Any, key: str) -> str | None:
    row = db.execute("SELECT value FROM hub_cache WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def put(db: Any, key: str, value: str | None) -> None:
    """Keep ``value`` under ``key`` (None forgets it)."""
    with db.atomic():
        if value is None:
            db.execute("DELETE FROM hub_cache WHERE key = ?", (key,))
        else:
            db.execute(
                "INSERT INTO hub_cache(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

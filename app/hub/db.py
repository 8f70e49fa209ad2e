"""The hub's database: its tables (SQLAlchemy Core), engines for SQLite and PostgreSQL, and
the migrations (Alembic revisions in ``app/hub/migrations/``, run programmatically).

Times are whole seconds since the epoch (UTC), the same in both databases. ``hub_state``
holds counters that every worker reads, such as the catalog's change counter: workers keep no
state of their own beyond caches keyed by those counters.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app import filelock
from app.hub.config import HubConfig
from app.paths import create_private_file

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: The ``hub_state`` counter bumped by every change the catalog shows.
CATALOG_COUNTER = "catalog"

metadata = sa.MetaData()

users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("trusted", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
)

tokens = sa.Table(
    "tokens", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("device", sa.String(200), nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("expires_at", sa.BigInteger, nullable=False),
    sa.Column("revoked_at", sa.BigInteger),
    sa.Column("revoked_reason", sa.String(16)),
)

login_failures = sa.Table(
    "login_failures", metadata,
    sa.Column("key", sa.String(300), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("window_start", sa.BigInteger, nullable=False),
)

keys = sa.Table(
    "keys", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("public_key", sa.String(64), nullable=False, unique=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("signed_by", sa.String(64)),
    sa.Column("endorsement", sa.String(128)),
)

submissions = sa.Table(
    "submissions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("pack_id", sa.String(200), nullable=False),
    sa.Column("version", sa.String(100), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("submitter_id", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("submitted_at", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("reason", sa.Text),
    sa.Column("reviewer_id", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("reviewed_at", sa.BigInteger),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("files", sa.Integer, nullable=False),
    sa.Column("languages", sa.Text, nullable=False),
    sa.Column("license", sa.Text, nullable=False),
    sa.Column("attribution", sa.Text, nullable=False),
    sa.Column("manifest", sa.Text, nullable=False),
)

published = sa.Table(
    "published", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("pack_id", sa.String(200), nullable=False, index=True),
    sa.Column("version", sa.String(100), nullable=False),
    sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id")),
    sa.Column("manifest", sa.Text, nullable=False),
    sa.Column("manifest_sha256", sa.String(64), nullable=False),
    sa.Column("signature", sa.String(128), nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("entry", sa.Text, nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("files", sa.Integer, nullable=False),
    sa.Column("published_at", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("pack_id", "version", name="uq_published_version"),
)

published_files = sa.Table(
    "published_files", metadata,
    sa.Column("published_id", sa.Integer, sa.ForeignKey("published.id"), primary_key=True),
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Index("ix_published_files_sha256", "sha256"),
)

hub_state = sa.Table(
    "hub_state", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)


# -- the record plane (app/hub/records.py) ---------------------------------------------------

#: One row per account that has pushed records: a push holds it locked for its transaction.
sync_owners = sa.Table(
    "sync_owners", metadata,
    sa.Column("owner_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("pushes", sa.BigInteger, nullable=False),
)

#: Each record of each owner as its merged state; ``seq`` from one increasing sequence.
sync_records = sa.Table(
    "sync_records", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("owner_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("record_id", sa.String(300), nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False, unique=True),
    sa.Column("state", sa.Text, nullable=False),
    sa.UniqueConstraint("owner_id", "type", "record_id", name="uq_sync_record"),
    sa.Index("ix_sync_records_owner_seq", "owner_id", "seq"),
)

#: Per (owner, device), the highest change counter applied.
sync_devices = sa.Table(
    "sync_devices", metadata,
    sa.Column("owner_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("device", sa.String(200), primary_key=True),
    sa.Column("counter", sa.BigInteger, nullable=False),
)

#: A forwarding hub's marks: per upstream hub and owner, the highest local ``seq`` acked.
forward_marks = sa.Table(
    "forward_marks", metadata,
    sa.Column("upstream", sa.String(500), primary_key=True),
    sa.Column("owner_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("seq", sa.BigInteger, nullable=False),
)

#: A forwarding hub's copy of the upstream catalog: each pack's entry and signed manifest.
upstream_packs = sa.Table(
    "upstream_packs", metadata,
    sa.Column("upstream", sa.String(500), primary_key=True),
    sa.Column("pack_id", sa.String(200), primary_key=True),
    sa.Column("version", sa.String(100), nullable=False),
    sa.Column("entry", sa.Text, nullable=False),
    sa.Column("manifest", sa.Text, nullable=False),
    sa.Column("signature", sa.String(128), nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("fetched_at", sa.BigInteger, nullable=False),
)

#: Text settings of the hub itself (its id; the upstream hub's pinned key).
hub_text = sa.Table(
    "hub_text", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)


def now() -> int:
    return int(time.time())


def iso(seconds: int | None) -> str | None:
    """``seconds`` as the API writes times: ISO 8601 in UTC, ``Z``."""
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


#: Connections an engine keeps open: as many as the threads a worker answers requests in
#: (anyio's 40), so that none is opened (and its pragmas run) per request.
POOL_SIZE = 40


def create_engine(config: HubConfig) -> Engine:
    """An engine for the hub's database: SQLite (WAL, a busy timeout, foreign keys; the file
    made private before SQLite opens it) or PostgreSQL through psycopg."""
    url = config.database_url
    if url.startswith("sqlite"):
        database = Path(url.removeprefix("sqlite:///"))
        database.parent.mkdir(parents=True, exist_ok=True)
        create_private_file(database)
        engine = sa.create_engine(url, pool_pre_ping=False, pool_size=POOL_SIZE,
                                  max_overflow=POOL_SIZE)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        _serialize_sqlite_writers(engine, database)
        return engine
    # A PostgreSQL server is shared by every worker (and maybe by several machines): a few
    # connections each, more only while requests wait on them.
    return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=30)


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")
#: How long a writer waits for its turn in this process before it goes on anyway (and
#: SQLite's own busy timeout takes over), like the busy timeout.
_TURN_TIMEOUT = 30.0
#: Windows has no O_CLOEXEC (its descriptors are not inherited unless asked).
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class _SqliteWriters:
    """One writing transaction at a time on a SQLite file, taken at its first write and
    given back when its connection returns to the pool (after the commit or rollback): a lock
    for the threads of this process, a file lock (:mod:`app.filelock`) beside the database for the
    other processes. Waiting writers sleep in the kernel until it is their turn; SQLite's
    busy handler would poll instead, sleeping up to 100 ms between tries, so that a request
    that lost a few rounds waited seconds while the database was free most of the time.

    A thread that holds the turn and writes on a second connection goes on (counted), as it
    did before: SQLite then decides, with its busy timeout."""

    def __init__(self, database: str) -> None:
        self._lock = threading.Lock()
        self._path = f"{database}-writer"
        self._descriptor: int | None = None
        self._owner: int | None = None
        self._depth = 0

    def take(self, info: dict[str, Any]) -> None:
        if info.get("writer"):
            return
        me = threading.get_ident()
        if self._owner != me:
            if not self._lock.acquire(timeout=_TURN_TIMEOUT):
                return
            if self._descriptor is None:
                self._descriptor = os.open(self._path, os.O_RDWR | os.O_CREAT | _CLOEXEC,
                                           0o600)
            filelock.lock(self._descriptor)
            self._owner = me
        self._depth += 1
        info["writer"] = True

    def give_back(self, info: dict[str, Any] | None) -> None:
        if info is None or not info.pop("writer", False):
            return
        self._depth -= 1
        if self._depth == 0:
            self._owner = None
            if self._descriptor is not None:
                filelock.unlock(self._descriptor)
            self._lock.release()


def _serialize_sqlite_writers(engine: Engine, database: Path) -> None:
    writers = _SqliteWriters(str(database))

    def before_execute(connection: Connection, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip()[:7].upper().startswith(_WRITES):
            writers.take(connection.info)

    def returned(_dbapi: Any, record: Any, *_: Any) -> None:
        writers.give_back(getattr(record, "info", None))

    sa.event.listen(engine, "before_cursor_execute", before_execute)
    for name in ("checkin", "invalidate", "soft_invalidate", "close"):
        sa.event.listen(engine.pool, name, returned)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (the caller holds the setup lock)."""
    from alembic.config import Config
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("path_separator", "os")
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("version_locations", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)

    def upgrade(revision: Any, _context: Any) -> Any:
        return script._upgrade_revs("head", revision)

    with engine.begin() as connection, EnvironmentContext(
        config, script, fn=upgrade, destination_rev="head"
    ) as environment:
        environment.configure(connection=connection, target_metadata=metadata)
        environment.run_migrations()


def counter(connection: Connection, key: str) -> int:
    value = connection.execute(
        sa.select(hub_state.c.value).where(hub_state.c.key == key)).scalar()
    return int(value or 0)


def bump(connection: Connection, key: str) -> None:
    """Count one more change of ``key`` (inside the caller's transaction)."""
    result = connection.execute(
        hub_state.update().where(hub_state.c.key == key).values(value=hub_state.c.value + 1))
    if result.rowcount == 0:
        connection.execute(hub_state.insert().values(key=key, value=1))

"""The library database: connection setup, the schema, and its ordered migrations.

This module alone owns the schema. ``PRAGMA user_version`` records how many migrations have
run; opening a database runs the missing ones in order, each in its own transaction, after
copying the database file aside so that an upgrade can never cost a learner their history.

Several processes may open the same database at once (the window, the command line, a second
window). Setting up a new or older database (the switch to WAL, the migrations) therefore
happens under a lock file beside it (``library.sqlite3.open-lock``), and each migration runs
in a ``BEGIN IMMEDIATE`` transaction that reads ``user_version`` again once it holds the write
lock: the process that waited finds the work done and does not repeat it.

Records that sync (profiles, progress, notes) carry a UUID, a version made of the device id
and a per-device counter, an update time and a tombstone flag from the start.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlite_utils

from app.errors import UjuziError
from app.i18n import _
from app.paths import PRIVATE_FOLDER, Layout, create_private_file, exclusive_lock

Migration = Callable[[sqlite3.Connection], None]


def _v1_initial(conn: sqlite3.Connection) -> None:
    statements = [
        """CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )""",
        """CREATE TABLE profiles (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            created_at TEXT NOT NULL,
            device_id TEXT NOT NULL,
            counter INTEGER NOT NULL,
            updated_at TEXT NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE UNIQUE INDEX profiles_live_name ON profiles(name) WHERE deleted = 0",
        """CREATE TABLE packs (
            id TEXT PRIMARY KEY,
            version TEXT NOT NULL,
            manifest TEXT NOT NULL,
            manifest_sha256 TEXT NOT NULL,
            title TEXT NOT NULL,
            description TEXT NOT NULL,
            languages TEXT NOT NULL,
            license TEXT NOT NULL,
            attribution TEXT NOT NULL,
            total_bytes INTEGER NOT NULL,
            imported_at TEXT NOT NULL,
            source TEXT NOT NULL
        )""",
        """CREATE TABLE sections (
            pack_id TEXT NOT NULL REFERENCES packs(id) ON DELETE CASCADE,
            id TEXT NOT NULL,
            position INTEGER NOT NULL,
            title TEXT NOT NULL,
            PRIMARY KEY (pack_id, id)
        )""",
        """CREATE TABLE resources (
            id TEXT PRIMARY KEY,
            pack_id TEXT NOT NULL REFERENCES packs(id) ON DELETE CASCADE,
            local_id TEXT NOT NULL,
            section_id TEXT,
            position INTEGER NOT NULL,
            kind TEXT NOT NULL,
            lang TEXT,
            title TEXT NOT NULL,
            description TEXT NOT NULL,
            duration REAL,
            url TEXT,
            translations TEXT NOT NULL
        )""",
        "CREATE INDEX resources_pack ON resources(pack_id, position)",
        """CREATE TABLE files (
            pack_id TEXT NOT NULL REFERENCES packs(id) ON DELETE CASCADE,
            resource_id TEXT REFERENCES resources(id) ON DELETE CASCADE,
            path TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            mime TEXT NOT NULL,
            role TEXT NOT NULL,
            lang TEXT
        )""",
        "CREATE UNIQUE INDEX files_entry ON files(pack_id, path, IFNULL(resource_id, ''))",
        "CREATE INDEX files_resource ON files(resource_id)",
        "CREATE INDEX files_sha256 ON files(sha256)",
        """CREATE TABLE progress (
            id TEXT PRIMARY KEY,
            profile_id TEXT NOT NULL REFERENCES profiles(id),
            resource_id TEXT NOT NULL,
            position REAL NOT NULL DEFAULT 0,
            completed INTEGER NOT NULL DEFAULT 0,
            completed_at TEXT,
            device_id TEXT NOT NULL,
            counter INTEGER NOT NULL,
            updated_at TEXT NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0,
            UNIQUE (profile_id, resource_id)
        )""",
        """CREATE TABLE notes (
            id TEXT PRIMARY KEY,
            profile_id TEXT NOT NULL REFERENCES profiles(id),
            resource_id TEXT NOT NULL,
            body TEXT NOT NULL,
            at_seconds REAL,
            created_at TEXT NOT NULL,
            device_id TEXT NOT NULL,
            counter INTEGER NOT NULL,
            updated_at TEXT NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX notes_profile ON notes(profile_id, resource_id)",
    ]
    for statement in statements:
        conn.execute(statement)
    device_id = str(uuid.uuid4())
    conn.execute("INSERT INTO meta(key, value) VALUES ('device_id', ?)", (device_id,))
    conn.execute("INSERT INTO meta(key, value) VALUES ('counter', '0')")
    now = utc_now()
    conn.execute(
        "INSERT INTO profiles(id, name, created_at, device_id, counter, updated_at) "
        "VALUES (?, 'default', ?, ?, 0, ?)",
        (str(uuid.uuid4()), now, device_id, now),
    )


def _v2_quiz_attempts(conn: sqlite3.Connection) -> None:
    """Quiz attempts (a learner's graded answers), a record that syncs like progress; and
    the time a resource was last opened, which "continue where I left off" follows."""
    conn.execute(
        """CREATE TABLE quiz_attempts (
            id TEXT PRIMARY KEY,
            profile_id TEXT NOT NULL REFERENCES profiles(id),
            resource_id TEXT NOT NULL,
            score REAL NOT NULL,
            correct INTEGER NOT NULL,
            total INTEGER NOT NULL,
            passed INTEGER NOT NULL,
            answers TEXT NOT NULL,
            created_at TEXT NOT NULL,
            device_id TEXT NOT NULL,
            counter INTEGER NOT NULL,
            updated_at TEXT NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0
        )"""
    )
    conn.execute("CREATE INDEX quiz_attempts_resource ON quiz_attempts(profile_id, resource_id)")
    conn.execute("ALTER TABLE progress ADD COLUMN opened_at TEXT")
    conn.execute("CREATE INDEX progress_opened ON progress(profile_id, opened_at)")


def _v3_search(conn: sqlite3.Connection) -> None:
    """The search index (written by app.search.index; see docs/search.md). ``search_fts`` is a
    contentless FTS5 table over analysed text: our analysis splits words, so the tokenizer
    only splits at spaces and never at combining marks; ``search_titles`` indexes titles
    alone, for broad queries. ``search_docs`` is kept narrow (facets read it for every match);
    the original text for snippets is in ``search_text``. The
    ``search_analysis`` meta key is left unset, so the first search or import builds the
    index from the library."""
    tokenize = "unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
    statements = [
        """CREATE TABLE search_docs (
            id INTEGER PRIMARY KEY,
            resource_id TEXT NOT NULL UNIQUE,
            pack_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            lang TEXT NOT NULL,
            skills TEXT NOT NULL
        )""",
        "CREATE INDEX search_docs_pack ON search_docs(pack_id)",
        "CREATE INDEX search_docs_lang ON search_docs(lang)",
        """CREATE TABLE search_text (
            id INTEGER PRIMARY KEY REFERENCES search_docs(id) ON DELETE CASCADE,
            segments BLOB NOT NULL
        )""",
        f"CREATE VIRTUAL TABLE search_fts USING fts5(title, body, title_stems, body_stems, "
        f"content='', "
        f'tokenize="{tokenize}")',
        f"CREATE VIRTUAL TABLE search_titles USING fts5(title, title_stems, content='', "
        f'tokenize="{tokenize}")',
        f'CREATE VIRTUAL TABLE notes_fts USING fts5(body, stems, tokenize="{tokenize}")',
        """CREATE TABLE search_terms (
            term TEXT PRIMARY KEY,
            docs INTEGER NOT NULL
        ) WITHOUT ROWID""",
    ]
    for statement in statements:
        conn.execute(statement)


def _v4_interactive_state(conn: sqlite3.Connection) -> None:
    """Where a learner left an interactive resource (a SCORM SCO's location and suspend
    data), so it resumes there. Kept on this device only: it is the content's private
    memory, while completion and scores go to progress and quiz attempts."""
    conn.execute(
        """CREATE TABLE interactive_state (
            profile_id TEXT NOT NULL REFERENCES profiles(id),
            resource_id TEXT NOT NULL,
            data TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (profile_id, resource_id)
        )"""
    )


def _v5_hub_downloads(conn: sqlite3.Connection) -> None:
    """The queue of downloads from a hub (app/sync/downloads.py), which goes on after a
    restart, and what the client keeps of the hub for offline use (the last catalog, the
    account's role)."""
    statements = [
        """CREATE TABLE downloads (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            hub_url TEXT NOT NULL,
            pack_id TEXT NOT NULL,
            version TEXT NOT NULL,
            state TEXT NOT NULL,
            bytes_done INTEGER NOT NULL DEFAULT 0,
            bytes_total INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            manifest TEXT,
            signature TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        "CREATE INDEX downloads_state ON downloads(state, id)",
        """CREATE TABLE hub_cache (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )""",
    ]
    for statement in statements:
        conn.execute(statement)


def _v6_sync(conn: sqlite3.Connection) -> None:
    """What sync needs (docs/sync.md, app/store/merge.py): Lamport clocks of profiles and
    progress (``[count, device]`` as JSON), the versions of each note with their version
    vectors (several while a note is in conflict; none once it is deleted), the ``outbox``
    of changes not yet acknowledged by the profile's hub account (this device's counter,
    the profile, the record's type and id), the hub account each profile other than the
    default links to (the default profile's is in the settings), each (profile, hub
    account)'s pull cursor and last outcome, and the records pulled that no local table
    holds (another device's profile, a type this version does not show). This device's
    highest Lamport count is the ``lamport`` meta key. Every record already written goes
    to the outbox, so a learner's history syncs at the first ``ujuzi sync``."""
    statements = [
        "ALTER TABLE profiles ADD COLUMN clock TEXT",
        "ALTER TABLE progress ADD COLUMN clock TEXT",
        """CREATE TABLE note_versions (
            note_id TEXT NOT NULL REFERENCES notes(id),
            vv TEXT NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (note_id, vv)
        )""",
        """CREATE TABLE outbox (
            counter INTEGER PRIMARY KEY,
            profile_id TEXT NOT NULL,
            type TEXT NOT NULL,
            record_id TEXT NOT NULL
        )""",
        "CREATE UNIQUE INDEX outbox_record ON outbox(profile_id, type, record_id)",
        """CREATE TABLE hub_links (
            profile_id TEXT PRIMARY KEY,
            hub_url TEXT NOT NULL,
            hub_user TEXT NOT NULL,
            hub_key TEXT NOT NULL,
            role TEXT
        )""",
        """CREATE TABLE sync_cursors (
            profile_id TEXT NOT NULL,
            hub_url TEXT NOT NULL,
            hub_user TEXT NOT NULL,
            cursor INTEGER NOT NULL DEFAULT 0,
            last_sync TEXT,
            last_error TEXT,
            PRIMARY KEY (profile_id, hub_url, hub_user)
        )""",
        """CREATE TABLE sync_foreign (
            profile_id TEXT NOT NULL,
            type TEXT NOT NULL,
            record_id TEXT NOT NULL,
            state TEXT NOT NULL,
            PRIMARY KEY (profile_id, type, record_id)
        )""",
    ]
    for statement in statements:
        conn.execute(statement)
    conn.execute("UPDATE profiles SET clock = json_array(counter, device_id)")
    conn.execute("UPDATE progress SET clock = json_array(counter, device_id)")
    conn.execute(
        "INSERT INTO note_versions(note_id, vv, body) SELECT id, "
        "json_object(device_id, counter), body FROM notes WHERE deleted = 0"
    )
    highest = conn.execute(
        "SELECT MAX(c) FROM (SELECT MAX(counter) AS c FROM profiles "
        "UNION ALL SELECT MAX(counter) FROM progress)"
    ).fetchone()[0]
    conn.execute("INSERT INTO meta(key, value) VALUES ('lamport', ?)", (str(highest or 0),))
    counter = int(conn.execute("SELECT value FROM meta WHERE key = 'counter'").fetchone()[0])
    rows = conn.execute(
        "SELECT id, 'profile', id FROM profiles "
        "UNION ALL SELECT profile_id, 'progress', resource_id FROM progress "
        "UNION ALL SELECT profile_id, 'note', id FROM notes "
        "UNION ALL SELECT profile_id, 'quiz_attempt', id FROM quiz_attempts"
    ).fetchall()
    for profile_id, record_type, record_id in rows:
        counter += 1
        conn.execute("INSERT INTO outbox(counter, profile_id, type, record_id) "
                     "VALUES (?, ?, ?, ?)", (counter, profile_id, record_type, record_id))
    conn.execute("UPDATE meta SET value = ? WHERE key = 'counter'", (str(counter),))


def _v7_mentorship(conn: sqlite3.Connection) -> None:
    """Mentorship's local tables (app/mentorship/local.py, docs/mentorship.md). One table
    per record type (app/store/records.py ``STATE_TABLES``), each row a profile's copy of a
    record: its ``data`` and the type's other fields (``extra``: a goal's per-field
    registers, a shared note's versions) as JSON, its Lamport clock, tombstone and version.
    Records of these types pulled before this version (kept in ``sync_foreign``) move into
    them. ``mentor_cache`` keeps the hub's last answers (suggestions, a mentor's dashboard,
    the skills it has seen) with when they were fetched."""
    tables = {"mentor_profile": "mentor_profiles", "mentor_action": "mentor_actions",
              "relationship": "mentor_relationships", "goal": "mentor_goals",
              "shared_note": "mentor_shared_notes", "private_note": "mentor_private_notes",
              "notes_key": "mentor_notes_keys"}
    for record_type, table in tables.items():
        conn.execute(f"""CREATE TABLE {table} (
            profile_id TEXT NOT NULL,
            id TEXT NOT NULL,
            data TEXT NOT NULL DEFAULT '{{}}',
            extra TEXT NOT NULL DEFAULT '{{}}',
            clock TEXT,
            deleted INTEGER NOT NULL DEFAULT 0,
            device_id TEXT NOT NULL DEFAULT '',
            counter INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (profile_id, id)
        )""")
        conn.execute(
            f"INSERT INTO {table}(profile_id, id, data, extra, clock, deleted, device_id) "
            "SELECT profile_id, record_id, coalesce(json_extract(state, '$.data'), '{}'), "
            "json_remove(state, '$.type', '$.id', '$.data', '$.clock', '$.deleted'), "
            "json_extract(state, '$.clock'), "
            "coalesce(json_extract(state, '$.deleted'), 0), 'hub' "
            "FROM sync_foreign WHERE type = ?", (record_type,))
        conn.execute("DELETE FROM sync_foreign WHERE type = ?", (record_type,))
    conn.execute("""CREATE TABLE mentor_cache (
        profile_id TEXT NOT NULL,
        name TEXT NOT NULL,
        body TEXT NOT NULL,
        fetched TEXT NOT NULL,
        PRIMARY KEY (profile_id, name)
    )""")


def _v8_import_history(conn: sqlite3.Connection) -> None:
    """The history of finished imports with their reports (Downloads page;
    app/packs/importers/history.py): when, what was imported (the file or folder's name and
    path), its format, the pack and version it gave and the import's status, how many
    resources it holds, and what could not be converted (``skipped``: a JSON list of
    ``{"item", "reason"}``). Kept on this device only."""
    conn.execute(
        """CREATE TABLE import_history (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            finished_at TEXT NOT NULL,
            source TEXT NOT NULL,
            format TEXT NOT NULL,
            pack_id TEXT NOT NULL,
            version TEXT NOT NULL,
            status TEXT NOT NULL,
            resources INTEGER NOT NULL DEFAULT 0,
            skipped TEXT NOT NULL DEFAULT '[]'
        )""")
    conn.execute("CREATE INDEX import_history_time ON import_history(finished_at)")


def _v9_sync_accounts(conn: sqlite3.Connection) -> None:
    """What sync keeps per learner's account beyond version 6: the profile whose hub
    account queued each download and downloads it (NULL: the library's own link, the
    default profile's)."""
    conn.execute("ALTER TABLE downloads ADD COLUMN profile_id TEXT")


#: Ordered migrations: the database's ``user_version`` is the number that have run.
MIGRATIONS: tuple[Migration, ...] = (
    _v1_initial, _v2_quiz_attempts, _v3_search, _v4_interactive_state, _v5_hub_downloads,
    _v6_sync, _v7_mentorship, _v8_import_history, _v9_sync_accounts,
)
SCHEMA_VERSION = len(MIGRATIONS)


class Database(sqlite_utils.Database):
    """sqlite-utils' database whose ``atomic()`` takes the write lock when it begins
    (``BEGIN IMMEDIATE``). A deferred transaction that reads and then writes fails at once
    with "database is locked" when another connection wrote in between (the busy timeout
    does not apply to that case); an immediate one waits its turn. Two threads of the
    window, or the window and the command line, write to the same library."""

    @contextmanager
    def atomic(self) -> Iterator[sqlite_utils.Database]:
        if self.conn.in_transaction:
            with super().atomic() as db:  # a savepoint inside the outer transaction
                yield db
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.conn.rollback()
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.rollback()
                raise


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _user_version(db: sqlite_utils.Database) -> int:
    current = int(db.execute("PRAGMA user_version").fetchone()[0])
    if current > SCHEMA_VERSION:
        raise UjuziError(
            _("This library was written by a newer version of Ujuzi; please upgrade.")
        )
    return current


def connect(layout: Layout) -> sqlite_utils.Database:
    """Open (creating if needed) and migrate the database of a data directory."""
    path = layout.database
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Created 0600 here, so SQLite gives its -wal and -shm files the same mode.
        create_private_file(path)
        conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        db = Database(conn)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA busy_timeout = 30000")
        # Deleted rows (a note's text) are overwritten with zeros, not left in free space.
        db.execute("PRAGMA secure_delete = ON")
        db.execute("PRAGMA synchronous = NORMAL")
        ready = _user_version(db) == SCHEMA_VERSION and db.journal_mode == "wal"
        if not ready:
            with exclusive_lock(layout.database_setup_lock):
                # Switching to WAL needs the only lock on the file: two processes switching at
                # once make one fail at once ("database is locked"), which the lock prevents.
                db.enable_wal()
                migrate(db, layout)
    except sqlite3.DatabaseError as exc:
        raise UjuziError(
            _("The library database {path} cannot be opened: {error}").format(path=path, error=exc)
        ) from None
    except OSError as exc:
        raise UjuziError(
            _("The library database {path} cannot be opened: {error}")
            .format(path=path, error=exc.strerror or exc)
        ) from None
    return db


def migrate(db: sqlite_utils.Database, layout: Layout) -> None:
    """Run the missing migrations, each in its own transaction, reading ``user_version``
    once the transaction holds the write lock; copy an older database aside first."""
    first = True
    while True:
        with db.atomic():  # BEGIN IMMEDIATE: no other connection writes until it ends
            current = _user_version(db)
            if current == SCHEMA_VERSION:
                return
            if first and current > 0:  # a database written by an older version
                _backup(layout, current)
            first = False
            MIGRATIONS[current](db.conn)
            db.execute(f"PRAGMA user_version = {current + 1}")


def _backup(layout: Layout, version: int) -> None:
    layout.backups.mkdir(mode=PRIVATE_FOLDER, exist_ok=True)
    target = layout.backup(version, datetime.now(UTC).strftime("%Y%m%dT%H%M%S"))
    create_private_file(target)
    source = sqlite3.connect(str(layout.database))
    try:
        with sqlite3.connect(str(target)) as copy:
            source.backup(copy)
        copy.close()
    finally:
        source.close()

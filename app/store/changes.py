"""Whether anyone changed the library's database since last asked: SQLite's
``PRAGMA data_version`` on a read-only connection of the asker's own. The number changes when
any *other* connection (this process's or another's: the command line, a second window)
commits; reading it looks at the database's shared-memory index and runs no query. The
window uses it to see packs imported elsewhere (app/ui/library_watch.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class DataVersion:
    """Reads the data version of the database at ``path`` (None while it cannot be read:
    not created yet, or being set up by another process)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.conn: sqlite3.Connection | None = None

    def read(self) -> int | None:
        try:
            if self.conn is None:
                if not self.path.exists():
                    return None
                self.conn = sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True,
                                            check_same_thread=False)
            row = self.conn.execute("PRAGMA data_version").fetchone()
        except sqlite3.Error:
            return None
        return int(row[0])

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

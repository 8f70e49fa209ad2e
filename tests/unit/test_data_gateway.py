"""Data goes through the core: the window runs no SQL of its own, and the library and the
search index do not import each other both ways."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
#: Modules whose import means talking to the database directly.
DATABASE_MODULES = ("sqlite3", "sqlite_utils", "app.store.db", "app.store.records")
#: Calls that run SQL.
SQL_CALLS = {"execute", "executescript", "executemany"}


def database_uses(source: str) -> list[str]:
    """Where ``source`` touches the database itself: the ``.db`` attribute of anything, a
    call that runs SQL, an import of a database module."""
    found = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        if any(name == module or name.startswith(module + ".")
               for name in names for module in DATABASE_MODULES):
            found.append(f"{node.lineno}: import {', '.join(names)}")
        if isinstance(node, ast.Attribute) and (node.attr == "db" or node.attr in SQL_CALLS):
            found.append(f"{node.lineno}: .{node.attr}")
    return found


def test_the_window_reaches_data_only_through_the_core() -> None:
    offenders = [
        f"{path.relative_to(APP.parent)}:{use}"
        for path in sorted((APP / "ui").rglob("*.py"))
        for use in database_uses(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_rule_catches_a_planted_query() -> None:
    planted = (
        "import sqlite3\n"
        "from app.store import db\n"
        "from app.store.records import get_meta\n"
        "def work(library):\n"
        "    seeded = library.db.execute('SELECT 1 FROM meta').fetchone()\n"
        "    connection.executescript('DELETE FROM notes')\n"
    )
    assert sorted(database_uses(planted)) == [
        "1: import sqlite3",
        "2: import app.store, app.store.db",
        "3: import app.store.records, app.store.records.get_meta",
        "5: .db",
        "5: .execute",
        "6: .executescript",
    ]
    assert database_uses("def work(library):\n    return library.pack_files('x')\n") == []


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at any level (module, function, type checking)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_the_library_and_the_search_index_do_not_import_each_other_both_ways() -> None:
    library = _imports(APP / "library.py")
    index = _imports(APP / "search" / "index.py")
    assert "app.search.index" in library  # the library writes the index in its transactions
    assert not any(name == "app.library" or name.startswith("app.library.") for name in index)

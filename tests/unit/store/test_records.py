"""Learners' records are written by one function that versions them; ``meta`` has one set of
accessors."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from app import learning
from app.library import Library
from app.packs.importer import import_pack
from app.store.records import (
    RECORD_TABLES,
    Version,
    get_meta,
    next_version,
    set_meta,
    write_record,
)
from tests.packs import make_pack

APP = Path(__file__).resolve().parents[3] / "app"
WRITE = re.compile(r"\b(INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+(\w+)", re.I)


def _row(library: Library, table: str, where: str, *args: object) -> dict[str, object]:
    rows = list(library.db.query(f"SELECT * FROM {table} WHERE {where}", args))
    assert len(rows) == 1
    return rows[0]


def test_meta_accessors(library: Library) -> None:
    assert get_meta(library.db, "nothing") is None
    set_meta(library.db, "marker", "1")
    set_meta(library.db, "marker", "2")
    assert get_meta(library.db, "marker") == "2"
    set_meta(library.db, "marker", None)
    assert get_meta(library.db, "marker") is None
    device = get_meta(library.db, "device_id")
    first = next_version(library.db)
    assert first == Version(str(device), first.counter)
    assert next_version(library.db).counter == first.counter + 1
    assert get_meta(library.db, "counter") == str(first.counter + 1)


def test_a_record_is_created_changed_and_tombstoned(library: Library) -> None:
    profile = library.profile_id()
    key = {"profile_id": profile, "resource_id": "org.x/a"}
    first = write_record(library.db, "progress", key, {"position": 3.0})
    assert first is not None
    row = _row(library, "progress", "resource_id = 'org.x/a'")
    assert (row["position"], row["completed"], row["deleted"]) == (3.0, 0, 0)
    assert (row["device_id"], row["counter"]) == first
    assert row["id"] and row["updated_at"]
    second = write_record(library.db, "progress", key, {"completed": 1})
    assert second is not None and second.counter > first.counter
    again = _row(library, "progress", "resource_id = 'org.x/a'")
    assert again["id"] == row["id"] and again["position"] == 3.0 and again["completed"] == 1
    assert again["counter"] == second.counter
    write_record(library.db, "progress", key, {}, deleted=True)
    assert _row(library, "progress", "resource_id = 'org.x/a'")["deleted"] == 1
    write_record(library.db, "progress", key, {"position": 1.0})
    assert _row(library, "progress", "resource_id = 'org.x/a'")["deleted"] == 0


def test_device_local_records_get_no_version(library: Library) -> None:
    counter = get_meta(library.db, "counter")
    key = {"profile_id": library.profile_id(), "resource_id": "org.x/a"}
    assert write_record(library.db, "interactive_state", key, {"data": "{}"}) is None
    assert write_record(library.db, "interactive_state", key, {"data": '{"a": 1}'}) is None
    assert _row(library, "interactive_state", "resource_id = 'org.x/a'")["data"] == '{"a": 1}'
    assert get_meta(library.db, "counter") == counter
    with pytest.raises(ValueError):
        write_record(library.db, "interactive_state", key, {}, deleted=True)


def test_only_tables_of_records_by_their_key(library: Library) -> None:
    with pytest.raises(ValueError):
        write_record(library.db, "packs", {"id": "x"}, {})
    with pytest.raises(ValueError):
        write_record(library.db, "progress", {"id": "x"}, {})


def test_every_kind_of_record_carries_a_version(library: Library, tmp_path: Path) -> None:
    """Profiles, progress (positions and openings), notes, quiz attempts: each write takes
    the next counter value, and each record keeps the version of its last write."""
    make_pack(tmp_path / "p.ujpack", articles={"intro": "# Intro", "guide": "# Guide"})
    import_pack(library, tmp_path / "p.ujpack")
    start = next_version(library.db).counter
    library.add_profile("amina")
    library.record_progress("org.test.sample/intro", position=5)
    learning.mark_opened(library, "org.test.sample/guide")
    note = library.add_note("org.test.sample/intro", "remember")
    learning.store_attempt(library, "org.test.sample/guide", library.profile_id(), score=1.0,
                           correct=1, total=1, passed=True, answers={})
    library.delete_note(note["id"])
    library.remove_profile("amina")
    versions = {
        table: [tuple(row) for row in library.db.execute(
            f"SELECT device_id, counter FROM {table} WHERE counter > ? ORDER BY counter",
            (start,))]
        for table in ("profiles", "progress", "notes", "quiz_attempts")
    }
    device = get_meta(library.db, "device_id")
    assert versions == {
        "profiles": [(device, start + 7)],
        "progress": [(device, start + 2), (device, start + 3)],
        "notes": [(device, start + 6)],
        "quiz_attempts": [(device, start + 5)],
    }
    assert get_meta(library.db, "counter") == str(start + 7)
    assert _row(library, "notes", "id = ?", note["id"])["deleted"] == 1
    assert _row(library, "profiles", "name = 'amina'")["deleted"] == 1


def test_no_other_code_writes_records() -> None:
    """SQL that writes a table of records or ``meta`` appears only in the records module and
    in the schema's migrations."""
    owners = {APP / "store" / "records.py", APP / "store" / "db.py"}
    watched = {*RECORD_TABLES, "meta"}
    offenders = []
    for path in sorted(APP.rglob("*.py")):
        if path in owners:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                for match in WRITE.finditer(node.value):
                    if match.group(3).lower() in watched:
                        offenders.append(f"{path.relative_to(APP.parent)}:{node.lineno}")
    assert offenders == []

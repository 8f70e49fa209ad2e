"""Shared checks for the importer tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.library import Library


def manifest(library: Library, pack_id: str) -> dict[str, Any]:
    row = library.db.execute("SELECT manifest FROM packs WHERE id = ?", (pack_id,)).fetchone()
    assert row is not None, pack_id
    return json.loads(row[0])  # type: ignore[no-any-return]


def resources_by_kind(data: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [r for r in data["resources"] if r["kind"] == kind]


def main_text(library: Library, resource: dict[str, Any]) -> str:
    """The stored bytes of a resource's main file, as text (read from the blob store)."""
    entry = next(f for f in resource["files"] if f["role"] == "main")
    return library.blobs.path_for(entry["sha256"]).read_text(encoding="utf-8")


def assert_unchanged(library: Library) -> None:
    """A failed import left nothing behind: no pack, no blob, no scratch folder."""
    assert library.packs() == []
    assert list(library.blobs.all_hashes()) == []
    assert [p.name for p in Path(library.layout.home).glob(".import-*")] == []

"""Search finds a note in conflict by the text of any of its versions, and a deleted note by
none (app/search/index.py, ``index_note``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.library import Library
from app.packs.importer import import_pack
from app.search.index import rebuild
from app.search.query import search
from app.store import merge
from app.store.records import record_state
from app.sync.records import _merge_one
from tests.packs import make_pack

RESOURCE = "org.test.sample/intro"


@pytest.fixture
def library(tmp_path: Path) -> Library:
    pack = tmp_path / "sample.ujpack"
    make_pack(pack)
    opened = Library(tmp_path / "home")
    import_pack(opened, pack)
    return opened


def note_hits(library: Library, query: str) -> list[str | None]:
    return [hit.note_id for hit in search(library, query, fuzzy=False).hits if hit.note_id]


def test_every_version_of_a_conflicted_note_is_found_and_a_deletion_leaves_no_trace(
        library: Library) -> None:
    note = library.add_note(RESOURCE, "giraffes on this device")
    profile_id = library.profile_id()
    state = record_state(library.db, profile_id, "note", note["id"])
    assert state is not None
    theirs = {**state, "versions": merge.note_versions_after_edit(
        {"versions": []}, "their-device", 1, "penguins on the other one")}
    with library.db.atomic():
        assert _merge_one(library, profile_id, theirs) == "changed"
    assert note_hits(library, "giraffes") == [note["id"]]
    assert note_hits(library, "penguins") == [note["id"]]
    # A rebuilt index says the same.
    with library.write_lock():
        rebuild(library)
    assert note_hits(library, "penguins") == [note["id"]]
    assert note_hits(library, "giraffes") == [note["id"]]
    # Settled by an edit: only the kept text is found.
    library.edit_note(note["id"], "penguins only")
    assert note_hits(library, "giraffes") == []
    assert note_hits(library, "penguins") == [note["id"]]
    # Deleted: found by nothing.
    library.delete_note(note["id"])
    assert note_hits(library, "penguins") == []
    assert library.db.execute("SELECT COUNT(*) FROM notes_fts").fetchone()[0] == 0

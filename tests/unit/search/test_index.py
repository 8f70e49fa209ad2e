"""The index commits with the library, and never disagrees with it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.errors import Cancelled, UjuziError
from app.library import Library
from app.packs.importer import import_pack
from app.search.extract import Segment
from app.search.index import (
    FINGERPRINT_KEY,
    Document,
    index_documents,
    is_current,
    rebuild,
)
from app.search.query import search
from app.store.db import SCHEMA_VERSION
from app.tasks import Progress, Reporter
from benchmarks.search_relevance import tips
from tests.unit.search.packs import build, install, res


def ids(library: Library, query: str) -> list[str]:
    return [hit.resource_id for hit in search(library, query).hits]


def counts(library: Library) -> tuple[int, int, int]:
    db = library.db
    return tuple(  # type: ignore[return-value]
        db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        for table in ("search_docs", "search_text", "resources")
    )


def check_fts(library: Library) -> None:
    library.db.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")


def lesson(corpus: Path, local_id: str, *tip_names: str) -> dict[str, object]:
    text = "\n\n".join(tips(corpus, "en", *tip_names))
    return res(local_id, "article", local_id.title(), (f"{local_id}.md", text))


def test_the_schema_has_the_search_tables(library: Library) -> None:
    assert library.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {row[0] for row in library.db.execute("SELECT name FROM sqlite_master")}
    assert {"search_fts", "search_docs", "search_text", "search_terms", "notes_fts"} <= tables


def test_import_update_and_remove_keep_the_index_in_step(library: Library, tmp_path: Path,
                                                         corpus: Path) -> None:
    install(library, tmp_path, [lesson(corpus, "copyedit", "copyedit-main-value"),
                                lesson(corpus, "references", "references-main-value")])
    assert counts(library) == (2, 2, 2) and is_current(library.db)
    assert ids(library, "trustworthy") == ["org.test.search/copyedit"]
    grammar_docs = library.db.execute(
        "SELECT docs FROM search_terms WHERE term = 'grammar'").fetchone()[0]
    assert grammar_docs == 1
    check_fts(library)
    # Version 2 drops one lesson and changes the other: no stale rows, no duplicates.
    install(library, tmp_path, [lesson(corpus, "references", "references-main-rules1")],
            version="2.0.0")
    assert counts(library) == (1, 1, 1)
    assert ids(library, "trustworthy") == [] and ids(library, "newspapers") == []
    assert ids(library, "historic occurrences") == ["org.test.search/references"]
    assert library.db.execute(
        "SELECT COUNT(*) FROM search_terms WHERE term = 'grammar'").fetchone()[0] == 0
    check_fts(library)
    library.remove_pack("org.test.search")
    assert counts(library) == (0, 0, 0) and ids(library, "historic") == []
    assert library.db.execute("SELECT COUNT(*) FROM search_terms").fetchone()[0] == 0
    check_fts(library)


def test_a_failed_removal_leaves_the_index_as_it_was(library: Library, tmp_path: Path,
                                                     corpus: Path) -> None:
    install(library, tmp_path, [lesson(corpus, "copyedit", "copyedit-main-value")])
    library.db.execute(
        "CREATE TEMP TRIGGER refuse BEFORE DELETE ON packs BEGIN SELECT RAISE(ABORT, 'no'); END")
    with pytest.raises(sqlite3.IntegrityError):
        library.remove_pack("org.test.search")
    assert ids(library, "trustworthy") == ["org.test.search/copyedit"]
    check_fts(library)


def test_a_cancelled_import_indexes_nothing(library: Library, tmp_path: Path,
                                            corpus: Path) -> None:
    path = tmp_path / "pack.ujpack"
    build(path, [lesson(corpus, f"lesson{i}", "copyedit-main-value") for i in range(5)])
    seen: list[Progress] = []

    def cancel() -> bool:
        return any(p.stage == "index" and p.done >= 3 for p in seen)

    with pytest.raises(Cancelled):
        import_pack(library, path, Reporter(seen.append, cancel))
    assert counts(library) == (0, 0, 0) and not library.has_pack("org.test.search")
    assert ids(library, "trustworthy") == []


def test_indexing_reports_progress(library: Library, tmp_path: Path, corpus: Path) -> None:
    path = tmp_path / "pack.ujpack"
    build(path, [lesson(corpus, f"lesson{i}", "copyedit-main-value") for i in range(4)])
    seen: list[Progress] = []
    import_pack(library, path, Reporter(seen.append))
    index = [(p.done, p.total) for p in seen if p.stage == "index"]
    assert {(1, 4), (2, 4), (3, 4)} <= set(index) and index[-1] == (4, 4)
    assert [done for done, _ in index] == sorted(done for done, _ in index)


def test_a_new_analysis_rebuilds_the_index(library: Library, tmp_path: Path,
                                           corpus: Path) -> None:
    install(library, tmp_path, [lesson(corpus, "copyedit", "copyedit-main-value")])
    library.db.execute("UPDATE meta SET value = 'an older analysis' WHERE key = ?",
                       (FINGERPRINT_KEY,))
    library.db.execute("DELETE FROM search_terms")
    assert not is_current(library.db)
    assert ids(library, "trustworthy") == ["org.test.search/copyedit"]  # rebuilt first
    assert is_current(library.db)
    assert search(library, "trustworthx").suggestion == "trustworthy"
    check_fts(library)


def test_rebuild_from_the_library(library: Library, tmp_path: Path, corpus: Path) -> None:
    install(library, tmp_path, [lesson(corpus, "copyedit", "copyedit-main-value"),
                                lesson(corpus, "references", "references-main-value")])
    note = library.add_note("org.test.search/copyedit", "Ask about Oxford commas")
    seen: list[Progress] = []
    with library.write_lock():
        assert rebuild(library, Reporter(seen.append)) == 2
    assert seen[-1].done == seen[-1].total == 2
    assert ids(library, "newspapers") == ["org.test.search/references"]
    [hit] = search(library, "oxford").hits
    assert hit.note_id == note["id"]
    check_fts(library)


def test_a_removed_pack_on_a_stale_index_waits_for_the_rebuild(
        library: Library, tmp_path: Path, corpus: Path) -> None:
    install(library, tmp_path, [lesson(corpus, "copyedit", "copyedit-main-value")])
    install(library, tmp_path, [lesson(corpus, "other", "references-main-value")],
            pack_id="org.test.other")
    library.db.execute("UPDATE meta SET value = 'old' WHERE key = ?", (FINGERPRINT_KEY,))
    library.remove_pack("org.test.search")
    assert ids(library, "trustworthy") == [] and ids(library, "newspapers") == [
        "org.test.other/other"]
    check_fts(library)


def test_searching_is_never_blocked_by_indexing(home: Path, tmp_path: Path,
                                                corpus: Path) -> None:
    """A reader searches the last committed index while a long indexing transaction is open
    (WAL): it neither waits for the writer nor sees half an import."""
    with Library(home) as writer, Library(home) as reader:
        install(writer, tmp_path, [lesson(corpus, "copyedit", "copyedit-main-value")])
        reader.db.execute("PRAGMA busy_timeout = 0")  # waiting would fail at once
        with writer.db.atomic():
            writer.db.execute(
                "INSERT INTO resources(id, pack_id, local_id, position, kind, lang, title, "
                "description, translations) VALUES ('org.test.search/new', 'org.test.search', "
                "'new', 9, 'article', 'en', '{\"en\": \"New\"}', '{}', '{}')")
            index_documents(writer.db, [Document(
                "org.test.search/new", "org.test.search", "article", "en", {"en": "New"},
                [Segment("body", "Trustworthy newcomers edit here.", "en")])])
            assert ids(reader, "trustworthy") == ["org.test.search/copyedit"]
            assert ids(reader, "newcomers") == []
        assert ids(reader, "newcomers") == ["org.test.search/new"]


def test_rebuild_needs_no_packs(library: Library) -> None:
    with library.write_lock():
        assert rebuild(library) == 0
    assert is_current(library.db) and search(library, "anything").hits == []


def test_notes_index_follows_add_and_delete(library: Library, tmp_path: Path,
                                            corpus: Path) -> None:
    install(library, tmp_path, [lesson(corpus, "copyedit", "copyedit-main-value")])
    note = library.add_note("org.test.search/copyedit", "Mentor says: cite the Standard")
    assert library.db.execute("SELECT COUNT(*) FROM notes_fts").fetchone()[0] == 1
    library.delete_note(note["id"])
    assert library.db.execute("SELECT COUNT(*) FROM notes_fts").fetchone()[0] == 0
    with pytest.raises(UjuziError):
        library.delete_note(note["id"])

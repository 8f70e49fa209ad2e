"""What the learner sees: outlines with translations, continue, quiz attempts, storage,
notes as Markdown, and the migration that added attempts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app import learning
from app.library import Library
from app.packs.importer import import_pack
from app.paths import Layout
from app.quiz import grade_quiz
from app.store.db import SCHEMA_VERSION
from tests.packs import file_entry, make_pack


def _import(library: Library, tmp_path: Path) -> None:
    from app.packs.archive import manifest_bytes, write_pack

    root = tmp_path / "src"
    texts = {"intro": ("en", "# Intro\n\nHello there.\n"), "intro-sw": ("sw", "# Utangulizi\n"),
             "second": ("en", "# Second\n\nMore.\n")}
    resources = []
    for rid, (lang, text) in texts.items():
        resources.append({
            "id": rid, "kind": "article", "lang": lang, "title": {lang: rid.title()},
            "duration": 60,
            "files": [file_entry(root, f"{rid}.md", text.encode(), "text/markdown", lang=lang)],
        })
    resources[0]["translations"] = {"sw": "intro-sw"}
    resources[1]["translations"] = {"en": "intro"}
    manifest = {
        "format": "ujuzi-pack", "format_version": 1, "id": "org.test.t", "version": "1.0.0",
        "title": {"en": "Translated"}, "languages": ["en", "sw"], "license": "CC0-1.0",
        "attribution": "Tests", "skills": ["citations"],
        "sections": [{"id": "a", "title": {"en": "A"}, "resources": ["intro", "intro-sw"]},
                     {"id": "b", "title": {"en": "B"}, "resources": ["second"]}],
        "resources": resources,
    }
    out = tmp_path / "t.ujpack"
    write_pack(out, manifest_bytes(manifest), manifest,
               {e["path"]: root / e["path"] for r in resources for e in r["files"]})
    import_pack(library, out)


def test_schema_has_attempts(library: Library) -> None:
    assert library.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert "quiz_attempts" in library.db.table_names()


def test_migration_from_v1_keeps_progress(tmp_path: Path) -> None:
    from app.store import db as dbmod

    path = tmp_path / "library.sqlite3"
    conn = sqlite3.connect(path)
    dbmod._v1_initial(conn)
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    migrated = dbmod.connect(Layout(tmp_path))
    assert "opened_at" in migrated["progress"].columns_dict
    assert list((tmp_path / "backups").iterdir())


def test_outline_shows_one_variant_per_group(library: Library, tmp_path: Path) -> None:
    _import(library, tmp_path)
    outline = learning.pack_outline(library, "org.test.t", ["en"])
    assert [i.id for i in outline.items] == ["org.test.t/intro", "org.test.t/second"]
    assert outline.items[0].variants == {"en": "org.test.t/intro", "sw": "org.test.t/intro-sw"}
    swahili = learning.pack_outline(library, "org.test.t", ["sw", "en"])
    assert [i.id for i in swahili.items] == ["org.test.t/intro-sw", "org.test.t/second"]
    assert outline.total_seconds == 120 and outline.remaining_seconds == 120
    library.record_progress("org.test.t/intro-sw", complete=True)
    outline = learning.pack_outline(library, "org.test.t", ["en"])
    assert outline.items[0].completed and outline.remaining_seconds == 60
    assert outline.done == 1 and outline.total == 2
    before, after = outline.neighbours("org.test.t/intro")
    assert before is None and after is not None and after.id == "org.test.t/second"
    assert outline.pack["skills"] == ["citations"]


def test_resume_follows_the_last_opened(library: Library, tmp_path: Path) -> None:
    _import(library, tmp_path)
    outline = learning.pack_outline(library, "org.test.t", ["en"])
    first = outline.resume()
    assert first is not None and first.id == "org.test.t/intro"
    learning.mark_opened(library, "org.test.t/second")
    outline = learning.pack_outline(library, "org.test.t", ["en"])
    resumed = outline.resume()
    assert resumed is not None and resumed.id == "org.test.t/second"
    library.record_progress("org.test.t/second", complete=True)
    resumed = learning.pack_outline(library, "org.test.t", ["en"]).resume()
    assert resumed is not None and resumed.id == "org.test.t/intro"
    library.record_progress("org.test.t/intro", complete=True)
    assert learning.pack_outline(library, "org.test.t", ["en"]).resume() is None


def test_summaries_and_continue(library: Library, tmp_path: Path) -> None:
    _import(library, tmp_path)
    make_pack(tmp_path / "b.ujpack", pack_id="org.test.b")
    import_pack(library, tmp_path / "b.ujpack")
    summaries = {p["id"]: p for p in learning.pack_summaries(library, ["en"])}
    assert summaries["org.test.t"]["total"] == 2
    assert summaries["org.test.t"]["status"] == learning.STATUS_NEW
    assert summaries["org.test.t"]["skills"] == ["citations"]
    assert summaries["org.test.t"]["kinds"] == ["article"]
    learning.mark_opened(library, "org.test.t/intro")
    learning.mark_opened(library, "org.test.b/intro")
    summaries = {p["id"]: p for p in learning.pack_summaries(library, ["en"])}
    assert summaries["org.test.t"]["status"] == learning.STATUS_STARTED
    assert summaries["org.test.t"]["last_opened"]
    items = learning.continue_items(library, ["en"])
    assert [i["id"] for i in items] == ["org.test.b/intro", "org.test.t/intro"]
    assert items[0]["display_pack_title"] == "Sample pack"
    library.record_progress("org.test.b/intro", complete=True)
    assert [i["id"] for i in learning.continue_items(library, ["en"])] == ["org.test.t/intro"]
    summaries = {p["id"]: p for p in learning.pack_summaries(library, ["en"])}
    assert summaries["org.test.b"]["status"] == learning.STATUS_DONE


def test_quiz_attempts_are_recorded(library: Library, tmp_path: Path) -> None:
    _import(library, tmp_path)
    quiz = {"pass_mark": 0.5, "questions": [
        {"id": "q", "type": "true_false", "prompt": "?", "answer": True}]}
    failed = learning.record_quiz_attempt(
        library, "org.test.t/intro", grade_quiz(quiz, {"q": False}), {"q": False})
    assert not failed["passed"] and failed["score"] == 0
    assert not library.progress("org.test.t/intro")["completed"]
    passed = learning.record_quiz_attempt(
        library, "org.test.t/intro", grade_quiz(quiz, {"q": True}), {"q": True})
    assert passed["passed"] and passed["answers"] == {"q": True}
    assert [a["passed"] for a in learning.quiz_attempts(library, "org.test.t/intro")] == [
        True, False]
    assert library.progress("org.test.t/intro")["completed"]


def test_storage_counts_shared_files_once(library: Library, tmp_path: Path) -> None:
    make_pack(tmp_path / "a.ujpack", pack_id="org.test.a")
    make_pack(tmp_path / "b.ujpack", pack_id="org.test.b",
              articles={"intro": "# Intro\n\nThis article explains Intro in a few sentences "
                                 "for the tests.\n", "own": "# Own\n"})
    import_pack(library, tmp_path / "a.ujpack")
    import_pack(library, tmp_path / "b.ujpack")
    usage = {u["id"]: u for u in learning.storage_by_pack(library, ["en"])}
    assert usage["org.test.a"]["own_bytes"] == 0
    assert usage["org.test.b"]["own_bytes"] == len(b"# Own\n")
    assert usage["org.test.b"]["bytes"] > usage["org.test.a"]["bytes"]


def test_notes_markdown(library: Library, tmp_path: Path) -> None:
    assert "No notes yet." in learning.notes_markdown(library, ["en"])
    make_pack(tmp_path / "a.ujpack", pack_id="org.test.a", media={"clip": b"x" * 10})
    import_pack(library, tmp_path / "a.ujpack")
    library.add_note("org.test.a/clip", "Second point", at_seconds=75)
    library.add_note("org.test.a/clip", "First point", at_seconds=5)
    library.add_note("org.test.a/intro", "Read again\nslowly")
    text = learning.notes_markdown(library, ["en"])
    assert text.startswith("# My notes\n")
    assert "## Sample pack" in text and "### clip" in text and "### Intro" in text
    assert text.index("**0:05** First point") < text.index("**1:15** Second point")
    assert "- Read again\n  slowly" in text


def test_language_chain() -> None:
    assert learning.language_chain("fr", ["sw", "fr"]) == ["sw", "fr", "en"]


def test_stored_bytes_counts_each_file_once(library: Library, tmp_path: Path) -> None:
    assert learning.stored_bytes(library) == 0
    make_pack(tmp_path / "a.ujpack", pack_id="org.test.a")
    make_pack(tmp_path / "b.ujpack", pack_id="org.test.b")
    import_pack(library, tmp_path / "a.ujpack")
    import_pack(library, tmp_path / "b.ujpack")
    usage = learning.storage_by_pack(library, ["en"])
    assert learning.stored_bytes(library) == usage[0]["bytes"] == usage[1]["bytes"]


def test_two_connections_write_without_locking_errors(
    library: Library, tmp_path: Path, home: Path
) -> None:
    """Threads of the window (and the CLI) write through their own connections: a
    read-then-write transaction must wait for the other writer, not fail."""
    import threading

    make_pack(tmp_path / "a.ujpack", pack_id="org.test.a")
    import_pack(library, tmp_path / "a.ujpack")
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            with Library(home) as own:
                for step in range(40):
                    learning.mark_opened(own, "org.test.a/intro")
                    own.record_progress("org.test.a/intro", position=float(index * 100 + step))
        except BaseException as exc:  # pragma: no cover - what the test looks for
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []

""""Continue where you left off" offers the next thing to do, with true progress: not the
quiz failed last (first what was skipped before it), never a full bar for an article that
was never completed."""

from __future__ import annotations

import json
from pathlib import Path

from app import learning
from app.library import Library
from app.packs.archive import manifest_bytes, write_pack
from app.packs.importer import import_pack
from app.packs.manifest import QUIZ_MIME
from app.quiz import grade_quiz
from tests.packs import file_entry

PACK = "org.test.course"
QUIZ = {"pass_mark": 1.0, "questions": [
    {"id": "q", "type": "true_false", "prompt": "Sources matter?", "answer": True}]}


def _course(library: Library, tmp_path: Path) -> None:
    root = tmp_path / "src"
    resources = []
    for rid in ("read1", "read2", "read3"):
        resources.append({
            "id": rid, "kind": "article", "lang": "en", "title": {"en": rid}, "duration": 60,
            "files": [file_entry(root, f"{rid}.md", f"# {rid}\n\nText.\n".encode(),
                                 "text/markdown")]})
    resources.insert(2, {"id": "check", "kind": "quiz", "lang": "en", "title": {"en": "Check"},
                         "files": [file_entry(root, "check.quiz.json",
                                              json.dumps(QUIZ).encode(), QUIZ_MIME)]})
    manifest = {
        "format": "ujuzi-pack", "format_version": 1, "id": PACK, "version": "1.0.0",
        "title": {"en": "Course"}, "languages": ["en"], "license": "CC0-1.0",
        "attribution": "Tests",
        "sections": [{"id": "s", "title": {"en": "S"},
                      "resources": ["read1", "read2", "check", "read3"]}],
        "resources": resources,
    }
    out = tmp_path / "course.ujpack"
    write_pack(out, manifest_bytes(manifest), manifest,
               {e["path"]: root / e["path"] for r in resources for e in r["files"]})
    import_pack(library, out)


def _card(library: Library) -> dict[str, object]:
    [card] = learning.continue_items(library, ["en"])
    return card


def test_after_a_failed_quiz_the_skipped_article_comes_first(library: Library,
                                                              tmp_path: Path) -> None:
    _course(library, tmp_path)
    learning.mark_opened(library, f"{PACK}/read1")
    library.record_progress(f"{PACK}/read1", complete=True)
    # read2 skipped; the quiz opened and failed.
    learning.mark_opened(library, f"{PACK}/check")
    result = grade_quiz(QUIZ, {"q": False})
    learning.record_quiz_attempt(library, f"{PACK}/check", result, {"q": False})
    card = _card(library)
    assert card["id"] == f"{PACK}/read2"
    assert card["progress"] == 0.25 and (card["done"], card["total"]) == (1, 4)
    outline = learning.pack_outline(library, PACK, ["en"])
    resumed = outline.resume()
    assert resumed is not None and resumed.id == f"{PACK}/read2"  # the pack page agrees


def test_an_article_read_to_the_end_but_not_completed_is_not_a_full_bar(
        library: Library, tmp_path: Path) -> None:
    _course(library, tmp_path)
    learning.mark_opened(library, f"{PACK}/read1")
    library.record_progress(f"{PACK}/read1", position=1.0)
    card = _card(library)
    assert card["id"] == f"{PACK}/read1"
    assert card["progress"] == 0.0


def test_after_completing_one_the_next_in_order(library: Library, tmp_path: Path) -> None:
    _course(library, tmp_path)
    learning.mark_opened(library, f"{PACK}/read2")
    library.record_progress(f"{PACK}/read2", complete=True)
    assert _card(library)["id"] == f"{PACK}/check"
    # With nothing after it left, what was skipped before.
    for rid in ("check", "read3"):
        learning.mark_opened(library, f"{PACK}/{rid}")
        library.record_progress(f"{PACK}/{rid}", complete=True)
    assert _card(library)["id"] == f"{PACK}/read1"
    learning.mark_opened(library, f"{PACK}/read1")
    library.record_progress(f"{PACK}/read1", complete=True)
    assert learning.continue_items(library, ["en"]) == []

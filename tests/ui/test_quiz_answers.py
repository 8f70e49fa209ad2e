"""Quizzes in the window: nothing is checked before an answer is chosen, and counted phrases
take the language's plural forms."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app import learning
from app.library import Library
from app.packs.archive import manifest_bytes, write_pack
from app.packs.importer import import_pack
from app.packs.manifest import QUIZ_MIME
from tests.packs import file_entry
from tests.ui.conftest import PACK_ID, OpenWindow, mark_seeded, wait_loaded


def test_check_answer_waits_for_an_answer(qtbot: QtBot, filled: Library,
                                          open_window: OpenWindow) -> None:
    _ctx, window = open_window(open_id=f"{PACK_ID}/check")
    viewer = window.pages["resource"].viewer
    card = viewer.cards[0]
    assert viewer.check_button.isVisible()
    assert not viewer.check_button.isEnabled()
    # Even asked directly, nothing is graded or revealed.
    viewer._check()
    assert card.result is None and not card.feedback.isVisibleTo(card)
    card.buttons["a"].click()
    assert viewer.check_button.isEnabled()
    viewer.check_button.click()
    assert card.result is not None and not card.result.correct
    # The second question (true or false) waits for its own answer.
    viewer.next_button.click()
    assert not viewer.check_button.isEnabled()
    viewer.cards[1].buttons[False].click()
    assert viewer.check_button.isEnabled()
    assert learning.quiz_attempts(filled, f"{PACK_ID}/check") == []


def _one_question_pack(out: Path) -> None:
    root = out.parent / ".src-one"
    quiz = {"questions": [{"id": "q", "type": "true_false", "prompt": "Is it?",
                           "answer": True}]}
    resource = {"id": "one", "kind": "quiz", "title": {"en": "One question"},
                "files": [file_entry(root, "one.quiz.json", json.dumps(quiz).encode(),
                                     QUIZ_MIME)]}
    manifest = {
        "format": "ujuzi-pack", "format_version": 1, "id": "org.test.one", "version": "1.0.0",
        "title": {"en": "One"}, "description": {"en": "One question."}, "languages": ["en"],
        "license": "CC0-1.0", "attribution": "The tests",
        "sections": [{"id": "s", "title": {"en": "S"}, "resources": ["one"]}],
        "resources": [resource],
    }
    write_pack(out, manifest_bytes(manifest), manifest,
               {e["path"]: root / e["path"] for e in resource["files"]})


def test_one_question_is_singular(qtbot: QtBot, library: Library, tmp_path: Path,
                                  open_window: OpenWindow) -> None:
    _one_question_pack(tmp_path / "one.ujpack")
    import_pack(library, tmp_path / "one.ujpack")
    mark_seeded(library)
    _ctx, window = open_window(open_id="org.test.one/one")
    viewer = window.pages["resource"].viewer
    assert viewer.summary.text().startswith("1 question ·"), viewer.summary.text()
    viewer.cards[0].buttons[True].click()
    viewer.check_button.click()
    with qtbot.waitSignal(viewer.completed, timeout=10_000):
        viewer.next_button.click()
    assert viewer.result_text.text().startswith("1 of 1 answer right."), \
        viewer.result_text.text()


def test_home_continues_with_what_was_skipped_after_a_failed_quiz(
        qtbot: QtBot, filled: Library, open_window: OpenWindow) -> None:
    learning.mark_opened(filled, f"{PACK_ID}/article")
    filled.record_progress(f"{PACK_ID}/article", complete=True)
    learning.mark_opened(filled, f"{PACK_ID}/second")
    filled.record_progress(f"{PACK_ID}/second", position=1.0)  # read, never completed
    ctx, window = open_window(open_id=f"{PACK_ID}/check")
    viewer = window.pages["resource"].viewer
    for card in viewer.cards:  # every answer wrong
        next(iter(card.buttons.values())).click() if card.question["id"] == "q1" else \
            card.buttons[True].click()
        viewer.check_button.click()
        viewer.next_button.click()
    qtbot.waitUntil(lambda: len(learning.quiz_attempts(filled, f"{PACK_ID}/check")) == 1)
    home = wait_loaded(qtbot, window, "home")
    qtbot.waitUntil(lambda: bool(ctx.continue_items))
    home = wait_loaded(qtbot, window, "home")
    [item] = ctx.continue_items
    assert item["id"] == f"{PACK_ID}/second"  # not the quiz failed last
    assert home._fraction(item) == item["done"] / item["total"] < 1.0
    texts = [w.text().strip("\u2066\u2067\u2068\u2069") for w in home.findChildren(QLabel)]
    assert "Second article" in texts
    assert f"1 of {item['total']} done" in texts

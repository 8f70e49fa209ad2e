"""Each kind of resource in its viewer; quizzes, notes and search, driven like a learner."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QTextDocument
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from app import learning
from app.library import Library
from tests.ui.conftest import PACK_ID, Dialogs, OpenWindow, wait_loaded


def test_article_renders_images_and_follows_links(
    qtbot: QtBot, filled: Library, open_window: OpenWindow, monkeypatch: pytest.MonkeyPatch,
    dialogs: Dialogs
) -> None:
    _ctx, window = open_window(open_id=f"{PACK_ID}/article")
    page = window.pages["resource"]
    viewer = page.viewer
    text = viewer.browser.toPlainText()
    assert "Paragraph 79" in text
    image = viewer.browser.document().resource(QTextDocument.ResourceType.ImageResource,
                                               QUrl("pack:assets/map.png"))
    assert image is not None and not image.isNull()
    # The variant switch offers the Swahili translation.
    assert page.variants.isVisible() and page.variants.count() == 2
    # A link to another article of the pack opens it.
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        viewer.browser.anchorClicked.emit(QUrl(f"ujuzi:resource/{PACK_ID}/second"))
    assert page.resource["id"] == f"{PACK_ID}/second"
    assert page.previous.isEnabled() and page.next.isEnabled()
    # A link to the web asks first; "Cancel" opens nothing.
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url))
    dialogs.answers.append(QMessageBox.StandardButton.Cancel)
    page.viewer.browser.anchorClicked.emit(QUrl("https://example.org"))
    assert opened == []
    dialogs.answers.append(QMessageBox.StandardButton.Open)
    page.viewer.browser.anchorClicked.emit(QUrl("https://example.org"))
    assert opened == [QUrl("https://example.org")]


def test_article_read_to_the_end_is_complete(
    qtbot: QtBot, filled: Library, open_window: OpenWindow
) -> None:
    ctx, window = open_window(open_id=f"{PACK_ID}/article")
    bar = window.pages["resource"].viewer.browser.verticalScrollBar()
    with qtbot.waitSignal(ctx.progress_changed, timeout=10_000):
        bar.setValue(bar.maximum())
    qtbot.waitUntil(lambda: filled.progress(f"{PACK_ID}/article")["completed"])


def test_pdf_and_image(qtbot: QtBot, filled: Library, open_window: OpenWindow) -> None:
    _ctx, window = open_window(open_id=f"{PACK_ID}/guide")
    viewer = window.pages["resource"].viewer
    assert viewer.document.pageCount() == 3
    assert viewer.page_label.text() == "Page 1 of 3"
    viewer.zoom_in.click()
    assert viewer.view.zoomFactor() > 1.0
    page = wait_loaded(qtbot, window, "resource", resource_id=f"{PACK_ID}/photo")
    image_viewer = page.viewer
    assert image_viewer.image.width() == 64
    before = image_viewer.picture.pixmap().width()
    image_viewer.zoom_in.click()
    assert image_viewer.picture.pixmap().width() > before
    image_viewer.fit.click()
    qtbot.waitUntil(lambda: filled.progress(f"{PACK_ID}/photo")["completed"])


def test_answer_a_quiz(qtbot: QtBot, filled: Library, open_window: OpenWindow) -> None:
    ctx, window = open_window(open_id=f"{PACK_ID}/check")
    viewer = window.pages["resource"].viewer
    assert "2 questions · pass mark 50%" in viewer.summary.text()
    first = viewer.cards[0]
    assert first.isVisible() and not viewer.cards[1].isVisible()
    first.buttons["a"].click()  # wrong
    viewer.check_button.click()
    assert first.verdict.text() == "Not quite"
    assert "Wikimedia Commons" in first.expected.text()
    assert first.explanation.text() == "Commons stores media."
    viewer.next_button.click()
    second = viewer.cards[1]
    assert second.isVisible()
    second.buttons[False].click()  # right
    viewer.check_button.click()
    assert second.verdict.text() == "Correct"
    assert viewer.next_button.text() == "See your score"
    with qtbot.waitSignal(ctx.progress_changed, timeout=10_000):
        viewer.next_button.click()
    assert viewer.result_score.text() == "50%"
    assert viewer.result_title.text() == "You passed!"
    attempts = learning.quiz_attempts(filled, f"{PACK_ID}/check")
    assert len(attempts) == 1 and attempts[0]["passed"] and attempts[0]["score"] == 0.5
    assert filled.progress(f"{PACK_ID}/check")["completed"]
    # All questions at once, a second attempt.
    viewer.retry_button.click()
    viewer.mode_all.click()
    assert all(card.isVisible() for card in viewer.cards)
    viewer.cards[0].buttons["b"].click()
    viewer.cards[1].buttons[False].click()
    with qtbot.waitSignal(ctx.progress_changed, timeout=10_000):
        viewer.submit_button.click()
    assert viewer.result_score.text() == "100%"
    qtbot.waitUntil(lambda: len(learning.quiz_attempts(filled, f"{PACK_ID}/check")) == 2)
    qtbot.waitUntil(lambda: "Best score so far: 100%" in viewer.summary.text())


def test_take_notes_list_search_and_export(
    qtbot: QtBot, filled: Library, open_window: OpenWindow, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx, window = open_window(open_id=f"{PACK_ID}/tour")
    page = window.pages["resource"]
    page.viewer.seek(65.0)
    panel = page.notes_panel
    panel._update_add()
    assert panel.add.text() == "Add note at 1:05"
    qtbot.keyClicks(panel.editor, "Commons keeps the photos")
    with qtbot.waitSignal(ctx.notes_changed, timeout=10_000):
        panel.add.click()
    notes = filled.notes(resource_id=f"{PACK_ID}/tour")
    assert [(n["body"], n["at_seconds"]) for n in notes] == [("Commons keeps the photos", 65.0)]
    assert panel.list.item(0).text() == "1:05 — Commons keeps the photos"
    # A note on an article has no time.
    page = wait_loaded(qtbot, window, "resource", resource_id=f"{PACK_ID}/second")
    qtbot.keyClicks(page.notes_panel.editor, "Short and clear")
    with qtbot.waitSignal(ctx.notes_changed, timeout=10_000):
        qtbot.keyClick(page.notes_panel.editor, Qt.Key.Key_Return,
                       Qt.KeyboardModifier.ControlModifier)
    notes_page = wait_loaded(qtbot, window, "notes")
    assert notes_page.proxy.rowCount() == 2 and notes_page.count.text() == "2 notes"
    qtbot.keyClicks(notes_page.filter, "photos")
    assert notes_page.proxy.rowCount() == 1
    # Opening the note returns to the video at its time.
    resource = window.page("resource")
    with qtbot.waitSignal(resource.loaded, timeout=10_000):
        notes_page.view.activated.emit(notes_page.proxy.index(0, 0))
    assert resource.resource["id"] == f"{PACK_ID}/tour"
    assert resource.viewer.media_time() == 65.0
    notes_page = wait_loaded(qtbot, window, "notes")
    target = tmp_path / "notes.md"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    with qtbot.waitSignal(ctx.status_message, timeout=10_000):
        notes_page.export_button.click()
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# My notes") and "**1:05** Commons keeps the photos" in text
    assert "Short and clear" in text


def test_search_as_you_type_and_open_a_subtitle_hit(
    qtbot: QtBot, filled: Library, open_window: OpenWindow
) -> None:
    _ctx, window = open_window()
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    page = window.page("search")
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.keyClicks(window.topbar.search, "commons photo")
    qtbot.waitUntil(lambda: page.model.rowCount() > 0)
    hits = page.model.hits
    tour = next(h for h in hits if h["resource_id"] == f"{PACK_ID}/tour")
    assert tour["timestamp"] == 5.0 and "<b>" in tour["snippet"]
    assert page.facet_lists["kind"].count() >= 1
    # Arrow down moves into the results; Enter opens the current one.
    qtbot.keyClick(window.topbar.search, Qt.Key.Key_Down)
    assert page.view.hasFocus()
    page.view.setCurrentIndex(page.model.index(hits.index(tour), 0))
    resource = window.page("resource")
    with qtbot.waitSignal(resource.loaded, timeout=10_000):
        qtbot.keyClick(page.view, Qt.Key.Key_Return)
    assert resource.resource["id"] == f"{PACK_ID}/tour"
    assert resource.viewer.media_time() == 5.0
    assert resource.transcript.count() == 2  # subtitles as a transcript beside the video


def test_search_facets_and_nothing_found(
    qtbot: QtBot, filled: Library, open_window: OpenWindow
) -> None:
    _ctx, window = open_window()
    page = wait_loaded(qtbot, window, "search", query="sources")
    assert page.model.rowCount() >= 1
    kinds = page.facet_lists["kind"]
    article_row = next(i for i in range(kinds.count())
                       if kinds.item(i).data(Qt.ItemDataRole.UserRole) == "article")
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page._facet("kind", kinds.item(article_row))
    assert all(hit["kind"] == "article" for hit in page.model.hits)
    assert page.clear_button.isVisible()
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.set_query("zzzqqqxxx", immediate=True)
    assert page.stack.currentWidget() is page.empty
    assert "Nothing found" in page.empty.title.text()
    assert page.empty.action.isVisible()  # clear the filters


def test_search_drops_stale_results(
    qtbot: QtBot, filled: Library, open_window: OpenWindow
) -> None:
    _ctx, window = open_window()
    page = wait_loaded(qtbot, window, "search")
    page.set_query("sources", immediate=True)
    page.set_query("zzzqqqxxx", immediate=True)  # sent before the first answer arrives
    qtbot.waitUntil(lambda: page.results is not None and page.results["query"] == "zzzqqqxxx")
    window.ctx.runner.wait()
    QApplication.processEvents()  # a late answer to the first query is delivered now
    assert page.results["query"] == "zzzqqqxxx" and page.model.rowCount() == 0

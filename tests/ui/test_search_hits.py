"""Search hits in the window: one's own notes are marked as notes, beside the resource's own
hit; pack facet names keep their counts; an article hit opens at the match, marked."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from pytestqt.qtbot import QtBot

from app.library import Library
from tests.ui.conftest import PACK_ID, OpenWindow, wait_loaded


def test_own_note_hits_are_marked_and_do_not_hide_the_video_hit(
        qtbot: QtBot, filled: Library, open_window: OpenWindow) -> None:
    filled.add_note(f"{PACK_ID}/tour", "Commons keeps photos, remember", at_seconds=6)
    _ctx, window = open_window()
    page = wait_loaded(qtbot, window, "search", query="commons photos")
    rows = [page.model.index(i, 0) for i in range(page.model.rowCount())]
    texts = [i.data(Qt.ItemDataRole.AccessibleTextRole) for i in rows]
    fields = [hit["field"] for hit in page.model.hits if hit["resource_id"] == f"{PACK_ID}/tour"]
    assert fields == ["note", "subtitles"]
    note_row = next(n for n, hit in enumerate(page.model.hits) if hit["field"] == "note")
    assert texts[note_row].startswith("Your note"), texts[note_row]
    video_row = next(n for n, hit in enumerate(page.model.hits) if hit["field"] == "subtitles")
    assert not texts[video_row].startswith("Your note")


def test_pack_facet_names_keep_their_counts(qtbot: QtBot, filled: Library,
                                            open_window: OpenWindow) -> None:
    filled.db.execute("UPDATE packs SET title = ? WHERE id = ?", (
        '{"en": "Every kind of resource, with a very long title that never fits a facet"}',
        PACK_ID))
    _ctx, window = open_window()
    page = wait_loaded(qtbot, window, "search", query="sources")
    facet = page.facet_lists["pack"]
    assert facet.count() == 1
    item = facet.item(0)
    shown = facet.itemDelegate().shown_text(facet, item)
    assert shown.endswith(")") and "(" in shown, shown
    width = facet.viewport().width() - facet.iconSize().width() - 12
    assert QFontMetrics(facet.font()).horizontalAdvance(shown) <= width


def test_an_article_hit_opens_at_the_match_marked(qtbot: QtBot, filled: Library,
                                                  open_window: OpenWindow) -> None:
    _ctx, window = open_window()
    search = wait_loaded(qtbot, window, "search", query="web")
    row = next(n for n, hit in enumerate(search.model.hits)
               if hit["resource_id"] == f"{PACK_ID}/article")
    page = window.page("resource")
    with qtbot.waitSignal(page.loaded, timeout=15_000):
        search._open(search.model.index(row, 0))
    viewer: Any = page.viewer
    browser = viewer.browser
    marks = browser.extraSelections()
    assert marks and {m.cursor.selectedText().casefold() for m in marks} == {"web"}
    assert all(m.cursor.block().text().startswith("See the second article") for m in marks)
    # The paragraph is on screen: the article scrolled down to it.
    assert browser.verticalScrollBar().value() > 0
    top = browser.cursorRect(marks[0].cursor).top()
    assert 0 <= top < browser.viewport().height()

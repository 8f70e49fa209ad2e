"""The search page's heading counts the results it shows: a hit in one's own note is a
result of its own, beside the resource's hit in the same video."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.library import Library
from tests.ui.conftest import PACK_ID, OpenWindow, wait_loaded


def test_the_heading_counts_note_hits_too(qtbot: QtBot, filled: Library,
                                          open_window: OpenWindow) -> None:
    filled.add_note(f"{PACK_ID}/tour", "Commons keeps photos, remember", at_seconds=6)
    _ctx, window = open_window()
    page = wait_loaded(qtbot, window, "search", query="commons photos")
    shown = page.model.rowCount()
    assert shown == 2 and {hit["field"] for hit in page.model.hits} == {"note", "subtitles"}
    assert page.heading.text() == "2 results for “commons photos”"


def test_the_heading_counts_a_single_result_in_the_singular(
        qtbot: QtBot, filled: Library, open_window: OpenWindow) -> None:
    _ctx, window = open_window()
    page = wait_loaded(qtbot, window, "search", query="commons photos")
    assert page.model.rowCount() == 1
    assert page.heading.text() == "1 result for “commons photos”"

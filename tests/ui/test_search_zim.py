"""The search page finds the articles of a ZIM too big to list, and opens the one found."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.cli import main
from app.library import Library
from tests.ui.conftest import OpenWindow, mark_seeded, wait_loaded
from tests.unit.search.zimfiles import make_zim


def test_a_zim_article_found_by_search_opens_at_that_article(
        qtbot: QtBot, library: Library, open_window: OpenWindow, tmp_path: Path) -> None:
    zim = make_zim(tmp_path / "wiki.zim", 6000, {
        2345: "A zanzibarite was found here.", 17: "Nothing about minerals."})
    assert main(["import", str(zim)]) == 0  # more than 5,000 articles: not listed
    mark_seeded(library)
    _ctx, window = open_window()
    page = wait_loaded(qtbot, window, "search", query="zanzibarite")
    [hit] = page.model.hits
    assert hit["title"] == "Article 2345" and hit["entry"] == "A/Article_2345"
    assert "<b>zanzibarite</b>" in hit["snippet"]
    assert page.heading.text() == "1 result for “zanzibarite”"
    languages = page.facet_lists["lang"]
    shown = [languages.itemDelegate().shown_text(languages, languages.item(i))
             for i in range(languages.count())]
    assert shown == ["English (1)"]
    resource = window.page("resource")
    page.view.setCurrentIndex(page.model.index(0, 0))
    with qtbot.waitSignal(resource.loaded, timeout=15_000):
        qtbot.keyClick(page.view, Qt.Key.Key_Return)
    assert resource.resource["id"] == "zim.testwiki/index"
    text = resource.viewer.browser.toPlainText()
    assert "Article 2345" in text and "A zanzibarite was found here." in text
    # Opening the index resource itself still shows the ZIM's main page.
    window.ctx.open_resource("zim.testwiki/main-page")
    qtbot.waitUntil(lambda: "Welcome." in resource.viewer.browser.toPlainText(),
                    timeout=15_000)

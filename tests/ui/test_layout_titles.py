"""One language choice decides every title the window shows: with the interface in Swahili,
a pack's title, its sections' and its articles' are Swahili wherever a Swahili version
exists, although the content preference is still the default (English)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.languages import display_chain
from app.library import Library
from tests.ui.conftest import PACK_ID, OpenWindow, wait_loaded


def test_the_pack_page_lists_swahili_versions_in_the_swahili_interface(
    qtbot: QtBot, filled: Library, open_window: OpenWindow
) -> None:
    ctx, window = open_window(language="sw")
    assert ctx.values["content_languages"] == ["en"]
    assert ctx.languages == display_chain("sw", ["en"])
    page = wait_loaded(qtbot, window, "pack", pack_id=PACK_ID)
    assert page.title.text().strip("\u2066\u2067\u2068\u2069") == "Kila aina"
    model = page.model
    read = model.index(0, 0)
    titles = [model.index(row, 0, read).data() for row in range(model.rowCount(read))]
    assert "Kutaja vyanzo" in titles and "Citing sources" not in titles
    # what opens is the version whose title is shown
    row = titles.index("Kutaja vyanzo")
    assert model.item(model.index(row, 0, read)).id == f"{PACK_ID}/article-sw"

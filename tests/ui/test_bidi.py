"""Content text takes its own direction inside the interface's: an English title inside the
Arabic interface keeps its question mark at its end, on the pack page, in the rows painted by
delegates, in the breadcrumb and in the licence line; a search snippet keeps its "…" at the
ends of its own text. One rule (``formatting.isolate``) wherever pack text is shown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QTextLayout, QTextOption
from PySide6.QtWidgets import QApplication, QLabel, QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from app.formatting import isolate
from app.library import Library
from app.packs.importer import import_pack
from tests.packs import make_pack, rewrite_manifest
from tests.ui.conftest import OpenWindow, mark_seeded, wait_loaded

QUESTION = "What are the Wikimedia projects?"
PACK = "org.test.bidi"


def reads_in_order(text: str, font: QFont, direction: Qt.LayoutDirection,
                   phrase: str = QUESTION) -> bool:
    """Whether ``phrase`` (an English question) inside ``text``, laid out in a paragraph of
    ``direction`` as Qt lays out a label or a painted row, shows its question mark after its
    last word (to the right of its first letter) rather than before its first."""
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setTextDirection(direction)
    layout.setTextOption(option)
    layout.beginLayout()
    line = layout.createLine()
    line.setLineWidth(100_000)
    layout.endLayout()
    first = text.index(phrase)
    mark = first + len(phrase) - 1
    # positions inside the run (its edges are ambiguous in mixed text)
    return line.cursorToX(first + 1)[0] < line.cursorToX(mark)[0]


class Recorder(QPainter):
    """A painter that keeps the texts a delegate draws."""

    def __init__(self, image: QImage) -> None:
        super().__init__(image)
        self.texts: list[str] = []

    def drawText(self, *args: Any) -> None:
        self.texts.extend(a for a in args if isinstance(a, str))
        super().drawText(*args)


@pytest.fixture
def bidi_pack(library: Library, tmp_path: Path) -> Library:
    plain = tmp_path / "plain.ujpack"
    make_pack(plain, PACK, articles={"projects": "# Projects\n\nWikipedia, Commons, Wikidata "
                                                 "and many more sister projects.\n"})

    def titled(manifest: dict[str, Any]) -> None:
        manifest["resources"][0]["title"] = {"en": QUESTION}
        manifest["title"] = {"en": "Why cite sources?"}
        manifest["license"] = "CC-BY-SA-4.0"
        manifest["attribution"] = "Wikimedia volunteers"

    out = tmp_path / "bidi.ujpack"
    rewrite_manifest(plain, out, titled)
    import_pack(library, out)
    mark_seeded(library)
    return library


def test_english_titles_keep_their_punctuation_in_the_arabic_interface(
    qtbot: QtBot, bidi_pack: Library, open_window: OpenWindow
) -> None:
    _ctx, window = open_window(language="ar")
    rtl = Qt.LayoutDirection.RightToLeft
    assert QApplication.layoutDirection() == rtl
    page = wait_loaded(qtbot, window, "pack", pack_id=PACK)

    # A plain English sentence in a right-to-left paragraph is what went wrong.
    assert not reads_in_order(QUESTION, page.font(), rtl)

    # labels that show pack text (the pack's title)
    title: QLabel = page.title
    shown = QLabel.text(title)  # what Qt draws
    assert reads_in_order(shown, title.font(), title.layoutDirection(), "Why cite sources?")

    # rows painted by a delegate (the pack's outline)
    tree = page.tree
    row = tree.model().index(0, 0, tree.model().index(0, 0))
    option = QStyleOptionViewItem()
    option.initFrom(tree)
    option.rect = QRect(0, 0, 700, 48)
    image = QImage(700, 48, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = Recorder(image)
    tree.itemDelegate().paint(painter, option, row)
    painter.end()
    drawn = [text for text in painter.texts if QUESTION in text]
    assert drawn and all(reads_in_order(text, tree.font(), rtl) for text in drawn)

    # the breadcrumb (rich text: laid out as a document)
    crumbs = window.topbar.crumbs
    document_text = crumbs.text()
    assert isolate("Why cite sources?") in document_text

    # the licence line: the licence and the attribution each in their own direction, the
    # sentence's full stop after the licence
    licence = page.licence.text()
    assert isolate("CC-BY-SA-4.0") in licence and isolate("Wikimedia volunteers") in licence


def test_search_snippets_keep_their_ellipses_at_their_own_ends(
    qtbot: QtBot, bidi_pack: Library, open_window: OpenWindow
) -> None:
    _ctx, window = open_window(language="ar")
    page = wait_loaded(qtbot, window, "search", query="sister")
    hits = [page.model.index(row, 0) for row in range(page.model.rowCount())]
    from app.ui.models import ROW

    hit = next(index.data(ROW) for index in hits if index.data(ROW)["title"] == QUESTION)
    view = page.view
    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.font = view.font()
    hit = {**hit, "snippet": "…many more <b>sister</b> projects…",
           "snippet_text": "…many more sister projects…"}
    document = view.itemDelegate()._doc(option, hit, 600)
    assert document.size().width() > 0  # laid out
    block = document.firstBlock()
    assert block.layout().lineCount() == 1
    line = block.layout().lineAt(0)
    text = block.text()
    # the leading "…" stands before "many" (to its left), the trailing one after "projects"
    assert line.cursorToX(0)[0] < line.cursorToX(text.index("many") + 1)[0]
    assert line.cursorToX(len(text))[0] > line.cursorToX(text.index("projects") + 1)[0]

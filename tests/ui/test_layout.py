"""Text that fits, in every language and size: every page of the window, at 800x600 and at
24 pt, in English, Swahili and Arabic, shows every label's, button's and list box's text
whole (wrapped, reflowed or scrolled to, never cut), and the window takes that
size (no fixed minimum overrides what the content needs)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QPoint
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QLabel,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.library import Library
from app.packs.importer import import_pack
from app.ui.window import MainWindow
from tests.packs import make_pack
from tests.ui.conftest import OpenWindow, wait_loaded
from tests.ui.test_languages import PAGES

SIZE = (800, 600)
FONT = 24


def _clipped_sideways(widget: QWidget, window: MainWindow) -> bool:
    """Whether part of ``widget`` lies outside an ancestor that cannot scroll sideways to it
    (cut off at the window's edge, or under a neighbour)."""
    parent = widget.parentWidget()
    top_left = QPoint(0, 0)
    left, right = 0, widget.width()
    current = widget
    while parent is not None and current is not window:
        offset = current.mapTo(parent, top_left).x()
        left, right = left + offset, right + offset
        if isinstance(parent.parentWidget(), QAbstractScrollArea) and \
                parent.parentWidget().horizontalScrollBar().isVisible():  # type: ignore[union-attr]
            return False
        if left < -1 or right > parent.width() + 1:
            return True
        current, parent = parent, parent.parentWidget()
    return False


def settle(window: MainWindow) -> None:
    """Deliver the events a page's layout posts (a text set while it was hidden, a wrapped
    label's new height) until its geometry stops changing."""
    def shape() -> list[tuple[int, int, int, int]]:
        return [(w.x(), w.y(), w.width(), w.height())
                for w in window.findChildren(QWidget) if w.isVisible()]

    before = None
    for _round in range(20):
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        QApplication.processEvents()
        now = shape()
        if now == before:
            return
        before = now


def cut_text(window: MainWindow) -> list[str]:
    """Visible labels, buttons and list boxes whose text does not fit them."""
    found = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or widget.window() is not window:
            continue
        if isinstance(widget, QAbstractScrollArea) and widget.objectName().startswith(
                "area-") and widget.horizontalScrollBar().isVisible():
            found.append(f"the page is wider than the window: {widget.widget().minimumSizeHint()}")
        text = ""
        if isinstance(widget, QLabel) and widget.text() and widget.pixmap().isNull():
            text = widget.text()
            if widget.wordWrap():
                high = widget.heightForWidth(widget.width())
                if widget.height() + 1 < high:
                    found.append(f"label {text!r}: {widget.height()} px high, needs {high}")
            elif widget.width() + 1 < widget.sizeHint().width():
                found.append(f"label {text!r}: {widget.width()} px wide, needs "
                             f"{widget.sizeHint().width()}")
        elif isinstance(widget, QAbstractButton) and widget.text():
            text = widget.text()
            hint = widget.sizeHint()
            if widget.width() + 1 < hint.width() or widget.height() + 1 < hint.height():
                found.append(f"button {text!r}: {widget.width()}x{widget.height()}, needs "
                             f"{hint.width()}x{hint.height()}")
        elif isinstance(widget, QComboBox) and widget.currentText():
            text = widget.currentText()
            hint = widget.sizeHint()
            if widget.width() + 1 < hint.width() or widget.height() + 1 < hint.height():
                found.append(f"list box {text!r}: {widget.width()}x{widget.height()}, needs "
                             f"{hint.width()}x{hint.height()}")
        else:
            continue
        if _clipped_sideways(widget, window):
            found.append(f"{type(widget).__name__} {text!r}: beyond its container's edge")
    return found


LONG = ("Explore the capabilities of this demo course, covering platform tools, content "
        "creation, assessments, social learning and community stories. Ideal for course "
        "developers, online learning newcomers and community members.")


def test_every_page_fits_800x600_at_24pt_in_every_language(
    qtbot: QtBot, filled: Library, open_window: OpenWindow, tmp_path: Path
) -> None:
    # a pack with a long title and description (as an imported course has)
    make_pack(tmp_path / "long.ujpack", "org.test.long", extra={
        "title": {"en": "An imported course with a rather long title, as courses have"},
        "description": {"en": LONG}, "attribution": LONG})
    import_pack(filled, tmp_path / "long.ujpack")
    pages = [*PAGES, ("pack", {"pack_id": "org.test.long"})]
    ctx, window = open_window()
    problems: dict[str, list[str]] = {}
    # the default text size first (in English), then 24 pt in each language
    for language, size in (("en", 11), ("en", FONT), ("sw", FONT), ("ar", FONT)):
        if ctx.values["font_size"] != size:
            with qtbot.waitSignal(ctx.theme_changed, timeout=5_000):
                ctx.set_setting("font_size", size)
        if ctx.ui_language != language:
            with qtbot.waitSignal(ctx.language_changed, timeout=5_000):
                ctx.set_setting("ui_language", language)
        window.resize(*SIZE)
        for name, args in pages:
            wait_loaded(qtbot, window, name, **args)
            window.resize(*SIZE)
            settle(window)
            found = cut_text(window)
            if (window.width(), window.height()) != SIZE:
                found.append(f"the window keeps {window.width()}x{window.height()}, at least "
                             f"{window.minimumSize().width()}x{window.minimumSize().height()}")
            if found:
                problems[f"{language} {size} pt {name} {args.get('resource_id', '')}"] = found
    assert not problems, "\n".join(f"{page}: {line}" for page, lines in problems.items()
                                    for line in lines)

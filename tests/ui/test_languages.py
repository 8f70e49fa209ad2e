"""Every visible string is translatable, the language switches without a restart, and
right-to-left languages mirror the whole layout."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app import i18n
from app.library import Library
from app.ui.window import MainWindow
from tests.ui.conftest import PACK_ID, OpenWindow, wait_loaded

OPEN, CLOSE = "⟦", "⟧"
PAGES: list[tuple[str, dict[str, str]]] = [
    ("home", {}), ("library", {}), ("pack", {"pack_id": PACK_ID}), ("search", {"query": "cite"}),
    ("notes", {}), ("downloads", {}), ("settings", {}), ("review", {}), ("profiles", {}),
    ("learners", {}),
    *[("resource", {"resource_id": f"{PACK_ID}/{local}"})
      for local in ("article", "guide", "photo", "check", "tour", "web")],
]


class Pseudo(gettext.NullTranslations):
    """Wraps every message in ⟦…⟧: a string that shows without them was never translated."""

    def gettext(self, message: str) -> str:
        return f"{OPEN}{message}{CLOSE}"

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return f"{OPEN}{singular if n == 1 else plural}{CLOSE}"


def _is_content(widget: QWidget) -> bool:
    current: QWidget | None = widget
    while current is not None:
        if current.property("content"):
            return True
        current = current.parentWidget()
    return False


def _texts(widget: QWidget) -> list[str]:
    texts = [widget.toolTip(), widget.accessibleName()]
    if isinstance(widget, QLabel):
        text = widget.text()
        if widget.textFormat() != Qt.TextFormat.PlainText:
            text = re.sub(r"<[^>]+>", "", text)
        texts.append(text)
    elif isinstance(widget, QAbstractButton):
        texts.append(widget.text())
    elif isinstance(widget, QLineEdit | QPlainTextEdit):
        texts.append(widget.placeholderText())
    elif isinstance(widget, QComboBox):
        texts.append(widget.currentText())
    elif isinstance(widget, QTabBar):
        texts.extend(widget.tabText(i) for i in range(widget.count()) if widget.isTabVisible(i))
    elif isinstance(widget, QGroupBox):
        texts.append(widget.title())
    return texts


def untranslated(window: MainWindow) -> list[str]:
    """Visible texts of the window that did not go through the catalog (pack content,
    numbers and punctuation excepted)."""
    found = []
    roots: list[QWidget] = [window]
    if window.help_dialog is not None and window.help_dialog.isVisible():
        roots.append(window.help_dialog)
    for root in roots:
        for widget in [root, *root.findChildren(QWidget)]:
            if not widget.isVisible() or _is_content(widget):
                continue
            for text in _texts(widget):
                if text and re.search(r"[^\W\d_]", text) and OPEN not in text:
                    found.append(f"{type(widget).__name__} {widget.objectName()!r}: {text!r}")
    return found


def test_every_visible_string_is_translated(
    qtbot: QtBot, filled: Library, open_window: OpenWindow
) -> None:
    ctx, window = open_window()
    i18n.install(Pseudo(), "en")
    ctx.language_changed.emit()
    problems: dict[str, list[str]] = {}
    for name, args in PAGES:
        wait_loaded(qtbot, window, name, **args)
        QApplication.processEvents()  # newly added widgets show
        missing = untranslated(window)
        if missing:
            problems[f"{name} {args}"] = missing
    window.show_help()
    missing = untranslated(window)
    if missing:
        problems["help"] = missing
    report = "\n".join(f"{page}:\n  " + "\n  ".join(texts) for page, texts in problems.items())
    assert problems == {}, report


def test_switch_to_arabic_and_back(
    qtbot: QtBot, filled: Library, open_window: OpenWindow
) -> None:
    ctx, window = open_window()
    settings = wait_loaded(qtbot, window, "settings")
    combo = settings.language
    with qtbot.waitSignal(ctx.language_changed, timeout=5_000):
        combo.setCurrentIndex(combo.findData("ar"))
        combo.activated.emit(combo.currentIndex())
    assert QApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert window.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert window.rail_buttons["library"].text() == "المكتبة"
    assert settings.title.text() == "الإعدادات"
    # The rail is on the leading side: the right, in Arabic.
    qtbot.waitUntil(lambda: window.rail.mapTo(window, window.rail.rect().topLeft()).x()
                    > window.width() // 2)
    library = wait_loaded(qtbot, window, "library")
    assert library.title.text() == "المكتبة"
    with qtbot.waitSignal(ctx.language_changed, timeout=5_000):
        ctx.set_setting("ui_language", "en")
    assert QApplication.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert library.title.text() == "Library"
    qtbot.waitUntil(lambda: window.rail.mapTo(window, window.rail.rect().topLeft()).x() == 0)
    # The setting is written off the GUI thread; the file appears whole (renamed into place).
    stored = ctx.data_dir / "settings.json"
    qtbot.waitUntil(lambda: stored.exists() and '"ui_language": "en"' in stored.read_text())


def test_catalogs_are_complete_and_compile() -> None:
    """Each shipped catalog translates every message of the template, with the same
    placeholders, and says in its header that a person should review it."""
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[2] / "translations"
    with (root / "ujuzi.pot").open("rb") as stream:
        template = read_po(stream)
    wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    for lang in ("fr", "es", "ar", "sw"):
        with (root / lang / "LC_MESSAGES" / "ujuzi.po").open("rb") as stream:
            catalog = read_po(stream, locale=lang)
        assert "needs review" in str(catalog.header_comment) + str(catalog.mime_headers)
        have = {}
        for message in catalog:
            if not message.id:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if all(strings) and not message.fuzzy:
                have[key] = strings
        missing = sorted(wanted - set(have))
        assert missing == [], f"{lang}: {len(missing)} untranslated, e.g. {missing[:5]}"
        for key, strings in have.items():
            for string in strings:
                assert set(re.findall(r"{\w*}", string)) == set(re.findall(r"{\w*}", key)), \
                    f"{lang}: placeholders differ in {key!r}"


def clipped(window: MainWindow) -> list[str]:
    """Visible labels and buttons narrower than their text needs."""
    found = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisible():
            continue
        label = isinstance(widget, QLabel) and not widget.wordWrap()
        if not (label or isinstance(widget, QAbstractButton)) or not widget.text():
            continue
        need = widget.sizeHint().width()
        if widget.width() + 1 < need:
            found.append(f"{type(widget).__name__} {widget.text()!r}: {widget.width()} < {need}")
    return found


def test_text_grows_with_the_font_setting_without_clipping(
    qtbot: QtBot, filled: Library, open_window: OpenWindow
) -> None:
    ctx, window = open_window()
    small = window.rail_buttons["downloads"].font().pointSize()
    with qtbot.waitSignal(ctx.theme_changed, timeout=5_000):
        ctx.set_setting("font_size", 18)
    assert QApplication.font().pointSize() == 18
    assert window.rail_buttons["downloads"].font().pointSize() > small
    problems = {}
    for name, args in PAGES:
        wait_loaded(qtbot, window, name, **args)
        QApplication.processEvents()
        if found := clipped(window):
            problems[name] = found
    assert problems == {}
    with qtbot.waitSignal(ctx.theme_changed, timeout=5_000):
        ctx.set_setting("theme", "high-contrast")
    assert QApplication.palette().color(QApplication.palette().ColorRole.Window).name() \
        == "#000000"

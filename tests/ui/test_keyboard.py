"""The window by keyboard alone: Tab and Shift+Tab reach every control of every page in
reading order and leave every one of them (no trap), opening a page puts the focus in it,
Enter presses a focused button, and every control shows that it has the focus."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.library import Library
from app.ui.window import MainWindow
from tests.ui.conftest import PACK_ID, OpenWindow, wait_loaded
from tests.ui.test_languages import PAGES


def _inside_compound(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractItemView | QTextEdit | QPlainTextEdit):
            return True
        parent = parent.parentWidget()
    return False


def controls(window: MainWindow) -> list[QWidget]:
    """Every control of the window a keyboard user must be able to reach: shown, enabled,
    taking focus by Tab (a compound control counts once, by the part that takes focus)."""
    found = []
    for widget in window.findChildren(QWidget):
        # An exclusive group of radio buttons lets Qt give Tab to the checked one only:
        # each answer of a quiz must be reachable all the same.
        takes_tab = widget.focusPolicy() & Qt.FocusPolicy.TabFocus or (
            isinstance(widget, QAbstractButton)
            and widget.focusPolicy() != Qt.FocusPolicy.NoFocus)
        if (widget.isVisible() and widget.isEnabled() and not widget.isWindow() and takes_tab
                and widget.focusProxy() is None and not _inside_compound(widget)):
            found.append(widget)
    return found


def _stops_inside(widget: QWidget) -> int:
    """How many more Tab stops a widget may hold after it takes the focus: its links (a
    label's, an article's)."""
    if isinstance(widget, QLabel):
        return widget.text().count("<a ")
    if isinstance(widget, QTextEdit):
        return widget.toHtml().count("<a ")
    return 0


def walk(qtbot: QtBot, window: MainWindow, forward: bool) -> list[QWidget]:
    """Press Tab (or Shift+Tab) from the search field until the focus comes back to it;
    fail on a control that keeps the focus. Returns the controls in the order reached."""
    window.activateWindow()
    QApplication.processEvents()  # the page has put the focus in itself
    start = window.topbar.search
    start.setFocus(Qt.FocusReason.OtherFocusReason)
    QApplication.processEvents()
    assert start.hasFocus()
    wanted = controls(window)
    limit = 3 * len(wanted) + 20
    order: list[QWidget] = [start]
    repeats = 0
    key = Qt.Key.Key_Tab if forward else Qt.Key.Key_Backtab
    modifier = Qt.KeyboardModifier.NoModifier if forward else Qt.KeyboardModifier.ShiftModifier
    for _press in range(limit):
        focused = QApplication.focusWidget()
        assert focused is not None, "the focus left the window"
        texts = _texts(window)
        qtbot.keyClick(focused, key, modifier)
        now = QApplication.focusWidget()
        assert _texts(window) == texts, f"Tab typed into {focused!r}"
        if now is start:
            return order
        if now is focused:
            repeats += 1
            assert repeats <= _stops_inside(now), f"Tab is trapped in {_name(now)}"
        else:
            repeats = 0
            order.append(now)
    raise AssertionError("the focus never came back to the search field: " +
                         ", ".join(_name(w) for w in order[-8:]))


def _texts(window: MainWindow) -> list[str]:
    return [w.toPlainText() for w in window.findChildren(QPlainTextEdit) if not w.isReadOnly()]


def _name(widget: QWidget | None) -> str:
    if widget is None:
        return "nothing"
    text = getattr(widget, "text", None)
    shown = text() if callable(text) else ""
    return f"{type(widget).__name__}({widget.objectName() or widget.accessibleName() or shown!r})"


def _covers(reached: list[QWidget], control: QWidget) -> bool:
    return any(w is control or control.isAncestorOf(w) for w in reached)


@pytest.mark.parametrize(("name", "args"), PAGES, ids=[
    f"{name}-{args.get('resource_id', '').rpartition('/')[2]}" for name, args in PAGES])
def test_tab_and_shift_tab_reach_every_control(
    qtbot: QtBot, filled: Library, open_window: OpenWindow, name: str, args: dict[str, Any]
) -> None:
    _ctx, window = open_window()
    window.resize(1000, 700)
    page = wait_loaded(qtbot, window, name, **args)
    QApplication.processEvents()
    if name == "resource" and args["resource_id"].endswith("/check"):
        page.viewer.set_mode(False)  # every question on the page: every answer a stop
    wanted = controls(window)
    for forward in (True, False):
        reached = walk(qtbot, window, forward)
        missing = [_name(w) for w in wanted if not _covers(reached, w)]
        assert missing == [], f"{'Tab' if forward else 'Shift+Tab'} never reaches {missing}"


def test_the_viewer_comes_in_reading_order(
    qtbot: QtBot, filled: Library, open_window: OpenWindow
) -> None:
    """On a resource: the title bar, then the viewer, then the notes beside it, then
    Previous, Mark complete and Next."""
    _ctx, window = open_window()
    page = wait_loaded(qtbot, window, "resource", resource_id=f"{PACK_ID}/check")
    page.viewer.set_mode(False)
    order = walk(qtbot, window, True)
    answers = [w for w in page.viewer.findChildren(QRadioButton) if w.isVisible()]
    assert len(answers) == 4
    position = {id(w): i for i, w in enumerate(order)}
    first_answer = min(position[id(w)] for w in answers)
    assert position[id(page.panel_button)] < first_answer
    assert max(position[id(w)] for w in answers) < position[id(page.notes_panel.editor)]
    assert position[id(page.notes_panel.editor)] < position[id(page.next)]


def test_text_editors_and_tables_let_tab_go(
    qtbot: QtBot, filled: Library, open_window: OpenWindow
) -> None:
    _ctx, window = open_window()
    window.activateWindow()
    page = wait_loaded(qtbot, window, "resource", resource_id=f"{PACK_ID}/article")
    editor = page.notes_panel.editor
    editor.setFocus()
    qtbot.keyClicks(editor, "remember")
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.toPlainText() == "remember" and not editor.hasFocus()
    editor.setFocus()
    home = window.page("home")
    with qtbot.waitSignal(home.loaded, timeout=10_000):
        qtbot.keyClick(editor, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current is home

    settings = wait_loaded(qtbot, window, "settings")
    table = settings.storage
    assert table.rowCount() >= 1
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert not table.hasFocus()


def test_opening_a_page_moves_the_focus_into_it(
    qtbot: QtBot, filled: Library, open_window: OpenWindow
) -> None:
    _ctx, window = open_window()
    window.activateWindow()
    outside = []
    for name, args in PAGES:
        window.rail_buttons["home"].setFocus()
        page = wait_loaded(qtbot, window, name, **args)
        QApplication.processEvents()
        if not page.isAncestorOf(QApplication.focusWidget()):
            outside.append(f"{name} {args}: {_name(QApplication.focusWidget())}")
    assert outside == [], "\n".join(outside)
    # Typing in the search field opens the search page and leaves the focus where it is.
    search = window.topbar.search
    wait_loaded(qtbot, window, "home")
    search.setFocus()
    qtbot.keyClicks(search, "cit")
    assert search.hasFocus() and search.text() == "cit"


def test_enter_presses_the_focused_button(
    qtbot: QtBot, filled: Library, open_window: OpenWindow
) -> None:
    _ctx, window = open_window()
    window.activateWindow()
    page = wait_loaded(qtbot, window, "resource", resource_id=f"{PACK_ID}/second")
    assert page.complete.isEnabled()
    page.complete.setFocus()
    qtbot.keyClick(page.complete, Qt.Key.Key_Return)
    assert page.complete.text() == "Completed"
    settings = wait_loaded(qtbot, window, "settings")
    settings.help_button.setFocus()
    qtbot.keyClick(settings.help_button, Qt.Key.Key_Enter)
    assert window.help_dialog is not None and window.help_dialog.isVisible()


def _image(widget: QWidget) -> QImage:
    return widget.grab().toImage()


def test_every_control_shows_its_focus(
    qtbot: QtBot, filled: Library, open_window: OpenWindow
) -> None:
    """Each control looks different with the focus than without: cards included."""
    _ctx, window = open_window()
    window.activateWindow()
    unmarked = []
    for name, args in (("home", {}), ("library", {}), ("pack", {"pack_id": PACK_ID}),
                       ("settings", {}), ("resource", {"resource_id": f"{PACK_ID}/check"})):
        wait_loaded(qtbot, window, name, **args)
        QApplication.processEvents()
        for widget in controls(window):
            if isinstance(widget, QPushButton) and widget.isDefault():
                continue
            elsewhere = window.rail_buttons["home"] if widget is window.topbar.search \
                else window.topbar.search
            elsewhere.setFocus()
            QApplication.processEvents()
            before = _image(widget)
            widget.setFocus(Qt.FocusReason.TabFocusReason)
            QApplication.processEvents()
            if _image(widget) == before:
                unmarked.append(f"{name}: {_name(widget)}")
    assert unmarked == [], "\n".join(unmarked)


def test_the_list_of_shortcuts_has_the_players_keys(
    qtbot: QtBot, filled: Library, open_window: OpenWindow
) -> None:
    _ctx, window = open_window()
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert window.help_dialog is not None and window.help_dialog.isVisible()
    texts = [w.text() for w in window.help_dialog.findChildren(QLabel) if w.isVisible()]
    for keys in ("Space, K", "J, L", "← →", "↑ ↓", "M", "C", "F, Esc", "Enter, Space"):
        assert keys in texts
    assert "Back or forward 10 seconds" in texts and "Video and audio" in texts


def test_the_list_of_shortcuts_fits_the_screen_at_the_largest_text(
    qtbot: QtBot, filled: Library, open_window: OpenWindow
) -> None:
    ctx, window = open_window()
    ctx.set_setting("font_size", 24)
    window.show_help()
    dialog = window.help_dialog
    assert dialog is not None
    QApplication.processEvents()
    screen = dialog.screen().availableGeometry()
    assert dialog.height() <= screen.height() and dialog.width() <= screen.width()
    close = dialog.close_button
    assert close.height() >= close.sizeHint().height()  # Close keeps its label
    assert close.width() >= close.sizeHint().width()

"""What a screen reader hears, read through Qt's accessibility interface
(``QAccessible.queryAccessibleInterface``), as AT-SPI passes it on: every control of every
page has a name, the name of a button contains the text it shows, combo boxes are labelled
(on Linux Qt gives a combo box's value as its name, so the label must come as a relation),
and cards are buttons that can be pressed."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtGui import QAccessible, QAccessibleInterface
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QWidget
from pytestqt.qtbot import QtBot

from app.library import Library
from app.ui.widgets import Card
from app.ui.window import MainWindow
from tests.ui.conftest import OpenWindow, wait_loaded
from tests.ui.test_keyboard import controls
from tests.ui.test_languages import PAGES

NAME = QAccessible.Text.Name


def interface(widget: QWidget) -> QAccessibleInterface:
    found = QAccessible.queryAccessibleInterface(widget)
    assert found is not None and found.isValid(), widget
    return found


def label_of(widget: QWidget) -> str:
    """The text of the label a screen reader reads before a widget ("labelled by")."""
    for other, relation in interface(widget).relations(QAccessible.RelationFlag.Label):
        if relation & QAccessible.RelationFlag.Label and other.text(NAME):
            return str(other.text(NAME))
    return ""


def problems(window: MainWindow) -> list[str]:
    found = []
    combos = [w for w in window.findChildren(QComboBox) if w.isVisible()]
    for widget in [*controls(window), *combos]:
        iface = interface(widget)
        name = str(iface.text(NAME) or "")
        described = f"{type(widget).__name__} {name or widget.objectName()!r}"
        if isinstance(widget, QComboBox):
            if not label_of(widget):
                found.append(f"{described}: no label, only its value")
            continue
        if not name.strip() and not label_of(widget):
            found.append(f"{described}: no name")
        if isinstance(widget, QAbstractButton):
            shown = widget.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
            shown = shown.strip().removesuffix("…")  # elided: the name says it whole
            if shown and shown not in name:
                found.append(f"{described}: the name does not say {shown!r}")
        if isinstance(widget, Card) and iface.role() != QAccessible.Role.Button:
            found.append(f"{described}: a card that is not a button ({iface.role().name})")
    return found


@pytest.mark.parametrize(("name", "args"), PAGES, ids=[
    f"{name}-{args.get('resource_id', '').rpartition('/')[2]}" for name, args in PAGES])
def test_every_control_has_a_name_a_screen_reader_reads(
    qtbot: QtBot, filled: Library, open_window: OpenWindow, name: str, args: dict[str, Any]
) -> None:
    _ctx, window = open_window()
    page = wait_loaded(qtbot, window, name, **args)
    QApplication.processEvents()
    if name == "resource" and args["resource_id"].endswith("/check"):
        page.viewer.set_mode(False)
    found = problems(window)
    assert not found, "\n".join(found)


def test_cards_are_buttons_that_can_be_pressed(
    qtbot: QtBot, filled: Library, open_window: OpenWindow
) -> None:
    _ctx, window = open_window()
    home = wait_loaded(qtbot, window, "home")
    QApplication.processEvents()
    cards = [w for w in home.findChildren(Card) if w.isVisible()]
    assert cards
    iface = interface(cards[-1])
    assert iface.role() == QAccessible.Role.Button
    assert iface.text(NAME) == cards[-1].accessibleName()
    actions = iface.actionInterface()
    assert actions is not None and QAccessible.ActionInterface is not None
    press = "Press"
    assert press in actions.actionNames()
    pack_page = window.page("pack")
    with qtbot.waitSignal(pack_page.loaded, timeout=10_000):
        actions.doAction(press)
    assert window.current is pack_page

"""Keyboard and screen-reader rules for the whole window, kept in one place.

- **Focus order.** Tab and Shift+Tab follow reading order: the order of the layouts, depth
  first (:func:`focus_stops`), not the order in which widgets happened to be created (a
  viewer made after the page would otherwise come after its Next button). Every answer of
  a group of radio buttons is a stop; a stop inside a scroll area is scrolled into view.
- **No traps.** Text editors and tables give Tab back (:func:`keyboard_rules`): Tab moves
  on, it does not type a tab or walk a table's cells.
- **Enter** presses the focused button, as Space does (:func:`press_focused`).
- **Cards are buttons** to assistive technology, with a Press action (:func:`install`).
- **Combo boxes are labelled.** On Linux Qt gives a combo box's value as its accessible
  name and takes its label from a relation, a label whose buddy it is: a combo box named
  with ``setAccessibleName`` gets a hidden buddy label with that name.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAccessible, QAccessibleActionInterface, QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QAccessibleWidget,
    QComboBox,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSplitter,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)

#: controls whose parts are theirs alone: a stop of their own, never walked into
_WHOLE = (QAbstractSpinBox, QComboBox, QAbstractItemView, QTextEdit, QPlainTextEdit, QLineEdit,
          QAbstractSlider, QTabBar, QAbstractButton)
_HIDDEN_LABEL = "ujuziAccessibleLabel"


# -- focus order --------------------------------------------------------------------------

def _in_reading_order(widget: QWidget) -> list[QWidget]:
    """The child widgets of ``widget``: those in its layout in layout order, then the rest
    (``children()`` is in stacking order, which raising a widget changes)."""
    ordered: list[QWidget] = []
    if isinstance(widget, QTabWidget):
        ordered.append(widget.tabBar())
    elif isinstance(widget, QSplitter):  # its children are in stacking order
        ordered.extend(w for i in range(widget.count()) if (w := widget.widget(i)) is not None)
    layout = widget.layout()
    if layout is not None:
        _layout_widgets(layout, ordered)
    seen = {id(w) for w in ordered}
    ordered.extend(child for child in widget.children()
                   if isinstance(child, QWidget) and id(child) not in seen)
    return [w for w in ordered if not w.isWindow()]


def _layout_widgets(layout: QLayout, out: list[QWidget]) -> None:
    for index in range(layout.count()):
        item = layout.itemAt(index)
        if item is None:
            continue
        child = item.widget()
        if child is not None:
            out.append(child)
        elif (inner := item.layout()) is not None:
            _layout_widgets(inner, out)


def _takes_tab(widget: QWidget) -> bool:
    policy = widget.focusPolicy()
    if isinstance(widget, QAbstractButton) and widget.isCheckable():
        # In an exclusive group Qt leaves Tab to the checked button only.
        return policy != Qt.FocusPolicy.NoFocus
    return bool(policy & Qt.FocusPolicy.TabFocus)


def focus_stops(root: QWidget) -> list[QWidget]:
    """The widgets Tab stops at under ``root``, in reading order: shown, enabled, taking
    focus by Tab (a compound control once)."""
    stops: list[QWidget] = []

    def visit(widget: QWidget) -> None:
        for child in _in_reading_order(widget):
            if not child.isVisible() or not child.isEnabled():
                continue
            whole = isinstance(child, _WHOLE)
            if _takes_tab(child) and (whole or child.focusProxy() is None):
                stops.append(child)
            if not whole:
                visit(child)

    visit(root)
    return stops


def _position(stops: list[QWidget], focused: QWidget | None) -> int:
    """The index of the stop that holds ``focused`` (the innermost), or -1."""
    found = -1
    if focused is None:
        return found
    for index, stop in enumerate(stops):
        if stop is focused or stop.isAncestorOf(focused):
            found = index
    return found


def move_focus(root: QWidget, forward: bool) -> bool:
    """Move the focus to the next (or previous) stop under ``root``, as Tab (Shift+Tab)
    does; False when there is nowhere to go."""
    keyboard_rules(root)
    stops = focus_stops(root)
    if not stops:
        return False
    from PySide6.QtWidgets import QApplication

    index = _position(stops, QApplication.focusWidget())
    if index < 0:
        target = stops[0] if forward else stops[-1]
    else:
        target = stops[(index + (1 if forward else -1)) % len(stops)]
    reason = Qt.FocusReason.TabFocusReason if forward else Qt.FocusReason.BacktabFocusReason
    target.setFocus(reason)
    show_focused(target)
    return True


def show_focused(widget: QWidget) -> None:
    """Scroll every scroll area around ``widget`` so that it is in view."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea) and (inner := parent.widget()) is not None \
                and inner.isAncestorOf(widget):
            parent.ensureWidgetVisible(widget)
        parent = parent.parentWidget()


def focus_first(root: QWidget) -> bool:
    """Put the focus on the first stop under ``root``; False if it has none."""
    stops = focus_stops(root)
    if not stops:
        return False
    stops[0].setFocus(Qt.FocusReason.OtherFocusReason)
    show_focused(stops[0])
    return True


def focus_reading(root: QWidget, name: str) -> bool:
    """Put the focus on the text of ``root``, a page with nothing to press: its first
    scroll area takes it (arrows and Page Down scroll; not a Tab stop), named ``name`` for
    a screen reader. False if it has none."""
    for area in root.findChildren(QScrollArea):
        if area.isVisible():
            if area.focusPolicy() == Qt.FocusPolicy.NoFocus:
                area.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
            area.setAccessibleName(name)
            area.setFocus(Qt.FocusReason.OtherFocusReason)
            return True
    return False


class LinkLabel(QLabel):
    """A label whose links are reached by keyboard: Tab and Shift+Tab go from link to link
    and, past the last (or before the first), on to the next control. (A QLabel left to
    itself keeps Shift+Tab on its first link.)"""

    def first_link(self) -> str:
        """The text of the first link, as it is selected when it has the focus."""
        import re

        found = re.search(r"<a [^>]*>(.*?)</a>", self.text())
        return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))) if found else ""

    def setText(self, text: str) -> None:
        super().setText(text)
        # A Tab stop only while it has a link to follow.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus if "<a " in text
                            else Qt.FocusPolicy.NoFocus)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        tab = event.reason() == Qt.FocusReason.TabFocusReason
        if (tab or event.reason() == Qt.FocusReason.BacktabFocusReason) \
                and not self.hasSelectedText():
            QLabel.focusNextPrevChild(self, tab)  # on the first (last) link: focus shows

    def focusNextPrevChild(self, next: bool) -> bool:
        if not next and (not self.hasSelectedText()
                         or self.selectedText() == self.first_link()):
            return QWidget.focusNextPrevChild(self, next)
        return super().focusNextPrevChild(next)


# -- traps and keys ---------------------------------------------------------------------

def keyboard_rules(root: QWidget) -> None:
    """Apply the window's keyboard rules to every widget under ``root``: text editors and
    tables let Tab move on; a combo box named by ``setAccessibleName`` is labelled."""
    for editor in root.findChildren(QPlainTextEdit):
        if not editor.tabChangesFocus():
            editor.setTabChangesFocus(True)
    for text in root.findChildren(QTextEdit):
        if not text.tabChangesFocus() and not text.isReadOnly():
            text.setTabChangesFocus(True)
    for view in root.findChildren(QAbstractItemView):
        if view.tabKeyNavigation():
            view.setTabKeyNavigation(False)
    for combo in root.findChildren(QComboBox):
        label_combo(combo)


def label_combo(combo: QComboBox) -> None:
    """Give ``combo`` a label a screen reader reads: its accessible name, as a hidden buddy
    label, unless a label already has it as buddy."""
    parent = combo.parentWidget()
    name = combo.accessibleName()
    if parent is None or not name:
        return
    hidden: QLabel | None = None
    for child in parent.findChildren(QLabel, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if child.buddy() is combo:
            if child.objectName() != _HIDDEN_LABEL:
                return  # a visible label of its own
            hidden = child
    if hidden is None:
        hidden = QLabel(parent)
        hidden.setObjectName(_HIDDEN_LABEL)
        hidden.setTextFormat(Qt.TextFormat.PlainText)
        hidden.hide()
        hidden.setBuddy(combo)
    if hidden.text() != name:
        hidden.setText(name)


def press_focused(event: QKeyEvent) -> bool:
    """Enter or Return on a focused button presses it, as Space does. True if it did."""
    if event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        return False
    if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
        return False
    from PySide6.QtWidgets import QApplication

    focused = QApplication.focusWidget()
    if isinstance(focused, QAbstractButton) and focused.isEnabled() and focused.isVisible():
        focused.click()
        return True
    return False


# -- cards as buttons -----------------------------------------------------------------------

class _CardInterface(QAccessibleWidget):
    """A card (app.ui.widgets.Card) as assistive technology sees it: a button named by
    its accessible name, with the action to press it."""

    def __init__(self, card: QWidget) -> None:
        super().__init__(card, QAccessible.Role.Button)
        self.card = card

    def actionNames(self) -> list[str]:
        return [QAccessibleActionInterface.pressAction(), *super().actionNames()]

    def doAction(self, action: str) -> None:
        if action == QAccessibleActionInterface.pressAction():
            self.card.activated.emit()  # type: ignore[attr-defined]
            return
        super().doAction(action)


def _factory(key: str, obj: QObject) -> Any:
    from app.ui.widgets import Card

    if isinstance(obj, Card) and obj.focusPolicy() != Qt.FocusPolicy.NoFocus:
        return _CardInterface(obj)
    return None


_installed = False


def install() -> None:
    """Register the accessible interfaces of the window's own widgets (once)."""
    global _installed
    if not _installed:
        QAccessible.installFactory(_factory)
        _installed = True

"""Contrast of the themes (WCAG 2.1): text at least 4.5:1, and the marks that say what a
control is or which state it is in (borders of fields, buttons and cards, an unticked box, the
"not done" circle, the selected rail item) at least 3:1 against what surrounds them. Ratios
are computed from the theme's colours, and from pixels of real widgets painted in them."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QRadioButton,
    QStyle,
    QStyleOptionButton,
    QStyleOptionViewItem,
)
from pytestqt.qtbot import QtBot

from app.library import Library
from app.ui import theme
from app.ui.context import AppContext
from tests.ui.conftest import PACK_ID, OpenWindow, wait_loaded


def luminance(color: QColor | str) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    c = QColor(color)
    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + \
        0.0722 * channel(c.blueF())


def ratio(a: QColor | str, b: QColor | str) -> float:
    low, high = sorted((luminance(a), luminance(b)))
    return (high + 0.05) / (low + 0.05)


def strongest(image: QImage, rect: QRect, against: str) -> float:
    """The highest contrast of any pixel in ``rect`` of ``image`` against ``against``."""
    best = 1.0
    rect = rect.intersected(image.rect())
    for y in range(rect.top(), rect.bottom() + 1):
        for x in range(rect.left(), rect.right() + 1):
            best = max(best, ratio(image.pixelColor(x, y), against))
    return best


@pytest.mark.parametrize("name", theme.THEMES)
def test_theme_colours_reach_wcag_ratios(name: str) -> None:
    c = theme.colors(name)
    text = 7.0 if name == "high-contrast" else 4.5
    for background in (c.base, c.surface):
        assert ratio(c.text, background) >= text
        assert ratio(c.muted, background) >= 4.5
        # borders of fields, buttons, cards and tick boxes; the "not done" circle
        assert ratio(c.control, background) >= 3.0, (name, c.control, background)
    assert ratio(c.control, c.subtle) >= 3.0
    # the selected rail item: its mark against the rail, its label on the mark
    assert ratio(c.accent, c.surface) >= 3.0
    assert ratio(c.accent_text, c.accent) >= 4.5


def _applied(name: str) -> theme.Colors:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return theme.apply(app, name, 11)


@pytest.fixture
def restore_theme() -> object:
    yield None
    _applied("light")


@pytest.mark.parametrize("kind", [QCheckBox, QRadioButton])
@pytest.mark.parametrize("name", theme.THEMES)
def test_an_unticked_box_is_visible(qtbot: QtBot, restore_theme: object, name: str,
                                    kind: type) -> None:
    c = _applied(name)
    box = kind("Remember me")
    qtbot.addWidget(box)
    box.resize(box.sizeHint())
    box.show()
    image = box.grab().toImage()
    option = QStyleOptionButton()
    box.initStyleOption(option)
    element = QStyle.SubElement.SE_CheckBoxIndicator if kind is QCheckBox \
        else QStyle.SubElement.SE_RadioButtonIndicator
    indicator = box.style().subElementRect(element, option, box)
    assert not indicator.isEmpty()
    assert strongest(image, indicator, c.base) >= 3.0


@pytest.mark.parametrize("name", ["dark", "light"])
def test_the_not_done_circle_and_the_selected_rail_item(
    qtbot: QtBot, filled: Library, open_window: OpenWindow, restore_theme: object, name: str
) -> None:
    ctx: AppContext
    ctx, window = open_window()
    if ctx.values["theme"] != name:
        with qtbot.waitSignal(ctx.theme_changed, timeout=5_000):
            ctx.set_setting("theme", name)
    c = theme.current()
    page = wait_loaded(qtbot, window, "pack", pack_id=PACK_ID)
    tree = page.tree
    section = tree.model().index(0, 0)
    row = tree.model().index(0, 0, section)
    option = QStyleOptionViewItem()
    option.initFrom(tree)
    option.rect = QRect(0, 0, 600, tree.itemDelegate().sizeHint(option, row).height())
    option.font = tree.font()
    image = QImage(QSize(600, option.rect.height()), QImage.Format.Format_RGB32)
    image.fill(QColor(c.base))
    painter = QPainter(image)
    tree.itemDelegate().paint(painter, option, row)
    painter.end()
    end = QRect(600 - 34, 0, 30, option.rect.height())
    assert strongest(image, end, c.base) >= 3.0

    rail = window.rail_buttons["library"]
    window.navigate("library", {})
    assert rail.isChecked()
    shot = window.rail.grab().toImage()
    inside = rail.geometry().adjusted(6, 6, -6, -6)
    # the selected item's own background differs from the rail's by at least 3:1
    background = shot.pixelColor(inside.left() + 2, inside.top() + 2)
    assert ratio(background, c.surface) >= 3.0

"""The player's seek bar: a click jumps to where it was clicked, in both directions."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.player.qt_controls import PlayerControls


@pytest.mark.parametrize("direction", [Qt.LayoutDirection.LeftToRight,
                                       Qt.LayoutDirection.RightToLeft])
def test_click_on_the_seek_bar_jumps_there(qtbot: QtBot,
                                           direction: Qt.LayoutDirection) -> None:
    controls = PlayerControls()
    qtbot.addWidget(controls)
    controls.setLayoutDirection(direction)
    controls.resize(600, 80)
    controls.show()
    qtbot.waitExposed(controls)
    controls.show_time(0.0, 600.0)
    bar = controls.seek_bar
    seeks: list[float] = []
    controls.seek_requested.connect(seeks.append)
    x = int(bar.width() * 0.8)
    QTest.mouseClick(bar, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(x, bar.height() // 2))
    qtbot.waitUntil(lambda: bool(seeks))
    # Media time runs with the reading direction: 80% across is 80% or 20% in.
    expected = 480.0 if direction == Qt.LayoutDirection.LeftToRight else 120.0
    assert seeks[-1] == pytest.approx(expected, abs=20.0)
    assert bar.value() / 10 == pytest.approx(expected, abs=20.0)

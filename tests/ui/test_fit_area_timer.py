"""A FitArea fits its content again once the event that asked for it has been handled (a
zero-time timer); an area deleted before that timer fires is left alone, not called."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from app.ui.widgets import FitArea


def test_an_area_deleted_before_its_fit_timer_fires_is_not_called(qtbot: QtBot) -> None:
    area = FitArea()
    text = QLabel("A text that wraps " * 20)
    text.setWordWrap(True)
    area.setWidget(text)
    area.show()  # the content's Show event asks for a fit now and once more soon
    area.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    # the timer's turn: pytest-qt fails the test if the call reached the deleted area
    QApplication.processEvents()
    QApplication.processEvents()

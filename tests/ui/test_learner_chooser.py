"""The "who is learning?" chooser preselects the learner chosen last on this device."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.library import Library
from tests.ui.conftest import OpenWindow

WAIT = 30_000


def test_the_chooser_preselects_the_learner_chosen_last(
        qtbot: QtBot, filled: Library, open_window: OpenWindow) -> None:
    filled.add_profile("amina")
    filled.add_profile("baraka")
    ctx, window = open_window()
    page = window.current
    assert page is not None and page.name == "profiles"
    assert page.profile_buttons["default"].property("role") == "primary"  # type: ignore
    with qtbot.waitSignal(ctx.profile_changed, timeout=WAIT):
        qtbot.mouseClick(page.profile_buttons["baraka"],  # type: ignore[attr-defined]
                         Qt.MouseButton.LeftButton)
    window.close()
    ctx.runner.wait()
    filled.settings.reload()
    assert filled.settings.get("last_learner") == "baraka"

    again, second = open_window()
    chooser = second.current
    assert chooser is not None and chooser.name == "profiles"
    buttons = chooser.profile_buttons  # type: ignore[attr-defined]
    assert [name for name, widget in buttons.items()
            if widget.property("role") == "primary"] == ["baraka"]
    with qtbot.waitSignal(again.profile_changed, timeout=WAIT):
        qtbot.mouseClick(buttons["baraka"], Qt.MouseButton.LeftButton)
    assert again.profile == "baraka"

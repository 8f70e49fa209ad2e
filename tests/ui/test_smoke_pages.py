"""Every page opens on a real library without errors."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.library import Library
from tests.ui.conftest import PACK_ID, OpenWindow, wait_loaded


def test_every_page_and_kind_opens(qtbot: QtBot, filled: Library, open_window: OpenWindow
                                   ) -> None:
    _ctx, window = open_window()
    for name in ("home", "library", "notes", "downloads", "settings", "search"):
        wait_loaded(qtbot, window, name)
    wait_loaded(qtbot, window, "pack", pack_id=PACK_ID)
    for local in ("article", "second", "guide", "photo", "check", "tour", "podcast", "web"):
        page = wait_loaded(qtbot, window, "resource", resource_id=f"{PACK_ID}/{local}")
        assert page.resource["id"] == f"{PACK_ID}/{local}"

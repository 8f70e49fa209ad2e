"""What the window loads for its first page: the "continue" cards Home shows, and no more
(each one builds a pack's whole outline)."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app import learning
from app.library import Library
from app.packs.importer import import_pack
from app.ui.context import CONTINUE_CARDS
from tests.packs import make_pack
from tests.ui.conftest import OpenWindow


def test_home_loads_only_the_continue_cards_it_shows(
        qtbot: QtBot, filled: Library, open_window: OpenWindow, tmp_path: Path) -> None:
    packs = [f"org.test.p{number}" for number in range(CONTINUE_CARDS + 2)]
    for pack_id in packs:
        make_pack(tmp_path / f"{pack_id}.ujpack", pack_id=pack_id)
        import_pack(filled, tmp_path / f"{pack_id}.ujpack")
        learning.mark_opened(filled, f"{pack_id}/intro")
    ctx, window = open_window()
    shown = [item["pack_id"] for item in ctx.continue_items]
    assert shown == packs[::-1][:CONTINUE_CARDS]  # the latest opened first
    home = window.pages["home"]
    assert home.continue_layout.count() == CONTINUE_CARDS  # type: ignore[attr-defined]


def test_the_window_knows_the_default_profile_by_the_library_s_name() -> None:
    from app.library import DEFAULT_PROFILE
    from app.ui import context

    assert context.DEFAULT_PROFILE == DEFAULT_PROFILE

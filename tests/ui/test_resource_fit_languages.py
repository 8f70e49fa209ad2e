"""One language choice for everything the resource page shows, the pack page's (the
interface language first, then the content languages): the translation Previous and Next
go to, and the subtitles the player and the transcript show, unless the learner chose
subtitles before (that choice wins for subtitles)."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from app.library import Library
from app.player.base import State
from tests.ui import test_resource_fit as fit
from tests.ui.conftest import PACK_ID, OpenWindow, wait_loaded
from tests.ui.test_resource_fit import VIDEO

# the media pack's fixtures
media = fit.media
media_library = fit.media_library

TIMEOUT = 15_000


def _swahili(qtbot: QtBot, ctx: Any) -> None:
    assert ctx.values["content_languages"] == ["en"]  # content preferences say English
    with qtbot.waitSignal(ctx.language_changed, timeout=5_000):
        ctx.set_setting("ui_language", "sw")


def test_previous_and_next_go_to_the_translation_the_pack_page_shows(
        qtbot: QtBot, filled: Library, open_window: OpenWindow) -> None:
    ctx, window = open_window()
    page = wait_loaded(qtbot, window, "resource", resource_id=f"{PACK_ID}/second")
    assert "Citing sources" in page.previous.toolTip()
    # switched on the page: Previous goes to the Swahili version at once
    _swahili(qtbot, ctx)
    qtbot.waitUntil(lambda: "Kutaja vyanzo" in page.previous.toolTip(), timeout=TIMEOUT)
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT):
        page.previous.click()
    assert page.resource_id == f"{PACK_ID}/article-sw"


def _transcript(qtbot: QtBot, window: Any) -> tuple[Any, Any]:
    page = wait_loaded(qtbot, window, "resource", resource_id=VIDEO)
    player = page.viewer.player
    qtbot.waitUntil(lambda: player.player is not None
                    and player.player.state() == State.PLAYING, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: page.transcript.count() > 0, timeout=TIMEOUT)
    return page, player


def test_subtitles_and_transcript_follow_the_interface_language(
        qtbot: QtBot, media_library: Library, open_window: OpenWindow) -> None:
    ctx, window = open_window()
    _swahili(qtbot, ctx)
    page, player = _transcript(qtbot, window)
    shown = player.player.subtitle()
    assert next(c.lang for c in player.plan.subtitles if c.key == shown) == "sw"
    assert "Habari, karibu" in page.transcript.item(0).text()


def test_a_remembered_subtitle_language_wins_for_subtitles(
        qtbot: QtBot, media_library: Library, open_window: OpenWindow) -> None:
    media_library.settings.set("subtitle_language", "en")
    ctx, window = open_window()
    _swahili(qtbot, ctx)
    page, player = _transcript(qtbot, window)
    shown = player.player.subtitle()
    assert next(c.lang for c in player.plan.subtitles if c.key == shown) == "en"
    assert "Hello, and welcome" in page.transcript.item(0).text()
    assert page.title.text() == "Somo"  # the title still follows the interface

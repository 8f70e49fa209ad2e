"""The player on the resource page, with real playback (libvlc, headless offscreen): the
page's notes and note time follow the language and the resource, the transcript follows the
subtitles shown, speed and subtitle language are remembered, a search hit in subtitles opens
them in the hit's language, and a new video never shows the previous one's picture."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import shiboken6
from pytestqt.qtbot import QtBot

from app.library import Library
from app.packs.importer import import_pack
from app.player.base import State
from tests.media import SUBTITLES, generate, make_media_pack
from tests.ui.conftest import PACK_ID, OpenWindow, make_kinds_pack, mark_seeded

LESSON = "org.test.player/lesson"
TIMEOUT = 15_000


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return generate(tmp_path_factory.mktemp("media"))


@pytest.fixture
def player_library(library: Library, tmp_path: Path, media: dict[str, Path],
                   monkeypatch: pytest.MonkeyPatch) -> Library:
    """A library with the media pack (a real video, English and Swahili subtitles) and the
    every-kind pack; played by libvlc."""
    monkeypatch.setenv("UJUZI_PLAYER", "vlc")
    make_media_pack(tmp_path / "p.ujpack", media["red.webm"].read_bytes(),
                    subtitles=SUBTITLES)
    import_pack(library, tmp_path / "p.ujpack")
    make_kinds_pack(tmp_path / "kinds.ujpack")
    import_pack(library, tmp_path / "kinds.ujpack")
    mark_seeded(library)
    return library


def _playing(qtbot: QtBot, window: Any) -> Any:
    page = window.page("resource")
    player = page.viewer.player
    qtbot.waitUntil(lambda: player.player is not None
                    and player.player.state() == State.PLAYING, timeout=TIMEOUT)
    return page, player


def _open(qtbot: QtBot, window: Any, resource_id: str, **args: Any) -> Any:
    page = window.pages["resource"]
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT):
        window.navigate("resource", {"resource_id": resource_id, **args})
    return page


def test_note_time_and_notes_follow_language_and_resource(
        qtbot: QtBot, player_library: Library, open_window: OpenWindow) -> None:
    ctx, window = open_window(open_id=LESSON)
    page, player = _playing(qtbot, window)
    player.seek(44 / 10)  # within the 8 s video
    qtbot.waitUntil(lambda: "0:04" in page.notes_panel.add.text(), timeout=TIMEOUT)
    # Switching to Arabic retranslates the notes beside the open video.
    ctx.set_setting("ui_language", "ar")
    notes = page.notes_panel
    assert notes.delete.text() != "Delete note"
    assert notes.editor.placeholderText() != "Write a note… (Ctrl+Enter to save)"
    assert "0:04" in notes.add.text() and "Add note" not in notes.add.text()
    # An article of another pack has no media time: the button says so at once.
    _open(qtbot, window, f"{PACK_ID}/article")
    assert "0:0" not in notes.add.text()
    ctx.set_setting("ui_language", "en")
    assert notes.add.text() == "Add note"


def _sw_key(player: Any) -> str:
    return next(c.key for c in player.plan.subtitles if c.lang == "sw")


def test_transcript_follows_the_subtitles_and_choices_are_remembered(
        qtbot: QtBot, player_library: Library, open_window: OpenWindow) -> None:
    _ctx, window = open_window(open_id=LESSON)
    page, player = _playing(qtbot, window)
    assert page.transcript.item(0).text().endswith("Hello, and welcome")
    # Swahili subtitles: the page's transcript reads Swahili.
    player.set_subtitle(_sw_key(player))
    assert page.transcript.count() == 4
    assert page.transcript.item(0).text().endswith("Habari, karibu")
    player.set_rate(1.5)
    qtbot.waitUntil(lambda: _setting(player_library,
        "playback_rate") == 1.5, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: _setting(player_library,
        "subtitle_language") == "sw", timeout=TIMEOUT)
    # The next video (here: the same, opened again) starts with both.
    _open(qtbot, window, f"{PACK_ID}/article")
    page = _open(qtbot, window, LESSON)
    page, player = _playing(qtbot, window)
    assert player.player.rate() == 1.5 and player.speed_button.text().startswith("1.5")
    assert player.player.subtitle() == _sw_key(player)
    assert page.transcript.item(0).text().endswith("Habari, karibu")


def test_a_search_hit_in_swahili_subtitles_opens_them(
        qtbot: QtBot, player_library: Library, open_window: OpenWindow) -> None:
    _ctx, window = open_window()
    search = _open_search(qtbot, window, "mstari wa tatu")
    hit = next(i for i, h in enumerate(search.model.hits)
               if h["resource_id"] == LESSON and h["field"] == "subtitles")
    page = window.page("resource")
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT):
        search._open(search.model.index(hit, 0))
    page, player = _playing(qtbot, window)
    assert player.player.subtitle() == _sw_key(player)
    assert player.plan.source.start_at == 4.0  # at the words' time
    assert "Sasa mstari wa tatu" in page.transcript.item(2).text()
    # Only the learner's own choice is remembered, not a search hit's.
    assert _setting(player_library, "subtitle_language") == ""


def _open_search(qtbot: QtBot, window: Any, query: str) -> Any:
    search = window.page("search")
    with qtbot.waitSignal(search.loaded, timeout=TIMEOUT):
        window.navigate("search", {"query": query})
    return search


def _setting(library: Library, name: str) -> Any:
    library.settings.reload()
    return library.settings.get(name)


def test_a_new_video_never_shows_the_previous_picture(
        qtbot: QtBot, player_library: Library, open_window: OpenWindow,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The Qt backend paints its frames itself (offscreen too), so the picture can be read.
    monkeypatch.setenv("UJUZI_PLAYER", "qt")
    _ctx, window = open_window(open_id=LESSON)
    page, player = _playing(qtbot, window)
    surface = player.surface
    qtbot.waitUntil(lambda: not surface.image.isNull(), timeout=TIMEOUT)
    assert surface.image.pixelColor(10, 10).red() > 200  # the red video
    player.open_resource(f"{PACK_ID}/tour")
    assert surface.image.isNull()
    # On the page, the viewer of the video before is hidden as soon as the next one shows.
    old = page.viewer
    hidden: list[bool] = []
    page.viewer_holder.currentChanged.connect(
        lambda _i: hidden.append(old.isHidden()) if shiboken6.isValid(old) else None)
    _open(qtbot, window, f"{PACK_ID}/tour")
    assert hidden and all(hidden)


@pytest.fixture(scope="module")
def red_then_blue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """8 s of video: red for 4 s, then blue."""
    from tests.media import ffmpeg

    out = tmp_path_factory.mktemp("twocolour") / "red-blue.webm"
    ffmpeg("-f", "lavfi", "-i", "color=c=red:s=320x180:r=25:d=4",
           "-f", "lavfi", "-i", "color=c=blue:s=320x180:r=25:d=4",
           "-filter_complex", "[0:v][1:v]concat=n=2:v=1[v]", "-map", "[v]",
           "-c:v", "libvpx-vp9", "-b:v", "100k", "-deadline", "realtime", "-g", "25",
           str(out))
    return out


def test_seeking_while_paused_shows_the_new_picture(
        qtbot: QtBot, library: Library, tmp_path: Path, red_then_blue: Path,
        open_window: OpenWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UJUZI_PLAYER", "qt")
    make_media_pack(tmp_path / "rb.ujpack", red_then_blue.read_bytes())
    import_pack(library, tmp_path / "rb.ujpack")
    mark_seeded(library)
    _ctx, window = open_window(open_id=LESSON)
    _page, player = _playing(qtbot, window)
    surface = player.surface

    def colour() -> tuple[int, int, int]:
        if surface.image.isNull():
            return (0, 0, 0)
        pixel = surface.image.pixelColor(5, 5)
        return pixel.red(), pixel.green(), pixel.blue()

    qtbot.waitUntil(lambda: colour()[0] > 200, timeout=TIMEOUT)
    player.toggle_play()
    qtbot.waitUntil(lambda: player.player.state() == State.PAUSED, timeout=TIMEOUT)
    player.seek(6.0)
    qtbot.waitUntil(lambda: colour()[2] > 200 and colour()[0] < 80, timeout=TIMEOUT)
    assert player.player.state() == State.PAUSED
    player.seek(1.0)
    qtbot.waitUntil(lambda: colour()[0] > 200 and colour()[2] < 80, timeout=TIMEOUT)

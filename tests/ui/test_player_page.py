"""The player on the resource page, with real playback (libvlc, headless offscreen): the
page's notes and note time follow the language and the resource, the transcript follows the
subtitles shown, speed and subtitle language are remembered, a search hit in subtitles opens
them in the hit's language, and a new video never shows the previous one's picture."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
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
    page = window.pages["resource"]
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

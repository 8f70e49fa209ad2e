"""The player inside the app window's resource page (offscreen, both backends): it plays,
the page's transcript follows and seeks, notes take the media time, full screen leaves only
the video and its controls, the end marks the resource complete, leaving stops playback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.library import Library
from app.packs.importer import import_pack
from app.player.base import State
from app.starter import SEEDED_KEY
from app.ui.app import create_window
from app.ui.window import MainWindow
from tests.integration.player.conftest import TIMEOUT_MS
from tests.media import SUBTITLES, make_media_pack

LESSON = "org.test.player/lesson"


@pytest.fixture
def window(qtbot: QtBot, library: Library, home: Path, media: dict[str, Path],
           tmp_path: Path, backend: str, monkeypatch: pytest.MonkeyPatch
           ) -> Iterator[MainWindow]:
    monkeypatch.setenv("UJUZI_PLAYER", backend)
    make_media_pack(tmp_path / "p.ujpack", media["red.webm"].read_bytes(),
                    subtitles=SUBTITLES)
    import_pack(library, tmp_path / "p.ujpack")
    library.db.execute("INSERT INTO meta(key, value) VALUES (?, '1')", (SEEDED_KEY,))
    ctx, main = create_window(str(home), None, LESSON)
    qtbot.addWidget(main)
    with qtbot.waitSignal(main.ready, timeout=TIMEOUT_MS):
        main.show()
        main.start()
    yield main
    main.close()
    ctx.runner.wait()


def test_playing_inside_the_resource_page(window: MainWindow, library: Library,
                                          qtbot: QtBot, backend: str) -> None:
    page = window.current
    assert page is not None and page.name == "resource"
    viewer = page.viewer  # type: ignore[attr-defined]
    player = viewer.player
    assert player is not None and player.backend_name == backend
    assert player.player.state() == State.PLAYING and not player.message

    # The page's transcript (the learner's language, English) follows the media.
    transcript = page.transcript  # type: ignore[attr-defined]
    assert transcript.count() == 4
    qtbot.waitUntil(lambda: any(transcript.item(i).font().bold() for i in range(4)),
                    timeout=TIMEOUT_MS)
    transcript.itemClicked.emit(transcript.item(2))  # 0:04
    qtbot.waitUntil(lambda: 4.0 <= viewer.media_time() < 6.0, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: transcript.item(2).font().bold(), timeout=TIMEOUT_MS)

    # A note takes the media time.
    notes = page.notes_panel  # type: ignore[attr-defined]
    player.toggle_play()
    qtbot.waitUntil(lambda: player.player.state() == State.PAUSED, timeout=TIMEOUT_MS)
    notes.editor.setPlainText("The third line matters")
    notes._add()
    qtbot.waitUntil(lambda: len(library.notes(resource_id=LESSON)) == 1, timeout=TIMEOUT_MS)
    assert 4.0 <= library.notes(resource_id=LESSON)[0]["at_seconds"] < 6.5

    # Full screen: only the video and its controls stay.
    player.set_fullscreen(True)
    assert not window.rail.isVisible() and not page.side.isVisible()  # type: ignore
    assert player.stage.isVisible() and player.seek_bar.isVisible()
    player.set_fullscreen(False)
    assert window.rail.isVisible() and page.side.isVisible()  # type: ignore[attr-defined]

    # Watching to the end marks the resource complete, through the page.
    player.toggle_play()
    player.seek(7.5)
    qtbot.waitUntil(lambda: library.progress(LESSON)["completed"], timeout=TIMEOUT_MS)

    # Leaving the page stops playback and keeps the position.
    player.seek(3.0)
    qtbot.waitUntil(lambda: player.player.state() in (State.PLAYING, State.PAUSED),
                    timeout=TIMEOUT_MS)
    with qtbot.waitSignal(window.page("library").loaded, timeout=TIMEOUT_MS):
        window.navigate("library", {})
    assert player.player.state() == State.IDLE
    qtbot.waitUntil(lambda: 2.0 <= library.progress(LESSON)["position"] <= 4.5,
                    timeout=TIMEOUT_MS)


def test_settings_name_the_media_player(window: MainWindow, qtbot: QtBot,
                                        backend: str) -> None:
    page = window.page("settings")
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        window.navigate("settings", {})
    expected = "VLC 3." if backend == "vlc" else "Qt Multimedia 6."
    qtbot.waitUntil(lambda: expected in page.player_info.text(),  # type: ignore[attr-defined]
                    timeout=TIMEOUT_MS)
    assert page.player_info.text().startswith(  # type: ignore[attr-defined]
        "Videos and audio play with: ")

"""Real playback: generated media, both backends, and a recorder of what a player reports.

Every test that takes ``backend`` runs twice, on libvlc and on the Qt Multimedia fallback.
libvlc plays headless (dummy video and audio outputs); Qt Multimedia needs no sound card.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.player.base import MediaSource, Player, PlayerEvents, State, SubtitleFile
from tests.media import generate

TIMEOUT_MS = 15_000


class Recorder(PlayerEvents):
    """Everything a player reported; safe to fill from libvlc's thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.states: list[State] = []
        self.positions: list[float] = []
        self.errors: list[str] = []
        self.shown = 0
        self.tracks = 0

    def state_changed(self, state: State) -> None:
        with self.lock:
            self.states.append(state)

    def position_changed(self, position: float, duration: float) -> None:
        with self.lock:
            self.positions.append(position)

    def tracks_changed(self) -> None:
        with self.lock:
            self.tracks += 1

    def video_shown(self) -> None:
        with self.lock:
            self.shown += 1

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)

    def saw(self, state: State) -> bool:
        with self.lock:
            return state in self.states


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return generate(tmp_path_factory.mktemp("media"))


@pytest.fixture(params=["vlc", "qt"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


MakePlayer = Callable[[], tuple[Player, Recorder]]


@pytest.fixture
def make_player(backend: str, qtbot: QtBot) -> Iterator[MakePlayer]:
    made: list[Player] = []

    def maker() -> tuple[Player, Recorder]:
        recorder = Recorder()
        player: Player
        if backend == "vlc":
            from app.player.vlc_backend import VlcPlayer

            player = VlcPlayer(recorder, headless=True)
        elif backend == "vlc-remote":
            from app.player.vlc_remote import RemoteVlcPlayer

            player = RemoteVlcPlayer(recorder, headless=True)
        else:
            from app.player.qt_multimedia import QtPlayer

            player = QtPlayer(recorder)
        made.append(player)
        return player, recorder

    yield maker
    for player in made:
        player.release()


def source(path: Path, subtitles: list[tuple[Path, str]] | None = None, start_at: float = 0.0,
           subtitle: str | None = None) -> MediaSource:
    return MediaSource(
        path=path,
        subtitles=tuple(SubtitleFile(p, lang, lang) for p, lang in (subtitles or [])),
        start_at=start_at,
        subtitle=subtitle,
    )


def wait_playing(qtbot: QtBot, player: Player, recorder: Recorder) -> None:
    def playing() -> None:
        assert not recorder.errors, recorder.errors
        assert player.state() == State.PLAYING
        assert player.position() > 0.05

    qtbot.waitUntil(playing, timeout=TIMEOUT_MS)

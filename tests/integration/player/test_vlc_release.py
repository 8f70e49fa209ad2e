"""Releasing a libvlc player frees it only once none of its threads can call libvlc any
more: each thread it started (after playback starts, to draw a seek while paused) is woken
and has ended when ``release`` returns. Real libvlc, headless."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.player.base import State
from tests.integration.player.conftest import TIMEOUT_MS, Recorder, source, wait_playing

vlc_backend = pytest.importorskip("app.player.vlc_backend")
if not vlc_backend.vlc_available():
    pytest.skip("libvlc is not installed", allow_module_level=True)


class NoTimeReports(vlc_backend.VlcPlayer):  # type: ignore[name-defined,misc]
    """Hears none of libvlc's time reports: a seek while paused waits for its frame as long
    as it may (the moment a test or a page lets the player go while it waits)."""

    def _on_time(self, event: Any) -> None:
        pass


def _threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith("vlc-")]


def test_release_waits_for_a_seek_while_paused(media: dict[str, Path], qtbot: QtBot) -> None:
    recorder = Recorder()
    player = NoTimeReports(recorder, headless=True)
    try:
        player.load(source(media["red.webm"]))
        wait_playing(qtbot, player, recorder)
        player.pause()
        qtbot.waitUntil(lambda: player.state() == State.PAUSED, timeout=TIMEOUT_MS)
        qtbot.waitUntil(lambda: not _threads(), timeout=TIMEOUT_MS)  # started: attached
        player.seek(2.0)
        assert [thread.name for thread in _threads()] == ["vlc-paused-seek"]
    finally:
        player.release()
    assert _threads() == []


"""The window's libvlc runs in a player host process (app/player/vlc_remote.py): what a user
would meet when that process goes wrong, and how the bundle starts it. Real libvlc, real
child processes, headless. The behaviours shared with the other backends are in
test_backends.py, which runs on this player too."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.paths import SOURCE_ROOT
from app.player.base import State
from app.player.vlc_backend import vlc_available
from app.player.vlc_host import source_to_json
from app.player.vlc_remote import (
    HOST_FLAG,
    RemoteVlcPlayer,
    crashed_message,
    host_command,
)
from tests.conftest import requires
from tests.integration.player.conftest import TIMEOUT_MS, Recorder, source, wait_playing

# skipped without libvlc on a developer's machine; in CI (strict) a missing libvlc fails
pytestmark = requires(vlc_available(), "libvlc is not installed")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is gone for our purpose: it no longer runs
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "\nState:\tZ" in status.read_text())


def test_a_host_that_dies_is_reported_and_play_starts_a_new_one(
        media: dict[str, Path], qtbot: QtBot) -> None:
    recorder = Recorder()
    player = RemoteVlcPlayer(recorder, headless=True)
    try:
        player.load(source(media["red.webm"]))
        wait_playing(qtbot, player, recorder)
        first = player.host_pid()
        assert first is not None
        os.kill(first, signal.SIGKILL)  # libvlc crashing on a file looks like this
        qtbot.waitUntil(lambda: player.state() == State.ERROR, timeout=TIMEOUT_MS)
        assert recorder.errors == [crashed_message()]
        assert player.host_pid() is None

        recorder.errors.clear()
        player.play()
        wait_playing(qtbot, player, recorder)
        second = player.host_pid()
        assert second is not None and second != first
    finally:
        player.release()


def test_release_ends_the_host_and_its_reader(media: dict[str, Path], qtbot: QtBot) -> None:
    recorder = Recorder()
    player = RemoteVlcPlayer(recorder, headless=True)
    player.load(source(media["tone.ogg"]))
    wait_playing(qtbot, player, recorder)
    pid = player.host_pid()
    assert pid is not None and _alive(pid)
    player.release()
    assert not _alive(pid)
    assert recorder.errors == []  # an asked-for end is no crash
    player.play()  # a released player stays quiet
    assert player.host_pid() is None


def test_the_bundle_entry_starts_the_host(media: dict[str, Path]) -> None:
    """The bundle runs its one executable with --player-host; the entry script routes it."""
    commands = "\n".join(json.dumps(command) for command in (
        {"op": "load", "source": source_to_json(source(media["tone.ogg"])), "autoplay": True,
         "gen": 1},
        {"op": "query", "id": 1, "what": "position"},
        {"op": "release"},
    )) + "\n"
    done = subprocess.run(
        [sys.executable, str(SOURCE_ROOT / "packaging" / "ujuzi_entry.py"), HOST_FLAG,
         "--headless"], input=commands, capture_output=True, text=True, timeout=60,
        cwd=SOURCE_ROOT, check=True)
    reports = [json.loads(line) for line in done.stdout.splitlines()]
    assert reports[0]["ev"] == "ready"
    assert any(report.get("reply") == 1 for report in reports)
    assert any(report.get("ev") == "status" and report["gen"] == 1 for report in reports)


def test_a_frozen_bundle_runs_itself_as_the_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert host_command(headless=False) == [sys.executable, HOST_FLAG]
    monkeypatch.delattr(sys, "frozen")
    assert host_command(headless=True) == [sys.executable, "-m", "app.player.vlc_host",
                                           "--headless"]


def test_the_host_runs_this_copy_of_the_app_from_any_folder(
        media: dict[str, Path], qtbot: QtBot, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A window started from another folder (not the checkout, no PYTHONPATH) still gets a
    working host: the host is told where this copy of the app is."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PYTHONPATH", raising=False)
    recorder = Recorder()
    player = RemoteVlcPlayer(recorder, headless=True)
    try:
        player.load(source(media["tone.ogg"]))
        wait_playing(qtbot, player, recorder)
    finally:
        player.release()

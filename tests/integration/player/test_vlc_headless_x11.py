"""A headless libvlc player (tests, an offscreen window) leaves X11 alone even with a DISPLAY
set: its decoders do not try hardware decoding through Xlib (VDPAU, VA-API) from their own
threads, which, with no XInitThreads in the process, corrupted the heap (the window tests
aborted later, in an unrelated allocation). Checked in a child process on a private Xvfb:
libvdpau says on stderr when it is tried."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.skipif(shutil.which("xvfb-run") is None,
                                reason="needs Xvfb (xvfb-run) for an X display")

CHILD = """
import sys, threading
from pathlib import Path
from app.player.base import MediaSource, PlayerEvents, State
from app.player.vlc_backend import VlcPlayer, vlc_available

if not vlc_available():
    print("no libvlc"); sys.exit(0)
played = threading.Event()

class Events(PlayerEvents):
    def position_changed(self, position, duration):
        if position > 0.5:
            played.set()

for _round in range(2):
    player = VlcPlayer(Events(), headless=True)
    player.load(MediaSource(path=Path(sys.argv[1]), subtitles=(), start_at=0.0,
                            subtitle=None))
    assert played.wait(60), "never played"
    played.clear()
    player.release()
print("played")
"""


def test_a_headless_player_never_decodes_through_x11(media: dict[str, Path]) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        ["xvfb-run", "-a", sys.executable, "-c", CHILD, str(media["red.webm"])],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=180)
    if "no libvlc" in done.stdout:
        pytest.skip("libvlc is not installed")
    assert done.returncode == 0 and "played" in done.stdout, done.stderr[-2000:]
    assert "VDPAU" not in done.stderr and "libva" not in done.stderr, done.stderr[-2000:]

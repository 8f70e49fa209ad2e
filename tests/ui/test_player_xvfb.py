"""On a real X server (a private Xvfb), libvlc drawing into the window: a seek while paused
shows the picture at the new time (libvlc alone keeps the old one until play)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.library import Library
from app.packs.importer import import_pack
from tests.media import ffmpeg, make_media_pack
from tests.ui.conftest import mark_seeded

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("xvfb-run") is None,
                                reason="needs Xvfb (xvfb-run) for a real X server")


def test_seek_while_paused_draws_the_new_picture(library: Library, home: Path,
                                                 tmp_path: Path) -> None:
    pytest.importorskip("vlc")
    video = tmp_path / "red-blue.webm"  # red for 4 s, then blue for 4 s
    ffmpeg("-f", "lavfi", "-i", "color=c=red:s=320x180:r=25:d=4",
           "-f", "lavfi", "-i", "color=c=blue:s=320x180:r=25:d=4",
           "-filter_complex", "[0:v][1:v]concat=n=2:v=1[v]", "-map", "[v]",
           "-c:v", "libvpx-vp9", "-b:v", "100k", "-deadline", "realtime", "-g", "25",
           str(video))
    make_media_pack(tmp_path / "rb.ujpack", video.read_bytes())
    import_pack(library, tmp_path / "rb.ujpack")
    mark_seeded(library)
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "UJUZI_HOME": str(home)}
    done = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", sys.executable,
         str(REPO / "tests" / "ui" / "player_seek_child.py")],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert done.returncode == 0 and lines, (done.stdout[-1000:], done.stderr[-2000:])
    red, _green, blue = lines[-1]["after_seek"]
    assert lines[-1]["state"] == "paused"
    assert blue > 200 and red < 80, f"the picture stayed {lines[-1]['after_seek']}"

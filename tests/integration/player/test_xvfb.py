"""The real thing on a real X server: ``ujuzi gui --open VIDEO --screenshot FILE`` under
Xvfb shows the playing video's frame, with its subtitles, inside the window, on both
backends (libvlc draws into a native X window; the fallback paints frames itself)."""

from __future__ import annotations

import os
import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from app.library import Library
from app.packs.importer import import_pack
from app.starter import SEEDED_KEY
from tests.media import SUBTITLES, make_media_pack

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    """A private Xvfb on a free display number (Xvfb picks it and tells us through a pipe)."""
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x800x24",
         "-nolisten", "tcp"],
        pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        ready, _, _ = select.select([read_end], [], [], 20)
        if not ready:
            pytest.fail("Xvfb did not start within 20 s")
        number = os.read(read_end, 64).decode().strip()
        if not number:
            pytest.fail("Xvfb exited without a display")
        yield f":{number}"
    finally:
        os.close(read_end)
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture
def video_home(home: Path, media: dict[str, Path], tmp_path: Path) -> Path:
    make_media_pack(tmp_path / "p.ujpack", media["red.webm"].read_bytes(),
                    subtitles=SUBTITLES)
    with Library(home) as library:
        import_pack(library, tmp_path / "p.ujpack")
        library.db.execute("INSERT INTO meta(key, value) VALUES (?, '1')", (SEEDED_KEY,))
    return home


def _is_red(pixel: int) -> bool:
    red, green, blue = (pixel >> 16) & 0xFF, (pixel >> 8) & 0xFF, pixel & 0xFF
    return red > 200 and green < 60 and blue < 60


def _is_white(pixel: int) -> bool:
    return all(((pixel >> shift) & 0xFF) > 215 for shift in (16, 8, 0))


@pytest.mark.parametrize("backend", ["vlc", "qt"])
def test_screenshot_shows_the_playing_video_with_subtitles(
    display: str, video_home: Path, tmp_path: Path, backend: str
) -> None:
    out = tmp_path / "player.png"
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb",
           "UJUZI_PLAYER": backend, "UJUZI_HOME": str(video_home)}
    done = subprocess.run(
        [sys.executable, "-m", "app", "gui", "--open", "org.test.player/lesson",
         "--screenshot", str(out)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    image = QImage(str(out))
    assert not image.isNull() and image.width() >= 1024
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    red = [(x, y) for y in range(0, image.height(), 2) for x in range(0, image.width(), 2)
           if _is_red(image.pixel(x, y))]
    # The 16:9 video fills most of the player: tens of thousands of sampled red pixels.
    assert len(red) > 30_000, f"only {len(red)} red pixels: the video frame is not visible"
    left, right = min(x for x, _ in red), max(x for x, _ in red)
    top, bottom = min(y for _, y in red), max(y for _, y in red)
    assert right - left > 500 and bottom - top > 280
    # The English subtitle is drawn over the lower part of the frame: white text.
    white = sum(1 for y in range(top + (bottom - top) // 2, bottom)
                for x in range(left, right) if _is_white(image.pixel(x, y)))
    assert white > 300, f"only {white} white pixels: no subtitle on the video"

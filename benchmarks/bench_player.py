"""Open-to-first-frame time of a local 720p H.264 file, against ffmpeg decoding its first frame.

The file is generated (30 s of 1280x720 H.264 at 2 Mbit/s with AAC sound, like a lecture
video). "Open" is the player's ``load()`` call; "first frame" is the backend's report that a
picture is ready to show (libvlc's video output starting, Qt's first decoded frame). Both
backends play headless, as in the tests. The baseline is the ``ffmpeg`` command line opening
the same file and decoding its first frame, process start included (the start alone is
printed too, and the ratio without it). Each is measured
several times and the median counts; libvlc's one-off start (loading its plugins) is
printed apart. Target: libvlc shows the first frame in under 300 ms, and within 3x of the
baseline.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from app.player.base import MediaSource, PlayerEvents

RUNS = 7
TARGET_SECONDS = 0.300
TARGET_RATIO = 3.0


def _generate(path: Path) -> None:
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=1280x720:r=25:d=30",
         "-f", "lavfi", "-i", "sine=frequency=300:duration=30", "-c:v", "libx264",
         "-preset", "veryfast", "-b:v", "2M", "-pix_fmt", "yuv420p", "-c:a", "aac",
         "-shortest", str(path)],
        check=True, timeout=300,
    )


def _process_start() -> float:
    start = time.perf_counter()
    subprocess.run(["ffmpeg", "-v", "error", "-version"], check=True, timeout=60,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _baseline(path: Path) -> float:
    start = time.perf_counter()
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-frames:v", "1", "-f", "null",
                    "-"], check=True, timeout=60)
    return time.perf_counter() - start


class _FirstFrame(PlayerEvents):
    def __init__(self) -> None:
        self.shown = threading.Event()
        self.errors: list[str] = []

    def video_shown(self) -> None:
        self.shown.set()

    def error(self, message: str) -> None:
        self.errors.append(message)
        self.shown.set()


def _vlc_once(path: Path) -> float:
    from app.player.vlc_backend import VlcPlayer

    events = _FirstFrame()
    player = VlcPlayer(events, headless=True)
    try:
        start = time.perf_counter()
        player.load(MediaSource(path))
        if not events.shown.wait(20) or events.errors:
            raise RuntimeError(f"libvlc showed no frame: {events.errors}")
        return time.perf_counter() - start
    finally:
        player.release()


def _qt_once(path: Path) -> float:
    from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

    from app.player.qt_multimedia import QtPlayer

    events = _FirstFrame()
    player = QtPlayer(events)
    loop = QEventLoop()
    timer = QTimer()
    timer.timeout.connect(lambda: loop.quit() if events.shown.is_set() else None)
    timer.start(1)
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    deadline.start(20_000)
    try:
        start = time.perf_counter()
        player.load(MediaSource(path))
        loop.exec()
        elapsed = time.perf_counter() - start
        if not events.shown.is_set() or events.errors:
            raise RuntimeError(f"Qt Multimedia showed no frame: {events.errors}")
        return elapsed
    finally:
        timer.stop()
        player.release()
        QCoreApplication.processEvents()


def main() -> bool:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.player import qt_multimedia_available
    from app.player.vlc_backend import vlc_available

    with tempfile.TemporaryDirectory(prefix="ujuzi-bench-") as tmp:
        video = Path(tmp) / "lecture-720p.mp4"
        _generate(video)
        size_mb = video.stat().st_size / 1024 / 1024
        baseline = statistics.median(_baseline(video) for _ in range(RUNS))
        process = statistics.median(_process_start() for _ in range(RUNS))

        start = time.perf_counter()
        if not vlc_available():
            print("libvlc is not installed: nothing to measure")
            return False
        startup = time.perf_counter() - start
        vlc_times = [_vlc_once(video) for _ in range(RUNS)]
        qt_times: list[float] = []
        if qt_multimedia_available():
            from PySide6.QtGui import QGuiApplication

            app = QGuiApplication.instance() or QGuiApplication([])
            qt_times = [_qt_once(video) for _ in range(RUNS)]
            del app

    vlc = statistics.median(vlc_times)
    print(f"file:                         1280x720 H.264/AAC, 30 s, {size_mb:.1f} MiB")
    print(f"ffmpeg, open + first frame:   {baseline * 1000:6.0f} ms  (baseline, process start "
          f"included; {process * 1000:.0f} ms of it is starting ffmpeg)")
    print(f"libvlc start (once):          {startup * 1000:6.0f} ms")
    print(f"libvlc, open to first frame:  {vlc * 1000:6.0f} ms  median of {RUNS} "
          f"(min {min(vlc_times) * 1000:.0f}, max {max(vlc_times) * 1000:.0f})")
    if qt_times:
        qt = statistics.median(qt_times)
        print(f"Qt Multimedia, same:          {qt * 1000:6.0f} ms  median of {RUNS} "
              f"(min {min(qt_times) * 1000:.0f}, max {max(qt_times) * 1000:.0f})")
    ratio = vlc / baseline
    decode_only = max(baseline - process, 0.001)
    print(f"libvlc / ffmpeg without its start: {vlc / decode_only:.2f}x")
    passed = vlc <= TARGET_SECONDS and ratio <= TARGET_RATIO
    verdict = "PASS" if passed else "FAIL"
    print(f"libvlc / baseline:            {ratio:.2f}x  (target <= {TARGET_RATIO:g}x and "
          f"<= {TARGET_SECONDS * 1000:.0f} ms)  {verdict}")
    return passed

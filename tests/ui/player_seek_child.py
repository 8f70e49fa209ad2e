"""Run by tests/ui/test_player_xvfb.py in a child process on an X server: plays the lesson
of UJUZI_HOME with libvlc drawing into the window, pauses, seeks, and prints the colour
of the middle of the video after each step as JSON lines."""

from __future__ import annotations

import json
import sys
import time

from PySide6.QtWidgets import QApplication

from app.player.base import State
from app.player.qt_widget import PlayerWidget
from app.ui.tasks import TaskRunner

WAIT_S = 15.0


def main() -> int:
    app = QApplication(sys.argv)
    runner = TaskRunner()
    player = PlayerWidget(None, None, tasks=runner, backend="vlc", headless=False)
    player.resize(640, 480)
    player.show()

    def until(check: object, what: str) -> None:
        deadline = time.monotonic() + WAIT_S
        while not check():  # type: ignore[operator]
            if time.monotonic() > deadline:
                print(json.dumps({"timeout": what}), flush=True)
                raise SystemExit(2)
            app.processEvents()
            time.sleep(0.02)

    def colour() -> list[int]:
        surface = player.surface
        shot = surface.screen().grabWindow(surface.winId()).toImage()
        pixel = shot.pixelColor(shot.width() // 2, shot.height() // 3)
        return [pixel.red(), pixel.green(), pixel.blue()]

    player.open_resource("org.test.player/lesson")
    until(lambda: player.player is not None and player.player.state() == State.PLAYING,
          "playing")
    until(lambda: colour()[0] > 200, "red")
    player.toggle_play()
    until(lambda: player.player.state() == State.PAUSED, "paused")
    player.seek(6.0)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and colour()[2] < 200:
        app.processEvents()
        time.sleep(0.02)
    print(json.dumps({"after_seek": colour(), "state": player.player.state().value}),
          flush=True)
    player.shutdown()
    runner.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())

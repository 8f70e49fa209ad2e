"""The player host: a child process that plays one media at a time through libvlc.

The window does not load libvlc into its own process. libvlc runs threads of its own and
calls back into Python from them; in the window's process that, together with PySide6,
corrupted the heap while media pages switched (a crash at a random later allocation, never
once in a process without the window). Here libvlc has a process to itself: it draws into
the window's native window by its id (X11 and Windows allow that across processes), and a
crash in libvlc, or a hostile media file, takes down this process, not the window.

Protocol: one JSON object per line. The parent writes commands on stdin (``{"op": "load",
...}``); the host writes reports on stdout: ``{"ev": "status", ...}`` with the player's whole
state after each event, ``{"ev": "error", "kind": ...}``, ``{"ev": "shown"}``, and
``{"reply": N, "value": ...}`` to a query. The end of stdin (the parent went away) releases
the player and ends the process. Nothing here imports Qt.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path
from typing import Any, TextIO

from app.player.base import (
    MediaSource,
    PlayerEvents,
    State,
    SubtitleFile,
    missing_file_message,
)

#: Error kinds the parent turns into its own (translated) sentence.
MISSING, UNPLAYABLE = "missing", "unplayable"


def source_to_json(source: MediaSource) -> dict[str, Any]:
    return {
        "path": str(source.path),
        "subtitles": [[str(s.path), s.lang, s.label] for s in source.subtitles],
        "start_at": source.start_at,
        "subtitle": source.subtitle,
        "title": source.title,
    }


def source_from_json(data: dict[str, Any]) -> MediaSource:
    return MediaSource(
        Path(data["path"]),
        tuple(SubtitleFile(Path(path), lang, label) for path, lang, label in data["subtitles"]),
        float(data["start_at"]),
        data["subtitle"],
        data["title"],
    )


class _Reports(PlayerEvents):
    """Writes the player's reports to the parent, whole lines under a lock (libvlc reports
    from its own threads)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.lock = threading.Lock()
        self.player: Any = None
        #: The number of the load the reports are about (the parent drops older ones).
        self.generation = 0

    def send(self, message: dict[str, Any]) -> None:
        if "reply" not in message:
            message["gen"] = self.generation
        line = json.dumps(message) + "\n"
        with self.lock:
            try:
                self.out.write(line)
                self.out.flush()
            except (OSError, ValueError):  # the parent is gone; stdin's end stops us
                pass

    def status(self) -> None:
        player = self.player
        if player is None:
            return
        position, duration = player.reported()
        self.send({
            "ev": "status",
            "state": player.state().value,
            "position": position,
            "duration": duration,
            "tracks": [[t.key, t.label, t.lang, t.external] for t in player.subtitle_tracks()],
            "subtitle": player.subtitle(),
            "has_video": player.has_video(),
        })

    def state_changed(self, state: State) -> None:
        self.status()
        if state == State.PLAYING and self.player is not None:
            # where it plays from, as a clock's first tick (libvlc's own come later)
            position, duration = self.player.reported()
            self.send({"ev": "position", "position": position, "duration": duration})

    def position_changed(self, position: float, duration: float) -> None:
        self.send({"ev": "position", "position": position, "duration": duration})

    def tracks_changed(self) -> None:
        self.status()

    def video_shown(self) -> None:
        self.status()
        self.send({"ev": "shown"})

    def error(self, message: str) -> None:
        self.status()
        self.send({"ev": "error", "kind": MISSING if message == missing_file_message()
                   else UNPLAYABLE})


def serve(commands: TextIO, out: TextIO, headless: bool) -> int:
    """Run commands until ``release`` or the end of ``commands``."""
    from app.player.vlc_backend import BackendUnavailable, VlcPlayer

    reports = _Reports(out)
    try:
        player = VlcPlayer(reports, headless=headless)
    except BackendUnavailable:
        reports.send({"ev": "unavailable"})
        return 1
    reports.player = player
    reports.send({"ev": "ready"})
    try:
        for line in commands:
            if not line.strip():
                continue
            command = json.loads(line)
            op = command["op"]
            if op == "release":
                break
            if op == "query":
                value: Any = {
                    "current_spu": player.current_spu,
                    "video_enabled": player.video_enabled,
                    "position": player.position,
                }[command["what"]]()
                reports.send({"reply": command["id"], "value": value})
            elif op == "load":
                reports.generation = int(command.get("gen", 0))
                player.load(source_from_json(command["source"]), bool(command["autoplay"]))
            elif op in ("play", "pause"):
                getattr(player, op)()
            elif op == "stop":
                reports.generation = int(command.get("gen", reports.generation))
                player.stop()
            elif op in ("seek", "set_rate"):
                getattr(player, op)(float(command["value"]))
            elif op == "set_volume":
                player.set_volume(int(command["value"]))
            elif op in ("set_muted", "set_audio_only"):
                getattr(player, op)(bool(command["value"]))
            elif op == "set_subtitle":
                player.set_subtitle(command["value"])
            elif op == "set_window":
                player.set_window(int(command["value"]))
            if op in ("seek", "stop", "set_subtitle", "set_audio_only"):
                reports.status()
    finally:
        reports.player = None
        player.release()
    return 0


def init_x11_threads() -> bool:
    """Let libvlc use Xlib from its threads, as VLC's own program does first thing.

    libvlc's decoders and video outputs call Xlib from several threads, which is safe only
    after ``XInitThreads``; in the window's process only Qt could have called it. The host
    is a process of our own, so it calls it before libvlc starts. False where there is no
    X11 (Windows, macOS, a machine without libX11)."""
    if not sys.platform.startswith("linux") or not os.environ.get("DISPLAY"):
        return False
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("X11") or "libX11.so.6"
    try:
        return bool(ctypes.CDLL(name).XInitThreads())
    except (OSError, AttributeError):
        return False


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    # Reports go out on the real stdout only; anything a library prints goes to stderr.
    out = sys.stdout
    sys.stdout = sys.stderr
    headless = "--headless" in args
    if not headless:
        init_x11_threads()
    return serve(sys.stdin, out, headless=headless)


if __name__ == "__main__":
    sys.exit(main())

"""The libvlc backend seen from the window: a :class:`Player` whose libvlc runs in a child
process (:mod:`app.player.vlc_host`), so that libvlc's threads never run in the window's
process (see that module for why).

Commands go to the host as JSON lines; one reader thread here takes the host's reports,
keeps the player's last known state and passes the reports on to :class:`PlayerEvents`.
The getters answer from that state, so none of them waits for the host; the position runs
on from the last report at the playback rate while playing, as a clock would. When the host
ends without being asked (libvlc crashed on a file), the player reports an error and can
load again, which starts a new host.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import select
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.i18n import _
from app.player.base import (
    MediaSource,
    Player,
    PlayerEvents,
    State,
    SubtitleTrack,
    clamp_rate,
    missing_file_message,
    unplayable_message,
)
from app.player.vlc_host import MISSING, source_to_json

log = logging.getLogger(__name__)

#: Seconds to wait for the host to end after ``release`` before it is killed.
RELEASE_TIMEOUT = 5.0
#: Seconds a query (a test's look at libvlc) waits for its answer.
QUERY_TIMEOUT = 5.0
#: How an event loop watches the host's output: ``watch(fd, readable)`` calls ``readable``
#: whenever ``fd`` can be read, and returns what stops that.
Watch = Callable[[int, Callable[[], None]], Callable[[], None]]
#: The bundle's own executable runs the host when given this first argument.
HOST_FLAG = "--player-host"


def host_environment() -> dict[str, str]:
    """The window's environment, with this copy of the app first on Python's path (so the
    host runs the same code, wherever the window was started from)."""
    env = os.environ.copy()
    if not getattr(sys, "frozen", False):
        root = str(Path(__file__).resolve().parent.parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(
            part for part in (root, env.get("PYTHONPATH", "")) if part)
    return env


def host_command(headless: bool) -> list[str]:
    """How to start the host: the bundle's executable, or this Python."""
    if getattr(sys, "frozen", False):
        command = [sys.executable, HOST_FLAG]
    else:
        command = [sys.executable, "-m", "app.player.vlc_host"]
    return command + (["--headless"] if headless else [])


def crashed_message() -> str:
    return _("The media player stopped unexpectedly on this file. Try playing it again, "
             "or try another resource.")


class RemoteVlcPlayer(Player):
    """libvlc in a child process; the same behaviour as :class:`~app.player.vlc_backend.
    VlcPlayer`, which runs there."""

    name = "vlc"

    def __init__(self, events: PlayerEvents | None = None, window_id: int | None = None,
                 headless: bool = False, watch: Watch | None = None) -> None:
        super().__init__(events)
        self._headless = headless
        self._window_id = window_id
        self._watch = watch if os.name == "posix" else None
        self._lock = threading.RLock()
        self._state = State.IDLE
        self._position = 0.0
        self._position_at = time.monotonic()
        self._duration = 0.0
        self._rate = 1.0
        self._volume = 100
        self._muted = False
        self._audio_only = False
        self._subtitle: str | None = None
        self._tracks: list[SubtitleTrack] = []
        self._has_video = False
        self._source: MediaSource | None = None
        self._released = False
        self._replies: dict[int, Any] = {}
        self._reply_ready = threading.Condition(self._lock)
        self._queries = 0
        self._generation = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._pending = b""
        self._reader: threading.Thread | None = None
        self._unwatch: Callable[[], None] | None = None
        self._start_host()

    # -- the host -----------------------------------------------------------------------

    def _start_host(self) -> None:
        process = subprocess.Popen(
            host_command(self._headless), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            env=host_environment(),
        )
        assert process.stdout is not None
        with self._lock:
            self._process, self._pending = process, b""
        if self._watch is not None:
            # The owner's event loop says when the host wrote: no thread of ours reads.
            os.set_blocking(process.stdout.fileno(), False)
            self._unwatch = self._watch(process.stdout.fileno(),
                                        functools.partial(self._readable, process))
        else:
            reader = threading.Thread(target=self._read, args=(process,),
                                      name="vlc-host-reader", daemon=True)
            self._reader = reader
            reader.start()
        if self._window_id:
            self._send({"op": "set_window", "value": self._window_id})

    def _send(self, command: dict[str, Any]) -> bool:
        with self._lock:
            process = self._process
            if process is None or process.stdin is None or self._released:
                return False
            try:
                process.stdin.write((json.dumps(command) + "\n").encode())
                process.stdin.flush()
                return True
            except (OSError, ValueError):
                return False

    def _take(self, process: subprocess.Popen[bytes], chunk: bytes) -> None:
        """Handle the whole lines of what the host wrote."""
        with self._lock:
            if process is not self._process:
                return
            lines = (self._pending + chunk).split(b"\n")
            self._pending = lines.pop()
        for line in lines:
            try:
                report = json.loads(line)
            except ValueError:
                log.warning("the player host wrote %r", line[:200])
                continue
            self._on_report(report)

    def _read(self, process: subprocess.Popen[bytes]) -> None:
        """The reader thread (without a watching event loop)."""
        assert process.stdout is not None
        fd = process.stdout.fileno()
        while chunk := os.read(fd, 65536):
            self._take(process, chunk)
        self._ended(process)

    def _readable(self, process: subprocess.Popen[bytes]) -> None:
        """The host wrote (or ended): take what is there, without waiting."""
        stream = process.stdout
        if stream is None or stream.closed:
            return
        while True:
            try:
                chunk = os.read(stream.fileno(), 65536)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:
                self._ended(process)
                return
            self._take(process, chunk)

    def _ended(self, process: subprocess.Popen[bytes]) -> None:
        """The host's output is closed: it ended, asked to or not."""
        with self._lock:
            unwatch, current = None, process is self._process
            if current:
                unwatch, self._unwatch = self._unwatch, None
        if unwatch is not None:
            unwatch()
        if process.stdout is not None:
            process.stdout.close()
        process.wait()
        with self._lock:
            asked = self._released or not current
            if current:
                self._process = None
            if process.stdin is not None and not process.stdin.closed:
                # a write into the gone host's pipe may have been pending
                with contextlib.suppress(OSError):
                    process.stdin.close()
            self._reply_ready.notify_all()
        if not asked:
            log.warning("the player host ended with code %s", process.returncode)
            self._fail(crashed_message())

    def _on_report(self, report: dict[str, Any]) -> None:
        if "reply" in report:
            with self._lock:
                self._replies[int(report["reply"])] = report["value"]
                self._reply_ready.notify_all()
            return
        kind = report.get("ev")
        with self._lock:
            if int(report.get("gen", 0)) != self._generation:
                return  # about the media before the one loaded last
        if kind == "position":
            with self._lock:
                self._set_position(float(report["position"]))
                self._duration = float(report["duration"])
                position, duration = self._position, self._duration
            self.events.position_changed(position, duration)
        elif kind == "status":
            state = State(report["state"])
            with self._lock:
                changed_state = state != self._state
                tracks = [SubtitleTrack(key, label, lang, bool(external))
                          for key, label, lang, external in report["tracks"]]
                changed_tracks = tracks != self._tracks or report["subtitle"] != self._subtitle
                self._state = state
                self._set_position(float(report["position"]))
                self._duration = float(report["duration"])
                self._tracks = tracks
                self._subtitle = report["subtitle"]
                self._has_video = bool(report["has_video"])
            if changed_tracks:
                self.events.tracks_changed()
            if changed_state:
                self.events.state_changed(state)
        elif kind == "shown":
            self.events.video_shown()
        elif kind == "error":
            self.events.error(missing_file_message() if report.get("kind") == MISSING
                              else unplayable_message())
        elif kind == "unavailable":
            self._fail(unplayable_message())

    def _set_position(self, position: float) -> None:
        self._position = max(0.0, position)
        self._position_at = time.monotonic()

    def _fail(self, message: str) -> None:
        with self._lock:
            self._state = State.ERROR
        self.events.state_changed(State.ERROR)
        self.events.error(message)

    def _ensure_host(self) -> None:
        """A host that ended (crashed) is started again, with this player's settings."""
        with self._lock:
            alive = self._process is not None or self._released
        if alive:
            return
        self._start_host()
        with self._lock:
            self._generation = 0
        self._send({"op": "set_volume", "value": self._volume})
        self._send({"op": "set_muted", "value": self._muted})
        self._send({"op": "set_rate", "value": self._rate})
        self._send({"op": "set_audio_only", "value": self._audio_only})

    # -- media --------------------------------------------------------------------------

    def set_window(self, window_id: int) -> None:
        with self._lock:
            self._window_id = window_id
        if window_id:
            self._send({"op": "set_window", "value": int(window_id)})

    def load(self, source: MediaSource, autoplay: bool = True) -> None:
        with self._lock:
            if self._released:
                return
        self._ensure_host()
        with self._lock:
            self._source = source
            self._subtitle = source.subtitle
            self._tracks = []
            self._has_video = False
            self._duration = 0.0
            self._set_position(source.start_at)
            self._state = State.LOADING
            self._generation += 1
            generation = self._generation
        self._send({"op": "load", "source": source_to_json(source), "autoplay": autoplay,
                    "gen": generation})
        self.events.state_changed(State.LOADING)
        self.events.tracks_changed()

    def release(self) -> None:
        with self._lock:
            if self._released:
                return
            process, reader = self._process, self._reader
            if process is not None and process.stdin is not None:
                try:
                    process.stdin.write(b'{"op": "release"}\n')
                    process.stdin.close()
                except (OSError, ValueError):
                    pass
            self._released = True
        if process is not None:
            try:
                process.wait(RELEASE_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if reader is not None and reader is not threading.current_thread():
            reader.join()
        elif process is not None:
            self._ended(process)

    # -- transport ----------------------------------------------------------------------

    def play(self) -> None:
        with self._lock:
            state, source = self._state, self._source
        if source is None:
            return
        if state == State.ERROR and self._process is None:
            self.load(source)
            return
        self._send({"op": "play"})

    def pause(self) -> None:
        self._send({"op": "pause"})

    def stop(self) -> None:
        with self._lock:
            self._set_position(self.position())
            # what the host reports from before the stop is old news
            self._generation += 1
            generation = self._generation
            self._state = State.IDLE
        self._send({"op": "stop", "gen": generation})
        self.events.state_changed(State.IDLE)

    def seek(self, seconds: float) -> None:
        seconds = max(0.0, seconds)
        with self._lock:
            if self._duration > 0:
                seconds = min(seconds, self._duration)
            self._set_position(seconds)
            duration = self._duration
        self._send({"op": "seek", "value": seconds})
        self.events.position_changed(seconds, duration)

    def state(self) -> State:
        with self._lock:
            return self._state

    def position(self) -> float:
        with self._lock:
            position = self._position
            if self._state == State.PLAYING:
                position += (time.monotonic() - self._position_at) * self._rate
                if self._duration > 0:
                    position = min(position, self._duration)
            return position

    def duration(self) -> float:
        with self._lock:
            return self._duration

    # -- speed and sound ----------------------------------------------------------------

    def set_rate(self, rate: float) -> None:
        with self._lock:
            self._set_position(self.position())
            self._rate = clamp_rate(rate)
        self._send({"op": "set_rate", "value": self._rate})

    def rate(self) -> float:
        with self._lock:
            return self._rate

    def set_volume(self, volume: int) -> None:
        with self._lock:
            self._volume = max(0, min(100, int(volume)))
        self._send({"op": "set_volume", "value": self._volume})

    def volume(self) -> int:
        with self._lock:
            return self._volume

    def set_muted(self, muted: bool) -> None:
        with self._lock:
            self._muted = bool(muted)
        self._send({"op": "set_muted", "value": self._muted})

    def muted(self) -> bool:
        with self._lock:
            return self._muted

    # -- tracks -------------------------------------------------------------------------

    def subtitle_tracks(self) -> list[SubtitleTrack]:
        with self._lock:
            return list(self._tracks)

    def set_subtitle(self, key: str | None) -> None:
        with self._lock:
            self._subtitle = key
        self._send({"op": "set_subtitle", "value": key})
        self.events.tracks_changed()

    def subtitle(self) -> str | None:
        with self._lock:
            return self._subtitle

    def has_video(self) -> bool:
        with self._lock:
            return self._has_video

    def set_audio_only(self, audio_only: bool) -> None:
        with self._lock:
            self._audio_only = bool(audio_only)
        self._send({"op": "set_audio_only", "value": self._audio_only})

    def audio_only(self) -> bool:
        with self._lock:
            return self._audio_only

    # -- for tests ----------------------------------------------------------------------

    def host_pid(self) -> int | None:
        """The process id of the running host, or None."""
        with self._lock:
            return self._process.pid if self._process is not None else None

    def _query(self, what: str) -> Any:
        with self._lock:
            self._queries += 1
            number = self._queries
        if not self._send({"op": "query", "id": number, "what": what}):
            return None
        deadline = time.monotonic() + QUERY_TIMEOUT
        while True:
            with self._lock:
                process = self._process
                if number in self._replies or process is None:
                    return self._replies.pop(number, None)
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                if self._reader is not None:
                    self._reply_ready.wait(left)
                    continue
            # no reader thread: read here (the caller is the thread of the event loop)
            assert process.stdout is not None
            select.select([process.stdout.fileno()], [], [], min(left, 0.1))
            self._readable(process)

    def current_spu(self) -> int:
        """libvlc's own idea of the shown subtitle track (-1 for none); for tests."""
        value = self._query("current_spu")
        return -1 if value is None else int(value)

    def video_enabled(self) -> bool:
        """Whether libvlc is decoding a video track now; for tests."""
        return bool(self._query("video_enabled"))

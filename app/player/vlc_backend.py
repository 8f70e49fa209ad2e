"""The libvlc backend (python-vlc): plays what VLC plays, drawing into a native window.

libvlc comes from the system (Debian: ``libvlc5``, ``vlc-plugin-base`` and, to draw into a
window, ``vlc-plugin-video-output``). Without libvlc, python-vlc still imports but its
functions raise NameError; without its plugins ``vlc.Instance()`` returns None. Either way
the backend counts as unavailable and the app falls back to Qt Multimedia.

Threads: libvlc reports events on its own thread, and this module passes them on to
:class:`~app.player.base.PlayerEvents` from there. No libvlc function that waits for that
thread is called from an event callback (that deadlocks); work that must follow an event,
such as attaching subtitle files once playback has started, runs on a short-lived thread.

Subtitles: each external file is attached with ``add_slave`` after playback starts, one at a
time, and the text track libvlc creates for it is read from the ``ESAdded`` event, so a
file's track is known exactly (libvlc itself names them only "Track 1", "Track 2"...).
"""

from __future__ import annotations

import ctypes
import logging
import queue
import re
import threading
from collections.abc import Callable
from typing import Any

from app.player.base import (
    MediaSource,
    Player,
    PlayerEvents,
    State,
    SubtitleTrack,
    clamp_rate,
    external_key,
    missing_file_message,
    unplayable_message,
)

log = logging.getLogger(__name__)

BASE_ARGS = (
    "--intf=dummy",
    "--quiet",
    "--no-video-title-show",
    "--no-sub-autodetect-file",
    "--no-osd",
    "--no-snapshot-preview",
    "--no-stats",
    # Subtitles a little larger than VLC's default: readable on a small laptop screen.
    "--sub-text-scale=150",
)
#: Headless: no window and no sound card. A real (dummy) audio output matters: without one,
#: libvlc's clock runs free and positions read back after a seek are wrong. Nor any X11:
#: with a DISPLAY set (Xvfb, a desktop under an offscreen Qt), libvlc's decoders try
#: hardware decoding through Xlib (VDPAU, VA-API) from each player's own threads, and Xlib
#: used from several threads without XInitThreads (which only a Qt on X11 calls) corrupts
#: the process's heap: it aborted later, in whatever allocated next.
HEADLESS_ARGS = ("--vout=dummy", "--aout=dummy", "--avcodec-hw=none", "--no-xlib")
#: Seconds a seek while paused waits for libvlc's new time before it draws the frame.
SEEK_DRAW_TIMEOUT = 5.0
#: How long to wait for libvlc to open one subtitle file before giving up on it.
SUBTITLE_TIMEOUT = 5.0

# libvlc_track_type_t
_AUDIO, _VIDEO, _TEXT = 0, 1, 2
#: Put in the subtitle queue to wake a waiting thread: its media is gone.
_CANCELLED = -1

_lock = threading.Lock()
_vlc: Any = None
_vlc_loaded = False
_instances: dict[bool, Any] = {}


class BackendUnavailable(RuntimeError):
    """libvlc (or its plugins) is not installed."""


def _module() -> Any:
    """python-vlc, when a libvlc answers behind it; else None.

    Importing python-vlc proves little: where libvlc is not installed it loads the process
    itself as "the library" and fails only when a libvlc function is called (NameError),
    and a ``PYTHON_VLC_LIB_PATH`` naming no library makes the import call ``sys.exit``. So
    libvlc is called once here, for its version, and any of these means "no libvlc"."""
    global _vlc, _vlc_loaded
    if not _vlc_loaded:
        _vlc_loaded = True
        try:
            import vlc

            vlc.libvlc_get_version()
            _vlc = vlc
        except (ImportError, OSError, NotImplementedError, AttributeError, NameError,
                SystemExit) as exc:
            log.info("libvlc is not available: %r", exc)
            _vlc = None
    return _vlc


def vlc_instance(headless: bool = False) -> Any:
    """The shared libvlc instance (one with video and sound, one headless), or None."""
    with _lock:
        vlc = _module()
        if vlc is None:
            return None
        if headless not in _instances:
            args = BASE_ARGS + (HEADLESS_ARGS if headless else ())
            try:
                _instances[headless] = vlc.Instance(*args)
            except (OSError, NameError, AttributeError) as exc:
                log.info("libvlc failed to start: %s", exc)
                _instances[headless] = None
        return _instances[headless]


def vlc_available() -> bool:
    return vlc_instance(headless=True) is not None


def vlc_version() -> str | None:
    if not vlc_available():
        return None
    version = _module().libvlc_get_version()
    text = version.decode() if isinstance(version, bytes) else str(version)
    return text.split(" ")[0]


def _es_changed(event: Any) -> tuple[int, int]:
    """(track type, ES id) of an ESAdded/ESDeleted event. python-vlc does not expose this
    member of the event union; it is two ints at the union's start in libvlc 3."""
    pair = ctypes.cast(ctypes.addressof(event.u), ctypes.POINTER(ctypes.c_int * 2)).contents
    return int(pair[0]), int(pair[1])


def _description_label(text: Any) -> str:
    """libvlc's "Track 1 - [French]" -> "French"."""
    label = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    found = re.search(r"\[(.+)\]\s*$", label)
    return found.group(1) if found else label


class VlcPlayer(Player):
    """A player on libvlc. ``window_id`` is the native window to draw into (an X11 window id
    on Linux, an HWND on Windows, an NSView on macOS); ``headless`` plays with no window and
    no sound (tests, benchmarks)."""

    name = "vlc"

    def __init__(
        self,
        events: PlayerEvents | None = None,
        window_id: int | None = None,
        headless: bool = False,
    ) -> None:
        super().__init__(events)
        self._vlc = _module()
        instance = vlc_instance(headless)
        if instance is None:
            raise BackendUnavailable("libvlc is not installed")
        self._instance = instance
        self._player = instance.media_player_new()
        self._headless = headless
        if window_id is not None:
            self.set_window(window_id)
        self._player.video_set_mouse_input(False)
        self._player.video_set_key_input(False)

        self._lock = threading.RLock()
        self._state = State.IDLE
        self._source: MediaSource | None = None
        self._media: Any = None
        self._generation = 0
        self._position = 0.0
        self._duration = 0.0
        self._rate = 1.0
        self._volume = 100
        self._muted = False
        self._audio_only = False
        self._wanted_subtitle: str | None = None
        self._tracks: list[SubtitleTrack] = []
        self._track_ids: dict[str, int] = {}
        self._media_es = {_AUDIO: 0, _VIDEO: 0}
        self._embedded_text: list[int] = []
        self._attaching: queue.Queue[int] | None = None
        self._started = False
        self._shown = False
        self._pending_seek: float | None = None
        # Every thread it started that calls libvlc (one after playback began, one per media
        # opened; one per seek drawn while paused), so that release() can wait for all of
        # them: one still working may be inside a libvlc call when the player is freed.
        self._start_threads: list[threading.Thread] = []
        self._released = False
        #: A seek while paused being drawn: its time (ms) and the event its time report
        #: sets (see _show_paused_frame).
        self._redraw: tuple[int, threading.Event] | None = None
        #: Whether the learner last asked to play (True) or to pause (False).
        self._play_wanted = True

        vlc = self._vlc
        manager = self._player.event_manager()
        self._handlers: list[tuple[Any, Callable[[Any], None]]] = [
            (vlc.EventType.MediaPlayerOpening, self._on_opening),
            (vlc.EventType.MediaPlayerPlaying, self._on_playing),
            (vlc.EventType.MediaPlayerPaused, self._on_paused),
            (vlc.EventType.MediaPlayerEndReached, self._on_end),
            (vlc.EventType.MediaPlayerEncounteredError, self._on_error),
            (vlc.EventType.MediaPlayerTimeChanged, self._on_time),
            (vlc.EventType.MediaPlayerLengthChanged, self._on_length),
            (vlc.EventType.MediaPlayerVout, self._on_vout),
            (vlc.EventType.MediaPlayerESAdded, self._on_es_added),
        ]
        for kind, handler in self._handlers:
            manager.event_attach(kind, self._guard(handler))

    def _guard(self, handler: Callable[[Any], None]) -> Callable[[Any], None]:
        """An exception must never escape into libvlc's thread."""

        def call(event: Any) -> None:
            try:
                handler(event)
            except Exception:
                log.exception("error in a libvlc event handler")

        return call

    def set_window(self, window_id: int) -> None:
        """Draw the video into this native window (ignored once released, or for 0)."""
        import sys

        with self._lock:
            if self._released or not window_id:
                return
        if sys.platform.startswith("win"):
            self._player.set_hwnd(window_id)
        elif sys.platform == "darwin":
            self._player.set_nsobject(window_id)
        else:
            self._player.set_xwindow(window_id)

    # -- media ------------------------------------------------------------------------

    def load(self, source: MediaSource, autoplay: bool = True) -> None:
        with self._lock:
            self._source = source
            self._wanted_subtitle = source.subtitle
        self._open(source.start_at, autoplay)

    def _open(self, start_at: float, autoplay: bool) -> None:
        source = self._source
        assert source is not None
        self._wake()
        with self._lock:
            self._generation += 1
            self._drop_redraw()
            self._play_wanted = autoplay
            self._started = False
            self._shown = False
            self._position = max(0.0, start_at)
            self._duration = 0.0
            self._tracks = []
            self._track_ids = {}
            self._media_es = {_AUDIO: 0, _VIDEO: 0}
            self._embedded_text = []
            self._pending_seek = None
            self._attaching = None
        self._player.stop()
        if not source.path.exists():
            self._fail(missing_file_message())
            return
        media = self._instance.media_new_path(str(source.path))
        if start_at > 0:
            media.add_option(f":start-time={start_at:.3f}")
        if self._media is not None:
            self._media.release()
        self._media = media
        self._player.set_media(media)
        self._set_state(State.LOADING)
        self.events.tracks_changed()
        if autoplay:
            self._player.play()
        else:
            # libvlc cannot open a media without playing it: start paused at the first frame.
            media.add_option(":start-paused")
            self._player.play()

    def release(self) -> None:
        with self._lock:
            if self._released:
                return
            self._released = True
            self._generation += 1
            self._drop_redraw()
        self._wake()
        manager = self._player.event_manager()
        for kind, _handler in self._handlers:
            manager.event_detach(kind)
        # Its threads call libvlc: they must be done before the player is freed. No new one
        # starts now: the handlers are detached, and each start checks _released.
        with self._lock:
            threads = list(self._start_threads)
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join()
        self._player.stop()
        self._player.release()
        if self._media is not None:
            self._media.release()
            self._media = None

    def _start_thread(self, target: Callable[..., None], name: str, *args: Any) -> None:
        """Start a thread that calls libvlc, kept for release() to wait for (none once
        released)."""
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        with self._lock:
            if self._released:
                return
            self._start_threads = [
                *(alive for alive in self._start_threads if alive.is_alive()), thread
            ]
        thread.start()

    def _drop_redraw(self) -> None:
        """Forget the seek being drawn while paused, and wake its thread (which then leaves
        libvlc alone). Called with the lock held."""
        if self._redraw is not None:
            self._redraw[1].set()
            self._redraw = None

    # -- libvlc events (libvlc's thread) ----------------------------------------------

    def _set_state(self, state: State, only_from: State | None = None) -> None:
        with self._lock:
            if self._state == state or (only_from is not None and self._state != only_from):
                return
            self._state = state
        self.events.state_changed(state)

    def _fail(self, message: str) -> None:
        with self._lock:
            self._state = State.ERROR
        self.events.state_changed(State.ERROR)
        self.events.error(message)

    def _on_opening(self, _event: Any) -> None:
        self._set_state(State.LOADING)

    def _on_playing(self, _event: Any) -> None:
        with self._lock:
            first = not self._started
            self._started = True
            generation = self._generation
            redrawing = self._redraw is not None
        if redrawing:
            return
        if first:
            self._start_thread(self._after_start, "vlc-start", generation)
        else:
            self._set_state(State.PLAYING)

    def _on_paused(self, _event: Any) -> None:
        with self._lock:
            started = self._started and self._redraw is None
        if started:
            self._set_state(State.PAUSED)

    def _on_end(self, _event: Any) -> None:
        with self._lock:
            played_nothing = self._media_es[_AUDIO] == 0 and self._media_es[_VIDEO] == 0
            self._position = self._duration or self._position
        if played_nothing:
            self._fail(unplayable_message())
            return
        self.events.position_changed(self._position, self._duration)
        self._set_state(State.ENDED)

    def _on_error(self, _event: Any) -> None:
        self._fail(unplayable_message())

    def _on_time(self, event: Any) -> None:
        with self._lock:
            redraw = self._redraw
            if redraw is not None:  # drawing a seek while paused: not a move of its own
                if event.u.new_time >= redraw[0]:
                    redraw[1].set()
                return
            self._position = max(0.0, event.u.new_time / 1000)
            position, duration = self._position, self._duration

        self.events.position_changed(position, duration)

    def _on_length(self, event: Any) -> None:
        with self._lock:
            self._duration = max(0.0, event.u.new_length / 1000)

    def _on_vout(self, event: Any) -> None:
        # new_count is an int; python-vlc declares it 64 bits wide, so read the low 32.
        count = ctypes.cast(ctypes.addressof(event.u), ctypes.POINTER(ctypes.c_int)).contents
        with self._lock:
            first = int(count.value) > 0 and not self._shown
            self._shown = self._shown or first
        if first:
            self.events.video_shown()

    def _on_es_added(self, event: Any) -> None:
        kind, es_id = _es_changed(event)
        with self._lock:
            if kind in self._media_es:
                self._media_es[kind] += 1
            elif kind == _TEXT:
                if self._attaching is not None:
                    self._attaching.put(es_id)
                elif not self._started:
                    self._embedded_text.append(es_id)

    # -- after playback starts (own thread) --------------------------------------------

    def _current(self, generation: int) -> bool:
        """Whether the thread working for ``generation`` may still touch libvlc."""
        with self._lock:
            return generation == self._generation and not self._released

    def _after_start(self, generation: int) -> None:
        """Apply settings that need a running input, then attach the subtitle files."""
        try:
            if not self._current(generation):
                return
            self._apply_settings()
            with self._lock:
                pending, self._pending_seek = self._pending_seek, None
            if pending is not None:
                self._player.set_time(int(pending * 1000))
            if not self._current(generation):
                return
            state = self._player.get_state()
            if state == self._vlc.State.Paused:
                self._set_state(State.PAUSED, only_from=State.LOADING)
            elif state == self._vlc.State.Playing:
                self._set_state(State.PLAYING, only_from=State.LOADING)
            self._attach_subtitles(generation)
        except Exception:
            log.exception("could not finish starting playback")

    def _apply_settings(self) -> None:
        player = self._player
        player.audio_set_volume(self._volume)
        player.audio_set_mute(self._muted)
        if self._rate != 1.0:
            player.set_rate(self._rate)
        if self._audio_only:
            player.video_set_track(-1)

    def _wake(self) -> None:
        """Stop a thread waiting for a subtitle track (the media changed or is going)."""
        with self._lock:
            waiting = self._attaching
        if waiting is not None:
            waiting.put(_CANCELLED)

    def _attach_subtitles(self, generation: int) -> None:
        source = self._source
        assert source is not None
        tracks: list[SubtitleTrack] = []
        ids: dict[str, int] = {}
        arrived: queue.Queue[int] = queue.Queue()
        with self._lock:
            if generation != self._generation or self._released:
                return
            self._attaching = arrived
            embedded = list(self._embedded_text)
            wanted = self._wanted_subtitle
        try:
            for index, subtitle in enumerate(source.subtitles):
                uri = subtitle.path.resolve().as_uri()
                # Selecting a track after libvlc has read past a cue loses that cue, so the
                # wanted track is selected as it is added.
                select = external_key(index) == wanted
                kind = self._vlc.MediaSlaveType.subtitle
                if not self._current(generation):
                    return
                if self._player.add_slave(kind, uri, select) != 0:
                    log.warning("libvlc refused subtitle file %s", subtitle.path)
                    continue
                try:
                    es_id = arrived.get(timeout=SUBTITLE_TIMEOUT)
                except queue.Empty:
                    log.warning("libvlc did not open subtitle file %s", subtitle.path)
                    continue
                if es_id == _CANCELLED:
                    return
                key = external_key(index)
                ids[key] = es_id
                tracks.append(SubtitleTrack(key, subtitle.label or subtitle.lang or key,
                                            subtitle.lang, external=True))
        finally:
            with self._lock:
                if self._attaching is arrived:
                    self._attaching = None
        if not self._current(generation):
            return
        descriptions = dict(self._player.video_get_spu_description() or [])
        for number, es_id in enumerate(embedded, start=1):
            key = f"embedded:{es_id}"
            label = _description_label(descriptions.get(es_id, f"Track {number}"))
            ids[key] = es_id
            tracks.append(SubtitleTrack(key, label, None, external=False))
        with self._lock:
            if generation != self._generation or self._released:
                return
            self._tracks = tracks
            self._track_ids = ids
            wanted = self._wanted_subtitle
        self._select_spu(wanted)
        self.events.tracks_changed()

    def _select_spu(self, key: str | None) -> None:
        with self._lock:
            es_id = self._track_ids.get(key, -1) if key is not None else -1
        self._player.video_set_spu(es_id)

    # -- transport --------------------------------------------------------------------

    def play(self) -> None:
        with self._lock:
            state = self._state
        if self._source is None:
            return
        if state == State.ENDED or (state == State.ERROR and self._source.path.exists()):
            self._open(0.0, autoplay=True)
            return
        if state == State.IDLE:
            self._open(self._position, autoplay=True)
            return
        with self._lock:
            redraw = self._redraw
            self._drop_redraw()
            muted = self._muted
            self._play_wanted = True
        if redraw is not None:  # drawing a seek while paused: it simply goes on playing
            self._player.audio_set_mute(muted)
            self._set_state(State.PLAYING)
            return
        self._player.set_pause(0)

    def pause(self) -> None:
        with self._lock:
            state = self._state
            self._play_wanted = False
        if state in (State.PLAYING, State.LOADING):
            self._player.set_pause(1)

    def stop(self) -> None:
        with self._lock:
            self._generation += 1
            self._drop_redraw()
        self._wake()
        self._player.stop()
        self._set_state(State.IDLE)

    def seek(self, seconds: float) -> None:
        seconds = max(0.0, seconds)
        with self._lock:
            duration = self._duration
            if duration > 0:
                seconds = min(seconds, duration)
            state = self._state
            # Paused, and not about to play (a play asked for but not yet reported).
            paused = state == State.PAUSED and not self._play_wanted
            self._position = seconds
            if not self._started:
                self._pending_seek = seconds
        if state == State.ENDED:
            self._open(seconds, autoplay=False)
            return
        if self._started:
            if paused:
                self._show_paused_frame(seconds)
            else:
                self._player.set_time(int(seconds * 1000))
        self.events.position_changed(seconds, duration)

    def _show_paused_frame(self, seconds: float) -> None:
        """Paused, libvlc moves to the new time without drawing it. So it plays, silent,
        until it reports a time at or past the new one (a frame from there is drawn), then
        pauses and goes back to the exact time. The learner sees no state change: the
        playing and paused reports of this step are not passed on. libvlc may not be called
        from its event thread, so a short-lived thread waits for the time report; a newer
        seek replaces it."""
        target = int(seconds * 1000)
        reached = threading.Event()
        with self._lock:
            generation = self._generation
            self._drop_redraw()  # a newer seek replaces it
            self._redraw = (target, reached)

        def step() -> None:
            reached.wait(SEEK_DRAW_TIMEOUT)
            with self._lock:
                latest = self._redraw is not None and self._redraw[1] is reached
            if not latest or not self._current(generation):
                return
            self._player.set_pause(1)
            self._player.set_time(target)
            with self._lock:
                self._redraw = None
                muted = self._muted
            self._player.audio_set_mute(muted)

        self._player.audio_set_mute(True)
        self._player.set_time(target)
        self._player.set_pause(0)
        self._start_thread(step, "vlc-paused-seek")

    def state(self) -> State:
        with self._lock:
            return self._state

    def position(self) -> float:
        with self._lock:
            if self._redraw is not None:
                return self._redraw[0] / 1000
            if self._state in (State.PLAYING, State.PAUSED) and self._started:
                current = self._player.get_time()
                if current is not None and current >= 0:
                    self._position = current / 1000
            return self._position

    def reported(self) -> tuple[float, float]:
        """The position and duration last known, with no libvlc call (safe in its event
        callbacks, where asking libvlc may deadlock)."""
        with self._lock:
            if self._redraw is not None:
                return self._redraw[0] / 1000, self._duration
            return self._position, self._duration

    def duration(self) -> float:
        with self._lock:
            if self._duration <= 0 and self._started:
                length = self._player.get_length()
                if length and length > 0:
                    self._duration = length / 1000
            return self._duration

    # -- speed and sound --------------------------------------------------------------

    def set_rate(self, rate: float) -> None:
        """libvlc stretches the audio to keep its pitch (``--audio-time-stretch``, on by
        default)."""
        with self._lock:
            self._rate = clamp_rate(rate)
            started = self._started
        if started:
            self._player.set_rate(self._rate)

    def rate(self) -> float:
        with self._lock:
            return self._rate

    def set_volume(self, volume: int) -> None:
        with self._lock:
            self._volume = max(0, min(100, int(volume)))
            started = self._started
        if started:
            self._player.audio_set_volume(self._volume)

    def volume(self) -> int:
        with self._lock:
            return self._volume

    def set_muted(self, muted: bool) -> None:
        with self._lock:
            self._muted = bool(muted)
            started = self._started
        if started:
            self._player.audio_set_mute(self._muted)

    def muted(self) -> bool:
        with self._lock:
            return self._muted

    # -- tracks -----------------------------------------------------------------------

    def subtitle_tracks(self) -> list[SubtitleTrack]:
        with self._lock:
            return list(self._tracks)

    def set_subtitle(self, key: str | None) -> None:
        with self._lock:
            changed = key != self._wanted_subtitle
            self._wanted_subtitle = key
            ready = bool(self._track_ids) or not (self._source and self._source.subtitles)
            state = self._state
        if ready and self._started:
            self._select_spu(key)
            if changed and key is not None and state in (State.PLAYING, State.PAUSED):
                # libvlc shows a newly chosen track from its next cue; seeking to where we
                # are makes it read the current one again.
                current = self._player.get_time()
                if current is not None and current >= 0:
                    self._player.set_time(current)
        self.events.tracks_changed()

    def subtitle(self) -> str | None:
        with self._lock:
            return self._wanted_subtitle

    def current_spu(self) -> int:
        """libvlc's own idea of the shown subtitle track (-1 for none); for tests."""
        return int(self._player.video_get_spu())

    def has_video(self) -> bool:
        with self._lock:
            return self._media_es[_VIDEO] > 0

    def set_audio_only(self, audio_only: bool) -> None:
        with self._lock:
            self._audio_only = bool(audio_only)
            started = self._started
        if not started:
            return
        if audio_only:
            self._player.video_set_track(-1)
            return
        ids = [i for i, _name in (self._player.video_get_track_description() or []) if i >= 0]
        if ids:
            self._player.video_set_track(ids[0])

    def audio_only(self) -> bool:
        with self._lock:
            return self._audio_only

    def video_enabled(self) -> bool:
        """Whether libvlc is decoding a video track now; for tests."""
        return int(self._player.video_get_track()) >= 0

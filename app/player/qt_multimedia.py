"""The fallback backend on Qt Multimedia (QMediaPlayer with Qt's own FFmpeg), for machines
without libvlc.

It plays what Qt's FFmpeg build decodes (H.264/AAC, VP9/Opus, MP3, Vorbis, Theora...), but
not everything VLC does (MIDI, for one): such files end in the same clear error message.
Qt Multimedia knows nothing of external subtitle files, so this backend shows them itself:
it parses them (:mod:`app.player.subtitles`) and the video surface asks
:meth:`QtPlayer.subtitle_text` for the current cue. Frames go to :attr:`QtPlayer.on_frame`;
the player widget paints them, so they also show in ``QWidget.grab()`` screenshots.

Threads and the GIL: QMediaPlayer tears down and creates its decoder threads' objects
inside calls such as ``stop()`` and ``setSource()``, waiting for Qt's signal-slot locks;
meanwhile those threads call virtual functions of our Python-made objects, which need the
GIL. PySide keeps the GIL during such calls, so calling them from Python can deadlock (seen
in tests, about one run in five). Every command that changes the pipeline is therefore
queued as a C++ method call (:meth:`QtPlayer._call`) that the event loop runs without the
GIL. Properties that cannot be queued are left alone: audio-only stops converting and
painting frames but Qt keeps decoding them, and subtitle tracks inside the media file are
offered by the libvlc backend only.

Everything here runs on the GUI thread (QMediaPlayer needs an event loop), and events are
delivered on it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Q_ARG, QMetaObject, QObject, Qt, QUrl
from PySide6.QtMultimedia import QAudioOutput, QMediaFormat, QMediaPlayer, QVideoFrame, QVideoSink

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
from app.player.subtitles import CueList, load_subtitles

log = logging.getLogger(__name__)


class _Receiver(QObject):
    """Receives the Qt player's signals for a :class:`QtPlayer`. Frames are signalled from
    Qt's decoder thread and queued; with a QObject as the receiver, Qt drops deliveries
    still queued when it is deleted, instead of calling into a player already freed."""

    def __init__(self, player: QtPlayer, parent: QObject) -> None:
        super().__init__(parent)
        self.player: QtPlayer | None = player

    def playback_state(self, state: QMediaPlayer.PlaybackState) -> None:
        if self.player is not None:
            self.player._on_playback_state(state)

    def media_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if self.player is not None:
            self.player._on_media_status(status)

    def error(self, error: QMediaPlayer.Error, detail: str) -> None:
        if self.player is not None:
            self.player._on_error(error, detail)

    def position(self, milliseconds: int) -> None:
        if self.player is not None:
            self.player._on_position(milliseconds)

    def frame(self, frame: QVideoFrame) -> None:
        if self.player is not None:
            self.player._on_frame(frame)


class QtPlayer(Player):
    name = "qt"

    def __init__(self, events: PlayerEvents | None = None, parent: QObject | None = None) -> None:
        super().__init__(events)
        self._owner = QObject(parent)
        self._player = QMediaPlayer(self._owner)
        self._audio = QAudioOutput(self._owner)
        self._player.setAudioOutput(self._audio)
        self.video_sink = QVideoSink(self._owner)
        self._player.setVideoSink(self.video_sink)
        if hasattr(self._player, "setPitchCompensation"):  # Qt 6.10 and later
            self._player.setPitchCompensation(True)
        #: Called with each video frame to show (the widget's surface sets it).
        self.on_frame: Callable[[QVideoFrame], None] | None = None

        self._state = State.IDLE
        self._source: MediaSource | None = None
        self._start_at = 0.0
        self._loaded = False
        self._shown = False
        self._audio_only = False
        self._rate = 1.0
        self._volume = 100
        self._muted = False
        self._position = 0.0
        self._wanted_subtitle: str | None = None
        self._external: dict[str, CueList] = {}
        self._tracks: list[SubtitleTrack] = []
        self._restart_at: float | None = None
        self._released = False

        self._receiver = _Receiver(self, self._owner)
        self._player.playbackStateChanged.connect(self._receiver.playback_state)
        self._player.mediaStatusChanged.connect(self._receiver.media_status)
        self._player.errorOccurred.connect(self._receiver.error)
        self._player.positionChanged.connect(self._receiver.position)
        self.video_sink.videoFrameChanged.connect(self._receiver.frame)

    def _call(self, target: QObject, method: str, *args: Any) -> None:
        """Run ``target.method(*args)`` from the event loop, without the GIL (see the module
        documentation); calls run in the order they were made."""
        queued = Qt.ConnectionType.QueuedConnection
        if not QMetaObject.invokeMethod(target, method, queued, *args):
            log.warning("could not queue %s", method)

    # -- media ------------------------------------------------------------------------

    def load(self, source: MediaSource, autoplay: bool = True) -> None:
        self._source = source
        self._wanted_subtitle = source.subtitle
        self._external = {}
        for index, subtitle in enumerate(source.subtitles):
            try:
                cues = load_subtitles(subtitle.path)
            except Exception as exc:  # a bad file loses only its own track
                log.warning("cannot read subtitles %s: %s", subtitle.path, exc)
                continue
            self._external[external_key(index)] = CueList(cues)
        self._open(source.start_at, autoplay)

    def _open(self, start_at: float, autoplay: bool) -> None:
        source = self._source
        assert source is not None
        self._loaded = False
        self._shown = False
        self._start_at = self._position = max(0.0, start_at)
        self._restart_at = None
        self._rebuild_tracks()
        if not source.path.exists():
            self._call(self._player, "setSource", Q_ARG(QUrl, QUrl()))
            self._fail(missing_file_message())
            return
        self._set_state(State.LOADING)
        self._call(self._player, "setSource", Q_ARG(QUrl, QUrl.fromLocalFile(str(source.path))))
        self._call(self._player, "play" if autoplay else "pause")

    def release(self) -> None:
        if self._released:
            return
        self._released = True
        self._receiver.player = None
        self.on_frame = None
        self._call(self._player, "stop")
        self._call(self._player, "setSource", Q_ARG(QUrl, QUrl()))
        # Deleted by the event loop too, after the calls above.
        self._owner.deleteLater()

    # -- Qt signals -------------------------------------------------------------------

    def _set_state(self, state: State) -> None:
        if self._state != state:
            self._state = state
            self.events.state_changed(state)

    def _fail(self, message: str) -> None:
        self._state = State.ERROR
        self.events.state_changed(State.ERROR)
        self.events.error(message)

    def _on_playback_state(self, state: QMediaPlayer.PlaybackState) -> None:
        if self._state in (State.ERROR, State.ENDED, State.IDLE):
            return
        if state == QMediaPlayer.PlaybackState.PlayingState:
            self._set_state(State.PLAYING if self._loaded else State.LOADING)
        elif state == QMediaPlayer.PlaybackState.PausedState:
            self._set_state(State.PAUSED if self._loaded else State.LOADING)

    def _on_media_status(self, status: QMediaPlayer.MediaStatus) -> None:
        Status = QMediaPlayer.MediaStatus
        if status in (Status.LoadedMedia, Status.BufferedMedia) and not self._loaded:
            if self._state in (State.ERROR, State.IDLE):
                return
            self._loaded = True
            if self._start_at > 0:
                self._call(self._player, "setPosition",
                           Q_ARG("qint64", int(self._start_at * 1000)))
            self._call(self._player, "setPlaybackRate", Q_ARG(float, self._rate))
            self._rebuild_tracks()
            playing = self._player.playbackState() == QMediaPlayer.PlaybackState.PlayingState
            self._set_state(State.PLAYING if playing else State.PAUSED)
        elif status == Status.EndOfMedia and self._state != State.ERROR:
            self._position = self.duration()
            self.events.position_changed(self._position, self._position)
            self._set_state(State.ENDED)
        elif status == Status.InvalidMedia and self._state != State.ERROR:
            self._fail(unplayable_message())

    def _on_error(self, error: QMediaPlayer.Error, detail: str) -> None:
        if error != QMediaPlayer.Error.NoError and self._state != State.ERROR:
            log.info("Qt Multimedia error %s: %s", error, detail)
            self._fail(unplayable_message())

    def _on_position(self, milliseconds: int) -> None:
        if not self._loaded or self._state in (State.ERROR, State.IDLE, State.ENDED):
            return
        self._position = milliseconds / 1000
        self.events.position_changed(self._position, self.duration())

    def _on_frame(self, frame: QVideoFrame) -> None:
        if not frame.isValid() or self._audio_only:
            return
        if not self._shown:
            self._shown = True
            self.events.video_shown()
        if self.on_frame is not None:
            self.on_frame(frame)

    def _rebuild_tracks(self) -> None:
        tracks: list[SubtitleTrack] = []
        if self._source is not None:
            for index, subtitle in enumerate(self._source.subtitles):
                key = external_key(index)
                if key in self._external:
                    tracks.append(
                        SubtitleTrack(key, subtitle.label or subtitle.lang or key, subtitle.lang)
                    )
        self._tracks = tracks
        self.events.tracks_changed()

    # -- transport --------------------------------------------------------------------

    def play(self) -> None:
        if self._source is None:
            return
        if self._state in (State.ENDED, State.ERROR, State.IDLE):
            start = self._restart_at if self._restart_at is not None else 0.0
            self._open(start, autoplay=True)
            return
        self._call(self._player, "play")

    def pause(self) -> None:
        if self._state in (State.PLAYING, State.LOADING):
            self._call(self._player, "pause")

    def stop(self) -> None:
        self._restart_at = self.position() if self._state != State.ENDED else 0.0
        self._call(self._player, "stop")
        self._set_state(State.IDLE)

    def seek(self, seconds: float) -> None:
        seconds = max(0.0, seconds)
        duration = self.duration()
        if duration > 0:
            seconds = min(seconds, duration)
        if self._state in (State.ENDED, State.IDLE):
            self._restart_at = seconds
            self.events.position_changed(seconds, duration)
            return
        self._position = seconds
        if not self._loaded:
            self._start_at = seconds
            return
        self._call(self._player, "setPosition", Q_ARG("qint64", int(seconds * 1000)))

    def state(self) -> State:
        return self._state

    def position(self) -> float:
        if self._state in (State.ENDED, State.IDLE) and self._restart_at is not None:
            return self._restart_at
        return self._position

    def duration(self) -> float:
        return max(0, self._player.duration()) / 1000

    # -- speed and sound --------------------------------------------------------------

    def set_rate(self, rate: float) -> None:
        """Qt keeps the pitch (pitch compensation) from Qt 6.10 on."""
        self._rate = clamp_rate(rate)
        self._call(self._player, "setPlaybackRate", Q_ARG(float, self._rate))

    def rate(self) -> float:
        return self._rate

    def set_volume(self, volume: int) -> None:
        self._volume = max(0, min(100, int(volume)))
        self._call(self._audio, "setVolume", Q_ARG(float, self._volume / 100))

    def volume(self) -> int:
        return self._volume

    def set_muted(self, muted: bool) -> None:
        self._muted = bool(muted)
        self._call(self._audio, "setMuted", Q_ARG(bool, self._muted))

    def muted(self) -> bool:
        return self._muted

    # -- tracks -----------------------------------------------------------------------

    def subtitle_tracks(self) -> list[SubtitleTrack]:
        return list(self._tracks)

    def set_subtitle(self, key: str | None) -> None:
        self._wanted_subtitle = key
        self.events.tracks_changed()

    def subtitle(self) -> str | None:
        return self._wanted_subtitle

    def subtitle_text(self) -> str:
        """The subtitle text to show now ("" for none)."""
        cues = self._external.get(self._wanted_subtitle or "")
        return cues.text_at(self.position()) if cues is not None else ""

    def has_video(self) -> bool:
        return bool(self._player.hasVideo())

    def set_audio_only(self, audio_only: bool) -> None:
        self._audio_only = bool(audio_only)

    def audio_only(self) -> bool:
        return self._audio_only

    def video_enabled(self) -> bool:
        """Whether frames are being shown now; for tests."""
        return not self._audio_only


def supported_formats() -> list[str]:
    """Container formats Qt's decoder reads, for the About page."""
    formats = QMediaFormat().supportedFileFormats(QMediaFormat.ConversionMode.Decode)
    return sorted(QMediaFormat.fileFormatName(f) for f in formats)

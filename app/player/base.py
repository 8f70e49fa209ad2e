"""The player interface that every backend implements, with no Qt and no libvlc in it.

A player plays one :class:`MediaSource` at a time: a media file plus the external subtitle
files that go with it. It reports what happens through a :class:`PlayerEvents` object; a
backend may call those methods from any thread (libvlc calls them from its own event thread),
so a receiver that touches widgets must hand the calls over to its GUI thread.

Positions and durations are seconds (floats); volume is 0 to 100; the playback rate is
:data:`MIN_RATE` to :data:`MAX_RATE` with the pitch kept.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from app.i18n import _

MIN_RATE = 0.5
MAX_RATE = 2.0
#: The speeds a user can pick from the speed menu.
RATES = (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)


class State(StrEnum):
    IDLE = "idle"
    LOADING = "loading"
    PLAYING = "playing"
    PAUSED = "paused"
    ENDED = "ended"
    ERROR = "error"


@dataclass(frozen=True)
class SubtitleFile:
    """An external subtitle file (WebVTT or SRT) that goes with the media file.

    ``path`` must end in ``.vtt`` or ``.srt``: libvlc chooses its parser by extension.
    """

    path: Path
    lang: str | None = None
    label: str = ""


@dataclass(frozen=True)
class SubtitleTrack:
    """A subtitle track the user can choose: an external file or one inside the media."""

    key: str
    label: str
    lang: str | None = None
    external: bool = True


@dataclass(frozen=True)
class MediaSource:
    """What to play: the media file, its subtitles, where to start and which track to show."""

    path: Path
    subtitles: tuple[SubtitleFile, ...] = field(default_factory=tuple)
    start_at: float = 0.0
    subtitle: str | None = None  # key of the track to show first (see :func:`external_key`)
    title: str = ""


def external_key(index: int) -> str:
    """The track key of ``MediaSource.subtitles[index]``."""
    return f"file:{index}"


def clamp_rate(rate: float) -> float:
    return min(MAX_RATE, max(MIN_RATE, float(rate)))


def unplayable_message() -> str:
    return _(
        "This file cannot be played: it is damaged or in a format this player does not "
        "support. Try another resource, or ask the pack's author for a new copy."
    )


def missing_file_message() -> str:
    return _(
        "The media file is missing from the library. Import the pack again to restore it."
    )


class PlayerEvents:
    """Receives a player's reports. Override what you need; the defaults ignore them."""

    def state_changed(self, state: State) -> None:
        """Playing, paused, ended, failed..."""

    def position_changed(self, position: float, duration: float) -> None:
        """The playback position moved (a few times a second while playing, and on seeks)."""

    def tracks_changed(self) -> None:
        """The list of subtitle tracks or the chosen one changed."""

    def video_shown(self) -> None:
        """The first video frame is on screen (never called for audio)."""

    def error(self, message: str) -> None:
        """Playback failed; ``message`` is one translated sentence for the user."""


class Player(ABC):
    """A media player backend. Create one per player surface; :meth:`release` it when done."""

    #: Short name: "vlc" or "qt".
    name: str = ""

    def __init__(self, events: PlayerEvents | None = None) -> None:
        self.events = events or PlayerEvents()

    # -- media ------------------------------------------------------------------------

    @abstractmethod
    def load(self, source: MediaSource, autoplay: bool = True) -> None:
        """Open ``source`` (replacing what was loaded), starting at ``source.start_at``."""

    @abstractmethod
    def release(self) -> None:
        """Stop and free everything; the player cannot be used afterwards."""

    # -- transport --------------------------------------------------------------------

    @abstractmethod
    def play(self) -> None:
        """Play, or resume; after the end, start again from the beginning."""

    @abstractmethod
    def pause(self) -> None: ...

    def toggle(self) -> None:
        if self.state() == State.PLAYING:
            self.pause()
        else:
            self.play()

    @abstractmethod
    def stop(self) -> None: ...

    @abstractmethod
    def seek(self, seconds: float) -> None:
        """Jump to ``seconds`` (clamped to the media)."""

    def skip(self, seconds: float) -> None:
        """Jump ``seconds`` forward (or back, when negative) from the current position."""
        target = max(0.0, self.position() + seconds)
        duration = self.duration()
        if duration > 0:
            target = min(target, max(0.0, duration - 0.5))
        self.seek(target)

    @abstractmethod
    def state(self) -> State: ...

    @abstractmethod
    def position(self) -> float: ...

    @abstractmethod
    def duration(self) -> float:
        """Seconds, or 0 while unknown."""

    # -- speed and sound --------------------------------------------------------------

    @abstractmethod
    def set_rate(self, rate: float) -> None:
        """Playback speed from 0.5 to 2, keeping the pitch."""

    @abstractmethod
    def rate(self) -> float: ...

    @abstractmethod
    def set_volume(self, volume: int) -> None:
        """0 to 100."""

    @abstractmethod
    def volume(self) -> int: ...

    @abstractmethod
    def set_muted(self, muted: bool) -> None: ...

    @abstractmethod
    def muted(self) -> bool: ...

    # -- tracks -----------------------------------------------------------------------

    @abstractmethod
    def subtitle_tracks(self) -> list[SubtitleTrack]:
        """The subtitle tracks to choose from (external files first, in source order)."""

    @abstractmethod
    def set_subtitle(self, key: str | None) -> None:
        """Show the track with ``key``, or no subtitles for None."""

    @abstractmethod
    def subtitle(self) -> str | None:
        """The key of the track shown, or None."""

    @abstractmethod
    def has_video(self) -> bool:
        """Whether the media has a video track (known once playback has started)."""

    @abstractmethod
    def set_audio_only(self, audio_only: bool) -> None:
        """Stop (or resume) decoding and drawing the video, to save battery and CPU."""

    @abstractmethod
    def audio_only(self) -> bool: ...

"""Media metadata for the pack builder, read with libvlc.

The player already depends on libvlc, so the builder uses it too instead of adding ffprobe.
libvlc is optional at build time: without it a pack still builds, only without durations.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

#: How long libvlc may take to parse one file before we give up on its duration.
PARSE_TIMEOUT_MS = 10_000

_lock = threading.Lock()
_loaded = False
_vlc: Any = None
_instance: Any = None


def _libvlc() -> tuple[Any, Any] | None:
    """The ``vlc`` module and one shared instance, created on first use (it is costly)."""
    global _loaded, _vlc, _instance
    with _lock:
        if not _loaded:
            _loaded = True
            try:
                import vlc
            except (ImportError, OSError, NotImplementedError):
                return None
            _vlc = vlc
            _instance = vlc.Instance(
                "--intf=dummy", "--vout=dummy", "--aout=dummy", "--no-video-title-show"
            )
    if _vlc is None or _instance is None:
        return None
    return _vlc, _instance


def libvlc_available() -> bool:
    """Whether durations can be read at all, so callers can warn once instead of per file."""
    return _libvlc() is not None


def media_duration(path: Path, timeout_ms: int = PARSE_TIMEOUT_MS) -> float | None:
    """Seconds of audio or video in ``path``, or None when libvlc is missing or cannot tell."""
    loaded = _libvlc()
    if loaded is None:
        return None
    vlc, instance = loaded
    media = instance.media_new_path(str(path))
    if media is None:
        return None
    parsed = threading.Event()
    events = media.event_manager()

    def on_parsed(_event: object) -> None:
        parsed.set()

    events.event_attach(vlc.EventType.MediaParsedChanged, on_parsed)
    try:
        if media.parse_with_options(vlc.MediaParseFlag.local, timeout_ms) != 0:
            return None
        # libvlc enforces timeout_ms itself and then reports "timeout"; the margin only
        # guards against an event that never comes.
        if not parsed.wait(timeout_ms / 1000 + 5):
            media.parse_stop()
            return None
        if media.get_parsed_status() != vlc.MediaParsedStatus.done:
            return None
        milliseconds = media.get_duration()
    finally:
        events.event_detach(vlc.EventType.MediaParsedChanged)
        media.release()
    if milliseconds is None or milliseconds <= 0:
        return None
    return float(milliseconds) / 1000

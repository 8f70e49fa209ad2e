"""Subtitles as the player uses them: cues parsed by :mod:`app.subtitles`, looked up by time."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from app.formatting import clock as format_time
from app.subtitles import (
    Cue,
    clean_text,
    load_subtitles,
    parse_srt,
    parse_subtitles,
    parse_timestamp,
    parse_webvtt,
    read_subtitle_text,
)

__all__ = [
    "Cue", "CueList", "clean_text", "format_time", "load_subtitles", "parse_srt",
    "parse_subtitles", "parse_timestamp", "parse_webvtt", "read_subtitle_text",
]


class CueList:
    """Cues in start order with fast lookup of what is shown at a time."""

    def __init__(self, cues: Sequence[Cue]) -> None:
        self.cues = sorted(cues, key=lambda cue: (cue.start, cue.end))
        self._starts = [cue.start for cue in self.cues]
        self._longest = max((cue.end - cue.start for cue in self.cues), default=0.0)

    def __len__(self) -> int:
        return len(self.cues)

    def active(self, seconds: float) -> list[int]:
        """Indexes of the cues shown at ``seconds`` (overlapping cues are all shown)."""
        index = bisect.bisect_right(self._starts, seconds) - 1
        found = []
        while index >= 0 and self._starts[index] >= seconds - self._longest:
            cue = self.cues[index]
            if cue.start <= seconds < cue.end:
                found.append(index)
            index -= 1
        return found[::-1]

    def index_at(self, seconds: float) -> int | None:
        """The latest cue shown at ``seconds``, or None."""
        active = self.active(seconds)
        return active[-1] if active else None

    def text_at(self, seconds: float) -> str:
        return "\n".join(self.cues[index].text for index in self.active(seconds))

"""WebVTT and SRT subtitles as plain cues: the one parser behind the player (transcript panel,
Qt fallback) and the search index, so the words found are the words shown.

The parser is forgiving, like players are: a broken cue is skipped, not the whole file.
Text keeps its line breaks; markup (``<i>``, ``<v Speaker>``, ``<c.class>``, inline
timestamps, SRT's ``{\\an8}``) is removed and entities are decoded. Files are read as UTF-8
(with or without BOM); SRT files that are not valid UTF-8 are read as Windows-1252, which is
what most old subtitle editors wrote.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from app.errors import UjuziError
from app.i18n import _


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


_TIMING = re.compile(
    r"^\s*(?P<start>(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?)\s*-->\s*"
    r"(?P<end>(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?)(?:\s+.*)?$"
)
_TAG = re.compile(r"<[^>\n]*>")
_ASS_TAG = re.compile(r"\{\\[^}]*\}")
_BLANK_LINES = re.compile(r"\n\s*\n")


_STAMP = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?$")


def parse_timestamp(text: str) -> float:
    """``01:02:03.456``, ``02:03.456`` or SRT's ``01:02:03,456`` in seconds."""
    match = _STAMP.match(text.strip())
    if match is None:
        raise ValueError(f"not a timestamp: {text!r}")
    hours, minutes, seconds, fraction = match.groups()
    if int(minutes) >= 60 or int(seconds) >= 60:
        raise ValueError(f"not a timestamp: {text!r}")
    total = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    return total + (int(fraction.ljust(3, "0")) / 1000 if fraction else 0.0)


def clean_text(text: str) -> str:
    text = _ASS_TAG.sub("", text)
    text = _TAG.sub("", text)
    text = html.unescape(text).replace("\u00a0", " ")
    lines = [line.strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def _blocks(text: str) -> list[list[str]]:
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return [block.split("\n") for block in _BLANK_LINES.split(text.strip()) if block.strip()]


def _cue(lines: list[str]) -> Cue | None:
    """A cue from a block: optional identifier line(s), the timing line, then text."""
    for index, line in enumerate(lines):
        match = _TIMING.match(line)
        if match is None:
            continue
        try:
            start = parse_timestamp(match["start"])
            end = parse_timestamp(match["end"])
        except ValueError:
            return None
        text = clean_text("\n".join(lines[index + 1 :]))
        if not text or end < start:
            return None
        return Cue(start, end, text)
    return None


def parse_webvtt(text: str) -> list[Cue]:
    blocks = _blocks(text)
    if not blocks or not blocks[0][0].startswith("WEBVTT"):
        raise UjuziError(_("This is not a WebVTT file: it must start with 'WEBVTT'."))
    cues = []
    for block in blocks:
        if block[0].startswith(("WEBVTT", "NOTE", "STYLE", "REGION")):
            # The header may be followed directly by a cue in a sloppy file.
            block = block[1:] if block[0].startswith("WEBVTT") else []
        cue = _cue(block)
        if cue is not None:
            cues.append(cue)
    return sorted(cues, key=lambda cue: (cue.start, cue.end))


def parse_srt(text: str) -> list[Cue]:
    cues = [cue for block in _blocks(text) if (cue := _cue(block)) is not None]
    return sorted(cues, key=lambda cue: (cue.start, cue.end))


def parse_subtitles(text: str, fmt: str | None = None) -> list[Cue]:
    """Cues of a subtitle text; ``fmt`` is "vtt" or "srt", guessed from the text if None."""
    if fmt is None:
        fmt = "vtt" if text.lstrip("\ufeff \n").startswith("WEBVTT") else "srt"
    if fmt == "vtt":
        return parse_webvtt(text)
    if fmt == "srt":
        return parse_srt(text)
    raise ValueError(f"unknown subtitle format {fmt!r}")


def read_subtitle_text(path: Path) -> str:
    return decode_subtitles(path.read_bytes())


def decode_subtitles(data: bytes, cut: bool = False) -> str:
    """Subtitle bytes as text: UTF-8 (with or without BOM), else Windows-1252. ``cut`` says
    the bytes are a file's first part: a UTF-8 character cut at their end is dropped."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if cut and error.reason == "unexpected end of data":
            return data[: error.start].decode("utf-8-sig")
        return data.decode("cp1252", errors="replace")


def load_subtitles(path: Path, fmt: str | None = None) -> list[Cue]:
    """Cues of a subtitle file; the format comes from ``fmt``, the extension or the text."""
    if fmt is None and path.suffix.lower() in (".vtt", ".srt"):
        fmt = path.suffix.lower()[1:]
    return parse_subtitles(read_subtitle_text(path), fmt)

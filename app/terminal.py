"""Text for a terminal. Everything the command line prints passes through here, because
much of it comes from packs (titles, attribution, article text in snippets, file names) and
a pack must not drive the terminal: escape sequences can write the clipboard (OSC 52),
erase lines or move the cursor to fake messages, and direction overrides reorder what is
shown.

:class:`SafeStream` wraps ``sys.stdout`` and ``sys.stderr`` for the whole run of the CLI
and removes control characters from every write; the CLI's own sequences (bold search hits,
the progress line on a terminal) go through :meth:`SafeStream.control`. JSON output keeps
the text exactly, with those characters written as ``\\uXXXX`` escapes (:func:`json_text`).
"""

from __future__ import annotations

import json
import re
from typing import Any, Protocol, TextIO, cast

from app.i18n import _

#: C0 controls except tab and newline, DEL, C1 controls, and the bidi embeddings, overrides
#: and isolates (the LRM/RLM marks do not reorder text and are kept).
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

#: What ``json.dumps(..., ensure_ascii=False)`` leaves raw but a terminal may act on (it
#: already escapes C0); escaped as ``\uXXXX``, the JSON decodes to the same text.
_JSON_RAW = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def printable(text: str) -> str:
    """``text`` without the characters a terminal would act on; tabs and newlines stay."""
    return _UNPRINTABLE.sub("", text)


def json_text(data: Any) -> str:
    """Indented JSON, non-ASCII text kept readable, every control character escaped."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return _JSON_RAW.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


class SafeStream:
    """A text stream that writes :func:`printable` text to another one."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(printable(text))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def control(self, sequence: str) -> None:
        """Write a terminal sequence of the program's own, as it is."""
        self.stream.write(sequence)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def safe(stream: TextIO) -> TextIO:
    """``stream`` wrapped in a :class:`SafeStream` (once; no stream stays none)."""
    if stream is None or isinstance(stream, SafeStream):
        return stream
    return cast(TextIO, SafeStream(stream))


def control(stream: TextIO, sequence: str) -> None:
    """Write one of the program's own terminal sequences to ``stream``, wrapped or not."""
    writer = getattr(stream, "control", None)
    if callable(writer):
        writer(sequence)
    else:
        stream.write(sequence)


class _Progress(Protocol):
    """What the progress printer reads of :class:`app.tasks.Progress`."""

    @property
    def stage(self) -> str: ...
    @property
    def detail(self) -> str: ...
    @property
    def fraction(self) -> float: ...


class ProgressPrinter:
    """Progress of a command on ``stream`` (stderr): one line updated in place on a terminal,
    otherwise a line every 5% and a final one. A :class:`app.tasks.Reporter` callback."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.last: tuple[str, int] = ("", -1)
        self.tty = stream.isatty()

    def __call__(self, progress: _Progress) -> None:
        percent = int(progress.fraction * 100)
        key = (progress.stage, percent // (1 if self.tty else 5))
        if key == self.last:
            return
        self.last = key
        line = _("{stage}: {percent}% {detail}").format(
            stage=progress.stage, percent=percent, detail=progress.detail
        )
        if self.tty:
            control(self.stream, "\r\x1b[K")
            self.stream.write(line)
            if percent >= 100:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

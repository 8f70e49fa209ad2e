"""Plain text out of the files a pack carries, in pieces that know where they came from.

A :class:`Segment` is a run of text with its field (``body``, ``quiz``, ``pdf``,
``subtitles``, ``transcript``), its language and, where there is one, a position: the start
time of a subtitle cue or transcript line, the page of a PDF. Search shows the segment a hit
came from, so a hit in a subtitle jumps to the moment the words are spoken.

Every reader is defensive: a file that cannot be read gives no text (the resource is still
found by its title), never an exception, since a single odd file must not fail an import.
"""

from __future__ import annotations

import html
import json
import logging
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from app.packs.manifest import QUIZ_MIME
from app.subtitles import decode_subtitles, parse_subtitles

log = logging.getLogger(__name__)

#: Text beyond this many characters per file is not indexed (a 2,000-page PDF is 4 MB).
MAX_CHARS = 4_000_000


@dataclass(frozen=True, slots=True)
class Segment:
    field: str
    text: str
    lang: str | None = None
    start: float | None = None  # seconds, for subtitles and transcripts
    page: int | None = None  # 1-based, for PDFs


# -- HTML ------------------------------------------------------------------------------------

_BLOCK = {
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
    "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
}
_SKIP = {"script", "style", "template", "noscript", "head", "svg", "math"}


class _TextParser(HTMLParser):
    """Collects visible text; block elements become line breaks, alt text is kept."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag in _BLOCK:
            self.parts.append("\n")
        elif tag == "img" and not self.skipping:
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(f" {alt} ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_text(source: str) -> str:
    parser = _TextParser()
    try:
        parser.feed(source)
        parser.close()
    except Exception:  # html.parser is lenient; this is only a last resort
        log.warning("unreadable HTML", exc_info=True)
    return _tidy("".join(parser.parts))


def _tidy(text: str) -> str:
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    text = re.sub(r" *\n[\n ]*", "\n", text)
    return text.strip()


# -- Markdown --------------------------------------------------------------------------------


@cache
def _markdown_parser() -> Any:
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": True})
    parser.enable(["table", "strikethrough"])
    return parser


def markdown_text(source: str) -> str:
    """Markdown to plain text: rendered by markdown-it-py (as the article viewer does), then
    through the HTML parser, so link targets and markup never reach the index."""
    try:
        rendered = str(_markdown_parser().render(source))
    except Exception:  # a parser bug must not fail an import; index the raw text instead
        log.warning("unreadable Markdown", exc_info=True)
        rendered = html.escape(source)
    return html_text(rendered)


# -- quizzes ---------------------------------------------------------------------------------


def quiz_text(source: str) -> str:
    """Questions, choices, feedback, explanations and text answers, one per line."""
    try:
        document = json.loads(source)
    except ValueError:
        return ""
    lines: list[str] = []
    questions = document.get("questions") if isinstance(document, dict) else None
    for question in questions if isinstance(questions, list) else []:
        if not isinstance(question, dict):
            continue
        for key in ("prompt", "explanation"):
            if isinstance(question.get(key), str):
                lines.append(question[key])
        for choice in question.get("choices") or []:
            if isinstance(choice, dict):
                lines.extend(str(choice[k]) for k in ("text", "feedback")
                             if isinstance(choice.get(k), str))
        answer = question.get("answer")
        answers = answer if isinstance(answer, list) else [answer]
        lines.extend(a for a in answers if isinstance(a, str))
    return "\n".join(markdown_text(line) for line in lines)


# -- subtitles and transcripts ---------------------------------------------------------------

_LINE_TIME = re.compile(r"^\s*[\[(]?(?:(\d+):)?(\d{1,2}):(\d{2})(?:[.,]\d+)?[\])]?\s*[-–:]?\s*")


def subtitle_cues(source: str) -> list[tuple[float, str]]:
    """(start seconds, text on one line) of each cue of a WebVTT or SubRip file, as the
    player's parser (:mod:`app.subtitles`) reads it."""
    return [(cue.start, " ".join(cue.text.split("\n"))) for cue in parse_subtitles(source)]


def transcript_lines(source: str) -> list[tuple[float | None, str]]:
    """Lines of a plain-text transcript; a leading time (``[1:15]``, ``00:01:15``) is kept."""
    found: list[tuple[float | None, str]] = []
    for line in source.splitlines():
        if not line.strip():
            continue
        match = _LINE_TIME.match(line)
        if match and match.end() < len(line):
            hours, minutes, seconds = match.groups()
            start = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
            found.append((float(start), line[match.end():].strip()))
        else:
            found.append((None, line.strip()))
    return found


# -- PDF -------------------------------------------------------------------------------------

_HYPHENATED = re.compile(r"(\w)-\n(\w)")


def pdf_pages(path: Path) -> Iterator[tuple[int, str]]:
    """(page number, text) for each page with text. Broken PDFs give what could be read."""
    try:
        from pypdf import PdfReader
    except ImportError:  # pragma: no cover - pypdf is a dependency
        return
    pdf_log = logging.getLogger("pypdf")
    level = pdf_log.level
    pdf_log.setLevel(logging.CRITICAL)  # pypdf logs every odd object; broken PDFs are common
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(str(path), strict=False)
            total = 0
            for number, page in enumerate(reader.pages, start=1):
                try:
                    text = page.extract_text() or ""
                except Exception:
                    log.info("page %d of %s has no readable text", number, path)
                    continue
                total += len(text)
                if text.strip():
                    # Words hyphenated at a line end are joined again ("disap-\npointment").
                    yield number, _HYPHENATED.sub(r"\1\2", text)
                if total > MAX_CHARS:
                    break
    except Exception:
        log.info("cannot read PDF %s", path, exc_info=True)
    finally:
        pdf_log.setLevel(level)


# -- dispatch --------------------------------------------------------------------------------

_SUBTITLE_MIMES = {"text/vtt", "application/x-subrip", "text/srt", "application/srt"}


def _read_bytes(path: Path) -> bytes:
    with open(path, "rb") as stream:
        return stream.read(MAX_CHARS)


def _read_text(path: Path) -> str:
    return _read_bytes(path).decode("utf-8-sig", errors="replace")


def file_segments(path: Path, entry: dict[str, Any], lang: str | None) -> list[Segment]:
    """The text segments of one pack file (``entry`` as in the manifest), or ``[]``."""
    mime = str(entry.get("mime", "")).lower()
    role = entry.get("role")
    name = str(entry.get("path", "")).lower()
    lang = entry.get("lang") or lang
    try:
        if role == "subtitles" or mime in _SUBTITLE_MIMES or name.endswith((".vtt", ".srt")):
            data = _read_bytes(path)
            source = decode_subtitles(data, cut=len(data) == MAX_CHARS)
            return [Segment("subtitles", text, lang, start=start)
                    for start, text in subtitle_cues(source)]
        if role == "transcript":
            return [Segment("transcript", text, lang, start=start)
                    for start, text in transcript_lines(_read_text(path))]
        if role not in ("main", "attachment"):
            return []
        if mime == "application/pdf" or name.endswith(".pdf"):
            return [Segment("pdf", text, lang, page=page) for page, text in pdf_pages(path)]
        if mime == QUIZ_MIME or name.endswith(".quiz.json"):
            text = quiz_text(_read_text(path))
            return [Segment("quiz", text, lang)] if text else []
        if role != "main":
            return []
        if mime in ("text/html", "application/xhtml+xml") or name.endswith((".html", ".htm")):
            text = html_text(_read_text(path))
        elif mime == "text/markdown" or name.endswith((".md", ".markdown")):
            text = markdown_text(_read_text(path))
        elif mime == "text/plain" or name.endswith(".txt"):
            text = _read_text(path)
        else:
            return []
    except OSError:
        log.warning("cannot read %s for the search index", path, exc_info=True)
        return []
    return [Segment("body", text, lang)] if text.strip() else []

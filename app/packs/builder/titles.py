"""Titles and reading times: headings of Markdown and HTML articles, titles from file names."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from app.packs.builder.files import read_text
from app.packs.builder.model import Source
from app.packs.rules import HTML_EXTS, count_words, reading_seconds

_NUMBER_PREFIX = re.compile(r"^[0-9]+[-_. ]+(?=\S)")


def strip_number(name: str) -> str:
    return _NUMBER_PREFIX.sub("", name)


def humanize(name: str) -> str:
    """A title from a file or folder name: ``01-getting_started`` -> "Getting started"."""
    text = " ".join(strip_number(name).replace("-", " ").replace("_", " ").split())
    return text[:1].upper() + text[1:]


_ATX_HEADING = re.compile(r"^ {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT_RULE = re.compile(r"^ {0,3}=+[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def _clean_heading(text: str) -> str:
    text = _MARKDOWN_LINK.sub(r"\1", text)
    text = re.sub(r"[*`]|(?<!\w)_|_(?!\w)", "", text)
    return " ".join(text.split())


def _markdown_heading(text: str) -> str | None:
    """The first level-1 heading, skipping front matter and fenced code."""
    lines = text.splitlines()
    start = 0
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), 0)
        start = end + 1
    in_fence = False
    previous = ""
    for line in lines[start:]:
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence:
            match = _ATX_HEADING.match(line)
            if match and _clean_heading(match.group(1)):
                return _clean_heading(match.group(1))
            if _SETEXT_RULE.match(line) and previous.strip() and _clean_heading(previous):
                return _clean_heading(previous)
        previous = "" if in_fence else line
    return None


class _HtmlReader(HTMLParser):
    """Collects the first ``<h1>``, the ``<title>`` and the number of words shown."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, str] = {}
        self.words = 0
        self._capturing: str | None = None
        self._buffer: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        elif tag in ("h1", "title") and self._capturing is None and tag not in self.found:
            self._capturing, self._buffer = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden = max(0, self._hidden - 1)
        elif tag == self._capturing:
            text = " ".join("".join(self._buffer).split())
            if text:
                self.found[tag] = text
            self._capturing = None

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if self._capturing is not None:
            self._buffer.append(data)
        if self._capturing != "title":
            self.words += count_words(data)


def article_info(disk: Path, source: Source) -> tuple[str | None, int]:
    """An article's title (if it has a heading) and its reading time in seconds."""
    text = read_text(disk, source.path)
    if source.ext in HTML_EXTS:
        reader = _HtmlReader()
        reader.feed(text)
        reader.close()
        heading = reader.found.get("h1") or reader.found.get("title")
        return heading, reading_seconds(reader.words)
    return _markdown_heading(text), reading_seconds(count_words(text))

"""HTML that importers write into articles: sanitised, with references mapped into the pack.

Imported HTML comes from other systems and may carry scripts, event handlers, tracking
pixels and embedded players. Articles keep structure, text, images and links and nothing
that runs: :func:`sanitize` applies an allow-list (nh3, the Rust ``ammonia`` sanitiser).
Embedded frames (``<iframe>``, ``<embed>``, ``<object>``) cannot play offline; they become
plain links marked as online, and the caller reports them.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from html.parser import HTMLParser

import nh3

from app.i18n import _

_TAGS = set(nh3.ALLOWED_TAGS) | {"audio", "video", "source", "track", "section", "main"}
_ATTRIBUTES: dict[str, set[str]] = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": {"title", "lang", "dir"},
    "img": {"src", "alt", "width", "height", "title"},
    "a": {"href", "hreflang", "title"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "audio": {"src", "controls"},
    "video": {"src", "controls", "poster", "width", "height"},
    "source": {"src", "type"},
    "track": {"src", "kind", "srclang", "label"},
    "ol": {"start", "type"},
}
_URL_SCHEMES = {"http", "https", "mailto"}
_DROP_WITH_CONTENT = {"script", "style", "noscript", "template", "title"}

_REF_ATTR = re.compile(
    r"""(?P<attr>(?<![\w-])(?:src|href|poster)\s*=\s*)"""
    r"""(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<uq>[^\s>"']+))""",
    re.IGNORECASE,
)
_EMBED = re.compile(
    r"<(iframe|embed|object)\b[^>]*?(?:src|data)\s*=\s*[\"']?([^\"'\s>]+)[^>]*>"
    r"(?:.*?</\1\s*>)?",
    re.IGNORECASE | re.DOTALL,
)


def rewrite_refs(html: str, mapper: Callable[[str], str | None]) -> str:
    """Replace every ``src``/``href``/``poster`` value for which ``mapper`` returns a new value
    (HTML entities in values are decoded first, and the result is escaped)."""

    def replace(match: re.Match[str]) -> str:
        raw = match.group("dq") or match.group("sq") or match.group("uq") or ""
        value = html_lib.unescape(raw)
        new = mapper(value)
        if new is None:
            return match.group(0)
        return f'{match.group("attr")}"{html_lib.escape(new, quote=True)}"'

    return _REF_ATTR.sub(replace, html)


def replace_embeds(html: str, found: Callable[[str], None] | None = None) -> str:
    """Turn embedded frames into links to what they showed; ``found`` is told each URL."""

    def replace(match: re.Match[str]) -> str:
        url = html_lib.unescape(match.group(2))
        if url.startswith("//"):
            url = "https:" + url
        if found is not None:
            found(url)
        label = _("Embedded content (needs a connection): {url}").format(url=url)
        return (f'<p><a href="{html_lib.escape(watch_url(url), quote=True)}">'
                f"{html_lib.escape(label)}</a></p>")

    return _EMBED.sub(replace, html)


def watch_url(url: str) -> str:
    """A YouTube embed URL as the page a person would open; other URLs unchanged."""
    match = re.search(r"youtube(?:-nocookie)?\.com/embed/([A-Za-z0-9_-]{6,})", url)
    if match:
        return f"https://www.youtube.com/watch?v={match.group(1)}"
    return url


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=_TAGS,
        clean_content_tags=_DROP_WITH_CONTENT,
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def document(title: str, body: str, lang: str) -> str:
    """A complete, sanitised HTML page with ``title`` as its ``<h1>`` (the builder and the
    viewer take an article's title from its first heading)."""
    clean = sanitize(body)
    heading = f"<h1>{html_lib.escape(title)}</h1>\n" if title else ""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{html_lib.escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html_lib.escape(title)}</title>\n</head>\n<body>\n"
        f"{heading}{clean}\n</body>\n</html>\n"
    )


def note(text: str) -> str:
    """A visible remark the importer adds to an article (what could not be converted)."""
    return f'<aside class="import-note"><p><em>{html_lib.escape(text)}</em></p></aside>\n'


class _TextReader(HTMLParser):
    _SKIP = frozenset({"script", "style", "noscript", "template", "head"})
    _BLOCK = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
                        "section", "article", "blockquote", "pre", "table", "ul", "ol"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def text_of(html: str) -> str:
    """The readable text of an HTML fragment, with blocks on their own lines."""
    reader = _TextReader()
    reader.feed(html)
    reader.close()
    lines = (" ".join(line.split()) for line in "".join(reader.parts).splitlines())
    return "\n".join(line for line in lines if line)


def escape(text: str) -> str:
    return html_lib.escape(text)


# -- is there anything for a learner? -----------------------------------------------------------

#: Elements that show something even without text.
_MEDIA_TAGS = frozenset({"img", "video", "audio", "iframe", "embed", "object", "svg", "math",
                         "canvas", "picture"})
#: Controls, which do nothing once scripts are gone (articles run none).
_CONTROL_TAGS = frozenset({"button", "input", "select", "textarea", "form"})
_HIDDEN_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title", "link",
                          "meta"})
#: A page whose only text around script-driven controls is this short is a widget (a
#: "Was this useful?" row of buttons), not something to read.
WIDGET_WORDS = 12


class _ContentReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.in_control = 0
        self.words = 0
        self.media = 0
        self.scripted_controls = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            if tag not in ("link", "meta"):
                self.hidden += 1
        elif tag in _MEDIA_TAGS:
            self.media += 1
        elif tag in _CONTROL_TAGS:
            self.scripted_controls += 1
            if tag != "input":
                self.in_control += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _MEDIA_TAGS:
            self.media += 1
        elif tag in _CONTROL_TAGS:
            self.scripted_controls += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS and tag not in ("link", "meta"):
            self.hidden = max(0, self.hidden - 1)
        elif tag in _CONTROL_TAGS and tag != "input":
            self.in_control = max(0, self.in_control - 1)

    def handle_data(self, data: str) -> None:
        if not self.hidden and not self.in_control:
            self.words += len(data.split())


def learner_content(html: str) -> str | None:
    """Whether an HTML block carries anything for a learner reading offline: ``None`` when
    it does (any text of its own, however short, or a picture or media), ``"empty"`` when
    it holds nothing to see (empty, or only style sheets and scripts), ``"widget"`` when it
    is a few words around controls that only work with the online course's scripts (a
    "Do you find this page useful?" row of buttons)."""
    reader = _ContentReader()
    reader.feed(html)
    reader.close()
    if reader.media:
        return None
    if reader.scripted_controls and reader.words <= WIDGET_WORDS:
        return "widget"
    if reader.words == 0:
        return "empty"
    return None

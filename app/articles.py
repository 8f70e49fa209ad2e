"""Articles as safe HTML: Markdown rendered by markdown-it-py, everything sanitised by nh3.

Packs come from anywhere, so an article's HTML is never trusted: scripts, styles, event
handlers, forms and unknown URL schemes are removed. Links and images are rewritten so that
the viewer can follow them offline:

- a relative link to another file of the pack becomes ``ujuzi:resource/<resource id>``
  (with its ``#fragment``), when that file is a resource's main file;
- a relative image becomes ``pack:<path in the pack>``, which the viewer loads from the
  blob store; remote images are dropped (the app never fetches the network by itself);
- links to the web (``http``, ``https``, ``mailto``) stay as they are: the viewer asks
  before it opens the browser.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

EXTERNAL_SCHEMES = ("http", "https", "mailto")
RESOURCE_SCHEME = "ujuzi"
PACK_SCHEME = "pack"

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details",
    "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "u", "ul", "var",
}
_ATTRIBUTES = {
    "*": {"id", "lang", "dir", "title"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align"},
    "ol": {"start"},
}


@dataclass
class Rendered:
    html: str
    #: pack paths of the images the article shows
    images: list[str] = field(default_factory=list)
    #: resource ids the article links to
    links: list[str] = field(default_factory=list)


def _markdown(text: str) -> str:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True, "typographer": True})
    md.enable(["table", "strikethrough"])
    return str(md.render(text))


_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.IGNORECASE | re.DOTALL)


def render(
    text: str,
    mime: str,
    article_path: str,
    resource_for_path: Callable[[str], str | None],
) -> Rendered:
    """Render an article file's text (Markdown or HTML) to sanitised HTML.

    ``article_path`` is the article's path in the pack (relative links start from its
    folder); ``resource_for_path`` maps a pack path to the id of the resource whose main
    file it is, or None.
    """
    import nh3

    if "html" in mime:
        body = _BODY.search(text)
        source = body.group(1) if body else text
    else:
        source = _markdown(text)
    folder = posixpath.dirname(article_path)
    result = Rendered("")

    def inside(target: str) -> str | None:
        path = posixpath.normpath(posixpath.join(folder, unquote(target)))
        return None if path.startswith("../") or path == ".." or path.startswith("/") else path

    def rewrite(tag: str, attribute: str, value: str) -> str | None:
        if tag == "a" and attribute == "href":
            parts = urlsplit(value)
            if parts.scheme in EXTERNAL_SCHEMES:
                return value
            if parts.scheme or parts.netloc:
                return None
            if not parts.path:
                return value if parts.fragment else None
            path = inside(parts.path)
            resource = resource_for_path(path) if path else None
            if resource is None:
                return None
            result.links.append(resource)
            fragment = f"#{parts.fragment}" if parts.fragment else ""
            return f"{RESOURCE_SCHEME}:resource/{resource}{fragment}"
        if tag == "img" and attribute == "src":
            parts = urlsplit(value)
            if parts.scheme or parts.netloc or not parts.path:
                return None
            path = inside(parts.path)
            if path is None:
                return None
            result.images.append(path)
            return f"{PACK_SCHEME}:{path}"
        return value

    result.html = nh3.clean(
        source,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        attribute_filter=rewrite,
        url_schemes={*EXTERNAL_SCHEMES, RESOURCE_SCHEME, PACK_SCHEME},
        link_rel=None,
        clean_content_tags={"script", "style", "noscript", "iframe", "object", "template"},
    )
    return result


def resource_link_target(url: str) -> tuple[str, str] | None:
    """``ujuzi:resource/<id>#frag`` -> (id, fragment); None for other URLs."""
    prefix = f"{RESOURCE_SCHEME}:resource/"
    if not url.startswith(prefix):
        return None
    rest = url[len(prefix):]
    resource, _, fragment = rest.partition("#")
    return unquote(resource), fragment

"""Parsing untrusted XML (defusedxml: no entity expansion bombs, no external entities) and
walking it without caring about namespaces, which every version of every format spells
differently."""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from app.errors import PackError
from app.i18n import _

__all__ = ["MAX_XML_DEPTH", "Element", "child", "children", "descendants", "local", "parse",
           "text"]

#: Elements nested deeper than this are refused: real manifests and course files nest a few
#: dozen levels at most, and converters walk items recursively.
MAX_XML_DEPTH = 128


def parse(data: bytes | str, what: str) -> Element:
    """Parse ``data``; a clear :class:`PackError` naming ``what`` when it is not well-formed
    XML, uses forbidden constructs (entities, DTD tricks) or nests elements more than
    :data:`MAX_XML_DEPTH` deep."""
    try:
        root = SafeET.fromstring(data)
    except DefusedXmlException as exc:
        raise PackError(
            _("{what} uses XML features that are not allowed ({error}).")
            .format(what=what, error=type(exc).__name__)
        ) from None
    except SafeET.ParseError as exc:
        raise PackError(
            _("{what} is not well-formed XML: {error}").format(what=what, error=exc)
        ) from None
    _check_depth(root, what)
    return root


def _check_depth(root: Element, what: str) -> None:
    """Walk the tree without recursion and refuse it past :data:`MAX_XML_DEPTH` levels."""
    pending: list[tuple[Element, int]] = [(root, 1)]
    while pending:
        element, depth = pending.pop()
        if depth > MAX_XML_DEPTH:
            raise PackError(
                _("{what} has elements nested more than {limit} deep; it is refused.")
                .format(what=what, limit=MAX_XML_DEPTH)
            )
        pending.extend((c, depth + 1) for c in element)


def local(tag: object) -> str:
    """A tag or attribute name without its namespace (and lower-cased prefix forms kept)."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].split(":")[-1]


def children(element: Element, name: str) -> list[Element]:
    return [c for c in element if local(c.tag) == name]


def child(element: Element | None, name: str) -> Element | None:
    if element is None:
        return None
    for c in element:
        if local(c.tag) == name:
            return c
    return None


def descendants(element: Element, name: str) -> Iterator[Element]:
    for c in element.iter():
        if local(c.tag) == name:
            yield c


def text(element: Element | None) -> str:
    """All text inside ``element``, stripped."""
    if element is None:
        return ""
    return "".join(element.itertext()).strip()


def attr(element: Element, name: str, default: str = "") -> str:
    """An attribute by local name, whatever its namespace (``adlcp:scormtype`` is written
    ``scormType`` in SCORM 2004)."""
    lowered = name.lower()
    for key, value in element.attrib.items():
        if local(key).lower() == lowered:
            return value
    return default


def path_text(element: Element | None, *names: str) -> str:
    """The text at a chain of child names (``path_text(lom, "general", "title", "string")``)."""
    current = element
    for name in names:
        current = child(current, name)
        if current is None:
            return ""
    return text(current)

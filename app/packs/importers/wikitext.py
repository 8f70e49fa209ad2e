"""Wikitext → HTML, for pages imported from a MediaWiki (an XML export or ``.mw`` files).

This is not MediaWiki's parser and cannot be: templates, parser functions and Lua modules
need the wiki that defines them. What it renders is what tutorials and articles are made
of: headings, paragraphs, bold and italic, lists (nested, numbered, definitions),
preformatted text, tables, internal links (to pages of the same import, else to the wiki),
external links, ``<ref>`` footnotes with their list, ``<nowiki>``, ``<pre>``, ``<code>``,
``<math>`` (as code), and HTML tags (sanitised later). A few common inline templates are
rendered (``nowrap``, ``lang``, ``!``, ``ndash``, citations, ``main``...); the others are
dropped and reported, so a reader knows what is missing. Images cannot be shown (the files
are not in the export); their captions are kept and they are reported.

Parsing is done by mwparserfromhell; :class:`Renderer` turns its node tree into HTML in two
passes: inline markup first, then the line-based block structure.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import mwparserfromhell
from mwparserfromhell.nodes import (
    Argument,
    Comment,
    ExternalLink,
    Heading,
    HTMLEntity,
    Tag,
    Template,
    Text,
    Wikilink,
)
from mwparserfromhell.wikicode import Wikicode

_FILE_NAMESPACES = ("file", "image", "media", "datei", "fichier", "archivo", "imagen",
                    "bild", "picha", "faili")
_CATEGORY_NAMESPACES = ("category", "kategorie", "catégorie", "categoría", "jamii")
_IMAGE_OPTIONS = re.compile(
    r"^(thumb|thumbnail|frame|framed|frameless|border|left|right|center|centre|none|"
    r"upright(=.*)?|\d*x?\d+px|link=.*|alt=.*|page=.*|class=.*|lang=.*|baseline|sub|super|"
    r"top|text-top|middle|bottom|text-bottom)$",
    re.IGNORECASE,
)
_LANG_PREFIX = re.compile(r"^[a-z]{2,3}(-[a-z]+)?$")
_MAGIC = re.compile(r"__[A-Z]+__")
_BLOCK = re.compile(r"\x00B(\d+)\x00")
_INLINE_TAGS = {"b", "i", "u", "s", "strike", "del", "ins", "small", "big", "sup", "sub",
                "code", "tt", "kbd", "var", "samp", "span", "abbr", "cite", "q", "em",
                "strong", "font", "mark", "bdi", "dfn", "time"}
_BLOCK_TAGS = {"div", "blockquote", "center", "p", "ul", "ol", "li", "dl", "dt", "dd",
               "table", "tr", "td", "th", "caption", "h1", "h2", "h3", "h4", "h5", "h6",
               "hr", "section", "poem"}
_SIMPLE_SYMBOLS = {"!": "|", "=": "=", "ndash": "–", "mdash": "—", "snd": " – ",
                   "spaced ndash": " – ", "okina": "ʻ", "nbsp": "\u00a0", "·": " · ",
                   "dot": " · ", "middot": "·", "clear": "", "-": ""}
_PASSTHROUGH = {"nowrap", "nobr", "nowrap begin", "small", "smaller", "big", "larger", "em",
                "strong", "code", "kbd", "tt", "samp", "var", "mono", "noitalic", "nobold",
                "plainlist", "unbulleted list"}
_IGNORED = {"pd help page", "toc", "tocright", "tocleft", "notoc", "clear", "-", "reflist-talk",
            "use dmy dates", "use mdy dates", "short description", "defaultsort",
            "persondata", "authority control", "good article", "featured article"}
_CITATIONS = {"cite web", "cite news", "cite book", "cite journal", "cite press release",
              "citation", "cite magazine", "cite encyclopedia", "cite report", "cite av media",
              "cite conference", "cite thesis", "cite interview"}


@dataclass
class Rendered:
    html: str
    templates: list[str] = field(default_factory=list)  # names not expanded, in order, once
    images: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)


def normalize_title(title: str) -> str:
    """A page title as MediaWiki compares them: spaces for underscores, first letter upper."""
    title = " ".join(title.replace("_", " ").split())
    if ":" in title:
        namespace, _sep, rest = title.partition(":")
        rest = rest.strip()
        title = f"{namespace.strip().capitalize()}:{rest[:1].upper()}{rest[1:]}"
    return title[:1].upper() + title[1:]


def redirect_target(wikitext: str) -> str | None:
    """The target of a ``#REDIRECT [[X]]`` page or a ``{{softredirect|X}}`` stub."""
    match = re.match(r"\s*#\s*redirect\w*\s*:?\s*\[\[([^\]|#]+)", wikitext, re.IGNORECASE)
    if match:
        return match.group(1).strip()
    match = re.search(r"\{\{\s*soft\s*redirect\s*\|\s*([^}|]+)", wikitext, re.IGNORECASE)
    if match and len(_MAGIC.sub("", re.sub(r"\[\[Category:[^\]]*\]\]", "", re.sub(
            r"\{\{[^}]*\}\}", "", wikitext))).strip()) == 0:
        return match.group(1).strip()
    return None


class Renderer:
    """Renders one page. ``link`` maps a normalised page title to an href (or None: the
    title is not a page of the import, so it links to the wiki at ``wiki_url``)."""

    def __init__(self, page_title: str, link: Callable[[str], str | None],
                 wiki_url: str | None = None) -> None:
        self.page_title = page_title
        self.link = link
        self.wiki_url = wiki_url
        self.blocks: list[str] = []
        self.refs: list[str] = []
        self.refs_placed = False
        self.named_refs: dict[str, int] = {}
        self.result = Rendered("")

    # -- entry points -------------------------------------------------------------------------

    def render(self, wikitext: str) -> Rendered:
        code = mwparserfromhell.parse(_MAGIC.sub("", wikitext))
        body = self.fragment(code)
        if self.refs and not self.refs_placed:
            body += self.references()
        self.result.html = body
        return self.result

    def fragment(self, code: Wikicode) -> str:
        return self._blocks(self._inline(code))

    # -- inline pass --------------------------------------------------------------------------

    def _block(self, html: str) -> str:
        self.blocks.append(html)
        return f"\n\x00B{len(self.blocks) - 1}\x00\n"

    def _inline(self, code: Wikicode | Any) -> str:
        if code is None:
            return ""
        parts = [self._node(node) for node in code.nodes]
        return "".join(parts)

    def _node(self, node: Any) -> str:
        if isinstance(node, Text):
            return html_lib.escape(str(node.value), quote=False)
        if isinstance(node, Comment | Argument):
            return ""
        if isinstance(node, HTMLEntity):
            return str(node)
        if isinstance(node, Heading):
            level = max(2, min(6, node.level))
            return self._block(f"<h{level}>{self._inline(node.title).strip()}</h{level}>")
        if isinstance(node, Wikilink):
            return self._wikilink(node)
        if isinstance(node, ExternalLink):
            url = str(node.url).strip()
            label = self._inline(node.title).strip() if node.title else (
                "" if node.brackets else html_lib.escape(url))
            if not label:
                label = f"[{len(self.refs) + 1}]" if node.brackets else html_lib.escape(url)
            return f'<a href="{html_lib.escape(url, quote=True)}">{label}</a>'
        if isinstance(node, Template):
            return self._template(node)
        if isinstance(node, Tag):
            return self._tag(node)
        return html_lib.escape(str(node), quote=False)

    def _wikilink(self, node: Wikilink) -> str:
        target = str(node.title).strip()
        leading_colon = target.startswith(":")
        target = target.lstrip(":")
        namespace, sep, _rest = target.partition(":")
        ns = namespace.strip().lower()
        if sep and not leading_colon and ns in _FILE_NAMESPACES:
            name = target.split(":", 1)[1].strip()
            self.result.images.append(name)
            caption = ""
            if node.text is not None:
                options = [str(o) for o in str(node.text).split("|")]
                texts = [o for o in options if not _IMAGE_OPTIONS.match(o.strip())]
                if texts:
                    caption = self._inline(mwparserfromhell.parse(texts[-1])).strip()
            label = caption or html_lib.escape(name)
            return f'<span class="missing-image">[{label}]</span>'
        if sep and not leading_colon and ns in _CATEGORY_NAMESPACES:
            self.result.categories.append(target.split(":", 1)[1].strip())
            return ""
        if sep and not leading_colon and _LANG_PREFIX.match(ns) and " " not in ns:
            return ""  # interlanguage link
        page, _hash, anchor = target.partition("#")
        label = self._inline(node.text).strip() if node.text is not None else html_lib.escape(
            target)
        if not page:
            href: str | None = f"#{anchor}"
        else:
            href = self.link(normalize_title(page))
            if href is None and self.wiki_url:
                href = self.wiki_url + page.strip().replace(" ", "_")
            if href is not None and anchor:
                href += "#" + anchor.replace(" ", "_")
        if href is None:
            return label
        return f'<a href="{html_lib.escape(href, quote=True)}">{label}</a>'

    def _param(self, node: Template, name: str | int, default: str = "") -> str:
        key = str(name)
        if node.has(key):
            return self._inline(node.get(key).value).strip()
        return default

    def _template(self, node: Template) -> str:
        name = " ".join(str(node.name).strip().replace("_", " ").split())
        key = name.lower()
        if key.startswith(("#", "subst:", "safesubst:")) or "{" in key:
            self._dropped(name)
            return ""
        if key in _SIMPLE_SYMBOLS:
            return _SIMPLE_SYMBOLS[key]
        if key in ("pagename", "fullpagename", "basepagename", "subpagename"):
            return html_lib.escape(self.page_title)
        if key in ("reflist", "references", "refs"):
            self.refs_placed = True
            return self._block("\x00REFS\x00")
        if key in _PASSTHROUGH:
            return self._param(node, 1)
        if key == "lang":
            return self._param(node, 2)
        if key in ("main", "see also", "further", "details", "main article"):
            links = []
            for param in node.params:
                if not param.showkey:
                    title = str(param.value).strip()
                    node_link = mwparserfromhell.parse(f"[[{title}]]").nodes[0]
                    if isinstance(node_link, Wikilink):
                        links.append(self._wikilink(node_link))
            label = "Main article" if key.startswith("main") else "See also"
            return self._block(f"<p><em>{label}: " + ", ".join(links) + "</em></p>")
        if key in _CITATIONS:
            return self._citation(node)
        if key in ("birth date", "death date", "start date", "end date", "birth date and age",
                   "death date and age", "dts"):
            numbers = [self._param(node, i) for i in (1, 2, 3)]
            return "-".join(n for n in numbers if n)
        if key == "convert":
            return f"{self._param(node, 1)} {self._param(node, 2)}".strip()
        if key in ("quote", "quotation", "blockquote"):
            return self._block(f"<blockquote>{self._param(node, 1) or self._param(node, 'text')}"
                               "</blockquote>")
        if key not in _IGNORED:
            self._dropped(name)
        return ""

    def _dropped(self, name: str) -> None:
        if name not in self.result.templates:
            self.result.templates.append(name)

    def _citation(self, node: Template) -> str:
        author = self._param(node, "author") or " ".join(
            p for p in (self._param(node, "first"), self._param(node, "last")) if p)
        title = self._param(node, "title")
        url = str(node.get("url").value).strip() if node.has("url") else ""
        work = (self._param(node, "work") or self._param(node, "newspaper")
                or self._param(node, "journal") or self._param(node, "publisher"))
        date = self._param(node, "date") or self._param(node, "year")
        if url and title:
            title = f'<a href="{html_lib.escape(url, quote=True)}">{title}</a>'
        parts = [p for p in (author, f"“{title}”" if title else "", f"<i>{work}</i>"
                             if work else "", date) if p]
        return ". ".join(parts) + ("." if parts else "")

    def _tag(self, node: Tag) -> str:
        tag = str(node.tag).strip().lower()
        markup = node.wiki_markup
        if markup in ("'''", "''"):
            inner = self._inline(node.contents)
            return f"<b>{inner}</b>" if markup == "'''" else f"<i>{inner}</i>"
        if markup in ("*", "#", ":", ";"):
            return markup  # the block pass reads list markers at line starts
        if markup == "----" or tag == "hr":
            return self._block("<hr>")
        if tag == "table":
            return self._block(self._table(node))
        if tag == "ref":
            return self._ref(node)
        if tag == "references":
            self.refs_placed = True
            return self._block("\x00REFS\x00")
        if tag == "nowiki":
            return html_lib.escape(str(node.contents or ""), quote=False)
        if tag in ("pre", "source", "syntaxhighlight"):
            return self._block(f"<pre>{html_lib.escape(str(node.contents or ''))}</pre>")
        if tag in ("math", "chem", "ce"):
            return f"<code>{html_lib.escape(str(node.contents or ''))}</code>"
        if tag == "gallery":
            for line in str(node.contents or "").splitlines():
                name = line.split("|", 1)[0].strip()
                if name:
                    self.result.images.append(name.split(":", 1)[-1])
            return ""
        if tag == "br":
            return "<br>"
        if tag in ("noinclude", "includeonly", "onlyinclude"):
            return self._inline(node.contents) if tag != "includeonly" else ""
        if tag in _INLINE_TAGS:
            if node.self_closing:
                return ""
            return f"<{tag}>{self._inline(node.contents)}</{tag}>"
        if tag in _BLOCK_TAGS:
            if node.self_closing:
                return ""
            inner = self.fragment(node.contents) if node.contents is not None else ""
            name = "div" if tag == "poem" else tag
            return self._block(f"<{name}>{inner}</{name}>")
        # Unknown extension tags (<categorytree>, <inputbox>...) show nothing.
        return ""

    def _ref(self, node: Tag) -> str:
        name = ""
        for attribute in node.attributes:
            if str(attribute.name).strip().lower() == "name":
                name = str(attribute.value).strip().strip('"')
        if name and name in self.named_refs and (node.self_closing or not node.contents):
            number = self.named_refs[name]
        else:
            self.refs.append(self._inline(node.contents).strip() if node.contents else "")
            number = len(self.refs)
            if name:
                self.named_refs[name] = number
        return f'<sup class="reference">[{number}]</sup>'

    def references(self) -> str:
        if not self.refs:
            return ""
        items = "".join(f"<li>{ref}</li>" for ref in self.refs)
        return f'<ol class="references">{items}</ol>'

    def _table(self, node: Tag) -> str:
        rows: list[str] = []
        cells: list[str] = []
        caption = ""
        for child in node.contents.nodes if node.contents is not None else []:
            if not isinstance(child, Tag):
                continue
            tag = str(child.tag).lower()
            if tag == "tr":
                if cells:
                    rows.append("<tr>" + "".join(cells) + "</tr>")
                    cells = []
                row_cells = [self._cell(c) for c in (child.contents.nodes if child.contents
                                                     is not None else [])
                             if isinstance(c, Tag) and str(c.tag).lower() in ("td", "th")]
                if row_cells:
                    rows.append("<tr>" + "".join(row_cells) + "</tr>")
            elif tag in ("td", "th"):
                cells.append(self._cell(child))
            elif tag == "caption":
                caption = f"<caption>{self._inline(child.contents).strip()}</caption>"
        if cells:
            rows.append("<tr>" + "".join(cells) + "</tr>")
        return f"<table>{caption}{''.join(rows)}</table>"

    def _cell(self, node: Tag) -> str:
        tag = str(node.tag).lower()
        attrs = ""
        for attribute in node.attributes:
            key = str(attribute.name).strip().lower()
            if key in ("colspan", "rowspan"):
                value = re.sub(r"\D", "", str(attribute.value))
                if value:
                    attrs += f' {key}="{value}"'
        inner = (self._blocks(self._inline(node.contents).lstrip(" \t"))
                 if node.contents is not None else "")
        inner = re.sub(r"^<p>(.*)</p>$", r"\1", inner.strip(), flags=re.DOTALL)
        return f"<{tag}{attrs}>{inner}</{tag}>"

    # -- block pass ---------------------------------------------------------------------------

    def _blocks(self, text: str) -> str:
        out: list[str] = []
        paragraph: list[str] = []
        pre: list[str] = []
        lists: list[str] = []  # open list tags, outermost first: "ul", "ol", "dl"

        def close_paragraph() -> None:
            if paragraph:
                content = " ".join(line.strip() for line in paragraph).strip()
                if content:
                    out.append(f"<p>{content}</p>")
                paragraph.clear()

        def close_pre() -> None:
            if pre:
                out.append("<pre>" + "\n".join(pre) + "</pre>")
                pre.clear()

        def close_lists(depth: int = 0) -> None:
            while len(lists) > depth:
                out.append(f"</li></{lists.pop()}>" if lists[-1] != "dl" else f"</{lists.pop()}>")

        for line in text.split("\n"):
            block = _BLOCK.fullmatch(line.strip())
            if block:
                close_paragraph()
                close_pre()
                close_lists()
                out.append(self._resolve(int(block.group(1))))
                continue
            marker = re.match(r"^([*#:;]+)\s*", line)
            if marker:
                close_paragraph()
                close_pre()
                markers = marker.group(1)
                content = line[marker.end():].strip()
                kinds = ["ol" if m == "#" else "ul" if m == "*" else "dl" for m in markers]
                common = 0
                while common < min(len(kinds), len(lists)) and kinds[common] == lists[common]:
                    common += 1
                close_lists(common)
                if len(lists) == len(kinds):
                    if lists[-1] != "dl":
                        out.append("</li>")
                else:
                    while len(lists) < len(kinds):
                        kind = kinds[len(lists)]
                        out.append(f"<{kind}>")
                        lists.append(kind)
                last = markers[-1]
                if last == ";":
                    term, _sep, definition = content.partition(" : ")
                    out.append(f"<dt>{term.strip()}</dt>")
                    if definition:
                        out.append(f"<dd>{definition.strip()}</dd>")
                elif last == ":":
                    out.append(f"<dd>{content}</dd>")
                else:
                    out.append(f"<li>{content}")
                continue
            close_lists()
            if line.startswith(" ") and line.strip():
                close_paragraph()
                pre.append(line[1:])
                continue
            close_pre()
            if not line.strip():
                close_paragraph()
                continue
            paragraph.append(line)
        close_paragraph()
        close_pre()
        close_lists()
        html = "\n".join(out)
        return _BLOCK.sub(lambda m: self._resolve(int(m.group(1))), html)

    def _resolve(self, index: int) -> str:
        block = self.blocks[index]
        if block == "\x00REFS\x00":
            return self.references()
        return _BLOCK.sub(lambda m: self._resolve(int(m.group(1))), block)


def render(wikitext: str, title: str, link: Callable[[str], str | None],
           wiki_url: str | None = None) -> Rendered:
    return Renderer(title, link, wiki_url).render(wikitext)

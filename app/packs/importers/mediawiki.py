"""MediaWiki pages → a pack of articles: a ``Special:Export`` XML file, or wikitext files
(``.mw``, ``.wiki``, ``.wikitext``; one file, or a folder of them).

- Content pages (the main namespace, Project, Help, Portal, Book and other even-numbered
  namespaces that are not technical) become articles, their latest revision's wikitext
  rendered to sanitised HTML by :mod:`app.packs.importers.wikitext`; links between imported
  pages stay inside the pack, other links go to the wiki.
- Redirects and soft redirects are reported, as are template, module, category, file, user
  and talk pages (counted per namespace), templates that were not expanded (per page) and
  images (their files are not in an export).
- The XML is read as a stream, so a large export is not loaded into memory.
- Licence: text from a Wikimedia wiki (wikipedia.org, mediawiki.org, ...) is CC BY-SA,
  3.0 for revisions before 29 June 2023 and 4.0 after (the projects' terms of use); pages
  that carry ``{{PD Help Page}}`` are public domain. Anything else is ``NOASSERTION``.
  Attribution names the wiki, the pages and their last editors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any
from urllib.parse import quote, urlsplit

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from app.errors import PackError
from app.i18n import _, ngettext
from app.library import Library
from app.packs.importers.common import (
    ImportReport,
    PackDraft,
    finish,
    language_tag,
    pack_id,
    unique,
)
from app.packs.importers.sources import SourceTree
from app.packs.importers.wikitext import normalize_title, redirect_target, render
from app.packs.importers.xmlutil import local
from app.packs.rules import natural_key, slugify
from app.tasks import Reporter

_WIKITEXT_EXTS = (".mw", ".wiki", ".wikitext", ".mediawiki")
_CONTENT_NAMESPACES = {0, 4, 12, 100, 102, 104, 108}
_WIKIMEDIA_HOSTS = ("wikipedia.org", "wikibooks.org", "wikiversity.org", "wikivoyage.org",
                    "wiktionary.org", "wikinews.org", "wikiquote.org", "wikisource.org",
                    "wikimedia.org", "mediawiki.org", "wikidata.org", "wikifunctions.org")
_CC4_SINCE = "2023-06-29"
_NS_PREFIXES = ("Help", "Manual", "Project", "Wikipedia", "Meta", "Extension", "Portal")
_PD_TEMPLATE = re.compile(r"\{\{\s*PD[ _]Help[ _]Page\s*\}\}", re.IGNORECASE)


@dataclass
class Page:
    title: str
    namespace: int
    text: str
    timestamp: str = ""
    contributor: str = ""
    redirect: str | None = None


@dataclass
class Site:
    name: str = ""
    base: str = ""
    language: str = "en"
    namespaces: dict[int, str] = field(default_factory=dict)

    @property
    def wiki_url(self) -> str | None:
        """The URL pages live under (``https://en.wikipedia.org/wiki/``)."""
        if not self.base:
            return None
        return self.base.rsplit("/", 1)[0] + "/"

    @property
    def host(self) -> str:
        return urlsplit(self.base).hostname or ""


def _child_text(element: Any, name: str) -> str:
    for node in element:
        if local(node.tag) == name:
            return node.text or ""
    return ""


_INTEGER = re.compile(r"\s*-?[0-9]+\s*")


def _namespace_key(key: str) -> int:
    """A ``<namespace key="...">``: a number in every export MediaWiki writes."""
    if not _INTEGER.fullmatch(key):
        raise PackError(
            _("The export's list of namespaces is not valid: the namespace key {key!r} is not "
              "a number.").format(key=key[:50])
        )
    return int(key)


def read_export(stream: IO[bytes]) -> tuple[Site, list[Page]]:
    """Read a ``Special:Export`` file: its site information and each page's latest revision."""
    site = Site()
    pages: list[Page] = []
    try:
        for event, element in SafeET.iterparse(stream, events=("start", "end")):
            tag = local(element.tag)
            if event == "start":
                if tag == "mediawiki":
                    site.language = language_tag(
                        element.get("{http://www.w3.org/XML/1998/namespace}lang"), "en")
                continue
            if tag == "siteinfo":
                site.name = _child_text(element, "sitename")
                site.base = _child_text(element, "base")
                for node in element.iter():
                    if local(node.tag) == "namespace" and node.get("key"):
                        site.namespaces[_namespace_key(node.get("key", ""))] = node.text or ""
                element.clear()
            elif tag == "page":
                revisions = [n for n in element if local(n.tag) == "revision"]
                latest = revisions[-1] if revisions else None
                text = _child_text(latest, "text") if latest is not None else ""
                contributor = ""
                if latest is not None:
                    for node in latest:
                        if local(node.tag) == "contributor":
                            contributor = (_child_text(node, "username")
                                           or _child_text(node, "ip"))
                redirect = None
                for node in element:
                    if local(node.tag) == "redirect":
                        redirect = node.get("title") or ""
                namespace = _child_text(element, "ns")
                pages.append(Page(
                    title=_child_text(element, "title"),
                    namespace=int(namespace) if _INTEGER.fullmatch(namespace) else 0,
                    text=text,
                    timestamp=_child_text(latest, "timestamp") if latest is not None else "",
                    contributor=contributor,
                    redirect=redirect,
                ))
                element.clear()
    except DefusedXmlException as exc:
        raise PackError(_("The export uses XML features that are not allowed ({error}).")
                        .format(error=type(exc).__name__)) from None
    except SafeET.ParseError as exc:
        raise PackError(_("The export is not well-formed XML: {error}").format(error=exc)
                        ) from None
    if not site.name and not pages:
        raise PackError(_("This XML file is not a MediaWiki export (no pages)."))
    return site, pages


def _title_from_name(name: str) -> str:
    """``Help-Editing_pages.mw`` → ``Help:Editing pages`` (file names cannot hold colons)."""
    stem = PurePosixPath(name).name
    for ext in _WIKITEXT_EXTS:
        if stem.lower().endswith(ext):
            stem = stem[: -len(ext)]
    for prefix in _NS_PREFIXES:
        for sep in ("-", "_", ":"):
            if stem.startswith(prefix + sep) and len(stem) > len(prefix) + 1:
                return normalize_title(f"{prefix}:{stem[len(prefix) + 1:]}")
    return normalize_title(stem)


def _display(title: str) -> str:
    namespace, sep, rest = title.partition(":")
    return rest if sep and namespace in _NS_PREFIXES else title


def _convert_pages(library: Library, path: Path, staging: Path, reporter: Reporter,
                   site: Site, pages: list[Page], ident: str) -> ImportReport:
    draft = PackDraft("mediawiki", staging, site.language)
    content: list[Page] = []
    by_namespace: dict[int, int] = {}
    for page in pages:
        if page.namespace not in _CONTENT_NAMESPACES:
            by_namespace[page.namespace] = by_namespace.get(page.namespace, 0) + 1
            continue
        target = page.redirect if page.redirect is not None else redirect_target(page.text)
        if target is not None and (page.redirect is not None or len(page.text) < 2000):
            draft.skip(page.title, _("a redirect to {target}").format(target=target or "?"))
            continue
        content.append(page)
    for namespace, count in sorted(by_namespace.items()):
        name = site.namespaces.get(namespace) or str(namespace)
        reason = (_("template pages are not articles, and templates are not expanded")
                  if namespace == 10 else _("not a content namespace"))
        draft.skip(ngettext("{count} page in namespace {name}",
                            "{count} pages in namespace {name}",
                            count).format(count=count, name=name),
                   reason)
    taken: set[str] = set()
    paths = {normalize_title(p.title): f"pages/{unique(slugify(p.title) or 'page', taken)}.html"
             for p in content}
    section = draft.section(site.name or path.stem, "pages")
    for done, page in enumerate(content, start=1):
        page_path = paths[normalize_title(page.title)]

        def link(title: str, here: str = page_path) -> str | None:
            target = paths.get(title)
            if target is None:
                return None
            return quote(PurePosixPath(target).name) if target != here else "#"

        rendered = render(page.text, page.title, link, site.wiki_url)
        if rendered.templates:
            shown = ", ".join(rendered.templates[:12])
            more = len(rendered.templates) - 12
            draft.skip(page.title, _("templates not expanded: {names}").format(
                names=shown + (f" (+{more})" if more > 0 else "")))
        if rendered.images:
            draft.skip(page.title, ngettext("{count} image is not in the export: {names}",
                                            "{count} images are not in the export: {names}",
                                            len(rendered.images)).format(
                count=len(rendered.images), names=", ".join(rendered.images[:8])))
        source_url = (site.wiki_url + quote(page.title.replace(" ", "_"))
                      if site.wiki_url else None)
        draft.add_article(section, page_path, _display(page.title), rendered.html,
                          base_id=PurePosixPath(page_path).stem, url=source_url)
        reporter.report("convert", done, len(content), page.title)
    contributors = sorted({p.contributor for p in content if p.contributor})
    fields: dict[str, Any] = {
        "id": ident,
        "title": {site.language: _display(content[0].title) if len(content) == 1
                  else (site.name or path.stem)} if content else {site.language: path.stem},
        "license": _licence(site, content),
        "attribution": _attribution(site, content, contributors),
        "authors": [{"name": name} for name in contributors[:50]],
        "source": path.name,
    }
    return finish(library, draft, fields, path, reporter)


def _licence(site: Site, pages: list[Page]) -> str | None:
    if pages and all(_PD_TEMPLATE.search(p.text) for p in pages):
        return "LicenseRef-PublicDomain"
    host = site.host
    if host and any(host == h or host.endswith("." + h) for h in _WIKIMEDIA_HOSTS):
        latest = max((p.timestamp for p in pages if p.timestamp), default="")
        return "CC-BY-SA-4.0" if not latest or latest[:10] >= _CC4_SINCE else "CC-BY-SA-3.0"
    return None


def _attribution(site: Site, pages: list[Page], contributors: list[str]) -> str:
    titles = ", ".join(p.title for p in pages[:20]) + (" …" if len(pages) > 20 else "")
    where = " ".join(p for p in (site.name, f"({site.wiki_url})" if site.wiki_url else "") if p)
    text = _("From {site}: {titles}.").format(site=where or _("a MediaWiki wiki"),
                                              titles=titles)
    if contributors:
        text += " " + _("Last edited by {names}; see each page's history for all authors.") \
            .format(names=", ".join(contributors[:20]))
    return text


def convert(library: Library, path: Path, tree: SourceTree | None, staging: Path,
            reporter: Reporter) -> ImportReport:
    if tree is None:
        if path.name.lower().endswith(_WIKITEXT_EXTS):
            text = path.read_bytes().decode("utf-8-sig", "replace")
            page = Page(_title_from_name(path.name), 12 if path.name.startswith("Help") else 0,
                        text)
            site = Site(name=_display(page.title))
            return _convert_pages(library, path, staging, reporter, site, [page],
                                  pack_id("wiki", path.stem))
        max_bytes = int(library.settings.get("max_pack_bytes"))
        if path.stat().st_size > max_bytes:
            raise PackError(_("{name} is larger than the size limit.").format(name=path.name))
        with open(path, "rb") as stream:
            site, pages = read_export(stream)
        host = site.host.replace(".", "-")
        return _convert_pages(library, path, staging, reporter, site, pages,
                              pack_id("wiki", host, path.stem) if host else pack_id("wiki",
                                                                                     path.stem))
    names = sorted((n for n in tree.names() if n.lower().endswith(_WIKITEXT_EXTS)),
                   key=natural_key)
    pages = []
    for name in names:
        title = _title_from_name(name)
        pages.append(Page(title, 12 if title.startswith("Help:") else 0, tree.read_text(name)))
    site = Site(name=path.name)
    return _convert_pages(library, path, staging, reporter, site, pages,
                          pack_id("wiki", path.name))

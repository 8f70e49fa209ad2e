"""The ZIMs' own indexes in the library's search.

A ZIM (a whole offline Wikipedia, up to ~100 GB) carries a Xapian full-text index and a title
index. A big ZIM's articles are not resources of their own (its pack lists the main page and
one "All articles (search)" resource), and our index holds only the titles of the resources a
pack does list; so the library's search asks each installed ZIM too
(:func:`app.search.query.search`):

- full text: ``libzim.search.Searcher`` with the words as typed (Xapian's own stemming and
  folding); the estimate of its matches counts in the total and the facets;
- titles: ``libzim.suggestion.SuggestionSearcher`` while the last word is being typed (it
  completes titles; then a title match and a full-text match alternate, the title first),
  and when the full text finds nothing or the ZIM has no full-text index;
- each hit names its ZIM entry (``Hit.entry``) and the resource that opens it: the resource
  that shows that entry when the pack lists it, else the pack's index (or main page) resource,
  which the viewer opens at that entry.

Opening a ZIM's searchers is costly (Xapian databases inside the file), so they are kept per
open archive (:func:`_opened`), each with a lock (a Xapian database is used by one thread at
a time). Only the hits of the page shown are read from the ZIM, and their snippets are cut
within a time budget per ZIM: past it, hits are listed with their titles only, so a 100 GB
ZIM answers as fast as its index does, as in Kiwix.
"""

from __future__ import annotations

import html
import json
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import TYPE_CHECKING

from app.search.analysis import QUOTED, word_pattern

if TYPE_CHECKING:
    from libzim.reader import Archive
    from libzim.search import Search, Searcher
    from libzim.suggestion import SuggestionSearch, SuggestionSearcher

    from app.library import Library

log = logging.getLogger(__name__)

#: As in app.packs.importers, not imported from there: that package takes ~30 ms to import,
#: which a search of a library without ZIMs need not pay.
ZIM_MIME = "application/x-zim"
URL_PREFIX = "zim://"
#: Seconds a ZIM may spend on the snippets of one page of results.
BUDGET = 0.25
#: Bytes of an article read for its snippet (a long Wikipedia article is 1 MB of HTML).
SNIPPET_BYTES = 256_000
#: Searchers kept open.
OPEN_ZIMS = 16
#: Up to this many matches, a ZIM's estimate is checked by listing them (Xapian's estimate of
#: a query of several words is a guess); beyond it, the estimate is the count.
COUNTED = 500


@dataclass(frozen=True)
class ZimSource:
    """One installed ZIM, as search needs it."""

    pack_id: str
    path: Path  # the ZIM in the blob store
    lang: str  # from the ZIM's metadata (the pack's language)
    skills: str  # the pack's skills, " a b " as in search_docs
    by_entry: dict[str, str] = field(hash=False, compare=False)  # entry -> listed resource
    fallback: str | None = None  # the resource that opens any entry (the index)

    def resource_for(self, entry: str) -> str | None:
        return self.by_entry.get(entry, self.fallback)


@dataclass
class ZimMatches:
    """What one ZIM found: entry paths best first (resolved, articles only), its estimate of
    how many match, and whether that count is exact (every match was fetched)."""

    source: ZimSource
    paths: list[str]
    estimate: int
    exact: bool


# -- the installed ZIMs -----------------------------------------------------------------------

_sources: dict[str, tuple[int, list[ZimSource]]] = {}
_sources_lock = threading.Lock()


def sources(library: Library) -> list[ZimSource]:
    """The library's ZIMs, cached until the index changes (an import or a removal)."""
    from app.search.index import generation

    db = library.db
    key = str(db.execute("PRAGMA database_list").fetchone()[2])
    current = generation(db)
    cached = _sources.get(key)
    if cached is not None and cached[0] == current:
        return cached[1]
    found: list[ZimSource] = []
    rows = db.execute(
        "SELECT DISTINCT f.pack_id, f.sha256 FROM files f WHERE f.mime = ? "
        "ORDER BY f.pack_id", (ZIM_MIME,)).fetchall()
    for pack_id, sha256 in rows:
        by_entry: dict[str, str] = {}
        fallback: str | None = None
        lang = ""
        for resource_id, url, resource_lang in db.execute(
            "SELECT id, url, lang FROM resources WHERE pack_id = ? ORDER BY position",
            (pack_id,),
        ):
            if url is None or not url.startswith(URL_PREFIX):
                continue
            entry = url[len(URL_PREFIX):]
            lang = lang or resource_lang or ""
            by_entry.setdefault(entry, resource_id)
            if fallback is None or entry == "":
                fallback = resource_id
        manifest = db.execute("SELECT manifest FROM packs WHERE id = ?", (pack_id,)).fetchone()
        skills = json.loads(manifest[0]).get("skills") or [] if manifest else []
        found.append(ZimSource(pack_id, library.blobs.path_for(sha256), lang,
                               f" {' '.join(skills)} " if skills else "", by_entry,
                               fallback))
    with _sources_lock:
        _sources[key] = (current, found)
    return found


# -- open archives ----------------------------------------------------------------------------


@dataclass
class _Opened:
    archive: Archive
    searcher: Searcher | None
    suggester: SuggestionSearcher | None
    lock: threading.Lock = field(default_factory=threading.Lock)


_open: OrderedDict[str, _Opened] = OrderedDict()
_open_lock = threading.Lock()


def _opened(path: Path) -> _Opened:
    """The archive and its searchers, opened once and kept (the OPEN_ZIMS last used)."""
    key = str(path)
    with _open_lock:
        found = _open.get(key)
        if found is not None:
            _open.move_to_end(key)
            return found
    from libzim.search import Searcher
    from libzim.suggestion import SuggestionSearcher

    from app.packs.importers.zim import open_zim

    archive = open_zim(path)
    opened = _Opened(archive,
                     Searcher(archive) if archive.has_fulltext_index else None,
                     SuggestionSearcher(archive) if archive.has_title_index else None)
    with _open_lock:
        opened = _open.setdefault(key, opened)
        while len(_open) > OPEN_ZIMS:
            _open.popitem(last=False)
    return opened


# -- queries ----------------------------------------------------------------------------------


def query_text(text: str) -> str:
    """The words of ``text`` as a ZIM's query parser should see them: words lower-cased (so
    ``AND``, ``NOT`` or ``NEAR`` are words, not operators), quoted phrases kept as phrases,
    everything else (wildcards, brackets, prefixes like ``title:``) dropped."""
    parts: list[str] = []
    position = 0

    def words(chunk: str) -> list[str]:
        return [m.group().casefold() for m in word_pattern(chunk).finditer(chunk)]

    for quoted in QUOTED.finditer(text):
        parts.extend(words(text[position:quoted.start()]))
        phrase = words(quoted.group(1))
        if len(phrase) > 1:
            parts.append('"' + " ".join(phrase) + '"')
        else:
            parts.extend(phrase)
        position = quoted.end()
    parts.extend(words(text[position:]))
    return " ".join(parts)


def _resolve(archive: Archive, path: str) -> str | None:
    """The article an entry path leads to (redirects followed), or None if it is none."""
    try:
        entry = archive.get_entry_by_path(path)
        seen = 0
        while entry.is_redirect and seen < 20:
            entry = entry.get_redirect_entry()
            seen += 1
        if entry.is_redirect or not str(entry.get_item().mimetype).startswith("text/html"):
            return None
        return str(entry.path)
    except (KeyError, RuntimeError):
        return None


def search_zim(source: ZimSource, text: str, count: int, typing: bool = False
               ) -> ZimMatches:
    """The first ``count`` matches of a ZIM for ``text`` (entry paths, best first) and its
    estimate of all matches: full text; while ``typing`` (the last word is not finished),
    title matches and full-text matches alternate; titles alone when the full text has
    nothing. Never raises."""
    empty = ZimMatches(source, [], 0, True)
    query = query_text(text)
    if not query or not source.path.exists():
        return empty
    try:
        opened = _opened(source.path)
    except Exception:  # a damaged ZIM must not break the library's search
        log.warning("cannot open %s for search", source.path, exc_info=True)
        return empty
    from libzim.search import Query

    def listed(found: Search | SuggestionSearch) -> tuple[list[str], int, bool]:
        """The first ``count`` matches, the number of matches and whether it is exact."""
        estimate = int(found.getEstimatedMatches())
        if estimate == 0:
            return [], 0, True
        if estimate <= COUNTED:
            every = list(found.getResults(0, estimate))
            return every[:count], len(every), True
        return (list(found.getResults(0, count)) if count > 0 else []), estimate, False

    full: list[str] = []
    titles: list[str] = []
    total, exact = 0, True
    with opened.lock:
        try:
            if opened.searcher is not None:
                full, total, exact = listed(opened.searcher.search(Query().set_query(query)))
            if opened.suggester is not None and (typing or not total):
                titles, title_total, title_exact = listed(
                    opened.suggester.suggest(query.replace('"', "")))
                if title_total > total:
                    total, exact = title_total, title_exact
        except RuntimeError:
            log.warning("the search of %s failed for %r", source.path, query[:100],
                        exc_info=True)
            return empty
        paths: list[str] = []
        seen: set[str] = set()
        first, second = (titles, full) if typing else (full, titles)
        merged = [path for pair in zip_longest(first, second) for path in pair if path]
        for path in merged:
            if len(paths) >= count:
                break
            resolved = _resolve(opened.archive, path)
            if resolved is not None and resolved not in seen:
                seen.add(resolved)
                paths.append(resolved)
    return ZimMatches(source, paths, total, exact)


# -- what a hit shows -------------------------------------------------------------------------

_DROPPED = re.compile(
    r"<(script|style|head|template|noscript|svg|math)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
_BLOCK = re.compile(
    r"</?(?:p|div|h[1-6]|li|dd|dt|tr|td|th|br|hr|ul|ol|dl|table|section|article|aside|header|"
    r"footer|blockquote|pre|figure|figcaption|details|summary|caption|main|nav)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]*>")


def html_text(content: bytes) -> str:
    """Visible text of an HTML article, block elements as line breaks: a quick reading
    (regular expressions, no parser) that is enough to cut a snippet from."""
    text = content[:SNIPPET_BYTES].decode("utf-8", "replace")
    text = _TAG.sub("", _BLOCK.sub("\n", _DROPPED.sub(" ", text)))
    return html.unescape(text)


@dataclass(frozen=True)
class Article:
    """An entry of a page of results: its title, and its text when there was time to read
    it (``None`` past the budget)."""

    path: str
    title: str
    text: str | None


def read_articles(source: ZimSource, paths: Sequence[str], budget: float = BUDGET,
                  clock: Callable[[], float] = time.monotonic) -> list[Article]:
    """The titles of ``paths`` and, while ``budget`` seconds last, their text. Never raises."""
    try:
        opened = _opened(source.path)
    except Exception:
        return [Article(path, path, None) for path in paths]
    started = clock()
    found: list[Article] = []
    with opened.lock:
        for path in paths:
            try:
                entry = opened.archive.get_entry_by_path(path)
                title = str(entry.title or path)
                text = None
                if clock() - started < budget:
                    text = html_text(bytes(entry.get_item().content))
            except (KeyError, RuntimeError):
                title, text = path, None
            found.append(Article(path, title, text))
    return found


def blocks(text: str) -> list[str]:
    """The non-empty lines of an article's text, whitespace collapsed."""
    return [line for line in (" ".join(raw.split()) for raw in text.split("\n")) if line]

"""Kiwix ZIM files → a pack whose articles are read from the ZIM on demand.

A ZIM is one file (up to ~100 GB) holding a whole site with its own title and full-text
indexes. It is never unpacked: the pack holds the ZIM itself as one file (stored once in the
blob store, streamed there by the import without a temporary copy; a split ``.zimaa``,
``.zimab``... set is joined on the way), and its resources point *into* it:

- every resource lists the ZIM file as its ``main`` file (mime ``application/x-zim``) and
  names the entry to show in ``url`` as ``zim://<entry path>``;
- the main page is the first resource; the other HTML articles follow, read from the ZIM's
  own entry list, when there are at most :data:`MAX_LISTED` of them;
- a bigger ZIM gets its main page and one index resource (``zim://``, the ZIM's own index
  and search) instead: its articles are found through :func:`search_zim`.

:func:`read_zim_entry` gives a viewer an entry's bytes and type; :func:`search_zim` and
:func:`search_library_zims` let the search engine put the ZIMs' own full-text results next
to its own. Licence: the ZIM's ``License`` metadata when there is one, else ``NOASSERTION``;
attribution from its Title, Creator, Publisher, Date and Source metadata.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from libzim.reader import Archive, Entry
from libzim.search import Query, Searcher
from libzim.suggestion import SuggestionSearcher

from app.errors import NotFoundError, PackError
from app.i18n import _
from app.library import Library
from app.packs.build import slugify
from app.packs.importers.common import (
    ZIM_MIME,
    ImportReport,
    PackDraft,
    finish,
    language_tag,
    pack_id,
    spdx_licence,
)
from app.packs.importers.html import text_of
from app.packs.importers.sources import SourceTree
from app.tasks import Reporter

#: Above this many articles a ZIM is not listed article by article.
MAX_LISTED = 5000
#: Entries scanned to find the articles (a ZIM also holds images, styles, redirects).
MAX_SCANNED = 200_000
URL_PREFIX = "zim://"
_SPLIT = re.compile(r"^(?P<stem>.+\.zim)(?P<suffix>[a-z]{2})$", re.IGNORECASE)
_METADATA = ("Title", "Name", "Description", "Language", "Creator", "Publisher", "Date",
             "License", "Source", "Flavour")


def zim_parts(path: Path) -> list[Path]:
    """The file(s) of a ZIM: itself, or every part of a split set given any one part."""
    match = _SPLIT.match(path.name)
    if match is None and not path.exists():
        first = path.with_name(path.name + "aa")
        if first.exists():
            match = _SPLIT.match(first.name)
    if match is None:
        return [path]
    stem = match.group("stem")
    parts = sorted(p for p in path.parent.iterdir()
                   if _SPLIT.match(p.name) and p.name[:-2] == stem)
    return parts or [path]


@lru_cache(maxsize=16)
def _archive(path: str) -> Archive:
    return Archive(Path(path))


def open_zim(path: Path) -> Archive:
    """Open a ZIM (libzim finds the other parts of a split set); PackError if it is none."""
    try:
        return _archive(str(path))
    except (RuntimeError, OSError) as exc:
        raise PackError(_("{name} is not a valid ZIM file: {error}")
                        .format(name=path.name, error=exc)) from None


def _metadata(archive: Archive) -> dict[str, str]:
    found: dict[str, str] = {}
    keys = set(archive.metadata_keys)
    for key in _METADATA:
        if key in keys:
            try:
                found[key] = bytes(archive.get_metadata(key)).decode("utf-8", "replace").strip()
            except (RuntimeError, KeyError):
                continue
    return found


def _resolve(entry: Entry) -> Entry:
    seen = 0
    while entry.is_redirect and seen < 20:
        entry = entry.get_redirect_entry()
        seen += 1
    return entry


def _articles(archive: Archive, limit: int) -> list[tuple[str, str]] | None:
    """(path, title) of the HTML articles in entry order, or None when there are more than
    ``limit`` (or too many entries to scan)."""
    if archive.entry_count > MAX_SCANNED:
        return None
    found = []
    for index in range(archive.entry_count):
        entry = archive._get_entry_by_id(index)
        if entry.is_redirect:
            continue
        try:
            mimetype = entry.get_item().mimetype
        except RuntimeError:
            continue
        if not mimetype.startswith("text/html"):
            continue
        found.append((entry.path, entry.title or entry.path))
        if len(found) > limit:
            return None
    return found


def convert(library: Library, path: Path, tree: SourceTree | None, staging: Path,
            reporter: Reporter) -> ImportReport:
    parts = zim_parts(path)
    archive = open_zim(parts[0])
    meta = _metadata(archive)
    language = language_tag(meta.get("Language", "").split(",")[0], "en")
    draft = PackDraft("zim", staging, language)
    name = meta.get("Name") or re.sub(r"\.zim(aa)?$", "", path.name, flags=re.IGNORECASE)
    stored = draft.add_disk(f"zim/{slugify(name) or 'content'}.zim", parts, ZIM_MIME,
                            external=True, reporter=reporter)
    title = meta.get("Title") or name
    section = draft.section(title, "zim")
    listed: set[str] = set()

    def add(entry_path: str, entry_title: str, base: str | None = None) -> None:
        listed.add(entry_path)
        draft.add_resource(section, "article", entry_title, [draft.entry(stored, "main")],
                           base_id=base or entry_path, url=URL_PREFIX + entry_path)

    if archive.has_main_entry:
        main = _resolve(archive.main_entry)
        add(main.path, main.title if main.title and main.title != main.path else title,
            "main-page")
    articles = _articles(archive, MAX_LISTED)
    if articles is None:
        draft.add_resource(section, "article", _("All articles (search)"),
                           [draft.entry(stored, "main")], base_id="index", url=URL_PREFIX,
                           description={language: _("This ZIM is too large to list; find its "
                                                    "articles through search.")})
        draft.skip(path.name, _("more than {limit} articles: they are not listed one by one "
                                "but found through the ZIM's own search").format(
                                    limit=MAX_LISTED))
    else:
        for entry_path, entry_title in articles:
            if entry_path not in listed:
                add(entry_path, entry_title)
    if not archive.has_main_entry:
        draft.skip(path.name, _("the ZIM has no main page"))
    if not archive.has_fulltext_index:
        draft.skip(path.name, _("the ZIM has no full-text index; only titles can be searched"))
    attribution = "; ".join(
        f"{key}: {meta[key]}" for key in ("Title", "Creator", "Publisher", "Date", "Source")
        if meta.get(key))
    fields: dict[str, Any] = {
        "id": pack_id("zim", name),
        "title": {language: title},
        "license": spdx_licence(meta.get("License")),
        "attribution": attribution or path.name,
        "authors": [{"name": meta[key]} for key in ("Creator",) if meta.get(key)
                    and meta[key] != "N/A"],
        "source": path.name,
    }
    if meta.get("Description"):
        fields["description"] = {language: meta["Description"]}
    if meta.get("Date"):
        fields["created"] = meta["Date"][:40]
    return finish(library, draft, fields, path, reporter)


# -- reading and searching installed ZIMs ------------------------------------------------------


def entry_path_of(url: str | None) -> str | None:
    """The entry a ZIM resource shows (``zim://A/Foo`` → ``A/Foo``; ``zim://`` → ``""``, the
    index); None for other urls."""
    if url is None or not url.startswith(URL_PREFIX):
        return None
    return url[len(URL_PREFIX):]


def read_zim_entry(zim_path: Path, entry_path: str) -> tuple[bytes, str]:
    """An entry's content and mimetype (redirects followed). ``""`` is the main page."""
    _path, content, mimetype = zim_entry(zim_path, entry_path)
    return content, mimetype


def zim_entry(zim_path: Path, entry_path: str) -> tuple[str, bytes, str]:
    """(path after redirects, content, mimetype) of an entry; relative links in an HTML
    entry start from the folder of the path after redirects."""
    archive = open_zim(zim_path)
    try:
        entry = archive.main_entry if entry_path == "" else archive.get_entry_by_path(
            entry_path)
    except KeyError:
        raise NotFoundError(_("The ZIM has no entry {path}.").format(path=entry_path)) from None
    except RuntimeError:
        raise NotFoundError(_("The ZIM has no main page.")) from None
    resolved = _resolve(entry)
    item = resolved.get_item()
    return resolved.path, bytes(item.content), str(item.mimetype)


@dataclass(frozen=True)
class ZimHit:
    """One result of a ZIM's own search."""

    path: str
    title: str
    snippet: str
    rank: int  # 0 for the best result

    @property
    def url(self) -> str:
        return URL_PREFIX + self.path


def _snippet(text: str, query: str, width: int = 200) -> str:
    words = [w for w in re.findall(r"\w+", query.lower()) if len(w) > 1]
    lower = text.lower()
    positions = [lower.find(w) for w in words if lower.find(w) >= 0]
    start = max(0, min(positions) - width // 3) if positions else 0
    snippet = " ".join(text[start:start + width].split())
    return ("…" if start else "") + snippet + ("…" if start + width < len(text) else "")


def search_zim(zim_path: Path, query: str, limit: int = 20) -> list[ZimHit]:
    """Search a ZIM with its own full-text index (its title index when it has none).

    This is how the library's search puts ZIM articles in its results: call it for each
    installed ZIM (see :func:`search_library_zims`) and merge the hits by rank.
    """
    query = query.strip()
    if not query or limit <= 0:
        return []
    archive = open_zim(zim_path)
    paths: list[str] = []
    if archive.has_fulltext_index:
        search = Searcher(archive).search(Query().set_query(query))
        paths = list(search.getResults(0, limit))
    if not paths and archive.has_title_index:
        suggestion = SuggestionSearcher(archive).suggest(query)
        paths = list(suggestion.getResults(0, limit))
    hits = []
    seen: set[str] = set()
    for rank, entry_path in enumerate(paths):
        try:
            entry = _resolve(archive.get_entry_by_path(entry_path))
            item = entry.get_item()
        except (KeyError, RuntimeError):
            continue
        if entry.path in seen or not str(item.mimetype).startswith("text/html"):
            continue
        seen.add(entry.path)
        text = text_of(bytes(item.content)[:200_000].decode("utf-8", "replace"))
        hits.append(ZimHit(entry.path, entry.title or entry.path, _snippet(text, query), rank))
    return hits


def search_library_zims(library: Library, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """ZIM hits across the library, each tied to a resource: the resource that shows that
    entry when the pack lists it, else the ZIM's main page or index resource (open it at
    ``entry``). Sorted by rank, then pack."""
    results: list[dict[str, Any]] = []
    rows = library.db.execute(
        "SELECT DISTINCT f.pack_id, f.sha256 FROM files f WHERE f.mime = ? ORDER BY f.pack_id",
        (ZIM_MIME,),
    ).fetchall()
    for pack, sha256 in rows:
        blob = library.blobs.path_for(sha256)
        if not blob.exists():
            continue
        by_entry: dict[str, str] = {}
        fallback = None
        for resource_id, url in library.db.execute(
            "SELECT id, url FROM resources WHERE pack_id = ? ORDER BY position", (pack,)
        ):
            entry = entry_path_of(url)
            if entry is None:
                continue
            by_entry.setdefault(entry, resource_id)
            if fallback is None or entry == "":
                fallback = resource_id
        for hit in search_zim(blob, query, limit):
            resource_id = by_entry.get(hit.path, fallback)
            if resource_id is None:
                continue
            results.append({"resource_id": resource_id, "pack_id": pack, "entry": hit.path,
                            "title": hit.title, "snippet": hit.snippet, "rank": hit.rank})
    results.sort(key=lambda r: (r["rank"], r["pack_id"]))
    return results[:limit]

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
  and search) instead: its articles are found through the library's search, which asks each
  ZIM's own full-text and title indexes (:mod:`app.search.zims`) and opens a hit's entry in
  that index resource.

:func:`read_zim_entry` gives a viewer an entry's bytes and type. Licence: the ZIM's
``License`` metadata when there is one, else ``NOASSERTION``; attribution from its Title,
Creator, Publisher, Date and Source metadata.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from libzim.reader import Archive, Entry

from app.errors import NotFoundError, PackError
from app.i18n import _, ngettext
from app.library import Library
from app.packs.importers.common import (
    ZIM_MIME,
    ImportReport,
    PackDraft,
    finish,
    language_tag,
    pack_id,
    spdx_licence,
)
from app.packs.importers.sources import SourceTree
from app.packs.rules import slugify
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
        draft.skip(path.name, ngettext(
            "more than {limit} article: they are not listed one by one but found through the "
            "ZIM's own search",
            "more than {limit} articles: they are not listed one by one but found through the "
            "ZIM's own search", MAX_LISTED).format(limit=MAX_LISTED))
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

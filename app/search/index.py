"""Writing the search index: in the import's transaction, so it never disagrees with the library.

Tables (created by the schema owner, :mod:`app.store.db`, migration 3):

``search_fts``
    FTS5, contentless, one row per resource; columns ``title`` and ``body`` hold the analysed
    surface terms (folded words, CJK bigrams) in order, ``title_stems`` and ``body_stems``
    the stems that differ from them. Being contentless, it stores only the index; deleting a
    row needs the terms it was given, which are re-derived from ``search_text`` by the same
    analysis (the stored fingerprint guarantees it is the same analysis; otherwise the index
    is rebuilt).
``search_titles``
    FTS5, contentless: the same rows' titles alone, so that the title matches of a broad
    query are found without walking every body that has the word.
``search_docs``
    One narrow row per indexed resource, its rowid shared with the FTS tables: ids, kind,
    language and the pack's skills. Rowids order documents from short to long and carry the
    document's facet group (:func:`rowid_for`), so facets and filters need no lookup here.
``search_text``
    The original text of each document, zlib-compressed JSON segments, from which snippets
    are cut and timestamps found.
``notes_fts``
    FTS5 over the learner's notes (``body``, ``stems``), rowid = the note's rowid.
``search_terms``
    Every surface term (2 to 32 characters, not CJK) with the number of documents that have
    it: prefix completion picks the most frequent words a prefix begins, typo tolerance
    searches it for close words, and ranks them by frequency.

Writers: :func:`index_pack` (called by the importer inside its transaction),
:func:`unindex_pack` (``Library.remove_pack``), :func:`index_note` and :func:`unindex_note`
(``Library.add_note`` / ``delete_note``), :func:`rebuild` (``ujuzi search --rebuild``, and
automatically when the analysis fingerprint in ``meta`` differs from the code's). A large
pack is indexed in one transaction; in WAL mode readers keep searching the previous
snapshot meanwhile.
"""

from __future__ import annotations

import json
import math
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

import sqlite_utils

from app.i18n import _
from app.search.analysis import analyzer, fingerprint, is_cjk
from app.search.extract import Segment, file_segments
from app.store.blobs import BlobStore
from app.store.keys import resource_key
from app.store.records import get_meta, set_meta
from app.tasks import Reporter


class Library(Protocol):
    """What the index reads of a library (:class:`app.library.Library` is one): its
    database, its blobs, and its writers' lock. The library calls this module, so this
    module names the library only by these three."""

    db: sqlite_utils.Database
    blobs: BlobStore

    def write_lock(self) -> AbstractContextManager[None]: ...

FINGERPRINT_KEY = "search_analysis"
GENERATION_KEY = "search_generation"
SEQUENCE_KEY = "search_sequence"
GROUPS_KEY = "search_groups"
VOCABULARY_KEY = "search_vocabulary"
#: From this many documents on, typo candidates must occur in two documents or more.
LARGE_LIBRARY = 20_000
#: Bump when what the index stores changes (a library indexed before rebuilds its index).
LAYOUT_VERSION = 3
#: Rowids: a length bucket, a facet group, and SEQUENCE_BITS bits of arrival order (see
#: rowid_for).
SEQUENCE_BITS = 40
GROUP_BITS = 15
GROUP_MASK = (1 << GROUP_BITS) - 1
LENGTH_BUCKETS = 256
#: The group of documents whose (language, kind, pack, skills) found no group number left:
#: facets and filters read them from search_docs.
NO_GROUP = 0
#: Group numbers run from 1 to this (a rebuild numbers them afresh).
MAX_GROUPS = GROUP_MASK
#: Terms are flushed to ``search_terms`` after this many documents.
TERM_BATCH = 5000
#: Documents are written to the tables this many at a time, in rowid order.
WRITE_BATCH = 500


@dataclass
class Document:
    """What is indexed for one resource."""

    resource_id: str
    pack_id: str
    kind: str
    lang: str | None
    titles: dict[str, str]
    segments: list[Segment] = field(default_factory=list)
    skills: tuple[str, ...] = ()


# -- the stored form -------------------------------------------------------------------------


def pack_text(doc: Document) -> bytes:
    """The original text, compressed: what snippets and re-analysis read back."""
    data = {
        "lang": doc.lang,
        "titles": doc.titles,
        "segments": [[s.field, s.lang, s.text, s.start, s.page] for s in doc.segments],
    }
    return zlib.compress(json.dumps(data, ensure_ascii=False).encode("utf-8"), 6)


def unpack_text(blob: bytes) -> tuple[str | None, dict[str, str], list[Segment]]:
    data = json.loads(zlib.decompress(blob).decode("utf-8"))
    segments = [Segment(f, text, lang, start, page) for f, lang, text, start, page
                in data["segments"]]
    return data["lang"], data["titles"], segments


def analyse(lang: str | None, titles: dict[str, str], segments: list[Segment]
            ) -> tuple[str, str, str, str]:
    """The four FTS columns of a document: title and body surface terms in order, and the
    stems of each that differ from their surface. Each text is analysed in its language."""
    title_terms: list[str] = []
    title_stems: list[str] = []
    body_terms: list[str] = []
    body_stems: list[str] = []
    for title_lang, title in titles.items():
        surfaces, stems = analyzer(title_lang or lang).terms(title)
        title_terms.extend(surfaces)
        title_stems.extend(stems)
    # Consecutive segments in one language (subtitle cues, PDF pages) are analysed together.
    run: list[str] = []
    run_lang: str | None = None
    for segment in [*segments, None]:
        segment_lang = None if segment is None else (segment.lang or lang)
        if run and (segment is None or segment_lang != run_lang):
            surfaces, stems = analyzer(run_lang).terms("\n".join(run))
            body_terms.extend(surfaces)
            body_stems.extend(stems)
            run = []
        if segment is not None:
            run.append(segment.text)
            run_lang = segment_lang
    return (" ".join(title_terms), " ".join(body_terms), " ".join(title_stems),
            " ".join(body_stems))


def _vocabulary_terms(terms: Iterable[str]) -> Iterator[str]:
    """The terms that prefix completion and typo correction choose from: words of 2 to 32
    characters, and CJK bigrams (a single Chinese character completes to the commonest
    bigrams it begins; typo correction takes words of three characters or more)."""
    for term in terms:
        if 2 <= len(term) <= 32 and (len(term) == 2 or not is_cjk(term)):
            yield term


# -- state ------------------------------------------------------------------------------------


def generation(db: sqlite_utils.Database) -> int:
    """A counter that changes with every change to the index (caches key on it)."""
    return int(get_meta(db, GENERATION_KEY) or 0)


def _bump(db: sqlite_utils.Database) -> None:
    set_meta(db, GENERATION_KEY, str(generation(db) + 1))


def index_fingerprint() -> str:
    """The analysis's fingerprint and the layout of the stored index."""
    return f"{fingerprint()}/layout-{LAYOUT_VERSION}"


def is_current(db: sqlite_utils.Database) -> bool:
    """Whether the index was built by this analysis (False on a new or upgraded library)."""
    return get_meta(db, FINGERPRINT_KEY) == index_fingerprint()


#: What a facet group stands for: (language, kind, pack id, skills as " a b ").
Group = tuple[str, str, str, str]


def groups(db: sqlite_utils.Database) -> list[Group]:
    """The facet groups, by number (number 0, NO_GROUP, stands for none)."""
    raw = get_meta(db, GROUPS_KEY)
    stored: list[list[str]] = json.loads(raw) if raw else []
    return [("", "", "", ""), *((g[0], g[1], g[2], g[3]) for g in stored)]


def group_of(rowid: int) -> int:
    return (rowid >> SEQUENCE_BITS) & GROUP_MASK


def _skills(doc: Document) -> str:
    return f" {' '.join(doc.skills)} " if doc.skills else ""


# -- writing ----------------------------------------------------------------------------------


def rowid_for(body_terms: int, group: int, sequence: int) -> int:
    """A document's rowid: shorter documents get smaller rowids (a length bucket in the high
    bits), then its facet group, then the arrival order in the low bits. Walking a term's
    matches in rowid order thus meets short, focused documents first, which bm25 favours: a
    broad query ranks a bounded window of them (see app.search.query); and the facets of
    thousands of matches are counted from their rowids alone."""
    bucket = min(LENGTH_BUCKETS - 1, int(8 * math.log2(1 + body_terms)))
    return ((bucket << (SEQUENCE_BITS + GROUP_BITS)) | ((group & GROUP_MASK) << SEQUENCE_BITS)
            | (sequence & ((1 << SEQUENCE_BITS) - 1)))


def index_documents(
    db: sqlite_utils.Database,
    documents: Iterable[Document],
    reporter: Reporter | None = None,
    total: int = 0,
    vocabulary: bool = True,
) -> int:
    """Add documents (callers remove older rows of the same resources first). Runs in the
    caller's transaction. Returns the number indexed. ``vocabulary``: store the typo
    vocabulary afterwards (:func:`store_vocabulary`; a rebuild does it once at the end).

    Documents are analysed one by one and written in batches sorted by rowid: FTS5 flushes
    its pending terms whenever a rowid is lower than the last one, and rowids follow length,
    not arrival (:func:`rowid_for`)."""
    reporter = reporter or Reporter()
    counts: Counter[str] = Counter()
    count = 0
    step = max(1, total // 100)
    sequence = int(get_meta(db, SEQUENCE_KEY) or 0)
    known = {group: number for number, group in enumerate(groups(db)) if number}
    new_groups = False
    batch: list[tuple[Any, ...]] = []
    for doc in documents:
        title, body, title_stems, body_stems = analyse(doc.lang, doc.titles, doc.segments)
        sequence += 1
        key = (doc.lang or "", doc.kind, doc.pack_id, _skills(doc))
        number = known.get(key)
        if number is None:
            number = len(known) + 1 if len(known) < MAX_GROUPS else NO_GROUP
            if number != NO_GROUP:
                known[key] = number
                new_groups = True
        rowid = rowid_for(body.count(" ") + 1 if body else 0, number, sequence)
        batch.append((rowid, doc, title, body, title_stems, body_stems))
        counts.update({*title.split(), *body.split()})
        count += 1
        if len(batch) >= WRITE_BATCH:
            _write(db, batch)
        if count % TERM_BATCH == 0:
            _flush_terms(db, counts, 1)
        if count % step == 0:
            reporter.report("index", count, total or count, doc.resource_id)
    _write(db, batch)
    _flush_terms(db, counts, 1)
    if new_groups:
        set_meta(db, GROUPS_KEY, json.dumps(
            [list(group) for group in sorted(known, key=known.__getitem__)],
            ensure_ascii=False))
    if count:
        set_meta(db, SEQUENCE_KEY, str(sequence))
        _bump(db)
        if vocabulary:
            store_vocabulary(db)
    return count


def _select_vocabulary(db: sqlite_utils.Database) -> list[str]:
    size = db.execute("SELECT COUNT(*) FROM search_docs").fetchone()[0]
    least = 2 if size > LARGE_LIBRARY else 1
    # SQLite sorts (UTF-8 byte order is code point order, as Python's).
    return [row[0] for row in db.execute(
        "SELECT term FROM search_terms WHERE docs >= ? AND length(term) >= 3 "
        "ORDER BY length(term), term", (least,))]


def store_vocabulary(db: sqlite_utils.Database) -> None:
    """Keep the words typos are corrected towards, sorted by length then text, as one value
    in ``meta``: reading them back is one row, where selecting them from ``search_terms``
    reads every term (tens of milliseconds at 100,000 documents, on the first misspelt query
    of each process). In a large library, words of a single document are left out: they are
    rarely what someone meant, and they are the bulk of the vocabulary."""
    set_meta(db, VOCABULARY_KEY, "\n".join(_select_vocabulary(db)))


def vocabulary(db: sqlite_utils.Database) -> list[str]:
    """The words typos are corrected towards (see store_vocabulary)."""
    stored = get_meta(db, VOCABULARY_KEY)
    if stored is None:
        return _select_vocabulary(db)
    return stored.split("\n") if stored else []


def _write(db: sqlite_utils.Database, batch: list[tuple[Any, ...]]) -> None:
    batch.sort(key=lambda item: int(item[0]))
    for rowid, doc, *_terms in batch:
        db.execute(
            "INSERT INTO search_docs(id, resource_id, pack_id, kind, lang, skills) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (rowid, doc.resource_id, doc.pack_id, doc.kind, doc.lang or "", _skills(doc)),
        )
        db.execute("INSERT INTO search_text(id, segments) VALUES (?, ?)", (rowid, pack_text(doc)))
    db.conn.executemany(
        "INSERT INTO search_fts(rowid, title, body, title_stems, body_stems) "
        "VALUES (?, ?, ?, ?, ?)",
        [(item[0], *item[2:]) for item in batch],
    )
    db.conn.executemany(
        "INSERT INTO search_titles(rowid, title, title_stems) VALUES (?, ?, ?)",
        [(item[0], item[2], item[4]) for item in batch],
    )
    batch.clear()


def _flush_terms(db: sqlite_utils.Database, counts: Counter[str], sign: int) -> None:
    """Add (or, with ``sign`` -1, take away) document counts of terms."""
    if counts:
        db.conn.executemany(
            "INSERT INTO search_terms(term, docs) VALUES (?, ?) "
            "ON CONFLICT(term) DO UPDATE SET docs = docs + excluded.docs",
            ((term, sign * counts[term]) for term in _vocabulary_terms(counts)),
        )
        counts.clear()
        if sign < 0:
            db.execute("DELETE FROM search_terms WHERE docs <= 0")


def _delete_docs(db: sqlite_utils.Database, where: str, params: tuple[Any, ...]) -> int:
    """Remove documents from every table; the FTS delete is given the very terms it indexed."""
    rows = db.execute(
        f"SELECT d.id, t.segments FROM search_docs d JOIN search_text t ON t.id = d.id "
        f"WHERE {where}",
        params,
    ).fetchall()
    counts: Counter[str] = Counter()
    for rowid, blob in rows:
        lang, titles, segments = unpack_text(blob)
        title, body, title_stems, body_stems = analyse(lang, titles, segments)
        db.execute(
            "INSERT INTO search_fts(search_fts, rowid, title, body, title_stems, body_stems) "
            "VALUES ('delete', ?, ?, ?, ?, ?)",
            (rowid, title, body, title_stems, body_stems),
        )
        db.execute(
            "INSERT INTO search_titles(search_titles, rowid, title, title_stems) "
            "VALUES ('delete', ?, ?, ?)",
            (rowid, title, title_stems),
        )
        counts.update({*title.split(), *body.split()})
    _flush_terms(db, counts, -1)
    db.execute(f"DELETE FROM search_text WHERE id IN (SELECT id FROM search_docs d WHERE {where})",
               params)
    db.execute(f"DELETE FROM search_docs AS d WHERE {where}", params)
    if rows:
        _bump(db)
    return len(rows)


def unindex_pack(db: sqlite_utils.Database, pack_id: str) -> None:
    """Remove a pack's documents (inside the caller's transaction)."""
    if not is_current(db):
        # The stored terms came from another analysis: they cannot be deleted one by one.
        # The rows go; the next index_pack or search rebuilds the whole index.
        db.execute("DELETE FROM search_text WHERE id IN "
                   "(SELECT id FROM search_docs WHERE pack_id = ?)", (pack_id,))
        db.execute("DELETE FROM search_docs WHERE pack_id = ?", (pack_id,))
        return
    if _delete_docs(db, "d.pack_id = ?", (pack_id,)):
        store_vocabulary(db)


def resource_language(resource: dict[str, Any], pack_lang: str | None) -> str | None:
    """The language a resource is in: its own, else its main file's, else the one language
    of its title, else the pack's first (a Swahili article of a bilingual pack is Swahili
    even when only its title says so)."""
    if resource.get("lang"):
        return str(resource["lang"])
    main = next((f for f in resource.get("files") or () if f.get("role") == "main"), None)
    if main is not None and main.get("lang"):
        return str(main["lang"])
    titles = [lang for lang in (resource.get("title") or {}) if lang]
    if len(titles) == 1:
        return str(titles[0])
    return pack_lang


def pack_documents(library: Library, manifest: dict[str, Any]) -> Iterator[Document]:
    """The documents of an installed pack, text read from its blobs."""
    pack_id = manifest["id"]
    pack_lang = (manifest.get("languages") or [None])[0]
    skills = tuple(manifest.get("skills") or ())
    for resource in manifest["resources"]:
        lang = resource_language(resource, pack_lang)
        segments = [
            Segment("description", text, text_lang)
            for text_lang, text in (resource.get("description") or {}).items()
        ]
        for entry in resource["files"]:
            path = library.blobs.path_for(entry["sha256"])
            segments.extend(file_segments(path, entry, lang))
        yield Document(
            resource_id=resource_key(pack_id, resource["id"]),
            pack_id=pack_id,
            kind=resource["kind"],
            lang=lang,
            titles=dict(resource["title"]),
            segments=segments,
            skills=skills,
        )


def index_pack(
    library: Library, manifest: dict[str, Any], reporter: Reporter | None = None
) -> int:
    """(Re)index one installed pack. Called by the importer inside its transaction, after the
    pack's rows are written; a stale index is rebuilt whole instead."""
    db = library.db
    if not is_current(db):
        return rebuild(library, reporter)
    _delete_docs(db, "d.pack_id = ?", (manifest["id"],))
    return index_documents(
        db, pack_documents(library, manifest), reporter, len(manifest["resources"])
    )


def rebuild(library: Library, reporter: Reporter | None = None) -> int:
    """Rebuild every index from the library (packs, blobs, notes) in one transaction."""
    reporter = reporter or Reporter()
    db = library.db
    with db.atomic():
        db.execute("INSERT INTO search_fts(search_fts) VALUES ('delete-all')")
        db.execute("INSERT INTO search_titles(search_titles) VALUES ('delete-all')")
        db.execute("DELETE FROM search_text")
        db.execute("DELETE FROM search_docs")
        db.execute("DELETE FROM search_terms")
        db.execute("DELETE FROM notes_fts")
        set_meta(db, GROUPS_KEY, None)
        set_meta(db, VOCABULARY_KEY, None)
        total = db.execute("SELECT COUNT(*) FROM resources").fetchone()[0]
        reporter.report("index", 0, total, _("rebuilding the search index"))
        done = 0
        pack_ids = [row[0] for row in db.execute("SELECT id FROM packs ORDER BY id")]
        for pack_id in pack_ids:
            raw = db.execute("SELECT manifest FROM packs WHERE id = ?", (pack_id,)).fetchone()[0]
            manifest = json.loads(raw)
            done += index_documents(
                db, pack_documents(library, manifest), _Shifted(reporter, done, total),
                len(manifest["resources"]), vocabulary=False,
            )
        for (note_id,) in db.execute("SELECT id FROM notes WHERE deleted = 0").fetchall():
            index_note(db, note_id)
        store_vocabulary(db)
        set_meta(db, FINGERPRINT_KEY, index_fingerprint())
        _bump(db)
        reporter.report("index", total, total, _("search index ready"))
    return done


class _Shifted(Reporter):
    """Reports one pack's progress as part of a whole rebuild."""

    def __init__(self, parent: Reporter, offset: int, total: int) -> None:
        super().__init__()
        self.parent, self.offset, self.total = parent, offset, total

    def report(self, stage: str, done: int, total: int, detail: str = "") -> None:
        self.parent.report(stage, self.offset + done, self.total, detail)

    def checkpoint(self) -> None:
        self.parent.checkpoint()


def ensure_current(library: Library, reporter: Reporter | None = None) -> bool:
    """Rebuild the index if it was made by another analysis; True if it rebuilt."""
    if is_current(library.db):
        return False
    with library.write_lock():
        if is_current(library.db):  # another process did it while we waited
            return False
        rebuild(library, reporter)
    return True


# -- notes ------------------------------------------------------------------------------------


def index_note(db: sqlite_utils.Database, note_id: str) -> None:
    """Index (or re-index) one note, in the language of its resource: the text of each of
    its versions (several while it is in conflict), so that any of them finds it; a deleted
    note leaves the index."""
    row = db.execute(
        "SELECT n.rowid, n.body, n.deleted, r.lang FROM notes n "
        "LEFT JOIN resources r ON r.id = n.resource_id WHERE n.id = ?",
        (note_id,),
    ).fetchone()
    if row is None:
        return
    rowid, body, deleted, lang = row
    versions = [str(text) for (text,) in db.execute(
        "SELECT body FROM note_versions WHERE note_id = ? ORDER BY rowid", (note_id,))]
    if versions:
        body = "\n\n".join(versions)
    db.execute("DELETE FROM notes_fts WHERE rowid = ?", (rowid,))
    if not deleted:
        surfaces, stems = analyzer(lang).terms(body)
        db.execute(
            "INSERT INTO notes_fts(rowid, body, stems) VALUES (?, ?, ?)",
            (rowid, " ".join(surfaces), " ".join(stems)),
        )
    _bump(db)


def unindex_note(db: sqlite_utils.Database, note_id: str) -> None:
    db.execute(
        "DELETE FROM notes_fts WHERE rowid = (SELECT rowid FROM notes WHERE id = ?)", (note_id,)
    )
    _bump(db)

"""One search engine, indexed and queried in a process of its own (for a clean peak memory).

``python benchmarks/search_engines.py ENGINE DOCS.jsonl QUERIES.json WORKDIR OUT.json``

ENGINE is ``ujuzi`` (our engine, through app.search), ``fts5`` (SQLite FTS5 with its default
tokenizer and bm25, no analysis of ours), ``whoosh`` (whoosh-reloaded, StemmingAnalyzer)
or ``xapian`` (Xapian as Kiwix uses it: a Snowball stemmer per document language, CJK
n-grams, no spelling correction). Only the standard library is imported at the top, so the
Xapian run can use Debian's ``/usr/bin/python3`` with ``python3-xapian``.

Every engine gets the same documents (title, and body text or subtitle cues, which the peers
index as body text) and the same query strings, as a learner would type them. The peers get
their own prefix syntax for queries typed as prefixes (the "prefix" category and relevance
cases marked so); Ujuzi always treats the last word as a prefix. Each engine returns the top
ten document ids for every query, its indexing time, index size, query times and peak RSS.
"""

from __future__ import annotations

import json
import os
import re
import resource
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

LIMIT = 10
#: Engines with slow queries stop a category after this many seconds (whoosh's prefixes).
CATEGORY_BUDGET = float(os.environ.get("UJUZI_BENCH_SEARCH_BUDGET", "15"))


def read_docs(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as stream:
        for line in stream:
            yield json.loads(line)


def body_text(doc: dict[str, Any]) -> str:
    if "cues" in doc:
        return "\n".join(text for _, text in doc["cues"])
    return str(doc["body"])


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


_PHRASE = re.compile(r'"([^"]*)"')


def split_query(query: str) -> tuple[list[str], list[str]]:
    """Phrases in quotes and the remaining words, as a peer's query builder sees them."""
    phrases = [p.strip() for p in _PHRASE.findall(query) if p.strip()]
    rest = _PHRASE.sub(" ", query).replace('"', " ")
    return phrases, rest.split()


# -- engines -------------------------------------------------------------------------------


class Ujuzi:
    def __init__(self, work: Path) -> None:
        from app.library import Library
        from app.search.index import rebuild

        self.library = Library(work / "home")
        rebuild(self.library)  # an empty, current index

    def prepare(self, docs: Iterator[dict[str, Any]]) -> None:
        """The library rows the documents belong to (not timed: that is the import's work)."""
        db = self.library.db
        with db.atomic():
            db.execute(
                "INSERT INTO packs(id, version, manifest, manifest_sha256, title, description, "
                "languages, license, attribution, total_bytes, imported_at, source) "
                "VALUES ('bench', '1.0.0', '{}', '', '{}', '{}', '[]', 'CC0-1.0', 'bench', 0, "
                "'', 'bench')"
            )
            db.conn.executemany(
                "INSERT INTO resources(id, pack_id, local_id, position, kind, lang, title, "
                "description, translations) VALUES (?, 'bench', ?, ?, ?, ?, ?, '{}', '{}')",
                ((f"bench/{doc['id']}", doc["id"], position, doc["kind"], doc["lang"],
                  json.dumps({doc["lang"]: doc["title"]}, ensure_ascii=False))
                 for position, doc in enumerate(docs)),
            )

    def index(self, docs: Iterator[dict[str, Any]]) -> int:
        from app.search.extract import Segment
        from app.search.index import Document, index_documents

        def documents() -> Iterator[Document]:
            for doc in docs:
                if "cues" in doc:
                    segments = [Segment("subtitles", text, doc["lang"], start=start)
                                for start, text in doc["cues"]]
                else:
                    segments = [Segment("body", doc["body"], doc["lang"])]
                yield Document(f"bench/{doc['id']}", "bench", doc["kind"], doc["lang"],
                               {doc["lang"]: doc["title"]}, segments)

        db = self.library.db
        with db.atomic():
            return index_documents(db, documents())

    def size(self) -> int:
        db = self.library.db
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        try:
            row = db.execute(
                "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'search%' "
                "OR name LIKE 'notes_fts%' OR name LIKE 'sqlite_autoindex_search%'"
            ).fetchone()
            return int(row[0] or 0)
        except sqlite3.Error:
            return os.path.getsize(self.library.layout.database)

    def query(self, text: str, prefix: bool) -> list[str]:
        from app.search.query import search_db

        results = search_db(self.library.db, text, limit=LIMIT)
        return [hit.resource_id.split("/", 1)[1] for hit in results.hits]


class PlainFts5:
    """SQLite FTS5 as most apps use it: default tokenizer, bm25 with titles weighted."""

    def __init__(self, work: Path) -> None:
        self.path = work / "fts5.sqlite3"
        self.db = sqlite3.connect(str(self.path))
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body)")

    def index(self, docs: Iterator[dict[str, Any]]) -> int:
        with self.db:
            cursor = self.db.executemany(
                "INSERT INTO docs(id, title, body) VALUES (?, ?, ?)",
                ((doc["id"], doc["title"], body_text(doc)) for doc in docs),
            )
        return cursor.rowcount

    def size(self) -> int:
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return os.path.getsize(self.path)

    def query(self, text: str, prefix: bool) -> list[str]:
        phrases, words = split_query(text)
        parts = ['"' + p.replace('"', "") + '"' for p in phrases]
        parts += ['"' + w.replace('"', "") + '"' for w in words]
        if prefix and words:
            parts[-1] += "*"
        if not parts:
            return []
        try:
            rows = self.db.execute(
                "SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 0, 10.0, 1.0) "
                "LIMIT ?", (" AND ".join(parts), LIMIT),
            ).fetchall()
        except sqlite3.Error:
            return []
        return [row[0] for row in rows]


class Whoosh:
    def __init__(self, work: Path) -> None:
        from whoosh import fields, index
        from whoosh.analysis import StemmingAnalyzer

        analyzer = StemmingAnalyzer()
        schema = fields.Schema(
            id=fields.ID(stored=True, unique=True),
            title=fields.TEXT(analyzer=analyzer, field_boost=10.0),
            body=fields.TEXT(analyzer=analyzer),
        )
        self.path = work / "whoosh"
        self.path.mkdir()
        self.ix = index.create_in(str(self.path), schema)
        self.searcher: Any = None

    def index(self, docs: Iterator[dict[str, Any]]) -> int:
        # whoosh's fastest settings: a writer per core, large buffers.
        writer = self.ix.writer(procs=2, multisegment=True, limitmb=128)
        count = 0
        for doc in docs:
            writer.add_document(id=doc["id"], title=doc["title"], body=body_text(doc))
            count += 1
        writer.commit()
        return count

    def size(self) -> int:
        return dir_size(self.path)

    def query(self, text: str, prefix: bool) -> list[str]:
        from whoosh.qparser import MultifieldParser

        if self.searcher is None:
            self.searcher = self.ix.searcher()
            self.parser = MultifieldParser(["title", "body"], self.ix.schema)
        phrases, words = split_query(text)
        words = [re.sub(r"[^\w]", "", w) for w in words]
        words = [w for w in words if w]
        parts = ['"' + p + '"' for p in phrases] + words
        if prefix and words:
            parts[-1] += "*"
        if not parts:
            return []
        try:
            results = self.searcher.search(self.parser.parse(" ".join(parts)), limit=LIMIT)
            return [hit["id"] for hit in results]
        except Exception:
            return []


class Xapian:
    CJK = ("zh", "ja", "ko")

    def __init__(self, work: Path) -> None:
        import xapian

        self.xapian = xapian
        self.path = work / "xapian"
        self.db = xapian.WritableDatabase(
            str(self.path), xapian.DB_CREATE_OR_OVERWRITE | xapian.DB_NO_SYNC)
        languages = xapian.Stem.get_available_languages()
        if isinstance(languages, bytes):
            languages = languages.decode()
        self.available = set(languages.split())
        self.names = {"en": "english", "fr": "french", "es": "spanish", "ar": "arabic",
                      "de": "german", "pt": "portuguese", "ru": "russian", "tr": "turkish",
                      "it": "italian", "nl": "dutch", "id": "indonesian", "ne": "nepali",
                      "sv": "swedish", "da": "danish", "fi": "finnish", "hu": "hungarian",
                      "ro": "romanian", "ca": "catalan", "eu": "basque", "hy": "armenian",
                      "lt": "lithuanian", "ta": "tamil", "nb": "norwegian", "ga": "irish"}
        self.enquire: Any = None
        self.stemmers: dict[str, Any] = {}

    def _stemmer(self, lang: str) -> Any:
        stemmer = self.stemmers.get(lang)
        if stemmer is None:
            name = self.names.get(lang)
            stemmer = self.stemmers[lang] = self.xapian.Stem(
                name if name in self.available else "none")
        return stemmer

    def index(self, docs: Iterator[dict[str, Any]]) -> int:
        xapian = self.xapian
        generator = xapian.TermGenerator()
        generator.set_stemming_strategy(xapian.TermGenerator.STEM_SOME)
        count = 0
        for doc in docs:
            document = xapian.Document()
            generator.set_document(document)
            generator.set_stemmer(self._stemmer(doc["lang"]))
            generator.set_flags(xapian.TermGenerator.FLAG_CJK_NGRAM
                                if doc["lang"] in self.CJK else 0)
            generator.index_text(doc["title"], 10)
            generator.increase_termpos()
            generator.index_text(body_text(doc))
            document.set_data(doc["id"])
            self.db.add_document(document)
            count += 1
        self.db.commit()  # Xapian also commits by itself every 10,000 documents
        return count

    def size(self) -> int:
        self.db.close()
        self.db = self.xapian.Database(str(self.path))
        return dir_size(self.path)

    def query(self, text: str, prefix: bool) -> list[str]:
        xapian = self.xapian
        if self.enquire is None:
            self.parser = xapian.QueryParser()
            self.parser.set_database(self.db)
            self.parser.set_stemmer(xapian.Stem("english"))
            self.parser.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
            self.parser.set_default_op(xapian.Query.OP_AND)
            self.enquire = xapian.Enquire(self.db)
        flags = (xapian.QueryParser.FLAG_DEFAULT | xapian.QueryParser.FLAG_CJK_NGRAM
                 | (xapian.QueryParser.FLAG_PARTIAL if prefix else 0))
        try:
            self.enquire.set_query(self.parser.parse_query(text, flags))
            return [match.document.get_data().decode() for match in
                    self.enquire.get_mset(0, LIMIT)]
        except xapian.Error:
            return []


ENGINES = {"ujuzi": Ujuzi, "fts5": PlainFts5, "whoosh": Whoosh, "xapian": Xapian}


def percentiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)

    def at(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] * 1000

    return {"n": len(ordered), "p50": at(0.50), "p95": at(0.95), "p99": at(0.99)}


def run(engine_name: str, docs_path: Path, queries_path: Path, work: Path) -> dict[str, Any]:
    queries = json.loads(queries_path.read_text(encoding="utf-8"))
    engine = ENGINES[engine_name](work)
    if hasattr(engine, "prepare"):
        engine.prepare(read_docs(docs_path))
    start = time.perf_counter()
    count = engine.index(read_docs(docs_path))
    indexing = time.perf_counter() - start
    size = engine.size()
    engine.query(queries["warmup"], False)
    latency: dict[str, dict[str, float]] = {}
    for category, texts in queries["categories"].items():
        times: list[float] = []
        began = time.perf_counter()
        for text in texts:
            t0 = time.perf_counter()
            engine.query(text, category == "prefix")
            times.append(time.perf_counter() - t0)
            if time.perf_counter() - began > CATEGORY_BUDGET:
                break
        latency[category] = percentiles(times)
    relevance = [engine.query(case["query"], case["prefix"])[:3]
                 for case in queries["relevance"]]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"engine": engine_name, "docs": count, "indexing_s": indexing, "size": size,
            "latency": latency, "relevance": relevance, "peak_rss": peak}


def main(argv: list[str]) -> int:
    engine, docs, queries, work, out = argv
    result = run(engine, Path(docs), Path(queries), Path(work))
    Path(out).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""ZIM full-text search through Ujuzi's search, against libzim's own search as Kiwix runs it.

A ZIM of ``UJUZI_BENCH_ZIM_ARTICLES`` (default 20,000) English articles is written with
libzim's writer (full-text and title indexes), from the real English text of the shared
corpus (:mod:`benchmarks.search_corpus`), and imported by the real importer: more than 5,000
articles, so its articles are found through its own index only. Then the same queries
(single words, word pairs, phrases, prefixes as typed; ``UJUZI_BENCH_ZIM_QUERIES`` each, default
100) run through:

- ``ujuzi``: :func:`app.search.query.search`, a complete page of 20 hits as the window and
  the CLI get it: the library's own index, the ZIM's full text and titles, merged by rank,
  counted in the facets, each hit with its title and a highlighted snippet read from the ZIM;
- ``libzim``: what Kiwix does for a result page: the kept ``Searcher``, the estimated count and
  the first 20 entry paths, with each entry's title and content (which Kiwix reads to cut
  its snippets; the cutting itself, in C++, is not counted).

Printed: p50 / p95 / p99 per category for both, their ratio, the cost of the first search
(opening the ZIM's Xapian databases, once per ZIM and process), and whether every query that
libzim answers has libzim's first article on Ujuzi's page.
"""

from __future__ import annotations

import html
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks.search_corpus import doc_text, generate, load_texts, make_queries
from benchmarks.search_engines import percentiles
from benchmarks.zim_writer import page, write_zim

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("UJUZI_CORPUS", REPO.parent / "shared" / "corpus"))
CATEGORIES = ["single word", "two words", "phrase", "prefix"]
PAGE = 20


def _articles(docs: list[dict[str, Any]]) -> Iterator[tuple[str, str, str]]:
    for index, doc in enumerate(docs):
        title = f"{doc['title']} ({index})"
        paragraphs = (html.escape(line) for line in doc_text(doc).split("\n") if line.strip())
        yield f"A/Article_{index}", title, page(html.escape(title), *paragraphs)


def _kiwix_page(searcher: Any, archive: Any, text: str) -> list[str]:
    from libzim.search import Query

    search = searcher.search(Query().set_query(text))
    search.getEstimatedMatches()
    paths = list(search.getResults(0, PAGE))
    for path in paths:
        entry = archive.get_entry_by_path(path)
        entry.title  # noqa: B018 - what a result list shows
        bytes(entry.get_item().content)
    return paths


def main() -> bool:
    from libzim.reader import Archive
    from libzim.search import Searcher

    from app.library import Library
    from app.packs.importers import import_any
    from app.search.query import search

    count = int(os.environ.get("UJUZI_BENCH_ZIM_ARTICLES", "20000"))
    per_kind = int(os.environ.get("UJUZI_BENCH_ZIM_QUERIES", "100"))
    pools = load_texts(CORPUS)
    docs = list(generate({"en": pools["en"]}, count))
    queries = make_queries(docs[:: max(1, len(docs) // 200)], per_kind)
    with tempfile.TemporaryDirectory(prefix="ujuzi-bench-zim-") as tmp:
        root = Path(tmp)
        zim = root / "benchwiki.zim"
        started = time.perf_counter()
        write_zim(zim, _articles(docs), {"Title": "Benchmark wiki", "Name": "benchwiki",
                                         "Creator": "Ujuzi benchmarks"})
        print(f"   wrote a ZIM of {len(docs):,} articles ({zim.stat().st_size / 1e6:.0f} MB) "
              f"in {time.perf_counter() - started:.0f} s", flush=True)
        with Library(root / "home") as library:
            started = time.perf_counter()
            import_any(library, zim)
            print(f"   imported it in {time.perf_counter() - started:.1f} s", flush=True)
            started = time.perf_counter()
            search(library, "wikipedia", limit=PAGE)
            first = time.perf_counter() - started
            archive = Archive(zim)
            started = time.perf_counter()
            searcher = Searcher(archive)
            _kiwix_page(searcher, archive, "wikipedia")
            kiwix_first = time.perf_counter() - started
            ours: dict[str, dict[str, float]] = {}
            theirs: dict[str, dict[str, float]] = {}
            same = asked = 0
            for category in CATEGORIES:
                mine: list[float] = []
                kiwix: list[float] = []
                for text in queries[category]:
                    t0 = time.perf_counter()
                    results = search(library, text, limit=PAGE)
                    mine.append(time.perf_counter() - t0)
                    t0 = time.perf_counter()
                    paths = _kiwix_page(searcher, archive, text)
                    kiwix.append(time.perf_counter() - t0)
                    if paths and category != "prefix":
                        asked += 1
                        same += paths[0] in {hit.entry for hit in results.hits}
                ours[category], theirs[category] = percentiles(mine), percentiles(kiwix)
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"first search (opens the ZIM's indexes): Ujuzi {first * 1000:.0f} ms, "
          f"libzim {kiwix_first * 1000:.0f} ms")
    print("latency in ms, p50 / p95 / p99, a page of 20 hits")
    print(f"{'':12}" + "".join(f" {c:>22}" for c in CATEGORIES))
    for name, table in (("Ujuzi", ours), ("libzim", theirs)):
        print(f"{name:12}" + "".join(
            f" {table[c]['p50']:>6.1f} / {table[c]['p95']:>5.1f} / {table[c]['p99']:>5.1f}"
            for c in CATEGORIES))
    print(f"{'ours/theirs':12}" + "".join(
        " " + " / ".join(f"{ours[c][p] / max(theirs[c][p], 1e-3):.1f}x"
                         for p in ("p50", "p95", "p99")).rjust(22) for c in CATEGORIES))
    print(f"libzim's first hit on Ujuzi's page: {same} of {asked} queries (while the last "
          "word is being typed, title matches come first)")
    return same == asked


if __name__ == "__main__":
    sys.exit(0 if main() else 1)

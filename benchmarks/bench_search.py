"""Search at 100,000 resources: Ujuzi's engine against plain FTS5, whoosh and Xapian.

A library of ``UJUZI_BENCH_SEARCH_DOCS`` (default 100,000) resources is generated from the
real multilingual text of the shared corpus (see :mod:`benchmarks.search_corpus`), with the
relevance suite's resources among them (:mod:`benchmarks.search_relevance`). Each engine then
runs in its own process (:mod:`benchmarks.search_engines`) on the same documents and the same
queries: ``UJUZI_BENCH_SEARCH_QUERIES`` (default 200) each of single words, two words,
phrases, prefixes as typed and words with a typo. Printed: indexing speed, index size, query
latency p50/p95/p99 per category, peak memory, and the relevance suite's score, for each.

Ujuzi's latencies are of a complete search as the CLI and the UI run it: ranking, facet
counts, snippets with highlights and timestamps. The peers return ids only. The engines run
one after the other, each with the machine to itself; Xapian under the system Python
(Debian's ``python3-xapian``); whoosh with a writer per core, its fastest setting, and at
most ``UJUZI_BENCH_SEARCH_BUDGET`` seconds of queries per category (its prefix queries take
seconds each). At 100,000 resources the whole run takes about eight minutes on two cores,
half of it whoosh's; ``UJUZI_BENCH_SEARCH_DOCS=20000`` takes about two.

Targets: in every category, p95 under 15 ms and p99 under 30 ms at 100,000 resources; peak
memory under 100 MB; every relevance case passing, and a better relevance score than every
peer. The ratio of each peer's latency to ours (p50, p95 and p99) is printed per category, from
the same run: on a shared machine the absolute figures move with the load, the ratios less.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.search_corpus import doc_text, generate, load_texts, make_queries
from benchmarks.search_relevance import cases, documents

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("UJUZI_CORPUS", REPO.parent / "shared" / "corpus"))
WORKER = Path(__file__).with_name("search_engines.py")
SYSTEM_PYTHON = "/usr/bin/python3"
TARGET_P95_MS = 15.0
TARGET_P99_MS = 30.0
TARGET_RSS_MB = 100.0
CATEGORIES = ["single word", "two words", "phrase", "prefix", "typo"]


def _write_corpus(root: Path, count: int) -> tuple[Path, dict[str, Any], str]:
    pools = load_texts(CORPUS)
    suite = documents(CORPUS)
    every = max(1, count // (len(suite) + 1))
    docs_path = root / "docs.jsonl"
    sample: list[dict[str, Any]] = []
    words = 0
    kinds: dict[str, int] = {}
    with open(docs_path, "w", encoding="utf-8") as out:
        extra = iter(suite)
        for index, doc in enumerate(generate(pools, count - len(suite))):
            if index % every == every - 1:
                planted = next(extra, None)
                if planted is not None:
                    out.write(json.dumps(planted, ensure_ascii=False) + "\n")
            out.write(json.dumps(doc, ensure_ascii=False) + "\n")
            kinds[doc["kind"]] = kinds.get(doc["kind"], 0) + 1
            words += len(doc_text(doc).split())
            if index % 20 == 0:
                sample.append(doc)
        for planted in extra:
            out.write(json.dumps(planted, ensure_ascii=False) + "\n")
    per_kind = int(os.environ.get("UJUZI_BENCH_SEARCH_QUERIES", "200"))
    queries = {
        "warmup": "wikipedia",
        "categories": make_queries(sample, per_kind),
        "relevance": [asdict(case) for case in cases()],
    }
    queries_path = root / "queries.json"
    queries_path.write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
    plural = {"article": "articles", "video": "videos with subtitles", "quiz": "quizzes"}
    mix = ", ".join(f"{kinds[k] * 100 // max(1, sum(kinds.values()))}% {plural.get(k, k)}"
                    for k in sorted(kinds))
    about = (f"{count:,} resources in {len(pools)} languages ({mix}), "
             f"{words / max(1, count - len(suite)):.0f} words each on average")
    return docs_path, queries, about


def _has_xapian() -> bool:
    try:
        done = subprocess.run([SYSTEM_PYTHON, "-c", "import xapian"], capture_output=True,
                              check=False, timeout=60)
    except OSError:
        return False
    return done.returncode == 0


def _run(engine: str, python: str, docs: Path, queries: Path, root: Path
         ) -> dict[str, Any] | None:
    work = root / engine
    work.mkdir()
    out = root / f"{engine}.json"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    done = subprocess.run(
        [python, str(WORKER), engine, str(docs), str(queries), str(work), str(out)],
        cwd=REPO, env=env, check=False,
    )
    shutil.rmtree(work, ignore_errors=True)
    print(f"   {engine}: {time.perf_counter() - started:.0f} s", flush=True)
    if done.returncode != 0:
        print(f"   {engine}: failed with exit code {done.returncode}")
        return None
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


def _report(about: str, queries: dict[str, Any], results: dict[str, dict[str, Any]]) -> bool:
    engines = [e for e in ("ujuzi", "fts5", "whoosh", "xapian") if e in results]
    names = {"ujuzi": "Ujuzi", "fts5": "plain FTS5", "whoosh": "whoosh", "xapian": "Xapian"}
    print(f"corpus: {about}")
    print()
    print(f"{'engine':12} {'indexing':>12} {'docs/s':>8} {'index size':>12} {'peak RSS':>10}")
    for engine in engines:
        r = results[engine]
        print(f"{names[engine]:12} {r['indexing_s']:10.1f} s {r['docs'] / r['indexing_s']:8,.0f} "
              f"{r['size'] / 1e6:9.1f} MB {r['peak_rss'] / 2**20:7.1f} MB")
    print()
    print("query latency in ms, p50 / p95 / p99 (queries run)")
    print(f"{'engine':12}" + "".join(f" {c:>25}" for c in CATEGORIES))
    for engine in engines:
        cells = []
        for category in CATEGORIES:
            s = results[engine]["latency"][category]
            cells.append(f"{s['p50']:.1f} / {s['p95']:.1f} / {s['p99']:.0f} ({s['n']})")
        print(f"{names[engine]:12}" + "".join(f" {c:>25}" for c in cells))
    print()
    suite = queries["relevance"]
    scores = {}
    print("relevance suite: is the expected resource in the top 3?")
    print(f"{'case':58}" + "".join(f"{names[e]:>12}" for e in engines))
    for index, case in enumerate(suite):
        marks = []
        for engine in engines:
            ok = case["expected"] in results[engine]["relevance"][index]
            scores[engine] = scores.get(engine, 0) + ok
            marks.append("yes" if ok else "-")
        label = f"{case['lang']}: {case['behaviour']} ({case['query']})"
        print(f"{label[:57]:58}" + "".join(f"{m:>12}" for m in marks))
    print(f"{'score':58}" + "".join(f"{scores[e]:>9}/{len(suite):<2}" for e in engines))
    print()
    ours = results.get("ujuzi")
    if ours is None:
        print("FAIL: Ujuzi's engine did not run")
        return False
    ok = True
    for name, target in (("p95", TARGET_P95_MS), ("p99", TARGET_P99_MS)):
        worst = max(CATEGORIES, key=lambda c: ours["latency"][c][name])
        value = ours["latency"][worst][name]
        ok &= value < target
        print(f"Ujuzi worst {name}: {value:.1f} ms ({worst}; target < {target:.0f} ms)  "
              f"{'PASS' if value < target else 'FAIL'}")
    rss = ours["peak_rss"] / 2**20
    verdict = "PASS" if rss < TARGET_RSS_MB else "FAIL"
    ok &= rss < TARGET_RSS_MB
    print(f"Ujuzi peak memory: {rss:.0f} MB (target < {TARGET_RSS_MB:.0f} MB)  {verdict}")
    every = scores["ujuzi"] == len(suite)
    ok &= every
    print(f"Ujuzi relevance: {scores['ujuzi']}/{len(suite)} cases pass  "
          f"{'PASS' if every else 'FAIL'}")
    for engine in engines[1:]:
        better = scores["ujuzi"] > scores[engine]
        ok &= better
        print(f"vs {names[engine]}: relevance {scores['ujuzi']} vs {scores[engine]} "
              f"{'PASS' if better else 'FAIL'}")
    print()
    print("their latency / ours, p50 / p95 / p99 (above 1: Ujuzi answers faster)")
    print(f"{'engine':12}" + "".join(f" {c:>25}" for c in CATEGORIES))
    for engine in engines[1:]:
        theirs = results[engine]["latency"]
        cells = []
        for category in CATEGORIES:
            mine = ours["latency"][category]
            cells.append(" / ".join(
                f"{theirs[category][p] / max(mine[p], 1e-3):.2f}" for p in ("p50", "p95", "p99")))
        print(f"{names[engine]:12}" + "".join(f" {c:>25}" for c in cells))
    missing = [names[e] for e in ("fts5", "whoosh", "xapian") if e not in results]
    if missing:
        ok = False
        print(f"FAIL: peers that did not run: {', '.join(missing)}")
    return ok


def main() -> bool:
    count = int(os.environ.get("UJUZI_BENCH_SEARCH_DOCS", "100000"))
    with tempfile.TemporaryDirectory(prefix="ujuzi-bench-search-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        print("   machine load (1, 5, 15 min) at the start: "
              + ", ".join(f"{load:.2f}" for load in os.getloadavg()), flush=True)
        docs, queries, about = _write_corpus(root, count)
        print(f"   generated the corpus in {time.perf_counter() - started:.0f} s; "
              "running the engines one after the other", flush=True)
        queries_path = root / "queries.json"
        engines = [("ujuzi", sys.executable), ("fts5", sys.executable)]
        if _has_xapian():
            engines.append(("xapian", SYSTEM_PYTHON))
        else:
            print("   Xapian is not available: install python3-xapian "
                  "(packaging/install-system-deps.sh)")
        engines.append(("whoosh", sys.executable))
        results: dict[str, dict[str, Any]] = {}
        for engine, python in engines:  # one at a time: each has the machine to itself
            result = _run(engine, python, docs, queries_path, root)
            if result is not None:
                results[engine] = result
        print(f"   done in {time.perf_counter() - started:.0f} s")
    print("machine load (1, 5, 15 min) at the end: "
          + ", ".join(f"{load:.2f}" for load in os.getloadavg()) + f" on {os.cpu_count()} cores")
    return _report(about, queries, results)


if __name__ == "__main__":
    sys.exit(0 if main() else 1)

"""The relevance suite on a small library: each query finds its resource in the top three.

The suite (benchmarks/search_relevance.py) is made of real help texts in English, French,
Spanish, Arabic, Swahili, Hindi and Chinese; 300 other resources recombined from the same
corpus stand around them, as articles, videos with subtitles and quizzes. The benchmark runs
the same suite at 100,000 resources and on the peer engines.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from app.library import Library
from app.packs.importer import import_pack
from app.search.query import search
from benchmarks.search_corpus import generate, load_texts
from benchmarks.search_relevance import Case, cases, documents
from tests.conftest import CORPUS
from tests.unit.search.packs import build, res, vtt


def as_resource(doc: dict[str, Any]) -> dict[str, Any]:
    local_id, lang = doc["id"], doc["lang"]
    if "cues" in doc:
        return res(local_id, "video", doc["title"], (f"{local_id}.webm", b"\x1a\x45\xdf\xa3"),
                   (f"{local_id}.vtt", vtt(*[(s, t) for s, t in doc["cues"]]), "subtitles",
                    lang), lang=lang)
    if doc["kind"] == "quiz":
        quiz = {"questions": [{"id": f"q{i}", "type": "text", "prompt": line, "answer": "-"}
                              for i, line in enumerate(doc["body"].split("\n"))]}
        return res(local_id, "quiz", doc["title"], (f"{local_id}.quiz.json", json.dumps(quiz)),
                   lang=lang)
    return res(local_id, "article", doc["title"], (f"{local_id}.md", doc["body"]), lang=lang)


@pytest.fixture(scope="module")
def suite_library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    root = tmp_path_factory.mktemp("relevance")
    others = list(generate(load_texts(CORPUS, quick=True), 300, seed=3))
    resources = [as_resource(doc) for doc in [*documents(CORPUS), *others]]
    languages = sorted({r["lang"] for r in resources})
    build(root / "suite.ujpack", resources, pack_id="org.test.relevance", languages=languages)
    with Library(root / "home") as library:
        import_pack(library, root / "suite.ujpack")
        yield library


@pytest.mark.parametrize("case", cases(), ids=lambda c: f"{c.lang}-{c.behaviour}")
def test_the_expected_resource_is_in_the_top_three(suite_library: Library, case: Case) -> None:
    results = search(suite_library, case.query, limit=3)
    found = [hit.resource_id.split("/", 1)[1] for hit in results.hits]
    assert case.expected in found, (case.query, found)


def test_the_suite_covers_the_languages_and_behaviours() -> None:
    suite = cases()
    assert {c.lang for c in suite} >= {"en", "fr", "es", "ar", "sw", "hi", "zh"}
    assert len({c.behaviour for c in suite}) == len(suite)
    assert {c.expected for c in suite} <= {d["id"] for d in documents(CORPUS)}

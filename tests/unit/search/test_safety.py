"""Anything a user types gives results or an empty list, never an exception."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.library import Library
from app.search.query import Results, expression, parse, search
from benchmarks.search_relevance import tips
from tests.unit.search.packs import install, res

NASTY = [
    '"', '""', '"""', "'", ":", "title:", "body : x", "{title}: edit", "(", ")", "((a", "a))",
    "[", "]", "*", "**", "edit*", "^edit", "-", "--", "+", "NOT", "AND", "OR", "NEAR",
    "NEAR(", "NEAR(a b, 3)", "a AND", "OR b", "a NOT b", "a OR OR b", "rank:", "rowid = 1",
    "'; DROP TABLE packs; --", "\x00", "\ud800", "\\", "%", "_", "…", "؟", "।", "。", "!!!",
    ".,;:!?()[]{}<>", "\u200d\u200c", "\u0301", "ـــ", " " * 50, "\n\t\r", "a" * 5000,
    "edit " * 2000, "عربي" * 1000, "编辑" * 3000, '"' + "x " * 400,
]


def content(library: Library, tmp_path: Path, corpus: Path) -> None:
    install(library, tmp_path, [
        res("copyedit", "article", "Copy editing",
            ("copyedit.md", "\n\n".join(tips(corpus, "en", "copyedit-main-value",
                                              "copyedit-main-rules1")))),
        res("ar", "article", "تحرير", ("ar.md", tips(corpus, "ar", "copyedit-main-rules1")[0]),
            lang="ar"),
    ])
    library.add_note("org.test.search/copyedit", "note: edit AND cite (NEAR the end)")


def check(library: Library, text: str, **filters: str) -> Results:
    results = search(library, text, **filters)  # type: ignore[arg-type]
    assert isinstance(results, Results)
    for hit in results.hits:
        assert all(0 <= s < e <= len(hit.snippet) for s, e in hit.highlights)
    return results


def test_fts5_syntax_and_odd_input_is_just_text(library: Library, tmp_path: Path,
                                                corpus: Path,
                                                caplog: pytest.LogCaptureFixture) -> None:
    content(library, tmp_path, corpus)
    for text in NASTY:
        check(library, text)
        check(library, text, kind="article", lang="en", pack="x", skill="'")
    assert check(library, "AND spelling").hits  # "and" is a word here, not an operator
    assert check(library, "spelling NEAR grammar").hits  # so is "near": any word matches
    assert check(library, "edit summary:").hits == check(library, "edit summary").hits
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]  # nothing failed


def test_huge_queries_are_cut_short(library: Library, tmp_path: Path, corpus: Path) -> None:
    content(library, tmp_path, corpus)
    terms = parse("spelling " + "word " * 5000, ["en"])
    assert len(terms) <= 12
    assert len(expression(terms)) < 2000
    check(library, "spelling grammar " + "x" * 10_000)


def test_any_text(library: Library, tmp_path: Path, corpus: Path,
                  caplog: pytest.LogCaptureFixture) -> None:
    content(library, tmp_path, corpus)

    @settings(max_examples=300, deadline=None)
    @given(st.text(st.characters(codec=None), max_size=300) | st.sampled_from(NASTY)
           | st.lists(st.sampled_from([*NASTY, "edit", "spelling", "الرسم"]), max_size=8)
           .map(" ".join))
    def any_text(text: str) -> None:
        check(library, text)

    any_text()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]

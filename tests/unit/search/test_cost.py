"""What a search costs, asserted as work done rather than time taken: each FTS expression is
walked once, facets are counted from rowids (a document's facet group is in its rowid, see
app.search.index.rowid_for), ranking sorts only the best matches, and a snippet does not cut
a long Chinese run into all of its bigrams."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from app.library import Library
from app.search import index
from app.search.analysis import Analyzer, analyzer
from app.search.query import Results, search
from benchmarks.search_relevance import help_messages
from tests.unit.search.packs import install, res, vtt

TOPICS = ("citations", "images", "talk pages", "copy editing", "references")


def fill(library: Library, tmp_path: Path) -> None:
    """Two packs, three languages, three kinds: every resource mentions "wiki"."""
    install(library, tmp_path / "a", [
        res(f"en{i}", "article", f"Wiki {topic}",
            (f"en{i}.md", f"# {topic}\n\nA wiki page about {topic}, number {i}.\n"))
        for i, topic in enumerate(TOPICS)
    ] + [
        res("sw-video", "video", "Video ya wiki", ("v.webm", b"\x1a\x45\xdf\xa3"),
            ("v.vtt", vtt((1.0, "Karibu kwenye wiki."), (4.0, "Marejeleo ya wiki.")),
             "subtitles", "sw"), lang="sw"),
    ], skills=["editing"], languages=["en", "sw"])
    install(library, tmp_path / "b", [
        res(f"fr{i}", "article", f"Wiki {i}", (f"fr{i}.md", f"Une page wiki, la {i}e."),
            lang="fr") for i in range(4)
    ] + [res("quiz", "quiz", "Wiki quiz", ("q.quiz.json", '{"questions": [{"id": "q", '
             '"type": "true_false", "prompt": "A wiki has talk pages.", "answer": true}]}'))],
        pack_id="org.test.other", languages=["fr", "en"], skills=["citations"])


@contextmanager
def statements(library: Library) -> Iterator[list[str]]:
    seen: list[str] = []
    conn: sqlite3.Connection = library.db.conn
    conn.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        conn.set_trace_callback(None)


def ranks_bodies(statement: str) -> bool:
    """Whether an SQL statement has FTS5 compute bm25 over the full index's matches."""
    return "bm25(search_fts" in statement or "search_fts.rank" in statement


def summary(results: Results) -> tuple[object, ...]:
    return ([hit.resource_id for hit in results.hits], results.total, results.total_exact,
            results.facets)


def test_matches_are_walked_once_and_facets_read_no_document_rows(
        library: Library, tmp_path: Path) -> None:
    fill(library, tmp_path)
    search(library, "wiki")  # the first search reads the library's languages and groups
    with statements(library) as seen:
        results = search(library, "wiki", kind="article")
    assert results.total == 9 and results.facets["kind"] == {"article": 9, "quiz": 1,
                                                            "video": 1}
    matching = [s for s in seen if "search_fts MATCH" in s]
    walks = [s for s in matching if "ORDER BY rowid" in s]
    assert len(walks) == 1  # the window and the facets share one walk of the matches
    # search_docs is read for the page's hits only, never joined with every match.
    assert not any("search_docs" in s for s in matching)
    assert not any("ORDER BY search_fts.rank" in s for s in seen)


def test_facets_and_filters_are_the_same_without_group_numbers(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Documents beyond the last group number are counted and filtered from search_docs."""
    queries = [("wiki", {}), ("wiki", {"lang": "fr"}), ("wiki", {"kind": "quiz"}),
               ("wiki", {"pack": "org.test.other", "lang": "en"}),
               ("wiki", {"skill": "editing"}), ("karibu", {"lang": "sw"})]
    with Library(home) as library:
        fill(library, tmp_path / "numbered")
        expected = [summary(search(library, text, **args)) for text, args in queries]
    monkeypatch.setattr(index, "MAX_GROUPS", 2)
    with Library(tmp_path / "other-home") as library:
        fill(library, tmp_path / "few-numbers")
        assert len(index.groups(library.db)) == 3  # "none" and two numbered groups
        assert [summary(search(library, text, **args)) for text, args in queries] == expected


def test_a_long_chinese_run_is_searched_not_cut_into_bigrams(
        monkeypatch: pytest.MonkeyPatch) -> None:
    run = "维基百科是一个自由的百科全书任何人都可以编辑维基百科的文章" * 20
    text = f"Intro {run}。尾 ¡Hola! 百"
    chinese = analyzer("zh")
    # What the pieces of the text say, one by one (the reference the fast path must meet).
    wanted = {"百科", "编辑"}
    expected: list[tuple[int, int]] = []
    for token in chinese.tokens(text):
        if token.surface in wanted or token.surface.startswith("任"):
            if expected and token.start < expected[-1][1]:
                expected[-1] = (expected[-1][0], max(expected[-1][1], token.end))
            else:
                expected.append((token.start, token.end))
    analysed: list[str] = []
    real = Analyzer._analyse

    def counting(self: Analyzer, word: str) -> object:
        analysed.append(word)
        return real(self, word)

    monkeypatch.setattr(Analyzer, "_analyse", counting)
    assert chinese.spans(text, wanted, set(), ("任",)) == expected
    assert not any(len(word) > 10 for word in analysed)


def _reference_spans(lang: str, text: str, surfaces: set[str], stems: set[str],
                     prefixes: tuple[str, ...]) -> list[tuple[int, int]]:
    """Every piece of the text analysed, one by one: what spans() must find."""
    found: list[tuple[int, int]] = []
    for token in analyzer(lang).tokens(text):
        if (token.surface in surfaces or (token.stem or token.surface) in stems
                or (prefixes and token.surface.startswith(prefixes))):
            if found and token.start < found[-1][1]:
                found[-1] = (found[-1][0], max(found[-1][1], token.end))
            else:
                found.append((token.start, token.end))
    return found


@pytest.mark.parametrize("lang", ["en", "fr", "es", "de", "hi", "ar", "sw", "ru", "ja", "zh-hans"])
def test_snippet_spans_are_those_of_the_whole_analysis(corpus: Path, lang: str) -> None:
    """Skipping words by their first letter finds exactly what analysing every word does."""
    messages = list(help_messages(corpus, lang).values())[:80]
    text = "\n".join(messages) + " Strasse ÉDITER Łódź first_word ٣٤ Ｗｉｋｉ"
    words = [t for t in analyzer(lang).tokens(text) if len(t.surface) > 2]
    chosen = words[:: max(1, len(words) // 8)][:8]
    surfaces = {t.surface for t in chosen[:4]} | {"strasse", "editer", "lodz", "first"}
    stems = {t.stem or t.surface for t in chosen[4:]}
    prefixes = tuple(t.surface[:2] for t in chosen[6:])
    assert len(chosen) == 8
    # As it is; with letters that case-fold longer (the offsets move); with Chinese.
    for variant in (text, text + " Straße ﬁrst", text + " 維基百科"):
        expected = _reference_spans(lang, variant, surfaces, stems, prefixes)
        assert len(expected) >= 8  # the test looks for words that are there
        assert analyzer(lang).spans(variant, surfaces, stems, prefixes) == expected


def test_one_phrase_is_ranked_without_counting_its_documents_again(
        library: Library, tmp_path: Path) -> None:
    """bm25 would count the documents that have the phrase over the whole index first: the
    same count for every match. Titles come first (bm25 on the title index), then the
    shortest texts."""
    filler = " ".join(f"word{i}" for i in range(40))
    install(library, tmp_path, [
        res("long", "article", "Long", ("long.md", f"{filler} the talk page of it {filler}")),
        res("short", "article", "Short", ("short.md", "A talk page.")),
        res("titled", "article", "The talk page", ("titled.md", "Where people discuss.")),
        res("apart", "article", "Apart", ("apart.md", "A page to talk about.")),
    ])
    with statements(library) as seen:
        results = search(library, '"talk page"')
    assert [hit.resource_id.split("/")[1] for hit in results.hits] == ["titled", "short", "long"]
    assert not any(ranks_bodies(s) for s in seen)
    assert results.total == 3


def test_a_broad_query_being_typed_lists_titles_then_the_shortest(
        library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While the last word is being typed it stands for the commonest words it begins;
    counting each of their documents for bm25 would cost more than the search."""
    from app.search import query

    fill(library, tmp_path)
    for name in ("RANK_COST", "RANK_MIN", "RANK_CAP"):
        monkeypatch.setattr(query, name, 3)  # a window of three: every query here is broad
    with statements(library) as seen:
        typed = search(library, "wik")
    assert not any(ranks_bodies(s) for s in seen)
    titles = [hit for hit in typed.hits if "wiki" in hit.title.casefold()]
    assert typed.hits[: len(titles)] == titles and typed.total == 11
    with statements(library) as seen:
        complete = search(library, "wiki ")  # a space: the word is complete, bm25 ranks
    assert any(ranks_bodies(s) for s in seen) and complete.total == 11


def test_the_typo_vocabulary_is_read_as_one_value(library: Library, tmp_path: Path) -> None:
    """A process's first misspelt query does not select every term of the library."""
    from app.search.query import _states

    fill(library, tmp_path)
    _states.clear()  # as in a new process
    with statements(library) as seen:
        results = search(library, "refrences ")
    assert results.suggestion == "references "
    assert not any("FROM search_terms WHERE docs" in s for s in seen)
    assert "references" in index.vocabulary(library.db)
    library.remove_pack("org.test.search")  # the vocabulary follows the index
    assert "references" not in index.vocabulary(library.db)
    assert index.vocabulary(library.db) == index._select_vocabulary(library.db)

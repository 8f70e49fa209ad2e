"""A ZIM too big to list is searched through its own indexes, from the CLI and the core.

The ZIMs are written at test time by libzim's writer with a full-text index, imported by the
real importer (``ujuzi import``) and searched with ``ujuzi search``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import main
from app.library import Library
from app.search import zims
from app.search.query import search, search_db, zim_sources
from tests.conftest import REPO
from tests.unit.search.packs import build, res
from tests.unit.search.zimfiles import make_zim

PACK = "zim.testwiki"
UNIQUE = 4321
PAGED = range(100, 3100, 100)  # 30 articles that have "quokka"


@pytest.fixture(scope="module")
def big_zim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    extra = {UNIQUE: "A zanzibarite was found here."}
    extra.update({index: "A quokka lives here." for index in PAGED})
    extra[7] = "The harbourx is closed."
    return make_zim(tmp_path_factory.mktemp("zim") / "testwiki.zim", 8000, extra)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def imported(capsys: pytest.CaptureFixture[str], home: Path, big_zim: Path) -> Iterator[Path]:
    code, out, _err = run(capsys, "import", str(big_zim))
    assert code == 0
    assert "more than 5000 articles" in out and "found through the ZIM's own search" in out
    yield home


def test_a_word_of_one_article_is_found_by_ujuzi_search(
        capsys: pytest.CaptureFixture[str], imported: Path) -> None:
    code, out, _err = run(capsys, "search", "zanzibarite")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"Article {UNIQUE}  ({PACK}/index)  article en  A/Article_{UNIQUE}"
    assert "[zanzibarite]" in lines[1] and "quokka" not in lines[1]
    assert lines[-1] == "1 of 1 result."
    code, out, _err = run(capsys, "search", "zanzibarite", "--json")
    data = json.loads(out)
    [hit] = data["hits"]
    assert hit["entry"] == f"A/Article_{UNIQUE}" and hit["resource_id"] == f"{PACK}/index"
    start, end = hit["highlights"][0]
    assert hit["snippet"][start:end] == "zanzibarite"
    assert "was found here" in hit["snippet"]
    assert data["total"] == 1 and data["total_exact"]
    assert data["facets"]["lang"] == {"en": 1} and data["facets"]["pack"] == {PACK: 1}
    assert data["facets"]["kind"] == {"article": 1}


def test_the_installed_command_finds_it(imported: Path) -> None:
    """The same through a real ``ujuzi`` process (a fresh process opens the ZIM itself)."""
    env = {**os.environ, "UJUZI_HOME": str(imported), "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "app", "search", "zanzibarite", "--json"],
                          capture_output=True, text=True, env=env, cwd=REPO, check=False)
    assert done.returncode == 0, done.stderr
    [hit] = json.loads(done.stdout)["hits"]
    assert hit["entry"] == f"A/Article_{UNIQUE}"


def test_hits_are_paged_and_counted(imported: Path) -> None:
    with Library(imported) as library:
        pages = [search(library, "quokka", limit=10, offset=offset) for offset in (0, 10, 20)]
        beyond = search(library, "quokka", limit=10, offset=30)
    entries = [hit.entry for results in pages for hit in results.hits]
    assert sorted(entries) == sorted(f"A/Article_{i}" for i in PAGED)
    assert all(results.total == 30 and results.total_exact for results in pages)
    assert beyond.hits == [] and beyond.total == 30


def test_filters_and_facets(imported: Path) -> None:
    with Library(imported) as library:
        french = search(library, "zanzibarite", lang="fr")
        english = search(library, "zanzibarite", lang="en")
        videos = search(library, "zanzibarite", kind="video")
        other_pack = search(library, "zanzibarite", pack="org.other")
    assert french.hits == [] and french.total == 0
    assert french.facets["lang"] == {"en": 1}  # what choosing English would give
    assert [hit.entry for hit in english.hits] == [f"A/Article_{UNIQUE}"]
    assert videos.hits == [] and videos.facets["kind"] == {"article": 1}
    assert other_pack.hits == [] and other_pack.facets["pack"] == {PACK: 1}


def test_titles_complete_as_you_type(imported: Path) -> None:
    with Library(imported) as library:
        typing = search(library, "article 432")  # the last word is not finished
    assert typing.hits[0].entry == "A/Article_432"
    assert {hit.entry for hit in typing.hits[:11]} == {
        "A/Article_432", *(f"A/Article_432{i}" for i in range(10))}


def test_merged_with_our_hits_by_rank_and_no_false_correction(
        imported: Path, tmp_path: Path) -> None:
    path = tmp_path / "pack.ujpack"
    build(path, [res(f"harbour{i}", "article", f"Harbours {i}",
                     (f"harbour{i}.md", b"# Harbours\n\nThe harbours of the coast.\n"))
                 for i in range(12)] + [
        res("found", "article", "Minerals", ("found.md", b"# Minerals\n\nA zanzibarite.\n"))])
    with Library(imported) as library:
        assert main(["import", str(path)]) == 0
        both = search(library, "zanzibarite")
        known = search(library, "harbourx")
    assert [(hit.resource_id, hit.entry) for hit in both.hits] == [
        ("org.test.search/found", None), (f"{PACK}/index", f"A/Article_{UNIQUE}")]
    assert both.total == 2 and both.facets["pack"] == {PACK: 1, "org.test.search": 1}
    # The ZIM knows "harbourx" as typed: no "did you mean harbours", its hit comes first.
    assert known.suggestion is None
    assert known.hits[0].entry == "A/Article_7"


def test_time_budget_lists_hits_without_reading_them(imported: Path) -> None:
    with Library(imported) as library:
        sources = zim_sources(library)
        results = search_db(library.db, "quokka", limit=5, zims=sources, zim_budget=0.0)
    assert len(results.hits) == 5 and results.total == 30
    assert all(hit.title.startswith("Article ") and hit.snippet == "" for hit in results.hits)
    assert all(hit.field == "title" and hit.entry for hit in results.hits)


def test_searchers_are_opened_once_per_zim(imported: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import libzim.search

    made: list[object] = []
    real = libzim.search.Searcher

    def counting(archive: object) -> object:
        made.append(archive)
        return real(archive)

    monkeypatch.setattr(libzim.search, "Searcher", counting)
    monkeypatch.setattr(zims, "_open", type(zims._open)())
    with Library(imported) as library:
        for word in ("zanzibarite", "quokka", "river", "zanzibarite"):
            assert search(library, word).hits
    assert len(made) == 1


def test_odd_queries_never_fail(imported: Path) -> None:
    assert zims.query_text('AND title:Foo "River  Mountain" c* (NEAR)') == (
        'and title foo "river mountain" c near')
    with Library(imported) as library:
        for text in ('"', '"unclosed', "NOT", "(", "*", "a:b", "river AND", "-x +y", "\x00"):
            search(library, text)  # no exception, whatever the ZIM's parser thinks of it
        assert search(library, "ZANZIBARITE").hits[0].entry == f"A/Article_{UNIQUE}"


def test_a_removed_zim_is_not_searched(capsys: pytest.CaptureFixture[str],
                                       imported: Path) -> None:
    assert run(capsys, "search", "zanzibarite")[1].startswith(f"Article {UNIQUE}")
    assert run(capsys, "remove", PACK)[0] == 0
    code, out, _err = run(capsys, "search", "zanzibarite")
    assert code == 0 and out.startswith("No results")

"""``ujuzi search``, as a learner and as a script use it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.search.index import FINGERPRINT_KEY
from benchmarks.search_relevance import tips
from tests.unit.search.packs import build, res, vtt


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def imported(capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path,
             corpus: Path) -> None:
    path = tmp_path / "pack.ujpack"
    build(path, [
        res("copyedit", "article", "Copy editing",
            ("copyedit.md", "\n\n".join(tips(corpus, "en", "copyedit-main-value")))),
        res("video", "video", "Marejeleo", ("video.webm", b"\x1a\x45\xdf\xa3"),
            ("video.vtt", vtt((0.0, "Karibu."), (75.0, "Ongeza marejeleo kwa makala.")),
             "subtitles", "sw"), lang="sw"),
    ], languages=["en", "sw"], skills=["copyediting"])
    assert run(capsys, "import", str(path))[0] == 0


def test_human_output(capsys: pytest.CaptureFixture[str], imported: None) -> None:
    code, out, _ = run(capsys, "search", "trustworthy", "grammar")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Copy editing  (org.test.search/copyedit)  article en"
    assert "[grammar]" in lines[1] and "[trustworthy]" in lines[1]
    assert lines[-1] == "1 of 1 result."
    code, out, _ = run(capsys, "search", "marejeleo", "makala")
    assert "@1:15" in out.splitlines()[0] and "[marejeleo]" in out


def test_json_output(capsys: pytest.CaptureFixture[str], imported: None) -> None:
    code, out, _ = run(capsys, "search", "makala", "--json")
    assert code == 0
    data = json.loads(out)
    [hit] = data["hits"]
    assert {k: hit[k] for k in ("resource_id", "pack_id", "kind", "lang", "title", "field",
                                "timestamp")} == {
        "resource_id": "org.test.search/video", "pack_id": "org.test.search", "kind": "video",
        "lang": "sw", "title": "Marejeleo", "field": "subtitles", "timestamp": 75.0}
    start, end = hit["highlights"][0]
    assert hit["snippet"][start:end] == "makala" and hit["score"] > 0
    assert data["facets"]["lang"] == {"sw": 1} and data["total"] == 1
    assert data["suggestion"] is None


def test_filters_limit_and_suggestions(capsys: pytest.CaptureFixture[str],
                                       imported: None) -> None:
    assert json.loads(run(capsys, "search", "a", "--kind", "video", "--json")[1])["hits"] == []
    data = json.loads(run(capsys, "search", "makala", "--lang", "sw", "--pack",
                          "org.test.search", "--skill", "copyediting", "--json")[1])
    assert len(data["hits"]) == 1
    data = json.loads(run(capsys, "search", "the", "--limit", "1", "--json")[1])
    assert len(data["hits"]) == 1
    code, out, _ = run(capsys, "search", "grammer")
    assert out.splitlines()[0] == "Did you mean: grammar"
    code, out, _ = run(capsys, "search", "zzzzqqq")
    assert code == 0 and out.strip() == "No results for zzzzqqq."


def test_rebuild(capsys: pytest.CaptureFixture[str], imported: None, home: Path) -> None:
    code, out, err = run(capsys, "search", "--rebuild")
    assert code == 0 and out == "" and "Indexed 2 resources." in err
    code, out, _ = run(capsys, "search", "--rebuild", "makala", "--json")
    assert code == 0 and json.loads(out)["total"] == 1
    code, _, err = run(capsys, "search")
    assert code == 1 and "Give words to search for" in err


def test_an_upgrade_rebuilds_before_searching(capsys: pytest.CaptureFixture[str],
                                              imported: None, home: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(home / "library.sqlite3")
    with conn:
        conn.execute("UPDATE meta SET value = 'old' WHERE key = ?", (FINGERPRINT_KEY,))
    conn.close()
    code, out, err = run(capsys, "search", "trustworthy")
    assert code == 0 and "Copy editing" in out and "index: 100%" in err

"""The bundled starter packs: a new user's working library, with no network."""

from __future__ import annotations

import json
from pathlib import Path

from app.library import Library
from app.starter import is_seeded, seed_starter_packs, starter_folders


def test_three_starter_packs_are_seeded_once(library: Library) -> None:
    assert [p.name for p in starter_folders()] == ["newcomers", "organisations", "sustainability"]
    results = seed_starter_packs(library)
    assert [r.status for r in results] == ["imported"] * 3
    assert is_seeded(library)
    assert seed_starter_packs(library) == []  # a second start does nothing
    library.remove_pack("org.ujuzi.starter.organisations")
    assert seed_starter_packs(library) == []  # what the learner removed stays removed
    assert len(library.packs()) == 2


def test_each_pack_is_bilingual_with_a_quiz_in_each_language(library: Library) -> None:
    seed_starter_packs(library)
    for summary in library.packs():
        pack = library.pack(summary["id"])
        assert {"en", "sw"} <= set(pack["languages"])
        assert pack["license"] and pack["attribution"]
        resources = [r for s in pack["sections"] for r in s["resources"]]
        quizzes = {r["lang"]: r for r in resources if r["kind"] == "quiz"}
        assert set(quizzes) >= {"en", "sw"}
        for quiz in quizzes.values():
            questions = json.loads(Path(quiz["files"][0]["blob"]).read_text("utf-8"))
            assert len(questions["questions"]) >= 4
        articles = [r for r in resources if r["kind"] == "article"]
        assert {r["lang"] for r in articles} >= {"en", "sw"}
        for article in articles:
            assert article["translations"], article["id"]


def test_newcomers_pack_has_a_narrated_video_with_subtitles(library: Library) -> None:
    seed_starter_packs(library)
    pack = library.pack("org.ujuzi.starter.newcomers")
    [video] = [r for s in pack["sections"] for r in s["resources"] if r["kind"] == "video"]
    assert 30 < video["duration"] < 120  # read from the file's header
    subtitles = {f["lang"] for f in video["files"] if f["role"] == "subtitles"}
    assert subtitles == {"en", "sw"}
    assert any(f["role"] == "transcript" for f in video["files"])
    main = Path(next(f["blob"] for f in video["files"] if f["role"] == "main"))
    assert main.read_bytes()[:4] == b"\x1a\x45\xdf\xa3"  # a real WebM (Matroska) file

"""Quiz grading: each question type, partial answers, the pass mark."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.errors import ManifestError
from app.quiz import answers_to_json, grade_question, grade_quiz, load_quiz, parse_number

QUIZ = {
    "pass_mark": 0.6,
    "questions": [
        {"id": "s", "type": "single", "prompt": "Pick b", "explanation": "b is right",
         "choices": [{"id": "a", "text": "A", "feedback": "Not a"},
                     {"id": "b", "text": "B", "correct": True}]},
        {"id": "m", "type": "multiple", "prompt": "Pick a and c",
         "choices": [{"id": "a", "text": "A", "correct": True}, {"id": "b", "text": "B"},
                     {"id": "c", "text": "C", "correct": True}]},
        {"id": "t", "type": "true_false", "prompt": "False?", "answer": False},
        {"id": "n", "type": "numeric", "prompt": "Pi?", "answer": 3.14, "tolerance": 0.01},
        {"id": "x", "type": "text", "prompt": "Capital of Kenya?", "answer": ["Nairobi"]},
    ],
}


def test_each_type_right_and_wrong() -> None:
    qs = {q["id"]: q for q in QUIZ["questions"]}
    assert grade_question(qs["s"], "b").correct
    wrong = grade_question(qs["s"], "a")
    assert not wrong.correct and wrong.feedback == ("Not a",) and wrong.expected == ["b"]
    assert wrong.explanation == "b is right"
    assert grade_question(qs["m"], ["c", "a"]).correct
    assert not grade_question(qs["m"], ["a"]).correct
    assert not grade_question(qs["m"], {"a", "b", "c"}).correct
    assert grade_question(qs["t"], False).correct
    assert not grade_question(qs["t"], "false").correct
    assert grade_question(qs["n"], "3,145").correct
    assert grade_question(qs["n"], 3.15).correct
    assert not grade_question(qs["n"], "3.2").correct
    assert grade_question(qs["x"], "  nairobi ").correct
    assert not grade_question(qs["x"], "Mombasa").correct


def test_unanswered_counts_as_wrong() -> None:
    result = grade_question(QUIZ["questions"][0], None)
    assert not result.answered and not result.correct
    assert not grade_question(QUIZ["questions"][4], "  ").answered


def test_score_and_pass_mark() -> None:
    result = grade_quiz(QUIZ, {"s": "b", "m": ["a", "c"], "t": False})
    assert (result.correct, result.total) == (3, 5)
    assert result.score == pytest.approx(0.6)
    assert result.passed
    assert not grade_quiz(QUIZ, {"s": "b"}).passed
    data = result.as_dict()
    assert data["passed"] and len(data["results"]) == 5


def test_numbers_as_typed() -> None:
    assert parse_number("1 200,5") == 1200.5  # a space groups thousands, a comma is decimal
    assert parse_number("1,200.5") == 1200.5  # with a dot present, the comma groups
    assert parse_number("3,5") == 3.5
    assert parse_number("nan") is None
    assert parse_number("٣٫٥") == 3.5
    assert parse_number("abc") is None
    assert parse_number(True) is None
    assert parse_number(2) == 2.0


def test_load_quiz_checks_the_file(tmp_path: Path) -> None:
    good = tmp_path / "q.json"
    good.write_text(json.dumps(QUIZ))
    assert load_quiz(good)["pass_mark"] == 0.6
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"questions": []}))
    with pytest.raises(ManifestError):
        load_quiz(bad)


def test_answers_to_json() -> None:
    assert answers_to_json({"m": {"c", "a"}, "s": "b", "t": ("x",)}) == {
        "m": ["a", "c"], "s": "b", "t": ["x"]}

"""Quizzes: loading a quiz file and grading answers. The viewer only shows what this decides.

A quiz is data (see ``app/packs/quiz-schema.json``). Answers, by question type:

- ``single``: the chosen choice id (``str``);
- ``multiple``: the chosen choice ids (any iterable of ``str``), all and only the correct ones;
- ``true_false``: ``bool``;
- ``numeric``: a number, or text as the learner typed it (``3,5`` and ``3.5`` both read);
  right within the question's ``tolerance`` (default: exact);
- ``text``: text, compared without case, accents or extra spaces with the answer, or with any
  of the answers when the quiz lists several.

An unanswered question (``None``) counts as wrong.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app.packs.manifest import validate_quiz

DEFAULT_PASS_MARK = 0.7

Quiz = dict[str, Any]
Question = dict[str, Any]


def load_quiz(path: Path) -> Quiz:
    """Read and check a quiz file (raises :class:`~app.errors.ManifestError` if invalid)."""
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    validate_quiz(document)
    return document  # type: ignore[no-any-return]


def pass_mark(quiz: Quiz) -> float:
    return float(quiz.get("pass_mark", DEFAULT_PASS_MARK))


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    answered: bool
    correct: bool
    explanation: str = ""
    #: Feedback written for the choices the learner picked, in choice order.
    feedback: tuple[str, ...] = ()
    #: The right choice ids (choice questions) or the expected answer, to show after grading.
    expected: Any = None


@dataclass(frozen=True)
class QuizResult:
    results: tuple[QuestionResult, ...]
    pass_mark: float
    correct: int = field(init=False)
    total: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "correct", sum(1 for r in self.results if r.correct))
        object.__setattr__(self, "total", len(self.results))

    @property
    def score(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def passed(self) -> bool:
        # A small epsilon so that 7 of 10 passes a 0.7 mark despite binary fractions.
        return self.score + 1e-9 >= self.pass_mark

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "correct": self.correct,
            "total": self.total,
            "passed": self.passed,
            "pass_mark": self.pass_mark,
            "results": [asdict(r) for r in self.results],
        }


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.split())


def parse_number(value: Any) -> float | None:
    """A number from a float, an int or typed text (``3,5``, `` 1 200.5 ``); None if none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        return None
    text = value.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    # Arabic-Indic digits and separators, as an Arabic keyboard types them.
    text = text.translate(str.maketrans("٠١٢٣٤٥٦٧٨٩٫٬", "0123456789.,"))
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    else:
        text = text.replace(",", "")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number == number else None


def grade_question(question: Question, answer: Any) -> QuestionResult:
    kind = question["type"]
    explanation = str(question.get("explanation", ""))
    qid = str(question["id"])
    if kind in ("single", "multiple"):
        choices = question.get("choices") or []
        right = [str(c["id"]) for c in choices if c.get("correct")]
        if answer is None or answer == [] or answer == set():
            return QuestionResult(qid, False, False, explanation, (), right)
        chosen = {answer} if isinstance(answer, str) else {str(a) for a in answer}
        feedback = tuple(
            str(c["feedback"]) for c in choices if c["id"] in chosen and c.get("feedback")
        )
        if kind == "single":
            correct = len(chosen) == 1 and chosen == set(right)
        else:
            correct = chosen == set(right)
        return QuestionResult(qid, True, correct, explanation, feedback, right)
    expected = question.get("answer")
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return QuestionResult(qid, False, False, explanation, (), expected)
    if kind == "true_false":
        correct = isinstance(answer, bool) and answer == bool(expected)
    elif kind == "numeric":
        got = parse_number(answer)
        targets = expected if isinstance(expected, list) else [expected]
        tolerance = float(question.get("tolerance", 0))
        correct = got is not None and any(
            (want := parse_number(t)) is not None and abs(got - want) <= tolerance + 1e-9
            for t in targets
        )
    else:
        accepted = expected if isinstance(expected, list) else [expected]
        correct = _fold(str(answer)) in {_fold(str(a)) for a in accepted}
    return QuestionResult(qid, True, correct, explanation, (), expected)


def grade_quiz(quiz: Quiz, answers: Mapping[str, Any]) -> QuizResult:
    """Grade every question of ``quiz`` against ``answers`` (question id -> answer)."""
    results = tuple(grade_question(q, answers.get(q["id"])) for q in quiz["questions"])
    return QuizResult(results, pass_mark(quiz))


def answers_to_json(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers in a form JSON keeps (sets become sorted lists)."""
    result: dict[str, Any] = {}
    for key, value in answers.items():
        if isinstance(value, set | frozenset | tuple):
            result[key] = sorted(str(v) for v in value)
        elif isinstance(value, Iterable) and not isinstance(value, str | bytes | dict):
            result[key] = [str(v) for v in value]
        else:
            result[key] = value
    return result

"""Quizzes: one question per card (one at a time, or all on one page), clear feedback with
explanations, then the score against the pass mark. Grading is the core's
(:mod:`app.quiz`); attempts are stored through :func:`app.learning.record_quiz_attempt`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import formatting, learning
from app.i18n import _, ngettext
from app.library import Library
from app.quiz import QuestionResult, QuizResult, grade_question, grade_quiz, load_quiz, pass_mark
from app.tasks import Reporter
from app.ui import icons
from app.ui.context import AppContext
from app.ui.viewers.base import Viewer
from app.ui.widgets import button, clear_layout, content, label, scrolling, set_role


class QuestionCard(QFrame):
    """One question: prompt, the way to answer it, and feedback once checked."""

    #: The learner's answer changed (chosen, unchosen or typed).
    answer_changed = Signal()

    def __init__(self, number: int, total: int, question: dict[str, Any]) -> None:
        super().__init__()
        self.setProperty("role", "card")
        self.question = question
        self.number, self.total = number, total
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        self.counter = label("", "small")
        layout.addWidget(self.counter)
        self.prompt = content(label(question["prompt"], "h3"))
        layout.addWidget(self.prompt)
        self.group = QButtonGroup(self)
        self.buttons: dict[Any, QAbstractButton] = {}
        self.line: QLineEdit | None = None
        kind = question["type"]
        if kind in ("single", "multiple"):
            self.group.setExclusive(kind == "single")
            for choice in question["choices"]:
                widget: QAbstractButton = (QRadioButton if kind == "single" else QCheckBox)(
                    choice["text"])
                content(widget)
                self.group.addButton(widget)
                self.buttons[choice["id"]] = widget
                layout.addWidget(widget)
        elif kind == "true_false":
            for value in (True, False):
                widget = QRadioButton()
                self.group.addButton(widget)
                self.buttons[value] = widget
                layout.addWidget(widget)
        else:
            self.line = QLineEdit()
            self.line.setMaximumWidth(420)
            self.line.textChanged.connect(self.answer_changed.emit)
            layout.addWidget(self.line)
        self.group.buttonToggled.connect(lambda *_args: self.answer_changed.emit())
        self.feedback = QFrame()
        feedback = QVBoxLayout(self.feedback)
        feedback.setContentsMargins(14, 10, 14, 10)
        feedback.setSpacing(6)
        head = QHBoxLayout()
        self.verdict_icon = QLabel()
        self.verdict = label("", None, wrap=False)
        head.addWidget(self.verdict_icon)
        head.addWidget(self.verdict)
        head.addStretch()
        feedback.addLayout(head)
        self.expected = content(label("", None))
        self.explanation = content(label("", None))
        feedback.addWidget(self.expected)
        feedback.addWidget(self.explanation)
        self.feedback.hide()
        layout.addWidget(self.feedback)
        self.result: QuestionResult | None = None
        self.retranslate()

    def retranslate(self) -> None:
        self.counter.setText(_("Question {number} of {total}").format(
            number=formatting.number(self.number), total=formatting.number(self.total)))
        kind = self.question["type"]
        if kind == "true_false":
            self.buttons[True].setText(_("True"))
            self.buttons[False].setText(_("False"))
        if self.line is not None:
            self.line.setPlaceholderText(
                _("Type a number") if kind == "numeric" else _("Type your answer"))
            self.line.setAccessibleName(_("Your answer"))
        if kind == "multiple":
            self.counter.setText(self.counter.text() + " · " + _("Choose all that apply"))
        if self.result is not None:
            self.show_result(self.result)

    def answer(self) -> Any:
        kind = self.question["type"]
        if kind == "multiple":
            return [key for key, widget in self.buttons.items() if widget.isChecked()]
        if kind in ("single", "true_false"):
            for key, widget in self.buttons.items():
                if widget.isChecked():
                    return key
            return None
        assert self.line is not None
        return self.line.text()

    def answered(self) -> bool:
        """Whether the learner has chosen or typed an answer."""
        value = self.answer()
        if isinstance(value, str):
            return bool(value.strip())
        return value is not None and value != []

    def set_answer(self, value: Any) -> None:
        if self.line is not None:
            self.line.setText(str(value))
            return
        values = value if isinstance(value, list) else [value]
        for key in values:
            if key in self.buttons:
                self.buttons[key].setChecked(True)

    def show_result(self, result: QuestionResult) -> None:
        self.result = result
        for widget in self.buttons.values():
            widget.setEnabled(False)
        if self.line is not None:
            self.line.setReadOnly(True)
        right = result.correct
        set_role(self.feedback, "feedback-right" if right else "feedback-wrong")
        from app.ui import theme

        c = theme.current()
        self.verdict_icon.setPixmap(icons.icon(
            "check-circle" if right else "cross-circle",
            color=c.success if right else c.destructive).pixmap(QSize(22, 22)))
        set_role(self.verdict, "success" if right else "error")
        if right:
            self.verdict.setText(_("Correct"))
        elif not result.answered:
            self.verdict.setText(_("Not answered"))
        else:
            self.verdict.setText(_("Not quite"))
        expected = ""
        if not right:
            kind = self.question["type"]
            if kind in ("single", "multiple"):
                texts = [c["text"] for c in self.question["choices"]
                         if c["id"] in (result.expected or [])]
                expected = _("The right answer: {answer}").format(answer="; ".join(texts))
            elif kind == "true_false":
                expected = _("The right answer: {answer}").format(
                    answer=_("True") if result.expected else _("False"))
            else:
                shown = result.expected[0] if isinstance(result.expected, list) else \
                    result.expected
                expected = _("The right answer: {answer}").format(answer=shown)
        self.expected.setText(expected)
        self.expected.setVisible(bool(expected))
        text = "\n".join([*result.feedback, result.explanation]).strip()
        self.explanation.setText(text)
        self.explanation.setVisible(bool(text))
        self.feedback.show()


class QuizViewer(Viewer):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.quiz: dict[str, Any] = {}
        self.attempts: list[dict[str, Any]] = []
        self.cards: list[QuestionCard] = []
        self.current = 0
        self.one_at_a_time = True
        self.final: QuizResult | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(0, 20, 0, 32)
        layout.setSpacing(14)
        top = QHBoxLayout()
        self.summary = label("", "muted")
        top.addWidget(self.summary, 1)
        self.mode_one = button("", "quiet", None, lambda: self.set_mode(True))
        self.mode_all = button("", "quiet", None, lambda: self.set_mode(False))
        for widget in (self.mode_one, self.mode_all):
            widget.setCheckable(True)
            top.addWidget(widget)
        layout.addLayout(top)

        self.stack = QStackedWidget()
        questions = QWidget()
        self.questions_layout = QVBoxLayout(questions)
        self.questions_layout.setContentsMargins(0, 0, 0, 0)
        self.questions_layout.setSpacing(14)
        self.cards_box = QVBoxLayout()
        self.cards_box.setSpacing(14)
        self.questions_layout.addLayout(self.cards_box)
        actions = QHBoxLayout()
        self.check_button = button("", "primary", None, self._check)
        self.next_button = button("", "primary", "next", self._next)
        self.submit_button = button("", "primary", None, self._submit)
        actions.addWidget(self.check_button)
        actions.addWidget(self.next_button)
        actions.addWidget(self.submit_button)
        actions.addStretch()
        self.questions_layout.addLayout(actions)
        self.questions_layout.addStretch()
        self.stack.addWidget(questions)

        result = QFrame()
        result.setProperty("role", "card")
        result_layout = QVBoxLayout(result)
        result_layout.setContentsMargins(24, 20, 24, 20)
        result_layout.setSpacing(10)
        self.result_title = label("", "h2")
        self.result_score = label("", "h1")
        self.result_text = label("", None)
        self.result_history = label("", "small")
        result_layout.addWidget(self.result_title)
        result_layout.addWidget(self.result_score)
        result_layout.addWidget(self.result_text)
        result_layout.addWidget(self.result_history)
        result_actions = QHBoxLayout()
        self.review_button = button("", None, None, self._review)
        self.retry_button = button("", "primary", None, self.restart)
        result_actions.addWidget(self.retry_button)
        result_actions.addWidget(self.review_button)
        result_actions.addStretch()
        result_layout.addLayout(result_actions)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(0, 0, 0, 0)
        holder_layout.addWidget(result)
        holder_layout.addStretch()
        self.stack.addWidget(holder)
        layout.addWidget(self.stack)
        outer.addWidget(scrolling(inner, 760))
        self.retranslate()

    # -- loading ------------------------------------------------------------------------

    def load(self, resource: dict[str, Any], position: float, at: float | None = None) -> None:
        self.resource = resource
        main = next(f for f in resource["files"] if f["role"] == "main")
        resource_id, profile = resource["id"], self.ctx.profile

        def work(library: Library, _r: Reporter) -> Any:
            return (load_quiz(Path(main["blob"])),
                    learning.quiz_attempts(library, resource_id, profile))

        self._position = int(position)
        self.fetch(work, self._show)

    def _show(self, result: Any) -> None:
        self.quiz, self.attempts = result
        self.restart(self._position)
        self.loaded.emit()

    def restart(self, start: int = 0) -> None:
        clear_layout(self.cards_box)
        total = len(self.quiz["questions"])
        self.cards = [QuestionCard(i + 1, total, q) for i, q in enumerate(self.quiz["questions"])]
        for card in self.cards:
            card.answer_changed.connect(self._update_check)
            self.cards_box.addWidget(card)
        self.final = None
        self.current = min(max(0, start), total - 1)
        self.stack.setCurrentIndex(0)
        self._update()

    # -- modes and steps ----------------------------------------------------------------

    def set_mode(self, one_at_a_time: bool) -> None:
        self.one_at_a_time = one_at_a_time
        self._update()

    def _update(self) -> None:
        self.mode_one.setChecked(self.one_at_a_time)
        self.mode_all.setChecked(not self.one_at_a_time)
        for index, card in enumerate(self.cards):
            card.setVisible(not self.one_at_a_time or index == self.current)
        if self.one_at_a_time and self.cards:
            checked = self.cards[self.current].result is not None
            self.check_button.setVisible(not checked)
            self.next_button.setVisible(checked)
            last = self.current >= len(self.cards) - 1
            self.next_button.setText(_("See your score") if last else _("Next question"))
            self.submit_button.hide()
        else:
            self.check_button.hide()
            self.next_button.hide()
            self.submit_button.setVisible(any(card.result is None for card in self.cards))
        self._update_check()
        self._summary()

    def _update_check(self) -> None:
        """"Check answer" works once the question shown has an answer; until then it says
        what to do."""
        if not self.cards:
            return
        ready = self.cards[self.current].answered()
        self.check_button.setEnabled(ready)
        self.check_button.setText(_("Check answer") if ready else _("Choose an answer"))
        self.check_button.setAccessibleName(self.check_button.text())

    def _summary(self) -> None:
        if not self.quiz:
            return
        count = len(self.quiz["questions"])
        mark = formatting.percent(pass_mark(self.quiz))
        parts = [ngettext("{count} question · pass mark {mark}",
                          "{count} questions · pass mark {mark}", count).format(
            count=formatting.number(count), mark=mark)]
        if self.attempts:
            best = max(a["score"] for a in self.attempts)
            parts.append(_("Best score so far: {score}").format(score=formatting.percent(best)))
        self.summary.setText(" · ".join(parts))

    def _check(self) -> None:
        card = self.cards[self.current]
        if not card.answered():
            return
        card.show_result(grade_question(card.question, card.answer()))
        self._update()
        self.next_button.setFocus()

    def _next(self) -> None:
        if self.current < len(self.cards) - 1:
            self.current += 1
            self.position_changed.emit(float(self.current))
            self._update()
            first = self.cards[self.current]
            target = next(iter(first.buttons.values()), None) or first.line
            if target is not None:
                target.setFocus()
        else:
            self._finish()

    def _submit(self) -> None:
        for card in self.cards:
            if card.result is None:
                card.show_result(grade_question(card.question, card.answer()))
        self._finish()

    def _finish(self) -> None:
        answers = {card.question["id"]: card.answer() for card in self.cards}
        result = grade_quiz(self.quiz, answers)
        self.final = result
        resource_id, profile = self.resource["id"], self.ctx.profile

        def work(library: Library, _r: Reporter) -> Any:
            learning.record_quiz_attempt(library, resource_id, result, answers, profile)
            library.record_progress(resource_id, profile, position=0.0)
            return learning.quiz_attempts(library, resource_id, profile)

        def saved(attempts: list[dict[str, Any]]) -> None:
            self.attempts = attempts
            self._show_result()
            self.ctx.progress_changed.emit(resource_id)
            if result.passed:
                self.completed.emit()

        self.ctx.run(work, saved)
        self._show_result()

    def _show_result(self) -> None:
        result = self.final
        if result is None:
            return
        self.stack.setCurrentIndex(1)
        self.result_title.setText(_("You passed!") if result.passed else _("Not passed yet"))
        self.result_title.setProperty("role", "h2")
        self.result_score.setText(formatting.percent(result.score))
        self.result_text.setText(
            ngettext("{correct} of {total} answer right. The pass mark is {mark}.",
                     "{correct} of {total} answers right. The pass mark is {mark}.",
                     result.total).format(
                correct=formatting.number(result.correct), total=formatting.number(result.total),
                mark=formatting.percent(result.pass_mark))
            + " " + (_("Well done: this quiz is marked complete.") if result.passed else
                     _("Read the explanations, then try again.")))
        if self.attempts:
            history = [f"{formatting.moment(a['created_at'])}: {formatting.percent(a['score'])}"
                       for a in self.attempts[:5]]
            self.result_history.setText(_("Your attempts: {list}").format(
                list="; ".join(history)))
        self.retry_button.setFocus()
        self._summary()

    def _review(self) -> None:
        self.one_at_a_time = False
        self.stack.setCurrentIndex(0)
        self._update()

    def position(self) -> float:
        return float(self.current)

    def retranslate(self) -> None:
        self.mode_one.setText(_("One at a time"))
        self.mode_all.setText(_("All questions"))
        self._update_check()
        self.submit_button.setText(_("Check all answers"))
        self.review_button.setText(_("Review answers"))
        self.retry_button.setText(_("Try again"))
        for card in self.cards:
            card.retranslate()
        if self.cards:
            self._update()
        self._show_result()

"""A trainer's view of the learners on this computer (``--open page:learners``, and
"Learners' progress" on the "Who is learning?" page): for each local profile, when they were
last active, their progress in each pack they started, and their quiz results. Read only:
switching learner is the "Who is learning?" page's work."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFrame, QGridLayout, QVBoxLayout, QWidget

from app import formatting, learning
from app.i18n import _, ngettext
from app.library import Library
from app.tasks import Reporter
from app.ui.context import AppContext
from app.ui.models import progress_text
from app.ui.pages.base import Crumb, Page
from app.ui.widgets import (
    EmptyState,
    Loading,
    clear_layout,
    content,
    label,
    progress_bar,
    scrolling,
)


def learner_title(name: str) -> str:
    from app.ui.pages.profiles import profile_title

    return profile_title(name)


class LearnerCard(QFrame):
    """One learner: name and last activity, a row per pack, a row per quiz."""

    def __init__(self, learner: learning.LearnerOverview) -> None:
        super().__init__()
        self.setProperty("role", "card")
        self.learner = learner
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(6)
        self.name = content(label(learner_title(learner.name), "h2"))
        layout.addWidget(self.name)
        when = formatting.moment(learner.last_active) if learner.last_active else None
        self.last = label(_("Last active: {when}").format(when=when) if when
                          else _("Not started yet"), "muted")
        layout.addWidget(self.last)
        self.packs_heading = label(_("Packs"), "small")
        layout.addWidget(self.packs_heading)
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setColumnStretch(0, 1)
        for row, pack in enumerate(learner.packs):
            title = content(label(pack["title"], None))
            fraction = pack["done"] / pack["total"] if pack["total"] else 0.0
            bar = progress_bar(fraction, _("Progress of {name} in {title}").format(
                name=learner_title(learner.name), title=pack["title"]))
            bar.setMaximumWidth(200)
            grid.addWidget(title, row, 0)
            grid.addWidget(bar, row, 1)
            grid.addWidget(label(progress_text(pack["done"], pack["total"]), "small",
                                 wrap=False), row, 2)
        layout.addLayout(grid)
        # Shown or hidden once in the card: a widget without a parent shown is a window.
        self.no_packs = label(_("No pack started yet."), "muted")
        layout.addWidget(self.no_packs)
        self.no_packs.setVisible(not learner.packs)
        self.packs_heading.setVisible(bool(learner.packs))
        self.quizzes_heading = label(_("Quizzes"), "small")
        layout.addWidget(self.quizzes_heading)
        self.quizzes_heading.setVisible(bool(learner.quizzes))
        quiz_grid = QGridLayout()
        quiz_grid.setHorizontalSpacing(12)
        quiz_grid.setColumnStretch(0, 1)
        for row, quiz in enumerate(learner.quizzes):
            quiz_grid.addWidget(content(label(quiz["title"], None)), row, 0)
            score = _("Last score {latest}, best {best}").format(
                latest=formatting.percent(quiz["latest"]), best=formatting.percent(quiz["best"]))
            attempts = ngettext("{count} attempt", "{count} attempts", quiz["attempts"]).format(
                count=quiz["attempts"])
            state = _("Passed") if quiz["passed"] else _("Not passed yet")
            quiz_grid.addWidget(label(f"{score} · {attempts} · {state}", "small"), row, 1)
        layout.addLayout(quiz_grid)


class LearnersPage(Page):
    name = "learners"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(24, 20, 24, 24)
        layout.setSpacing(12)
        self.title = label("", "h1")
        self.intro = label("", "muted")
        layout.addWidget(self.title)
        layout.addWidget(self.intro)
        self.cards = QVBoxLayout()
        self.cards.setSpacing(12)
        layout.addLayout(self.cards)
        self.empty = EmptyState("person")
        self.empty.hide()
        layout.addWidget(self.empty)
        self.loading = Loading()
        layout.addWidget(self.loading)
        layout.addStretch()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scrolling(inner, 960))
        self.learners: list[learning.LearnerOverview] = []
        ctx.progress_changed.connect(lambda _id: self._reload_if_shown())
        ctx.library_changed.connect(self._reload_if_shown)
        self.retranslate()

    def crumbs(self) -> list[Crumb]:
        return [(_("Learners' progress"), None, {})]

    def retranslate(self) -> None:
        self.title.setText(_("Learners' progress"))
        self.intro.setText(_("Everyone who learns on this computer: their progress in each "
                             "pack, their quiz scores and when they last learned."))
        self.empty.set_texts(_("No learners yet"), _(
            "Each learner's progress appears here once they start a pack."))
        if self.learners:
            self._render()

    def activate(self, **args: Any) -> None:
        self._load()

    def _reload_if_shown(self) -> None:
        if self.isVisible():
            self._load()

    def _load(self) -> None:
        languages = self.ctx.content_chain
        self.loading.setText(_("Loading…"))
        self.loading.start()

        def work(library: Library, _r: Reporter) -> Any:
            return learning.learners_overview(library, languages)

        self.ctx.fetch(work, self._show, self.loaded)

    def _show(self, learners: list[learning.LearnerOverview]) -> None:
        self.loading.stop()
        self.learners = learners
        self._render()
        self.loaded.emit()

    def _render(self) -> None:
        clear_layout(self.cards)
        for learner in self.learners:
            self.cards.addWidget(LearnerCard(learner))
        self.empty.setVisible(not self.learners)

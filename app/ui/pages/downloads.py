"""Downloads and tasks: imports and other long work, running and finished, with progress,
cancel and retry."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFrame, QHBoxLayout, QProgressBar, QVBoxLayout, QWidget

from app import formatting
from app.i18n import _
from app.ui.context import AppContext, Task
from app.ui.pages.base import Crumb, Page
from app.ui.widgets import EmptyState, button, clear_layout, label, scrolling


class TaskRow(QFrame):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self.task = task
        self.setProperty("role", "card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(6)
        top = QHBoxLayout()
        self.title = label(task.title, "h3")
        self.state = label("", "small", wrap=False)
        top.addWidget(self.title, 1)
        top.addWidget(self.state)
        layout.addLayout(top)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        layout.addWidget(self.bar)
        self.detail = label("", "small")
        layout.addWidget(self.detail)
        actions = QHBoxLayout()
        actions.addStretch()
        self.cancel = button("", None, "close", task.cancel)
        self.retry = button("", None, None, lambda: task.retry() if task.retry else None)
        actions.addWidget(self.cancel)
        actions.addWidget(self.retry)
        layout.addLayout(actions)
        task.changed.connect(self.update_state)
        self.update_state()

    def update_state(self) -> None:
        task = self.task
        self.bar.setValue(int(task.fraction * 1000))
        states = {"running": _("Running: {percent}").format(
                      percent=formatting.percent(task.fraction)),
                  "done": _("Finished"), "failed": _("Failed"), "cancelled": _("Cancelled")}
        self.state.setText(states.get(task.state, task.state))
        self.bar.setVisible(task.state == "running")
        text = task.error if task.state == "failed" else task.detail
        self.detail.setText(text)
        self.detail.setVisible(bool(text))
        self.cancel.setText(_("Cancel"))
        self.cancel.setAccessibleName(_("Cancel {task}").format(task=task.title))
        self.cancel.setVisible(task.state == "running")
        self.retry.setText(_("Try again"))
        self.retry.setVisible(task.state in ("failed", "cancelled") and task.retry is not None)


class DownloadsPage(Page):
    name = "downloads"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(0, 20, 0, 24)
        layout.setSpacing(12)
        self.title = label("", "h1")
        layout.addWidget(self.title)
        self.rows = QVBoxLayout()
        self.rows.setSpacing(10)
        layout.addLayout(self.rows)
        self.empty = EmptyState("downloads")
        self.empty.action.clicked.connect(lambda: ctx.navigate("import"))
        layout.addWidget(self.empty)
        layout.addStretch()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scrolling(inner, 900))
        ctx.tasks_changed.connect(self._render)
        self.retranslate()

    def crumbs(self) -> list[Crumb]:
        return [(_("Downloads"), None, {})]

    def activate(self, **args: Any) -> None:
        self._render()
        self.loaded.emit()

    def _render(self) -> None:
        clear_layout(self.rows)
        for task in reversed(self.ctx.tasks):
            self.rows.addWidget(TaskRow(task))
        self.empty.setVisible(not self.ctx.tasks)

    def retranslate(self) -> None:
        self.title.setText(_("Downloads and tasks"))
        self.empty.set_texts(_("Nothing is running"),
                             _("Imports and downloads appear here with their progress. "
                               "Downloads from a hub will come here too."),
                             _("Import a pack"))
        self._render()



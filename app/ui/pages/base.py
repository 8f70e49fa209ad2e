"""What every page of the window is: a widget with a breadcrumb, texts it can re-translate,
and a signal that says its data is on screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from app.ui import access
from app.ui.context import AppContext, LibraryWork
from app.ui.tasks import TaskHandle
from app.ui.widgets import Reflow, label

Crumb = tuple[str, str | None, dict[str, Any]]  # text, page to open (None: current), arguments


class Page(QWidget):
    """A page of the window. Subclasses set ``name``, build widgets in ``__init__``, set
    their texts in :meth:`retranslate`, and load data in :meth:`activate`."""

    #: the page's data is shown (tests and screenshots wait on it)
    loaded = Signal()
    #: the breadcrumb changed (e.g. a pack's title arrived)
    crumbs_changed = Signal()
    name = ""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName(f"page-{self.name}")
        self._focus_wanted = False
        ctx.language_changed.connect(self.retranslate)
        ctx.language_changed.connect(lambda: access.keyboard_rules(self))
        self.loaded.connect(self._on_loaded)

    def crumbs(self) -> list[Crumb]:
        return []

    def retranslate(self) -> None:
        """Set every visible text again in the active language."""

    def activate(self, **args: Any) -> None:
        """The page is shown with these arguments; load what it needs."""
        self.loaded.emit()

    def fetch(self, work: LibraryWork, done: Callable[[Any], None]) -> TaskHandle:
        """Load what this page shows (see :meth:`AppContext.fetch`)."""
        return self.ctx.fetch(work, done, self.loaded)

    def list_layout(self, action: QWidget) -> tuple[QVBoxLayout, QLabel, QLabel]:
        """The layout of a page that lists things, opened by a header row: the title, a muted
        count beside it and ``action`` at the right end. Returns the layout, the title and
        the count."""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 0)
        layout.setSpacing(12)
        # side by side while they fit, one under the other when the window is narrow
        head = Reflow()
        title = label("", "h1", wrap=False)
        count = label("", "muted", wrap=False)
        head.add(title)
        head.add(count, 0, Qt.AlignmentFlag.AlignBottom)
        head.add_stretch()
        head.add(action)
        layout.addWidget(head)
        return layout, title, count

    def deactivate(self) -> None:
        """The page is left: save what needs saving (positions)."""

    def focus_first(self) -> None:
        """Put the keyboard focus on the page's first control (in reading order), or on
        its text when it has none."""
        if not access.focus_first(self):
            crumbs = self.crumbs()
            access.focus_reading(self, crumbs[-1][0] if crumbs else "")

    def focus_when_loaded(self) -> None:
        """The page is being opened: the focus moves into it once its data is on screen
        (:attr:`loaded`)."""
        self._focus_wanted = True

    def _on_loaded(self) -> None:
        access.keyboard_rules(self)
        if self._focus_wanted and self.isVisible():
            self._focus_wanted = False
            # Widgets just added to a shown layout show once the event loop runs.
            focused = QApplication.focusWidget()
            QTimer.singleShot(0, lambda: self._focus_now(focused))

    def _focus_now(self, focused: QWidget | None) -> None:
        if self.isVisible() and QApplication.focusWidget() is focused:  # not moved since
            self.focus_first()

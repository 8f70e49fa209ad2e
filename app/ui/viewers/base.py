"""What a resource viewer is: it shows one resource, reports the learner's position and
completion, and can return to a position. The resource page owns saving; viewers only say."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QWidget

from app.i18n import _
from app.ui.context import AppContext, LibraryWork
from app.ui.tasks import TaskHandle
from app.ui.widgets import label, tool_button


class Viewer(QWidget):
    #: the learner's position moved (meaning per kind: see app.learning)
    position_changed = Signal(float)
    #: the learner reached the end (read to the bottom, watched, passed)
    completed = Signal()
    #: the resource is on screen (media: playing)
    loaded = Signal()
    #: follow a link to another resource: id, media time or None
    open_resource = Signal(str, object)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.resource: dict[str, Any] = {}

    def fetch(self, work: LibraryWork, done: Callable[[Any], None]) -> TaskHandle:
        """Load what this viewer shows (see :meth:`AppContext.fetch`)."""
        return self.ctx.fetch(work, done, self.loaded)

    def load(self, resource: dict[str, Any], position: float, at: float | None = None) -> None:
        """Show ``resource`` (a row of Library.resource) at ``position``; ``at`` is a media
        time asked for by a search hit or a note."""
        self.resource = resource
        self.loaded.emit()

    def show_found(self, found: dict[str, Any]) -> None:
        """Show what a search found when the resource opens (called before :meth:`load`):
        ``found`` has the hit's ``field``, the matched ``words``, the snippet ``text`` and
        the matched text's ``lang``. A viewer uses what it can."""

    def position(self) -> float:
        return 0.0

    def media_time(self) -> float | None:
        """The current time in the media, for notes; None when the resource is not media."""
        return None

    def seek(self, seconds: float) -> None:
        """Go to a media time (from a note or a transcript line)."""

    def stop(self) -> None:
        """Leave: stop playback, release files."""

    def retranslate(self) -> None:
        """Set visible texts again in the active language."""


class ZoomBar(QWidget):
    """The toolbar above a zoomable viewer: a muted label at the left, then zoom out, zoom in
    and fit. The buttons zoom by 1.25 each way."""

    def __init__(self, zoom: Callable[[float], None], fit: Callable[[], None]) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 12, 6)
        self.label = label("", "muted", wrap=False)
        row.addWidget(self.label)
        row.addStretch()
        self.zoom_out = tool_button("zoom-out", "", lambda: zoom(1 / 1.25))
        self.zoom_in = tool_button("zoom-in", "", lambda: zoom(1.25))
        self.fit = tool_button("fit", "", fit)
        for widget in (self.zoom_out, self.zoom_in, self.fit):
            row.addWidget(widget)

    def retranslate(self, fit: str) -> None:
        """Name the buttons; ``fit`` names the fit button (to the window, to the width)."""
        for widget, text in ((self.zoom_out, _("Zoom out")), (self.zoom_in, _("Zoom in")),
                             (self.fit, fit)):
            widget.setToolTip(text)
            widget.setAccessibleName(text)

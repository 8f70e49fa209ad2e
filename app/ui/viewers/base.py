"""What a resource viewer is: it shows one resource, reports the learner's position and
completion, and can return to a position. The resource page owns saving; viewers only say."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from app.ui.context import AppContext, LibraryWork
from app.ui.tasks import TaskHandle


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

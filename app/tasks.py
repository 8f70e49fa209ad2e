"""The progress and cancel protocol that every long operation in the core accepts.

The core never knows who is watching: the CLI passes a callback that prints, the UI one
that emits a signal from its worker thread, tests one that records or cancels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.errors import Cancelled


@dataclass(frozen=True)
class Progress:
    """One progress report: ``done`` of ``total`` units (bytes or items), and what is happening."""

    stage: str
    done: int
    total: int
    detail: str = ""

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0


ProgressCallback = Callable[[Progress], None]
CancelCheck = Callable[[], bool]


def no_progress(_: Progress) -> None:
    """The default progress callback: ignore reports."""


def never_cancel() -> bool:
    return False


class Reporter:
    """Bundles the two callables and raises :class:`Cancelled` at safe points."""

    def __init__(
        self,
        progress: ProgressCallback | None = None,
        cancel: CancelCheck | None = None,
    ) -> None:
        self._progress = progress or no_progress
        self._cancel = cancel or never_cancel

    def report(self, stage: str, done: int, total: int, detail: str = "") -> None:
        self.checkpoint()
        self._progress(Progress(stage, done, total, detail))

    def checkpoint(self) -> None:
        if self._cancel():
            raise Cancelled("Cancelled; nothing was changed.")

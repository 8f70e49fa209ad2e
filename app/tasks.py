"""The progress and cancel protocol that every long operation in the core accepts, and the
shape of a runner that does such work in the background.

The core never knows who is watching: the CLI passes a callback that prints, the UI one
that emits a signal from its worker thread, tests one that records or cancels.

A front end that has an event loop owns one :class:`Runner` (the window's is
:class:`app.ui.tasks.TaskRunner`) and hands it to the parts that need work done off its
thread, such as the player widget: they depend on this protocol, not on the front end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

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


class Cancellable(Protocol):
    """What the caller keeps of work a :class:`Runner` started."""

    def cancel(self) -> None: ...


class Runner(Protocol):
    """Runs ``work`` off the caller's thread with a :class:`Reporter`, then calls ``on_done``
    with its result or ``on_failed`` with its exception, back on the caller's thread."""

    def run(
        self,
        work: Callable[[Reporter], Any],
        on_done: Callable[[Any], None],
        on_failed: Callable[[BaseException], None],
        on_progress: ProgressCallback | None = None,
    ) -> Cancellable: ...

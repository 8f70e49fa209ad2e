"""Runs core work off the GUI thread and brings results back to it.

Each job opens its own :class:`~app.library.Library` (SQLite connections stay in the thread
that made them). Results, failures and progress travel as signals of one long-lived QObject
that lives on the GUI thread, so Qt queues them onto it; callbacks are looked up by job number.
No per-job QObject is created, so none can be deleted while a signal is in flight.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from app.tasks import Progress, Reporter


class TaskHandle:
    """What the caller keeps of a running task: a way to ask it to stop."""

    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


@dataclass
class _Callbacks:
    done: Callable[[Any], None]
    failed: Callable[[BaseException], None]
    progress: Callable[[Progress], None] | None = field(default=None)


class _Bridge(QObject):
    done = Signal(int, object)
    failed = Signal(int, object)
    progress = Signal(int, object)


class _Job(QRunnable):
    """Owned by the thread pool once started (auto-delete)."""

    def __init__(
        self, number: int, work: Callable[[Reporter], Any], bridge: _Bridge, handle: TaskHandle
    ) -> None:
        super().__init__()
        self.number = number
        self.work = work
        self.bridge = bridge
        self.handle = handle

    def run(self) -> None:
        number, bridge, handle = self.number, self.bridge, self.handle
        reporter = Reporter(lambda p: bridge.progress.emit(number, p), lambda: handle.cancelled)
        try:
            result = self.work(reporter)
        except Exception as exc:  # handed to the GUI thread, which shows it
            bridge.failed.emit(number, exc)
        else:
            bridge.done.emit(number, result)


class TaskRunner(QObject):
    """One pool for all background work of the window."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self._bridge = _Bridge(self)
        self._bridge.done.connect(self._on_done)
        self._bridge.failed.connect(self._on_failed)
        self._bridge.progress.connect(self._on_progress)
        self._numbers = itertools.count(1)
        self._pending: dict[int, _Callbacks] = {}

    def run(
        self,
        work: Callable[[Reporter], Any],
        on_done: Callable[[Any], None],
        on_failed: Callable[[BaseException], None],
        on_progress: Callable[[Progress], None] | None = None,
    ) -> TaskHandle:
        number = next(self._numbers)
        self._pending[number] = _Callbacks(on_done, on_failed, on_progress)
        handle = TaskHandle()
        self.pool.start(_Job(number, work, self._bridge, handle))
        return handle

    def _on_done(self, number: int, result: Any) -> None:
        callbacks = self._pending.pop(number, None)
        if callbacks is not None:
            callbacks.done(result)

    def _on_failed(self, number: int, error: BaseException) -> None:
        callbacks = self._pending.pop(number, None)
        if callbacks is not None:
            callbacks.failed(error)

    def _on_progress(self, number: int, progress: Progress) -> None:
        callbacks = self._pending.get(number)
        if callbacks is not None and callbacks.progress is not None:
            callbacks.progress(progress)

    def wait(self) -> None:
        self.pool.waitForDone()

"""Runs core work off the GUI thread and brings results back to it.

Each job opens its own :class:`~app.library.Library` (SQLite connections stay in the thread
that made them). Results, failures and progress travel as signals of one long-lived QObject
that lives on the GUI thread, so Qt queues them onto it; callbacks are looked up by job number.
No per-job QObject is created, so none can be deleted while a signal is in flight.

A result goes only to a receiver that is still there. The receivers of a callback are the Qt
objects it is bound to or closes over (a page's method, a lambda over ``self``); when one of
them has been deleted, or is a widget whose window was closed, by the time the result comes
back, the result (or failure, or progress) is dropped: the work itself still ran to its end.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QWidget

from app.tasks import Progress, Reporter


class TaskHandle:
    """What the caller keeps of a running task: a way to ask it to stop."""

    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


#: How deep :func:`receivers` looks into closures (a callback made by a function that
#: closes over another callback...).
_DEPTH = 4


def receivers(callback: object) -> list[QObject]:
    """The Qt objects ``callback`` is bound to or closes over: a bound method's object, the
    objects in a closure's cells, its default values or a ``functools.partial``'s
    arguments, and so on through the functions found there."""
    found: list[QObject] = []
    seen: set[int] = set()

    def visit(value: object, depth: int) -> None:
        if id(value) in seen or depth > _DEPTH:
            return
        seen.add(id(value))
        if isinstance(value, QObject):
            found.append(value)
            return
        if isinstance(value, functools.partial):
            for part in (value.func, *value.args, *value.keywords.values()):
                visit(part, depth + 1)
            return
        owner = getattr(value, "__self__", None)
        if owner is not None:
            visit(owner, depth + 1)
        function = getattr(value, "__func__", value)
        for cell in getattr(function, "__closure__", None) or ():
            try:
                contents = cell.cell_contents
            except ValueError:  # a cell not filled yet
                continue
            visit(contents, depth + 1)
        # values bound as defaults (``lambda result, label=label: ...``)
        for bound in (*(getattr(function, "__defaults__", None) or ()),
                      *(getattr(function, "__kwdefaults__", None) or {}).values()):
            visit(bound, depth + 1)

    visit(callback, 0)
    return found


def gone(objects: list[QObject]) -> bool:
    """Whether any of ``objects`` was deleted, or is a widget whose window was closed."""
    for obj in objects:
        if not shiboken6.isValid(obj):
            return True
        if isinstance(obj, QWidget) and _watch is not None and _watch.closed(obj.window()):
            return True
    return False


def _address(obj: QObject) -> int:
    return int(shiboken6.getCppPointer(obj)[0])


class _WindowWatch(QObject):
    """Knows which top-level windows were closed: marked on their close event, unmarked
    when shown again, forgotten when deleted. A close that the window refuses leaves it
    shown: :meth:`closed` also asks whether it is hidden.

    Kept in Python sets by the windows' addresses, not in Qt dynamic properties: reading
    a property that was never set returns None with one reference too few in PySide6 6.12,
    and enough such reads free None itself."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._watched: set[int] = set()
        self._closed: set[int] = set()

    def watch(self, window: QWidget) -> None:
        address = _address(window)
        if address in self._watched:
            return
        self._watched.add(address)
        window.installEventFilter(self)
        window.destroyed.connect(functools.partial(self._forget, address))

    def _forget(self, address: int, *_args: object) -> None:
        self._watched.discard(address)
        self._closed.discard(address)

    def closed(self, window: QWidget) -> bool:
        return _address(window) in self._closed and window.isHidden()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Close:
            self._closed.add(_address(watched))
        elif kind == QEvent.Type.Show:
            self._closed.discard(_address(watched))
        return False


_watch: _WindowWatch | None = None


def watch_windows(objects: list[QObject]) -> None:
    """Watch the close events of the windows of the widgets among ``objects``."""
    global _watch
    for obj in objects:
        if not isinstance(obj, QWidget):
            continue
        if _watch is None or not shiboken6.isValid(_watch):
            # the application's child: gone with it, never left for the interpreter's exit
            _watch = _WindowWatch(QCoreApplication.instance())
        _watch.watch(obj.window())


@dataclass
class _Callbacks:
    done: Callable[[Any], None]
    failed: Callable[[BaseException], None]
    progress: Callable[[Progress], None] | None = field(default=None)
    #: the Qt objects the callbacks are bound to or close over (see :func:`receivers`)
    owners: list[QObject] = field(default_factory=list)


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
        owners = [owner for callback in (on_done, on_failed, on_progress)
                  for owner in receivers(callback)]
        watch_windows(owners)
        self._pending[number] = _Callbacks(on_done, on_failed, on_progress, owners)
        handle = TaskHandle()
        self.pool.start(_Job(number, work, self._bridge, handle))
        return handle

    def _on_done(self, number: int, result: Any) -> None:
        callbacks = self._pending.pop(number, None)
        if callbacks is not None and not gone(callbacks.owners):
            callbacks.done(result)

    def _on_failed(self, number: int, error: BaseException) -> None:
        callbacks = self._pending.pop(number, None)
        if callbacks is not None and not gone(callbacks.owners):
            callbacks.failed(error)

    def _on_progress(self, number: int, progress: Progress) -> None:
        callbacks = self._pending.get(number)
        if callbacks is not None and callbacks.progress is not None \
                and not gone(callbacks.owners):
            callbacks.progress(progress)

    def wait(self) -> None:
        self.pool.waitForDone()

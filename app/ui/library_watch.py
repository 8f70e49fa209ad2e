"""Packs another process adds or removes (``ujuzi import`` in a terminal, a second window)
appear in the open window without a restart.

How: SQLite's ``PRAGMA data_version`` on a read-only connection of the window's own
(:class:`app.store.changes.DataVersion`). It
changes whenever any *other* connection (in this process or another) commits to the
database, whoever wrote and whatever code they run, so no writer has to remember to signal
anything (a marker file watched by ``QFileSystemWatcher`` would work only for writers that
touch it, and would miss an older CLI or a crash before the touch). Reading it is a look at
the database's shared-memory index, not a query, so a timer asks every
:data:`INTERVAL_MS`; only when it moved does a query run, on the task runner: the installed
packs' ids and versions. When those differ from what the window last saw,
``ctx.library_changed`` is emitted and the pages reload as after an import in the window.
Progress and notes the window writes itself also move ``data_version``; they cost that one
small query and nothing else.

The watch starts once the window's first page is on screen; what it compares the library
with first is the packs the window loaded (``ctx.packs``), so a pack added in between is
announced all the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QObject, QTimer

from app.library import Library
from app.paths import layout
from app.store.changes import DataVersion
from app.ui.context import AppContext

INTERVAL_MS = 1500


def signature(packs: Iterable[dict[str, Any]]) -> tuple[tuple[str, str], ...]:
    """What the window's lists of packs depend on: each pack's id and version."""
    return tuple(sorted((str(pack["id"]), str(pack["version"])) for pack in packs))


def pack_signature(library: Library) -> tuple[tuple[str, str], ...]:
    """The :func:`signature` of the installed packs."""
    return signature(library.packs())


class LibraryWatcher(QObject):
    """Emits ``ctx.library_changed`` when the installed packs change outside the window."""

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent or ctx)
        self.ctx = ctx
        self.data_version = DataVersion(layout(ctx.home).database)
        self.version: int | None = None
        self.known: tuple[tuple[str, str], ...] | None = None
        self.checking = False
        self.again: bool | None = None  # a check asked for while one runs (announce?)
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.poll)
        # The window's own imports and removals are already announced: take them as known.
        ctx.library_changed.connect(self._check_quietly)

    def start(self) -> None:
        if self.known is None and self.ctx.packs is not None and not self.ctx.packs_error:
            self.known = signature(self.ctx.packs)  # what the window shows
        self.timer.start()
        self.poll()

    def stop(self) -> None:
        self.timer.stop()
        self.data_version.close()

    def poll(self) -> None:
        version = self.data_version.read()
        if version is None or version == self.version:
            return
        self.version = version
        self._check(announce=True)

    def _check_quietly(self) -> None:
        self._check(announce=False)

    def _check(self, announce: bool) -> None:
        if self.checking:
            self.again = bool(self.again) or announce
            return
        self.checking = True

        def finished() -> None:
            self.checking = False
            again, self.again = self.again, None
            if again is not None:
                self._check(again)

        def done(signature: Any) -> None:
            changed = self.known is not None and signature != self.known
            self.known = signature
            if changed and announce:
                self.ctx.library_changed.emit()
            finished()

        def failed(_error: BaseException) -> None:
            finished()  # the next change of data_version tries again

        self.ctx.run(lambda library, _r: pack_signature(library), done, failed)


def watch_library(ctx: AppContext, parent: QObject) -> LibraryWatcher:
    watcher = LibraryWatcher(ctx, parent)
    watcher.start()
    return watcher

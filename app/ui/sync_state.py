"""Background sync of the current profile's records, and its state in words.

One :class:`SyncService` per window context (:func:`sync_of`). While the current profile is
linked to a hub account and signed in, it syncs (``app.sync.records.sync_now``, on the task
runner): a moment after start (:attr:`SyncService.start_delay_ms`),
:attr:`SyncService.after_change_ms` after the last note or progress the
window wrote (each new change restarts the wait), and every :attr:`SyncService.every_ms`.
Never two at once: a request during a sync runs once it ends. A failure waits
:attr:`SyncService.retry_ms`, doubled after each failure in a row up to
:attr:`SyncService.every_ms`, before the next try. The state (last sync, changes waiting,
notes in conflict, the last error) is ``sync_status``, read after each sync and change.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from app import formatting
from app.errors import UjuziError
from app.i18n import _, ngettext
from app.tasks import Reporter

if TYPE_CHECKING:  # the sync client (HTTP and all) loads on the first read of the state,
    # on the task runner, after the window's first page: not on the start-up path
    from app.library import Library
    from app.sync.records import SyncResult, SyncStatus
    from app.ui.context import AppContext

#: The state is first read this long after the start, once the first page has loaded.
STATUS_DELAY_MS = 400


def run_sync(library: Library, profile: str | None,
             reporter: Reporter) -> tuple[SyncResult | None, SyncStatus]:
    """One background sync of ``profile`` if it is linked and signed in (else none), and
    the state afterwards. An error is kept by the core as the profile's last error."""
    from app.sync.records import SyncResult, sync_now, sync_status

    status = sync_status(library, profile)
    if not (status.url and status.user and status.signed_in):
        return None, status
    try:
        result = sync_now(library, profile, reporter)
    except UjuziError as error:  # the state below says it in words (a cancel is one too)
        return SyncResult(error=str(error)), sync_status(library, profile)
    return result, sync_status(library, profile)


def ago(stamp: str, now: datetime | None = None) -> str:
    """How long ago ``stamp`` (ISO 8601, UTC) was, in words: "just now", "2 minutes ago"."""
    from babel.dates import format_timedelta

    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = (now or datetime.now(UTC)) - moment
    if delta.total_seconds() < 60:
        return _("just now")
    return str(format_timedelta(-delta, add_direction=True, threshold=1.1,
                                locale=formatting.locale()))


def state_lines(status: SyncStatus | None, running: bool) -> list[tuple[str, str]]:
    """The sync state as lines of text with a look (``muted``, ``error``...)."""
    if status is None:
        return []
    if not status.url:
        return [(_("This profile is not linked to a hub: sign in below to sync its progress "
                   "and notes."), "muted")]
    lines: list[tuple[str, str]] = []
    if not status.signed_in:
        lines.append((_("Signed out: sign in again to sync."), "muted"))
    if running:
        lines.append((_("Syncing…"), "small"))
    elif status.last_sync:
        lines.append((_("Synced {ago}").format(ago=ago(status.last_sync)), "small"))
    else:
        lines.append((_("Not synced yet"), "small"))
    if status.waiting:
        lines.append((ngettext("{n} change waiting to be sent", "{n} changes waiting to be sent",
                               status.waiting).format(n=formatting.number(status.waiting)),
                      "small"))
    if status.conflicts:
        lines.append((ngettext("{n} note edited on two devices: open Notes to choose",
                               "{n} notes edited on two devices: open Notes to choose",
                               status.conflicts).format(n=formatting.number(status.conflicts)),
                      "error"))
    if status.last_error:
        lines.append((_("The last sync failed: {error}").format(error=status.last_error),
                      "error"))
    return lines


def short_state(status: SyncStatus | None, running: bool) -> str:
    """One or two words for the rail: "Syncing…", "Synced", "Not synced", "Sync failed"."""
    if status is None or not status.url:
        return ""
    if running:
        return _("Syncing…")
    if status.last_error:
        return _("Sync failed")
    if status.waiting or not status.last_sync:
        return _("Not synced")
    return _("Synced")


class SyncService(QObject):
    """When to sync the current profile, and what the window knows of its state."""

    status_changed = Signal()
    #: a sync ended (its SyncResult)
    synced = Signal(object)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.ctx = ctx
        self.start_delay_ms = 2_000
        self.after_change_ms = 20_000
        self.every_ms = 5 * 60_000
        self.retry_ms = 60_000
        self.status: SyncStatus | None = None
        self.running = False
        self.again = False
        self.failures = 0
        self.last_result: SyncResult | None = None
        self._quiet = False  # changes the sync itself announces do not ask for a sync
        self._asked = self._applied = 0
        self.change_timer = QTimer(self)
        self.change_timer.setSingleShot(True)
        self.change_timer.timeout.connect(self.sync)
        self.timer = QTimer(self)  # the next periodic sync, or the retry after a failure
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.sync)
        self.status_timer = QTimer(self)  # the first read of the state, after the page
        self.status_timer.setSingleShot(True)
        self.status_timer.timeout.connect(self.load_status)
        #: Set when the window closes: no timer starts again, no sync or read is asked.
        self.stopped = False
        ctx.notes_changed.connect(self.changed)
        ctx.progress_changed.connect(self.changed)

    @property
    def linked(self) -> bool:
        status = self.status
        return bool(status is not None and status.url and status.signed_in)

    def start(self) -> None:
        """At start and after the profile changes: read the state now, and sync
        :attr:`start_delay_ms` later (the first page loads first)."""
        if self.stopped:
            return
        self.change_timer.stop()
        self.failures = 0
        self.status_timer.start(STATUS_DELAY_MS)
        self.timer.start(self.start_delay_ms)

    def stop(self) -> None:
        """The window closes: stop every timer for good, so that nothing of this window
        reads or syncs its data folder afterwards (a sync's answer that arrives later
        starts no timer either)."""
        self.stopped = True
        for timer in (self.change_timer, self.timer, self.status_timer):
            timer.stop()

    def changed(self, _resource_id: str = "") -> None:
        if self._quiet:
            return
        self.load_status()
        if self.linked:
            self.change_timer.start(self.after_change_ms)

    def _ask(self) -> int:
        """A number for a read of the state: a later read's answer wins over an earlier one
        that arrives after it."""
        self._asked += 1
        return self._asked

    def _apply(self, number: int, status: SyncStatus) -> None:
        if number > self._applied:
            self._applied = number
            self.status = status

    def load_status(self) -> None:
        if self.stopped:
            return
        profile, number = self.ctx.profile, self._ask()

        def done(status: Any) -> None:
            if profile == self.ctx.profile:
                self._apply(number, status)
                self.status_changed.emit()

        def read(library: Library, _r: Reporter) -> SyncStatus:
            from app.sync.records import sync_status

            return sync_status(library, profile)

        self.ctx.run(read, done, lambda _e: None)

    def sync(self) -> None:
        """Sync now (or, during a sync, once it ends)."""
        if self.stopped:
            return
        if self.running:
            self.again = True
            return
        self.change_timer.stop()
        self.timer.stop()
        self.running = True
        self.again = False
        profile = self.ctx.profile
        self.status_changed.emit()
        number = self._ask()

        def done(outcome: Any) -> None:
            result, status = outcome
            self.running = False
            if self.stopped:
                return
            if profile != self.ctx.profile:  # switched meanwhile: start over for the new one
                self.start()
                return
            self._apply(number, status)
            self.last_result = result
            if result is not None and result.error:
                self.failures += 1
                self.timer.start(min(self.retry_ms * 2 ** (self.failures - 1), self.every_ms))
            elif result is not None:
                self.failures = 0
                self.timer.start(self.every_ms)
            self.status_changed.emit()
            if result is not None:
                if result.changed:
                    self._quiet = True
                    try:
                        self.ctx.notes_changed.emit("")
                        self.ctx.progress_changed.emit("")
                    finally:
                        self._quiet = False
                self.synced.emit(result)
            if self.again:
                self.sync()

        def failed(error: BaseException) -> None:
            self.running = False
            if self.stopped:
                return
            self.failures += 1
            self.timer.start(min(self.retry_ms * 2 ** (self.failures - 1), self.every_ms))
            self.load_status()
            self.ctx.show_error(error)  # a bug: a cancel or a hub's refusal is a result

        self.ctx.run(lambda library, reporter: run_sync(library, profile, reporter),
                     done, failed)


def sync_of(ctx: AppContext) -> SyncService:
    """The window's sync service (made on first use)."""
    service = getattr(ctx, "_sync_service", None)
    if service is None:
        service = SyncService(ctx)
        ctx._sync_service = service  # type: ignore[attr-defined]
    return service

"""The hub in the window: the account, the catalog, the download queue and the review work,
kept by one :class:`HubService` per window context and shared by the pages that show them.

Everything that talks to the hub or the library runs on the task runner (``ctx.run`` and
``ctx.start_task``), through the client's public API (:mod:`app.sync`); this module only
decides when, and remembers the answers for the pages. The functions at the top are
Qt-free: they are what the workers run.

The queue is worked by one visible task at a time (progress and cancel in the top bar). It
starts when a download is added or resumed, at start-up when the account is signed in and
the queue holds work, and again on a timer (once a minute, never faster) while downloads wait
for the network to come back.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.errors import AuthError, Cancelled, NetworkError, UjuziError
from app.i18n import _
from app.sync import downloads as queue
from app.sync.account import Account
from app.sync.catalog import CatalogEntry, cached_catalog, fetch_catalog
from app.tasks import Reporter

if TYPE_CHECKING:
    from app.library import Library
    from app.ui.context import AppContext, Task

#: Roles that may submit packs, and roles that review them.
SUBMITTERS = ("trainer", "curator", "admin")
REVIEWERS = ("curator", "admin")
#: How often downloads waiting for the network are tried again, in milliseconds.
RETRY_INTERVAL_MS = 60_000
MIB = 1024 * 1024


# -- what the workers run (no Qt) -------------------------------------------------------------


@dataclass(frozen=True)
class AccountInfo:
    """The hub account of the library, and the download settings."""

    url: str
    user: str
    role: str
    fingerprint: str
    signed_in: bool
    bandwidth_kbps: int = 0
    metered: bool = False
    metered_ask_bytes: int = 50 * MIB

    @property
    def may_submit(self) -> bool:
        return self.signed_in and self.role in SUBMITTERS

    @property
    def may_review(self) -> bool:
        return self.signed_in and self.role in REVIEWERS


def account_info(library: Library, profile: str | None = None) -> AccountInfo:
    """The hub account of ``profile`` (None: the default profile, whose account is the
    library's), and the download settings."""
    account = Account(library, profile)
    settings = library.settings
    signed_in = account.signed_in
    return AccountInfo(
        url=account.url or "", user=account.user or "",
        role=(account.role() or "") if signed_in else "",
        fingerprint=account.fingerprint or "", signed_in=signed_in,
        bandwidth_kbps=int(settings.get("bandwidth_limit_kbps")),
        metered=bool(settings.get("metered_connection")),
        metered_ask_bytes=int(settings.get("metered_ask_bytes")))


@dataclass(frozen=True)
class CatalogView:
    """The catalog to show: ``fresh`` when it came from the hub just now; ``problem`` says
    why it did not (offline, not signed in), in words."""

    entries: list[CatalogEntry]
    fresh: bool
    problem: str = ""
    offline: bool = False


def catalog_view(library: Library, fetch: bool, profile: str | None = None) -> CatalogView:
    """The catalog kept here, or (``fetch``, ``profile``'s account signed in) the hub's,
    falling back to the kept one with the reason when the hub cannot be reached."""
    if not Account(library, profile).signed_in:
        return CatalogView(cached_catalog(library), False,
                           _("Not signed in: this is the catalog as it was last fetched."))
    if not fetch:
        return CatalogView(cached_catalog(library), False)
    try:
        return CatalogView(fetch_catalog(library, profile), True)
    except NetworkError as exc:
        return CatalogView(cached_catalog(library), False, _(
            "Offline: the hub cannot be reached ({error}). This is the catalog as it was "
            "last fetched; downloads go on when the network is back.").format(error=exc),
            offline=True)
    except AuthError as exc:
        return CatalogView(cached_catalog(library), False, str(exc))


@dataclass(frozen=True)
class QueueOutcome:
    installed: list[str] = field(default_factory=list)
    #: downloads that stopped because the hub could not be reached
    offline: list[int] = field(default_factory=list)


def work_queue(library: Library, reporter: Reporter) -> QueueOutcome:
    """Work the download queue, oldest first, like :func:`app.sync.downloads.run_queue`,
    and say which downloads stopped for want of a network (they are tried again later)."""
    queue.tidy(library)
    outcome = QueueOutcome()
    tried: set[int] = set()
    while True:
        reporter.checkpoint()
        row = next((item for item in reversed(queue.downloads(library))
                    if item.state in (queue.QUEUED, queue.RUNNING) and item.id not in tried),
                   None)
        if row is None:
            return outcome
        tried.add(row.id)
        try:
            result = queue.run_download(library, row.id, reporter)
        except Cancelled:
            if queue.get_download(library, row.id).state in (queue.PAUSED, queue.CANCELLED):
                continue  # that one was paused or cancelled: the others go on
            raise
        except NetworkError:
            outcome.offline.append(row.id)
            continue
        except UjuziError:
            continue  # the error is kept on the download's row
        outcome.installed.append(result.pack_id)


def enqueue_download(library: Library, pack_id: str, version: str | None,
                     hold_above: int | None, profile: str | None = None) -> queue.Download:
    """Queue a pack's download with ``profile``'s hub account; when ``hold_above`` is given
    and more bytes than that are left to download, the download is paused until the learner
    agrees."""
    download = queue.enqueue(library, pack_id, version, profile)
    remaining = download.bytes_total - download.bytes_done
    if hold_above is not None and remaining > hold_above and download.state == queue.QUEUED:
        download = queue.pause(library, download.id)
    return download


@dataclass(frozen=True)
class ReviewCopy:
    """A submission opened for review: imported into a private library of its own."""

    submission_id: int
    home: Path
    pack_id: str
    resources: list[dict[str, Any]]


def open_for_review(library: Library, submission_id: int, scratch: Path,
                    reporter: Reporter, profile: str | None = None) -> ReviewCopy:
    """Fetch a submitted pack and import it into a private library in ``scratch`` (the
    importer checks it as it would any pack), so each resource opens in the usual viewers
    without touching the reviewer's own library."""
    from app.library import Library as ScratchLibrary
    from app.packs.importer import import_pack
    from app.starter import skip_starter_packs
    from app.sync import review

    home = scratch / f"submission-{int(submission_id)}"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    path = review.fetch_submission(library, submission_id, home / "submission.ujpack",
                                   reporter, profile)
    with ScratchLibrary(home / "library") as private:
        skip_starter_packs(private)  # no starter packs in a review copy
        result = import_pack(private, path, reporter)
        pack = private.pack(result.pack_id)
        resources = [{"id": resource["id"], "kind": resource["kind"],
                      "title": resource["title"]}
                     for group in [*(section["resources"] for section in pack["sections"]),
                                   pack["unsectioned"]]
                     for resource in group]
    return ReviewCopy(submission_id, home / "library", result.pack_id, resources)


# -- the service the pages share --------------------------------------------------------------


class HubService(QObject):
    """What the window knows of the hub, refreshed in the background."""

    account_changed = Signal()
    catalog_changed = Signal()
    queue_changed = Signal()
    #: a download's progress (download id, fraction)
    download_progress = Signal(int, float)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.ctx = ctx
        self.account: AccountInfo | None = None
        self.catalog: CatalogView | None = None
        self.rows: list[queue.Download] = []
        self.live: dict[int, float] = {}
        self.queue_task: Task | None = None
        self.waiting: set[int] = set()
        self.fetching = False
        self._scratch: Path | None = None
        self.retry_timer = QTimer(self)
        self.retry_timer.setSingleShot(True)
        self.retry_timer.setInterval(RETRY_INTERVAL_MS)
        self.retry_timer.timeout.connect(self.retry_waiting)
        ctx.library_changed.connect(lambda: self.load_catalog(fetch=False))
        # Each learner's own account: another learner's account and catalog are read again.
        ctx.profile_changed.connect(
            lambda: self.load_account(lambda: self.load_catalog(fetch=False)))

    # -- start-up -------------------------------------------------------------------------

    def start(self) -> None:
        """At start-up: read the account and the queue; go on with downloads left over."""
        profile = self.ctx.profile

        def work(library: Library, _r: Reporter) -> Any:
            return account_info(library, profile), queue.downloads(library)

        def done(result: Any) -> None:
            self._set_account(result[0])
            self._set_rows(result[1])
            if self.account is not None and self.account.signed_in and any(
                    row.state in (queue.QUEUED, queue.RUNNING) for row in self.rows):
                self.run_queue()

        self.ctx.run(work, done, lambda _e: None)

    # -- the account ----------------------------------------------------------------------

    def load_account(self, then: Callable[[], None] | None = None) -> None:
        def done(info: Any) -> None:
            self._set_account(info)
            if then is not None:
                then()

        profile = self.ctx.profile
        self.ctx.run(lambda library, _r: account_info(library, profile), done)

    def _set_account(self, info: AccountInfo) -> None:
        self.account = info
        self.account_changed.emit()

    def sign_in(self, url: str, user: str, password: str, done: Callable[[Any], None],
                failed: Callable[[BaseException], None]) -> None:
        profile = self.ctx.profile

        def work(library: Library, _r: Reporter) -> Any:
            result = Account(library, profile).login(url, user, password)
            return result, account_info(library, profile)

        def arrived(result: Any) -> None:
            self._set_account(result[1])
            self.load_catalog(fetch=True)
            done(result[0])
            if any(row.state in (queue.QUEUED, queue.RUNNING) for row in self.rows):
                self.run_queue()

        self.ctx.run(work, arrived, failed)

    def sign_out(self, done: Callable[[bool], None]) -> None:
        if self.queue_task is not None:
            self.queue_task.cancel()

        profile = self.ctx.profile

        def work(library: Library, _r: Reporter) -> Any:
            return Account(library, profile).logout(), account_info(library, profile)

        def arrived(result: Any) -> None:
            self._set_account(result[1])
            self.load_catalog(fetch=False)
            done(bool(result[0]))

        self.ctx.run(work, arrived)

    def set_setting(self, name: str, value: Any) -> None:
        """A download setting (the worker reads the bandwidth cap again as it changes)."""
        self.ctx.set_setting(name, value)
        if self.account is not None:
            from dataclasses import replace

            key = {"bandwidth_limit_kbps": "bandwidth_kbps", "metered_connection": "metered",
                   "metered_ask_bytes": "metered_ask_bytes"}[name]
            self.account = replace(self.account, **{key: value})

    # -- the catalog ----------------------------------------------------------------------

    def load_catalog(self, fetch: bool = True, then: Callable[[], None] | None = None) -> None:
        """Show the kept catalog at once; with ``fetch``, ask the hub for the latest."""
        if fetch:
            self.fetching = True

        def done(view: Any) -> None:
            if fetch:
                self.fetching = False
            if not fetch and not view.problem and self.catalog is not None \
                    and self.catalog.offline:  # still offline as far as anyone knows
                view = CatalogView(view.entries, False, self.catalog.problem, True)
            self.catalog = view
            self.catalog_changed.emit()
            if view.fresh and self.waiting:
                self.retry_waiting()  # the network is back
            if then is not None:
                then()

        def failed(error: BaseException) -> None:
            if fetch:
                self.fetching = False
            self.ctx.show_error(error)
            if then is not None:
                then()

        profile = self.ctx.profile
        self.ctx.run(lambda library, _r: catalog_view(library, fetch, profile), done, failed)

    def entry(self, pack_id: str) -> CatalogEntry | None:
        entries = self.catalog.entries if self.catalog is not None else []
        return next((item for item in entries if item.id == pack_id), None)

    # -- the queue ------------------------------------------------------------------------

    def load_queue(self, then: Callable[[], None] | None = None) -> None:
        def done(rows: Any) -> None:
            self._set_rows(rows)
            if then is not None:
                then()

        self.ctx.run(lambda library, _r: queue.downloads(library), done)

    def _set_rows(self, rows: list[queue.Download]) -> None:
        self.rows = rows
        self.queue_changed.emit()

    def download(self, entry: CatalogEntry, ask: Callable[[int], bool],
                 then: Callable[[], None] | None = None) -> None:
        """Queue ``entry``'s latest version and start the queue. On a metered connection a
        download larger than the setting's threshold waits (paused) for ``ask(bytes)``."""
        info = self.account
        hold = info.metered_ask_bytes if info is not None and info.metered else None
        pack_id, version = entry.id, entry.version

        def done(download: Any) -> None:
            if download.state == queue.PAUSED and hold is not None:
                if ask(download.bytes_total - download.bytes_done):
                    self.act(queue.resume, download.id, then)
                else:
                    self.act(queue.cancel, download.id, then)
                return
            self.load_queue(self.run_queue)
            if then is not None:
                then()

        profile = self.ctx.profile
        self.ctx.run(
            lambda library, _r: enqueue_download(library, pack_id, version, hold, profile),
            done)

    def act(self, action: Callable[[Library, int], queue.Download], download_id: int,
            then: Callable[[], None] | None = None) -> None:
        """Pause, resume or cancel a download (``action`` from :mod:`app.sync.downloads`);
        a running download stops at its next chunk."""
        if action is queue.resume:
            self.waiting.discard(download_id)

        def done(_row: Any) -> None:
            if action is queue.cancel or action is queue.pause:
                self.live.pop(download_id, None)
            self.load_queue(self.run_queue if action is queue.resume else None)
            if then is not None:
                then()

        self.ctx.run(lambda library, _r: action(library, download_id), done)

    def run_queue(self) -> None:
        """Work the queue in a visible task, unless one already does."""
        if self.queue_task is not None and self.queue_task.state == "running":
            self._rerun = True
            return
        if not any(row.state in (queue.QUEUED, queue.RUNNING) for row in self.rows):
            return
        self._rerun = False
        if self.queue_task is not None and self.queue_task.retry is not None:
            self.queue_task.retry()  # one task row for the queue, however often it runs
            return
        task = self.ctx.start_task(_("Downloading from the hub"), work_queue,
                                   self._queue_done, self._queue_failed)
        self.queue_task = task
        task.changed.connect(lambda: self._progress(task))

    _rerun = False

    def _progress(self, task: Task) -> None:
        if task.state != "running":
            return
        running = next((row for row in self.rows if row.pack_id == task.detail
                        and row.state in (queue.QUEUED, queue.RUNNING)), None)
        if running is not None:
            self.live[running.id] = task.fraction
            self.download_progress.emit(running.id, task.fraction)

    def _queue_done(self, outcome: Any) -> None:
        self.live.clear()
        self.waiting.update(outcome.offline)
        if self.waiting:
            self.retry_timer.start()
        if outcome.installed:
            self.ctx.library_changed.emit()
            self.ctx.status_message.emit(_("Downloaded and installed: {packs}").format(
                packs=", ".join(outcome.installed)))
        self._after_run()

    def _queue_failed(self, error: BaseException) -> None:
        self.live.clear()
        if not isinstance(error, Cancelled):
            self.ctx.show_error(error)
        self._rerun = False
        self.load_queue()

    def _after_run(self) -> None:
        def then() -> None:
            if self._rerun:
                self.run_queue()

        self.load_queue(then)

    def retry_waiting(self) -> None:
        """Try again the downloads that stopped for want of a network."""
        ids = sorted(self.waiting)
        self.waiting.clear()
        self.retry_timer.stop()

        def work(library: Library, _r: Reporter) -> Any:
            for download_id in ids:
                queue.resume(library, download_id)
            return queue.downloads(library)

        def done(rows: Any) -> None:
            self._set_rows(rows)
            self.run_queue()

        self.ctx.run(work, done)

    # -- review ---------------------------------------------------------------------------

    def scratch(self) -> Path:
        """A private folder for review copies, removed when the app ends."""
        if self._scratch is None:
            self._scratch = Path(tempfile.mkdtemp(prefix="ujuzi-review-"))
            atexit.register(shutil.rmtree, self._scratch, True)
        return self._scratch


def hub_of(ctx: AppContext) -> HubService:
    """The window's hub service (made on first use)."""
    service = getattr(ctx, "_hub_service", None)
    if service is None:
        service = HubService(ctx)
        ctx._hub_service = service  # type: ignore[attr-defined]
    return service

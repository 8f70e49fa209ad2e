"""Downloads: the hub's catalog (search, language and skill filters, the size before
anything starts, Download or Update), the download queue (progress, pause, resume, cancel),
a trainer's submissions, and imports and other long work with progress, cancel and retry.

The catalog kept in the library shows at once; when signed in, the hub's latest is fetched
in the background, and offline the page says so and keeps showing the kept copy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from app import formatting
from app.i18n import _, ngettext
from app.library import Library
from app.sync import downloads as queue
from app.sync.catalog import INSTALLED, UPDATE, CatalogEntry
from app.tasks import Reporter
from app.ui import dialogs
from app.ui.context import AppContext, Task
from app.ui.hub import hub_of
from app.ui.pages.base import Crumb, Page
from app.ui.widgets import EmptyState, button, clear_layout, content, label, scrolling, tip

#: Catalog rows shown at most; a search narrows a larger catalog.
SHOWN_AT_MOST = 60


class ProgressCard(QFrame):
    """A card with a title, a state on its right, a progress bar, a line of detail and a
    row of actions: what a task and a download show alike."""

    def build(self, title: QLabel) -> tuple[QVBoxLayout, QHBoxLayout]:
        """Lay the card out around ``title``; returns its layout and the actions' row
        (stretched to the right, for the caller's buttons)."""
        self.setProperty("role", "card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(6)
        top = QHBoxLayout()
        self.title = title
        self.state = label("", "small", wrap=False)
        top.addWidget(self.title, 1)
        top.addWidget(self.state)
        layout.addLayout(top)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        layout.addWidget(self.bar)
        self.detail = label("", "small")
        layout.addWidget(self.detail)
        actions = QHBoxLayout()
        actions.addStretch()
        return layout, actions


class TaskRow(ProgressCard):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self.task = task
        layout, actions = self.build(label(task.title, "h3"))
        self.cancel = button("", None, "close", task.cancel)
        self.retry = button("", None, None, lambda: task.retry() if task.retry else None)
        actions.addWidget(self.cancel)
        actions.addWidget(self.retry)
        layout.addLayout(actions)
        task.changed.connect(self.update_state)
        self.update_state()

    def update_state(self) -> None:
        task = self.task
        self.bar.setValue(int(task.fraction * 1000))
        states = {"running": _("Running: {percent}").format(
                      percent=formatting.percent(task.fraction)),
                  "done": _("Finished"), "failed": _("Failed"), "cancelled": _("Cancelled")}
        self.state.setText(states.get(task.state, task.state))
        self.bar.setVisible(task.state == "running")
        text = task.error if task.state == "failed" else task.detail
        self.detail.setText(text)
        self.detail.setVisible(bool(text))
        self.cancel.setText(_("Cancel"))
        self.cancel.setAccessibleName(_("Cancel {task}").format(task=task.title))
        self.cancel.setVisible(task.state == "running")
        self.retry.setText(_("Try again"))
        self.retry.setVisible(task.state in ("failed", "cancelled") and task.retry is not None)


def _chip(text: str) -> QWidget:
    chip = label(text, "chip", wrap=False)
    return chip


class CatalogRow(QFrame):
    """One pack of the hub's catalog: title, languages, size to download, status, action."""

    def __init__(self, page: DownloadsPage, entry: CatalogEntry, queued: bool,
                 signed_in: bool) -> None:
        super().__init__()
        self.entry = entry
        self.setProperty("role", "card")
        languages = page.ctx.languages
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(12)
        text = QVBoxLayout()
        text.setSpacing(4)
        title = entry.title_in(languages)
        self.title = content(label(title, "h3"))
        text.addWidget(self.title)
        description = entry.description.get(next(
            (lang for lang in languages if lang in entry.description), ""), "") or next(
            iter(entry.description.values()), "")
        if description:
            self.description = content(label(description, "muted"))
            text.addWidget(self.description)
        size = entry.download_bytes if entry.download_bytes is not None else entry.size
        parts = [" · ".join(formatting.language_name(lang) for lang in entry.languages)]
        if entry.status == INSTALLED:
            parts.append(_("version {version}").format(version=entry.version))
        elif entry.status == UPDATE and entry.download_bytes is None:
            # only the files that changed come, but which ones is known once queued
            parts.append(_("up to {size} to download").format(size=formatting.size(size)))
        else:
            parts.append(_("{size} to download").format(size=formatting.size(size)))
            parts.append(_("version {version}").format(version=entry.version))
        if entry.skills:
            parts.append(_("skills: {skills}").format(skills=", ".join(entry.skills)))
        self.meta = label("  ·  ".join(part for part in parts if part), "small")
        text.addWidget(self.meta)
        layout.addLayout(text, 1)
        side = QVBoxLayout()
        side.setSpacing(6)
        status = {INSTALLED: _("Installed"), UPDATE: _("Update available")}.get(
            entry.status, _("New"))
        self.status = _chip(status)
        side.addWidget(self.status, 0, Qt.AlignmentFlag.AlignTrailing)
        if queued:
            self.action = button(_("In the queue"), None, None)
            self.action.setEnabled(False)
        elif entry.status == INSTALLED:
            self.action = button(_("Open"), None, None, lambda: page.ctx.open_pack(entry.id))
            self.action.setAccessibleName(_("Open {title}").format(title=title))
        elif entry.status == UPDATE:
            self.action = button(_("Update"), "primary", "downloads",
                                 lambda: page.download(entry))
            self.action.setAccessibleName(_("Update {title}").format(title=title))
        else:
            self.action = button(_("Download"), "primary", "downloads",
                                 lambda: page.download(entry))
            self.action.setAccessibleName(_("Download {title}").format(title=title))
        if not signed_in and entry.status != INSTALLED:
            self.action.setEnabled(False)
            self.action.setToolTip(tip(_("Sign in to the hub in Settings to download.")))
        side.addWidget(self.action, 0, Qt.AlignmentFlag.AlignTrailing)
        side.addStretch()
        layout.addLayout(side)


class DownloadRow(ProgressCard):
    """One download of the queue: progress, state, Pause, Resume, Cancel. The row stays
    (and keeps the focus) while its download changes: :meth:`set_row` updates it."""

    def __init__(self, page: DownloadsPage, row: queue.Download) -> None:
        super().__init__()
        self.page = page
        self.row = row
        hub = page.hub
        layout, actions = self.build(content(label("", "h3")))
        self.pause = button("", None, None, lambda: hub.act(queue.pause, self.row.id))
        self.resume = button("", None, None, lambda: hub.act(queue.resume, self.row.id))
        self.cancel = button("", "destructive", "close",
                             lambda: hub.act(queue.cancel, self.row.id))
        for widget in (self.pause, self.resume, self.cancel):
            actions.addWidget(widget)
        layout.addLayout(actions)

    def set_row(self, row: queue.Download, title: str, fraction: float | None) -> None:
        self.row = row
        hub = self.page.hub
        self.title.setText(title)
        states = {queue.QUEUED: _("Waiting"), queue.RUNNING: _("Downloading"),
                  queue.PAUSED: _("Paused"), queue.FAILED: _("Stopped")}
        if row.id in hub.waiting:
            state_text = _("Waiting for the network")
        elif row.id in hub.live and row.state in (queue.QUEUED, queue.RUNNING):
            state_text = states[queue.RUNNING]
        else:
            state_text = states.get(row.state, row.state)
        self.state.setText(state_text)
        self.bar.setAccessibleName(_("Progress of {title}").format(title=title))
        if fraction is None:
            fraction = row.bytes_done / row.bytes_total if row.bytes_total else 0.0
        self.set_fraction(fraction)
        for widget, text, name in (
                (self.pause, _("Pause"), _("Pause {title}")),
                (self.resume, _("Resume"), _("Resume {title}")),
                (self.cancel, _("Cancel"), _("Cancel the download of {title}"))):
            widget.setText(text)
            widget.setAccessibleName(name.format(title=title))
        self.pause.setVisible(row.state in (queue.QUEUED, queue.RUNNING))
        self.resume.setVisible(row.state in (queue.PAUSED, queue.FAILED))

    def set_fraction(self, fraction: float) -> None:
        row = self.row
        self.bar.setValue(int(fraction * 1000))
        detail = _("{done} of {total}").format(
            done=formatting.size(int(fraction * row.bytes_total)),
            total=formatting.size(row.bytes_total))
        if row.error and row.state == queue.FAILED:
            detail = f"{detail} · {row.error}"
        self.detail.setText(detail)


class SubmissionRow(QFrame):
    def __init__(self, item: dict[str, Any]) -> None:
        super().__init__()
        self.item = item
        self.setProperty("role", "card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.setSpacing(4)
        top = QHBoxLayout()
        self.title = content(label(f"{item.get('pack_id', '')} {item.get('version', '')}",
                                   "h3"))
        status = str(item.get("status") or "")
        self.status = _chip({"pending": _("Waiting for review"), "approved": _("Approved"),
                             "rejected": _("Rejected")}.get(status, status))
        top.addWidget(self.title, 1)
        top.addWidget(self.status)
        layout.addLayout(top)
        when = item.get("submitted_at")
        self.meta = label(_("Sent {when}").format(when=formatting.moment(str(when)))
                          if when else "", "small")
        layout.addWidget(self.meta)
        reason = str(item.get("reason") or "")
        self.reason = label(_("The curator's reason: {reason}").format(reason=reason)
                            if reason else "", None)
        self.reason.setVisible(bool(reason))
        layout.addWidget(self.reason)


class DownloadsPage(Page):
    name = "downloads"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.hub = hub_of(ctx)
        self.submissions: list[dict[str, Any]] = []
        self.download_rows: dict[int, DownloadRow] = {}
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(0, 20, 0, 24)
        layout.setSpacing(12)
        self.title = label("", "h1")
        layout.addWidget(self.title)

        # The queue: what is being downloaded comes first.
        self.queue_heading = label("", "h2")
        layout.addWidget(self.queue_heading)
        self.queue_rows = QVBoxLayout()
        self.queue_rows.setSpacing(8)
        layout.addLayout(self.queue_rows)

        # The hub's catalog.
        head = QHBoxLayout()
        self.catalog_heading = label("", "h2")
        head.addWidget(self.catalog_heading, 1)
        self.review_button = button("", None, "notes", lambda: ctx.navigate("review"))
        self.refresh_button = button("", "quiet", None, self.refresh)
        head.addWidget(self.review_button)
        head.addWidget(self.refresh_button)
        layout.addLayout(head)
        self.notice = label("", "small")
        self.notice.hide()
        layout.addWidget(self.notice)
        self.sign_in_state = EmptyState("downloads")
        self.sign_in_state.action.clicked.connect(
            lambda: ctx.navigate("settings", section="hub"))
        layout.addWidget(self.sign_in_state)
        self.filters = QWidget()
        filters = QHBoxLayout(self.filters)
        filters.setContentsMargins(0, 0, 0, 0)
        filters.setSpacing(8)
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _t: self._render_catalog())
        self.language = QComboBox()
        self.language.activated.connect(lambda _i: self._render_catalog())
        self.skill = QComboBox()
        self.skill.activated.connect(lambda _i: self._render_catalog())
        filters.addWidget(self.search, 1)
        filters.addWidget(self.language)
        filters.addWidget(self.skill)
        layout.addWidget(self.filters)
        self.catalog_rows = QVBoxLayout()
        self.catalog_rows.setSpacing(8)
        layout.addLayout(self.catalog_rows)
        self.catalog_more = label("", "muted")
        layout.addWidget(self.catalog_more)

        # A trainer's submissions.
        self.submit_box = QWidget()
        submit = QVBoxLayout(self.submit_box)
        submit.setContentsMargins(0, 0, 0, 0)
        submit.setSpacing(8)
        submit_head = QHBoxLayout()
        self.submit_heading = label("", "h2")
        self.submit_button = button("", None, "export", self._choose_submission)
        submit_head.addWidget(self.submit_heading, 1)
        submit_head.addWidget(self.submit_button)
        submit.addLayout(submit_head)
        self.submit_help = label("", "muted")
        submit.addWidget(self.submit_help)
        self.submission_rows = QVBoxLayout()
        self.submission_rows.setSpacing(8)
        submit.addLayout(self.submission_rows)
        layout.addWidget(self.submit_box)

        # Imports and other tasks.
        self.tasks_heading = label("", "h2")
        layout.addWidget(self.tasks_heading)
        self.rows = QVBoxLayout()
        self.rows.setSpacing(10)
        layout.addLayout(self.rows)
        self.empty = EmptyState("downloads")
        self.empty.action.clicked.connect(lambda: ctx.navigate("import"))
        layout.addWidget(self.empty)
        from app.ui.import_history import ImportHistory

        self.import_history = ImportHistory(ctx)
        layout.addWidget(self.import_history)
        layout.addStretch()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scrolling(inner, 960))
        ctx.tasks_changed.connect(self._render)
        self.hub.account_changed.connect(self._render_account)
        self.hub.catalog_changed.connect(self._catalog_arrived)
        self.hub.queue_changed.connect(self._render_queue)
        self.hub.download_progress.connect(self._progress)
        self.retranslate()

    def crumbs(self) -> list[Crumb]:
        return [(_("Downloads"), None, {})]

    def activate(self, **args: Any) -> None:
        self._render()
        self.import_history.reload()
        hub = self.hub

        def fetched() -> None:
            self.loaded.emit()
            self.load_submissions()

        def shown() -> None:
            if hub.account is not None and hub.account.signed_in:
                hub.load_catalog(fetch=True, then=fetched)
            else:
                self.loaded.emit()

        hub.load_account(lambda: hub.load_queue(lambda: hub.load_catalog(False, shown)))

    def refresh(self) -> None:
        self.hub.load_catalog(fetch=True, then=self.load_submissions)
        self.hub.load_queue()

    # -- the account and the catalog -------------------------------------------------------

    def _signed_in(self) -> bool:
        return self.hub.account is not None and self.hub.account.signed_in

    def _render_account(self) -> None:
        info = self.hub.account
        self.review_button.setVisible(info is not None and info.may_review)
        self.submit_box.setVisible(info is not None and info.may_submit)
        self.refresh_button.setVisible(self._signed_in())
        self._render_catalog()

    def _catalog_arrived(self) -> None:
        self._fill_filters()
        self._render_queue()  # titles in the learner's language; renders the catalog too

    def _fill_filters(self) -> None:
        entries = self.hub.catalog.entries if self.hub.catalog is not None else []
        for combo, values, everything, name in (
                (self.language, sorted({lang for e in entries for lang in e.languages}),
                 _("All languages"), formatting.language_name),
                (self.skill, sorted({skill for e in entries for skill in e.skills}),
                 _("All skills"), str)):
            chosen = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everything, None)
            for value in values:
                combo.addItem(name(value), value)
            combo.setCurrentIndex(max(0, combo.findData(chosen)))
            combo.blockSignals(False)

    def matching(self) -> list[CatalogEntry]:
        """The catalog's packs that the search and filters let through."""
        entries = self.hub.catalog.entries if self.hub.catalog is not None else []
        words = self.search.text().casefold().split()
        language, skill = self.language.currentData(), self.skill.currentData()
        found = []
        for entry in entries:
            if language and language not in entry.languages:
                continue
            if skill and skill not in entry.skills:
                continue
            haystack = " ".join([entry.id, *entry.title.values(),
                                 *entry.description.values(), *entry.skills]).casefold()
            if all(word in haystack for word in words):
                found.append(entry)
        return found

    def _render_catalog(self) -> None:
        clear_layout(self.catalog_rows)
        view = self.hub.catalog
        entries = view.entries if view is not None else []
        signed_in = self._signed_in()
        problem = view.problem if view is not None else ""
        if self.hub.fetching and not entries:
            problem = problem or _("Fetching the hub's catalog…")
        self.notice.setText(problem)
        self.notice.setVisible(bool(problem) and bool(entries or signed_in))
        self.sign_in_state.setVisible(not signed_in and not entries)
        self.filters.setVisible(bool(entries))
        shown = self.matching() if entries else []
        queued = {row.pack_id for row in self.hub.rows if row.state in queue.ACTIVE}
        for entry in shown[:SHOWN_AT_MOST]:
            self.catalog_rows.addWidget(CatalogRow(self, entry, entry.id in queued,
                                                     signed_in))
        if entries and not shown:
            more = _("No pack of the catalog matches; clear the search or the filters.")
        elif len(shown) > SHOWN_AT_MOST:
            more = ngettext("{shown} of {total} pack shown; search to find the others.",
                            "{shown} of {total} packs shown; search to find the others.",
                            len(shown)).format(
                shown=formatting.number(SHOWN_AT_MOST), total=formatting.number(len(shown)))
        elif signed_in and view is not None and view.fresh and not entries:
            more = _("The hub's catalog is empty for now.")
        else:
            more = ""
        self.catalog_more.setText(more)
        self.catalog_more.setVisible(bool(more))

    def catalog_row(self, pack_id: str) -> CatalogRow | None:
        for index in range(self.catalog_rows.count()):
            item = self.catalog_rows.itemAt(index)
            widget = item.widget() if item is not None else None
            if isinstance(widget, CatalogRow) and widget.entry.id == pack_id:
                return widget
        return None

    def download(self, entry: CatalogEntry) -> None:
        self.hub.download(entry, self._ask_metered, self._render_catalog)

    def _ask_metered(self, size: int) -> bool:
        answer = dialogs.ask(self, _("Metered connection"), _(
            "This download is {size}, more than the {limit} you asked to be warned about on "
            "a metered connection. Download it now?").format(
            size=formatting.size(size),
            limit=formatting.size(self.hub.account.metered_ask_bytes
                                  if self.hub.account is not None else 0)))
        return answer == QMessageBox.StandardButton.Yes

    # -- the queue ----------------------------------------------------------------------------

    def _render_queue(self) -> None:
        titles = {entry.id: entry.title_in(self.ctx.languages)
                  for entry in (self.hub.catalog.entries if self.hub.catalog else [])}
        active = [row for row in self.hub.rows if row.state in queue.ACTIVE]
        kept = {row.id for row in active}
        for download_id in [key for key in self.download_rows if key not in kept]:
            gone = self.download_rows.pop(download_id)
            self.queue_rows.removeWidget(gone)
            gone.hide()
            gone.deleteLater()
        for position, row in enumerate(active):
            widget = self.download_rows.get(row.id)
            if widget is None:
                widget = self.download_rows[row.id] = DownloadRow(self, row)
            else:
                self.queue_rows.removeWidget(widget)
            self.queue_rows.insertWidget(position, widget)
            widget.set_row(row, titles.get(row.pack_id, row.pack_id), self.hub.live.get(row.id))
        self.queue_heading.setVisible(bool(active))
        self._render_catalog()

    def _progress(self, download_id: int, fraction: float) -> None:
        widget = self.download_rows.get(download_id)
        if widget is not None:
            widget.set_fraction(fraction)

    # -- submissions ------------------------------------------------------------------------

    def load_submissions(self) -> None:
        info = self.hub.account
        if info is None or not info.may_submit:
            return
        user, profile = info.user, self.ctx.profile

        def work(library: Library, _r: Reporter) -> Any:
            from app.sync import review

            return [item for item in review.submissions(library, None, profile)
                    if item.get("submitter") == user]

        def failed(error: BaseException) -> None:
            self.submit_help.setText(self.ctx.error_text(error))

        self.ctx.run(work, self._show_submissions, failed)

    def _show_submissions(self, items: Any) -> None:
        self.submissions = list(items)
        clear_layout(self.submission_rows)
        for item in self.submissions:
            self.submission_rows.addWidget(SubmissionRow(item))
        self._submit_help()

    def _submit_help(self) -> None:
        self.submit_help.setText(
            _("Send a .ujpack file to the hub; a curator reviews it before it enters the "
              "catalog.") if not self.submissions else ngettext(
                "{count} submission", "{count} submissions", len(self.submissions)).format(
                count=formatting.number(len(self.submissions))))

    def _choose_submission(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Submit a pack to the hub"), str(Path.home()),
            _("Learning packs ({patterns})").format(patterns="*.ujpack"))
        if path:
            self.submit_file(Path(path))

    def submit_file(self, path: Path) -> Task:
        """Send ``path`` for review, with progress, then show the submissions again."""
        profile = self.ctx.profile

        def work(library: Library, reporter: Reporter) -> Any:
            from app.sync import review

            return review.submit(library, path, reporter, profile=profile)

        def done(_result: Any) -> None:
            self.ctx.status_message.emit(_("Sent {name} for review").format(name=path.name))
            self.load_submissions()

        return self.ctx.start_task(_("Submitting {name}").format(name=path.name), work, done)

    # -- tasks ------------------------------------------------------------------------------

    def _render(self) -> None:
        clear_layout(self.rows)
        for task in reversed(self.ctx.tasks):
            self.rows.addWidget(TaskRow(task))
        self.empty.setVisible(not self.ctx.tasks)

    def retranslate(self) -> None:
        self.title.setText(_("Downloads"))
        self.catalog_heading.setText(_("From the hub"))
        self.review_button.setText(_("Review queue"))
        self.review_button.setAccessibleName(_("Review queue"))
        self.refresh_button.setText(_("Refresh"))
        self.refresh_button.setAccessibleName(_("Refresh the hub's catalog"))
        self.refresh_button.setToolTip(tip(_("Ask the hub for its latest catalog")))
        self.sign_in_state.set_texts(
            _("Sign in to a hub to download packs"),
            _("A hub is a catalog of reviewed packs that your organisation runs. Enter its "
              "address, your account and your password in Settings, under Hub account."),
            _("Open Settings"))
        self.search.setPlaceholderText(_("Search the catalog"))
        self.search.setAccessibleName(_("Search the catalog"))
        self.language.setAccessibleName(_("Filter by language"))
        self.skill.setAccessibleName(_("Filter by skill"))
        self.queue_heading.setText(_("Download queue"))
        self.submit_heading.setText(_("Your submissions"))
        self.submit_button.setText(_("Submit a pack…"))
        self.submit_button.setAccessibleName(_("Submit a pack file to the hub for review"))
        self._submit_help()
        self.tasks_heading.setText(_("Imports and tasks"))
        self.empty.set_texts(_("Nothing is running"),
                             _("Imports and downloads appear here with their progress."),
                             _("Import a pack"))
        self._render()
        self._render_account()
        self._fill_filters()
        self._render_queue()

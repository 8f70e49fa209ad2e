"""The review queue, for curators and admins: the pending submissions with pack id, version,
submitter, time, size, languages, licence and attribution; each can be opened (the pack is
fetched and imported into a private library in a scratch folder, and each resource opens in
a window of its own on that library, with the usual viewers); Approve, or Reject with a
reason the trainer sees."""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from app import formatting
from app.i18n import _, ngettext
from app.library import Library
from app.packs.manifest import localized
from app.tasks import Reporter
from app.ui import icons
from app.ui.context import AppContext
from app.ui.hub import ReviewCopy, hub_of, open_for_review
from app.ui.pages.base import Crumb, Page
from app.ui.widgets import EmptyState, button, clear_layout, content, label, say, scrolling


def _text_map(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


class SubmissionCard(QFrame):
    """One pending submission: what it is, and what the curator can do with it."""

    def __init__(self, page: ReviewPage, item: dict[str, Any]) -> None:
        super().__init__()
        self.page = page
        self.item = item
        self.submission_id = int(item["id"])
        self.setProperty("role", "card")
        languages = page.ctx.languages
        title = localized(_text_map(item.get("title")), languages) or str(item.get("pack_id"))
        self.title_text = title
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(6)
        self.title = content(label(title, "h3"))
        layout.addWidget(self.title)
        when = item.get("submitted_at")
        meta = [
            _("{id}, version {version}").format(id=item.get("pack_id", ""),
                                                version=item.get("version", "")),
            _("sent by {user}").format(user=item.get("submitter") or "?"),
            formatting.moment(str(when)) if when else "",
            formatting.size(int(item.get("size") or 0)),
            " · ".join(formatting.language_name(str(lang))
                       for lang in item.get("languages") or []),
        ]
        self.meta = label("  ·  ".join(part for part in meta if part), "small")
        layout.addWidget(self.meta)
        self.licence = label(_("Licence: {license}. {attribution}").format(
            license=item.get("license") or "?", attribution=item.get("attribution") or ""),
            "small")
        layout.addWidget(self.licence)

        actions = QHBoxLayout()
        actions.setSpacing(8)
        self.open_button = button(_("Open the pack"), None, "library", self.open)
        self.open_button.setAccessibleName(_("Open {title} to review it").format(title=title))
        self.approve_button = button(_("Approve"), "primary", "check", self.approve)
        self.approve_button.setAccessibleName(_("Approve {title}").format(title=title))
        actions.addWidget(self.open_button)
        actions.addStretch()
        actions.addWidget(self.approve_button)
        layout.addLayout(actions)
        reject_row = QHBoxLayout()
        reject_row.setSpacing(8)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(_("Why it is rejected (the trainer reads this)"))
        self.reason.setAccessibleName(_("Reason for rejecting {title}").format(title=title))
        self.reject_button = button(_("Reject"), "destructive", "close", self.reject)
        self.reject_button.setAccessibleName(_("Reject {title}").format(title=title))
        self.reject_button.setEnabled(False)
        self.reason.textChanged.connect(
            lambda text: self.reject_button.setEnabled(bool(text.strip())))
        self.reason.returnPressed.connect(self.reject)
        reject_row.addWidget(self.reason, 1)
        reject_row.addWidget(self.reject_button)
        layout.addLayout(reject_row)
        self.status = label("", "small")
        self.status.hide()
        layout.addWidget(self.status)
        self.resources_box = QWidget()
        self.resources = QVBoxLayout(self.resources_box)
        self.resources.setContentsMargins(0, 4, 0, 0)
        self.resources.setSpacing(4)
        self.resources_box.hide()
        layout.addWidget(self.resources_box)
        self.copy: ReviewCopy | None = None

    def _say(self, text: str, role: str = "small") -> None:
        say(self.status, text, role)

    def _busy(self, busy: bool) -> None:
        for widget in (self.open_button, self.approve_button, self.reason):
            widget.setEnabled(not busy)
        self.reject_button.setEnabled(not busy and bool(self.reason.text().strip()))

    def open(self) -> None:
        """Fetch the pack and list its resources, each openable."""
        ctx, submission_id = self.page.ctx, self.submission_id
        profile = ctx.profile
        scratch = self.page.hub.scratch()
        self._busy(True)
        self._say(_("Fetching the pack…"))

        def work(library: Library, reporter: Reporter) -> Any:
            return open_for_review(library, submission_id, scratch, reporter, profile)

        def failed(error: BaseException) -> None:
            self._busy(False)
            self._say(ctx.error_text(error), "error")

        ctx.start_task(_("Fetching {title} for review").format(title=self.title_text), work,
                       self.show_copy, failed)

    def show_copy(self, copy: ReviewCopy) -> None:
        self.copy = copy
        self._busy(False)
        self._say(ngettext("{count} resource; open each to check it.",
                           "{count} resources; open each to check it.",
                           len(copy.resources)).format(
            count=formatting.number(len(copy.resources))))
        clear_layout(self.resources)
        languages = self.page.ctx.languages
        for resource in copy.resources:
            row = QHBoxLayout()
            icon = label("", None, wrap=False)
            icon.setPixmap(icons.icon(str(resource["kind"])).pixmap(18, 18))
            name = localized(_text_map(resource["title"]), languages) or str(resource["id"])
            text = content(label(name, None))
            opener = button(_("Open"), "quiet", None,
                            partial(self.page.preview, copy, str(resource["id"])))
            opener.setAccessibleName(_("Open {title}").format(title=name))
            row.addWidget(icon)
            row.addWidget(text, 1)
            row.addWidget(opener)
            self.resources.addLayout(row)
        self.resources_box.show()

    def approve(self) -> None:
        profile = self.page.ctx.profile
        self._decide(lambda library: _review().approve(library, self.submission_id, profile),
                     _("Approved: it is in the catalog now."))

    def reject(self) -> None:
        reason = self.reason.text().strip()
        if not reason:
            self._say(_("Write the reason first: the trainer reads it."), "error")
            return
        profile = self.page.ctx.profile
        self._decide(lambda library: _review().reject(library, self.submission_id, reason,
                                                      profile),
                     _("Rejected; the trainer sees your reason."))

    def _decide(self, action: Any, said: str) -> None:
        self._busy(True)

        def done(_result: Any) -> None:
            self.page.decided(self, said)

        def failed(error: BaseException) -> None:
            self._busy(False)
            self._say(self.page.ctx.error_text(error), "error")

        self.page.ctx.run(lambda library, _r: action(library), done, failed)


def _review() -> Any:
    from app.sync import review

    return review


class ReviewPage(Page):
    name = "review"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.hub = hub_of(ctx)
        self.items: list[dict[str, Any]] = []
        self.cards: dict[int, SubmissionCard] = {}
        self.previews: list[QWidget] = []
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(0, 20, 0, 24)
        layout.setSpacing(12)
        head = QHBoxLayout()
        self.title = label("", "h1", wrap=False)
        self.count = label("", "muted", wrap=False)
        self.refresh_button = button("", "quiet", None, self._load)
        head.addWidget(self.title)
        head.addSpacing(8)
        head.addWidget(self.count, 0, Qt.AlignmentFlag.AlignBottom)
        head.addStretch()
        head.addWidget(self.refresh_button)
        layout.addLayout(head)
        self.help = label("", "muted")
        layout.addWidget(self.help)
        self.notice = label("", "small")
        self.notice.hide()
        layout.addWidget(self.notice)
        self.rows = QVBoxLayout()
        self.rows.setSpacing(10)
        layout.addLayout(self.rows)
        self.empty = EmptyState("check-circle")
        self.empty.hide()
        self.empty.action.clicked.connect(lambda: ctx.navigate("settings", section="hub"))
        layout.addWidget(self.empty)
        layout.addStretch()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scrolling(inner, 960))
        self.retranslate()

    def crumbs(self) -> list[Crumb]:
        return [(_("Downloads"), "downloads", {}), (_("Review queue"), None, {})]

    def activate(self, **args: Any) -> None:
        self.hub.load_account(self._load)

    def _load(self) -> None:
        info = self.hub.account
        if info is None or not info.may_review:
            self.items = []
            self._render(_("Only curators and administrators review submissions; sign in "
                           "with such an account in Settings."))
            self.loaded.emit()
            return

        profile = self.ctx.profile

        def work(library: Library, _r: Reporter) -> Any:
            return _review().submissions(library, "pending", profile)

        def done(items: Any) -> None:
            self.items = list(items)
            self._render("")
            self.loaded.emit()

        def failed(error: BaseException) -> None:
            self._render(self.ctx.error_text(error))
            self.loaded.emit()

        self.ctx.run(work, done, failed)

    def _render(self, problem: str) -> None:
        clear_layout(self.rows)
        self.cards = {}
        for item in self.items:
            card = SubmissionCard(self, item)
            self.cards[card.submission_id] = card
            self.rows.addWidget(card)
        self.notice.setText(problem)
        self.notice.setVisible(bool(problem))
        self._counts()

    def _counts(self) -> None:
        problem = self.notice.text()
        allowed = self.hub.account is not None and self.hub.account.may_review
        self.empty.setVisible(not self.items)
        if allowed:
            self.empty.set_texts(_("Nothing to review"),
                                 _("Packs that trainers submit appear here."))
        else:
            self.empty.set_texts(_("For curators"), problem, _("Open Settings"))
        self.count.setText(ngettext("{count} waiting", "{count} waiting", len(self.items))
                           .format(count=formatting.number(len(self.items)))
                           if self.items else "")

    def decided(self, card: SubmissionCard, said: str) -> None:
        self.items = [item for item in self.items if int(item["id"]) != card.submission_id]
        self.cards.pop(card.submission_id, None)
        self.rows.removeWidget(card)  # the other cards keep what the curator typed
        card.hide()
        card.deleteLater()
        self._counts()
        self.ctx.status_message.emit(said)
        self.hub.load_catalog(fetch=True)

    def preview(self, copy: ReviewCopy, resource_id: str) -> QWidget:
        """Open one resource of a review copy in a window on its private library."""
        from app.ui.context import AppContext as Context

        preview_ctx = Context(str(copy.home), None)
        preview_ctx.window_factory = self.ctx.window_factory
        for key in ("ui_language", "content_languages", "font_size", "theme"):
            preview_ctx.values[key] = self.ctx.values[key]
        preview_ctx.interactive = self.ctx.interactive
        preview_ctx.reload_packs()
        assert self.ctx.window_factory is not None  # the window sets it when it is made
        window = self.ctx.window_factory(preview_ctx, resource_id)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.setWindowTitle(_("Reviewing {id}").format(id=copy.pack_id))
        self.previews = [w for w in self.previews if w.isVisible()]
        self.previews.append(window)
        return window

    def retranslate(self) -> None:
        self.title.setText(_("Review queue"))
        self.refresh_button.setText(_("Refresh"))
        self.refresh_button.setAccessibleName(_("Refresh the review queue"))
        self.help.setText(_("Open a submission to check every resource, then approve it "
                            "into the catalog or reject it with a reason for the trainer."))
        if self.items or self.hub.account is not None:
            self._render(self.notice.text())

"""Parts of Settings' Hub account section: the sync state of the current profile with
"Sync now", and "Nearby hubs" (a bounded zeroconf browse in the background) to pick a hub's
address from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.i18n import _
from app.ui.context import AppContext
from app.ui.sync_state import state_lines, sync_of
from app.ui.widgets import button, clear_layout, label

#: How long a search for nearby hubs listens, in seconds.
BROWSE_SECONDS = 3.0


class SyncSection(QWidget):
    """The sync state in words (last sync, changes waiting, conflicts, the last error)."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.sync = sync_of(ctx)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.heading = label("", "h3")
        layout.addWidget(self.heading)
        self.lines = QVBoxLayout()
        self.lines.setSpacing(4)
        layout.addLayout(self.lines)
        row = QHBoxLayout()
        self.sync_button = button("", None, "sync", self.sync.sync)
        row.addWidget(self.sync_button)
        row.addStretch()
        layout.addLayout(row)
        self.line_labels: list[Any] = []
        self.sync.status_changed.connect(self.show_state)
        self.retranslate()

    def activate(self) -> None:
        self.sync.load_status()

    def show_state(self) -> None:
        clear_layout(self.lines)
        self.line_labels = []
        for text, role in state_lines(self.sync.status, self.sync.running):
            line = label(text, role, selectable=role == "error")
            self.lines.addWidget(line)
            self.line_labels.append(line)
        status = self.sync.status
        self.sync_button.setVisible(bool(status and status.url))
        self.sync_button.setEnabled(bool(status and status.signed_in) and not self.sync.running)

    def text(self) -> str:
        return "\n".join(line.text() for line in self.line_labels)

    def retranslate(self) -> None:
        self.heading.setText(_("Sync"))
        self.sync_button.setText(_("Sync now"))
        self.sync_button.setAccessibleName(_("Sync now"))
        self.show_state()


class NearbyHubs(QWidget):
    """Hubs found on the local network; choosing one puts its address in ``pick``."""

    def __init__(self, ctx: AppContext, pick: Callable[[str], None]) -> None:
        super().__init__()
        self.ctx = ctx
        self.pick = pick
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        row = QHBoxLayout()
        self.heading = label("", "h3", wrap=False)
        self.find_button = button("", "quiet", "search", self.browse)
        row.addWidget(self.heading)
        row.addStretch()
        row.addWidget(self.find_button)
        layout.addLayout(row)
        self.state = label("", "small")
        layout.addWidget(self.state)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.itemActivated.connect(self._chosen)
        self.list.itemClicked.connect(self._chosen)
        self.list.hide()
        layout.addWidget(self.list)
        self.hubs: list[Any] | None = None
        self.browsing = False
        self.retranslate()

    def browse(self) -> None:
        if self.browsing:
            return
        self.browsing = True
        self.find_button.setEnabled(False)
        self.state.setText(_("Looking for hubs on this network…"))

        def work(_reporter: Any) -> Any:
            from app.sync.nearby import browse

            return browse(BROWSE_SECONDS)

        def done(hubs: Any) -> None:
            self.browsing = False
            self.find_button.setEnabled(True)
            self.hubs = list(hubs)
            self._render()

        def failed(error: BaseException) -> None:
            self.browsing = False
            self.find_button.setEnabled(True)
            self.hubs = None
            self.state.setText(_("Hubs nearby cannot be looked for: {error}").format(
                error=self.ctx.error_text(error)))

        self.ctx.runner.run(work, done, failed)

    def _render(self) -> None:
        self.list.clear()
        hubs = self.hubs or []
        for hub in hubs:
            item = QListWidgetItem(f"{hub.name} — {hub.url}")
            item.setData(Qt.ItemDataRole.UserRole, hub.url)
            if hub.fingerprint:
                item.setToolTip(_("The hub's key: {fingerprint}").format(
                    fingerprint=hub.fingerprint))
            self.list.addItem(item)
        self.list.setVisible(bool(hubs))
        if self.hubs is None:
            self.state.setText(_("Look for hubs that a trainer runs on this network."))
        elif not hubs:
            self.state.setText(_("No hub answered on this network. Ask the trainer for the "
                                 "hub's address, or look again."))
        else:
            self.state.setText(_("Choose a hub to use its address:"))
        rows = min(5, max(1, len(hubs)))
        self.list.setFixedHeight(rows * (self.list.sizeHintForRow(0) + 2) + 8)

    def _chosen(self, item: QListWidgetItem) -> None:
        url = item.data(Qt.ItemDataRole.UserRole)
        if url:
            self.pick(str(url))

    def retranslate(self) -> None:
        self.heading.setText(_("Nearby hubs"))
        self.find_button.setText(_("Look for hubs"))
        self.find_button.setAccessibleName(_("Look for hubs on this network"))
        self.list.setAccessibleName(_("Nearby hubs"))
        self._render()

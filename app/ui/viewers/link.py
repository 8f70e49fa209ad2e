"""Links to the web, and kinds this computer cannot show: what the resource is, and a way
to open it that asks first."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QVBoxLayout

from app.i18n import _
from app.packs.manifest import localized
from app.ui.context import AppContext
from app.ui.viewers.base import Viewer
from app.ui.widgets import button, content, label


class LinkViewer(Viewer):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        layout = QVBoxLayout(self)
        layout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.setSpacing(12)
        self.description = content(label("", None))
        self.description.setMaximumWidth(640)
        self.url = content(label("", "muted", selectable=True))
        self.open_button = button("", "primary", "external", self._open)
        self.note = label("", "small")
        layout.addWidget(self.description)
        layout.addWidget(self.url)
        layout.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.note)
        self.retranslate()

    def retranslate(self) -> None:
        self.open_button.setText(_("Open in your web browser"))
        self.note.setText(_("This resource is on the web: it needs an internet connection."))

    def load(self, resource: dict[str, Any], position: float, at: float | None = None) -> None:
        self.resource = resource
        self.description.setText(localized(resource.get("description") or {},
                                           self.ctx.languages))
        self.url.setText(resource.get("url") or "")
        self.open_button.setEnabled(bool(resource.get("url")))
        self.loaded.emit()

    def _open(self) -> None:
        url = self.resource.get("url") or ""
        answer = QMessageBox.question(
            self, _("Open in your web browser?"),
            _("This link leads outside Ujuzi, to {url}. Opening it needs an internet "
              "connection and may cost data. Open it in your web browser?").format(url=url),
            QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer == QMessageBox.StandardButton.Open:
            QDesktopServices.openUrl(QUrl(url))
            self.completed.emit()

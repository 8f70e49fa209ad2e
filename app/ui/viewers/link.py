"""Links to the web, and kinds this computer cannot show: what the resource is, and a way
to open it that asks first."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QVBoxLayout

from app.articles import EXTERNAL_SCHEMES
from app.i18n import _
from app.packs.manifest import localized
from app.ui import dialogs
from app.ui.context import AppContext
from app.ui.viewers.base import Viewer
from app.ui.widgets import button, content, label


def openable(url: str) -> bool:
    """Whether a link may be handed to the web browser or mail program: http and https
    with a host, or mailto. Anything else (``file:``, ``javascript:``, other programs'
    schemes, a bare path) could open a local file or run something."""
    parsed = QUrl(url)
    scheme = parsed.scheme().lower()
    if not parsed.isValid() or scheme not in EXTERNAL_SCHEMES:
        return False
    return scheme == "mailto" or bool(parsed.host())


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
        url = self.resource.get("url") or ""
        if url and not openable(url):
            self.note.setText(_("This link cannot be opened: Ujuzi opens only web links "
                                "(http, https) and e-mail addresses (mailto)."))
        else:
            self.note.setText(_("This resource is on the web: it needs an internet "
                                "connection."))

    def load(self, resource: dict[str, Any], position: float, at: float | None = None) -> None:
        self.resource = resource
        self.description.setText(localized(resource.get("description") or {},
                                           self.ctx.languages))
        url = resource.get("url") or ""
        self.url.setText(url)
        self.open_button.setEnabled(openable(url))
        self.retranslate()
        self.loaded.emit()

    def _open(self) -> None:
        url = self.resource.get("url") or ""
        if not openable(url):
            return
        if dialogs.open_outside(self, QUrl(url), url):
            self.completed.emit()

"""Interactive resources (SCORM SCOs, H5P): run by the core's loopback server
(:mod:`app.interactive.server`) and shown in a sandboxed web view.

The web view is Qt WebEngine, an optional component (``pip install ujuzi[web]``). Its
profile keeps nothing on disk, and a request interceptor lets through only the session's own
loopback address (and ``data:``/``blob:`` URLs), on top of the Content-Security-Policy that
the server sends: the content cannot reach the network. Where Qt WebEngine is not installed,
the viewer offers to open the same loopback address in the system's browser, where the
server's policy still keeps the content offline.

Completion and scores are recorded by the server as the content reports them; the viewer
passes the news on (``completed``, and the context's ``progress_changed``).
"""

from __future__ import annotations

import webbrowser
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from app.i18n import _
from app.interactive.server import InteractiveServer
from app.library import Library
from app.tasks import Reporter
from app.ui.context import AppContext
from app.ui.viewers.base import Viewer
from app.ui.widgets import button, label


def web_engine_available() -> bool:
    try:
        import PySide6.QtWebEngineWidgets  # noqa: F401
    except ImportError:
        return False
    return True


def _web_view(parent: QWidget, allowed_port: int) -> Any:
    """A QWebEngineView whose page may only load from ``127.0.0.1:allowed_port``."""
    from PySide6.QtWebEngineCore import (
        QWebEnginePage,
        QWebEngineProfile,
        QWebEngineSettings,
        QWebEngineUrlRequestInfo,
        QWebEngineUrlRequestInterceptor,
    )
    from PySide6.QtWebEngineWidgets import QWebEngineView

    class LoopbackOnly(QWebEngineUrlRequestInterceptor):
        def __init__(self, port: int, owner: QWidget) -> None:
            super().__init__(owner)
            self.port = port

        def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
            url = info.requestUrl()
            local = url.scheme() == "http" and url.host() == "127.0.0.1" and (
                url.port() == self.port)
            if not (local or url.scheme() in ("data", "blob", "about")):
                info.block(True)

    profile = QWebEngineProfile(parent)  # no storage name: off the record
    profile.setUrlRequestInterceptor(LoopbackOnly(allowed_port, parent))
    settings = profile.settings()
    settings.setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls, False)
    settings.setAttribute(QWebEngineSettings.WebAttribute.PluginsEnabled, False)
    settings.setAttribute(QWebEngineSettings.WebAttribute.JavascriptCanOpenWindows, False)
    view = QWebEngineView(parent)
    page = QWebEnginePage(profile, view)
    view.setPage(page)
    return view


class InteractiveViewer(Viewer):
    #: the server recorded something: complete, score (from the server's thread)
    _recorded = Signal(bool, object)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.server: InteractiveServer | None = None
        self.web: Any = None
        self.stack = QStackedWidget()
        self.fallback = QWidget()
        column = QVBoxLayout(self.fallback)
        column.addStretch()
        self.message = label("", None)
        self.open_button = button("", "primary", "external", self._open_in_browser)
        column.addWidget(self.message)
        column.addWidget(self.open_button)
        column.addStretch()
        self.stack.addWidget(self.fallback)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self._recorded.connect(self._on_recorded)
        self.retranslate()

    def retranslate(self) -> None:
        self.open_button.setText(_("Open in your web browser"))
        if self.server is None:
            self.message.setText(_("Starting…"))
        elif self.web is None:
            self.message.setText(_(
                "This interactive content needs the web view, which is not installed "
                "(pip install ujuzi[web]). It can open in your web browser instead; it stays "
                "on this computer and needs no connection."))

    def load(self, resource: dict[str, Any], position: float, at: float | None = None) -> None:
        self.stop()
        self.resource = resource
        home, profile = self.ctx.home, self.ctx.profile
        resource_id = str(resource["id"])

        def work(library: Library, reporter: Reporter) -> InteractiveServer:
            return InteractiveServer(home, resource_id, profile, on_record=self._recorded.emit)

        self.ctx.run(work, self._started)

    def _started(self, server: InteractiveServer) -> None:
        self.server = server
        url = server.start()
        if web_engine_available():
            if self.web is not None:
                self.stack.removeWidget(self.web)
                self.web.deleteLater()
            self.web = _web_view(self, server.port)
            self.web.loadFinished.connect(lambda _ok: self.loaded.emit())
            self.stack.addWidget(self.web)
            self.stack.setCurrentWidget(self.web)
            self.web.load(QUrl(url))
        else:
            self.stack.setCurrentWidget(self.fallback)
            self.retranslate()
            self.loaded.emit()

    def _open_in_browser(self) -> None:
        if self.server is not None:
            webbrowser.open(self.server.url)

    def _on_recorded(self, complete: bool, score: object) -> None:
        if complete:
            self.completed.emit()
        resource_id = self.resource.get("id")
        if resource_id:
            self.ctx.progress_changed.emit(str(resource_id))

    def stop(self) -> None:
        if self.web is not None:
            self.web.setUrl(QUrl("about:blank"))
        if self.server is not None:
            self.server.stop()
            self.server = None

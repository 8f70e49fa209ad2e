"""Interactive resources (SCORM SCOs, H5P): run by the core's loopback server
(:mod:`app.interactive.server`) and shown in a sandboxed web view.

The web view is Qt WebEngine, an optional component (``pip install ujuzi[web]``, or the full
bundle), made by
:mod:`app.ui.viewers.interactive_web`: its profile keeps nothing on disk, its request filter
lets through only the session's own loopback origin, its page refuses navigations that leave
it and new windows, and Chromium runs with WebRTC kept off UDP; all on top of the content
security policy that the server sends. Where Qt WebEngine is not installed, the viewer offers
to open the activity in the system's browser, through a one-time address that does not carry
the session's token (:meth:`InteractiveServer.browser_url`); there the server's policy keeps
the content's loads, connections and forms on its session.

Completion and scores are recorded by the server as the content reports them; the viewer
passes the news on (``completed``, and the context's ``progress_changed``).
"""

from __future__ import annotations

import webbrowser
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from app import components
from app.i18n import _
from app.interactive.server import InteractiveServer
from app.library import Library
from app.paths import is_frozen
from app.tasks import Reporter
from app.ui.context import AppContext
from app.ui.viewers.base import Viewer
from app.ui.web_engine import web_engine_available
from app.ui.widgets import button, label


def no_web_view_message() -> str:
    """What the viewer says where there is no web view: a bundle says which bundle has one,
    a pip install how to add it."""
    if is_frozen():
        if components.variant() == "full":  # carries Qt WebEngine, which could not start
            return _("The web view cannot start on this computer. This interactive content "
                     "can open in your web browser instead; it stays on this computer and "
                     "needs no connection.")
        return _("This Ujuzi bundle has no web view: this interactive content opens in your "
                 "web browser instead, stays on this computer and needs no connection. The "
                 "full bundle (ujuzi-full) shows it inside the window.")
    return _("This interactive content needs the web view, which is not installed "
             "(pip install ujuzi[web]). It can open in your web browser instead; it stays "
             "on this computer and needs no connection.")


class InteractiveViewer(Viewer):
    #: the server recorded something: complete, score (from the server's thread)
    _recorded = Signal(bool, object)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.server: InteractiveServer | None = None
        #: counts loads and stops: a server that starts after its viewer moved on is stopped
        self._session = 0
        #: the sandboxed web view (interactive_web.SandboxView), made once, on first use
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
            self.message.setText(no_web_view_message())

    def load(self, resource: dict[str, Any], position: float, at: float | None = None) -> None:
        self.stop()
        self.resource = resource
        profile = self.ctx.profile
        resource_id = str(resource["id"])

        def work(library: Library, reporter: Reporter) -> InteractiveServer:
            server = InteractiveServer(library, resource_id, profile,
                                       on_record=self._recorded.emit)
            try:
                server.start()
            except BaseException:
                server.stop()
                raise
            return server

        self._session += 1
        session = self._session
        self.fetch(work, lambda server: self._started(server, session))

    def _started(self, server: InteractiveServer, session: int) -> None:
        if session != self._session:  # left (or another resource opened) while it started
            server.stop()
            return
        self.server = server
        url = server.url
        if web_engine_available():
            if self.web is None:
                from app.ui.viewers.interactive_web import SandboxView

                self.web = SandboxView(self)
                self.web.session_loaded.connect(self.loaded.emit)
                self.stack.addWidget(self.web)
            self.stack.setCurrentWidget(self.web)
            self.web.open_session(url, server.port)
        else:
            self.stack.setCurrentWidget(self.fallback)
            self.retranslate()
            self.loaded.emit()

    def _open_in_browser(self) -> None:
        if self.server is not None:
            webbrowser.open(self.server.browser_url())

    def _on_recorded(self, complete: bool, score: object) -> None:
        if complete:
            self.completed.emit()
        resource_id = self.resource.get("id")
        if resource_id:
            self.ctx.progress_changed.emit(str(resource_id))

    def stop(self) -> None:
        self._session += 1
        server, self.server = self.server, None
        if self.web is not None:
            # The content's last report (SCORM's Terminate on unload) goes to the server as
            # the page unloads: the server stops once the page has gone.
            self.web.close_session(server.stop if server is not None else None)
        elif server is not None:
            server.stop()

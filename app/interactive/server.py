"""The runtime of interactive resources: a loopback HTTP server for one resource at a time.

SCORM and H5P content is web content that expects a web server and, for SCORM, an API
object in the page around it. :class:`InteractiveServer` provides both without Qt, so the
window's sandboxed web view and, where the web engine is not installed, the system browser
can show the same thing:

- it listens on ``127.0.0.1`` on a random port, and every path starts with a random
  per-session token (other local programs cannot guess it); requests whose ``Host`` is not
  this address are refused (no DNS rebinding);
- the system browser never sees the token: :meth:`InteractiveServer.browser_url` gives a
  one-time ``/launch/<code>`` address (a browser's command line is readable by other local
  users) that the server forgets on first use; it answers with the token in an ``HttpOnly``,
  ``SameSite=Strict`` cookie scoped to a per-session path, and a redirect to that path;
- it serves the pack's files from the blob store (nothing is unpacked), the bundled H5P
  player, and a launch page that wraps the content (see :mod:`app.interactive.scripts`);
- every response carries the content security policy :data:`CSP`: scripts, styles, images,
  media, fonts, frames, connections (fetch, WebSocket, EventSource) and form submissions stay
  on the session's own origin, no ``<base>``, no plugins, and no framing by other origins;
  navigating the top frame and WebRTC are not covered by a policy, so the window's web view
  refuses those itself (:mod:`app.ui.viewers.interactive_web`);
- no value from a manifest reaches a header unchecked (:func:`safe_mime`), and a malformed
  request (a bad ``Content-Length``, a NUL in the path, a report of the wrong shape) gets a
  4xx answer;
- the content's reports (SCORM commits, H5P xAPI statements) arrive as JSON ``POST``
  requests and are recorded: completion (SCORM 1.2 ``cmi.core.lesson_status`` completed or
  passed; SCORM 2004 ``cmi.completion_status`` completed or ``cmi.success_status`` passed;
  xAPI ``result.completion``/``success``) marks the resource complete in progress; a score
  at the end of a session is stored as an attempt (``quiz_attempts``, score 0–1); where
  the learner stopped (location, suspend data) is kept in ``interactive_state`` so the
  next launch resumes there.
"""

from __future__ import annotations

import hmac
import json
import mimetypes
import re
import secrets
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from app.errors import NotFoundError, UjuziError
from app.i18n import _
from app.interactive import Launch, parse_launch
from app.interactive.scripts import h5p_page, scorm_page
from app.learning import store_attempt
from app.library import Library
from app.packs.manifest import localized
from app.paths import h5p_player_dir
from app.store.records import write_record

#: Sent with every response. Inline scripts and ``eval`` stay allowed: the launch pages are
#: inline, and SCORM and H5P content is commonly written that way.
CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "frame-src 'self'",
    "object-src 'none'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'self'",
))
#: Browser features no activity needs, off in the system browser too.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), display-capture=()"
MAX_POST_BYTES = 1024 * 1024
#: How often the serving thread looks whether it should stop, in seconds: :meth:`stop` (called
#: on the window's thread when the learner leaves an activity) waits up to this long.
POLL_SECONDS = 0.05
#: Launch codes handed out and not used yet, at most (the oldest is forgotten first).
MAX_LAUNCH_CODES = 16
#: The cookie that carries the session token in the system browser.
COOKIE = "ujuzi-session"

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_QUOTED = r'"[ !#-\[\]-~]*"'  # printable ASCII but the quote and the backslash
_MIME = re.compile(rf"{_TOKEN}/{_TOKEN}(?:[ \t]*;[ \t]*{_TOKEN}=(?:{_TOKEN}|{_QUOTED}))*")
_DIGITS = re.compile(r"[0-9]{1,12}")


def safe_mime(mime: str) -> str:
    """``mime`` when it is a well-formed media type (``type/subtype`` and ``; name=value``
    parameters, ASCII tokens only), else ``application/octet-stream``: a value from a
    manifest never reaches a header with a line break or anything else in it."""
    return mime if _MIME.fullmatch(mime) else "application/octet-stream"
MAX_STATE_BYTES = 256 * 1024

_SCORM12_STATE = ("cmi.core.lesson_location", "cmi.suspend_data", "cmi.core.lesson_status",
                  "cmi.core.score.raw", "cmi.core.score.min", "cmi.core.score.max")
_SCORM2004_STATE = ("cmi.location", "cmi.suspend_data", "cmi.completion_status",
                    "cmi.success_status", "cmi.score.raw", "cmi.score.min", "cmi.score.max",
                    "cmi.score.scaled", "cmi.progress_measure")


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number else None


def scorm_outcome(version: str, data: dict[str, Any]) -> tuple[bool, float | None, bool | None]:
    """(complete, score from 0 to 1 or None, passed or None) from SCORM run-time data."""
    if version == "2004":
        completion = str(data.get("cmi.completion_status", "")).lower()
        success = str(data.get("cmi.success_status", "")).lower()
        complete = completion == "completed" or success == "passed"
        passed = {"passed": True, "failed": False}.get(success)
        scaled = _number(data.get("cmi.score.scaled"))
        raw = _number(data.get("cmi.score.raw"))
        high = _number(data.get("cmi.score.max"))
        low = _number(data.get("cmi.score.min")) or 0.0
    else:
        status = str(data.get("cmi.core.lesson_status", "")).lower()
        complete = status in ("completed", "passed")
        passed = {"passed": True, "failed": False}.get(status)
        scaled = None
        raw = _number(data.get("cmi.core.score.raw"))
        high = _number(data.get("cmi.core.score.max"))
        low = _number(data.get("cmi.core.score.min")) or 0.0
    score = scaled
    if score is None and raw is not None:
        if high is not None and high > low:
            score = (raw - low) / (high - low)
        elif 0 <= raw <= 100:
            score = raw / 100
    if score is not None:
        score = min(1.0, max(0.0, score))
    return complete, score, passed


def _member(parent: dict[str, Any], key: str) -> dict[str, Any]:
    """``parent[key]`` when it is an object, ``{}`` when it is missing or null; ValueError for
    anything else (the statement is malformed)."""
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"{key} is not an object")
    return value


def xapi_verb(statement: dict[str, Any]) -> str:
    verb = _member(statement, "verb").get("id", "")
    if not isinstance(verb, str):
        raise ValueError("verb.id is not a string")
    return verb


def xapi_outcome(statement: dict[str, Any]) -> tuple[bool, float | None, bool | None] | None:
    """(complete, score, passed) from an H5P xAPI statement about the whole content; None for
    statements about a part of it or without a result. ValueError for a statement whose
    parts are not of the shape xAPI gives them (an ``object`` or ``score`` that is not an
    object...)."""
    extensions = _member(_member(_member(statement, "object"), "definition"), "extensions")
    xapi_verb(statement)
    if any(str(key).endswith("h5p-subContentId") for key in extensions):
        return None
    if statement.get("result") is None:
        return None
    result = _member(statement, "result")
    score_data = _member(result, "score")
    score = _number(score_data.get("scaled"))
    if score is None:
        raw, high = _number(score_data.get("raw")), _number(score_data.get("max"))
        if raw is not None and high:
            score = raw / high
    passed = result.get("success") if isinstance(result.get("success"), bool) else None
    complete = bool(result.get("completion")) or passed is True
    if score is not None:
        score = min(1.0, max(0.0, score))
    return complete, score, passed


class _Session:
    """What one server serves: one resource of one pack, for one profile."""

    def __init__(self, library: Library | str | Path | None, resource_id: str,
                 profile: str | None,
                 on_record: Callable[[bool, float | None], None] | None = None) -> None:
        self.on_record = on_record
        self.resource_id = resource_id
        self.profile = profile
        self.lock = threading.Lock()
        if isinstance(library, Library):
            self.home: str | Path | None = library.layout.home
            self._read(library)
        else:
            self.home = library
            with Library(library) as opened:
                self._read(opened)

    def _read(self, library: Library) -> None:
        resource = library.resource(self.resource_id, self.profile)
        launch = parse_launch(resource.get("url"))
        if resource["kind"] != "interactive" or launch is None:
            raise UjuziError(
                _("{id} is not an interactive resource.").format(id=self.resource_id))
        self.launch: Launch = launch
        self.pack_id: str = resource["pack_id"]
        self.lang: str = resource.get("lang") or "en"
        languages = [str(x) for x in library.settings.get("content_languages")]
        self.title = localized(resource["title"], languages) or self.resource_id
        self.files: dict[str, tuple[Path, str]] = {
            entry["path"]: (Path(entry["blob"]), entry["mime"])
            for entry in library.pack_files(self.pack_id)
        }
        profile_id = library.profile_id(self.profile)
        self.learner_id = profile_id
        row = library.db.execute(
            "SELECT name FROM profiles WHERE id = ?", (profile_id,)).fetchone()
        self.learner_name = row[0] if row else ""
        saved = library.db.execute(
            "SELECT data FROM interactive_state WHERE profile_id = ? AND resource_id = ?",
            (profile_id, self.resource_id),
        ).fetchone()
        self.saved: dict[str, Any] = json.loads(saved[0]) if saved else {}

    # -- SCORM -----------------------------------------------------------------------------

    def scorm_state(self) -> dict[str, Any]:
        """The run-time data a SCO starts with: defaults, the learner, and where they left."""
        version = "2004" if self.launch.runtime == "scorm-2004" else "1.2"
        saved = self.saved.get("data", {}) if self.saved.get("version") == version else {}
        resume = bool(saved.get("cmi.suspend_data") or saved.get("cmi.core.lesson_location")
                      or saved.get("cmi.location"))
        if version == "2004":
            data = {
                "cmi._version": "1.0", "cmi.completion_status": "unknown",
                "cmi.success_status": "unknown", "cmi.mode": "normal", "cmi.credit": "credit",
                "cmi.entry": "resume" if resume else "ab-initio",
                "cmi.learner_id": self.learner_id, "cmi.learner_name": self.learner_name,
                "cmi.total_time": "PT0S", "cmi.location": "", "cmi.suspend_data": "",
                "cmi.launch_data": "",
            }
        else:
            data = {
                "cmi.core._children": "student_id,student_name,lesson_location,credit,"
                                      "lesson_status,entry,score,total_time,lesson_mode,"
                                      "exit,session_time",
                "cmi.core.student_id": self.learner_id,
                "cmi.core.student_name": self.learner_name,
                "cmi.core.lesson_location": "", "cmi.core.credit": "credit",
                "cmi.core.lesson_status": "not attempted",
                "cmi.core.entry": "resume" if resume else "ab-initio",
                "cmi.core.total_time": "0000:00:00.00", "cmi.core.lesson_mode": "normal",
                "cmi.core.score._children": "raw,min,max", "cmi.core.score.raw": "",
                "cmi.suspend_data": "", "cmi.launch_data": "",
            }
        data.update({k: str(v) for k, v in saved.items() if isinstance(v, str | int | float)})
        return {"version": version, "data": data}

    def commit(self, payload: dict[str, Any]) -> None:
        version = "2004" if str(payload.get("version")) == "2004" else "1.2"
        data = payload.get("data")
        if not isinstance(data, dict):
            raise ValueError("data")
        data = {str(k): str(v)[:65536] for k, v in data.items()}
        complete, score, passed = scorm_outcome(version, data)
        keep = _SCORM2004_STATE if version == "2004" else _SCORM12_STATE
        kept = {k: data[k] for k in keep if k in data}
        self._record(complete, score if payload.get("finished") else None, passed,
                     {"runtime": self.launch.runtime, **kept}, {"version": version, "data": kept})

    # -- H5P --------------------------------------------------------------------------------

    def xapi(self, statement: dict[str, Any]) -> None:
        outcome = xapi_outcome(statement)
        if outcome is None:
            return
        complete, score, passed = outcome
        verb = xapi_verb(statement)
        self._record(complete, score, passed, {"runtime": "h5p", "verb": verb}, None)

    # -- recording ----------------------------------------------------------------------------

    def _record(self, complete: bool, score: float | None, passed: bool | None,
                details: dict[str, Any], state: dict[str, Any] | None) -> None:
        with self.lock, Library(self.home) as library:
            profile_id = library.profile_id(self.profile)
            if state is not None:
                text = json.dumps(state, ensure_ascii=False)
                if len(text) <= MAX_STATE_BYTES:
                    self.saved = state
                    write_record(library.db, "interactive_state",
                                 {"profile_id": profile_id, "resource_id": self.resource_id},
                                 {"data": text})
            if score is not None:
                record_attempt(library, self.resource_id, profile_id, score,
                               passed if passed is not None else complete, details)
            if complete:
                library.record_progress(self.resource_id, self.profile, complete=True)
        if self.on_record is not None and (complete or score is not None):
            self.on_record(complete, score)


def record_attempt(library: Library, resource_id: str, profile_id: str, score: float,
                   passed: bool, details: dict[str, Any]) -> None:
    """Store an interactive resource's score like a quiz attempt (score from 0 to 1)."""
    store_attempt(library, resource_id, profile_id, score=score, correct=0, total=0,
                  passed=passed, answers=details)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Requests are not logged: the content's own requests are no one's business."""

    def _headers(self, status: int, mime: str, length: int,
                 extra: tuple[tuple[str, str], ...] = ()) -> None:
        self.send_response(status)
        self.send_header("Content-Type", safe_mime(mime))
        self.send_header("Content-Length", str(length))
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("Permissions-Policy", PERMISSIONS_POLICY)
        self.send_header("Cross-Origin-Opener-Policy", "same-origin")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")
        for name, value in extra:
            self.send_header(name, value)
        if status >= 400:
            # What is left of a refused request (its body) is not read: end the connection.
            self.close_connection = True
            self.send_header("Connection", "close")
        self.end_headers()

    def _send(self, status: int, body: bytes, mime: str = "text/plain; charset=utf-8",
              extra: tuple[tuple[str, str], ...] = ()) -> None:
        self._headers(status, mime, len(body), extra)
        if self.command != "HEAD":
            self.wfile.write(body)

    def _route(self) -> tuple[str, str] | None:
        """(the path prefix the request came under, the path after it); None when the request
        was answered already: refused, or a launch code."""
        host = self.headers.get("Host", "")
        if host not in (f"127.0.0.1:{self.server.port}", f"localhost:{self.server.port}"):
            self._send(HTTPStatus.FORBIDDEN, b"forbidden")
            return None
        path = unquote(urlsplit(self.path).path)
        if any(ord(c) < 32 or ord(c) == 127 for c in path):
            self._send(HTTPStatus.BAD_REQUEST, b"bad request")
            return None
        for prefix in (f"/{self.server.token}/", self.server.cookie_path):
            if path.startswith(prefix):
                if prefix == self.server.cookie_path and not self._cookie_matches():
                    self._send(HTTPStatus.FORBIDDEN, b"forbidden")
                    return None
                return prefix, path[len(prefix):]
        if path.startswith("/launch/") and self.command in ("GET", "HEAD"):
            self._launch(path[len("/launch/"):])
            return None
        self._send(HTTPStatus.NOT_FOUND, b"not found")
        return None

    def _cookie_matches(self) -> bool:
        cookies: SimpleCookie = SimpleCookie()
        try:
            cookies.load(self.headers.get("Cookie", ""))
        except CookieError:
            return False
        morsel = cookies.get(COOKIE)
        return morsel is not None and hmac.compare_digest(
            morsel.value.encode("utf-8", "replace"), self.server.token.encode("ascii"))

    def _launch(self, code: str) -> None:
        """A one-time launch code: the token goes into a cookie for the session's path and
        the browser is sent there; the code is forgotten."""
        if not self.server.use_launch_code(code):
            self._send(HTTPStatus.NOT_FOUND, _(
                "This address has been used already. Open the activity again from Ujuzi."
            ).encode("utf-8"))
            return
        path = self.server.cookie_path
        cookie = f"{COOKIE}={self.server.token}; Path={path}; HttpOnly; SameSite=Strict"
        self._send(HTTPStatus.SEE_OTHER, b"", extra=(("Location", path), ("Set-Cookie", cookie)))

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        routed = self._route()
        if routed is None:
            return
        base, route = routed
        session = self.server.session
        if route == "":
            launch = session.launch
            if launch.runtime == "h5p":
                page = h5p_page(base, session.title, session.lang, base + "pack/" + launch.path)
            else:
                src = base + "pack/" + launch.path + (f"?{launch.query}" if launch.query else "")
                page = scorm_page(base, session.title, session.lang, src, session.scorm_state())
            self._send(HTTPStatus.OK, page.encode("utf-8"), "text/html; charset=utf-8")
        elif route == "api/state":
            body = json.dumps(session.scorm_state()).encode("utf-8")
            self._send(HTTPStatus.OK, body, "application/json")
        elif route.startswith("pack/"):
            found = session.files.get(route[len("pack/"):])
            if found is None:
                self._send(HTTPStatus.NOT_FOUND, b"not found")
                return
            blob, mime = found
            self._file(blob, mime)
        elif route.startswith("_player/"):
            root = h5p_player_dir().resolve()
            target = (root / route[len("_player/"):]).resolve()
            if not target.is_relative_to(root) or not target.is_file():
                self._send(HTTPStatus.NOT_FOUND, b"not found")
                return
            self._file(target, mimetypes.guess_type(target.name)[0]
                       or "application/octet-stream")
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found")

    def _file(self, path: Path, mime: str) -> None:
        mime = safe_mime(mime)
        if mime.startswith("text/") and "charset" not in mime and mime != "text/html":
            mime += "; charset=utf-8"
        try:
            size = path.stat().st_size
            with open(path, "rb") as stream:
                self._headers(HTTPStatus.OK, mime, size)
                if self.command != "HEAD":
                    while block := stream.read(256 * 1024):
                        self.wfile.write(block)
        except FileNotFoundError:
            self._send(HTTPStatus.NOT_FOUND, b"not found")

    def _body_length(self) -> int | None:
        """The request's Content-Length, or None when the request was answered: missing,
        not a number, zero or over the limit."""
        raw = self.headers.get("Content-Length")
        if raw is None:
            self._send(HTTPStatus.LENGTH_REQUIRED, b"length required")
            return None
        if not _DIGITS.fullmatch(raw.strip()) or int(raw) == 0:
            self._send(HTTPStatus.BAD_REQUEST, b"bad request")
            return None
        if int(raw) > MAX_POST_BYTES:
            self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, b"too large")
            return None
        return int(raw)

    def do_POST(self) -> None:
        routed = self._route()
        if routed is None:
            return
        _base, route = routed
        length = self._body_length()
        if length is None:
            return
        try:
            payload = json.loads(self.rfile.read(length).decode("utf-8"))
            if not isinstance(payload, dict):
                raise ValueError("not an object")
            if route == "api/commit":
                self.server.session.commit(payload)
            elif route == "api/xapi":
                self.server.session.xapi(payload)
            else:
                self._send(HTTPStatus.NOT_FOUND, b"not found")
                return
        except (ValueError, UnicodeDecodeError):
            self._send(HTTPStatus.BAD_REQUEST, b"bad request")
            return
        except (UjuziError, NotFoundError) as exc:
            self._send(HTTPStatus.CONFLICT, str(exc).encode("utf-8"))
            return
        self._send(HTTPStatus.OK, b'{"ok": true}', "application/json")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, session: _Session) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.session = session
        self.token = secrets.token_urlsafe(24)
        #: where the system browser finds the content, with the token in a cookie
        self.cookie_path = f"/s/{secrets.token_urlsafe(9)}/"
        self.port: int = int(self.server_address[1])
        self._codes: OrderedDict[str, None] = OrderedDict()
        self._codes_lock = threading.Lock()

    def new_launch_code(self) -> str:
        code = secrets.token_urlsafe(24)
        with self._codes_lock:
            self._codes[code] = None
            while len(self._codes) > MAX_LAUNCH_CODES:
                self._codes.popitem(last=False)
        return code

    def use_launch_code(self, code: str) -> bool:
        """True the first time a code handed out is used; False ever after."""
        with self._codes_lock:
            return self._codes.pop(code, False) is None

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-answer is not an error worth a traceback."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class InteractiveServer:
    """Runs one interactive resource on a loopback address until :meth:`stop`.

    >>> server = InteractiveServer(home, "scorm.golf/playing")  # doctest: +SKIP
    >>> url = server.start()  # show it in the web view, or webbrowser.open(server.browser_url())
    """

    def __init__(self, library: Library | str | Path | None, resource_id: str,
                 profile: str | None = None,
                 on_record: Callable[[bool, float | None], None] | None = None) -> None:
        """``library`` is an open library, read on this thread to set the session up, or a
        data directory (``None``: the default one) opened for it. Reports arrive on the
        server's threads, which record them through libraries of their own on the same data
        directory. ``on_record(complete, score)`` is called (from a server thread) whenever
        the content's report completed the resource or gave a score."""
        self._server = _Server(_Session(library, resource_id, profile, on_record))
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def url(self) -> str:
        """The session's address, token included: for the window's own web view only."""
        return f"http://127.0.0.1:{self._server.port}/{self._server.token}/"

    def browser_url(self) -> str:
        """A one-time address for the system browser: it carries no token (a browser's
        command line can be read by other local users), works once, and leaves the browser
        with the token in a cookie for this session's path."""
        return f"http://127.0.0.1:{self._server.port}/launch/{self._server.new_launch_code()}"

    @property
    def resource_id(self) -> str:
        return self._server.session.resource_id

    @property
    def runtime(self) -> str:
        return self._server.session.launch.runtime

    def start(self) -> str:
        if self.runtime == "h5p" and not (h5p_player_dir() / "main.bundle.js").is_file():
            raise UjuziError(
                _(
                    "The H5P player is not installed, so this activity cannot run. "
                    "Run 'make setup' (it needs npm) and try again."
                )
            )
        if self._thread is None:
            self._thread = threading.Thread(target=self._server.serve_forever,
                                            args=(POLL_SECONDS,),
                                            name="ujuzi-interactive", daemon=True)
            self._thread.start()
        return self.url

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> InteractiveServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

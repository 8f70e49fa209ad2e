"""The runtime of interactive resources: a loopback HTTP server for one resource at a time.

SCORM and H5P content is web content that expects a web server and, for SCORM, an API
object in the page around it. :class:`InteractiveServer` provides both without Qt, so the
window's sandboxed web view and, where the web engine is not installed, the system browser
can show the same thing:

- it listens on ``127.0.0.1`` on a random port, and every path starts with a random
  per-session token (other local programs cannot guess it); requests whose ``Host`` is not
  this address are refused (no DNS rebinding);
- it serves the pack's files from the blob store (nothing is unpacked), the bundled H5P
  player, and a launch page that wraps the content (see :mod:`app.interactive.scripts`);
- every response carries ``Content-Security-Policy: default-src 'self' 'unsafe-inline'
  'unsafe-eval' data: blob:``, so content cannot load anything from the network;
- the content's reports (SCORM commits, H5P xAPI statements) arrive as JSON ``POST``
  requests and are recorded: completion (SCORM 1.2 ``cmi.core.lesson_status`` completed or
  passed; SCORM 2004 ``cmi.completion_status`` completed or ``cmi.success_status`` passed;
  xAPI ``result.completion``/``success``) marks the resource complete in progress; a score
  at the end of a session is stored as an attempt (``quiz_attempts``, score 0–1); where
  the learner stopped (location, suspend data) is kept in ``interactive_state`` so the
  next launch resumes there.
"""

from __future__ import annotations

import json
import mimetypes
import secrets
import threading
from collections.abc import Callable
from http import HTTPStatus
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
from app.store.db import utc_now

CSP = "default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:"
MAX_POST_BYTES = 1024 * 1024
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


def xapi_outcome(statement: dict[str, Any]) -> tuple[bool, float | None, bool | None] | None:
    """(complete, score, passed) from an H5P xAPI statement about the whole content; None for
    statements about a part of it or without a result."""
    obj = statement.get("object") or {}
    extensions = ((obj.get("definition") or {}).get("extensions") or {})
    if any(key.endswith("h5p-subContentId") for key in extensions):
        return None
    result = statement.get("result")
    if not isinstance(result, dict):
        return None
    score_data = result.get("score") or {}
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

    def __init__(self, home: str | Path | None, resource_id: str, profile: str | None,
                 on_record: Callable[[bool, float | None], None] | None = None) -> None:
        self.home = home
        self.on_record = on_record
        self.resource_id = resource_id
        self.profile = profile
        with Library(home) as library:
            resource = library.resource(resource_id, profile)
            launch = parse_launch(resource.get("url"))
            if resource["kind"] != "interactive" or launch is None:
                raise UjuziError(_("{id} is not an interactive resource.").format(id=resource_id))
            self.launch: Launch = launch
            self.pack_id: str = resource["pack_id"]
            self.lang: str = resource.get("lang") or "en"
            languages = [str(x) for x in library.settings.get("content_languages")]
            self.title = localized(resource["title"], languages) or resource_id
            self.files: dict[str, tuple[Path, str]] = {}
            for path, sha256, mime in library.db.execute(
                "SELECT path, sha256, mime FROM files WHERE pack_id = ?", (self.pack_id,)
            ):
                self.files[path] = (library.blobs.path_for(sha256), mime)
            profile_id = library.profile_id(profile)
            self.learner_id = profile_id
            row = library.db.execute(
                "SELECT name FROM profiles WHERE id = ?", (profile_id,)).fetchone()
            self.learner_name = row[0] if row else ""
            saved = library.db.execute(
                "SELECT data FROM interactive_state WHERE profile_id = ? AND resource_id = ?",
                (profile_id, resource_id),
            ).fetchone()
        self.saved: dict[str, Any] = json.loads(saved[0]) if saved else {}
        self.lock = threading.Lock()

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
        verb = str((statement.get("verb") or {}).get("id", ""))
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
                    with library.db.atomic():
                        library.db.execute(
                            "INSERT INTO interactive_state(profile_id, resource_id, data, "
                            "updated_at) VALUES (?,?,?,?) ON CONFLICT(profile_id, resource_id) "
                            "DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
                            (profile_id, self.resource_id, text, utc_now()),
                        )
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

    def _headers(self, status: int, mime: str, length: int) -> None:
        self.send_response(status)
        self.send_header("Content-Type", mime)
        self.send_header("Content-Length", str(length))
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def _send(self, status: int, body: bytes, mime: str = "text/plain; charset=utf-8") -> None:
        self._headers(status, mime, len(body))
        if self.command != "HEAD":
            self.wfile.write(body)

    def _route(self) -> str | None:
        """The path after the token, or None (answered 404) for anything else."""
        host = self.headers.get("Host", "")
        if host not in (f"127.0.0.1:{self.server.port}", f"localhost:{self.server.port}"):
            self._send(HTTPStatus.FORBIDDEN, b"forbidden")
            return None
        path = unquote(urlsplit(self.path).path)
        prefix = f"/{self.server.token}/"
        if not path.startswith(prefix):
            self._send(HTTPStatus.NOT_FOUND, b"not found")
            return None
        return path[len(prefix):]

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        route = self._route()
        if route is None:
            return
        session = self.server.session
        base = f"/{self.server.token}/"
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

    def do_POST(self) -> None:
        route = self._route()
        if route is None:
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length <= 0 or length > MAX_POST_BYTES:
            self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, b"too large")
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
        self.port: int = int(self.server_address[1])


class InteractiveServer:
    """Runs one interactive resource on a loopback address until :meth:`stop`.

    >>> server = InteractiveServer(home, "scorm.golf/playing")  # doctest: +SKIP
    >>> url = server.start()  # show it in the web view, or webbrowser.open(url)
    """

    def __init__(self, home: str | Path | None, resource_id: str,
                 profile: str | None = None,
                 on_record: Callable[[bool, float | None], None] | None = None) -> None:
        """``on_record(complete, score)`` is called (from a server thread) whenever the
        content's report completed the resource or gave a score."""
        self._server = _Server(_Session(home, resource_id, profile, on_record))
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.port}/{self._server.token}/"

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

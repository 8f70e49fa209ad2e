"""The loopback runtime server against hostile or broken requests: raw sockets and
http.client on a real server, so what is tested is what goes over the wire."""

from __future__ import annotations

import http.client
import json
import socket
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.interactive.server import CSP, InteractiveServer, safe_mime
from app.library import Library
from app.packs.importers import import_any
from tests.packs import scorm12_manifest

SCO = b"""<!DOCTYPE html><html><head><title>SCO</title></head><body>
<script>window.parent.API.LMSInitialize("");</script></body></html>"""

MANIFEST = scorm12_manifest("org.test.sco", "SCO", "A SCO", ("sco.html", "notes.txt"))


@pytest.fixture
def resource_id(library: Library, tmp_path: Path) -> str:
    path = tmp_path / "sco.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("imsmanifest.xml", MANIFEST)
        archive.writestr("sco.html", SCO)
        archive.writestr("notes.txt", b"notes")
    report = import_any(library, path)
    resource = library.pack(report.pack_id)["sections"][0]["resources"][0]
    return str(resource["id"])


@pytest.fixture
def server(home: Path, resource_id: str) -> Iterator[InteractiveServer]:
    with InteractiveServer(home, resource_id) as running:
        yield running


def test_the_session_is_read_through_the_library_given(
        library: Library, resource_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[object] = []
    real_init = Library.__init__

    def counting_init(self: Library, *args: object, **kwargs: object) -> None:
        opened.append(args)
        real_init(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Library, "__init__", counting_init)
    with InteractiveServer(library, resource_id) as running:
        assert opened == []  # no second library to set the session up
        assert running.url.startswith("http://127.0.0.1:")


def raw(server: InteractiveServer, request: bytes) -> bytes:
    """Send raw bytes; everything the server answers until it closes or goes quiet."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
        conn.sendall(request)
        conn.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def path_of(server: InteractiveServer) -> str:
    return server.url.split(str(server.port), 1)[1]


def status(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1.1 "), answer[:80]
    return int(answer.split(b" ", 2)[1])


def host(server: InteractiveServer) -> bytes:
    return f"Host: 127.0.0.1:{server.port}\r\n".encode()


# -- malformed requests get a 4xx and no traceback -----------------------------------------


@pytest.mark.parametrize("length", [b"abc", b"-5", b"1e3", b" ", b"12, 12"])
def test_a_bad_content_length_is_a_clean_400(server: InteractiveServer, length: bytes,
                                             capfd: pytest.CaptureFixture[str]) -> None:
    answer = raw(server, b"POST " + path_of(server).encode() + b"api/commit HTTP/1.1\r\n"
                 + host(server) + b"Content-Length: " + length + b"\r\n\r\n{}")
    assert status(answer) == 400
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize("statement", [
    {"object": "the whole course", "result": {"completion": True}},
    {"object": {"definition": "x"}, "result": {"completion": True}},
    {"object": {"definition": {"extensions": []}}, "result": {"completion": True}},
    {"object": {}, "result": {"score": 1, "completion": True}},
    {"object": {}, "result": {"score": [0.5]}},
    {"object": {}, "result": "passed"},
    {"verb": "answered", "object": {}, "result": {"completion": True}},
    {"verb": {"id": {"no": 1}}, "object": {}, "result": {"completion": True}},
])
def test_an_xapi_statement_of_the_wrong_shape_is_a_clean_400(
        server: InteractiveServer, statement: dict[str, object], library: Library,
        resource_id: str, capfd: pytest.CaptureFixture[str]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("POST", path_of(server) + "api/xapi", json.dumps(statement),
                 {"Content-Type": "application/json"})
    answer = conn.getresponse()
    assert answer.status == 400
    answer.read()
    conn.close()
    assert "Traceback" not in capfd.readouterr().err
    assert not library.progress(resource_id)["completed"]


@pytest.mark.parametrize("tail", ["pack/sco.html%00", "_player/%00", "_player/a%00b.js",
                                  "pack/%00/../sco.html", "api/state%00"])
def test_a_nul_in_the_path_is_a_clean_400(server: InteractiveServer, tail: str,
                                          capfd: pytest.CaptureFixture[str]) -> None:
    for method in ("GET", "POST"):
        answer = raw(server, f"{method} {path_of(server)}{tail} HTTP/1.1\r\n".encode()
                     + host(server) + b"Content-Length: 2\r\n\r\n{}")
        assert status(answer) == 400, (method, tail)
    assert "Traceback" not in capfd.readouterr().err


def test_a_raw_nul_in_the_request_line_is_a_clean_400(
        server: InteractiveServer, capfd: pytest.CaptureFixture[str]) -> None:
    answer = raw(server, b"GET " + path_of(server).encode() + b"_player/a\x00b HTTP/1.1\r\n"
                 + host(server) + b"\r\n")
    assert status(answer) == 400
    assert "Traceback" not in capfd.readouterr().err


def test_the_connection_survives_a_bad_request(server: InteractiveServer) -> None:
    """After a 4xx the next request on a fresh connection is served as usual."""
    raw(server, b"POST " + path_of(server).encode() + b"api/xapi HTTP/1.1\r\n" + host(server)
        + b"Content-Length: zz\r\n\r\n")
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", path_of(server) + "api/state")
    answer = conn.getresponse()
    assert answer.status == 200 and json.loads(answer.read())["version"] == "1.2"
    conn.close()


# -- no manifest value reaches a header unchecked --------------------------------------------


@pytest.mark.parametrize(("mime", "expected"), [
    ("text/html", "text/html"),
    ("application/vnd.ujuzi.quiz+json", "application/vnd.ujuzi.quiz+json"),
    ("text/html; charset=utf-8", "text/html; charset=utf-8"),
    ("text/html\r\nSet-Cookie: stolen=1", "application/octet-stream"),
    ("text/html\nX-Evil: 1", "application/octet-stream"),
    ("text/html; charset=\"utf-8\r\nX: 1\"", "application/octet-stream"),
    ("text", "application/octet-stream"),
    ("", "application/octet-stream"),
    ("tëxt/html", "application/octet-stream"),
    ("text/html\x00", "application/octet-stream"),
])
def test_safe_mime(mime: str, expected: str) -> None:
    assert safe_mime(mime) == expected


def test_a_mime_type_with_a_newline_never_reaches_a_header(
        home: Path, resource_id: str, library: Library) -> None:
    library.db.execute("UPDATE files SET mime = ? WHERE path LIKE '%notes.txt'",
                       ("text/plain\r\nSet-Cookie: stolen=1\r\nX-Evil: yes",))
    [path] = library.db.execute("SELECT path FROM files WHERE path LIKE '%notes.txt'").fetchone()
    with InteractiveServer(home, resource_id) as server:
        answer = raw(server, f"GET {path_of(server)}pack/{path} HTTP/1.1\r\n".encode()
                     + host(server) + b"Connection: close\r\n\r\n")
    head, _sep, body = answer.partition(b"\r\n\r\n")
    assert status(answer) == 200 and body == b"notes"
    assert b"Set-Cookie" not in head and b"X-Evil" not in head
    assert b"Content-Type: application/octet-stream\r\n" in head
    assert f"Content-Security-Policy: {CSP}\r\n".encode() in head


# -- the system browser gets a one-time launch address, never the token ------------------------


def _get(server: InteractiveServer, path: str, cookie: str | None = None
         ) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    answer = conn.getresponse()
    answer.read()
    conn.close()
    return answer


def test_the_browser_launch_address_works_once_and_hides_the_token(
        server: InteractiveServer) -> None:
    token = path_of(server).strip("/")
    launch = server.browser_url()
    assert launch.startswith(f"http://127.0.0.1:{server.port}/launch/")
    assert token not in launch
    first = _get(server, launch.split(str(server.port), 1)[1])
    assert first.status == 303
    target = first.getheader("Location") or ""
    assert token not in target
    cookie_header = first.getheader("Set-Cookie") or ""
    cookie, *attributes = [part.strip() for part in cookie_header.split(";")]
    name, _eq, value = cookie.partition("=")
    assert value == token
    flags = {a.split("=")[0].lower(): a.partition("=")[2] for a in attributes}
    assert "httponly" in flags and flags["samesite"] == "Strict"
    assert flags["path"] == target and target != "/"
    assert first.getheader("Cache-Control") == "no-store"
    # With the cookie, the content is there; without it (or with another), it is not.
    page = _get(server, target, f"{name}={value}")
    assert page.status == 200 and page.getheader("Content-Security-Policy") == CSP
    state = _get(server, target + "api/state", f"{name}={value}")
    assert state.status == 200
    assert _get(server, target).status == 403
    assert _get(server, target, f"{name}=not-the-token").status == 403
    assert _get(server, target, "garbage;;=\x7f").status == 403
    # The code is forgotten once used.
    again = _get(server, launch.split(str(server.port), 1)[1])
    assert again.status in (404, 410) and again.getheader("Set-Cookie") is None
    assert _get(server, "/launch/made-up").status in (404, 410)


def test_the_cookie_address_records_what_the_content_reports(
        server: InteractiveServer, library: Library, resource_id: str) -> None:
    first = _get(server, server.browser_url().split(str(server.port), 1)[1])
    cookie = (first.getheader("Set-Cookie") or "").split(";")[0]
    target = first.getheader("Location") or ""
    body = json.dumps({"version": "1.2", "finished": True,
                       "data": {"cmi.core.lesson_status": "completed"}})
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("POST", target + "api/commit", body,
                 {"Content-Type": "application/json", "Cookie": cookie})
    assert conn.getresponse().status == 200
    conn.close()
    assert library.progress(resource_id)["completed"]
    page = _get(server, target, cookie)
    assert page.status == 200


def test_the_content_security_policy_keeps_content_to_its_origin() -> None:
    directives = {d.split()[0]: d.split()[1:] for d in CSP.split("; ")}
    assert directives["default-src"] == ["'self'"]
    assert directives["connect-src"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert set(directives["img-src"]) == {"'self'", "data:", "blob:"}
    assert not any("*" in v or "http" in v for values in directives.values() for v in values)

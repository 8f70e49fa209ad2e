"""The client's HTTP layer against a real loopback HTTP server: retries with backoff on a busy
hub, honouring Retry-After, and every failure as one sentence of the right kind."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.errors import AuthError, HubError, NetworkError
from app.sync.http import HubSession, normalise_url, timeouts


class _Script(BaseHTTPRequestHandler):
    """Answers each request with the next (status, headers, body) of the server's script."""

    def do_GET(self) -> None:
        server = self.server
        assert isinstance(server, _Server)
        server.seen.append((self.path, dict(self.headers)))
        status, headers, body = server.script.pop(0) if server.script else (200, {}, b"{}")
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        else:  # a body cut short: the connection closes before its announced end
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Script)
        self.script: list[tuple[int, dict[str, str], bytes]] = []
        self.seen: list[tuple[str, dict[str, str]]] = []


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Server]:
    monkeypatch.setenv("UJUZI_HTTP_BACKOFF", "0")
    monkeypatch.setenv("UJUZI_HTTP_RETRIES", "3")
    instance = _Server()
    thread = threading.Thread(target=instance.serve_forever, daemon=True)
    thread.start()
    yield instance
    instance.shutdown()
    instance.server_close()
    thread.join()


def _url(server: _Server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def _detail(text: str) -> bytes:
    return json.dumps({"detail": text}).encode()


def test_a_busy_hub_is_asked_again_and_the_token_and_agent_are_sent(server: _Server) -> None:
    server.script = [(503, {"Retry-After": "0"}, b""), (429, {"Retry-After": "0"}, b""),
                     (200, {}, b'{"ok": true}')]
    with HubSession(_url(server), "secret-token") as hub:
        assert hub.json("GET", "/api/v1/me") == {"ok": True}
    assert len(server.seen) == 3
    headers = server.seen[-1][1]
    assert headers["Authorization"] == "Bearer secret-token"
    assert headers["User-Agent"].startswith("ujuzi/")


def test_an_answer_cut_short_is_asked_again(server: _Server) -> None:
    server.script = [(200, {"Content-Length": "40"}, b'{"packs": [{"id": "org.'),
                     (200, {}, b'{"packs": []}')]
    with HubSession(_url(server), "t") as hub:
        assert hub.json("GET", "/api/v1/catalog") == {"packs": []}
    assert len(server.seen) == 2


def test_a_hub_that_stays_busy_is_a_network_error(server: _Server) -> None:
    server.script = [(503, {"Retry-After": "0"}, _detail("Maintenance."))] * 4
    with HubSession(_url(server)) as hub, pytest.raises(NetworkError, match="Maintenance"):
        hub.json("GET", "/api/v1/catalog")
    assert len(server.seen) == 4  # the first try and three retries


def test_refusals_carry_the_hubs_words(server: _Server) -> None:
    server.script = [(401, {}, _detail("The token has expired.")),
                     (404, {}, _detail("No such pack.")), (500, {}, b"<html>oops</html>")]
    with HubSession(_url(server)) as hub:
        with pytest.raises(AuthError, match=r"The token has expired.*ujuzi login"):
            hub.json("GET", "/api/v1/me")
        with pytest.raises(HubError, match="No such pack"):
            hub.json("GET", "/api/v1/packs/x/1.0.0/manifest")
        with pytest.raises(HubError, match="refused: Internal Server Error"):
            hub.json("GET", "/api/v1/catalog")


def test_an_unreachable_hub_is_said_in_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UJUZI_HTTP_BACKOFF", "0")
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with HubSession(f"http://127.0.0.1:{port}") as hub, \
            pytest.raises(NetworkError, match=r"cannot be reached .*refused"):
        hub.json("GET", "/api/v1/hub")


def test_a_silent_hub_times_out_in_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UJUZI_HTTP_BACKOFF", "0")
    monkeypatch.setenv("UJUZI_HTTP_RETRIES", "0")
    monkeypatch.setenv("UJUZI_HTTP_TIMEOUT", "1,0.2")
    assert timeouts() == (1.0, 0.2)
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        with HubSession(url) as hub, pytest.raises(NetworkError, match="did not answer in time"):
            hub.json("GET", "/api/v1/hub")


@pytest.mark.parametrize("bad", ["hub.example.org", "ftp://hub", "http://", ""])
def test_an_address_that_is_not_a_hub_url_is_refused(bad: str) -> None:
    with pytest.raises(HubError, match="not a hub address"):
        normalise_url(bad)
    assert normalise_url(" https://hub.example.org/ ") == "https://hub.example.org"

"""The wire tap of the sync tests (tests/wire_tap.py) relays a connection both ways, keeps
its bytes, and when closed leaves no thread and no listening socket behind."""

from __future__ import annotations

import contextlib
import socket
import threading

from tests.wire_tap import Tap


class Upstream:
    """A loopback server that answers each connection's bytes with those bytes in capitals,
    then closes it; one connection at a time, on a thread of its own."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, name="upstream")
        self.thread.start()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                client, _address = self.listener.accept()
                with client:
                    data = client.recv(1024)
                    client.sendall(data.upper())

    def close(self) -> None:
        self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        self.thread.join()


def test_a_closed_tap_leaves_no_thread_and_no_listener() -> None:
    upstream = Upstream()
    before = set(threading.enumerate())
    try:
        tap = Tap(upstream.url)
        try:
            port = int(tap.url.rpartition(":")[2])
            with socket.create_connection(("127.0.0.1", port)) as client:
                client.sendall(b"hello")
                client.shutdown(socket.SHUT_WR)
                answer = b""
                while data := client.recv(1024):
                    answer += data
            assert answer == b"HELLO"
            # a connection still open when the tap closes is cut, not left to its threads
            idle = socket.create_connection(("127.0.0.1", port))
        finally:
            tap.close()
        left = [thread.name for thread in set(threading.enumerate()) - before]
        assert left == []
        assert tap.streams[0] == (bytearray(b"hello"), bytearray(b"HELLO"))
        with contextlib.suppress(OSError):
            assert idle.recv(1) == b""  # closed by the tap
        idle.close()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
        except ConnectionRefusedError:
            pass
        else:
            raise AssertionError("the tap's port still accepts connections")
    finally:
        upstream.close()


def test_a_tap_as_a_context_closes_at_its_end_and_closing_again_is_safe() -> None:
    upstream = Upstream()
    before = set(threading.enumerate())
    try:
        with Tap(upstream.url) as tap:
            assert tap.url.startswith("http://127.0.0.1:")
        assert set(threading.enumerate()) - before == set()
        tap.close()
    finally:
        upstream.close()

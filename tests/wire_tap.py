"""A loopback relay that keeps every byte of every connection each way, for the tests and
benchmarks that look at what sync puts on the wire: how many requests, how many bytes of
headers and bodies, with which headers."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable


class Tap:
    """A loopback relay that keeps every byte each way of every connection, to count what
    went on the wire and how much of it was HTTP headers.

    :meth:`close` (or the end of a ``with`` block) stops it whole: the listening socket and
    every connection are shut, and each of its threads has ended when it returns."""

    def __init__(self, upstream: str) -> None:
        host, _colon, port = upstream.split("://", 1)[1].rstrip("/").rpartition(":")
        self.upstream = (host, int(port))
        self.streams: list[tuple[bytearray, bytearray]] = []
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._start(self._accept, "wire-tap-accept")

    def __enter__(self) -> Tap:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _start(self, target: Callable[..., None], name: str, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self._listener.accept()
            except OSError:  # the listener was shut down: the tap is closing
                return
            with self._lock:
                if self._closed:
                    client.close()
                    return
                self._sockets.append(client)
                try:
                    hub = socket.create_connection(self.upstream)
                except OSError:
                    client.close()
                    continue
                self._sockets.append(hub)
                up, down = bytearray(), bytearray()
                self.streams.append((up, down))
                for source, target, kept in ((client, hub, up), (hub, client, down)):
                    self._start(self._pump, "wire-tap-pump", source, target, kept)

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket, kept: bytearray) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                kept += data
                target.sendall(data)
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        """Stop accepting, cut every connection and wait for every thread (safe twice).

        Sockets are shut down before they are closed: a close alone does not wake a thread
        blocked in ``accept`` or ``recv`` on them, and their descriptors could be reused by
        other files while that thread still holds their number. They are closed only once
        no thread uses them."""
        with self._lock:
            self._closed = True
            sockets = [self._listener, *self._sockets]
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in list(self._threads):
            if thread is not threading.current_thread():
                thread.join()
        for sock in sockets:
            sock.close()

    def alive(self) -> bool:
        """Whether any of its threads still runs."""
        return any(thread.is_alive() for thread in self._threads)


def messages(stream: bytes) -> tuple[int, int, int]:
    """(messages, header bytes, body bytes) of a stream of HTTP/1.1 messages with
    Content-Length bodies (what the client and the hub send)."""
    found = heads(stream)
    return len(found), sum(len(head) for head in found), sum(map(content_length, found))


def content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _colon, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


def heads(stream: bytes) -> list[bytes]:
    """The header block of each HTTP/1.1 message of ``stream`` (as :func:`messages` reads
    them)."""
    found: list[bytes] = []
    at = 0
    while at < len(stream):
        end = stream.find(b"\r\n\r\n", at)
        if end < 0:
            break
        head = stream[at:end + 4]
        found.append(head)
        at = end + 4 + content_length(head)
    return found

"""A loopback TCP proxy that breaks connections on purpose, for the hub client's tests.

It sits between the client and a real hub. Each connection it accepts draws its fate from a
seeded random generator: pass untouched, be cut after a random number of bytes sent to the
client, or stall there (send nothing more for longer than the client's read timeout, then
close); with ``cut_up``, it may also be cut after a random number of bytes sent to the hub
(a request that arrives in part). It can also pace what it sends (a slow link) and counts
every byte it forwarded to the client, so a test can compare what the client received with
what it needed.
"""

from __future__ import annotations

import contextlib
import random
import socket
import threading
from dataclasses import dataclass
from types import TracebackType

BUFFER = 64 * 1024


@dataclass
class Faults:
    """What the proxy does to each new connection: ``cut`` and ``stall`` are probabilities,
    the offset of either drawn uniformly in ``[0, span)`` bytes sent to the client;
    ``stall_seconds`` how long a stalled connection stays silent before it closes; ``rate``
    bytes per second sent to the client (0: as fast as they come)."""

    cut: float = 0.0
    stall: float = 0.0
    span: int = 1024 * 1024
    stall_seconds: float = 2.0
    rate: int = 0
    #: The probability that a connection is cut after a random number of bytes (drawn in
    #: ``[0, span)``) sent to the hub.
    cut_up: float = 0.0


class FaultyProxy:
    def __init__(self, upstream: str, seed: int = 0, faults: Faults | None = None) -> None:
        """``upstream`` is the hub's ``http://host:port`` address."""
        address = upstream.split("://", 1)[-1].split("/", 1)[0]
        host, _, port = address.rpartition(":")
        self.upstream = (host, int(port))
        self.faults = faults or Faults()
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self.bytes_to_client = 0
        self.cuts = 0
        self.stalls = 0
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()

    # -- control ----------------------------------------------------------------------

    def configure(self, faults: Faults, seed: int | None = None) -> None:
        with self._lock:
            self.faults = faults
            if seed is not None:
                self._random.seed(seed)

    def retarget(self, upstream: str) -> None:
        """Send new connections to another hub (one restarted, or an impostor)."""
        address = upstream.split("://", 1)[-1].split("/", 1)[0]
        host, _, port = address.rpartition(":")
        with self._lock:
            self.upstream = (host, int(port))

    def reset_counts(self) -> None:
        with self._lock:
            self.bytes_to_client = self.cuts = self.stalls = self.connections = 0

    def close(self) -> None:
        self._stop.set()
        _close(self._listener)  # shutting it down wakes the thread blocked in accept()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            _close(sock)
        self._acceptor.join()
        for thread in list(self._threads):
            thread.join()

    def __enter__(self) -> FaultyProxy:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    # -- work -------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
                faults = self.faults
                draw = self._random.random()
                offset = self._random.randrange(max(1, faults.span))
                up_offset = None
                if faults.cut_up and self._random.random() < faults.cut_up:
                    up_offset = self._random.randrange(max(1, faults.span))
            fate = None
            if draw < faults.cut:
                fate = "cut"
            elif draw < faults.cut + faults.stall:
                fate = "stall"
            thread = threading.Thread(target=self._serve,
                                      args=(client, fate, offset, faults, up_offset),
                                      daemon=True)
            self._threads = [item for item in self._threads if item.is_alive()]
            self._threads.append(thread)
            thread.start()

    def _serve(self, client: socket.socket, fate: str | None, offset: int,
               faults: Faults, up_offset: int | None = None) -> None:
        with self._lock:
            target = self.upstream
        try:
            upstream = socket.create_connection(target)
        except OSError:
            _close(client)
            return
        with self._lock:
            self._sockets.update((client, upstream))
        forward = threading.Thread(target=self._pump_up, args=(client, upstream, up_offset),
                                   daemon=True)
        forward.start()
        try:
            self._pump_down(upstream, client, fate, offset, faults)
        finally:
            _close(client)
            _close(upstream)
            forward.join()
            with self._lock:
                self._sockets.difference_update((client, upstream))

    def _pump_up(self, client: socket.socket, upstream: socket.socket,
                 up_offset: int | None = None) -> None:
        """Client to hub, untouched unless the connection is to be cut on the way up."""
        sent = 0
        try:
            while data := client.recv(BUFFER):
                if up_offset is not None and sent + len(data) >= up_offset:
                    upstream.sendall(data[: up_offset - sent])
                    with self._lock:
                        self.cuts += 1
                    _close(client)
                    return
                upstream.sendall(data)
                sent += len(data)
        except OSError:
            pass
        finally:
            _close(upstream)

    def _pump_down(self, upstream: socket.socket, client: socket.socket, fate: str | None,
                   offset: int, faults: Faults) -> None:
        """Hub to client, with this connection's fault."""
        sent = 0
        try:
            while data := upstream.recv(BUFFER):
                if fate is not None and sent + len(data) >= offset:
                    self._send(client, data[: offset - sent], faults)
                    with self._lock:
                        if fate == "cut":
                            self.cuts += 1
                        else:
                            self.stalls += 1
                    if fate == "stall":
                        self._stop.wait(faults.stall_seconds)
                    return
                self._send(client, data, faults)
                sent += len(data)
        except OSError:
            pass

    def _send(self, client: socket.socket, data: bytes, faults: Faults) -> None:
        step = max(1, faults.rate // 20) if faults.rate else len(data) or 1
        for start in range(0, len(data), step):
            piece = data[start:start + step]
            client.sendall(piece)
            with self._lock:
                self.bytes_to_client += len(piece)
            if faults.rate and self._stop.wait(len(piece) / faults.rate):
                raise OSError("the proxy is closing")


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()

"""The listening socket ``ujuzi hub serve`` makes."""

from __future__ import annotations

import asyncio
import socket

from app.hub.cli import _listen


def test_accepted_connections_send_small_answers_at_once() -> None:
    """asyncio turns Nagle's algorithm off only on sockets it knows are TCP; with it on, a
    keep-alive client waits for a delayed ACK (about 40 ms) on every small answer."""
    listening = _listen("127.0.0.1", 0)
    port = listening.getsockname()[1]
    seen: list[int] = []
    accepted_one = asyncio.Event()

    class Protocol(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            accepted = transport.get_extra_info("socket")
            seen.append(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()
            accepted_one.set()

    async def run() -> None:
        server = await asyncio.get_running_loop().create_server(Protocol, sock=listening)
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        await accepted_one.wait()
        writer.close()
        server.close()
        await server.wait_closed()

    asyncio.run(run())
    assert seen == [1]

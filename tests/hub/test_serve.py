"""Opening a hub: its database, and the listening socket ``ujuzi hub serve`` makes."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest

from app.errors import HubError
from app.hub.cli import _listen
from app.hub.config import HubConfig
from app.hub.service import prepare


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


def test_a_database_that_cannot_be_used_is_one_line_without_its_password(
        tmp_path: Path) -> None:
    config = HubConfig(home=tmp_path, database="postgresql://hub:secret@127.0.0.1:1/hub")
    with pytest.raises(HubError) as error:
        prepare(config)
    message = str(error.value)
    assert message.startswith("The hub's database postgresql://hub:***@127.0.0.1:1/hub "
                              "cannot be used: ")
    assert "secret" not in message and "\n" not in message
    with pytest.raises(HubError, match="Unsupported database URL"):
        prepare(HubConfig(home=tmp_path, database="mysql://hub@localhost/hub"))

"""What a sync puts on the wire: a push goes gzip-compressed, as compact JSON, and the hub
applies it like any push."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from app.sync.account import Account
from app.sync.records import sync_now
from tests.hubs import RunningHub
from tests.sync.conftest import PASSWORD
from tests.sync.records_helpers import (
    add_users,
    hub_records,
    local_records,
    new_library,
    pack_file,
    resource,
)
from tests.wire_tap import Tap, content_length, heads

pytestmark = pytest.mark.slow


def test_a_push_goes_gzip_compressed_and_the_hub_applies_it(hub: RunningHub,
                                                             tmp_path: Path) -> None:
    add_users(hub, "ada")
    tap = Tap(hub.url)
    try:
        with new_library(tmp_path / "device", pack_file(tmp_path)) as library:
            Account(library).login(tap.url, "ada", PASSWORD)
            for number in range(20):
                library.add_note(resource(number), f"A note about part {number} of this.")
            tap.streams.clear()
            sync_now(library)
            assert local_records(library) == hub_records(hub.url, "ada")
    finally:
        tap.close()
    pushes = [(bytes(stream), head) for stream, _down in tap.streams
              for head in heads(bytes(stream)) if head.startswith(b"POST /api/v1/sync/push ")]
    assert pushes  # one, or more if a connection broke and the push went again
    for stream, head in pushes:
        assert b"\r\ncontent-encoding: gzip\r\n" in head.lower()
        start = stream.index(head) + len(head)
        body = gzip.decompress(stream[start:start + content_length(head)])
        sent = json.loads(body)
        assert len(sent["changes"]) >= 20
        # Compact JSON: no spaces after separators.
        assert body == json.dumps(sent, separators=(",", ":"), ensure_ascii=False).encode()

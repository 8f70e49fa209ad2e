"""Packs for the hub client's tests: made at test time, published on a real hub."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from tests.hubs import RunningHub
from tests.packs import make_pack


def media(seed: int, count: int, size: int) -> dict[str, bytes]:
    """``count`` files of about ``size`` random bytes each (incompressible, like video)."""
    rng = random.Random(seed)
    return {f"clip-{index}": rng.randbytes(size + rng.randrange(size // 4 + 1))
            for index in range(count)}


def publish(hub: RunningHub, folder: Path, pack_id: str, version: str = "1.0.0",
            files: dict[str, bytes] | None = None) -> dict[str, Any]:
    """Make a pack and publish it on ``hub``; its manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{pack_id}-{version}.ujpack"
    manifest = make_pack(out, pack_id=pack_id, version=version, media=files or media(1, 3, 50_000))
    hub.publish(out)
    return manifest


def file_bytes(manifest: dict[str, Any]) -> int:
    """Bytes of the pack's distinct files."""
    sizes = {entry["sha256"]: entry["size"] for resource in manifest["resources"]
             for entry in resource["files"]}
    return sum(sizes.values())

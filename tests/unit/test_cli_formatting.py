"""The command line writes sizes and media times as the window does (app.formatting)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app import formatting
from app.cli import main
from tests.packs import make_pack


def _out(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def test_sizes_and_times_as_in_the_window(capsys: pytest.CaptureFixture[str], home: Path,
                                          tmp_path: Path) -> None:
    make_pack(tmp_path / "p.ujpack", media={"clip": bytes(150_000)})
    _out(capsys, "import", str(tmp_path / "p.ujpack"))
    [pack] = json.loads(_out(capsys, "list", "--json"))
    size = formatting.size(pack["total_bytes"])
    assert size in _out(capsys, "list")
    assert f"Size: {size}" in _out(capsys, "show", "org.test.sample")
    shown = _out(capsys, "progress", "org.test.sample/clip", "--position", "3725.5")
    assert formatting.clock(3725.5) == "1:02:05" and "1:02:05" in shown

"""What the command line prints from a pack cannot drive the terminal: control characters in
titles, attribution, article text and notes are stripped from text output and escaped in
JSON, while the CLI's own sequences (bold search hits, progress on a terminal) remain."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from app.terminal import json_text, printable
from tests.packs import make_pack

OSC52 = "\x1b]52;c;SGVsbG8gZnJvbSB0aGUgcGFjaw==\x07"
ERASE = "\r\x1b[2K"
C1 = "\x9b2K\x9d0;fake title\x9c"
OVERRIDE = "\u202e"
TITLE = f"Evil{OSC52} title{ERASE}Imported safely{C1}{OVERRIDE}"
ATTRIBUTION = f"Tricky{ERASE}Attribution: Wikimedia{OSC52}"
ARTICLE = f"# Zebrafinch lesson\n\nThe zebrafinch sings{OSC52} loudly{ERASE} at dawn{C1}.\n"
FORBIDDEN = ("\x1b", "\x07", "\r", "\x9b", "\x9c", "\x9d", OVERRIDE)


def ujuzi(home: Path, *argv: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "UJUZI_HOME": str(home), "LANGUAGE": "en"}
    return subprocess.run([sys.executable, "-m", "app", *argv], capture_output=True, env=env,
                          check=False, cwd=Path(__file__).resolve().parents[2])


def assert_clean(output: bytes) -> None:
    text = output.decode("utf-8")
    for char in FORBIDDEN:
        assert char not in text, (char, text)


@pytest.fixture
def evil_home(tmp_path: Path) -> Path:
    pack = tmp_path / "evil.ujpack"
    make_pack(pack, pack_id="org.test.evil",
              articles={"lesson": ARTICLE},
              extra={"title": {"en": TITLE}, "description": {"en": f"About{OSC52} it"},
                     "attribution": ATTRIBUTION})
    home = tmp_path / "home"
    result = ujuzi(home, "import", str(pack))
    assert result.returncode == 0, result.stderr
    assert_clean(result.stdout + result.stderr)
    return home


@pytest.mark.parametrize("argv", [
    ("list",), ("show", "org.test.evil"), ("show", "org.test.evil/lesson"),
    ("search", "zebrafinch"), ("search", "zebrafinch", "--rebuild"),
])
def test_text_output_has_no_control_characters(evil_home: Path, argv: tuple[str, ...]) -> None:
    result = ujuzi(evil_home, *argv)
    assert result.returncode == 0, result.stderr
    assert_clean(result.stdout + result.stderr)
    out = result.stdout.decode()
    if argv[0] == "search":
        assert "[zebrafinch]" in out.lower()
    elif argv[-1] in ("list", "org.test.evil"):
        assert "Evil]52;c;SGVsbG8gZnJvbSB0aGUgcGFjaw== title[2KImported safely2K0;fake" in out
    assert "\n" in out  # the CLI's own line breaks stay


def test_the_attribution_cannot_erase_its_line(evil_home: Path) -> None:
    out = ujuzi(evil_home, "show", "org.test.evil").stdout.decode()
    assert "Attribution: Tricky[2KAttribution: Wikimedia]52;c;" in out


def test_notes_and_errors_are_stripped_too(evil_home: Path) -> None:
    added = ujuzi(evil_home, "note", "add", "org.test.evil/lesson", f"mine{OSC52}{ERASE}done")
    assert added.returncode == 0
    listed = ujuzi(evil_home, "note", "list")
    assert_clean(listed.stdout + listed.stderr)
    assert "mine]52;c;" in listed.stdout.decode()
    missing = ujuzi(evil_home, "show", f"org.test.evil/nope{OSC52}")
    assert missing.returncode == 2
    assert_clean(missing.stdout + missing.stderr)
    assert missing.stderr.decode().startswith("ujuzi: error:")


@pytest.mark.parametrize("argv", [
    ("list", "--json"), ("show", "org.test.evil", "--json"), ("search", "zebrafinch", "--json"),
])
def test_json_escapes_control_characters_and_keeps_the_text(
    evil_home: Path, argv: tuple[str, ...]
) -> None:
    result = ujuzi(evil_home, *argv)
    assert result.returncode == 0, result.stderr
    assert_clean(result.stdout)
    data = json.loads(result.stdout)
    if argv[0] == "list":
        assert data[0]["title"]["en"] == TITLE and data[0]["attribution"] == ATTRIBUTION
    elif argv[0] == "show":
        assert data["title"]["en"] == TITLE


def test_the_cli_keeps_its_own_terminal_sequences(evil_home: Path) -> None:
    """On a terminal, search hits are bold: that escape is the CLI's, the pack's are gone."""
    main_fd, child_fd = pty.openpty()
    env = {**os.environ, "UJUZI_HOME": str(evil_home), "LANGUAGE": "en"}
    with subprocess.Popen([sys.executable, "-m", "app", "search", "zebrafinch"],
                          stdout=child_fd, stderr=child_fd, env=env,
                          cwd=Path(__file__).resolve().parents[2]) as process:
        os.close(child_fd)
        chunks = []
        while True:
            try:
                chunk = os.read(main_fd, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait() == 0
    os.close(main_fd)
    out = b"".join(chunks).decode()
    assert "\x1b[1mzebrafinch\x1b[0m" in out.lower() or "\x1b[1mZebrafinch\x1b[0m" in out
    assert "\x1b]52" not in out and "\x07" not in out and "\x1b[2K" not in out
    assert "\x9b" not in out and OVERRIDE not in out


def test_printable_and_json_text() -> None:
    assert printable("a\tb\nc\r\x1b[2Kd\x07\x7f\x85\x9b\u202ee\u200f") == "a\tb\nc[2Kde\u200f"
    text = json_text({"t": "x\x1b]52;c;AA\x07\x9b\u202e\u2066y"})
    assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text
    assert json.loads(text) == {"t": "x\x1b]52;c;AA\x07\x9b\u202e\u2066y"}


def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path: Path) -> None:
    """``ujuzi list --json | head -1``: the pipe closes early; no "internal error"."""
    import subprocess
    import sys

    home = tmp_path / "home"
    env = {**os.environ, "UJUZI_HOME": str(home)}
    subprocess.run([sys.executable, "-m", "app", "starter"], env=env, check=True,
                   capture_output=True)
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the command writes a byte
    done = subprocess.run([sys.executable, "-m", "app", "list", "--json"], env=env,
                          stdout=write_end, stderr=subprocess.PIPE)
    os.close(write_end)
    assert done.stderr == b""
    assert done.returncode == 141

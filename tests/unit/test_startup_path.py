"""What ``ujuzi gui`` loads before its window: the command line's parser for the window
alone, and the library without the optional modules sqlite-utils would pull in. Checked in
fresh interpreters, since a test process has long imported everything."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _modules_after(code: str) -> dict[str, object]:
    """Run ``code`` in a fresh interpreter; it prints a JSON object as its last line."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, check=True)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_library_loads_without_numpy() -> None:
    """sqlite-utils imports numpy when it can (0.06 s or more at every start), only to map
    numpy's number types to columns; the library stores none, so numpy stays out of its
    sight and still imports for whoever needs it (mentorship's matching)."""
    result = _modules_after(
        "import json, sys, app.library, sqlite_utils.db as db\n"
        "loaded = 'numpy' in sys.modules\n"
        "import numpy\n"
        "print(json.dumps({'loaded': loaded, 'np': db.np is None,"
        " 'importable': bool(numpy.__version__)}))")
    assert result == {"loaded": False, "np": True, "importable": True}


#: What only the other commands need: their parsers and handlers.
OTHER_COMMANDS = ("app.hub.cli", "app.sync.cli", "app.mentorship.cli",
                  "app.mentorship.badge_cli", "app.stick")

GUI_HELP = """
import contextlib, io, json, sys
import app.cli
out = io.StringIO()
with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
    app.cli.main(sys.argv[1:])
print(json.dumps({"loaded": sorted(m for m in OTHER if m in sys.modules),
                  "help": out.getvalue()}))
""".replace("OTHER", repr(OTHER_COMMANDS))


def _cli(*argv: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", GUI_HELP, *argv], capture_output=True,
                          text=True, cwd=REPO, check=True)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_window_command_builds_only_its_own_parser(tmp_path: Path) -> None:
    """``ujuzi gui`` (and ``ujuzi`` alone, which means it) parses its arguments without
    building, or importing, the parsers of every other command."""
    for argv in (("--home", str(tmp_path), "gui", "--help"),
                 (f"--home={tmp_path}", "--profile", "amina", "gui", "--lang", "sw", "--help")):
        result = _cli(*argv)
        assert result["loaded"] == [], argv
        assert "--screenshot" in str(result["help"])


def test_the_full_help_still_lists_every_command(tmp_path: Path) -> None:
    result = _cli("--home", str(tmp_path), "--help")
    for command in ("gui", "import", "hub", "sync", "mentor", "badge", "stick"):
        assert f"    {command} " in str(result["help"]), command

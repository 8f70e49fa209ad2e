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

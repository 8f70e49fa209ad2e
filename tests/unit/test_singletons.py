"""None, True and False survive the reference PySide6 6.12.0 drops on every call of a method
that returns nothing (app.singletons). Each check runs in a fresh interpreter, since a
failure is the interpreter aborting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: More void calls than None has references in a fresh interpreter with Qt loaded.
SLIPS = """
import sys
slips = sys.getrefcount(None) + 20_000
{guard}
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel()
for _ in range(slips):
    label.setText("x")
    label.clear()
print("alive", sys.getrefcount(None) > 0)
"""


def _run(guard: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", SLIPS.format(guard=guard)], env=env,
                          capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_the_window_s_package_keeps_none_alive_through_many_void_qt_calls() -> None:
    done = _run("import app.ui")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "alive True" in done.stdout


def test_the_player_s_package_keeps_none_alive_too() -> None:
    done = _run("import app.player")
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12")
def test_the_reserve_is_given_once() -> None:
    from app import singletons

    before = sys.getrefcount(None)
    assert singletons.keep_alive()
    after = sys.getrefcount(None)
    assert singletons.keep_alive()  # a second call adds nothing
    assert abs(sys.getrefcount(None) - after) < 100
    assert after - before >= singletons.RESERVE or before > singletons.RESERVE

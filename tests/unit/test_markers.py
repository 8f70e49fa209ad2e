"""The ``slow`` marker selects the integration tests, so ``pytest -m "not slow"`` is the quick
run and plain ``pytest`` (``make test``) the full suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _collected(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         *args],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert done.returncode in (0, 5), done.stdout + done.stderr  # 5: nothing selected
    return {line.split("::")[0] for line in done.stdout.splitlines() if "::" in line}


def test_slow_selects_the_integration_tests_and_nothing_else() -> None:
    slow = _collected("-m", "slow", "tests/integration", "tests/unit/test_architecture.py")
    assert slow and all(name.startswith("tests/integration/") for name in slow)
    assert "tests/integration/player/test_widget.py" in slow
    assert _collected("-m", "not slow", "tests/integration") == set()
    assert _collected("-m", "not slow", "tests/unit/test_markers.py") == {
        "tests/unit/test_markers.py"
    }

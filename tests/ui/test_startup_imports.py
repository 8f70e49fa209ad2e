"""What the window loads before it shows: nothing for the network or sync (HTTP clients,
the sync client, badges). Those load when first used, off the start-up path, so that a warm
start reaches a complete window quickly (benchmarks/bench_startup.py measures it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFERRED = ("urllib3", "requests", "app.sync.records", "app.sync.http", "app.sync.badges")

PROBE = """
import json, sys
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from app.ui.app import create_window
ctx, window = create_window(sys.argv[1], None, None, "en")
loaded = []
window.ready.connect(lambda: (loaded.extend(sorted(sys.modules)), app.quit()))
window.show()
window.start()
app.exec()
print(json.dumps(loaded))
ctx.runner.wait()
"""


def test_the_window_shows_without_loading_network_code(library: object, home: Path) -> None:
    from tests.ui.conftest import mark_seeded

    mark_seeded(library)  # type: ignore[arg-type]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", PROBE, str(home)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    modules = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert "app.ui.window" in modules
    assert [name for name in DEFERRED if name in modules] == []

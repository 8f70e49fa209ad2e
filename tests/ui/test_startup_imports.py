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


#: Loaded only once the complete window has been painted, and then by a worker: the hub
#: client (HTTP, the key ring), the watch for packs added by another process, numpy; and
#: the message boxes, when there is something to say.
AFTER_PAINT = ("app.ui.hub", "app.sync.account", "app.sync.downloads", "app.sync.catalog",
               "keyring", "app.ui.library_watch", "numpy", "app.ui.dialogs")
BY_WORKER = ("app.ui.hub", "app.sync.account", "app.sync.downloads", "requests", "app.library",
             "sqlite_utils", "app.profiles")

SETTLED_PROBE = """
import importlib.abc, json, sys, threading
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

imported_on = {}


class Where(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        imported_on.setdefault(name, threading.current_thread() is threading.main_thread())
        return None


sys.meta_path.insert(0, Where())
app = QApplication(sys.argv[:1])
from app.ui.app import create_window
ctx, window = create_window(sys.argv[1], None, None, "en")
events = []


class Paints(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and window.is_ready and "painted" not in events:
            events.append("painted")
        return False


paints = Paints()
app.installEventFilter(paints)
window.ready.connect(lambda: events.append("ready"))
at_settled = []
window.settled.connect(lambda: (events.append("settled"), at_settled.extend(sys.modules)))


def started():
    hub = getattr(ctx, "_hub_service", None)
    if hub is not None and hub.account is not None and window.library_watch is not None \\
            and window.sync.status is not None:
        app.quit()
    else:
        QTimer.singleShot(20, started)


window.settled.connect(started)
window.show()
window.start()
app.exec()
print(json.dumps({"events": events, "at_settled": sorted(at_settled),
                  "on_gui_thread": imported_on}))
ctx.runner.wait()
"""


def test_the_hub_client_loads_after_the_complete_window_is_painted_and_off_its_thread(
        library: object, home: Path) -> None:
    """The window is complete (``ready``), painted, then ``settled``; only then do the hub
    service, the sync state and the library watch start, and the hub client is imported by
    a worker, with nothing on the GUI thread waiting for it. The library's modules are
    imported by the worker that loads the first page's data, never first by the GUI
    thread."""
    from tests.ui.conftest import mark_seeded

    mark_seeded(library)  # type: ignore[arg-type]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", SETTLED_PROBE, str(home)], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["events"] == ["ready", "painted", "settled"]
    assert [name for name in AFTER_PAINT if name in result["at_settled"]] == []
    on_gui_thread = result["on_gui_thread"]
    assert {name: on_gui_thread[name] for name in BY_WORKER} == dict.fromkeys(BY_WORKER, False)


FROZEN_PROBE = """
import gc, json, os, sys
from app.ui import app as start
made = start.create_window
seen = []


def create_window(*args, **kwargs):
    seen.append(gc.get_freeze_count())
    return made(*args, **kwargs)


start.create_window = create_window
os.environ["UJUZI_STARTUP_PROBE"] = "1"
code = start.run(sys.argv[1], None, None, None, "en")
print(json.dumps({"code": code, "frozen": seen}))
"""


def test_what_the_imports_made_is_kept_out_of_the_collector_s_way(library: object,
                                                                  home: Path) -> None:
    """The modules, classes and functions the start imported live as long as the process:
    ``ujuzi gui`` freezes them before it makes the window, so no collection on the way to
    the first page (nor later, app/ui/collector.py) goes through them again."""
    from tests.ui.conftest import mark_seeded

    mark_seeded(library)  # type: ignore[arg-type]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", FROZEN_PROBE, str(home)], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["code"] == 0
    [frozen] = result["frozen"]
    assert frozen > 10_000

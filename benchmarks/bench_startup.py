"""Start-up time and memory of the window on a generated 10,000-resource library.

Measured from process start to the window shown ("usable": event loop running, frame up)
and to the first page showing its data, painted ("complete"), and the resident memory of the
whole process tree at that moment. A warm start is one with the files in the page cache and
Python's bytecode cached, as for an installed app: the runs write bytecode even when the
calling environment says not to (``PYTHONDONTWRITEBYTECODE``, which would make every run
compile the app's modules again). The baseline, measured in the same run, is a bare PySide6
window process. Targets: a warm start usable under 0.5 s and complete under 0.45 s, under
200 MiB resident. The first start (a new data directory: the starter packs, shipped built,
are imported before the Home page is complete) is measured too and printed beside the warm
one; it should be as fast. Each side runs ``UJUZI_BENCH_RUNS`` times (default 5) after one
warm-up, and the median counts. The library is generated once into ``bench-data/`` and
kept (10 packs of 1,000 articles; 150 resources opened, 60 of them done); set
``UJUZI_BENCH_RESOURCES`` to change its size.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app.library import Library
from app.packs.archive import manifest_bytes, write_pack
from app.packs.importer import import_pack

TARGET_USABLE = 0.5
TARGET_COMPLETE = 0.45
TARGET_MIB = 200
PACKS = 10
ROOT = Path(__file__).resolve().parent.parent
WORDS = ["source", "citation", "editor", "article", "community", "licence", "archive",
         "library", "translation", "volunteer", "museum", "photograph", "wiki", "reference",
         "neutral", "notability", "policy", "talk"]

BASELINE = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setCentralWidget(QLabel("Hello"))
window.resize(1200, 760)
window.show()
QTimer.singleShot(0, lambda: print(f"shown {time.time():.6f}", flush=True))
QTimer.singleShot(0, lambda: print(f"ready {time.time():.6f}", flush=True))
app.exec()
"""


def _generate(home: Path, resources: int) -> None:
    per_pack = max(1, resources // PACKS)
    with tempfile.TemporaryDirectory(prefix="ujuzi-bench-") as tmp:
        src = Path(tmp)
        with Library(home) as library:
            for p in range(PACKS):
                files, entries = {}, []
                for r in range(per_pack):
                    words = " ".join(WORDS[(r * 7 + i) % len(WORDS)] for i in range(60))
                    text = f"# Lesson {p}.{r}\n\n{words}.\n".encode()
                    path = src / f"p{p}" / f"r{r}.md"
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(text)
                    rel = f"lessons/r{r}.md"
                    files[rel] = path
                    entries.append({
                        "id": f"r{r}", "kind": "article", "lang": "en", "duration": 60,
                        "title": {"en": f"Lesson {r} of pack {p}"},
                        "files": [{"path": rel, "sha256": hashlib.sha256(text).hexdigest(),
                                   "size": len(text), "mime": "text/markdown",
                                   "role": "main"}],
                    })
                sections = [{"id": f"s{s}", "title": {"en": f"Section {s}"},
                             "resources": [e["id"] for e in entries[s * 50:(s + 1) * 50]]}
                            for s in range((len(entries) + 49) // 50)]
                manifest = {
                    "format": "ujuzi-pack", "format_version": 1, "id": f"org.bench.p{p}",
                    "version": "1.0.0", "title": {"en": f"Benchmark pack {p}"},
                    "languages": ["en"], "license": "CC0-1.0", "attribution": "Generated",
                    "skills": ["sources"], "sections": sections, "resources": entries,
                }
                pack = src / f"p{p}.ujpack"
                write_pack(pack, manifest_bytes(manifest), manifest, files)
                import_pack(library, pack)
            from app import learning

            for i in range(150):
                resource = f"org.bench.p{i % PACKS}/r{i}"
                learning.mark_opened(library, resource)
                library.record_progress(resource, position=0.4, complete=i < 60)
            library.db.execute("INSERT OR REPLACE INTO meta(key, value) "
                               "VALUES ('starter_seeded', '1')")


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def _run(command: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Seconds to "shown" and to "ready", and the tree's RSS at "ready"."""
    start = time.time()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    shown = ready = 0.0
    assert process.stdout is not None
    for line in process.stdout:
        kind, _, stamp = line.strip().partition(" ")
        if kind == "shown":
            shown = float(stamp) - start
        elif kind == "ready":
            ready = float(stamp) - start
            break
    rss = _tree_rss(process.pid)
    process.terminate()
    process.wait(timeout=30)
    if not ready:
        raise RuntimeError(f"{command} never reported ready")
    return shown, ready, rss


def main() -> bool:
    resources = int(os.environ.get("UJUZI_BENCH_RESOURCES", "10000"))
    runs = int(os.environ.get("UJUZI_BENCH_RUNS", "5"))
    home = ROOT / "bench-data" / f"startup-{resources}"
    marker = home / ".complete"
    if not marker.exists():
        shutil.rmtree(home, ignore_errors=True)
        began = time.perf_counter()
        _generate(home, resources)
        marker.write_text("ok")
        print(f"generated the library in {time.perf_counter() - began:.1f} s: {home}")
    env = dict(os.environ)
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["UJUZI_STARTUP_PROBE"] = "stay"
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a warm start has its bytecode cached
    env.pop("UJUZI_HOME", None)
    ujuzi = [sys.executable, "-m", "app", "--home", str(home), "gui", "--lang", "en"]
    baseline = [sys.executable, "-c", BASELINE]
    results: dict[str, list[tuple[float, float, int]]] = {"baseline": [], "ujuzi": []}
    for name, command in (("baseline", baseline), ("ujuzi", ujuzi)):
        _run(command, env)  # warm-up: files in the page cache, caches and bytecode written
        results[name] = [_run(command, env) for _ in range(runs)]
    first: list[tuple[float, float, int]] = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="ujuzi-first-start-") as fresh:
            first.append(_run([sys.executable, "-m", "app", "--home", fresh, "gui", "--lang",
                               "en"], env))
    results["first"] = first

    def summary(name: str) -> tuple[float, float, float]:
        rows = results[name]
        return (statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows),
                statistics.median(r[2] for r in rows) / 1024 / 1024)

    b_shown, b_ready, b_mib = summary("baseline")
    shown, ready, mib = summary("ujuzi")
    with Library(home) as library:
        count = library.db.execute("SELECT COUNT(*) FROM resources").fetchone()[0]
    platform = env.get("QT_QPA_PLATFORM") or "xcb"
    print(f"library:                  {count:,} resources in {PACKS} packs "
          f"(platform {platform}, median of {runs} warm runs)")
    print(f"bare PySide6 window:      shown {b_shown:5.3f} s   {b_mib:6.1f} MiB  (baseline)")
    print(f"ujuzi, window usable:     shown {shown:5.3f} s   ({shown / b_shown:.1f}x baseline;"
          f" target < {TARGET_USABLE} s)")
    print(f"ujuzi, first page loaded: ready {ready:5.3f} s   ({ready / b_ready:.1f}x baseline;"
          f" target < {TARGET_COMPLETE} s)  warm start")
    f_shown, f_ready, _f_mib = summary("first")
    print(f"ujuzi, first start:       shown {f_shown:5.3f} s   ready {f_ready:5.3f} s  "
          f"(a new data directory: starter packs imported; {f_ready / ready:.1f}x warm)")
    print(f"ujuzi, resident memory:   {mib:6.1f} MiB     ({mib / b_mib:.1f}x baseline;"
          f" target < {TARGET_MIB} MiB)")
    ok = shown < TARGET_USABLE and ready < TARGET_COMPLETE and mib < TARGET_MIB
    print("PASS" if ok else "FAIL")
    return ok

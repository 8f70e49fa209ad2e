"""Size of the bundle and its cold and warm start against the source install, in one run.

Sizes: each bundle variant that was built (``make dist`` writes the learner bundle in
``dist/ujuzi/ujuzi``, the standard one in ``dist/ujuzi-standard/ujuzi`` and the full one in
``dist/ujuzi-full/ujuzi``; ``UJUZI_BENCH_DIST`` names another folder; without them the learner
one, the default, is built into ``bench-data/dist``), installed (the bytes of its files) and
compressed (its ``.tar.gz`` and ``.deb`` when built, else a ``.tar.gz`` written now), against
the installed sizes of Kiwix (252 MiB), Kolibri (375) and Anki (620); the target, for the
default (learner) bundle, is under 250 MiB.

Start: seconds from process start to the window's first page showing the starter library
("ready", the probe of benchmarks/bench_startup.py), offscreen. Warm: the median of
``UJUZI_BENCH_RUNS`` (default 5) runs after a warm-up. Cold: the same after the files of that
side (the bundle folder; for the source install the virtualenv, the checkout's app/ and the
Python standard library) are dropped from the page cache with
``posix_fadvise(POSIX_FADV_DONTNEED)``, which needs no privileges, so the program is read
from the disk again.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Where ``make dist`` wrote the bundles and archives (``UJUZI_BENCH_DIST`` to read another).
DIST = Path(os.environ.get("UJUZI_BENCH_DIST") or ROOT / "dist")
MIB = 1024 * 1024
ANCHORS = {"Kiwix": 252, "Kolibri": 375, "Anki": 620}
TARGET_MIB = 250
#: Each variant's package and folder name (packaging/build_dist.py), the default first.
PACKAGES = {"learner": "ujuzi", "standard": "ujuzi-standard", "full": "ujuzi-full"}
DEFAULT = "learner"


def tree_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def evict(folders: Iterable[Path]) -> None:
    """Drop the files under ``folders`` from the page cache."""
    for folder in folders:
        for path in folder.rglob("*"):
            if not path.is_file() or path.is_symlink():
                continue
            try:
                descriptor = os.open(path, os.O_RDONLY)
            except OSError:
                continue
            try:
                os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(descriptor)


def start_seconds(command: list[str], env: dict[str, str]) -> float:
    start = time.time()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    assert process.stdout is not None
    ready = 0.0
    for line in process.stdout:
        kind, _, stamp = line.strip().partition(" ")
        if kind == "ready":
            ready = float(stamp) - start
            break
    process.terminate()
    process.wait(timeout=60)
    if not ready:
        raise RuntimeError(f"{command} never reported ready")
    return ready


def bundles() -> dict[str, Path]:
    found = {variant: DIST / package / "ujuzi" for variant, package in PACKAGES.items()}
    found = {variant: path for variant, path in found.items() if (path / "ujuzi").is_file()}
    if DEFAULT not in found:
        out = ROOT / "bench-data" / "dist"
        built = out / PACKAGES[DEFAULT] / "ujuzi"
        if not (built / "ujuzi").is_file():
            subprocess.run([sys.executable, str(ROOT / "packaging" / "build_dist.py"), "bundle",
                            "--variant", DEFAULT, "--dist", str(out)], check=True)
        found = {DEFAULT: built, **found}
    return found


def compressed_sizes(variant: str, folder: Path) -> list[str]:
    package = PACKAGES[variant]
    made = [*sorted(DIST.glob(f"{package}-[0-9]*-linux-x86_64.tar.gz")),
            *sorted(DIST.glob(f"{package}_[0-9]*_amd64.deb"))]
    made = [path for path in made if path.stat().st_size > 1024 * 1024]  # not one half-made
    if not made:
        with tempfile.TemporaryDirectory(prefix="ujuzi-bench-tar-") as tmp:
            out = Path(tmp) / "bundle.tar.gz"
            with tarfile.open(out, "w:gz", compresslevel=6) as archive:
                archive.add(folder, arcname="ujuzi")
            return [f"tar.gz {out.stat().st_size / MIB:6.1f}"]
    return [f"{'.deb' if p.suffix == '.deb' else 'tar.gz'} {p.stat().st_size / MIB:6.1f}"
            for p in made]


def main() -> bool:
    runs = int(os.environ.get("UJUZI_BENCH_RUNS", "5"))
    found = bundles()
    print("Sizes (MiB), installed and compressed; anchors installed: "
          + ", ".join(f"{name} {size}" for name, size in ANCHORS.items()))
    ok = True
    for variant, folder in found.items():
        installed = tree_bytes(folder) / MIB
        ok = ok and (variant != DEFAULT or installed < TARGET_MIB)
        verdict = (f"  (target < {TARGET_MIB} MiB: {'yes' if installed < TARGET_MIB else 'no'})"
                   if variant == DEFAULT else "")
        print(f"  {variant:9} installed {installed:6.1f}  "
              + "  ".join(compressed_sizes(variant, folder)) + verdict)

    with tempfile.TemporaryDirectory(prefix="ujuzi-bench-dist-") as tmp:
        home = Path(tmp) / "data"
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "UJUZI_LANG": "en"}
        env.pop("UJUZI_HOME", None)
        subprocess.run([sys.executable, "-m", "app", "--home", str(home), "starter"], env=env,
                       check=True, capture_output=True)
        env["UJUZI_STARTUP_PROBE"] = "stay"
        gui = ["--home", str(home), "gui", "--lang", "en"]
        stdlib = Path(sysconfig.get_paths()["stdlib"])
        sides = {"source install": ([sys.executable, "-m", "app", *gui],
                                    [Path(sys.prefix), ROOT / "app", stdlib]),
                 f"bundle ({DEFAULT})": ([str(found[DEFAULT] / "ujuzi"), *gui],
                                         [found[DEFAULT]])}
        print(f"Start to the first page, offscreen (median of {runs}):")
        for name, (command, files) in sides.items():
            cold = []
            for _ in range(runs):
                evict(files)
                cold.append(start_seconds(command, env))
            start_seconds(command, env)  # warm-up
            warm = [start_seconds(command, env) for _ in range(runs)]
            print(f"  {name:18} cold {statistics.median(cold):6.3f} s   "
                  f"warm {statistics.median(warm):6.3f} s")
    shutil.rmtree(ROOT / "bench-data" / "dist" / f".work-{DEFAULT}", ignore_errors=True)
    print("PASS" if ok else f"FAIL (the {DEFAULT} bundle is over the size target)")
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)

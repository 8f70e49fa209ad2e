"""Ujuzi on a computer without VLC: real ``ujuzi`` processes with libvlc hidden from them.

How it is hidden: the process runs in its own mount namespace (``unshare -m``, we are root)
where every libvlc file the dynamic loader knows is covered by an empty file, and
``/etc/ld.so.cache`` by a cache rebuilt there, so ``ctypes.util.find_library("vlc")`` finds
nothing and ``dlopen("libvlc.so.5")`` fails: as on a machine where VLC was never installed.
python-vlc still imports there (it falls back to the process itself as its "library") and
fails only when a libvlc function is called, which is what the app has to cope with.

Where a mount namespace cannot be made (not root), the same two calls are made to fail
inside Python by a ``sitecustomize`` module: a fake of the loader, and these tests say so
in their output.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from app.library import Library
from app.packs.manifest import MANIFEST_NAME
from tests.conftest import STRICT

REPO = Path(__file__).resolve().parents[2]
LENGTH = 3.7
TOLERANCE = 0.1
LICENCE = "license: CC-BY-SA-4.0\nattribution: Wikimedia volunteers\n"
STARTER_PACKS = {"org.ujuzi.starter.newcomers", "org.ujuzi.starter.organisations",
                 "org.ujuzi.starter.sustainability"}

#: Run "$@" with the libvlc files given before "--" covered, and the loader's cache rebuilt
#: without them. ``ldconfig -X`` leaves the library folders' symlinks alone; the namespace
#: keeps every mount (and the rebuilt cache) away from the rest of the machine.
HIDE_SCRIPT = r"""
set -e
empty=$(mktemp)
while [ "$1" != "--" ]; do mount --bind "$empty" "$1"; shift; done
shift
if [ -d /var/cache/ldconfig ]; then mount -t tmpfs tmpfs /var/cache/ldconfig; fi
cache=$(mktemp)
ldconfig -X -C "$cache" 2>/dev/null || true
mount --bind "$cache" /etc/ld.so.cache
exec "$@"
"""

#: The fallback: the same failures, made inside Python.
SITECUSTOMIZE = '''
import ctypes, ctypes.util, os
_find_library = ctypes.util.find_library
def _find(name):
    return None if name == "vlc" else _find_library(name)
ctypes.util.find_library = _find
_init = ctypes.CDLL.__init__
def _cdll_init(self, name, *args, **kwargs):
    if name is not None and os.path.basename(str(name)).startswith("libvlc"):
        raise OSError(f"{name}: cannot open shared object file: No such file or directory")
    _init(self, name, *args, **kwargs)
ctypes.CDLL.__init__ = _cdll_init
'''

#: Checks, inside the process, that libvlc is really out of reach.
PROBE = """
import ctypes, ctypes.util
assert ctypes.util.find_library("vlc") is None, ctypes.util.find_library("vlc")
try:
    ctypes.CDLL("libvlc.so.5")
except OSError:
    pass
else:
    raise AssertionError("libvlc.so.5 still loads")
import vlc
try:
    vlc.libvlc_get_version()
except (NameError, AttributeError):
    print("hidden")
"""

Runner = Callable[..., subprocess.CompletedProcess[str]]


def _libvlc_files() -> list[str]:
    listing = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True,
                             check=True).stdout
    files = set()
    for line in listing.splitlines():
        name, _, path = line.strip().partition(" => ")
        if re.match(r"libvlc(core)?\.so", name.split(" ")[0]):
            files.add(os.path.realpath(path))
    return sorted(files)


def _namespace_works(files: list[str]) -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None or not files:
        return False
    probe = subprocess.run(["unshare", "-m", "--propagation", "private", "true"],
                           capture_output=True, check=False)
    return probe.returncode == 0


@pytest.fixture(scope="module")
def without_vlc(tmp_path_factory: pytest.TempPathFactory) -> Runner:
    """Runs a command with libvlc hidden; checks first that it is."""
    files = _libvlc_files()
    extra_env: dict[str, str] = {}
    if _namespace_works(files):
        prefix = ["unshare", "-m", "--propagation", "private", "sh", "-c", HIDE_SCRIPT, "sh",
                  *files, "--"]
    else:
        if STRICT and os.geteuid() == 0:
            pytest.fail("libvlc cannot be hidden in a mount namespace although we are root (needs "
                        "unshare and libvlc installed); UJUZI_TEST_STRICT=1 wants the real thing")
        print("libvlc hidden by a sitecustomize fake: no mount namespace here")
        site = tmp_path_factory.mktemp("site")
        (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
        extra_env["PYTHONPATH"] = os.pathsep.join(
            [str(site), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        prefix = []

    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        full_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **extra_env, **(env or {})}
        full_env.pop("UJUZI_PLAYER", None)
        return subprocess.run([*prefix, *args], capture_output=True, text=True, env=full_env,
                              cwd=REPO, check=False, timeout=600)

    probe = run(sys.executable, "-c", PROBE)
    assert probe.returncode == 0 and probe.stdout.strip() == "hidden", probe.stderr
    return run


def ujuzi(run: Runner, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run(sys.executable, "-m", "app", *args, env={"UJUZI_HOME": str(home)})


def _lines(text: str) -> list[str]:
    """The lines of ``text``, without progress lines ("build: 25% 01-talk.webm")."""
    return [line for line in text.splitlines()
            if line.strip() and not re.match(r"[\w ]+: \d+% ", line)]


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True, timeout=120)


def test_pack_build_reads_durations_without_vlc(without_vlc: Runner, tmp_path: Path) -> None:
    folder = tmp_path / "lesson"
    folder.mkdir()
    (folder / "pack.yaml").write_text(LICENCE, encoding="utf-8")
    video = ["-f", "lavfi", "-i", f"color=c=blue:s=160x120:r=25:d={LENGTH}",
             "-f", "lavfi", "-i", f"sine=frequency=440:duration={LENGTH}", "-shortest"]
    _ffmpeg(*video, "-c:v", "libvpx-vp9", "-deadline", "realtime", "-c:a", "libopus",
            str(folder / "01-talk.webm"))
    _ffmpeg(*video, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            "-c:a", "aac", str(folder / "02-demo.mp4"))
    _ffmpeg("-f", "lavfi", "-i", f"sine=frequency=440:duration={LENGTH}", "-c:a", "libmp3lame",
            str(folder / "03-tone.mp3"))
    (folder / "04-broken.ogg").write_bytes(b"OggS" + bytes(200))
    out = tmp_path / "lesson.ujpack"

    result = ujuzi(without_vlc, tmp_path / "home", "pack", "build", str(folder), "-o", str(out))

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert _lines(result.stderr) == [
        "warning: Could not read how long 04-broken.ogg lasts; set its duration in pack.yaml."
    ]
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read(MANIFEST_NAME))
    durations = {r["id"]: r.get("duration") for r in manifest["resources"]}
    for resource in ("talk", "demo", "tone"):
        assert durations[resource] == pytest.approx(LENGTH, abs=TOLERANCE), resource
    assert durations["broken"] is None
    # The same folder gives the same bytes on a machine with VLC.
    with_vlc = tmp_path / "with-vlc.ujpack"
    built = subprocess.run([sys.executable, "-m", "app", "--home", str(tmp_path / "home"),
                            "pack", "build", str(folder), "-o", str(with_vlc)],
                           capture_output=True, cwd=REPO, check=False, timeout=600)
    assert built.returncode == 0, built.stderr
    assert with_vlc.read_bytes() == out.read_bytes()


def test_first_start_without_vlc_builds_the_starter_library(
    without_vlc: Runner, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    shot = tmp_path / "home.png"

    result = ujuzi(without_vlc, home, "gui", "--screenshot", str(shot))

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "went wrong" not in result.stderr
    assert len(_lines(result.stderr)) <= 1, result.stderr
    assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    with Library(home) as library:
        assert {pack["id"] for pack in library.packs()} == STARTER_PACKS
        pack = library.pack("org.ujuzi.starter.newcomers")
    [video] = [r for s in pack["sections"] for r in s["resources"] if r["kind"] == "video"]
    assert video["duration"] == pytest.approx(60.408, abs=TOLERANCE)  # ffprobe's


def test_videos_play_with_qt_multimedia_without_vlc(without_vlc: Runner, tmp_path: Path) -> None:
    choice = without_vlc(
        sys.executable, "-c",
        "from app.player import available_backends, backend_label, choose_backend\n"
        "print(available_backends(), choose_backend(), backend_label('vlc'))",
    )
    assert choice.returncode == 0, choice.stderr
    assert choice.stdout.split() == ["['qt']", "qt", "VLC", "(missing)"]

    home = tmp_path / "home"
    assert ujuzi(without_vlc, home, "starter").returncode == 0
    with Library(home) as library:
        pack = library.pack("org.ujuzi.starter.newcomers")
    [video] = [r for s in pack["sections"] for r in s["resources"] if r["kind"] == "video"]
    shot = tmp_path / "video.png"

    result = ujuzi(without_vlc, home, "gui", "--screenshot", str(shot), "--open", video["id"])

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_a_wrong_python_vlc_library_path_falls_back_to_qt_multimedia() -> None:
    """python-vlc calls sys.exit(1) on import when PYTHON_VLC_LIB_PATH names no library:
    that must not end the app."""
    env = {**os.environ, "PYTHON_VLC_LIB_PATH": "/nonexistent/libvlc.so.5"}
    env.pop("UJUZI_PLAYER", None)
    result = subprocess.run(
        [sys.executable, "-c",
         "from app.player import choose_backend\nprint(choose_backend())"],
        capture_output=True, text=True, env=env, cwd=REPO, check=False, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "qt"

"""The one-folder bundle that ships as the default (the learner variant, built once per session
by packaging/build_dist.py in a temporary folder): it starts with an empty environment
(``env -i``: no Python on ``PATH``, no ``PYTHONPATH``) and takes a screenshot of the starter
library; in portable mode, run from a folder with a fresh ``HOME``, it writes nothing outside
that folder, and the folder still works after it is moved (another mount point or drive
letter); it is under the size target, and its hub and matching commands, whose libraries it
leaves out, say so in one line."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def run_bundle(executable: Path, *args: str, home: Path, tmp: Path, cwd: Path,
               code: int = 0, lang: str = "en") -> subprocess.CompletedProcess[str]:
    """``env -i`` with only a HOME, a temporary folder and Qt's offscreen platform."""
    env = ["env", "-i", f"HOME={home}", f"TMPDIR={tmp}", "QT_QPA_PLATFORM=offscreen",
           f"UJUZI_LANG={lang}", "LANG=C.UTF-8"]
    done = subprocess.run([*env, str(executable), *args], cwd=cwd, capture_output=True,
                          text=True, check=False, timeout=300)
    assert done.returncode == code, done.stdout[-2000:] + done.stderr[-3000:]
    return done


def files_under(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if not path.is_dir())


def test_the_bundle_runs_with_an_empty_environment(built_bundle: Path, tmp_path: Path) -> None:
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    shot = tmp_path / "shot.png"
    run_bundle(built_bundle / "ujuzi", "--home", str(tmp_path / "data"), "gui",
               "--screenshot", str(shot), home=home, tmp=tmp, cwd=tmp_path)
    assert shot.stat().st_size > 10_000
    listed = run_bundle(built_bundle / "ujuzi", "--home", str(tmp_path / "data"), "list",
                        "--json", home=home, tmp=tmp, cwd=tmp_path)
    assert len(json.loads(listed.stdout)) >= 3  # the starter packs, seeded by the window


def test_portable_mode_writes_nothing_outside_its_folder(
    built_bundle: Path, tmp_path: Path
) -> None:
    stick = tmp_path / "stick"
    shutil.copytree(built_bundle, stick / "ujuzi", symlinks=True)
    (stick / "ujuzi" / "portable").touch()
    before = set(files_under(stick))
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    executable = stick / "ujuzi" / "ujuzi"
    run_bundle(executable, "gui", "--screenshot", str(stick / "shot.png"), home=home,
               tmp=tmp, cwd=stick)
    run_bundle(executable, "list", home=home, tmp=tmp, cwd=stick)

    assert files_under(home) == [] and files_under(tmp) == []
    data = stick / "ujuzi" / "ujuzi-data"
    written = set(files_under(stick)) - before
    assert written and all(p.is_relative_to(data) or p == stick / "shot.png" for p in written)
    assert (data / "library.sqlite3").is_file()

    # No absolute path to the folder is kept inside it: moved elsewhere, it still works.
    with sqlite3.connect(data / "library.sqlite3") as db:
        dumped = "\n".join(db.iterdump())
    assert str(stick) not in dumped
    for path in files_under(data):
        if path.suffix in (".json", ".txt", ".log"):
            assert str(stick) not in path.read_text(errors="replace"), path
    moved = tmp_path / "other-mount" / "USB"
    moved.parent.mkdir()
    stick.rename(moved)
    listed = run_bundle(moved / "ujuzi" / "ujuzi", "list", "--json", home=home, tmp=tmp,
                        cwd=moved)
    assert len(json.loads(listed.stdout)) >= 3
    run_bundle(moved / "ujuzi" / "ujuzi", "verify", home=home, tmp=tmp, cwd=moved)
    assert files_under(home) == []


def test_the_learner_bundle_is_small_and_says_what_it_leaves_out(
    built_bundle: Path, tmp_path: Path
) -> None:
    installed = sum(path.stat().st_size for path in built_bundle.rglob("*")
                    if path.is_file() and not path.is_symlink())
    assert installed < 250 * 1024 * 1024
    internal = built_bundle / "_internal"
    for library in ("ortools", "numpy", "sqlalchemy", "fastapi", "psycopg_binary"):
        assert not (internal / library).exists(), library
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    data = tmp_path / "data"
    for args, part in ((["hub", "serve"], "the hub"),
                       (["hub", "user", "add", "amina", "--role", "learner"], "the hub"),
                       (["mentor", "match", "--cohort", str(cohort(tmp_path))],
                        "the cohort matching")):
        done = run_bundle(built_bundle / "ujuzi", "--home", str(data), *args, home=home,
                          tmp=tmp, cwd=tmp_path, code=1)
        assert done.stderr.splitlines() == [
            f"ujuzi: error: This Ujuzi bundle, for learners, does not include {part}: the "
            "standard bundle (ujuzi-standard) and the full bundle (ujuzi-full) do."], args
    # The window's languages keep their formats in the trimmed babel data (packaging/
    # bundle_trim.py): French sizes, with a decimal comma and French units.
    run_bundle(built_bundle / "ujuzi", "--home", str(data), "starter", home=home, tmp=tmp,
               cwd=tmp_path)
    listed = run_bundle(built_bundle / "ujuzi", "--home", str(data), "list", home=home,
                        tmp=tmp, cwd=tmp_path, lang="fr")
    assert re.search(r"\d,\d\u202fko", listed.stdout) and "ressources" in listed.stdout, (
        listed.stdout)


def cohort(folder: Path) -> Path:
    from tests.unit.mentorship.cohorts import mentee, mentor

    path = folder / "cohort.json"
    path.write_text(json.dumps({"mentors": [mentor("m1", ["wiki-editing"])],
                                "mentees": [mentee("e1", ["wiki-editing"])]}),
                    encoding="utf-8")
    return path


def test_the_bundle_runs_its_player_host(built_bundle: Path, tmp_path: Path) -> None:
    """The window plays through a player host, the bundle's own executable started with
    --player-host (app/player/vlc_remote.py): it plays a file with the system's libvlc."""
    from app.player.base import MediaSource
    from app.player.vlc_backend import vlc_available
    from app.player.vlc_host import source_to_json
    from tests.media import generate

    if not vlc_available():
        from tests.conftest import unavailable

        unavailable("libvlc is not installed")
    media = generate(tmp_path / "media")["tone.ogg"]
    home = tmp_path / "home"
    home.mkdir()
    env = ["env", "-i", f"HOME={home}", "LANG=C.UTF-8"]
    host = subprocess.Popen([*env, str(built_bundle / "ujuzi"), "--player-host", "--headless"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert host.stdin is not None and host.stdout is not None
    try:
        host.stdin.write(json.dumps({"op": "load", "source": source_to_json(MediaSource(media)),
                                     "autoplay": True, "gen": 1}) + "\n")
        host.stdin.flush()
        states = []
        for line in host.stdout:
            report = json.loads(line)
            if report.get("ev") == "status":
                states.append(report["state"])
                if report["state"] in ("playing", "error"):
                    break
        assert states[-1] == "playing", states
        host.stdin.write(json.dumps({"op": "release"}) + "\n")
        host.stdin.close()
        assert host.wait(timeout=30) == 0
    finally:
        if host.poll() is None:
            host.kill()
            host.wait()
        host.stdout.close()
        if not host.stdin.closed:
            host.stdin.close()

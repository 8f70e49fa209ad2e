"""The wheel works outside the checkout: installed into a fresh virtualenv in a temporary
folder, its ``ujuzi`` lists and builds the starter packs and takes a screenshot of the window,
with the starter packs, translations, mentorship skills and H5P player taken from the
installed package.

No network in tests: the wheel is installed with ``--no-deps``, and the third-party
dependencies are reached through a ``.pth`` file that adds the development virtualenv's
site-packages after the new environment's own (a ``.pth`` line only appends a folder to
``sys.path``: the checkout's editable-install hook in that folder is not run, so ``app`` can
only come from the new environment, which the test checks through ``app.__file__``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from app.paths import SOURCE_ROOT

pytestmark = pytest.mark.slow

#: Runs the installed ``app.cli`` after saying where ``app`` was imported from.
RUN_CLI = ("import sys, app; print('APP_FILE=' + app.__file__, file=sys.stderr); "
           "from app.cli import main; sys.exit(main())")


@pytest.fixture(scope="module")
def venv(built_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("installed") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    python = root / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                    "--no-deps", "--no-index", str(built_wheel)], check=True, timeout=300)
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True).stdout.strip()
    dev = sysconfig.get_paths()["purelib"]
    (Path(purelib) / "ujuzi-test-dependencies.pth").write_text(dev + "\n")
    return root


def run(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env.update(QT_QPA_PLATFORM="offscreen", UJUZI_LANG="en")
    done = subprocess.run([str(venv / "bin" / "python"), "-c", RUN_CLI, *args], cwd=cwd,
                          env=env, capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    origin = next(line for line in done.stderr.splitlines() if line.startswith("APP_FILE="))
    assert Path(origin.removeprefix("APP_FILE=")).is_relative_to(venv), origin
    return done


def test_the_installed_wheel_lists_builds_and_shows_the_starter_library(
    venv: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    run(venv, "--home", str(home), "starter", cwd=tmp_path)
    listed = json.loads(run(venv, "--home", str(home), "list", "--json", cwd=tmp_path).stdout)
    starter = sorted(p.name for p in (SOURCE_ROOT / "resources" / "starter").iterdir()
                     if (p / "pack.yaml").is_file())
    assert len(listed) == len(starter) >= 3

    # A starter pack's folder as the installed package carries it, built again into a pack.
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c",
         "from app import paths, i18n; print(paths.starter_packs_dir()); "
         "print(paths.h5p_player_dir()); print(' '.join(i18n.available_languages()))"],
        cwd=tmp_path, capture_output=True, text=True, check=True).stdout.splitlines()
    starter_dir, h5p_dir, languages = Path(where[0]), Path(where[1]), where[2].split()
    assert starter_dir.is_relative_to(venv) and (starter_dir / starter[0] / "pack.yaml").is_file()
    assert {"fr", "es", "sw", "ar"} <= set(languages)
    if (SOURCE_ROOT / "packaging" / "h5p-player" / "node_modules").is_dir():
        assert h5p_dir.is_relative_to(venv) and (h5p_dir / "main.bundle.js").is_file()
    out = tmp_path / "rebuilt.ujpack"
    run(venv, "pack", "build", str(starter_dir / starter[0]), "-o", str(out), cwd=tmp_path)
    assert out.stat().st_size > 0

    shot = tmp_path / "home.png"
    run(venv, "--home", str(home), "gui", "--screenshot", str(shot), cwd=tmp_path)
    assert shot.stat().st_size > 10_000


def test_the_console_script_runs_the_installed_copy(venv: Path, tmp_path: Path) -> None:
    """``venv/bin/ujuzi`` (the entry point pip wrote) in French, from the installed catalog."""
    env = {**os.environ, "UJUZI_LANG": "fr"}
    done = subprocess.run([str(venv / "bin" / "ujuzi"), "--help"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "open the app window" not in done.stdout and "usage" in done.stdout

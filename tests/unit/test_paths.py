"""Which data directory is used: ``--home``, then ``UJUZI_HOME``, then a ``ujuzi-portable``
marker beside the app (USB stick mode), then the platform's per-user data directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import paths
from app.paths import PORTABLE_MARKER, data_home


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """An installation folder (where a portable marker would go), a per-user data folder
    (platformdirs reads XDG_DATA_HOME on Linux) and two candidate homes."""
    install = tmp_path / "install"
    install.mkdir()
    monkeypatch.setattr(paths, "SOURCE_ROOT", install)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("UJUZI_HOME", raising=False)
    return {"install": install, "xdg": tmp_path / "xdg", "explicit": tmp_path / "explicit",
            "env": tmp_path / "env"}


def test_the_platform_folder_when_nothing_else_is_given(places: dict[str, Path]) -> None:
    assert data_home() == places["xdg"] / "ujuzi"


def test_a_portable_marker_beats_the_platform_folder(places: dict[str, Path]) -> None:
    (places["install"] / PORTABLE_MARKER).touch()
    assert data_home() == places["install"] / "ujuzi-data"


def test_the_environment_beats_a_portable_marker(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    (places["install"] / PORTABLE_MARKER).touch()
    monkeypatch.setenv("UJUZI_HOME", str(places["env"]))
    assert data_home() == places["env"]


def test_an_explicit_home_beats_everything(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    (places["install"] / PORTABLE_MARKER).touch()
    monkeypatch.setenv("UJUZI_HOME", str(places["env"]))
    assert data_home(places["explicit"]) == places["explicit"]


def test_homes_are_absolute_and_expand_the_user(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(places["explicit"].parent))
    assert data_home("~/explicit") == places["explicit"]
    monkeypatch.chdir(places["install"])
    monkeypatch.setenv("UJUZI_HOME", "relative")
    assert data_home() == places["install"] / "relative"


def test_the_command_line_uses_home_over_the_environment(tmp_path: Path) -> None:
    """``ujuzi --home A`` with ``UJUZI_HOME=B`` makes its library in A and leaves B alone."""
    chosen, ignored = tmp_path / "chosen", tmp_path / "ignored"
    env = {**os.environ, "UJUZI_HOME": str(ignored)}
    done = subprocess.run([sys.executable, "-m", "app", "--home", str(chosen), "list"],
                          env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert (chosen / "library.sqlite3").is_file()
    assert not ignored.exists()

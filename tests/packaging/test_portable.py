"""Portable mode: a ``portable`` or ``ujuzi-portable.toml`` file beside the program (the
executable's folder in a bundle, the checkout otherwise) puts the data folder beside it, and
the caches, configuration and temporary files of libraries inside that data folder."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

from app import paths


@pytest.fixture
def bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A bundle folder, as the frozen program sees itself (sys.frozen, sys.executable)."""
    folder = tmp_path / "USB" / "ujuzi"
    folder.mkdir(parents=True)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(folder / "ujuzi"))
    monkeypatch.delenv("UJUZI_HOME", raising=False)
    for variable in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME",
                     "TMPDIR"):
        monkeypatch.setenv(variable, str(tmp_path / "laptop" / variable))
    monkeypatch.setattr(tempfile, "tempdir", None)
    return folder


@pytest.mark.parametrize("marker", ["portable", "ujuzi-portable.toml"])
def test_a_marker_beside_the_executable_keeps_the_data_beside_it(
    bundle: Path, marker: str
) -> None:
    assert paths.data_home() != bundle / "ujuzi-data"
    (bundle / marker).write_text("")
    assert paths.install_root() == bundle
    assert paths.data_home() == bundle / "ujuzi-data"


def test_libraries_write_inside_the_data_folder(bundle: Path) -> None:
    (bundle / "portable").touch()
    paths.keep_inside_portable_folder()
    data = bundle / "ujuzi-data"
    for variable in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME",
                     "TMPDIR"):
        assert Path(os.environ[variable]).is_relative_to(data), variable
    assert Path(tempfile.gettempdir()) == data / "tmp"


def test_without_a_marker_nothing_moves(bundle: Path, tmp_path: Path) -> None:
    paths.keep_inside_portable_folder()
    assert os.environ["TMPDIR"] == str(tmp_path / "laptop" / "TMPDIR")
    assert paths.portable_root() is None

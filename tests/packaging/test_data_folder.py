"""The start-up check of the data folder: a read-only folder or a full disk is said in one
line by the command line (non-zero exit, nothing written) and in a dialog by the window.

The read-only folder is a real read-only file system (a tmpfs mounted ``ro``) when the tests
run as root, where file modes do not stop writes; otherwise a folder made 0555.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.datafolder import check_data_folder
from app.errors import DiskSpaceError, UjuziError
from app.paths import Layout
from tests.conftest import unavailable


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "stick"
    folder.mkdir()
    if os.geteuid() == 0:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs",
                                  str(folder)], capture_output=True, text=True, check=False)
        if mounted.returncode != 0:
            unavailable(f"cannot mount a read-only tmpfs: {mounted.stderr.strip()}")
        try:
            yield folder
        finally:
            subprocess.run(["umount", "-l", str(folder)], check=False)
    else:
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)


def test_a_read_only_data_folder_is_said_in_words(read_only: Path) -> None:
    with pytest.raises(UjuziError, match="cannot be written") as error:
        check_data_folder(Layout(read_only / "ujuzi-data"))
    assert "\n" not in str(error.value) and str(read_only) in str(error.value)


def test_a_full_disk_is_said_in_words(tmp_path: Path) -> None:
    with pytest.raises(DiskSpaceError, match="is full") as error:
        check_data_folder(Layout(tmp_path / "home"), free_space=lambda _path: 4096)
    assert "\n" not in str(error.value)


def test_a_writable_folder_with_room_passes_and_keeps_no_probe(tmp_path: Path) -> None:
    check_data_folder(Layout(tmp_path / "home"))
    assert (tmp_path / "home").is_dir()
    assert not [p for p in (tmp_path / "home").iterdir() if p.name.startswith(".write")]


def run_ujuzi(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "UJUZI_LANG": "en"}
    return subprocess.run([sys.executable, "-m", "app", "--home", str(home), *args],
                          env=env, capture_output=True, text=True, check=False, timeout=120)


def test_the_command_line_says_a_read_only_folder_in_one_line(read_only: Path) -> None:
    done = run_ujuzi("list", home=read_only / "ujuzi-data")
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot be written" in lines[0], done.stderr
    assert "internal error" not in done.stderr


def test_the_window_says_a_read_only_folder(read_only: Path, tmp_path: Path) -> None:
    """Without anyone to click a dialog (a screenshot run) the line goes to stderr."""
    done = run_ujuzi("gui", "--screenshot", str(tmp_path / "shot.png"),
                     home=read_only / "ujuzi-data")
    assert done.returncode == 1, done.stderr
    assert "cannot be written" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "shot.png").exists()


def test_the_window_shows_a_dialog(read_only: Path, qtbot: object) -> None:
    """A real message box, closed by a timer once it is shown, carries the sentence."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.ui.app import run

    seen: list[str] = []

    def close_box() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            box.accept()
        else:
            QTimer.singleShot(20, close_box)

    QTimer.singleShot(20, close_box)
    assert run(home=str(read_only / "ujuzi-data")) == 1
    assert seen and "cannot be written" in seen[0]

"""``ujuzi gui --screenshot`` never waits for anyone: when background work fails, the error
goes to stderr, the picture is still saved and the exit code says something failed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from app.errors import UjuziError
from app.library import Library
from app.packs.importer import import_pack
from tests.conftest import REPO
from tests.packs import make_pack
from tests.ui.conftest import OpenWindow, mark_seeded


def run_screenshot(home: Path, target: Path, open_id: str | None = None
                   ) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "UJUZI_HOME": str(home)}
    env.pop("UJUZI_STARTUP_PROBE", None)
    # A hung window would wait for a click forever: the timeout turns that into a failure.
    return subprocess.run(
        [sys.executable, "-m", "app", "gui", "--screenshot", str(target),
         *(["--open", open_id] if open_id else [])],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_screenshot_of_a_library_that_cannot_be_opened(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "library.sqlite3").write_bytes(b"this is not a database" * 200)
    target = tmp_path / "shot.png"
    result = run_screenshot(home, target)
    assert result.returncode != 0, result.stderr
    assert "library.sqlite3 cannot be opened" in result.stderr
    assert result.stderr.count("cannot be opened") >= 1
    picture = QImage(str(target))
    assert not picture.isNull() and picture.width() >= 1024


def test_screenshot_of_an_article_whose_file_is_gone(tmp_path: Path) -> None:
    home = tmp_path / "home"
    make_pack(tmp_path / "p.ujpack")
    with Library(home) as library:
        import_pack(library, tmp_path / "p.ujpack")
        mark_seeded(library)
        sha256 = library.db.execute(
            "SELECT sha256 FROM files WHERE resource_id = 'org.test.sample/intro'").fetchone()[0]
        library.blobs.path_for(sha256).unlink()
    target = tmp_path / "shot.png"
    result = run_screenshot(home, target, "org.test.sample/intro")
    assert result.returncode != 0, result.stderr
    assert "ujuzi: error:" in result.stderr
    assert not QImage(str(target)).isNull()


def test_screenshot_of_a_good_library_succeeds(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Library(home) as library:
        mark_seeded(library)
    target = tmp_path / "shot.png"
    result = run_screenshot(home, target)
    assert result.returncode == 0, result.stderr
    assert not QImage(str(target)).isNull()


def test_window_is_ready_even_when_the_starter_packs_fail(
    qtbot: QtBot, library: Library, open_window: OpenWindow, errors_shown: list[str],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_library: Library, _reporter: object) -> None:
        raise UjuziError("The starter packs are missing.")

    monkeypatch.setattr("app.starter.seed_starter_packs", broken)
    ctx, window = open_window()  # waits for ready
    assert window.is_ready and ctx.seeding is not None and ctx.seeding.state == "failed"
    assert errors_shown == ["The starter packs are missing."]
    errors_shown.clear()


def test_a_bug_in_a_task_reaches_the_log_with_its_traceback(
    qtbot: QtBot, library: Library, open_window: OpenWindow, errors_shown: list[str],
    tmp_path: Path
) -> None:
    from app import logs

    log = logs.setup(tmp_path / "logs" / "ujuzi.log")
    ctx, _window = open_window()
    try:
        raise KeyError("a bug in a task")
    except KeyError as exc:
        ctx.show_error(exc)
    assert errors_shown == ["Something went wrong: 'a bug in a task'"]
    ctx.show_error(UjuziError("A pack the user can fix."))  # not a bug: not logged
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "KeyError: 'a bug in a task'" in text
    assert "A pack the user can fix" not in text
    errors_shown.clear()  # both were meant to be shown

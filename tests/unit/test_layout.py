"""Every location in the data directory is named by :class:`app.paths.Layout`."""

from __future__ import annotations

import ast
import stat
from pathlib import Path

from app.library import Library
from app.paths import STAGING_PREFIX, Layout

APP = Path(__file__).resolve().parents[2] / "app"
#: Names of things in the data directory, and the pieces they are made of (not ".tmp", which
#: the window also uses beside files the user exports).
NAMES = {"library.sqlite3", "library.lock", ".open-lock", "settings.json", ".lock",
         "backups", "blobs", "tmp", STAGING_PREFIX, "-wal", "-shm"}


def test_every_location_is_in_the_data_directory(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    files = [*layout.database_files, layout.database_setup_lock, layout.writers_lock,
             layout.settings, layout.settings_lock, layout.settings_draft,
             layout.backup(1, "20260101T000000")]
    folders = list(layout.folders)
    assert len(set(files + folders)) == len(files + folders)
    for path in files + folders:
        assert path == tmp_path or tmp_path in path.parents
    assert layout.blob_tmp.parent == layout.blobs  # a verified blob is renamed, never copied


def test_the_files_a_library_makes_are_the_layouts(tmp_path: Path) -> None:
    layout = Layout(tmp_path / "home")
    with Library(layout.home) as library:
        library.settings.set("theme", "dark")
        with library.write_lock():
            pass
    made = {path for path in layout.home.rglob("*")}
    expected = {*layout.folders, *layout.database_files, layout.database_setup_lock,
                layout.writers_lock, layout.settings, layout.settings_lock}
    assert made - {layout.home} <= expected | {layout.database_setup_lock}
    assert {layout.database, layout.writers_lock, layout.settings, layout.settings_lock,
            layout.database_setup_lock} <= made


def test_scratch_folders_are_private_and_listed(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    assert layout.staging_folders() == []
    first, second = layout.new_staging_folder(), layout.new_staging_folder()
    assert first.name.startswith(STAGING_PREFIX) and first.parent == tmp_path
    assert layout.staging_folders() == sorted([first, second])
    assert stat.S_IMODE(first.stat().st_mode) == 0o700
    assert Layout(tmp_path / "missing").staging_folders() == []


def test_no_other_module_names_a_file_of_the_data_directory() -> None:
    offenders = []
    for path in sorted(APP.rglob("*.py")):
        if path == APP / "paths.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in NAMES:
                offenders.append(f"{path.relative_to(APP.parent)}:{node.lineno} {node.value!r}")
    assert offenders == []

"""A learner's data stays theirs: the data directory is private to its user from the start
(folders 0700, files 0600) and is repaired when found open; a deleted note's text is gone
from the database file and its write-ahead log, keeping only the tombstone sync needs."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.library import Library
from app.packs.importer import import_pack
from tests.packs import make_pack

SECRET = "Quokkazebra secret about my landlord 7719"
WORD = b"quokkazebra"


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """Most desktops create files 0644 and folders 0755."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def private_paths(home: Path) -> dict[Path, int]:
    folders = [home, home / "blobs", home / "blobs" / "tmp", home / "backups", home / "logs"]
    files = [home / name for name in ("library.sqlite3", "library.sqlite3-wal",
                                      "library.sqlite3-shm", "settings.json")]
    return {**{f: 0o700 for f in folders}, **{f: 0o600 for f in files if f.exists()}}


def test_a_new_data_directory_is_private(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Library(home) as library:
        library.settings.set("theme", "dark")
        library.add_profile("amina")  # a write: the -wal and -shm files exist now
        with library.write_lock():
            pass
        found = private_paths(home)
        assert home / "library.sqlite3-wal" in found and home / "settings.json" in found
        assert {path: mode(path) for path in found} == found
        for path in home.rglob("*"):
            if path.is_file():
                assert mode(path) & 0o077 == 0, path


def test_open_modes_are_repaired_on_the_next_start(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Library(home) as library:
        library.settings.set("theme", "dark")
    for path, wanted in private_paths(home).items():
        path.chmod(0o755 if wanted == 0o700 else 0o644)
    with Library(home) as library:
        library.add_profile("amina")
        found = private_paths(home)
        assert {path: mode(path) for path in found} == found


def test_an_existing_folder_chosen_as_home_becomes_private(tmp_path: Path) -> None:
    home = tmp_path / "shared-folder"
    home.mkdir(mode=0o755)
    with Library(home):
        assert mode(home) == 0o700


def _raw_bytes(home: Path) -> bytes:
    return b"".join(path.read_bytes() for path in home.iterdir()
                    if path.name.startswith("library.sqlite3") and path.is_file())


@pytest.mark.parametrize("length", [1, 400], ids=["short", "longer than a page"])
def test_a_deleted_note_leaves_no_text_behind(tmp_path: Path, length: int) -> None:
    text = " ".join([SECRET] * length)
    home = tmp_path / "home"
    make_pack(tmp_path / "p.ujpack")
    with Library(home) as library:
        import_pack(library, tmp_path / "p.ujpack")
        kept = library.add_note("org.test.sample/intro", "A note that stays")
        note = library.add_note("org.test.sample/intro", text, at_seconds=12.5)
        library.db.execute("PRAGMA wal_checkpoint(PASSIVE)")  # some of it reaches the db file
        later = library.add_note("org.test.sample/intro", "Another note after it")
        assert SECRET.encode() in _raw_bytes(home)
        library.delete_note(note["id"])

        raw = _raw_bytes(home)  # while the library is still open, as in the window
        assert SECRET.encode() not in raw and WORD not in raw.lower()
        assert b"landlord" not in raw.lower()
        row = library.db.execute(
            "SELECT body, at_seconds, deleted FROM notes WHERE id = ?", (note["id"],)
        ).fetchone()
        assert row == ("", None, 1)  # the tombstone sync needs, without the text
        # Zeroing freed space is on in Debian's SQLite build anyway; the library asks for it.
        assert library.db.execute("PRAGMA secure_delete").fetchone() == (1,)
        assert [n["id"] for n in library.notes()] == [kept["id"], later["id"]]
    raw = _raw_bytes(home)
    assert SECRET.encode() not in raw and WORD not in raw.lower()
    conn = sqlite3.connect(home / "library.sqlite3")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT COUNT(*) FROM notes").fetchone() == (3,)
    finally:
        conn.close()


def test_deleted_notes_stay_out_of_search(tmp_path: Path) -> None:
    from app.search.query import search

    make_pack(tmp_path / "p.ujpack")
    with Library(tmp_path / "home") as library:
        import_pack(library, tmp_path / "p.ujpack")
        note = library.add_note("org.test.sample/intro", SECRET)
        assert search(library, "quokkazebra").hits
        library.delete_note(note["id"])
        assert not search(library, "quokkazebra").hits
        library.add_note("org.test.sample/intro", "quokkazebra again")
        assert len(search(library, "quokkazebra").hits) == 1

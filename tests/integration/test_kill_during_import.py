"""A real ``ujuzi import`` process killed with SIGKILL mid-way leaves the library as it was."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.library import Library
from app.packs.importer import import_pack
from tests.packs import make_pack

FILES = 20
FILE_BYTES = 5 * 1024 * 1024


@pytest.fixture(scope="module")
def big_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("big") / "big.ujpack"
    media = {f"clip{i:02}": os.urandom(FILE_BYTES) for i in range(FILES)}
    make_pack(out, pack_id="org.test.big", media=media)
    return out


@pytest.mark.parametrize("kill_at_percent", [5, 40, 70])
def test_sigkill_mid_import(tmp_path: Path, big_pack: Path, kill_at_percent: int) -> None:
    home = tmp_path / "home"
    make_pack(tmp_path / "small.ujpack", pack_id="org.test.small")
    with Library(home) as library:
        import_pack(library, tmp_path / "small.ujpack")
        library.record_progress("org.test.small/intro", complete=True)
        before_packs = library.packs()

    child = subprocess.Popen(
        [sys.executable, "-m", "app", "--home", str(home), "import", str(big_pack)],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )
    assert child.stderr is not None
    # Progress lines ("import: 40% media/clip07.webm") arrive as the bytes are stored.
    for line in child.stderr:
        percent = int(line.split(":")[1].split("%")[0]) if line.startswith("import:") else 0
        if percent >= kill_at_percent:
            child.send_signal(signal.SIGKILL)
            break
    child.wait()
    child.stderr.close()
    assert child.returncode == -signal.SIGKILL, "the import finished before it could be killed"

    conn = sqlite3.connect(home / "library.sqlite3")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    with Library(home) as library:
        assert library.packs() == before_packs
        assert not library.has_pack("org.test.big")
        assert library.progress("org.test.small/intro")["completed"] is True
        # The next import cleans up what the killed one left and succeeds in full.
        result = import_pack(library, big_pack)
        assert result.status == "imported"
        assert len(library.pack("org.test.big")["sections"][0]["resources"]) == FILES + 1
        assert list(library.blobs.tmp.iterdir()) == []
        stored = set(library.blobs.all_hashes())
        referenced = {r[0] for r in library.db.execute("SELECT sha256 FROM files")}
        assert stored == referenced
        assert library.verify().damaged == []  # every stored blob hashes to its name

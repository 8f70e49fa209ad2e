"""``ujuzi import A BAD C`` in a real process: each crafted input gets one clear line on stderr,
the command exits non-zero, A and C are imported, and nothing of BAD stays behind."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from app.library import Library
from app.paths import STAGING_PREFIX
from tests.packs import make_pack
from tests.unit.packs.craft import (
    OLX_COURSE,
    claiming_zip,
    deep_scorm_manifest,
    patch_member,
    scorm_zip,
    tar_gz,
    zeros_zip,
)

REPO = Path(__file__).resolve().parents[2]
MIB = 1024 * 1024


def _encrypted(path: Path) -> Path:
    scorm_zip(path, {"secret.html": b"<p>hidden</p>"})
    patch_member(path, "secret.html", flags=0x1)
    return path


def _method(path: Path) -> Path:
    scorm_zip(path, {"odd.html": b"<p>odd</p>"}, compression=zipfile.ZIP_STORED)
    patch_member(path, "odd.html", method=99)
    return path


def _mediawiki(path: Path) -> Path:
    path = path.with_suffix(".xml")
    path.write_text(
        '<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/" xml:lang="en">'
        '<siteinfo><sitename>W</sitename><namespaces><namespace key="x">Help</namespace>'
        "</namespaces></siteinfo><page><title>A</title><ns>0</ns><revision>"
        "<text>Some text.</text></revision></page></mediawiki>",
        encoding="utf-8",
    )
    return path


BAD: dict[str, tuple[Callable[[Path], Path], str]] = {
    "encrypted member": (_encrypted, "encrypted"),
    "compression method 99": (_method, "compression method"),
    "manifest nested 5000 deep": (
        lambda p: scorm_zip(p, manifest=deep_scorm_manifest(5000)), "nested more than"),
    "file and folder in a zip": (
        lambda p: scorm_zip(p, {"css": b"x", "css/a.css": b"p{}"}), "both a file and a folder"),
    "file and folder in a tar": (
        lambda p: tar_gz(p.with_suffix(".tar.gz"), {"c/course.xml": OLX_COURSE, "c/x": b"a",
                                                    "c/x/y": b"b"}),
        "both a file and a folder"),
    "namespace key not a number": (_mediawiki, "namespace key"),
    "zip of zeros": (lambda p: zeros_zip(p, 40, MIB), "-fold"),
    "a million entries claimed": (
        lambda p: claiming_zip(p, 1_000_000, zip64=True), "has 1,000,000 files"),
}


def run_import(home: Path, *paths: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "UJUZI_HOME": str(home), "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "app", "import", *map(str, paths)],
        capture_output=True, text=True, env=env, cwd=REPO, check=False,
    )


def error_lines(stderr: str) -> list[str]:
    """stderr without the progress lines."""
    return [line for line in stderr.splitlines()
            if line.strip() and not re.match(r"[\w-]+: \d+% ", line)]


def assert_library_holds_only(home: Path, pack_ids: set[str]) -> None:
    conn = sqlite3.connect(home / "library.sqlite3")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    with Library(home) as library:
        assert {p["id"] for p in library.packs()} == pack_ids
        referenced = {r[0] for r in library.db.execute("SELECT sha256 FROM files")}
        assert set(library.blobs.all_hashes()) == referenced  # no orphaned blobs
        assert not any(library.blobs.tmp.iterdir()) if library.blobs.tmp.exists() else True
    assert list(home.glob(f"{STAGING_PREFIX}*")) == []


@pytest.mark.parametrize("case", list(BAD))
def test_batch_survives_a_crafted_input(tmp_path: Path, case: str) -> None:
    make, expected = BAD[case]
    first = tmp_path / "first.ujpack"
    make_pack(first, pack_id="org.test.first")
    bad = make(tmp_path / "bad.zip")
    last = scorm_zip(tmp_path / "last.zip")
    home = tmp_path / "home"

    done = run_import(home, first, bad, last)

    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    errors = error_lines(done.stderr)
    assert len(errors) == 1, done.stderr
    assert errors[0].startswith(f"ujuzi: {bad}: ") and expected in errors[0]
    assert "Imported org.test.first" in done.stdout
    assert "Imported scorm.org-test-scorm" in done.stdout
    assert_library_holds_only(home, {"org.test.first", "scorm.org-test-scorm"})


def test_a_killed_import_leaves_no_scratch_folder_after_the_next_start(tmp_path: Path) -> None:
    home = tmp_path / "home"
    big = scorm_zip(tmp_path / "big.zip", {f"clip{i}.webm": os.urandom(4 * MIB)
                                           for i in range(12)}, compression=zipfile.ZIP_STORED)
    env = {**os.environ, "UJUZI_HOME": str(home), "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-m", "app", "import", str(big)],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env, cwd=REPO,
    )
    assert child.stderr is not None
    for line in child.stderr:
        if line.startswith("import:"):  # the converted pack is being stored
            child.send_signal(signal.SIGKILL)
            break
    child.wait()
    child.stderr.close()
    assert child.returncode == -signal.SIGKILL, "the import finished before it could be killed"
    assert len(list(home.glob(f"{STAGING_PREFIX}*"))) == 1
    listed = subprocess.run([sys.executable, "-m", "app", "list"], capture_output=True,
                            text=True, env=env, cwd=REPO, check=False)
    assert listed.returncode == 0, listed.stderr
    assert list(home.glob(f"{STAGING_PREFIX}*")) == []  # gone when the library was opened

    small = tmp_path / "small.ujpack"
    make_pack(small, pack_id="org.test.small")
    done = run_import(home, small)
    assert done.returncode == 0, done.stderr
    assert_library_holds_only(home, {"org.test.small"})

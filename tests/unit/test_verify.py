"""``ujuzi verify``: every stored file checked against its checksum and size, in a real
library whose blobs are then truncated, deleted and altered on disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.library import Library
from app.packs.importer import import_pack
from tests.packs import make_pack

VIDEO = b"\x1a\x45\xdf\xa3" + bytes(300_000)
SHARED = "# Shared\n\nThe same words in two packs.\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def two_packs(library: Library, tmp_path: Path) -> Library:
    make_pack(tmp_path / "a.ujpack", "org.test.a", articles={"intro": SHARED, "own": "# Own\n"},
              media={"clip": VIDEO})
    make_pack(tmp_path / "b.ujpack", "org.test.b", articles={"shared": SHARED})
    import_pack(library, tmp_path / "a.ujpack")
    import_pack(library, tmp_path / "b.ujpack")
    return library


def _blob(library: Library, resource_id: str) -> Path:
    return library.main_file(resource_id)


def test_an_intact_library(capsys: pytest.CaptureFixture[str], two_packs: Library) -> None:
    code, out, err = run(capsys, "verify")
    assert code == 0
    assert out.startswith("All 3 stored files (") and "are intact" in out
    assert "verifying: 100%" in err  # progress on stderr, as import shows it
    code, out, _ = run(capsys, "verify", "--json")
    report = json.loads(out)
    assert code == 0 and report["checked"] == 3 and report["damaged"] == []
    assert report["bytes"] == len(VIDEO) + len(SHARED) + len("# Own\n")


def test_an_empty_library(capsys: pytest.CaptureFixture[str], home: Path) -> None:
    code, out, _ = run(capsys, "verify", "--json")
    assert code == 0 and json.loads(out) == {"checked": 0, "bytes": 0, "damaged": []}


def test_truncated_deleted_and_altered_files_are_reported(
        capsys: pytest.CaptureFixture[str], two_packs: Library) -> None:
    clip = _blob(two_packs, "org.test.a/clip")
    with open(clip, "r+b") as stream:
        stream.truncate(1000)
    shared = _blob(two_packs, "org.test.b/shared")
    shared.unlink()
    own = _blob(two_packs, "org.test.a/own")
    own.write_bytes(b"# Owm\n")  # the same size, other bytes
    code, out, _ = run(capsys, "verify", "--json")
    assert code == 3
    damaged = {blob["sha256"]: blob for blob in json.loads(out)["damaged"]}
    assert damaged[clip.name]["problem"] == "wrong-size"
    assert (damaged[clip.name]["size"], damaged[clip.name]["actual_size"]) == (len(VIDEO), 1000)
    assert damaged[clip.name]["files"] == [
        {"pack_id": "org.test.a", "resource_id": "org.test.a/clip", "path": "media/clip.webm"}]
    assert damaged[shared.name]["problem"] == "missing"
    assert damaged[shared.name]["actual_size"] is None
    assert damaged[shared.name]["files"] == [  # one file, used by two packs
        {"pack_id": "org.test.a", "resource_id": "org.test.a/intro",
         "path": "articles/intro.md"},
        {"pack_id": "org.test.b", "resource_id": "org.test.b/shared",
         "path": "articles/shared.md"},
    ]
    assert damaged[own.name]["problem"] == "corrupt"
    assert len(damaged) == 3
    code, out, _ = run(capsys, "verify")
    assert code == 3
    assert f"Damaged: {shared.name}: missing" in out
    assert f"Damaged: {clip.name}: 1,000 bytes instead of 293 kB" in out
    assert f"Damaged: {own.name}: corrupt" in out
    assert "    org.test.b/shared  articles/shared.md" in out
    assert out.rstrip().endswith("3 of 3 stored files are damaged, in these packs: "
                                 "org.test.a, org.test.b")


def test_a_damaged_file_is_named_once_a_reimport_repairs_it(
        capsys: pytest.CaptureFixture[str], two_packs: Library, tmp_path: Path) -> None:
    """A missing file makes verify fail until the pack that has it is imported again."""
    _blob(two_packs, "org.test.b/shared").unlink()
    assert run(capsys, "verify")[0] == 3
    import_pack(two_packs, tmp_path / "b.ujpack")
    assert run(capsys, "verify")[0] == 0

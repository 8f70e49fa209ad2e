"""Installing a downloaded pack: the blob store adopts the verified files by a link (no
second copy), checks them once more, and an import that fails keeps the downloads."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from app.errors import ChecksumError, VersionError
from app.library import Library
from app.packs.importer import install_manifest
from app.packs.manifest import parse_manifest, unique_files
from tests.packs import make_pack


def _downloaded(library: Library, pack: Path) -> tuple[bytes, dict[str, Path]]:
    """The pack's manifest bytes and its files placed in downloads/ as the client does."""
    with zipfile.ZipFile(pack) as archive:
        raw = archive.read("pack.json")
        files = {}
        for entry in unique_files(parse_manifest(raw)):
            target = library.layout.download_done(entry["sha256"])
            target.write_bytes(archive.read(entry["path"]))
            files[entry["path"]] = target
    return raw, files


def test_installed_files_are_links_to_the_downloads_not_copies(
        library: Library, tmp_path: Path) -> None:
    pack = tmp_path / "p.ujpack"
    make_pack(pack, media={"clip": b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 40})
    raw, files = _downloaded(library, pack)
    result = install_manifest(library, raw, files)
    assert (result.status, result.files_stored) == ("imported", 2)
    for path, download in files.items():
        blob = library.blobs.path_for(hashlib.sha256(download.read_bytes()).hexdigest())
        assert blob.stat().st_ino == download.stat().st_ino, path
    assert library.verify().damaged == []
    assert library.pack("org.test.sample")["manifest"]["version"] == "1.0.0"
    assert list(library.layout.blob_tmp.iterdir()) == []


def test_a_download_changed_after_its_check_is_refused_and_nothing_installed(
        library: Library, tmp_path: Path) -> None:
    pack = tmp_path / "p.ujpack"
    make_pack(pack, media={"clip": b"x" * 5000})
    raw, files = _downloaded(library, pack)
    damaged = next(path for name, path in files.items() if name.endswith(".webm"))
    damaged.write_bytes(b"y" * 5000)  # same size, other bytes
    with pytest.raises(ChecksumError, match="checksum"):
        install_manifest(library, raw, files)
    assert library.packs() == []
    assert list(library.blobs.all_hashes()) == []
    assert all(path.exists() for path in files.values())  # the downloads stay


def test_a_failed_install_keeps_the_downloads_for_the_next_attempt(
        library: Library, tmp_path: Path) -> None:
    newer, older = tmp_path / "new.ujpack", tmp_path / "old.ujpack"
    make_pack(newer, version="2.0.0")
    make_pack(older, version="1.0.0", articles={"other": "# Other\n\nOther text here.\n"})
    raw, files = _downloaded(library, newer)
    install_manifest(library, raw, files)
    old_raw, old_files = _downloaded(library, older)
    with pytest.raises(VersionError):
        install_manifest(library, old_raw, old_files)
    assert all(path.exists() for path in old_files.values())
    assert [pack["version"] for pack in library.packs()] == ["2.0.0"]

"""Archives that try to hurt: bombs, entry-count floods, members a reader cannot read, names
that are a file and a folder at once. Each is refused with one clear line and the library
is left as it was."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from app.errors import PackError, UnsafeArchiveError
from app.library import Library
from app.packs import archive as archive_module
from app.packs.archive import MAX_MEMBERS, ExpansionBudget, PackArchive
from app.packs.importer import import_pack
from app.packs.importers import import_any
from tests.packs import make_pack
from tests.unit.packs.craft import (
    OLX_COURSE,
    claiming_zip,
    many_entries_zip,
    patch_member,
    scorm_zip,
    tar_gz,
    zeros_zip,
)
from tests.unit.packs.importers.helpers import assert_unchanged

MIB = 1024 * 1024


def test_small_members_of_zeros_are_a_bomb_as_a_whole(library: Library, tmp_path: Path) -> None:
    # 40 members of 1 MiB of zeros: each under any per-file floor, 1000:1 together.
    path = zeros_zip(tmp_path / "zeros.zip", 40, MIB)
    assert path.stat().st_size < 200 * 1024
    with pytest.raises(UnsafeArchiveError) as error:
        import_any(library, path)
    message = str(error.value)
    assert "zeros.zip" in message and "-fold" in message and "200" in message
    assert "\n" not in message
    assert_unchanged(library)


def test_many_small_bombs_beside_real_media_are_refused(
    library: Library, tmp_path: Path
) -> None:
    # Incompressible media keeps the archive's overall ratio low; the zero-filled members
    # still expand a thousand-fold each and together pass the floor.
    path = zeros_zip(tmp_path / "mixed.zip", 20, MIB, stored={"clip.webm": os.urandom(MIB)})
    with pytest.raises(UnsafeArchiveError, match="zip bomb"):
        import_any(library, path)
    assert_unchanged(library)


def test_tar_bomb_is_refused_while_reading_headers(library: Library, tmp_path: Path) -> None:
    files = {"course/course.xml": OLX_COURSE}
    files.update({f"course/static/zeros{i}.bin": bytes(MIB) for i in range(40)})
    path = tar_gz(tmp_path / "bomb.tar.gz", files)
    assert path.stat().st_size < 200 * 1024
    with pytest.raises(UnsafeArchiveError, match="-fold"):
        import_any(library, path)
    assert_unchanged(library)


def test_ordinary_text_heavy_archives_pass(library: Library, tmp_path: Path) -> None:
    text = b"<p>Wikipedia is written by volunteers, one edit at a time.</p>\n" * 2000
    path = scorm_zip(tmp_path / "text.zip", {f"page{i}.html": text for i in range(5)})
    report = import_any(library, path)
    assert report.status == "imported"


def test_a_member_longer_than_declared_is_stopped(tmp_path: Path) -> None:
    budget = ExpansionBudget("x.zip", limit=10 * MIB)
    source = io.BytesIO(bytes(3 * MIB))
    with open(tmp_path / "out", "wb") as target, pytest.raises(UnsafeArchiveError,
                                                                match="longer than"):
        budget.copy(source, target, declared=MIB, name="big.bin")
    assert (tmp_path / "out").stat().st_size <= MIB


def test_the_budget_stops_at_its_limit(tmp_path: Path) -> None:
    budget = ExpansionBudget("x.zip", limit=2 * MIB)
    with open(tmp_path / "out", "wb") as target:
        budget.copy(io.BytesIO(bytes(MIB)), target, declared=MIB, name="a")
        budget.copy(io.BytesIO(bytes(MIB)), target, declared=MIB, name="b")
        with pytest.raises(UnsafeArchiveError, match="expands past"):
            budget.copy(io.BytesIO(bytes(MIB)), target, declared=MIB, name="c")
    assert budget.written <= 2 * MIB


def test_a_zip_whose_member_stream_outgrows_its_header_is_refused(
    library: Library, tmp_path: Path
) -> None:
    path = scorm_zip(tmp_path / "liar.zip", {"data.bin": bytes(MIB)})
    data = bytearray(path.read_bytes())
    # Declare 10 bytes for a member whose deflated stream holds a mebibyte.
    central = data.find(b"PK\x01\x02", data.find(b"data.bin") - 60)
    while data[central + 46:central + 54] != b"data.bin":
        central = data.find(b"PK\x01\x02", central + 4)
    data[central + 24:central + 28] = (10).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(PackError):
        import_any(library, path)
    assert_unchanged(library)


# -- entry counts, read from the end record before anything is parsed ----------------------


def test_an_end_record_claiming_a_million_entries_is_refused_first(
    library: Library, tmp_path: Path
) -> None:
    path = claiming_zip(tmp_path / "million.zip", 1_000_000, zip64=True)
    with pytest.raises(UnsafeArchiveError) as error:
        import_any(library, path)
    assert "million.zip has 1,000,000 files; the limit is 100,000" in str(error.value)
    assert_unchanged(library)


def test_the_count_is_checked_before_zipfile_reads_the_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = claiming_zip(tmp_path / "million.zip", 1_000_000, zip64=True)
    opened: list[object] = []
    monkeypatch.setattr(archive_module.zipfile, "ZipFile",
                        lambda *args, **kwargs: opened.append(args))
    with pytest.raises(UnsafeArchiveError, match="1,000,000"):
        PackArchive(path, 2**40)
    assert opened == []


def test_a_real_zip_with_too_many_entries_names_the_count(
    library: Library, tmp_path: Path
) -> None:
    path = many_entries_zip(tmp_path / "many.zip", 200_000)
    with pytest.raises(UnsafeArchiveError) as error:
        import_any(library, path)
    assert "has 200,000 files; the limit is 100,000" in str(error.value)
    assert_unchanged(library)


def test_a_directory_holding_more_entries_than_the_end_record_says(
    library: Library, tmp_path: Path
) -> None:
    path = many_entries_zip(tmp_path / "liar.zip", MAX_MEMBERS + 1, claim=3)
    with pytest.raises(UnsafeArchiveError, match="more than 100,000 files"):
        import_any(library, path)
    assert_unchanged(library)


def test_zip64_end_records_are_read(library: Library, tmp_path: Path) -> None:
    path = many_entries_zip(tmp_path / "z64.zip", 10, zip64=True)
    with zipfile.ZipFile(path) as archive:
        assert len(archive.infolist()) == 10  # the crafted file is a valid zip
    assert archive_module.zip_entry_count(path) == 10


# -- members a reader cannot read --------------------------------------------------------


def test_encrypted_member(library: Library, tmp_path: Path) -> None:
    path = scorm_zip(tmp_path / "enc.zip", {"secret.html": b"<p>hidden</p>"})
    patch_member(path, "secret.html", flags=0x1)
    with pytest.raises(PackError, match="encrypted"):
        import_any(library, path)
    assert_unchanged(library)


def test_encrypted_member_of_a_pack(library: Library, tmp_path: Path) -> None:
    make_pack(tmp_path / "p.ujpack", media={"clip": b"\x1aE\xdf\xa3" + bytes(1000)})
    patch_member(tmp_path / "p.ujpack", "media/clip.webm", flags=0x1)
    with pytest.raises(PackError, match="encrypted"):
        import_pack(library, tmp_path / "p.ujpack")
    assert library.packs() == []


@pytest.mark.parametrize("method", [99, 9])
def test_unknown_compression_method(library: Library, tmp_path: Path, method: int) -> None:
    path = scorm_zip(tmp_path / "method.zip", {"odd.html": b"<p>odd</p>"},
                     compression=zipfile.ZIP_STORED)
    patch_member(path, "odd.html", method=method)
    with pytest.raises(PackError, match=f"compression method.*{method}"):
        import_any(library, path)
    assert_unchanged(library)


def test_bzip2_members_are_read(library: Library, tmp_path: Path) -> None:
    path = scorm_zip(tmp_path / "bz.zip", {"page.html": b"<p>bzip2</p>" * 100},
                     compression=zipfile.ZIP_BZIP2)
    assert import_any(library, path).status == "imported"


# -- a name that is a file and a folder ----------------------------------------------------


def test_zip_with_a_file_and_a_folder_of_the_same_name(
    library: Library, tmp_path: Path
) -> None:
    path = scorm_zip(tmp_path / "clash.zip", {"assets": b"a file", "assets/a.css": b"p{}"})
    with pytest.raises(UnsafeArchiveError, match="both a file and a folder: assets"):
        import_any(library, path)
    assert_unchanged(library)


@pytest.mark.parametrize("order", ["file first", "folder first"])
def test_tar_with_a_file_and_a_folder_of_the_same_name(
    library: Library, tmp_path: Path, order: str
) -> None:
    pairs = [("course/static", b"a file"), ("course/static/a.css", b"p{}")]
    if order == "folder first":
        pairs.reverse()
    path = tar_gz(tmp_path / "clash.tar.gz", {"course/course.xml": OLX_COURSE, **dict(pairs)})
    with pytest.raises(UnsafeArchiveError, match="both a file and a folder: course/static"):
        import_any(library, path)
    assert_unchanged(library)

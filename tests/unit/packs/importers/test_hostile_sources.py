"""Importer inputs that used to end in a traceback or leave files behind: deep XML, a
MediaWiki export with a bad namespace key, scratch folders of killed imports, disks too small
for the working copy, converted packs too big for one manifest."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.errors import DiskSpaceError, PackError
from app.library import Library
from app.packs.importers import import_any
from app.packs.importers.xmlutil import MAX_XML_DEPTH, parse
from app.paths import STAGING_PREFIX
from app.tasks import Reporter
from tests.packs import make_pack
from tests.unit.packs.craft import deep_scorm_manifest, scorm_zip
from tests.unit.packs.importers.helpers import assert_unchanged

MIB = 1024 * 1024


def test_scorm_manifest_nested_5000_deep(library: Library, tmp_path: Path) -> None:
    path = scorm_zip(tmp_path / "deep.zip", manifest=deep_scorm_manifest(5000))
    with pytest.raises(PackError) as error:
        import_any(library, path)
    assert "nested more than" in str(error.value) and "imsmanifest.xml" in str(error.value)
    assert_unchanged(library)


@pytest.mark.parametrize("mark", ["\u202e", "\x85", "\x7f"])
def test_a_file_name_with_a_text_direction_mark_is_skipped_not_fatal(
    library: Library, tmp_path: Path, mark: str
) -> None:
    """The schema refuses such names in a pack; the converter leaves the file out and says
    why instead of writing a manifest the schema refuses."""
    name = f"css/a{mark}b.css"
    report = import_any(library, scorm_zip(tmp_path / "marks.zip", {name: b"p{}"}))
    assert report.status == "imported"
    assert [skipped.item for skipped in report.skipped] == [name]

def test_xml_depth_limit_is_generous_for_real_documents() -> None:
    depth = MAX_XML_DEPTH
    document = b"<a>" * depth + b"</a>" * depth
    assert parse(document, "ok.xml").tag == "a"
    with pytest.raises(PackError, match="nested more than"):
        parse(b"<a>" * (depth + 1) + b"</a>" * (depth + 1), "deep.xml")


EXPORT = """<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/" xml:lang="en">
  <siteinfo><sitename>Test wiki</sitename><namespaces>
    <namespace key="{key}" case="first-letter">Help</namespace>
  </namespaces></siteinfo>
  <page><title>Editing</title><ns>0</ns><revision><timestamp>2024-01-01T00:00:00Z</timestamp>
    <text>'''Editing''' a page takes a minute. Click edit, change the text, save.</text>
  </revision></page>
</mediawiki>
"""


@pytest.mark.parametrize("key", ["help", "\u00b2"])
def test_mediawiki_namespace_key_that_is_not_a_number(
    library: Library, tmp_path: Path, key: str
) -> None:
    path = tmp_path / "export.xml"
    path.write_text(EXPORT.format(key=key), encoding="utf-8")
    with pytest.raises(PackError, match=f"namespace key '{key}' is not a number"):
        import_any(library, path)
    assert_unchanged(library)
    path.write_text(EXPORT.format(key="12").replace("<ns>0</ns>", "<ns>\u00b2</ns>"),
                    encoding="utf-8")
    assert import_any(library, path).resources == 1  # an odd page namespace counts as main


# -- scratch folders -------------------------------------------------------------------------


def test_leftover_scratch_folders_go_at_the_next_import(library: Library, tmp_path: Path) -> None:
    home = Path(library.layout.home)
    old = home / f"{STAGING_PREFIX}killed"  # a folder from before owner files existed
    (old / "src").mkdir(parents=True)
    (old / "src" / "big.bin").write_bytes(bytes(1024))
    orphan = home / f"{STAGING_PREFIX}orphan"  # its owner process is gone: nobody locks it
    orphan.mkdir()
    (orphan / ".owner").write_text("12345")
    make_pack(tmp_path / "p.ujpack")
    import_any(library, tmp_path / "p.ujpack")
    assert sorted(p.name for p in home.glob(f"{STAGING_PREFIX}*")) == []


def test_a_running_import_keeps_its_scratch_folder(library: Library, tmp_path: Path) -> None:
    make_pack(tmp_path / "p.ujpack")
    with library.scratch_folder() as running:
        (Path(running) / "work.bin").write_bytes(b"in progress")
        import_any(library, tmp_path / "p.ujpack")
        with library.write_lock():
            library.remove_stale_scratch()
        assert (Path(running) / "work.bin").read_bytes() == b"in progress"
    assert not Path(running).exists()


# -- free space ------------------------------------------------------------------------------


def _staged(home: Path) -> list[str]:
    return sorted(p.name for p in home.glob(f"{STAGING_PREFIX}*/src/*"))


def test_free_space_is_checked_before_staging(tmp_path: Path) -> None:
    path = scorm_zip(tmp_path / "big.zip", {"clip.webm": os.urandom(3 * MIB)})
    seen: list[str] = []
    with Library(tmp_path / "home", free_space=lambda _path: 4 * MIB) as library:
        home = Path(library.layout.home)
        reporter = Reporter(cancel=lambda: bool(seen.extend(_staged(home))))
        with pytest.raises(DiskSpaceError) as error:
            import_any(library, path, reporter)
        assert_unchanged(library)
    message = str(error.value)
    assert "big.zip" in message and "kept free" in message and "free at least" in message
    assert seen == []  # refused before the converter copied anything


def test_free_space_is_watched_while_staging(tmp_path: Path) -> None:
    """The disk fills while the source is unpacked (another program writing): the import
    stops at the floor kept free instead of filling the disk, and its scratch folder goes at
    once."""
    path = scorm_zip(tmp_path / "big.zip", {f"clip{i}.webm": os.urandom(MIB) for i in range(6)})
    free = [100 * MIB]
    seen: list[str] = []
    with Library(tmp_path / "home", free_space=lambda _path: free[0]) as library:
        home = Path(library.layout.home)

        def cancel() -> bool:
            seen[:] = _staged(home)
            if "clip2.webm" in seen:
                free[0] = 512 * 1024  # another program filled the disk
            return False

        with pytest.raises(DiskSpaceError, match="free at least"):
            import_any(library, path, Reporter(cancel=cancel))
        assert_unchanged(library)
    assert "clip5.webm" not in seen


def test_a_source_too_big_for_one_manifest_is_named(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The converted manifest is measured before the pack is written (the limit is lowered
    here; a real one takes over 100,000 files with long names)."""
    from app.packs.importers import common

    monkeypatch.setattr(common, "MAX_MANIFEST_BYTES", 4096)
    path = scorm_zip(tmp_path / "wide.zip", {f"page{i:03d}.html": b"<p>x</p>" for i in range(40)})
    with pytest.raises(PackError, match=r"wide\.zip has too many files for one pack"):
        import_any(library, path)
    assert_unchanged(library)


def test_opening_a_library_keeps_the_scratch_folder_of_a_running_import(home: Path) -> None:
    with Library(home) as library, library.scratch_folder() as running:
        (running / "half.bin").write_bytes(b"x" * 10)
        stale = library.layout.new_staging_folder()  # a killed import's: nobody holds it
        with Library(home):
            pass
        assert running.is_dir() and (running / "half.bin").exists()
        assert not stale.exists()
    assert not running.exists()

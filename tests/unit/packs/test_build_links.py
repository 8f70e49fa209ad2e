"""Symbolic links in a folder being built: a pack holds only what is inside the folder. A
link to a file outside is refused, naming the link; a link to a folder is never followed;
a link to a file inside the folder is packed like the file."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from app.errors import BuildError
from app.packs.build import build_pack

LICENCE = "license: CC-BY-SA-4.0\nattribution: Wikimedia volunteers\n"
SECRET = "# Private\n\nThe secret word is quetzalcoatl.\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "lesson"
    (root / "01-basics").mkdir(parents=True)
    (root / "pack.yaml").write_text(LICENCE)
    (root / "01-basics" / "intro.md").write_text("# Intro\n\nHello.\n")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.md").write_text(SECRET)
    (tmp_path / "outside" / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\nquetzalcoatl")
    return root


def packed(out: Path) -> bytes:
    with zipfile.ZipFile(out) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())


def test_a_link_to_a_file_outside_is_refused_by_name(folder: Path, tmp_path: Path) -> None:
    (folder / "01-basics" / "notes.md").symlink_to(tmp_path / "outside" / "secret.md")
    out = tmp_path / "out.ujpack"
    with pytest.raises(BuildError, match=re.escape("01-basics/notes.md")) as caught:
        build_pack(folder, out)
    assert "outside the pack folder" in str(caught.value)
    assert not out.exists()


def test_a_relative_link_climbing_out_is_refused(folder: Path, tmp_path: Path) -> None:
    (folder / "notes.md").symlink_to(Path("..") / "outside" / "secret.md")
    with pytest.raises(BuildError, match=re.escape("notes.md")):
        build_pack(folder, tmp_path / "out.ujpack")


def test_a_link_to_a_folder_outside_is_not_followed(folder: Path, tmp_path: Path) -> None:
    (folder / "02-more").symlink_to(tmp_path / "outside", target_is_directory=True)
    out = tmp_path / "out.ujpack"
    result = build_pack(folder, out)
    assert any("02-more" in warning for warning in result.warnings)
    assert b"quetzalcoatl" not in packed(out)


def test_a_cover_linked_from_outside_is_refused(folder: Path, tmp_path: Path) -> None:
    (folder / "cover.png").symlink_to(tmp_path / "outside" / "secret.png")
    with pytest.raises(BuildError, match=re.escape("cover.png")):
        build_pack(folder, tmp_path / "out.ujpack")


def test_a_cover_through_a_linked_folder_is_refused(folder: Path, tmp_path: Path) -> None:
    (folder / "art").symlink_to(tmp_path / "outside", target_is_directory=True)
    (folder / "pack.yaml").write_text(LICENCE + "cover: art/secret.png\n")
    with pytest.raises(BuildError, match=re.escape("art/secret.png")):
        build_pack(folder, tmp_path / "out.ujpack")


def test_a_pack_yaml_linked_from_outside_is_refused(folder: Path, tmp_path: Path) -> None:
    (tmp_path / "outside" / "pack.yaml").write_text(LICENCE + "title: From elsewhere\n")
    (folder / "pack.yaml").unlink()
    (folder / "pack.yaml").symlink_to(tmp_path / "outside" / "pack.yaml")
    with pytest.raises(BuildError, match=re.escape("pack.yaml")):
        build_pack(folder, tmp_path / "out.ujpack")


def test_a_link_inside_the_folder_is_packed_like_the_file(folder: Path, tmp_path: Path) -> None:
    (folder / "01-basics" / "again.md").symlink_to("intro.md")
    out = tmp_path / "out.ujpack"
    result = build_pack(folder, out)
    paths = [f["path"] for r in result.manifest["resources"] for f in r["files"]]
    assert paths == ["01-basics/again.md", "01-basics/intro.md"]


def test_the_folder_itself_may_be_a_link(folder: Path, tmp_path: Path) -> None:
    alias = tmp_path / "alias"
    alias.symlink_to(folder, target_is_directory=True)
    result = build_pack(alias, tmp_path / "out.ujpack")
    assert len(result.manifest["resources"]) == 1

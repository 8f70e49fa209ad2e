"""The core under a trainer's work in the window: what a folder would become (and the titles
and licence corrected without touching the folder), export with progress, ``course.xml``
standing for its export, the import history, and the learners' overview."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import learning
from app.errors import Cancelled
from app.library import Library
from app.packs.build import build_pack
from app.packs.builder.preview import preview_folder
from app.packs.exporter import export_pack
from app.packs.importer import import_pack
from app.packs.importers import is_folder_of_files, source_path
from app.packs.importers.history import import_history
from app.tasks import Progress, Reporter


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "water-lessons"
    (folder / "01-basics").mkdir(parents=True)
    (folder / "01-basics" / "01-why.md").write_text("# Why water matters\n\nClean water.\n")
    (folder / "01-basics" / "02-sources.md").write_text("Where water comes from.\n")
    (folder / "notes.txt").write_text("not a resource")
    return folder


def test_preview_shows_sections_titles_and_a_missing_licence(tmp_path: Path) -> None:
    preview = preview_folder(_folder(tmp_path))
    assert preview.pack_id == "water-lessons" and preview.title == "Water lessons"
    assert preview.license == "" and preview.attribution == ""
    assert [(s.title, [(i.path, i.kind, i.title) for i in s.items])
            for s in preview.sections] == [
        ("Basics", [("01-basics/01-why.md", "article", "Why water matters"),
                    ("01-basics/02-sources.md", "article", "Sources")])]
    assert any("notes.txt" in warning for warning in preview.warnings)


def test_overrides_correct_titles_without_writing_to_the_folder(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    before = sorted(p.name for p in folder.rglob("*"))
    overrides = {"title": "Safe water",
                 "resources": {"01-basics/02-sources.md": {"title": "Where water comes from"}}}
    assert preview_folder(folder, overrides).sections[0].items[1].title == \
        "Where water comes from"
    result = build_pack(folder, tmp_path / "out.ujpack", license="CC0-1.0",
                        attribution="Tests", overrides=overrides)
    assert result.manifest["title"] == {"en": "Safe water"}
    assert [r["title"]["en"] for r in result.manifest["resources"]] == [
        "Why water matters", "Where water comes from"]
    assert sorted(p.name for p in folder.rglob("*")) == before


def test_export_reports_progress_and_can_be_cancelled(library: Library, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    build_pack(folder, tmp_path / "water.ujpack", license="CC0-1.0", attribution="Tests")
    import_pack(library, tmp_path / "water.ujpack")
    seen: list[Progress] = []
    (tmp_path / "usb").mkdir()
    out = export_pack(library, "water-lessons", tmp_path / "usb", Reporter(seen.append))
    assert out == tmp_path / "usb" / "water-lessons-1.0.0.ujpack"
    assert seen and seen[-1].done == seen[-1].total and seen[-1].stage == "export"
    with pytest.raises(Cancelled):
        export_pack(library, "water-lessons", tmp_path / "cancelled.ujpack",
                    Reporter(cancel=lambda: True))
    assert not (tmp_path / "cancelled.ujpack").exists()


def test_course_xml_stands_for_its_export(tmp_path: Path) -> None:
    export = tmp_path / "course"
    export.mkdir()
    (export / "course.xml").write_text('<course url_name="x" org="o" course="c"/>')
    assert source_path(export / "course.xml") == export
    assert source_path(tmp_path / "other.xml") == tmp_path / "other.xml"
    assert not is_folder_of_files(export)
    assert is_folder_of_files(_folder(tmp_path))


def test_finished_imports_are_kept_with_their_reports(library: Library, corpus: Path) -> None:
    from app.packs.importers import import_any

    course = corpus / "openedx-demo-course" / "demo-course" / "course"
    report = import_any(library, course / "course.xml")
    history = import_history(library)
    assert len(history) == 1
    record = history[0]
    assert record.source == str(course) and record.name == "course"
    assert (record.format, record.pack_id, record.status) == ("olx", report.pack_id, "imported")
    assert record.resources == report.resources
    assert record.skipped == report.skipped


def test_learners_overview(library: Library, tmp_path: Path) -> None:
    build_pack(_folder(tmp_path), tmp_path / "water.ujpack", license="CC0-1.0",
               attribution="Tests")
    import_pack(library, tmp_path / "water.ujpack")
    library.profile_id()
    library.add_profile("amina")
    library.record_progress("water-lessons/why", "amina", complete=True)
    learners = learning.learners_overview(library, ["en"])
    assert [learner.name for learner in learners] == ["amina", "default"]
    amina = learners[0]
    assert amina.last_active is not None
    assert amina.packs == [{"id": "water-lessons", "title": "Water lessons", "done": 1,
                            "total": 2, "last_opened": amina.packs[0]["last_opened"]}]
    assert learners[1].packs == [] and learners[1].last_active is None

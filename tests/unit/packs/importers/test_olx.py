"""Open edX OLX: the demo course and the demo content library, counted against the export."""

from __future__ import annotations

import json
import re
import shutil
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from app.errors import PackError
from app.library import Library
from app.packs.importers import detect_format, import_any
from app.packs.importers.common import ImportReport
from app.search.query import search
from tests.unit.packs.importers.helpers import (
    assert_unchanged,
    main_text,
    manifest,
    resources_by_kind,
)

# The corpus copies are trusted test data, so the standard library parser is fine here.


def _course(corpus: Path) -> Path:
    return corpus / "openedx-demo-course" / "demo-course" / "course"


def _source_counts(course: Path) -> dict[str, int]:
    """What the export holds, walked from course.xml as a reader of OLX would."""
    top = ET.parse(course / "course.xml").getroot()
    root = ET.parse(course / "course" / f"{top.get('url_name')}.xml").getroot()
    counts = {"chapter": 0, "sequential": 0, "vertical": 0, "html": 0, "problem": 0,
              "video": 0}
    for chapter_ptr in root.findall("chapter"):
        counts["chapter"] += 1
        chapter = ET.parse(course / "chapter" / f"{chapter_ptr.get('url_name')}.xml").getroot()
        for seq_ptr in chapter.findall("sequential"):
            counts["sequential"] += 1
            seq = ET.parse(course / "sequential" / f"{seq_ptr.get('url_name')}.xml").getroot()
            for vert_ptr in seq.findall("vertical"):
                counts["vertical"] += 1
                vertical = ET.parse(
                    course / "vertical" / f"{vert_ptr.get('url_name')}.xml").getroot()
                for node in vertical:
                    if node.tag in ("html", "problem", "video"):
                        counts[node.tag] += 1
                    elif node.tag == "library_content":
                        lib = ET.parse(course / "library_content" /
                                       f"{node.get('url_name')}.xml").getroot()
                        counts["problem"] += len(lib.findall("problem"))
    return counts


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path
         ) -> Iterator[tuple[Library, ImportReport]]:
    with Library(tmp_path_factory.mktemp("olx")) as library:
        yield library, import_any(library, _course(corpus_dir))


@pytest.fixture(scope="module")
def corpus_dir() -> Path:
    from tests.conftest import CORPUS

    assert CORPUS.is_dir(), CORPUS
    return CORPUS


def test_source_counts_match_the_corpus_notes(corpus: Path) -> None:
    # SOURCES.md: chapter/ (6) → sequential/ (17) → vertical/ (58); 266 html pointers; 29
    # problems (23 in units, 6 in the library_content block); 11 videos.
    assert _source_counts(_course(corpus)) == {
        "chapter": 6, "sequential": 17, "vertical": 58, "html": 266, "problem": 29, "video": 11}


def test_demo_course_structure_matches_the_export(
        demo: tuple[Library, ImportReport], corpus: Path) -> None:
    library, report = demo
    counts = _source_counts(_course(corpus))
    assert report.format == "olx"
    assert report.status == "imported"
    data = manifest(library, report.pack_id)
    # Every sequential is a section ("<chapter> — <sequential>").
    assert len(data["sections"]) == counts["sequential"]
    chapter_titles = {ET.parse(p).getroot().get("display_name")
                      for p in (_course(corpus) / "chapter").glob("*.xml")}
    assert all(s["title"]["en"].split(" — ")[0] in chapter_titles for s in data["sections"])
    html_articles = [r for r in resources_by_kind(data, "article")
                     if r["files"][0]["path"].startswith("html/")]
    # Blocks with nothing for a learner (style sheets, feedback buttons) are left out and
    # counted in the report (tests/unit/packs/test_openedx_reading.py).
    dropped = sum(int(s.item.split()[0]) for s in report.skipped
                  if s.reason.startswith("left out:"))
    assert len(html_articles) + dropped == counts["html"]
    quizzes = resources_by_kind(data, "quiz")
    read_only = [r for r in resources_by_kind(data, "article")
                 if r["files"][0]["path"].startswith("problem/")]
    assert len(quizzes) + len(read_only) == counts["problem"]
    assert quizzes and read_only
    assert len(resources_by_kind(data, "link")) == counts["video"]
    assert data["license"] == "NOASSERTION"
    assert "Open edX Demo Course" in data["attribution"]
    assert data["id"] == "edx.openedx.demox.democourse"


def test_problems_become_quizzes_or_notes(demo: tuple[Library, ImportReport]) -> None:
    library, report = demo
    data = manifest(library, report.pack_id)
    by_title = {r["title"]["en"]: r for r in data["resources"]}
    dropdown = library.blobs.path_for(by_title["Simple Dropdown"]["files"][0]["sha256"])
    quiz = json.loads(dropdown.read_text())
    question = quiz["questions"][0]
    assert question["type"] == "single"
    assert [c["text"] for c in question["choices"] if c["correct"]] == ["Canberra"]
    numeric = json.loads(main_text(library, by_title[
        "Simple Numerical Input Problem"]))["questions"][0]
    assert numeric["type"] == "numeric" and numeric["answer"] == 600 and numeric["tolerance"] == 5
    text = json.loads(main_text(library, by_title["Basic text input"]))
    assert "Sleepy" in text["questions"][0]["answer"]
    checkboxes = json.loads(main_text(
        library, by_title["Multi-Select Multiple Choice Problem"]))["questions"][0]
    assert checkboxes["type"] == "multiple"
    # A scripted problem is kept to read, with a note, and reported.
    logic = by_title["Design a Logic Gate"]
    assert logic["kind"] == "article"
    assert "cannot be answered here" in main_text(library, logic)
    assert any("schematicresponse" in s.reason for s in report.skipped)


def test_videos_are_links_with_transcripts(demo: tuple[Library, ImportReport]) -> None:
    library, report = demo
    data = manifest(library, report.pack_id)
    reach = next(r for r in resources_by_kind(data, "link")
                 if r["title"]["en"].startswith("The Reach of the Open edX Platform"))
    assert reach["url"] == "https://www.youtube.com/watch?v=AOUEsgFrYeg"
    assert "download" in reach["description"]["en"]
    assert sorted(f["lang"] for f in reach["files"] if f["role"] == "subtitles") == ["en", "es"]
    assert any("external video" in s.reason for s in report.skipped)


def test_assets_resolved_and_missing_ones_reported(demo: tuple[Library, ImportReport]) -> None:
    library, report = demo
    data = manifest(library, report.pack_id)
    attached = {f["path"] for f in data["files"]}
    article = next(r for r in resources_by_kind(data, "article")
                   if "studio-home-libraries" in main_text(library, r))
    page = main_text(library, article)
    assert 'src="../static/studio-home-libraries.png"' in page
    assert "static/studio-home-libraries.png" in attached
    assert "<script" not in page and "onclick" not in page
    # Assets left out of the corpus copy are reported, not fatal (SOURCES.md).
    missing = {s.item for s in report.skipped if "not in the export" in s.reason}
    assert "static/Learning_Goals.pdf" in missing
    # policy.json names the course image; course/DemoCourse.xml an older one not copied.
    assert data["cover"] == "static/DemoX-Course-Card.png"


def test_server_only_components_are_reported(demo: tuple[Library, ImportReport]) -> None:
    _library, report = demo
    kinds = {s.item.split(" ")[0] for s in report.skipped}
    assert {"poll", "survey", "discussion", "openassessment", "lti", "edx_sga"} <= kinds


def test_imported_course_is_searchable(demo: tuple[Library, ImportReport]) -> None:
    library, report = demo
    results = search(library, "Canberra", pack=report.pack_id)
    assert any(hit.kind == "quiz" for hit in results.hits)
    results = search(library, "studio libraries", pack=report.pack_id)
    assert results.hits and all(hit.pack_id == report.pack_id for hit in results.hits)


def test_reimport_is_unchanged(demo: tuple[Library, ImportReport], corpus: Path) -> None:
    library, report = demo
    again = import_any(library, _course(corpus))
    assert again.status == "unchanged" and again.version == report.version


def test_changed_source_updates_the_pack_and_keeps_progress(
        corpus: Path, library: Library, tmp_path: Path) -> None:
    folder = tmp_path / "library"
    shutil.copytree(corpus / "openedx-demo-course" / "demo-content-library" / "library", folder)
    first = import_any(library, folder)
    some = f"{first.pack_id}/{manifest(library, first.pack_id)['resources'][0]['id']}"
    library.record_progress(some, complete=True)
    problem = next((folder / "problem").glob("*.xml"))
    problem.write_text(problem.read_text().replace("</label>", " (revised)</label>", 1))
    second = import_any(library, folder)
    assert (first.version, second.status, second.version) == ("1.0.0", "updated", "1.0.1")
    assert library.progress(some)["completed"]


def test_content_library_tar_gz(corpus: Path, library: Library) -> None:
    path = corpus / "openedx-demo-course" / "dist" / "demo-content-library.tar.gz"
    assert detect_format(path) == "olx"
    with tarfile.open(path) as archive:
        names = [m.name for m in archive.getmembers() if m.isfile()]
        library_xml = archive.extractfile("./library/library.xml")
        assert library_xml is not None
        problems = len(ET.fromstring(library_xml.read()).findall("problem"))
    assert any("/._" in n for n in names)  # AppleDouble entries the importer must skip
    report = import_any(library, path)
    data = manifest(library, report.pack_id)
    assert len(resources_by_kind(data, "quiz")) == problems == 6
    assert report.skipped == []
    assert data["title"]["en"] == "Respiratory System Question Bank 1"


def test_content_library_folder_gives_the_same_pack(corpus: Path, library: Library) -> None:
    folder = corpus / "openedx-demo-course" / "demo-content-library" / "library"
    report = import_any(library, folder)
    assert report.pack_id == "edx.library.openedx.demorespiratoryquestions"
    assert report.resources == 6


def _write_tar(path: Path, members: dict[str, Any]) -> None:
    import io

    with tarfile.open(path, "w:gz") as archive:
        for name, value in members.items():
            info = tarfile.TarInfo(name)
            if isinstance(value, bytes):
                info.size = len(value)
                archive.addfile(info, io.BytesIO(value))
            else:
                info.type = tarfile.SYMTYPE
                info.linkname = value[1]
                archive.addfile(info)


def test_malformed_course_xml_fails_cleanly(library: Library, tmp_path: Path) -> None:
    bad = tmp_path / "bad.tar.gz"
    _write_tar(bad, {"course/course.xml": b"<course url_name='x'"})
    with pytest.raises(PackError, match="not well-formed XML"):
        import_any(library, bad)
    assert_unchanged(library)


def test_hostile_tar_is_refused(library: Library, tmp_path: Path) -> None:
    link = tmp_path / "link.tar.gz"
    _write_tar(link, {"course/course.xml": b"<course/>", "course/static/x": ("link", "/etc")})
    with pytest.raises(PackError, match="link"):
        import_any(library, link)
    escape = tmp_path / "escape.tar.gz"
    _write_tar(escape, {"course/course.xml": b"<course/>", "../evil.txt": b"x"})
    with pytest.raises(PackError, match="unsafe path"):
        import_any(library, escape)
    assert_unchanged(library)
    assert not (tmp_path / "evil.txt").exists()


def test_truncated_tar_fails_cleanly(library: Library, corpus: Path, tmp_path: Path) -> None:
    data = (corpus / "openedx-demo-course" / "dist" / "demo-content-library.tar.gz").read_bytes()
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(PackError):
        import_any(library, cut)
    assert_unchanged(library)


def test_olx_licence_attribute() -> None:
    from app.packs.importers.olx import olx_licence

    assert olx_licence("creative-commons: ver=4.0 BY SA") == "CC-BY-SA-4.0"
    assert olx_licence("creative-commons: ver=4.0 BY NC ND") == "CC-BY-NC-ND-4.0"
    assert olx_licence("all-rights-reserved") == "LicenseRef-All-Rights-Reserved"
    assert olx_licence(None) is None
    assert re.fullmatch(r"CC-BY-\d\.\d", olx_licence("creative-commons: ver=3.0 BY") or "")

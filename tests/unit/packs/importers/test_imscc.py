"""IMS Common Cartridge: a real Canvas export and the cc2olx fixtures."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from app.errors import PackError
from app.library import Library
from app.packs.importers import detect_format, import_any
from app.search.query import search
from tests.unit.packs.importers.helpers import (
    assert_unchanged,
    main_text,
    manifest,
    resources_by_kind,
)

CC = "{http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1}"


def _modules(root: ET.Element) -> list[ET.Element]:
    org = root.find(f"{CC}organizations/{CC}organization")
    assert org is not None
    wrapper = org.find(f"{CC}item")
    assert wrapper is not None
    return wrapper.findall(f"{CC}item")


def test_canvas_export(corpus: Path, library: Library) -> None:
    path = corpus / "imscc" / "allyworkshop.imscc"
    assert detect_format(path) == "imscc"
    with zipfile.ZipFile(path) as archive:
        root = ET.fromstring(archive.read("imsmanifest.xml"))
    defined = {r.get("identifier") for r in root.iter(f"{CC}resource")}
    modules = _modules(root)
    items = [i for m in modules for i in m.iter(f"{CC}item") if i.get("identifierref")]
    dangling = [i for i in items if i.get("identifierref") not in defined]
    report = import_any(library, path)
    data = manifest(library, report.pack_id)
    titles = [s["title"]["en"] for s in data["sections"]]
    assert titles[: len(modules)] == [m.findtext(f"{CC}title", "").strip() for m in modules]
    in_modules = sum(len(s["resources"]) for s in data["sections"][: len(modules)])
    assert in_modules == len(items) - len(dangling)
    assert {s.item for s in report.skipped} >= {
        (i.findtext(f"{CC}title") or "").strip() for i in dangling}
    # <lomimscc:rights> says "CC Attribution Share Alike ... by-sa/4.0".
    assert data["license"] == "CC-BY-SA-4.0"
    assert data["title"]["en"] == "Ally: Accessibility Workshop"
    assert titles[-1] == "Course files"
    page = main_text(library, next(r for r in data["resources"]
                                   if r["title"]["en"] == "Caption Hub"))
    assert 'src="../web_resources/caption-hub.png"' in page
    assert "web_resources/caption-hub.png" in {f["path"] for f in data["files"]}
    assert any(s.reason.startswith("no viewer for .docx") for s in report.skipped)
    hits = search(library, "caption hub subscription", pack=report.pack_id).hits
    assert hits and hits[0].pack_id == report.pack_id


def test_cc2olx_fixture(corpus: Path, library: Library) -> None:
    folder = corpus / "imscc" / "cc2olx-fixtures" / "imscc_files" / "main"
    report = import_any(library, folder)
    data = manifest(library, report.pack_id)
    root = ET.parse(folder / "imsmanifest.xml").getroot()
    weblinks = [r for r in root.iter(f"{CC}resource") if "imswl" in (r.get("type") or "")]
    items = {i.get("identifierref") for i in root.iter(f"{CC}item")}
    # One web link's address is "/web-link", a path with no site: it is left out, with why.
    assert len(resources_by_kind(data, "link")) == len([w for w in weblinks
                                                        if w.get("identifier") in items]) - 1
    assert any("'https:///web-link' is not a web or mail address" in s.reason
               for s in report.skipped)
    youtube = next(r for r in resources_by_kind(data, "link")
                   if r["title"]["en"] == "Django for beginners")
    assert youtube["url"] == "https://youtube.com/watch?v=1234ABCD"
    quiz = json.loads(main_text(library, next(iter(resources_by_kind(data, "quiz")))))
    # assessment_qti.xml has 7 items: choice, true/false, multiple response and one fill in
    # the blank convert; a regular-expression blank and two essays do not.
    types = [q["type"] for q in quiz["questions"]]
    assert types == ["single", "single", "multiple", "text"]
    assert quiz["questions"][3]["answer"] == ["5", "15", "25"]
    reasons = " ".join(s.reason for s in report.skipped)
    assert "cc.essay" in reasons and "LTI" in reasons
    assert data["license"] == "LicenseRef-PublicDomain"


def test_corner_cases_report_and_do_not_abort(corpus: Path, library: Library) -> None:
    folder = corpus / "imscc" / "cc2olx-fixtures" / "imscc_files" / "corner_cases"
    report = import_any(library, folder)
    assert report.resources == 1  # only the plain text page has a file
    assert len(report.skipped) >= 4


def test_cartridge_without_usable_items_fails_cleanly(library: Library, tmp_path: Path) -> None:
    path = tmp_path / "empty.imscc"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("imsmanifest.xml", (
            '<manifest xmlns="http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1" '
            'identifier="x"><organizations/><resources/></manifest>'))
    with pytest.raises(PackError, match="Nothing in it could be converted"):
        import_any(library, path)
    assert_unchanged(library)

"""SCORM 1.2 / 2004 packages, their malformed fixtures, and the loopback runtime."""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import requests

from app.errors import PackError
from app.interactive import parse_launch
from app.interactive.server import CSP, InteractiveServer, scorm_outcome, xapi_outcome
from app.library import Library
from app.packs.importers import detect_format, import_any
from app.packs.importers.scorm import parse_manifest
from tests.unit.packs.importers.helpers import assert_unchanged, manifest

PACKAGES = ("singlesco_scorm12.zip", "RuntimeMinimumCalls_SCORM12.zip",
            "RuntimeMinimumCalls_SCORM12-mini.zip", "singlescobasic.zip",
            "RuntimeBasicCalls_SCORM20043rdEdition.zip")


def _launchable_items(path: Path) -> tuple[int, int, str]:
    """(items with a resource, top-level items with children, schema version) counted from
    the package's own manifest."""
    with zipfile.ZipFile(path) as archive:
        root = ET.fromstring(archive.read("imsmanifest.xml"))
    ns = {"cp": root.tag[1:].split("}")[0]}
    org = root.find("cp:organizations/cp:organization", ns)
    assert org is not None
    items = [i for i in org.iter(f"{{{ns['cp']}}}item") if i.get("identifierref")]
    parents = [i for i in org.findall("cp:item", ns) if i.find("cp:item", ns) is not None]
    version = root.findtext("cp:metadata/cp:schemaversion", "", ns)
    return len(items), len(parents), version


@pytest.mark.parametrize("name", PACKAGES)
def test_packages_become_interactive_resources(corpus: Path, library: Library, name: str) -> None:
    path = corpus / "scorm" / "packages" / name
    assert detect_format(path) == "scorm"
    items, parents, version = _launchable_items(path)
    report = import_any(library, path)
    data = manifest(library, report.pack_id)
    resources = data["resources"]
    runtime = "scorm-2004" if "2004" in version else "scorm-1.2"
    skipped_items = [s for s in report.skipped if "launch file" in s.reason]
    assert len(resources) + len(skipped_items) == items
    assert all(r["kind"] == "interactive" for r in resources)
    for resource in resources:
        launch = parse_launch(resource["url"])
        assert launch is not None and launch.runtime == runtime
        assert resource["files"][0]["path"] == launch.path
        assert launch.path.startswith("scorm/")
    assert len(data["sections"]) == max(parents, 1)
    # The whole package is kept, under one folder, so its relative links work.
    with zipfile.ZipFile(path) as archive:
        content = {n for n in archive.namelist() if not n.endswith("/")
                   and n != "imsmanifest.xml" and not n.endswith((".xsd", ".dtd"))}
    assert {f["path"] for f in data["files"]} == {f"scorm/{n}" for n in content}
    assert data["license"] == "NOASSERTION"


def test_item_parameters_reach_the_launch_url(corpus: Path, library: Library) -> None:
    report = import_any(library, corpus / "scorm" / "packages" / "RuntimeMinimumCalls_SCORM12.zip")
    quiz = next(r for r in manifest(library, report.pack_id)["resources"]
                if r["title"]["en"] == "Playing Golf Quiz")
    assert quiz["url"] == "scorm-1.2:scorm/shared/assessmenttemplate.html?questions=Playing"


def test_missing_organisation_falls_back_to_resources(corpus: Path, library: Library) -> None:
    report = import_any(library, corpus / "scorm" / "packages" / "singlescobasic_missingorg.zip")
    assert [s.item for s in report.skipped] == ["organizations"]
    assert report.resources == 1


@pytest.mark.parametrize(("name", "message"), [
    ("badscorm.zip", "not well-formed XML"),  # the nested manifest is only a declaration
    ("invalid.zip", "not a format Ujuzi can import"),
    ("validscorm.zip", "not well-formed XML"),
    ("validaicc.zip", "AICC packages are not supported"),
])
def test_malformed_packages_fail_cleanly(corpus: Path, library: Library, name: str,
                                         message: str) -> None:
    with pytest.raises(PackError, match=message) as caught:
        import_any(library, corpus / "scorm" / "packages" / name)
    assert "\n" not in str(caught.value)
    assert_unchanged(library)


def test_cmi5_is_refused_with_a_reason(corpus: Path, library: Library) -> None:
    with pytest.raises(PackError, match="cmi5"):
        import_any(library, corpus / "scorm" / "cmi5" / "cmi5_geology_single_au.zip")
    assert_unchanged(library)


def test_every_fixture_manifest_parses_or_fails_cleanly(corpus: Path) -> None:
    folders = sorted((corpus / "scorm" / "manifests").iterdir())
    assert len(folders) == 31  # SOURCES.md
    for folder in folders:
        data = (folder / "imsmanifest.xml").read_bytes()
        if folder.name.startswith("MalformedXml"):
            with pytest.raises(PackError, match="not well-formed"):
                parse_manifest(data)
            continue
        parsed = parse_manifest(data)
        assert parsed.version == ("2004" if "2004" in folder.name else "1.2"), folder.name
    nested = parse_manifest((corpus / "scorm" / "manifests" /
                             "ComplexNestedOrganization_SCORM12" / "imsmanifest.xml").read_bytes())
    assert [o.identifier for o in nested.organizations] == ["default_org", "alternate_org"]


def test_manifest_without_content_reports_every_item(corpus: Path, library: Library) -> None:
    folder = corpus / "scorm" / "manifests" / "ItemWithNonExistentResourceId_SCORM12"
    with pytest.raises(PackError, match="Nothing in it could be converted"):
        import_any(library, folder)
    assert_unchanged(library)


def test_unsafe_zip_is_refused(library: Library, tmp_path: Path) -> None:
    bad = tmp_path / "evil.zip"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("imsmanifest.xml", "<manifest/>")
        archive.writestr("../../escape.html", "x")
    with pytest.raises(PackError, match="unsafe path"):
        import_any(library, bad)
    assert_unchanged(library)


# -- the runtime ---------------------------------------------------------------------------------


@pytest.fixture
def golf(corpus: Path, library: Library, home: Path) -> Iterator[tuple[Library, str, str]]:
    report = import_any(library, corpus / "scorm" / "packages" / "RuntimeMinimumCalls_SCORM12.zip")
    resource = manifest(library, report.pack_id)["resources"][0]
    yield library, f"{report.pack_id}/{resource['id']}", resource["files"][0]["path"]


def test_runtime_serves_the_sco_sandboxed(golf: tuple[Library, str, str], home: Path) -> None:
    _library, resource_id, launch = golf
    with InteractiveServer(home, resource_id) as server:
        assert server.url.startswith("http://127.0.0.1:")
        page = requests.get(server.url, timeout=10)
        assert page.status_code == 200
        assert page.headers["Content-Security-Policy"] == CSP
        assert "window.API = {" in page.text and "window.API_1484_11" in page.text
        frame = re.search(r'<iframe id="content" title="[^"]*" src="([^"]+)"', page.text)
        assert frame is not None and frame.group(1).endswith(launch)
        sco = requests.get(server.url.rsplit("/", 2)[0] + frame.group(1), timeout=10)
        assert sco.status_code == 200 and "<html" in sco.text.lower()
        assert sco.headers["Content-Security-Policy"] == CSP
        # Wrong token, unknown file, path tricks, other Host: nothing.
        base = server.url.rsplit("/", 2)[0]
        assert requests.get(base + "/not-the-token/", timeout=10).status_code == 404
        assert requests.get(server.url + "pack/no/such.html", timeout=10).status_code == 404
        assert requests.get(server.url + "_player/../../../etc/passwd",
                            timeout=10).status_code == 404
        assert requests.get(server.url, headers={"Host": "evil.example"},
                            timeout=10).status_code == 403


def test_runtime_records_completion_score_and_resume(golf: tuple[Library, str, str],
                                                     home: Path) -> None:
    library, resource_id, _launch = golf
    seen: list[tuple[bool, float | None]] = []
    with InteractiveServer(home, resource_id, on_record=lambda c, s: seen.append((c, s))) as srv:
        state = requests.get(srv.url + "api/state", timeout=10).json()
        assert state["version"] == "1.2"
        assert state["data"]["cmi.core.lesson_status"] == "not attempted"
        assert state["data"]["cmi.core.entry"] == "ab-initio"
        # What the injected API sends on LMSCommit while the learner is part way...
        partial = {"version": "1.2", "finished": False, "data": {
            **state["data"], "cmi.core.lesson_status": "incomplete",
            "cmi.core.lesson_location": "page3", "cmi.suspend_data": "a=1"}}
        assert requests.post(srv.url + "api/commit", json=partial, timeout=10).status_code == 200
        assert not library.progress(resource_id)["completed"]
        # ...and on LMSFinish after passing.
        final = {"version": "1.2", "finished": True, "data": {
            **partial["data"], "cmi.core.lesson_status": "passed",
            "cmi.core.score.raw": "80", "cmi.core.score.max": "100",
            "cmi.core.score.min": "0"}}
        assert requests.post(srv.url + "api/commit", json=final, timeout=10).status_code == 200
        assert requests.post(srv.url + "api/commit", data=b"not json",
                             headers={"Content-Type": "application/json"},
                             timeout=10).status_code == 400
    assert library.progress(resource_id)["completed"]
    attempts = list(library.db.query(
        "SELECT score, passed FROM quiz_attempts WHERE resource_id = ?", [resource_id]))
    assert attempts == [{"score": 0.8, "passed": 1}]
    assert seen[-1] == (True, 0.8)
    with InteractiveServer(home, resource_id) as again:
        resumed = requests.get(again.url + "api/state", timeout=10).json()["data"]
    assert resumed["cmi.core.entry"] == "resume"
    assert resumed["cmi.core.lesson_location"] == "page3"
    assert resumed["cmi.suspend_data"] == "a=1"


def test_runtime_for_scorm_2004(corpus: Path, library: Library, home: Path) -> None:
    report = import_any(library, corpus / "scorm" / "packages" /
                        "RuntimeBasicCalls_SCORM20043rdEdition.zip")
    resource_id = f"{report.pack_id}/{manifest(library, report.pack_id)['resources'][0]['id']}"
    with InteractiveServer(home, resource_id) as server:
        state = requests.get(server.url + "api/state", timeout=10).json()
        assert state["version"] == "2004"
        data = {**state["data"], "cmi.completion_status": "completed",
                "cmi.success_status": "failed", "cmi.score.scaled": "0.4"}
        requests.post(server.url + "api/commit", timeout=10,
                      json={"version": "2004", "data": data, "finished": True})
    assert library.progress(resource_id)["completed"]
    row = library.db.execute("SELECT score, passed FROM quiz_attempts").fetchone()
    assert tuple(row) == (0.4, 0)


def test_non_interactive_resource_is_refused(corpus: Path, library: Library, home: Path) -> None:
    report = import_any(library, corpus / "mediawiki-help-wikitext" / "Help-Links.mw")
    resource = manifest(library, report.pack_id)["resources"][0]
    with pytest.raises(Exception, match="not an interactive resource"):
        InteractiveServer(home, f"{report.pack_id}/{resource['id']}")


def test_outcome_rules() -> None:
    assert scorm_outcome("1.2", {"cmi.core.lesson_status": "completed"}) == (True, None, None)
    assert scorm_outcome("1.2", {"cmi.core.lesson_status": "failed",
                                 "cmi.core.score.raw": "45"}) == (False, 0.45, False)
    assert scorm_outcome("2004", {"cmi.success_status": "passed", "cmi.score.raw": "8",
                                  "cmi.score.max": "10"}) == (True, 0.8, True)
    statement = {"verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
                 "object": {"definition": {"extensions": {}}},
                 "result": {"score": {"raw": 1, "max": 1}, "completion": True,
                            "success": True}}
    assert xapi_outcome(statement) == (True, 1.0, True)
    part = json.loads(json.dumps(statement))
    part["object"]["definition"]["extensions"]["http://h5p.org/x-api/h5p-subContentId"] = "x"
    assert xapi_outcome(part) is None

"""H5P: one interactive resource played by the bundled player."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
import requests

from app.errors import PackError
from app.interactive import parse_launch
from app.interactive.server import InteractiveServer
from app.library import Library
from app.packs.importers import import_any
from tests.unit.packs.importers.helpers import assert_unchanged, manifest


def test_h5p_file(corpus: Path, library: Library, home: Path) -> None:
    path = corpus / "h5p" / "h5p-test-truefalse.h5p"
    with zipfile.ZipFile(path) as archive:
        files = [n for n in archive.namelist() if not n.endswith("/")]
        meta = json.loads(archive.read("h5p.json"))
    report = import_any(library, path)
    data = manifest(library, report.pack_id)
    [resource] = data["resources"]
    assert resource["kind"] == "interactive"
    assert resource["title"]["en"] == meta["title"] == "Hello World"
    launch = parse_launch(resource["url"])
    assert launch is not None and launch.runtime == "h5p"
    assert resource["files"][0]["path"] == f"{launch.path}/h5p.json"
    assert len(data["files"]) == len(files)
    assert data["license"] == "NOASSERTION"  # h5p.json: "license": "U" (undisclosed)
    resource_id = f"{report.pack_id}/{resource['id']}"
    with InteractiveServer(home, resource_id) as server:
        page = requests.get(server.url, timeout=10).text
        assert "H5PStandalone.H5P" in page
        assert requests.get(server.url + "_player/main.bundle.js", timeout=10).status_code == 200
        content = requests.get(server.url + f"pack/{launch.path}/content/content.json",
                               timeout=10)
        assert content.json()["question"].startswith("<p>Is this false?")
        statement = {"verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
                     "object": {"definition": {}},
                     "result": {"score": {"raw": 1, "max": 1, "scaled": 1},
                                "completion": True, "success": True}}
        assert requests.post(server.url + "api/xapi", json=statement,
                             timeout=10).status_code == 200
    assert library.progress(resource_id)["completed"]


def test_h5p_without_its_libraries_fails_cleanly(library: Library, tmp_path: Path) -> None:
    path = tmp_path / "bare.h5p"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("h5p.json", json.dumps({
            "title": "Bare", "mainLibrary": "H5P.TrueFalse", "language": "en",
            "preloadedDependencies": [{"machineName": "H5P.TrueFalse", "majorVersion": 1,
                                       "minorVersion": 6}]}))
        archive.writestr("content/content.json", "{}")
    with pytest.raises(PackError, match="does not include its content type's library"):
        import_any(library, path)
    assert_unchanged(library)


def test_h5p_with_broken_json_fails_cleanly(library: Library, tmp_path: Path) -> None:
    path = tmp_path / "broken.h5p"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("h5p.json", "{not json")
    with pytest.raises(PackError, match="not valid JSON"):
        import_any(library, path)
    assert_unchanged(library)

"""ZIM files: read on demand, stored once, searchable with their own index."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from libzim.reader import Archive

from app.errors import PackError
from app.library import Library
from app.packs.importers import detect_format, import_any, zim
from app.packs.importers.zim import read_zim_entry, zim_parts
from app.search.query import search
from tests.unit.packs.importers.helpers import assert_unchanged, manifest

ZIMS = ("zimfile.zim", "example.zim", "corner_cases.zim", "poor.zim",
        "spelling_correction_test.zim")


def _html_articles(path: Path) -> set[str]:
    archive = Archive(path)
    found = set()
    for index in range(archive.entry_count):
        entry = archive._get_entry_by_id(index)
        if not entry.is_redirect and entry.get_item().mimetype.startswith("text/html"):
            found.add(entry.path)
    return found


@pytest.mark.parametrize("name", ZIMS)
def test_every_zim_becomes_a_pack_read_on_demand(corpus: Path, library: Library,
                                                 name: str) -> None:
    path = corpus / "zim" / "libkiwix" / name
    assert detect_format(path) == "zim"
    report = import_any(library, path)
    data = manifest(library, report.pack_id)
    urls = [r["url"] for r in data["resources"]]
    assert all(url.startswith("zim://") for url in urls)
    assert {url[len("zim://"):] for url in urls} == _html_articles(path)
    # The ZIM is one file of the pack, the main file of every resource, stored once.
    paths = {f["path"] for r in data["resources"] for f in r["files"]}
    assert len(paths) == 1 and next(iter(paths)).endswith(".zim")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert list(library.blobs.all_hashes()) == [digest]
    assert library.blobs.path_for(digest).stat().st_size == path.stat().st_size


def test_ray_charles(corpus: Path, library: Library) -> None:
    path = corpus / "zim" / "libkiwix" / "zimfile.zim"
    report = import_any(library, path)
    data = manifest(library, report.pack_id)
    # SOURCES.md: 129 HTML pages and 155 redirects; redirects are not resources.
    assert len(data["resources"]) == 129
    assert data["resources"][0]["url"] == "zim://A/index"  # the main page comes first
    assert data["title"]["en"] == "Ray Charles"
    assert data["languages"] == ["en"]  # "eng" in the ZIM's metadata
    assert "Creator: Wikipedia" in data["attribution"]
    assert data["license"] == "NOASSERTION"  # the ZIM states none
    blob = library.blobs.path_for(data["resources"][0]["files"][0]["sha256"])
    content, mimetype = read_zim_entry(blob, "A/Ray_Charles")
    assert mimetype == "text/html" and b"<title>Ray Charles</title>" in content
    # The ZIM's own full-text index finds words of the articles (our index has their titles);
    # each hit is the resource that shows its entry.
    hits = search(library, "piano", limit=5).hits
    ids = {f"{report.pack_id}/{r['id']}": r["url"] for r in data["resources"]}
    assert len(hits) == 5 and all(ids[hit.resource_id] == f"zim://{hit.entry}" for hit in hits)
    assert all(hit.entry.startswith("A/") for hit in hits if hit.entry)
    assert any("piano" in hit.snippet.lower() for hit in hits if hit.field == "body")


def test_split_set_is_joined(corpus: Path, library: Library, tmp_path: Path) -> None:
    data = (corpus / "zim" / "libkiwix" / "zimfile.zim").read_bytes()
    third = len(data) // 3 + 1
    for index, suffix in enumerate(("aa", "ab", "ac")):
        (tmp_path / f"ray.zim{suffix}").write_bytes(data[index * third:(index + 1) * third])
    assert [p.name for p in zim_parts(tmp_path / "ray.zimab")] == [
        "ray.zimaa", "ray.zimab", "ray.zimac"]
    report = import_any(library, tmp_path / "ray.zimaa")
    assert report.resources == 129
    assert list(library.blobs.all_hashes()) == [hashlib.sha256(data).hexdigest()]


def test_big_zim_is_not_listed(corpus: Path, library: Library,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zim, "MAX_LISTED", 10)
    report = import_any(library, corpus / "zim" / "libkiwix" / "zimfile.zim")
    urls = [r["url"] for r in manifest(library, report.pack_id)["resources"]]
    assert urls == ["zim://A/index", "zim://"]
    assert any("found through the ZIM's own search" in s.reason for s in report.skipped)
    [hit] = search(library, "piano", limit=1).hits  # found by the ZIM, opened by the index
    assert hit.resource_id.endswith("/index") and hit.entry and hit.entry.startswith("A/")


def test_zim_without_main_page_or_index_is_reported(corpus: Path, library: Library) -> None:
    report = import_any(library, corpus / "zim" / "libkiwix" / "poor.zim")
    reasons = [s.reason for s in report.skipped]
    assert "the ZIM has no main page" in reasons
    assert any("no full-text index" in r for r in reasons)


def test_invalid_zim_fails_cleanly(library: Library, tmp_path: Path) -> None:
    bad = tmp_path / "broken.zim"
    bad.write_bytes(b"ZIM\x04" + b"\x00" * 200)
    with pytest.raises(PackError, match="not a valid ZIM file"):
        import_any(library, bad)
    assert_unchanged(library)

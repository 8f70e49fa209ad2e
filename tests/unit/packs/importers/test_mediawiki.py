"""MediaWiki: a Special:Export file, a folder of wikitext pages, and the renderer."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from app.errors import PackError
from app.library import Library
from app.packs.importers import detect_format, import_any
from app.packs.importers.wikitext import normalize_title, redirect_target, render
from app.search.query import search
from tests.unit.packs.importers.helpers import assert_unchanged, main_text, manifest

NS = "{http://www.mediawiki.org/xml/export-0.6/}"


def test_xml_export(corpus: Path, library: Library) -> None:
    path = corpus / "mediawiki-xml-export" / "George_Tupou_V_and_templates.xml"
    assert detect_format(path) == "mediawiki"
    pages = ET.parse(path).getroot().findall(f"{NS}page")
    assert len(pages) == 58  # SOURCES.md: 1 article and 57 templates
    articles = [p for p in pages if p.findtext(f"{NS}ns") == "0"]
    report = import_any(library, path)
    data = manifest(library, report.pack_id)
    assert len(data["resources"]) == len(articles) == 1
    [resource] = data["resources"]
    assert resource["title"]["en"] == "George Tupou V"
    assert resource["url"] == "http://en.wikipedia.org/wiki/George_Tupou_V"
    page = main_text(library, resource)
    assert "<h2>" in page and "King of Tonga" in page
    assert "<sup>[1]</sup>" in page and "<h2>References</h2>\n<ol><li>" in page
    assert "<script" not in page
    templates = sum(1 for p in pages if p.findtext(f"{NS}ns") == "10")
    assert f"{templates} pages in namespace Template" in {s.item for s in report.skipped}
    assert any(s.reason.startswith("templates not expanded") for s in report.skipped)
    # English Wikipedia text revised in 2012: CC BY-SA 3.0.
    assert data["license"] == "CC-BY-SA-3.0"
    assert "Theo10011" in data["attribution"]
    assert search(library, "Tonga coronation", pack=report.pack_id).hits


def test_wikitext_folder(corpus: Path, library: Library) -> None:
    folder = corpus / "mediawiki-help-wikitext"
    files = sorted(folder.glob("*.mw"))
    assert len(files) == 24
    soft = [f for f in files if "softredirect" in f.read_text(encoding="utf-8")]
    report = import_any(library, folder)
    data = manifest(library, report.pack_id)
    assert len(data["resources"]) == len(files) - len(soft) == 22
    assert {s.item for s in report.skipped if "redirect" in s.reason} == {
        "Help:Edit summary", "Help:List"}
    assert data["license"] == "LicenseRef-PublicDomain"  # every page says {{PD Help Page}}
    titles = {r["title"]["en"]: r for r in data["resources"]}
    assert "Editing pages" in titles
    tables = main_text(library, titles["Tables"])
    assert "<table>" in tables and "<td>Orange</td>" in tables
    # A link to another imported page stays in the pack.
    links = main_text(library, titles["Links"])
    assert 'href="help-editing-pages.html"' in links or 'href="help-' in links
    hits = search(library, "watchlist", pack=report.pack_id).hits
    assert hits and hits[0].title == "Watchlist"


def test_single_wikitext_file(corpus: Path, library: Library) -> None:
    report = import_any(library, corpus / "mediawiki-help-wikitext" / "Help-Formatting.mw")
    assert report.resources == 1


def test_malformed_export_fails_cleanly(library: Library, tmp_path: Path) -> None:
    bad = tmp_path / "broken.xml"
    bad.write_text('<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.6/"><page>')
    with pytest.raises(PackError, match="not well-formed XML"):
        import_any(library, bad)
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaa">'
                    '<!ENTITY b "&a;&a;&a;">]><mediawiki>&b;</mediawiki>')
    with pytest.raises(PackError, match="not allowed"):
        import_any(library, bomb)
    assert_unchanged(library)


def test_renderer_blocks_and_inline() -> None:
    html = render("== Title ==\nSome '''bold''' and ''it'' text.\n\n* a\n* b\n** b1\n# one\n"
                  "; term : meaning\n pre line\n[[Other page|other]] "
                  "[[File:X.jpg|thumb|A caption]] [http://example.org ex]"
                  "<ref>Source</ref>\n{{Infobox thing|x=1}}{{nowrap|kept}}",
                  "Page", lambda t: "other.html" if t == "Other page" else None).html
    assert "<h2>Title</h2>" in html
    assert "<b>bold</b>" in html and "<i>it</i>" in html
    assert "<ul>\n<li>a\n</li>\n<li>b\n<ul>\n<li>b1" in html
    assert "<ol>" in html and "<dt>term</dt>" in html and "<pre>pre line</pre>" in html
    assert '<a href="other.html">other</a>' in html
    assert "[A caption]" in html and '<a href="http://example.org">ex</a>' in html
    assert '<sup class="reference">[1]</sup>' in html and "<li>Source</li>" in html
    assert "kept" in html and "Infobox" not in html


def test_titles_and_redirects() -> None:
    assert normalize_title("help:editing_pages") == "Help:Editing pages"
    assert redirect_target("#REDIRECT [[Main Page]]") == "Main Page"
    assert redirect_target("{{softredirect|Meta:Help:List}}\n[[Category:List]]") == (
        "Meta:Help:List")
    assert redirect_target("Text {{softredirect|X}} with words") is None

"""A learner's own note is a hit of its own, beside (never instead of) the resource's own
hit; the language facet counts each item in its own language."""

from __future__ import annotations

from pathlib import Path

from app.library import Library
from app.search.query import search
from tests.unit.search.packs import install, res

VTT = ("WEBVTT\n\n00:00:03.000 --> 00:00:06.000\nKaribu kwenye ziara ya Commons\n\n"
       "00:00:07.000 --> 00:00:09.000\nCommons keeps the photos\n")


def test_a_note_does_not_hide_the_subtitle_hit_of_its_video(library: Library,
                                                            tmp_path: Path) -> None:
    install(library, tmp_path, [
        res("tour", "video", "A tour", ("tour.webm", b"\x1a\x45\xdf\xa3"),
            ("tour.sw.vtt", VTT, "subtitles", "sw")),
    ], languages=["en", "sw"])
    note = library.add_note("org.test.search/tour", "Commons is where photos go",
                            at_seconds=12)
    hits = search(library, "commons").hits
    fields = [(hit.resource_id, hit.field) for hit in hits]
    assert fields == [("org.test.search/tour", "note"), ("org.test.search/tour", "subtitles")]
    assert hits[0].note_id == note["id"] and hits[1].note_id is None
    assert hits[1].timestamp == 3.0


def test_the_language_facet_counts_an_item_in_its_own_language(library: Library,
                                                               tmp_path: Path) -> None:
    # A pack in English and Swahili: one article says it is Swahili, another has only a
    # Swahili title and text (no language of its own), a third is English.
    install(library, tmp_path, [
        res("sw-explicit", "article", {"sw": "Vyanzo vya habari"},
            ("a.sw.md", "# Vyanzo\n\nHabari za vyanzo vya kuaminika.\n"), lang="sw"),
        res("sw-title", "article", {"sw": "Habari za Commons"},
            ("b.md", "# Commons\n\nHabari za picha kwenye Commons.\n"), lang=None),
        res("en", "article", "News", ("c.md", "# News\n\nHabari is Swahili for news.\n")),
    ], languages=["en", "sw"])
    results = search(library, "habari")
    assert results.facets["lang"] == {"sw": 2, "en": 1}
    assert {hit.resource_id.rsplit("/", 1)[1]: hit.lang for hit in results.hits} == {
        "sw-explicit": "sw", "sw-title": "sw", "en": "en"}
    assert {hit.resource_id for hit in search(library, "habari", lang="sw").hits} == {
        "org.test.search/sw-explicit", "org.test.search/sw-title"}

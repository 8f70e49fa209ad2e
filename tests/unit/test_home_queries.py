"""What Home loads at every start (the pack summaries and the "continue" cards) reads each
pack's manifest (hundreds of kilobytes for a pack of a thousand resources) a bounded number
of times, however many resources the learner has opened: counted by putting a counting
``json_extract`` in front of SQLite's own on the library's connection."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import learning
from app.library import Library
from app.packs.importer import import_pack
from tests.packs import ARTICLE, make_pack

PACKS = ("org.test.a", "org.test.b", "org.test.c")
ARTICLES = 12


@pytest.fixture
def opened_library(library: Library, tmp_path: Path) -> Library:
    for number, pack_id in enumerate(PACKS):
        out = tmp_path / f"{pack_id}.ujpack"
        make_pack(out, pack_id=pack_id,
                  articles={f"a{i}": ARTICLE.format(title=f"A{i}") for i in range(ARTICLES)},
                  extra={"color": f"#00000{number}"})
        import_pack(library, out)
    for pack_id in PACKS:
        for i in range(ARTICLES - 1):  # every article but the last opened, half done
            learning.mark_opened(library, f"{pack_id}/a{i}")
            library.record_progress(f"{pack_id}/a{i}", position=0.5, complete=i % 2 == 0)
    return library


@pytest.fixture
def manifest_reads(opened_library: Library) -> Iterator[Counter[str]]:
    """How many times SQL read a path out of each pack's manifest (by pack id)."""
    conn = opened_library.db.conn
    manifests = {text: pack_id for pack_id, text in
                 conn.execute("SELECT id, manifest FROM packs")}
    real = sqlite3.connect(":memory:")
    reads: Counter[str] = Counter()

    def json_extract(document: object, *paths: object) -> object:
        if isinstance(document, str) and document in manifests:
            reads[manifests[document]] += 1
        marks = ", ".join("?" for _ in paths)
        return real.execute(f"SELECT json_extract(?, {marks})", (document, *paths)).fetchone()[0]

    conn.create_function("json_extract", -1, json_extract)
    yield reads
    real.close()


def test_continue_cards_read_each_manifest_once(opened_library: Library,
                                                manifest_reads: Counter[str]) -> None:
    cards = learning.continue_items(opened_library, ["en"])
    assert sorted(card["pack_id"] for card in cards) == sorted(PACKS)
    # the colour still comes from the manifest
    assert {card["pack_id"]: card["color"] for card in cards} == {
        pack_id: f"#00000{number}" for number, pack_id in enumerate(PACKS)}
    assert all(card["id"].endswith(f"/a{ARTICLES - 1}") for card in cards)
    assert manifest_reads == Counter({pack_id: 1 for pack_id in PACKS})


def test_continue_cards_stop_at_the_limit(opened_library: Library,
                                          manifest_reads: Counter[str]) -> None:
    """Asked for fewer cards than packs under way, the packs past the limit are not read."""
    [card] = learning.continue_items(opened_library, ["en"], limit=1)
    assert card["pack_id"] in PACKS
    assert manifest_reads == Counter({card["pack_id"]: 1})


def test_pack_summaries_read_each_manifest_once(opened_library: Library,
                                                manifest_reads: Counter[str]) -> None:
    summaries = learning.pack_summaries(opened_library, ["en"])
    assert {pack["id"]: pack["color"] for pack in summaries} == {
        pack_id: f"#00000{number}" for number, pack_id in enumerate(PACKS)}
    assert manifest_reads == Counter({pack_id: 1 for pack_id in PACKS})


def test_a_pack_outline_reads_its_manifest_once(opened_library: Library,
                                                manifest_reads: Counter[str]) -> None:
    outline = learning.pack_outline(opened_library, PACKS[1], ["en"])
    assert outline.pack["color"] == "#000001"
    assert outline.pack["authors"] == []
    assert manifest_reads == Counter({PACKS[1]: 1})

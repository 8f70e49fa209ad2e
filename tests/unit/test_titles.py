"""One language choice for every title shown: the interface language when a version exists,
then the content preferences, then English; the same rule for every list."""

from __future__ import annotations

from pathlib import Path

from app import learning
from app.languages import display_chain
from app.library import Library
from tests.unit.test_learning import _import


def test_the_interface_language_comes_first() -> None:
    assert display_chain("sw", ["en"]) == ["sw", "en"]
    assert display_chain("en", ["sw", "fr"]) == ["en", "sw", "fr"]
    assert display_chain("ar", []) == ["ar", "en"]


def test_an_outline_in_swahili_shows_the_swahili_version(library: Library,
                                                          tmp_path: Path) -> None:
    _import(library, tmp_path)
    # The default content preference is English; the interface is in Swahili.
    outline = learning.pack_outline(library, "org.test.t", display_chain("sw", ["en"]))
    first = outline.sections[0].items[0]
    assert (first.id, first.lang, first.title) == ("org.test.t/intro-sw", "sw",
                                                   {"sw": "Intro-Sw"})
    # a resource with no Swahili version keeps its own title
    assert outline.sections[1].items[0].title == {"en": "Second"}
    english = learning.pack_outline(library, "org.test.t", display_chain("en", ["sw"]))
    assert english.sections[0].items[0].id == "org.test.t/intro"

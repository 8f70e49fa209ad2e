"""The resource page's transcript panel and the player choose the same subtitle language."""

from __future__ import annotations

from pathlib import Path

from app.library import Library
from app.packs.importer import import_pack
from app.player.session import prepare_playback
from app.ui.pages.resource import _transcript
from tests.media import SUBTITLES, make_media_pack

LESSON = "org.test.player/lesson"


def test_captions_and_transcript_agree_on_a_regional_preference(library: Library,
                                                               tmp_path: Path) -> None:
    make_media_pack(tmp_path / "p.ujpack", b"not decoded in this test", subtitles=SUBTITLES)
    import_pack(library, tmp_path / "p.ujpack")
    languages = ["sw-KE", "en"]  # the tracks are "sw" and "en"
    plan = prepare_playback(library, LESSON, tmp_path / "work", languages=languages)
    captions = next(c for c in plan.subtitles if c.key == plan.source.subtitle)
    assert captions.lang == "sw"
    lines = _transcript(library.resource(LESSON), languages)
    assert [text for _start, text in lines] == [" ".join(c.text.split("\n"))
                                                for c in captions.cues]

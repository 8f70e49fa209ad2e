"""Search reads subtitles with the player's parser: the words indexed for a cue are the words
the transcript panel and the Qt fallback show for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.player.subtitles import load_subtitles, parse_subtitles
from app.search.extract import file_segments, subtitle_cues
from app.subtitles import decode_subtitles
from tests.unit.player.test_subtitles import SRT as PLAYER_SRT

#: The player's tests' SRT (cues players skip, markup they hide), and a tag split over two
#: lines, which is not a tag.
SRT = PLAYER_SRT + """
5
00:00:10,000 --> 00:00:12,000
mshale <kidogo
na mkubwa>
"""

VTT = """WEBVTT

00:01.000 --> 00:02.000
Short timestamps count

00:00:03.000 --> 00:00:04.000 line:0
Kwaheri&nbsp;sasa
"""


@pytest.mark.parametrize("text", [SRT, VTT])
def test_search_indexes_the_cues_players_show(text: str) -> None:
    shown = [(cue.start, " ".join(cue.text.split("\n"))) for cue in parse_subtitles(text)]
    assert subtitle_cues(text) == shown


def test_old_srt_files_read_as_windows_1252_for_search_too(tmp_path: Path) -> None:
    legacy = tmp_path / "b.srt"
    legacy.write_bytes("1\n00:00:01,000 --> 00:00:02,000\nCafé “quoted”\n".encode("cp1252"))
    segments = file_segments(legacy, {"path": "b.srt", "role": "subtitles"}, "fr")
    assert [segment.text for segment in segments] == [load_subtitles(legacy)[0].text]


def test_a_character_cut_by_the_read_limit_is_dropped() -> None:
    assert decode_subtitles("Café".encode()[:-1], cut=True) == "Caf"
    assert decode_subtitles("Café".encode("cp1252")) == "Café"  # a whole file: Windows-1252

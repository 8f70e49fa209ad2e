"""Search reads subtitles with the player's parser: the words indexed for a cue are the words
the transcript panel and the Qt fallback show for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.player.subtitles import load_subtitles, parse_subtitles
from app.search.extract import file_segments, subtitle_cues
from app.subtitles import decode_subtitles

#: Cues players skip (no timing, ends before it starts) and markup they hide (SRT's ASS
#: positioning, a tag split over two lines is not a tag).
SRT = """1
00:00:01,000 --> 00:00:03,000
{\\an8}<i>Habari</i> za asubuhi

2
00:00:03,500 --> 00:00:06,000
Mstari wa pili
una mistari miwili

3
not a timing line
ignored

4
00:00:09,000 --> 00:00:08,000
ends before it starts

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

"""The WebVTT and SRT parser that feeds the transcript panel and the Qt fallback."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import UjuziError
from app.player.subtitles import (
    Cue,
    CueList,
    format_time,
    load_subtitles,
    parse_srt,
    parse_subtitles,
    parse_timestamp,
    parse_webvtt,
)

VTT = """\ufeffWEBVTT - a header with text
Kind: captions

NOTE this is a comment
that spans lines

STYLE
::cue { color: yellow }

intro
00:00:01.000 --> 00:00:04.500 align:start position:10%
<v Amina>Hello &amp; <i>welcome</i></v>
to the course

00:04.500 --> 00:07.250
Short form &lt;timestamps&gt;&nbsp;work

3
01:00:00.000 --> 01:00:02.000
<c.loud>An hour</c> <00:00:05.000>later
"""

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
"""


def test_webvtt_cues_text_and_times() -> None:
    cues = parse_webvtt(VTT)
    assert cues == [
        Cue(1.0, 4.5, "Hello & welcome\nto the course"),
        Cue(4.5, 7.25, "Short form <timestamps> work"),
        Cue(3600.0, 3602.0, "An hour later"),
    ]


def test_webvtt_with_windows_line_ends() -> None:
    assert parse_webvtt(VTT.replace("\n", "\r\n")) == parse_webvtt(VTT)


def test_webvtt_must_say_so() -> None:
    with pytest.raises(UjuziError):
        parse_webvtt("00:00:01.000 --> 00:00:02.000\nNo header\n")


def test_srt_skips_broken_cues_and_strips_markup() -> None:
    assert parse_srt(SRT) == [
        Cue(1.0, 3.0, "Habari za asubuhi"),
        Cue(3.5, 6.0, "Mstari wa pili\nuna mistari miwili"),
    ]


def test_format_is_guessed() -> None:
    assert parse_subtitles(VTT) == parse_webvtt(VTT)
    assert parse_subtitles(SRT) == parse_srt(SRT)
    with pytest.raises(ValueError):
        parse_subtitles(SRT, "ass")


def test_files_utf8_and_windows_1252(tmp_path: Path) -> None:
    utf8 = tmp_path / "a.srt"
    utf8.write_text("1\n00:00:01,000 --> 00:00:02,000\nCafé ﻿عربي\n", encoding="utf-8-sig")
    assert load_subtitles(utf8)[0].text == "Café ﻿عربي"
    legacy = tmp_path / "b.srt"
    legacy.write_bytes("1\n00:00:01,000 --> 00:00:02,000\nCafé “quoted”\n".encode("cp1252"))
    assert load_subtitles(legacy)[0].text == "Café “quoted”"
    vtt = tmp_path / "c.vtt"
    vtt.write_text(VTT, encoding="utf-8")
    assert len(load_subtitles(vtt)) == 3


@pytest.mark.parametrize("text", ["1:2", "00:61.000", "a:b", "1:2:3:4", "-1:00.000"])
def test_bad_timestamps(text: str) -> None:
    with pytest.raises(ValueError):
        parse_timestamp(text)


def test_cue_lookup_with_overlaps() -> None:
    cues = CueList([Cue(5, 6, "c"), Cue(0, 10, "long"), Cue(2, 3, "b")])
    assert [cue.text for cue in cues.cues] == ["long", "b", "c"]
    assert cues.active(2.5) == [0, 1]
    assert cues.index_at(2.5) == 1
    assert cues.text_at(5.5) == "long\nc"
    assert cues.index_at(3.0) == 0  # end is exclusive
    assert cues.index_at(10.0) is None
    assert cues.index_at(-1) is None
    assert CueList([]).index_at(1) is None


def test_format_time() -> None:
    assert format_time(0) == "0:00"
    assert format_time(65.9) == "1:05"
    assert format_time(3725) == "1:02:05"
    assert format_time(-3) == "0:00"


def _stamp(seconds: float, comma: bool) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, ms = divmod(rest, 1000)
    sep = "," if comma else "."
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{sep}{ms:03d}"


cue_lists = st.lists(
    st.tuples(
        st.integers(0, 36_000_000),
        st.integers(0, 600_000),
        st.text(st.characters(categories=("L", "N", "P", "Zs"), exclude_characters="<&{\xa0"),
                min_size=1, max_size=30).map(str.strip).filter(lambda t: bool(t)),
    ),
    max_size=8,
)


@given(cue_lists)
def test_written_cues_read_back(raw: list[tuple[int, int, str]]) -> None:
    cues = sorted((Cue(s / 1000, (s + d) / 1000, t) for s, d, t in raw),
                  key=lambda c: (c.start, c.end))
    vtt = "WEBVTT\n\n" + "".join(
        f"{_stamp(c.start, False)} --> {_stamp(c.end, False)}\n{c.text}\n\n" for c in cues)
    srt = "".join(f"{i}\n{_stamp(c.start, True)} --> {_stamp(c.end, True)}\n{c.text}\n\n"
                  for i, c in enumerate(cues, 1))
    for parsed in (parse_webvtt(vtt), parse_srt(srt)):
        assert [(round(c.start, 3), round(c.end, 3), c.text) for c in parsed] == [
            (c.start, c.end, c.text) for c in cues
        ]

"""Numbers, sizes, durations and dates follow the active language."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app import formatting
from app.i18n import set_language


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language("en")


def test_english() -> None:
    assert formatting.number(1234567) == "1,234,567"
    assert formatting.size(512) == "512 bytes"
    assert formatting.size(1) == "1 byte"
    assert formatting.size(3 * 1024 * 1024 + 400_000) == "3.4 MB"
    assert formatting.duration(42) == "42 sec"
    assert formatting.duration(61) == "2 min"
    assert formatting.duration(3900) == "1 hr 5 min"
    assert formatting.duration(None) == ""
    assert formatting.clock(65) == "1:05"
    assert formatting.clock(3725) == "1:02:05"
    assert formatting.percent(0.5) == "50%"
    assert formatting.day("2026-03-01T10:00:00+00:00") == "Mar 1, 2026"
    assert formatting.language_name("sw") == "Swahili"
    assert formatting.language_name("sw", "sw") == "Kiswahili"
    assert formatting.language_name("zz-unknown") == "zz-unknown"


def test_other_languages() -> None:
    set_language("fr")
    assert formatting.number(1234.5, 1) == "1\u202f234,5"
    assert formatting.duration(600) == "10\u00a0min"
    set_language("sw")
    assert "12" in formatting.duration(720)
    set_language("ar")
    assert formatting.language_name("en") == "الإنجليزية"


def test_clock_reads_left_to_right_in_a_right_to_left_language() -> None:
    from app import i18n

    i18n.set_language("ar")
    try:
        shown = formatting.clock(44)
        # Inside Arabic text ("إضافة ملاحظة عند ({time})") the time stays one left-to-right
        # unit, "0:44", whatever punctuation surrounds it.
        assert shown == "\u20660:44\u2069"
        assert formatting.clock(None) == ""
    finally:
        i18n.set_language("en")
    assert formatting.clock(44) == "0:44"

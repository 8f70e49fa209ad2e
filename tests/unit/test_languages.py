"""One language negotiation for titles, variants, subtitles and transcripts."""

from __future__ import annotations

from app.languages import language_chain, negotiate, primary


def test_same_tag_before_same_language() -> None:
    assert negotiate(["sw-KE"], ["sw", "sw-KE"]) == 1
    assert negotiate(["sw-KE"], ["en", "sw"]) == 1  # a regional preference takes the language
    assert negotiate(["sw"], ["en", "sw-TZ"]) == 1  # and the language takes a region
    assert negotiate(["pt_br"], ["pt-PT", "pt-BR"]) == 1  # case and "_" do not matter


def test_first_served_preference_wins() -> None:
    assert negotiate(["ar", "fr-CA", "en"], ["en", None, "fr"]) == 2
    assert negotiate(["ar"], ["en", None]) is None
    assert negotiate(["", "en"], [None, "en"]) == 1
    assert negotiate(["en"], []) is None


def test_primary_and_chain() -> None:
    assert primary("zh_Hant_TW") == "zh"
    assert language_chain("fr", ["sw", "fr"]) == ["sw", "fr", "en"]

"""The plain words of a match, built only from its factors.

A pair's explanation is what a mentee (and a coordinator) reads: "shares Swahili; offers 2 of
your 3 wanted skills; 4 hr of weekly overlap; 1 of 3 places taken; waiting for 66 days". Each
part comes from one number in the pair's ``factors`` (docs/mentorship.md), in the interface
language: language names through babel, numbers and durations through app.formatting.
"""

from __future__ import annotations

from typing import TypedDict

from app import formatting
from app.i18n import _, ngettext


class LanguageLevels(TypedDict):
    mentor: int
    mentee: int


class Factors(TypedDict):
    """The true numbers behind a pair's score (see docs/mentorship.md)."""

    skills_offered: list[str]
    skills_wanted: int
    shared_languages: dict[str, LanguageLevels]
    overlap_minutes: int
    overlap_hours: float
    places_taken: int
    capacity: int
    waiting_days: int
    fit: float
    waiting_bonus: float
    load_penalty: float


def language_list(tags: list[str]) -> str:
    """The languages' names in the interface language, as a list ("Swahili and English")."""
    from babel.lists import format_list

    names = [formatting.language_name(tag) for tag in tags]
    return str(format_list(names, locale=formatting.locale()))


def explain(factors: Factors) -> str:
    """The pair's explanation: each factor in words, joined by "; "."""
    parts = [
        _("shares {languages}").format(
            languages=language_list(list(factors["shared_languages"]))),
        ngettext("offers {offered} of your {wanted} wanted skill",
                 "offers {offered} of your {wanted} wanted skills",
                 factors["skills_wanted"]).format(
            offered=formatting.number(len(factors["skills_offered"])),
            wanted=formatting.number(factors["skills_wanted"])),
        _("{hours} of weekly overlap").format(
            hours=formatting.duration(factors["overlap_minutes"] * 60))
        if factors["overlap_minutes"] else _("no weekly overlap"),
        ngettext("{taken} of {capacity} place taken", "{taken} of {capacity} places taken",
                 factors["capacity"]).format(
            taken=formatting.number(factors["places_taken"]),
            capacity=formatting.number(factors["capacity"])),
        ngettext("waiting for {days} day", "waiting for {days} days",
                 factors["waiting_days"]).format(
            days=formatting.number(factors["waiting_days"])),
    ]
    return _("; ").join(parts)


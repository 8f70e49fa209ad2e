"""Numbers, sizes, durations and dates for people, in the active language: one place.

Everything a user reads that is a number goes through here, formatted by babel for the
active UI language (babel and Qt disagree on Arabic digits; we never ask Qt). Babel is
imported on first use, so the window can start before its locale data loads.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from app.i18n import _, active_language


@cache
def _locale(language: str) -> Any:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def locale() -> Any:
    """The babel ``Locale`` of the active UI language (English when babel has none)."""
    return _locale(active_language())


def number(value: float, decimals: int = 0) -> str:
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return str(format_decimal(value, format=pattern, locale=locale()))


def percent(fraction: float) -> str:
    from babel.numbers import format_percent

    return str(format_percent(fraction, locale=locale()))


def size(num_bytes: int, exact: bool = False) -> str:
    """A byte count as the largest whole unit: ``12 kB``, ``3.4 MB`` (powers of 1024); with
    ``exact``, to the byte: ``1,048,575 bytes``."""
    from babel.units import format_unit

    units = ("digital-byte", "digital-kilobyte", "digital-megabyte", "digital-gigabyte")
    value = float(max(0, num_bytes))
    index = 0
    shown: float = value
    # up a unit while the count, rounded as shown, is 1024 or more (1,048,575 bytes: "1 MB")
    while not exact:
        shown = round(value) if index == 0 or value >= 100 else round(value, 1)
        if shown < 1024 or index == len(units) - 1:
            break
        value /= 1024
        index += 1
    # CLDR's short English byte is "byte" whatever the count ("22 byte"): bytes are spelt
    # out ("22 bytes", "22 octets"), larger units stay short ("12 kB"). Languages without a
    # long name of the byte (Arabic, Swahili) take the short one, not the unit's id.
    if index == 0:
        spelt = str(format_unit(shown, units[0], length="long", locale=locale()))
        if units[0] not in spelt:
            return spelt
    return str(format_unit(shown, units[index], length="short", locale=locale()))


def sizes(first: int, second: int) -> tuple[str, str]:
    """Two byte counts to compare (``3.4 MB of 12 MB``): to the byte when, rounded, they
    would read the same though they differ."""
    shown = size(first), size(second)
    if first != second and shown[0] == shown[1]:
        return size(first, exact=True), size(second, exact=True)
    return shown


def duration(seconds: float | None) -> str:
    """A learning duration, rounded to what matters: ``45 s``, ``12 min``, ``1 h 5 min``."""
    from babel.units import format_unit

    if seconds is None or seconds != seconds:
        return ""
    total = max(0, round(seconds))
    loc = locale()
    if total < 60:
        return str(format_unit(total, "duration-second", length="short", locale=loc))
    minutes = math.ceil(total / 60) if total < 3600 else round(total / 60)
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return str(format_unit(minutes, "duration-minute", length="short", locale=loc))
    parts = [str(format_unit(hours, "duration-hour", length="short", locale=loc))]
    if minutes:
        parts.append(str(format_unit(minutes, "duration-minute", length="short", locale=loc)))
    return " ".join(parts)


def clock(seconds: float | None) -> str:
    """A media timestamp: ``1:05`` or ``1:02:05`` (digits as the player shows them).

    In a right-to-left language the timestamp is a left-to-right isolate (U+2066 ... U+2069),
    so it reads ``0:44`` inside any sentence, next to any punctuation.
    """
    if seconds is None or seconds != seconds:
        return ""
    total = max(0, math.floor(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    shown = f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"
    if locale().character_order == "right-to-left":
        return f"\u2066{shown}\u2069"
    return shown


def _parse(value: str | datetime | date) -> datetime | date:
    if isinstance(value, datetime | date):
        return value
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def day(value: str | datetime | date) -> str:
    """A date, medium length: ``24 Nov 2026``."""
    from babel.dates import format_date

    return str(format_date(_parse(value), format="medium", locale=locale()))


def moment(value: str | datetime) -> str:
    """A date and time in the local time zone, short: ``24/11/2026, 14:05``."""
    from babel.dates import format_datetime

    parsed = _parse(value)
    assert isinstance(parsed, datetime)
    return str(format_datetime(parsed.astimezone(), format="short", locale=locale()))


def language_name(code: str | None, in_language: str | None = None) -> str:
    """A language's own or translated name (``sw`` -> ``Kiswahili``), else the code; a
    missing code is an unknown language."""
    from babel import Locale, UnknownLocaleError

    if not code:
        return _("Unknown language")
    try:
        target = Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return code
    shown_in = _locale(in_language) if in_language else locale()
    name = target.get_display_name(shown_in)
    return str(name[0].upper() + name[1:]) if name else code


# -- content text inside the interface's text ------------------------------------------------

LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
_ISOLATES = (LRI, RLI, FSI)


def text_direction(text: str) -> str | None:
    """``"ltr"`` or ``"rtl"``: the direction of the first strong character of ``text`` (the
    Unicode rule for a paragraph), or None when it has none (digits, punctuation)."""
    import unicodedata

    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return None


def isolate(text: str) -> str:
    """``text`` from a pack (a title, a licence, a name) wrapped in Unicode isolates, so that
    it keeps its own direction wherever it is shown: an English title inside the Arabic
    interface keeps its question mark at its end, an Arabic one in an English sentence its
    own order; the text around it is not reordered either."""
    if not text or (text.startswith(_ISOLATES) and text.endswith(PDI)):
        return text
    opening = {"ltr": LRI, "rtl": RLI}.get(text_direction(text) or "", FSI)
    return f"{opening}{text}{PDI}"


def unisolated(text: str) -> str:
    """``text`` without the isolates :func:`isolate` added."""
    if text.startswith(_ISOLATES) and text.endswith(PDI):
        return text[1:-1]
    return text

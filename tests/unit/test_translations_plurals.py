"""Every catalog's Plural-Forms header agrees with the language's CLDR plural rule: each
msgstr[n] serves exactly one CLDR category, so a translator who writes the forms in CLDR's
order (zero, one, two, few, many, other) sees each one used for its counts."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel import Locale
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"
LANGUAGES = sorted(p.name for p in TRANSLATIONS.iterdir() if (p / "LC_MESSAGES").is_dir())
COUNTS = 1200
CLDR_ORDER = ("zero", "one", "two", "few", "many", "other")


def _catalog(language: str):  # type: ignore[no-untyped-def]
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "ujuzi.po", "rb") as handle:
        return read_po(handle, locale=language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_forms_follow_cldr(language: str) -> None:
    catalog = _catalog(language)
    rule = Locale.parse(language).plural_form
    # Categories that whole counts reach below a million (French "many" is for millions).
    seen = {rule(n) for n in range(COUNTS)}
    categories = [c for c in CLDR_ORDER if c in seen]
    assert catalog.num_plurals == len(categories), catalog.plural_expr
    index_of = _gettext_plural(catalog.plural_expr)
    for n in range(COUNTS):
        expected = categories.index(rule(n))
        assert index_of(n) == expected, (language, n, rule(n), catalog.plural_expr)


def _gettext_plural(expr: str):  # type: ignore[no-untyped-def]
    import gettext

    return gettext.c2py(expr)


def test_arabic_counts_from_11_to_99_get_their_own_form() -> None:
    import gettext

    catalog = _catalog("ar")
    message = catalog.get(("{count} item could not be converted:",
                           "{count} items could not be converted:"))
    plural = gettext.c2py(catalog.plural_expr)
    # 11-99 take the singular in the accusative ("عنصرًا"), 100-102 the genitive ("عنصر").
    assert message.string[plural(11)].endswith("عنصرًا:")
    assert message.string[plural(99)].endswith("عنصرًا:")
    assert message.string[plural(100)].endswith("عنصر:")
    assert message.string[plural(102)].endswith("عنصر:")



def test_swahili_terms_a_reader_stumbled_on() -> None:
    catalog = _catalog("sw")

    def shown(msgid: str) -> str:
        message = catalog.get(msgid)
        assert message is not None and message.string, msgid
        return str(message.string)

    assert shown("Home") != shown("Beginner")  # "Mwanzo" was both
    assert shown("Pause") == "Sitisha"  # "Simamisha" is stop
    assert not [m.id for m in catalog if "asilimali" in str(m.string)]
    # Each revised term stays marked for a native speaker's review, and still compiles
    # (a fuzzy flag would keep it out of the compiled catalog).
    for msgid in ("Home", "Beginner", "Pause", "Next resource"):
        message = catalog.get(msgid)
        assert message is not None and not message.fuzzy
        assert any("native review" in c for c in message.user_comments), msgid


def test_the_window_shows_the_revised_terms(tmp_path: Path) -> None:
    from app import i18n

    i18n.set_language("sw")
    try:
        assert i18n._("Pause") == "Sitisha"
        assert i18n._("Home") == "Nyumbani"
    finally:
        i18n.set_language("en")

"""Translation of user-visible strings (gettext catalogs compiled by babel).

Core modules mark strings with ``_()``; the active language is process-wide and can be
switched at run time (the UI re-translates its widgets when it changes).
"""

from __future__ import annotations

import gettext as _gettext
import io
import os

from app.paths import translations_dir

DOMAIN = "ujuzi"

_active: _gettext.NullTranslations = _gettext.NullTranslations()
_active_language = "en"


def _catalog(language: str) -> _gettext.NullTranslations:
    """The compiled catalog for ``language``; compiled from its ``.po`` when the ``.mo`` is
    missing or older (a fresh clone run without ``make``): written beside it when the folder
    is writable, else kept in memory."""
    folder = translations_dir() / language / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if po.exists() and (not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime):
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with open(po, "rb") as source:
            catalog = read_po(source, locale=language.replace("-", "_"))
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        try:
            tmp = mo.with_suffix(".mo.tmp")
            tmp.write_bytes(buffer.getvalue())
            os.replace(tmp, mo)
        except OSError:
            buffer.seek(0)
            return _gettext.GNUTranslations(buffer)
    return _gettext.translation(DOMAIN, localedir=str(translations_dir()), languages=[language])


def set_language(language: str | None) -> str:
    """Activate the catalog for ``language`` (falling back to English); return the language used."""
    global _active, _active_language
    wanted = language or os.environ.get("UJUZI_LANG") or "en"
    try:
        _active = _catalog(wanted)
    except OSError:  # no catalog for this language: English, the source language
        _active = _gettext.NullTranslations()
    # The layout direction and formats follow the language asked for even while its catalog
    # is incomplete or missing, so right-to-left layouts can be checked before translation.
    _active_language = wanted
    return _active_language


def install(translations: _gettext.NullTranslations, language: str) -> None:
    """Activate a catalog made elsewhere (the tests' pseudo-locale)."""
    global _active, _active_language
    _active, _active_language = translations, language


def available_languages() -> list[str]:
    """Languages with a catalog, English (the source language) first."""
    root = translations_dir()
    found = []
    if root.is_dir():
        for folder in sorted(root.iterdir()):
            messages = folder / "LC_MESSAGES"
            if (messages / f"{DOMAIN}.po").exists() or (messages / f"{DOMAIN}.mo").exists():
                found.append(folder.name)
    return ["en", *[lang for lang in found if lang != "en"]]


def active_language() -> str:
    return _active_language


def _(message: str) -> str:
    """Translate ``message`` into the active language."""
    return _active.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _active.ngettext(singular, plural, n)

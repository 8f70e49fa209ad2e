"""Translation of user-visible strings (gettext catalogs compiled by babel).

Core modules mark strings with ``_()``; the active language is process-wide and can be
switched at run time (the UI re-translates its widgets when it changes).
"""

from __future__ import annotations

import gettext as _gettext
import os

from app.paths import translations_dir

DOMAIN = "ujuzi"

_active: _gettext.NullTranslations = _gettext.NullTranslations()
_active_language = "en"


def set_language(language: str | None) -> str:
    """Activate the catalog for ``language`` (falling back to English); return the language used."""
    global _active, _active_language
    wanted = language or os.environ.get("UJUZI_LANG") or "en"
    try:
        _active = _gettext.translation(
            DOMAIN, localedir=str(translations_dir()), languages=[wanted]
        )
    except OSError:  # no catalog for this language: English, the source language
        _active = _gettext.NullTranslations()
    # The layout direction and formats follow the language asked for even while its catalog
    # is incomplete or missing, so right-to-left layouts can be checked before translation.
    _active_language = wanted
    return _active_language


def active_language() -> str:
    return _active_language


def _(message: str) -> str:
    """Translate ``message`` into the active language."""
    return _active.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _active.ngettext(singular, plural, n)

"""Which language to show: the one negotiation between what a learner prefers and what a pack
has, used for titles, translations of a resource, subtitles and the transcript panel alike.

Tags are compared as BCP 47 tags without regard to case or to ``_`` against ``-``. A learner's
first language that is served wins; within it the same tag comes before the same primary
language, so ``sw-KE`` takes ``sw`` (or ``sw-TZ``) when the pack has no ``sw-KE``, and ``sw``
takes ``sw-KE``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def _key(tag: str) -> str:
    return tag.replace("_", "-").lower()


def primary(tag: str) -> str:
    """The primary language subtag: ``sw-KE`` -> ``sw``."""
    return _key(tag).split("-")[0]


def negotiate(preferred: Iterable[str], available: Sequence[str | None]) -> int | None:
    """The index in ``available`` that serves the first of ``preferred`` served at all, or
    None; entries without a language are never chosen."""
    keys = [_key(tag) if tag else None for tag in available]
    for wanted in preferred:
        if not wanted:
            continue
        if _key(wanted) in keys:
            return keys.index(_key(wanted))
        base = primary(wanted)
        for index, key in enumerate(keys):
            if key is not None and key.split("-")[0] == base:
                return index
    return None


def language_chain(ui_language: str, content_languages: Iterable[str]) -> list[str]:
    """The order in which to pick text and variants: content preferences, the UI language,
    English; each once."""
    chain: list[str] = []
    for lang in (*content_languages, ui_language, "en"):
        if lang and lang not in chain:
            chain.append(lang)
    return chain


def display_chain(ui_language: str, content_languages: Iterable[str]) -> list[str]:
    """The one order that decides every title shown, and which translation of a resource a
    list shows: the interface language when a version in it exists, then the content
    preferences, then English. A list never mixes languages that the learner did not choose:
    a pack's title, its sections' and its resources' follow the same order."""
    return language_chain(ui_language, [ui_language, *content_languages])

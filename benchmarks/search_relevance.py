"""The search relevance suite: queries a learner would type, and the resource they want.

The documents are made at run time from real translated help texts in the shared corpus
(GrowthExperiments' editing tips and the Wiki Education Dashboard's messages, in English,
French, Spanish, Arabic, Swahili, Hindi and Chinese), with short titles of our own. Each case
names the behaviour it checks; a case passes when its resource is among the first three
results. The unit tests run the suite on a small library, the benchmark on 100,000
resources and on every peer engine.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from benchmarks.search_corpus import clean

TIPS = "growthexperiments-help-panel-suggestededits-tips-vector-visualeditor-"


@dataclass(frozen=True)
class Case:
    behaviour: str
    lang: str
    query: str
    expected: str
    prefix: bool = False  # typed as a prefix (peers get their prefix syntax)


@cache
def help_messages(corpus: Path, lang: str) -> dict[str, str]:
    """GrowthExperiments' help messages in a language, cleaned of wiki markup."""
    path = corpus / "multilingual-i18n" / "growthexperiments-help" / f"{lang}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return {key: clean(value) for key, value in data.items() if isinstance(value, str)}


def tips(corpus: Path, lang: str, *names: str) -> list[str]:
    """Editing tips (``copyedit-main-value``...), cleaned."""
    messages = help_messages(corpus, lang)
    return [messages[TIPS + name] for name in names]


@cache
def dashboard(corpus: Path, lang: str) -> dict[str, Any]:
    """The Wiki Education Dashboard's messages in a language, as nested dictionaries."""
    path = corpus / "multilingual-i18n" / "wikiedu-dashboard-locales" / f"{lang}.yml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))[lang]
    return data


def documents(corpus: Path) -> list[dict[str, Any]]:
    """The suite's resources, in the benchmark's document form (id, lang, kind, title, and
    ``body`` or subtitle ``cues``)."""
    hi = dashboard(corpus, "hi")["articles"]
    zh = help_messages(corpus, "zh-hans")
    fr = help_messages(corpus, "fr")
    switch = "growthexperiments-help-panel-suggested-edits-switch-editor-to-"
    docs: list[dict[str, Any]] = [
        {"id": "rel-en-citation", "lang": "en", "kind": "article", "title": "Citation basics",
         "body": "\n".join(tips(corpus, "en", "references-text-value", "references-main-step3"))},
        {"id": "rel-en-references", "lang": "en", "kind": "article",
         "title": "References explained",
         "body": "\n".join(tips(corpus, "en", "references-main-value", "references-main-rules1"))},
        {"id": "rel-en-video", "lang": "en", "kind": "video", "title": "Fixing mistakes",
         "cues": [[0.0, "Welcome back."], [4.0, "Let us look at small fixes."],
                  *[[8.0 + 6 * i, text] for i, text in enumerate(
                      tips(corpus, "en", "copyedit-main-rules1", "copyedit-main-rules2"))]]},
        {"id": "rel-fr-editeur", "lang": "fr", "kind": "article",
         "title": "Choisir son éditeur",
         "body": "\n".join(fr[switch + name] for name in ("visualeditor", "wikitext"))},
        {"id": "rel-fr-correction", "lang": "fr", "kind": "article",
         "title": "Une petite correction",
         "body": "\n".join(tips(corpus, "fr", "copyedit-main-value", "copyedit-main-rules1"))},
        {"id": "rel-es-articulo", "lang": "es", "kind": "article",
         "title": "Corrección de estilo",
         "body": "\n".join(tips(corpus, "es", "copyedit-main-value", "copyedit-main-calm"))},
        {"id": "rel-es-cita", "lang": "es", "kind": "article", "title": "Guía para citar",
         "body": "\n".join(tips(corpus, "es", "references-text-value", "references-main-calm"))},
        {"id": "rel-ar-copyedit", "lang": "ar", "kind": "article", "title": "تحرير النسخ",
         "body": "\n".join(tips(corpus, "ar", "copyedit-main-value", "copyedit-main-rules1"))},
        {"id": "rel-sw-copyedit", "lang": "sw", "kind": "article",
         "title": "Mwongozo wa uhariri",
         "body": "\n".join(tips(corpus, "sw", "copyedit-main-value", "copyedit-main-rules1"))},
        {"id": "rel-hi-articles", "lang": "hi", "kind": "article", "title": "लेखों के आँकड़े",
         "body": "\n".join(clean(" ".join(str(hi[key]).split()))
                           for key in ("character_doc", "article_not_found"))},
        {"id": "rel-zh-commons", "lang": "zh", "kind": "article", "title": "图片的来源",
         "body": "\n".join([zh[TIPS + "image-recommendation-text-value"],
                            zh[TIPS + "copyedit-main-rules2"]])},
    ]
    return docs


CASES: tuple[Case, ...] = (
    Case("words in the body, not the title", "en", "reliable books newspapers",
         "rel-en-references"),
    Case("inflection (English stemmer)", "en", "citations basics", "rel-en-citation"),
    Case("typo in one word of two", "en", "refrences explained", "rel-en-references"),
    Case("a typo in every word", "en", "refrences explaned", "rel-en-references"),
    Case("words spoken in a video's subtitles", "en", "repeated words punctuation",
         "rel-en-video"),
    Case("accents left out", "fr", "choisir editeur", "rel-fr-editeur"),
    Case("inflection (French stemmer)", "fr", "modifications orthographe",
         "rel-fr-correction"),
    Case("typo (French)", "fr", "grammare orthographe", "rel-fr-correction"),
    Case("accent left out and plural (Spanish stemmer)", "es", "articulos estilo",
         "rel-es-articulo"),
    Case("inflection and accent (Spanish)", "es", "guia citas", "rel-es-cita"),
    Case("Arabic without vowel marks", "ar", "الرسم والصرف", "rel-ar-copyedit"),
    Case("Arabic alef with hamza typed bare", "ar", "اصلاح اخطاء", "rel-ar-copyedit"),
    Case("Arabic with tatweel", "ar", "تحـرير النسـخ", "rel-ar-copyedit"),
    Case("Swahili phrase", "sw", '"makosa ya herufi" mwongozo', "rel-sw-copyedit"),
    Case("Swahili word as it is typed", "sw", "uhariri marekebish", "rel-sw-copyedit",
         prefix=True),
    Case("Hindi inflection across combining marks", "hi", "आँकड़े संपादक", "rel-hi-articles"),
    Case("Chinese two-character word inside a run", "zh", "图片 共享", "rel-zh-commons"),
    Case("Chinese word pair", "zh", "百科 版权", "rel-zh-commons"),
)


def cases() -> tuple[Case, ...]:
    return CASES

"""Realistic multilingual text for the search benchmark, made from the shared corpus.

Real messages and slides written by Wikimedia translators and Wiki Education staff (see the
corpus's SOURCES.md) are cleaned of wiki markup and recombined, deterministically, into as
many documents as asked: each has one language, a title and a few hundred words, and one in
five is a video whose text is subtitle cues with start times, one in ten a quiz. Queries are
drawn from the same texts: content words (not the most common ones), word pairs, phrases,
prefixes as typed, and words with one typo.
"""

from __future__ import annotations

import html
import json
import random
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from app.search.analysis import WORD
from app.search.extract import markdown_text

#: Share of documents per language (the rest spread over the other corpus languages).
LANGUAGE_WEIGHTS = {"en": 30, "fr": 12, "es": 12, "ar": 8, "sw": 8, "hi": 6, "zh": 6}
OTHER_WEIGHT = 18
KINDS = [("article", 70), ("video", 20), ("quiz", 10)]
CJK_LANGS = {"zh", "ja", "ko"}

_TEMPLATE = re.compile(r"\{\{\s*(?:GENDER|PLURAL|GRAMMAR|gender|plural):[^|}]*\|([^|}]*)[^}]*\}\}")
_OTHER_TEMPLATE = re.compile(r"\{\{[^}]*\}\}")
_WIKILINK = re.compile(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]")
_EXTLINK = re.compile(r"\[(?:https?:)?//\S+\s+([^\]]*)\]")
_PLACEHOLDER = re.compile(r"\$\d+|%\{[^}]*\}|%[sd]|\{\d+\}")


def normalise_lang(code: str) -> str:
    code = code.lower()
    return code.split("-")[0]


def clean(message: str) -> str:
    """A translatewiki message or Rails string as plain text."""
    text = message.replace("{{SITENAME}}", "Wikipedia")
    text = _TEMPLATE.sub(r"\1", text)
    text = _OTHER_TEMPLATE.sub(" ", text)
    text = _WIKILINK.sub(r"\1", text)
    text = _EXTLINK.sub(r"\1", text)
    text = _PLACEHOLDER.sub(" ", text)
    text = re.sub(r"<[^>]*>", " ", html.unescape(text))
    text = re.sub(r"'''?", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _long_enough(text: str, lang: str) -> bool:
    return len(text) >= 8 if lang in CJK_LANGS else len(text.split()) >= 3


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def load_texts(corpus: Path, quick: bool = False) -> dict[str, list[str]]:
    """Language -> cleaned real messages and paragraphs, in a stable order. ``quick`` reads
    only the translatewiki JSON files (the YAML takes seconds to parse)."""
    pools: dict[str, list[str]] = {}

    def add(lang: str, text: str) -> None:
        lang = normalise_lang(lang)
        if lang in ("qqq", "en-gb") or not text:
            return
        text = clean(text)
        if _long_enough(text, lang):
            pools.setdefault(lang, []).append(text)

    i18n = corpus / "multilingual-i18n"
    for folder in ("growthexperiments-help", "guidedtour"):
        for path in sorted((i18n / folder).glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            for key, value in data.items():
                if key != "@metadata" and isinstance(value, str):
                    add(path.stem, value)
    if quick:
        return {lang: texts for lang, texts in sorted(pools.items()) if len(texts) >= 30}
    for path in sorted((i18n / "wikiedu-dashboard-locales").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for value in _strings(data):
            add(path.stem, value)
    slides = corpus / "wikiedu-training" / "training_content" / "wiki_ed" / "slides"
    for path in sorted(slides.rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for lang, slide in [("en", data), *(data.get("translations") or {}).items()]:
            if not isinstance(slide, dict):
                continue
            for paragraph in markdown_text(str(slide.get("content") or "")).split("\n"):
                add(lang, paragraph)
    return {lang: texts for lang, texts in sorted(pools.items()) if len(texts) >= 30}


def _length(text: str, lang: str) -> int:
    return len(text) // 2 if lang in CJK_LANGS else len(text.split())


def generate(pools: dict[str, list[str]], count: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """``count`` documents: id, lang, kind, title, and either ``body`` or ``cues``."""
    rng = random.Random(seed)
    others = [lang for lang in pools if lang not in LANGUAGE_WEIGHTS]
    langs = [lang for lang in LANGUAGE_WEIGHTS if lang in pools] + others
    weights = [LANGUAGE_WEIGHTS[lang] for lang in langs if lang in LANGUAGE_WEIGHTS] + [
        OTHER_WEIGHT / max(1, len(others))] * len(others)
    kinds, kind_weights = zip(*KINDS, strict=True)
    titles = {lang: [t for t in texts if _length(t, lang) <= 10] or texts
              for lang, texts in pools.items()}
    for index in range(count):
        lang = rng.choices(langs, weights)[0]
        kind = rng.choices(kinds, kind_weights)[0]
        pool = pools[lang]
        target = rng.randint(150, 400)
        parts: list[str] = []
        words = 0
        while words < target:
            text = pool[rng.randrange(len(pool))]
            parts.append(text)
            words += _length(text, lang)
        doc: dict[str, Any] = {
            "id": f"doc{index:06}", "lang": lang, "kind": kind,
            "title": rng.choice(titles[lang]),
        }
        if kind == "video":
            start = 0.0
            cues = []
            for text in parts:
                cues.append([round(start, 1), text])
                start += 1.5 + _length(text, lang) * 0.4
            doc["cues"] = cues
        else:
            doc["body"] = "\n".join(parts)
        yield doc


def doc_text(doc: dict[str, Any]) -> str:
    """All of a document's text as one string (what the peers index as the body)."""
    if "cues" in doc:
        return "\n".join(text for _, text in doc["cues"])
    return str(doc["body"])


def _words(text: str) -> list[str]:
    """Words as a reader sees them (combining marks included), without digits."""
    return [w for w in WORD.findall(text.replace("_", " "))
            if not any(c.isdigit() for c in w)]


def make_queries(docs: list[dict[str, Any]], per_kind: int, seed: int = 11
                 ) -> dict[str, list[str]]:
    """Queries by category, from a sample of documents; common words are left out."""
    rng = random.Random(seed)
    frequency: Counter[str] = Counter()
    for doc in docs:
        frequency.update({w.lower() for w in _words(doc_text(doc))})
    too_common = {w for w, n in frequency.items() if n > len(docs) * 0.05}

    def content_words(doc: dict[str, Any]) -> list[str]:
        return [w for w in _words(doc_text(doc))
                if len(w) >= 4 and w.lower() not in too_common]

    queries: dict[str, list[str]] = {
        "single word": [], "two words": [], "phrase": [], "prefix": [], "typo": []}
    attempts = 0
    while min(len(q) for q in queries.values()) < per_kind and attempts < per_kind * 200:
        attempts += 1
        doc = docs[rng.randrange(len(docs))]
        text = doc_text(doc)
        if doc["lang"] in CJK_LANGS:
            runs = [r for r in re.findall(r"[\u4e00-\u9fff\u3040-\u30ff]{4,}", text)]
            if not runs:
                continue
            run = rng.choice(runs)
            at = rng.randrange(len(run) - 3)
            _add(queries, "single word", run[at:at + 2], per_kind)
            _add(queries, "two words", f"{run[at:at + 2]} {rng.choice(runs)[:2]}", per_kind)
            _add(queries, "phrase", f'"{run[at:at + 4]}"', per_kind)
            _add(queries, "prefix", run[at], per_kind)
            continue
        words = content_words(doc)
        if len(words) < 2:
            continue
        word = rng.choice(words)
        _add(queries, "single word", word.lower(), per_kind)
        _add(queries, "two words", f"{word.lower()} {rng.choice(words).lower()}", per_kind)
        sentence = _words(rng.choice(text.split("\n")))
        if len(sentence) >= 3:
            at = rng.randrange(len(sentence) - 2)
            _add(queries, "phrase", '"' + " ".join(sentence[at:at + 3]).lower() + '"', per_kind)
        if len(word) >= 5:
            _add(queries, "prefix", word.lower()[: rng.randint(3, 4)], per_kind)
        if len(word) >= 6:
            _add(queries, "typo", typo(word.lower(), rng), per_kind)
    return queries


def _add(queries: dict[str, list[str]], kind: str, text: str, limit: int) -> None:
    if len(queries[kind]) < limit:
        queries[kind].append(text)


def typo(word: str, rng: random.Random) -> str:
    """One realistic slip: a letter dropped, doubled, swapped with its neighbour or replaced."""
    at = rng.randrange(1, len(word) - 1)
    choice = rng.randrange(4)
    if choice == 0:
        return word[:at] + word[at + 1:]
    if choice == 1:
        return word[:at] + word[at] + word[at:]
    if choice == 2:
        return word[:at] + word[at + 1] + word[at] + word[at + 2:]
    return word[:at] + rng.choice(word.replace(word[at], "") or "e") + word[at + 1:]

"""Language analysis: the one place where text becomes search terms.

Documents and queries go through the same functions, so whatever a learner types meets the
text in the same form. FTS5 then only splits the analysed text at spaces (its ``unicode61``
tokenizer with ``categories 'L* N* Co M*'``, so it never cuts a word at a combining mark).

A word becomes a *surface* term and, where a Snowball stemmer exists for the text's
language, a *stem*:

- case folding (``str.casefold``), then Unicode decomposition;
- Latin, Greek and Cyrillic diacritics removed (``éditer`` -> ``editer``), and a few letters
  that do not decompose mapped by hand (``ł`` -> ``l``);
- Arabic: vowel marks (harakat), Quranic marks, tatweel and the hamza/madda marks removed,
  so ``أ إ آ`` become ``ا`` and ``ؤ ئ`` their carriers; ``ى`` and Persian ``ی`` become ``ي``,
  ``ة`` becomes ``ه``, ``ک`` becomes ``ك``;
- Indic scripts keep their vowel signs (they are letters there, not decoration); nukta is
  dropped and chandrabindu read as anusvara, as Hindi spelling varies; zero-width joiners go;
- digits of every script become ASCII digits;
- Chinese, Japanese and Korean runs become overlapping two-character terms (bigrams), so any
  two-character word inside a run is found without a dictionary;
- the stem is computed on the folded word before diacritics are removed (Snowball expects
  them), then folded like the surface.

``ANALYSIS_VERSION`` changes whenever the output of this module changes; together with the
stemmer library's and Unicode's versions it forms :func:`fingerprint`, stored in the database:
a different fingerprint makes the index rebuild itself.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import metadata

import Stemmer

#: Bump when the terms produced for some text change.
ANALYSIS_VERSION = 1

#: Longer "words" (base64, hashes, run-together junk) are not indexed.
MAX_WORD = 64

#: Snowball algorithms by language code (the part before any ``-``).
STEMMERS: dict[str, str] = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "cs": "czech",
    "da": "danish", "nl": "dutch", "en": "english", "eo": "esperanto", "et": "estonian",
    "fi": "finnish", "fr": "french", "de": "german", "el": "greek", "hi": "hindi",
    "hu": "hungarian", "id": "indonesian", "ga": "irish", "it": "italian", "lt": "lithuanian",
    "ne": "nepali", "no": "norwegian", "nb": "norwegian", "nn": "norwegian", "fa": "persian",
    "pl": "polish", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian",
    "st": "sesotho", "es": "spanish", "sv": "swedish", "ta": "tamil", "tr": "turkish",
    "yi": "yiddish",
}


def _ranges(codepoints: list[int]) -> str:
    """A regex character-class body for a sorted list of code points."""
    parts: list[str] = []
    start = prev = codepoints[0]
    for cp in [*codepoints[1:], -1]:
        if cp == prev + 1:
            prev = cp
            continue
        parts.append(re.escape(chr(start)) if start == prev
                     else f"{re.escape(chr(start))}-{re.escape(chr(prev))}")
        start = prev = cp
    return "".join(parts)


def _marks(span: range) -> list[int]:
    return [cp for cp in span if unicodedata.category(chr(cp))[0] == "M"]


# Soft hyphen, zero-width non-joiner and joiner sit inside words and are dropped.
_INVISIBLE = "\u00ad\u200c\u200d"
_BMP_MARKS = _ranges(_marks(range(0x10000)))
_ASTRAL_MARKS = _ranges(_marks(range(0x10000, 0x20000)) + _marks(range(0xE0100, 0xE01F0)))
#: A word: letters, digits, combining marks, invisible joiners; and ``_``, which ``\w`` has
#: and words do not, so callers first replace it with a space (one character class is much
#: faster than an alternation). Text with characters beyond the BMP needs the slower
#: :data:`WORD`; :func:`word_pattern` picks.
WORD = re.compile(f"[\\w{_BMP_MARKS}{_INVISIBLE}{_ASTRAL_MARKS}]+")
_WORD_BMP = re.compile(f"[\\w{_BMP_MARKS}{_INVISIBLE}]+")
_MARKED = re.compile(f"[{_BMP_MARKS}{_INVISIBLE}\U00010000-\U0010ffff]")


@lru_cache(maxsize=512)
def _words_beginning(chars: str) -> re.Pattern[str]:
    """The words that begin with one of ``chars``, in text without marks, invisible joiners
    or characters beyond the BMP (where a word is a run of ``\\w``, as :data:`WORD` sees)."""
    return re.compile(f"\\b[{re.escape(chars)}]\\w*")


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def word_pattern(text: str) -> re.Pattern[str]:
    return _WORD_BMP if _ASTRAL.search(text) is None else WORD


#: A quoted phrase (its text in group 1), in any of the usual quotation marks; the closing
#: one may be missing at the end.
QUOTED = re.compile(r"[\"“”„«»「」『』]([^\"“”„«»「」『』]*)(?:[\"“”„«»「」『』]|$)")

_CJK_CLASS = (
    "\u1100-\u11ff\u3005\u3040-\u30ff\u3100-\u312f\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f"
)
CJK = re.compile(f"[{_CJK_CLASS}]+")

# Combining marks that are diacritics of Latin, Greek and Cyrillic letters.
_DIACRITICS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def _fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {ord(c): None for c in _INVISIBLE}
    # Arabic: harakat and other marks (incl. combining hamza and madda), superscript alef,
    # Quranic annotation marks, tatweel.
    for cp in [*range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06EE), 0x0640]:
        table[cp] = None
    table.update({
        0x0671: "\u0627",  # alef wasla -> alef
        0x0649: "\u064a",  # alef maksura -> yeh
        0x06CC: "\u064a",  # Persian yeh -> Arabic yeh
        0x0629: "\u0647",  # teh marbuta -> heh
        0x06A9: "\u0643",  # keheh -> kaf
        0x093C: None,      # Devanagari nukta
        0x0901: "\u0902",  # chandrabindu -> anusvara
        ord("ł"): "l", ord("ø"): "o", ord("đ"): "d", ord("ħ"): "h", ord("ı"): "i",
        ord("ŧ"): "t", ord("æ"): "ae", ord("œ"): "oe", ord("þ"): "th", ord("ð"): "d",
    })
    for cp in range(0x20000):
        char = chr(cp)
        if unicodedata.category(char) == "Nd" and not char.isascii():
            table[cp] = str(unicodedata.decimal(char))
    return table


_FOLD = _fold_table()


@cache
def fingerprint() -> str:
    """What the stored index depends on: our rules, the stemmers, the Unicode tables."""
    try:
        stemmer_version = metadata.version("PyStemmer")
    except metadata.PackageNotFoundError:  # pragma: no cover - installed without metadata
        stemmer_version = "unknown"
    return f"{ANALYSIS_VERSION}/pystemmer-{stemmer_version}/unicode-{unicodedata.unidata_version}"


def base_language(lang: str | None) -> str:
    return (lang or "").split("-")[0].lower()


def stemmer_language(lang: str | None) -> str | None:
    """The Snowball algorithm for a language code, or None (Swahili and Chinese have none)."""
    return STEMMERS.get(base_language(lang))


def fold(text: str) -> str:
    """Case, diacritic and script folding of one word, without stemming or CJK splitting."""
    word = text.casefold()
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFD", word).translate(_FOLD)
    return unicodedata.normalize("NFC", _DIACRITICS.sub("", decomposed))


#: One analysed piece of a word: offsets inside the word, the surface term, the stem ('' when
#: there is none or it equals the surface).
Piece = tuple[int, int, str, str]


@dataclass(frozen=True, slots=True)
class Token:
    """A piece of text with its position in the original, for highlighting."""

    start: int
    end: int
    surface: str
    stem: str
    cjk: bool


class Analyzer:
    """The analysis for one language. Cheap to share between threads: the stemmer is per
    thread (Snowball stemmers are not thread-safe) and caches are only ever replaced whole.

    Words seen recently are cached in two generations of at most CACHE_LIMIT each: when
    the young one is full it becomes the old one, and old words in use are promoted, so
    common words stay while memory stays bounded (a library's vocabulary is unbounded).
    """

    CACHE_LIMIT = 25_000

    def __init__(self, lang: str | None) -> None:
        self.lang = base_language(lang)
        self.algorithm = stemmer_language(lang)
        # Stemmers that also strip prefixes (Arabic "ال" and "و", Indonesian "me-"...): a
        # word and its stem may begin differently.
        self.prefix_stemmer = self.lang in ("ar", "fa", "id", "ga", "yi")
        self._local = threading.local()
        self._cache: dict[str, tuple[Piece, ...]] = {}
        self._simple: dict[str, tuple[str, str]] = {}
        self._old: dict[str, tuple[str, str]] = {}

    def _simple_word(self, folded: str) -> tuple[str, str] | None:
        """(surface, stem) of a one-piece word from its case-folded form, cached; None for a
        word of several pieces (CJK) or none."""
        known = self._old.get(folded)
        if known is None:
            pieces = self._analyse(folded)
            if len(pieces) != 1:
                return None
            known = (pieces[0][2], pieces[0][3])
        if len(self._simple) >= self.CACHE_LIMIT:
            self._old, self._simple = self._simple, {}
        self._simple[folded] = known
        return known

    def _stem(self, word: str) -> str:
        if self.algorithm is None or word.isdigit():
            return word
        stemmer = getattr(self._local, "stemmer", None)
        if stemmer is None:
            stemmer = self._local.stemmer = Stemmer.Stemmer(self.algorithm)
        return str(stemmer.stemWord(word))

    def word(self, word: str) -> tuple[Piece, ...]:
        """The pieces of one regex word (usually one; several for CJK runs)."""
        pieces = self._cache.get(word)
        if pieces is None:
            pieces = self._analyse(word)
            if len(self._cache) >= self.CACHE_LIMIT // 5:
                self._cache = {}
            self._cache[word] = pieces
        return pieces

    def _analyse(self, word: str) -> tuple[Piece, ...]:
        if CJK.search(word) is None:
            piece = self._plain(word, 0, len(word))
            return (piece,) if piece else ()
        pieces: list[Piece] = []
        position = 0
        for run in CJK.finditer(word):
            if run.start() > position:
                piece = self._plain(word[position:run.start()], position, run.start())
                if piece:
                    pieces.append(piece)
            chars = run.group()
            if len(chars) == 1:
                pieces.append((run.start(), run.end(), fold(chars), ""))
            for i in range(len(chars) - 1):
                start = run.start() + i
                pieces.append((start, start + 2, fold(chars[i:i + 2]), ""))
            position = run.end()
        if position < len(word):
            piece = self._plain(word[position:], position, len(word))
            if piece:
                pieces.append(piece)
        return tuple(pieces)

    def _plain(self, word: str, start: int, end: int) -> Piece | None:
        folded = word.casefold()
        if folded.isascii():
            if len(folded) > MAX_WORD:
                return None
            stem = self._stem(folded)
            return (start, end, folded, "" if stem == folded else stem)
        decomposed = unicodedata.normalize("NFD", folded).translate(_FOLD)
        if not decomposed:
            return None
        with_marks = unicodedata.normalize("NFC", decomposed)
        surface = unicodedata.normalize("NFC", _DIACRITICS.sub("", decomposed))
        if not surface or len(surface) > MAX_WORD:
            return None
        stem = self._stem(with_marks)
        stem = fold(stem) if stem != with_marks else surface
        return (start, end, surface, "" if stem == surface else stem)

    def terms(self, text: str) -> tuple[list[str], list[str]]:
        """Surface terms in order (for phrases) and the stems that differ from them.

        The hot loop of indexing: the text is case-folded whole first (every piece is
        computed from the case-folded word anyway), and one-piece words come from a cache.
        """
        surfaces: list[str] = []
        stems: list[str] = []
        add_surface = surfaces.append
        add_stem = stems.append
        text = text.casefold().replace("_", " ")
        for word in word_pattern(text).findall(text):
            known = self._simple.get(word) or self._simple_word(word)
            if known is not None:
                add_surface(known[0])
                if known[1]:
                    add_stem(known[1])
                continue
            for _start, _end, surface, stem in self._analyse(word):
                add_surface(surface)
                if stem:
                    add_stem(stem)
        return surfaces, stems

    def tokens(self, text: str) -> list[Token]:
        """Every piece with its offsets in ``text`` (for snippets and highlighting)."""
        found: list[Token] = []
        text = text.replace("_", " ")
        for match in word_pattern(text).finditer(text):
            offset = match.start()
            word = match.group()
            multi = CJK.search(word) is not None
            for start, end, surface, stem in self.word(word):
                cjk = multi and CJK.fullmatch(word, start, end) is not None
                found.append(Token(offset + start, offset + end, surface, stem, cjk))
        return found

    def spans(self, text: str, surfaces: set[str], stems: set[str],
              prefixes: tuple[str, ...] = (), memo: dict[str, int] | None = None
              ) -> list[tuple[int, int]]:
        """Offsets of the pieces of ``text`` whose surface is in ``surfaces``, whose stem (or
        surface, when it has no other stem) is in ``stems``, or whose surface starts with one
        of ``prefixes``. Overlapping matches (CJK bigrams) merge.

        The hot loop of snippets. What each distinct (case-folded) word gives is decided once
        and kept in ``memo`` (give the same dict for the same wanted terms: a query's
        snippets share it), so a word seen before costs one lookup. A word is skipped unseen
        when its first letter is not the first letter of anything wanted (stems keep a
        word's first letter, except where the stemmer strips prefixes). A run of Chinese or
        Japanese (one regex word of hundreds of characters) is searched for the wanted
        bigrams rather than cut into all of its own. In text without either, and unless the
        stemmer strips prefixes, a regular expression finds only the words that begin with
        a wanted first letter (or with a mark), so the others are not even looked at.
        """
        found: list[tuple[int, int]] = []
        memo = {} if memo is None else memo
        text = text.replace("_", " ")
        folded_text = text.casefold()
        aligned = len(folded_text) == len(text)
        if not aligned:  # ß, ligatures: offsets would move
            folded_text = text
        initials = {t[:1] for t in (*surfaces, *stems, *prefixes)}
        words = word_pattern(folded_text)
        if (aligned and not self.prefix_stemmer and len(folded_text) > 200
                and _MARKED.search(folded_text) is None and CJK.search(folded_text) is None):
            firsts = {c for c in initials if c.isascii()}
            firsts.update(c for c in set(folded_text) if not c.isascii()
                          and (_initial(c) in initials or not _initial(c)))
            if not firsts:
                return found
            words = _words_beginning("".join(sorted(firsts)))
        for match in words.finditer(folded_text):
            word = match.group()
            verdict = memo.get(word)
            if verdict is None:
                verdict = memo[word] = self._verdict(word, surfaces, stems, prefixes,
                                                     initials)
            if verdict == _NO:
                continue
            if verdict == _YES:
                found.append(match.span())
                continue
            offset = match.start()
            pieces = (self._cjk_matches(word, surfaces, stems, prefixes) if verdict == _RUN
                      else [(s, e) for s, e, surface, stem in self.word(word)
                            if _wanted(surface, stem, surfaces, stems, prefixes)])
            for start, end in pieces:
                if found and offset + start < found[-1][1]:
                    found[-1] = (found[-1][0], max(found[-1][1], offset + end))
                else:
                    found.append((offset + start, offset + end))
        return found

    def _verdict(self, word: str, surfaces: set[str], stems: set[str],
                 prefixes: tuple[str, ...], initials: set[str]) -> int:
        """What a case-folded word gives: no match, a match of the whole word, a run of CJK
        bigrams to search, or pieces to look at."""
        ascii_word = word.isascii()
        if not self.prefix_stemmer:
            initial = _initial(word[:1])
            if initial and initial not in initials and (ascii_word or CJK.search(word) is None):
                return _NO  # nothing wanted begins as any piece of this word does
        if not ascii_word and len(word) > 1 and CJK.fullmatch(word) is not None and (
                fold(word) == word):
            return _RUN
        folded = word.casefold()
        known = self._simple.get(folded) or self._simple_word(folded)
        if known is not None:
            return _YES if _wanted(known[0], known[1], surfaces, stems, prefixes) else _NO
        return _PIECES

    @staticmethod
    def _cjk_matches(run: str, surfaces: set[str], stems: set[str],
                     prefixes: tuple[str, ...]) -> list[tuple[int, int]]:
        """The wanted bigrams of a CJK run (each of its pieces is a bigram that folds to
        itself), by offset."""
        needles = {t for t in (*surfaces, *stems, *prefixes) if len(t) == 2}
        needles.update(p for p in prefixes if len(p) == 1)
        starts: set[int] = set()
        for needle in needles:
            at = run.find(needle)
            while 0 <= at < len(run) - 1:
                starts.add(at)
                at = run.find(needle, at + 1)
        return [(start, start + 2) for start in sorted(starts)]


#: What a word gives in :meth:`Analyzer.spans`.
_NO, _YES, _RUN, _PIECES = 0, 1, 2, 3


def _wanted(surface: str, stem: str, surfaces: set[str], stems: set[str],
            prefixes: tuple[str, ...]) -> bool:
    return (surface in surfaces or (stem or surface) in stems
            or bool(prefixes and surface.startswith(prefixes)))


@cache
def _initial(char: str) -> str:
    return fold(char)[:1]


_analyzers: dict[str, Analyzer] = {}
_lock = threading.Lock()


def analyzer(lang: str | None) -> Analyzer:
    """The shared analyzer of a language (one per language with a stemmer; one for the rest)."""
    key = base_language(lang) if stemmer_language(lang) else ""
    found = _analyzers.get(key)
    if found is None:
        with _lock:
            found = _analyzers.setdefault(key, Analyzer(key or None))
    return found


def is_cjk(term: str) -> bool:
    return CJK.fullmatch(term) is not None


__all__ = [
    "ANALYSIS_VERSION",
    "CJK",
    "WORD",
    "Analyzer",
    "Token",
    "analyzer",
    "base_language",
    "fingerprint",
    "fold",
    "is_cjk",
    "stemmer_language",
    "word_pattern",
]

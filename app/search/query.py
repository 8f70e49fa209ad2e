"""Searching: whatever a learner types becomes a safe FTS5 query, ranked, with snippets.

The user's text never reaches FTS5's query syntax. It goes through the same analysis as the
documents (:mod:`app.search.analysis`), and the query is assembled from the resulting terms,
each quoted: quotes, colons, brackets, ``AND``/``NEAR``, lone operators or 10 KB of text are
all just words (or nothing) to it. Any database error is logged and gives an empty result.

How a query is answered:

1. Words: each must match (AND), by its folded surface form in titles or bodies, or through
   stems: the query word's stems in every language present in the library (or only the
   ``lang`` filter's), matched against the documents' stems, so ``citations`` finds
   ``citation`` and ``लेख`` finds ``लेखों``. Text in double quotes is a phrase; a run of
   Chinese or Japanese is a phrase of its bigrams. The last word, while it is being typed,
   also stands for the most frequent words it begins (results as you type).
2. Ranking: bm25 with titles weighing 10, bodies 1, and stems 0.7 of their column's weight,
   so a title beats a body, and the word as typed beats an inflection. The matches are walked
   once in rowid order (short documents first); a broad query (more matches than a window
   holds, see _window_size) ranks its title matches (from a small title index), then the
   window of its shortest matches: ranking costs a few microseconds a match, too much for
   tens of thousands on an old laptop, and bm25 prefers short documents anyway. A single
   phrase, and a broad query whose last word is being typed, order the matches after their
   titles by length: bm25 would first count each phrase's documents over the whole index,
   which costs more than the search and, for one phrase, cannot change the order. Facets
   are counted from the same walk, by the group each rowid carries.
3. Typos: a word the index does not know (or knows in at most two documents while a close
   word is far more common) gets candidates from the index vocabulary within one or two
   edits (optimal string alignment: a transposition is one edit), most common first. The
   corrected query is offered as "did you mean", and its results follow the exact ones,
   never before them.
4. Nothing found with every word: any word may match.
5. The learner's notes are searched too; a hit there finds the note's resource, first.
6. Snippets are cut from the original text around the densest matches, with the matched
   words' offsets, and the time of the subtitle cue or the PDF page they are in.
"""

from __future__ import annotations

import bisect
import json
import logging
import re
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

import sqlite_utils
from rapidfuzz import process
from rapidfuzz.distance import OSA

from app.errors import NotFoundError
from app.packs.manifest import localized
from app.search.analysis import (
    QUOTED,
    analyzer,
    base_language,
    is_cjk,
    stemmer_language,
    word_pattern,
)
from app.search.extract import Segment
from app.search.index import (
    GROUP_MASK,
    NO_GROUP,
    SEQUENCE_BITS,
    Group,
    ensure_current,
    generation,
    group_of,
    groups,
    unpack_text,
    vocabulary,
)
from app.search.zims import BUDGET as ZIM_BUDGET
from app.search.zims import Article, ZimMatches, ZimSource, blocks, read_articles, search_zim
from app.search.zims import sources as zim_sources

if TYPE_CHECKING:
    from app.library import Library

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 500
MAX_TERMS = 12
MAX_LIMIT = 1000
#: bm25 weights of search_fts's columns: title, body, title stems, body stems (an inflection
#: counts a little less than the word as typed).
WEIGHTS = "10.0, 1.0, 7.0, 0.7"
TITLE_WEIGHTS = "10.0, 7.0"  # search_titles: title, title stems
NOTE_RANK = "bm25(1.0, 0.5)"
SNIPPET_CHARS = 160
#: Queries matching more documents than this rank a bounded window (see _resource_rows).
RANK_CAP = 2500
#: Ranking costs about a quarter of a microsecond a matching document for each phrase of the
#: FTS expression (a word as typed, each of its stems, each completion...): the window of a
#: broad query holds RANK_COST // phrases documents (from RANK_MIN to RANK_CAP).
RANK_COST = 10_000
RANK_MIN = 800
#: Facets count at most this many matches.
FACET_CAP = 5000
#: A prefix (the word being typed) expands to at most this many words.
COMPLETIONS = 12


@dataclass(frozen=True)
class Term:
    """One thing the query asks for: a word (with stems, maybe a prefix) or a phrase."""

    surfaces: tuple[str, ...]  # one word, or a phrase's words in order
    stems: tuple[str, ...] = ()
    prefix: bool = False
    span: tuple[int, int] = (0, 0)  # where it is in the query text
    completions: tuple[str, ...] = ()  # for a prefix: the likeliest words it begins

    @property
    def is_word(self) -> bool:
        return len(self.surfaces) == 1 and not is_cjk(self.surfaces[0])


@dataclass(frozen=True)
class Hit:
    resource_id: str
    pack_id: str
    kind: str
    lang: str | None
    title: str
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    score: float
    field: str  # title, description, body, quiz, pdf, subtitles, transcript or note
    timestamp: float | None = None
    page: int | None = None
    match: str = "all"  # all (every word), any (some words), fuzzy (typo-corrected)
    note_id: str | None = None
    title_highlights: tuple[tuple[int, int], ...] = ()
    entry: str | None = None  # a ZIM article: its entry path (the resource opens it there)
    text_lang: str | None = None  # the matched text's language (a subtitle track's)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("highlights", "title_highlights"):
            data[key] = [list(pair) for pair in data[key]]
        return data


@dataclass
class Results:
    query: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    total_exact: bool = True  # False: more matched than were counted (see FACET_CAP)
    suggestion: str | None = None
    facets: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "total_exact": self.total_exact,
            "suggestion": self.suggestion,
            "facets": self.facets,
            "hits": [hit.as_dict() for hit in self.hits],
        }


@dataclass(frozen=True)
class Filters:
    lang: str | None = None
    kind: str | None = None
    pack: str | None = None
    skill: str | None = None


# -- parsing ----------------------------------------------------------------------------------


def parse(text: str, languages: Iterable[str | None], prefix: bool = True) -> list[Term]:
    """The terms of a query, analysed like documents. Never raises; may return []."""
    text = text[:MAX_QUERY_CHARS].replace("_", " ")
    stemmers = [analyzer(lang) for lang in languages if stemmer_language(lang)]
    neutral = analyzer(None)
    terms: list[Term] = []
    position = 0
    for quoted in QUOTED.finditer(text):
        terms.extend(_words(text, position, quoted.start(), neutral, stemmers))
        phrase = [t.surface for t in neutral.tokens(quoted.group(1))]
        if phrase:
            terms.append(Term(tuple(phrase), span=quoted.span()))
        position = quoted.end()
    terms.extend(_words(text, position, len(text), neutral, stemmers))
    unique: list[Term] = []
    for term in terms:
        if all(term.surfaces != other.surfaces for other in unique):
            unique.append(term)
    unique = unique[:MAX_TERMS]
    for index, term in enumerate(unique):
        single = term.surfaces[0]
        if len(term.surfaces) == 1 and len(single) == 1 and is_cjk(single):
            # One Chinese character is not indexed alone: find the bigrams it starts.
            unique[index] = Term(term.surfaces, term.stems, True, term.span)
    if prefix and unique and not text[-1].isspace():
        last = unique[-1]
        if last.span[1] == len(text) and last.is_word and len(last.surfaces[0]) >= 2:
            unique[-1] = Term(last.surfaces, last.stems, True, last.span)
    return unique


def _words(text: str, start: int, end: int, neutral: Any, stemmers: list[Any]) -> list[Term]:
    terms: list[Term] = []
    for match in word_pattern(text).finditer(text, start, end):
        word = match.group()
        pieces = neutral.word(word)
        cjk_run: list[str] = []
        run_start = run_end = 0
        for piece_start, piece_end, surface, _stem in pieces:
            absolute = (match.start() + piece_start, match.start() + piece_end)
            if is_cjk(surface):
                if cjk_run and absolute[0] != run_end - 1:
                    terms.append(Term(tuple(cjk_run), span=(run_start, run_end)))
                    cjk_run = []
                if not cjk_run:
                    run_start = absolute[0]
                cjk_run.append(surface)
                run_end = absolute[1]
                continue
            if cjk_run:
                terms.append(Term(tuple(cjk_run), span=(run_start, run_end)))
                cjk_run = []
            stems: set[str] = set()
            segment = word[piece_start:piece_end]
            for stemmer in stemmers:
                for _s, _e, _surface, stem in stemmer.word(segment):
                    if stem and stem != surface:
                        stems.add(stem)
            terms.append(Term((surface,), tuple(sorted(stems)), span=absolute))
        if cjk_run:
            terms.append(Term(tuple(cjk_run), span=(run_start, run_end)))
    return terms


# -- FTS5 expressions -------------------------------------------------------------------------

#: Column filters: where phrases are looked for (surfaces). Words, their stems and the
#: completions of a prefix are looked for in every column of the table (surfaces and
#: stems), which needs no filter: one makes FTS5 read the positions of every document that
#: has the word to check their columns, also when bm25 counts the documents that have it.
COLUMNS = {
    "all": "{title body}",
    "title": "{title}",  # search_titles: title, title_stems
    "notes": "{body}",  # notes_fts: body, stems
}


def _quote(*words: str) -> str:
    return '"' + " ".join(w.replace('"', '""') for w in words) + '"'


def _alternatives(term: Term, columns: str, extra: Sequence[Term] = ()) -> str:
    surface_cols = COLUMNS[columns]
    options: list[str] = []
    for candidate in (term, *extra):
        if len(candidate.surfaces) > 1:
            options.append(f"{surface_cols} : {_quote(*candidate.surfaces)}")
            continue
        surface = candidate.surfaces[0]
        # The stem columns too: a word typed in its base form finds its inflections.
        options.append(_quote(surface))
        options.extend(_quote(word) for word in candidate.completions)
        options.extend(_quote(stem) for stem in candidate.stems)
    options = list(dict.fromkeys(options))
    return options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")"


def expression(terms: Sequence[Term], op: str = "AND", columns: str = "all",
               fuzzy: dict[int, list[Term]] | None = None) -> str:
    """The FTS5 MATCH text for terms: against ``search_fts`` (``columns`` "all" or "title")
    or ``notes_fts`` ("notes")."""
    fuzzy = fuzzy or {}
    return f" {op} ".join(
        _alternatives(term, columns, fuzzy.get(index, ())) for index, term in enumerate(terms)
    )


# -- the library's vocabulary -----------------------------------------------------------------


@dataclass
class _State:
    generation: int
    languages: list[str]
    groups: list[Group]  # the facet groups, by number (see index.rowid_for)
    overflow: bool  # some documents have no group number (NO_GROUP)
    vocabulary: list[str] | None = None  # sorted by length, then text
    lengths: list[int] | None = None


_states: dict[str, _State] = {}
_states_lock = threading.Lock()


def _state(db: sqlite_utils.Database) -> _State:
    """Facts about the index that change only when it does, cached per database."""
    key = str(db.execute("PRAGMA database_list").fetchone()[2])
    current = generation(db)
    state = _states.get(key)
    if state is None or state.generation != current:
        languages = sorted(
            {base_language(row[0]) for row in db.execute("SELECT DISTINCT lang FROM search_docs")}
        )
        overflow = db.execute(
            f"SELECT 1 FROM search_docs WHERE ((id >> {SEQUENCE_BITS}) & {GROUP_MASK}) = ? "
            "LIMIT 1", (NO_GROUP,)).fetchone() is not None
        state = _State(current, languages, groups(db), overflow)
        with _states_lock:
            _states[key] = state
    return state


def _vocabulary(db: sqlite_utils.Database, state: _State) -> tuple[list[str], list[int]]:
    """Words that typos are corrected towards, sorted by length (see
    index.store_vocabulary)."""
    if state.vocabulary is None or state.lengths is None:
        terms = vocabulary(db)
        state.vocabulary, state.lengths = terms, [len(t) for t in terms]
    return state.vocabulary, state.lengths


def _docs(db: sqlite_utils.Database, term: str) -> int:
    row = db.execute("SELECT docs FROM search_terms WHERE term = ?", (term,)).fetchone()
    return int(row[0]) if row else 0


def complete(db: sqlite_utils.Database, term: Term) -> Term:
    """A prefix term with the most frequent words it begins (bounded, so that ``e`` does not
    expand into every word of the library), or for one Chinese or Japanese character, the
    most frequent bigrams it begins."""
    single_cjk = len(term.surfaces) == 1 and len(term.surfaces[0]) == 1 and is_cjk(
        term.surfaces[0])
    if not term.prefix or not (term.is_word or single_cjk):
        return term
    prefix = term.surfaces[0]
    rows = db.execute(
        "SELECT term FROM search_terms WHERE term > ? AND term < ? ORDER BY docs DESC LIMIT ?",
        (prefix, prefix + "\U0010ffff", COMPLETIONS),
    ).fetchall()
    return replace(term, completions=tuple(row[0] for row in rows))


# -- typo tolerance ---------------------------------------------------------------------------


def _max_edits(word: str) -> int:
    return 1 if len(word) <= 5 else 2


def _found_by_stems(db: sqlite_utils.Database, term: Term) -> int:
    if not term.stems:
        return 0
    match = " OR ".join(_quote(stem) for stem in term.stems)
    return int(db.execute(
        "SELECT COUNT(*) FROM (SELECT rowid FROM search_fts WHERE search_fts MATCH ? LIMIT 3)",
        (match,),
    ).fetchone()[0])


def corrections(db: sqlite_utils.Database, state: _State, terms: Sequence[Term],
                stemmer_langs: Sequence[str], page_full: bool = False) -> dict[int, list[Term]]:
    """For each word the library does not know, or knows in at most two documents while a
    word one or two edits away is far more common: up to three such words, closest first,
    then most common. A word found only through stems (an inflection the library has in
    another form, or a typo that happens to stem like a real word) is corrected only when
    the exact results do not fill the page (``page_full``)."""
    found: dict[int, list[Term]] = {}
    for index, term in enumerate(terms):
        if not term.is_word or term.completions:
            continue  # a phrase, a CJK run, or a prefix that is still being typed
        word = term.surfaces[0]
        if len(word) < 3 or word.isdigit():
            continue
        count = _docs(db, word)
        if count > 2:
            continue
        if page_full and _found_by_stems(db, term):
            continue
        vocabulary, lengths = _vocabulary(db, state)
        edits = _max_edits(word)
        lo = bisect.bisect_left(lengths, len(word) - edits)
        hi = bisect.bisect_right(lengths, len(word) + edits)
        matches = process.extract(word, vocabulary[lo:hi], scorer=OSA.distance,
                                  score_cutoff=edits, limit=30)
        scored: list[tuple[int, int, str]] = []
        for candidate, distance, _ in matches:
            if candidate == word or candidate in term.stems:
                continue
            docs = _docs(db, candidate)
            if docs and (count == 0 or docs >= max(3, 10 * count)):
                scored.append((int(distance), -docs, candidate))
        scored.sort()
        if scored:
            best = scored[0][0]
            found[index] = [
                Term((c,), _stems_of(c, stemmer_langs), False, term.span)
                for d, _, c in scored[:3] if d == best
            ]
    return found


def _stems_of(word: str, languages: Sequence[str]) -> tuple[str, ...]:
    stems = {stem for lang in languages for *_, stem in analyzer(lang).word(word) if stem}
    return tuple(sorted(stems - {word}))


def suggestion_text(query: str, terms: Sequence[Term], fixes: dict[int, list[Term]]) -> str:
    text = query[:MAX_QUERY_CHARS]
    for index in sorted(fixes, key=lambda i: terms[i].span[0], reverse=True):
        start, end = terms[index].span
        text = text[:start] + fixes[index][0].surfaces[0] + text[end:]
    return text


# -- running ----------------------------------------------------------------------------------


def _filter_sql(filters: Filters) -> tuple[str, list[Any]]:
    """SQL conditions on ``search_docs d`` for the filters."""
    clauses: list[str] = []
    params: list[Any] = []
    if filters.lang:
        clauses.append("(d.lang = ? OR d.lang LIKE ? ESCAPE '\\')")
        escaped = filters.lang.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params += [filters.lang, escaped + "-%"]
    if filters.kind:
        clauses.append("d.kind = ?")
        params.append(filters.kind)
    if filters.pack:
        clauses.append("d.pack_id = ?")
        params.append(filters.pack)
    if filters.skill:
        clauses.append("instr(d.skills, ?) > 0")
        params.append(f" {filters.skill} ")
    return "".join(f" AND {c}" for c in clauses), params


def _passes(filters: Filters, lang: str, kind: str, pack: str, skills: str,
            skip: str = "") -> bool:
    """Whether a document passes the filters (all but ``skip``'s)."""
    for name, value in (("lang", filters.lang), ("kind", filters.kind),
                        ("pack", filters.pack), ("skill", filters.skill)):
        if value is None or name == skip:
            continue
        if name == "lang" and not (lang == value or lang.startswith(value + "-")):
            return False
        if ((name == "kind" and kind != value) or (name == "pack" and pack != value)
                or (name == "skill" and f" {value} " not in skills)):
            return False
    return True


@dataclass
class _Row:
    resource_id: str
    pack_id: str
    kind: str
    lang: str
    title_json: str
    score: float
    docid: int | None
    match: str
    note: tuple[str, str, float | None] | None = None  # note id, body, at_seconds


_GROUP = f"(({{col}} >> {SEQUENCE_BITS}) & {GROUP_MASK})"


def _window_size(match: str) -> int:
    """How many of the shortest matches a broad query ranks (see RANK_COST)."""
    phrases = max(1, match.count('"') // 2)
    return max(RANK_MIN, min(RANK_CAP, RANK_COST // phrases))


class _Query:
    """One search's access to the index. The matches of an FTS expression are walked once,
    in rowid order (short documents first), up to FACET_CAP: that walk tells whether the
    query is broad (see _window_size), where a broad query's window ends, and the facet
    counts, read from the rowids (each carries its document's facet group, see
    index.rowid_for). Filters are conditions on those groups. bm25 then ranks the matches
    (all of them, or a broad query's window) in one statement that sorts only the best."""

    def __init__(self, db: sqlite_utils.Database, state: _State, filters: Filters) -> None:
        self.db, self.state, self.filters = db, state, filters
        self.allowed: frozenset[int] | None = None
        if any((filters.lang, filters.kind, filters.pack, filters.skill)):
            self.allowed = frozenset(
                number for number, group in enumerate(state.groups)
                if number != NO_GROUP and _passes(filters, *group))
        self._walks: dict[str, list[int]] = {}

    def walk(self, match: str) -> list[int]:
        """The first FACET_CAP matching rowids, in rowid order (unfiltered)."""
        found = self._walks.get(match)
        if found is None:
            found = self._walks[match] = [row[0] for row in self.db.execute(
                "SELECT rowid FROM search_fts WHERE search_fts MATCH ? ORDER BY rowid LIMIT ?",
                (match, FACET_CAP))]
        return found

    def first(self, match: str, count: int) -> list[int]:
        """The first ``count`` matching rowids (the shortest documents) that pass the
        filters."""
        walked = self.walk(match)
        if self.allowed is None:
            return walked[:count]
        if not self.state.overflow:
            kept = [rowid for rowid in walked if group_of(rowid) in self.allowed][:count]
            if len(kept) == count or len(walked) < FACET_CAP:
                return kept
        where, params = self.condition("search_fts.rowid")
        return [row[0] for row in self.db.execute(
            f"SELECT rowid FROM search_fts WHERE search_fts MATCH ?{where} "
            "ORDER BY rowid LIMIT ?", [match, *params, count])]

    def window(self, match: str) -> int | None:
        """None when fewer documents that pass the filters match than a window holds (see
        _window_size); otherwise the rowid of the window's last one. Ranking costs a few
        microseconds a match, too much for tens of thousands on an old laptop; rowids put
        short documents first (index.rowid_for), and bm25 favours them, so the window holds
        the likeliest best answers."""
        size = _window_size(match)
        kept = self.first(match, size)
        return kept[-1] if len(kept) == size else None

    def condition(self, column: str) -> tuple[str, list[Any]]:
        """SQL keeping the rowids in ``column`` that pass the filters ("" without any)."""
        if self.allowed is None:
            return "", []
        group = _GROUP.format(col=column)
        numbers = ",".join(map(str, sorted(self.allowed)))
        sql = f"{group} IN ({numbers})" if numbers else "0"
        if not self.state.overflow:
            return f" AND {sql}", []
        where, params = _filter_sql(self.filters)
        return (f" AND ({sql} OR ({group} = {NO_GROUP} AND {column} IN "
                f"(SELECT d.id FROM search_docs d WHERE 1{where})))", params)

    def ranked(self, table: str, match: str, limit: int, mode: str,
               until: int | None = None) -> list[_Row]:
        """The best ``limit`` matches of ``table`` (up to rowid ``until``) by bm25: the
        function, with SQLite's top-N sort, as FTS5's ``ORDER BY rank`` sorts every match."""
        where, params = self.condition(f"{table}.rowid")
        if until is not None:
            where += f" AND {table}.rowid <= ?"
            params.append(until)
        weights = WEIGHTS if table == "search_fts" else TITLE_WEIGHTS
        scored = self.db.execute(
            f"SELECT rowid, bm25({table}, {weights}) AS score FROM {table} "
            f"WHERE {table} MATCH ?{where} ORDER BY score LIMIT ?",
            [match, *params, limit],
        ).fetchall()
        return self.rows(scored, mode)

    def title_window(self, match: str) -> int | None:
        """The window of a broad query's title matches (see window)."""
        where, params = self.condition("search_titles.rowid")
        row = self.db.execute(
            f"SELECT rowid FROM search_titles WHERE search_titles MATCH ?{where} "
            "ORDER BY rowid LIMIT 1 OFFSET ?", [match, *params, _window_size(match) - 1],
        ).fetchone()
        return None if row is None else int(row[0])

    def rows(self, scored: Sequence[tuple[int, float]], mode: str) -> list[_Row]:
        """The details of scored documents, in the same order."""
        if not scored:
            return []
        marks = ",".join("?" * len(scored))
        details = {row[0]: row for row in self.db.execute(
            "SELECT d.id, d.resource_id, d.pack_id, d.kind, d.lang, r.title "
            "FROM search_docs d JOIN resources r ON r.id = d.resource_id "
            f"WHERE d.id IN ({marks})", [rowid for rowid, _score in scored])}
        return [_Row(row[1], row[2], row[3], row[4], row[5], -float(score), rowid, mode)
                for rowid, score in scored if (row := details.get(rowid)) is not None]

    def facets(self, match: str | None, extra: Sequence[tuple[str, str, str, str, int]] = ()
               ) -> tuple[int, bool, dict[str, dict[str, int]]]:
        """Counts per language, kind, pack and skill, over at most FACET_CAP matches (the
        counts are then lower bounds, and the total says so), plus ``extra`` groups (lang,
        kind, pack, skills, count: the ZIMs' matches). Each facet counts the matches that
        pass the other facets' filters, so a learner sees what choosing another value
        gives. The matches' groups come from their rowids."""
        walked = [] if match is None else self.walk(match)
        numbers: Counter[int] = Counter()
        for high, count in Counter(map(SEQUENCE_BITS.__rrshift__, walked)).items():
            numbers[high & GROUP_MASK] += count  # the length bucket is above the group
        known = len(self.state.groups)
        groups: list[tuple[Any, ...]] = [
            (*self.state.groups[number], count) for number, count in numbers.items()
            if number != NO_GROUP and number < known]
        if any(number == NO_GROUP or number >= known for number in numbers):
            unknown = [rowid for rowid in walked
                       if group_of(rowid) == NO_GROUP or group_of(rowid) >= known]
            groups += self.db.execute(
                "SELECT d.lang, d.kind, d.pack_id, d.skills, COUNT(*) FROM search_docs d "
                "WHERE d.id IN (SELECT value FROM json_each(?)) GROUP BY 1, 2, 3, 4",
                (json.dumps(unknown),)).fetchall()
        filters = self.filters

        def passes(row: tuple[Any, ...], skip: str) -> bool:
            return _passes(filters, row[0], row[1], row[2], row[3], skip)

        facets: dict[str, dict[str, int]] = {"lang": {}, "kind": {}, "pack": {}, "skill": {}}
        total = 0
        for row in [*groups, *extra]:
            count = int(row[4])
            if passes(row, ""):
                total += count
            for name, values in (("lang", [row[0] or "und"]), ("kind", [row[1]]),
                                 ("pack", [row[2]]), ("skill", row[3].split())):
                if passes(row, name):
                    for value in values:
                        facets[name][value] = facets[name].get(value, 0) + count
        for name, counts in facets.items():
            facets[name] = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
        return total, len(walked) < FACET_CAP, facets


def _resource_rows(query: _Query, terms: Sequence[Term], op: str,
                   fuzzy: dict[int, list[Term]] | None, limit: int, mode: str) -> list[_Row]:
    """The best ``limit`` resources. A broad query (more matches than a window holds) ranks
    its title matches (from the small title index) first, then the window of its shortest
    matches; while its last word is being typed, those come shortest first (bm25 would first
    count, over the whole index, the documents of each of the commonest words the prefix
    begins, which costs more than the search)."""
    full = expression(terms, op, fuzzy=fuzzy)
    if len(terms) == 1 and len(terms[0].surfaces) > 1 and not fuzzy:
        return _phrase_rows(query, terms, full, limit, mode)
    window = query.window(full)
    if window is None:
        return query.ranked("search_fts", full, limit, mode)
    titles = expression(terms, op, "title", fuzzy)
    rows = query.ranked("search_titles", titles, limit, mode, query.title_window(titles))
    if len(rows) < limit:
        seen = {row.resource_id for row in rows}
        if any(term.completions for term in terms):
            body = query.rows([(rowid, 0.0) for rowid in query.first(full, 2 * limit)], mode)
        else:
            body = query.ranked("search_fts", full, limit, mode, window)
        rows += [row for row in body if row.resource_id not in seen][: limit - len(rows)]
    return rows


def _phrase_rows(query: _Query, terms: Sequence[Term], full: str, limit: int, mode: str
                 ) -> list[_Row]:
    """A query of one phrase: the documents with the phrase in their title (ranked by bm25
    from the title index), then those with it in their text from the shortest (score 0).

    bm25 would first evaluate the phrase over the whole index once more, to count the
    documents that have it: for a phrase of common words ("a list of") that costs as much
    as finding them. With a single phrase that count is the same for every match, so it
    cannot change their order; the order differs from bm25's only where a longer text
    repeats the phrase."""
    rows = query.ranked("search_titles", expression(terms, "AND", "title"), limit, mode)
    if len(rows) < limit:
        seen = {row.resource_id for row in rows}
        body = query.rows([(rowid, 0.0) for rowid in query.first(full, 2 * limit)], mode)
        rows += [row for row in body if row.resource_id not in seen][: limit - len(rows)]
    return rows


def _note_rows(db: sqlite_utils.Database, match: str, filters: Filters, limit: int,
               mode: str, profile_id: str) -> list[_Row]:
    where, params = _filter_sql(filters)
    sql = (
        "SELECT d.resource_id, d.pack_id, d.kind, d.lang, r.title, notes_fts.rank, "
        "n.id, n.body, n.at_seconds "
        "FROM notes_fts JOIN notes n ON n.rowid = notes_fts.rowid "
        "JOIN search_docs d ON d.resource_id = n.resource_id "
        "JOIN resources r ON r.id = d.resource_id "
        f"WHERE notes_fts MATCH ? AND notes_fts.rank MATCH '{NOTE_RANK}' "
        f"AND n.profile_id = ? AND n.deleted = 0{where} "
        "ORDER BY notes_fts.rank LIMIT ?"
    )
    return [
        _Row(row[0], row[1], row[2], row[3], row[4], -float(row[5]), None, mode,
             (row[6], row[7], row[8]))
        for row in db.execute(sql, [match, profile_id, *params, limit])
    ]


def _run(query: _Query, terms: Sequence[Term], limit: int, op: str, mode: str,
         profile_id: str | None, fuzzy: dict[int, list[Term]] | None = None) -> list[_Row]:
    rows = _resource_rows(query, terms, op, fuzzy, limit, mode)
    if profile_id is None:
        return rows
    notes = _note_rows(query.db, expression(terms, op, "notes", fuzzy), query.filters, limit,
                       mode, profile_id)
    if not notes:
        return rows
    # The learner's own notes come first, each a hit of its own; the resources' own hits
    # (a subtitle line, a page) follow, those of noted resources too.
    return [*notes, *rows][:limit]


def search(
    library: Library,
    query: str,
    *,
    lang: str | None = None,
    kind: str | None = None,
    pack: str | None = None,
    skill: str | None = None,
    limit: int = 20,
    offset: int = 0,
    profile: str | None = None,
    languages: Sequence[str] | None = None,
    facets: bool = True,
    prefix: bool = True,
    fuzzy: bool = True,
) -> Results:
    """Search the library. ``languages`` orders the title languages shown (default: the
    settings' content languages). ``profile`` selects whose notes are searched (default: the
    current profile). Rebuilds the index first if the analysis changed since it was built."""
    ensure_current(library)
    if languages is None:
        languages = [str(lang) for lang in library.settings.get("content_languages")]
    try:
        profile_id: str | None = library.profile_id(profile)
    except NotFoundError:
        profile_id = None
    return search_db(
        library.db, query, Filters(lang, kind, pack, skill), limit=limit, offset=offset,
        profile_id=profile_id, languages=languages, facets=facets, prefix=prefix, fuzzy=fuzzy,
        zims=zim_sources(library),
    )


def search_db(
    db: sqlite_utils.Database,
    query: str,
    filters: Filters = Filters(),
    *,
    limit: int = 20,
    offset: int = 0,
    profile_id: str | None = None,
    languages: Sequence[str] = ("en",),
    facets: bool = True,
    prefix: bool = True,
    fuzzy: bool = True,
    zims: Sequence[ZimSource] = (),
    zim_budget: float = ZIM_BUDGET,
) -> Results:
    """:func:`search` on an open database whose index is current, and the ``zims`` (see
    :mod:`app.search.zims`; ``zim_budget`` seconds each for snippets). Never raises for any
    query text: errors are logged and give an empty result."""
    results = Results(query=query if isinstance(query, str) else "")
    try:
        _search(db, results, filters, max(0, min(int(limit), MAX_LIMIT)),
                max(0, int(offset)), profile_id, languages, facets, prefix, fuzzy, zims,
                zim_budget)
    except (sqlite3.Error, ValueError, RecursionError, MemoryError):
        log.exception("search failed for %r", results.query[:100])
        results.hits, results.total, results.facets = [], 0, {}
    return results


def _search(db: sqlite_utils.Database, results: Results, filters: Filters, limit: int,
            offset: int, profile_id: str | None, languages: Sequence[str], want_facets: bool,
            prefix: bool, fuzzy: bool, zims: Sequence[ZimSource], zim_budget: float) -> None:
    state = _state(db)
    stem_langs = [lang for lang in ([filters.lang] if filters.lang else state.languages)
                  if stemmer_language(lang)]
    terms = [complete(db, term) for term in parse(results.query, stem_langs, prefix=prefix)]
    if not terms or limit == 0:
        return
    wanted = limit + offset
    # Every word as typed, here and in each ZIM (merged by rank); then every word with typos
    # corrected (after, never before); then, if still nothing, any of the words.
    op = "AND"
    query = _Query(db, state, filters)
    rows = _run(query, terms, wanted, op, "all", profile_id)
    found = _ask_zims(zims, results.query, terms, filters, wanted, want_facets)
    zim_hits = sum(len(f.paths) for f in found)
    fixes = corrections(db, state, terms, stem_langs,
                        len(rows) + zim_hits >= wanted) if fuzzy else {}
    weak: list[_Row] = []
    if fixes:
        if not any(f.estimate for f in found):  # a ZIM knows the words as typed
            results.suggestion = suggestion_text(results.query, terms, fixes)
        if len(rows) + zim_hits < wanted:
            seen = {(row.resource_id, row.note) for row in rows}
            extra = _run(query, terms, wanted, op, "fuzzy", profile_id, fixes)
            weak = [row for row in extra if (row.resource_id, row.note) not in seen]
    if not rows and not weak and not zim_hits and len(terms) > 1:
        op = "OR"
        weak = _run(query, terms, wanted, op, "any", profile_id, fixes)
    merged = _merge(rows, found, weak)
    if want_facets:
        match = expression(terms, op, fuzzy=fixes)
        counted = [(f.source.lang, "article", f.source.pack_id, f.source.skills, f.estimate)
                   for f in found if f.estimate]
        results.total, results.total_exact, results.facets = query.facets(match, counted)
        results.total_exact &= all(f.exact for f in found)
    else:
        results.total = len(merged)
    highlighter = Highlighter([*terms, *(t for group in fixes.values() for t in group)])
    page = merged[offset:wanted]
    texts = _texts(db, [row.docid for row in page
                        if isinstance(row, _Row) and row.docid is not None])
    articles = _zim_articles(page, zim_budget)
    results.hits = [
        _hit(row, highlighter, languages, texts.get(row.docid or -1)) if isinstance(row, _Row)
        else _zim_hit(row, articles[row], highlighter)
        for row in page
    ]


# -- the ZIMs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ZimRow:
    """A ZIM's hit before it is read: which ZIM, which entry, which resource opens it."""

    source: ZimSource
    entry: str
    resource_id: str
    rank: int


def _ask_zims(sources: Sequence[ZimSource], text: str, terms: Sequence[Term],
              filters: Filters, wanted: int, want_facets: bool) -> list[ZimMatches]:
    """Each ZIM's first ``wanted`` matches, if it passes the filters; else (for the facets)
    only its count."""
    if not sources:
        return []

    typing = terms[-1].prefix
    found = []
    for source in sources:
        passes = _passes(filters, source.lang, "article", source.pack_id, source.skills)
        if passes or want_facets:
            found.append(search_zim(source, text, wanted if passes else 0, typing))
    return found


def _merge(rows: list[_Row], found: Sequence[ZimMatches], weak: list[_Row]
           ) -> list[_Row | _ZimRow]:
    """Our exact matches and each ZIM's, merged by rank (the first of each, then the second
    of each...), then our weaker matches (typos corrected, some words only). A resource
    appears once (and each of the learner's notes once); the entries of a ZIM's index
    resource are each their own hit."""
    lists: list[list[_Row | _ZimRow]] = [list(rows)]
    for matches in found:
        zim_rows: list[_Row | _ZimRow] = []
        for path in matches.paths:
            resource_id = matches.source.resource_for(path)
            if resource_id is not None:
                zim_rows.append(_ZimRow(matches.source, path, resource_id, len(zim_rows)))
        lists.append(zim_rows)
    merged: list[_Row | _ZimRow] = []
    seen: set[tuple[str, str | None]] = set()
    ranked = [row for rank in range(max(map(len, lists))) for rows_ in lists
              if rank < len(rows_) for row in (rows_[rank],)]
    for row in [*ranked, *weak]:
        if isinstance(row, _ZimRow):
            key = (row.resource_id,
                   row.entry if row.resource_id == row.source.fallback else None)
        else:  # a note is a hit of its own, beside its resource's
            key = (row.resource_id, f"note:{row.note[0]}" if row.note is not None else None)
        if key not in seen:
            seen.add(key)
            merged.append(row)
    return merged


def _zim_articles(page: Sequence[_Row | _ZimRow], budget: float) -> dict[_ZimRow, Article]:
    """The page's ZIM articles, read from each ZIM within its time budget."""
    by_source: dict[ZimSource, list[_ZimRow]] = {}
    for row in page:
        if isinstance(row, _ZimRow):
            by_source.setdefault(row.source, []).append(row)
    found: dict[_ZimRow, Article] = {}
    for source, zim_rows in by_source.items():
        articles = read_articles(source, [r.entry for r in zim_rows], budget)
        found.update(zip(zim_rows, articles, strict=True))
    return found


def _zim_hit(row: _ZimRow, article: Article, highlighter: Highlighter) -> Hit:
    """A ZIM article as a hit: a snippet from the block of its text with the most of the
    query's words (reading stops at a block that has them all)."""
    lang = row.source.lang or None
    best, best_text = 0, ""
    best_spans: list[tuple[int, int]] = []
    wanted = len(highlighter.surfaces)
    lines = blocks(article.text or "")
    for block in lines:
        spans = highlighter.matches(block, lang)
        if not spans:
            continue
        distinct = len({block[s:e].casefold() for s, e in spans})
        score = distinct * 100 + len(spans)
        if score > best:
            best, best_text, best_spans = score, block, spans
        if distinct >= wanted:
            break
    if best_text:
        snippet, marks = _cut(best_text, best_spans)
        where = "body"
    else:
        snippet, marks = _cut(lines[0], []) if lines else ("", ())
        where = "title"
    return Hit(row.resource_id, row.source.pack_id, "article", lang, article.title, snippet,
               marks, 0.0, where, None, None, "all", None,
               tuple(highlighter.matches(article.title, lang)), row.entry)


def _texts(db: sqlite_utils.Database, ids: list[int]) -> dict[int, bytes]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return {int(row[0]): row[1] for row in
            db.execute(f"SELECT id, segments FROM search_text WHERE id IN ({marks})", ids)}


# -- snippets ---------------------------------------------------------------------------------


class Highlighter:
    """Finds the query's terms in original text, through the same analysis."""

    def __init__(self, terms: Sequence[Term]) -> None:
        self.surfaces: set[str] = set()
        self.stems: set[str] = set()
        prefixes: list[str] = []
        for term in terms:
            self.surfaces.update(term.surfaces)
            self.surfaces.update(term.completions)
            self.stems.update(term.stems)
            self.stems.update(term.surfaces)
            if term.prefix and is_cjk(term.surfaces[0]):
                prefixes.append(term.surfaces[0])
        self.prefixes = tuple(prefixes)
        self._memos: dict[str, dict[str, int]] = {}  # what each word gives, per analyzer

    def matches(self, text: str, lang: str | None) -> list[tuple[int, int]]:
        found = analyzer(lang)
        memo = self._memos.setdefault(found.lang, {})
        return found.spans(text, self.surfaces, self.stems, self.prefixes, memo)


def _cut(text: str, spans: list[tuple[int, int]], width: int = SNIPPET_CHARS
         ) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A window of ``text`` about ``width`` characters around the densest matches, with
    whitespace collapsed and the match offsets moved into the window."""
    start = 0
    if spans:
        best = max(range(len(spans)),
                   key=lambda i: sum(1 for s, _ in spans[i:] if s < spans[i][0] + width))
        start = spans[best][0]
        # A little context before the first match, from a word start.
        back = max(0, start - width // 4)
        space = text.find(" ", back, start)
        start = back if back == 0 else (space + 1 if space >= 0 else back)
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start + width // 2, end)
        end = space if space > 0 else end
    out: list[str] = []
    marks: list[tuple[int, int]] = []
    length = 0
    if start > 0:
        out.append("…")
        length = 1
    position = start
    for span_start, span_end in [*[s for s in spans if s[0] >= start and s[1] <= end],
                                 (end, end)]:
        chunk = re.sub(r"\s+", " ", text[position:span_start])
        if length == 0:
            chunk = chunk.lstrip()
        out.append(chunk)
        length += len(chunk)
        if span_start == end:
            break
        word = text[span_start:span_end]
        marks.append((length, length + len(word)))
        out.append(word)
        length += len(word)
        position = span_end
    snippet = "".join(out).rstrip()
    if end < len(text):
        snippet += "…"
    return snippet, tuple(marks)


def _with_context(segments: list[Segment], index: int) -> str:
    """A cue or transcript line, followed by the next ones until the snippet is full."""
    text = segments[index].text
    follow = index + 1
    while (len(text) < SNIPPET_CHARS and follow < len(segments)
           and segments[follow].field == segments[index].field):
        text += " " + segments[follow].text
        follow += 1
    return text


def _segment_spans(segments: Sequence[Segment], highlighter: Highlighter,
                   lang: str | None) -> list[list[tuple[int, int]]]:
    """The matches in each segment. Consecutive segments in one language (subtitle cues,
    PDF pages) are searched as one text, then the matches are given back to each."""
    found: list[list[tuple[int, int]]] = [[] for _ in segments]
    start = 0
    while start < len(segments):
        run_lang = segments[start].lang or lang
        end = start + 1
        while end < len(segments) and (segments[end].lang or lang) == run_lang:
            end += 1
        offsets: list[int] = []
        position = 0
        for segment in segments[start:end]:
            offsets.append(position)
            position += len(segment.text) + 1
        joined = "\n".join(segment.text for segment in segments[start:end])
        for span_start, span_end in highlighter.matches(joined, run_lang):
            index = bisect.bisect_right(offsets, span_start) - 1
            found[start + index].append((span_start - offsets[index],
                                         span_end - offsets[index]))
        start = end
    return found


def _hit(row: _Row, highlighter: Highlighter, languages: Sequence[str],
         blob: bytes | None) -> Hit:
    titles = json.loads(row.title_json)
    title = localized(titles, list(languages))
    lang = row.lang or None
    title_marks = tuple(highlighter.matches(title, lang))
    common = (row.resource_id, row.pack_id, row.kind, lang, title)
    if row.note is not None:
        note_id, body, at_seconds = row.note
        snippet, marks = _cut(body, highlighter.matches(body, lang))
        return Hit(*common, snippet, marks, row.score, "note", at_seconds, None,
                   row.match, note_id, title_marks)
    segments: list[Segment] = []
    if blob is not None:
        doc_lang, _titles, segments = unpack_text(blob)
        lang = lang or doc_lang
    best, best_index = 0, -1
    best_spans: list[tuple[int, int]] = []
    for index, spans in enumerate(_segment_spans(segments, highlighter, lang)):
        if not spans:
            continue
        segment = segments[index]
        distinct = len({segment.text[s:e].casefold() for s, e in spans})
        score = distinct * 100 + len(spans)
        if score > best:
            best, best_index, best_spans = score, index, spans
    if best_index >= 0:
        segment = segments[best_index]
        text = segment.text
        if segment.start is not None:
            text = _with_context(segments, best_index)
            best_spans = highlighter.matches(text, segment.lang or lang)
        snippet, marks = _cut(text, best_spans)
        return Hit(*common, snippet, marks, row.score, segment.field, segment.start,
                   segment.page, row.match, None, title_marks,
                   text_lang=segment.lang or lang)
    # Only the title matched: show the beginning of the text.
    opening = next((s for s in segments if s.text.strip()), None)
    snippet = _cut(opening.text, [])[0] if opening else ""
    return Hit(*common, snippet, (), row.score, "title", None, None, row.match,
               None, title_marks)

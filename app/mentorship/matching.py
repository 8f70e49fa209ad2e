"""The matching engine: hard filters, a scored and explained fit, a global assignment.

A pair (mentor, mentee) is *compatible* when all of these hold (the hard rules):

- they are not blocked (a block names the two ids in either order), and are not one person;
- the mentor offers at least one skill the mentee wants (skill ids compared whole, never as
  parts of one another: ``wiki`` is not ``wikidata``);
- they share a language (its primary subtag: ``sw-KE`` is Swahili) at level 3 or more on
  both sides;
- its fit is at least :data:`MIN_FIT` (a bad fit is never forced: the mentee stays unmatched,
  with the reason).

The fit, in thousandths (integers, so that the optimum is exact):

- skills: ``SKILLS_WEIGHT`` x wanted skills offered / wanted skills;
- language: ``LANGUAGE_WEIGHT`` x (best shared level - 2) / 3, the level of a language
  being the lower of the two sides' (3 -> 1/3, 5 -> 1);
- availability: ``OVERLAP_WEIGHT`` x overlap / 4 h, capped at 4 h: the hours a week both are
  free, both weekly timetables laid on a reference week (the week of the matching date) in
  their own time zones through zoneinfo, so daylight saving time and half-hour zones count.

A pair's score adds the mentee's waiting (``WAIT_WEIGHT`` x days waited / 180, capped at 180
days: those who waited longest win when places are short) and subtracts the mentor's load
(``LOAD_WEIGHT`` x places already taken / capacity). The load makes a mentor's k-th place cost
more than the one before, so work spreads over mentors instead of filling the popular ones;
within a mentor the places go by waiting time (longest first), and each pair shows the places
taken before it.

The assignment maximises the total score over the whole cohort, places limited by capacity:
a min-cost flow (source -> each mentee -> each compatible mentor -> one arc per place of the
mentor, costing its load -> sink, plus an "unmatched" arc from each mentee to the sink) on the
sparse graph of compatible pairs, solved by OR-Tools' ``SimpleMinCostFlow``. Measured on
10,000 mentees x 2,000 mentors with a million compatible pairs, it solves in 0.8 s and 190
MiB; scipy's ``min_weight_full_bipartite_matching`` over capacity slots (every pair repeated
for each place of the mentor, so three times the edges) took 3.4 s and 340 MiB, and 11 s and
910 MiB with three million pairs, and a dense ``linear_sum_assignment`` would need a
10,000 x 16,000 matrix. The places' costs increase, so the flow fills a mentor's cheapest
places first and its total is exactly the sum of the pairs' scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from app import formatting
from app.i18n import _
from app.languages import primary
from app.mentorship.cohort import Cohort, Mentee, Mentor, Person
from app.mentorship.explain import Factors, explain

#: Stored with every result: the rules, weights and solver that produced it.
ALGORITHM = "ujuzi-cohort/1 (min-cost flow, OR-Tools SimpleMinCostFlow)"

SKILLS_WEIGHT = 500
LANGUAGE_WEIGHT = 200
OVERLAP_WEIGHT = 300
#: Weekly overlap at which the availability part is full.
OVERLAP_FULL_MINUTES = 240
#: The lowest fit (of 1000) that a pair may have.
MIN_FIT = 400
#: The lowest level, on both sides, of a shared language.
MIN_LEVEL = 3
WAIT_WEIGHT = 100
WAIT_FULL_DAYS = 180
LOAD_WEIGHT = 100

WEEK_MINUTES = 7 * 24 * 60


def _share(weight: int, part: int, whole: int) -> int:
    """``weight * part / whole`` rounded half up, in integers."""
    return (2 * weight * part + whole) // (2 * whole)


def load_penalty(taken: int, capacity: int) -> int:
    """What the place after ``taken`` taken ones of ``capacity`` costs (thousandths); it
    never decreases as ``taken`` grows."""
    return _share(LOAD_WEIGHT, taken, capacity)


def waiting_days(mentee: Mentee, as_of: date) -> int:
    return max(0, (as_of - mentee.waiting_since).days)


def week_start(as_of: date) -> datetime:
    """The reference week: Monday 00:00 UTC of the week holding ``as_of``."""
    monday = as_of - timedelta(days=as_of.weekday())
    return datetime.combine(monday, time(0), tzinfo=UTC)


def week_minutes(person: Person, start: datetime) -> int:
    """The minutes of the reference week beginning at ``start`` (UTC) in which ``person`` is
    free, as bits of an integer (bit i: minute i; a window past the week's end wraps to its
    beginning, as weekly timetables do)."""
    mask = 0
    for slot in person.availability:
        day = start.date() + timedelta(days=slot.day)
        begin = datetime.combine(day, slot.start, tzinfo=person.timezone)
        if slot.end is None or slot.end <= slot.start:
            end = datetime.combine(day + timedelta(days=1), slot.end or time(0),
                                   tzinfo=person.timezone)
        else:
            end = datetime.combine(day, slot.end, tzinfo=person.timezone)
        # In UTC: between two times of one zone, Python subtracts wall-clock times.
        begin, end = begin.astimezone(UTC), end.astimezone(UTC)
        first = int((begin - start).total_seconds() // 60) % WEEK_MINUTES
        length = int((end - begin).total_seconds() // 60)
        bits = (1 << length) - 1
        mask |= bits << first
    return (mask | (mask >> WEEK_MINUTES)) & ((1 << WEEK_MINUTES) - 1)


def _levels(person: Person) -> dict[str, int]:
    """Language levels by primary subtag (the higher one when two tags share it)."""
    levels: dict[str, int] = {}
    for tag, level in person.languages.items():
        key = primary(tag)
        levels[key] = max(level, levels.get(key, 0))
    return levels


@dataclass(frozen=True)
class Candidate:
    """A compatible pair, before the assignment: indexes into the cohort, and its scores."""

    mentor: int
    mentee: int
    fit: int
    waiting: int
    overlap_minutes: int

    @property
    def base(self) -> int:
        """The pair's score before the mentor's load."""
        return self.fit + self.waiting


@dataclass
class Compatibility:
    """Every compatible pair of a cohort, and for each mentee left with none, why."""

    candidates: list[Candidate]
    reasons: dict[int, str] = field(default_factory=dict)


def shared_languages(mentor: Person, mentee: Person) -> list[tuple[str, int, int]]:
    """The languages both speak at level 3 or more, as (primary subtag, mentor's level,
    mentee's level), the best (highest level on both sides) first."""
    theirs, mine = _levels(mentor), _levels(mentee)
    shared = [(language, theirs[language], level) for language, level in mine.items()
              if level >= MIN_LEVEL and theirs.get(language, 0) >= MIN_LEVEL]
    return sorted(shared, key=lambda s: (-min(s[1], s[2]), s[0]))


def _fit(offered: int, wanted: int, level: int, overlap: int) -> int:
    """The fit (thousandths) of ``offered`` of ``wanted`` skills, a best shared language
    ``level`` and ``overlap`` minutes a week."""
    return (_share(SKILLS_WEIGHT, offered, wanted) + _share(LANGUAGE_WEIGHT, level - 2, 3)
            + _share(OVERLAP_WEIGHT, min(overlap, OVERLAP_FULL_MINUTES), OVERLAP_FULL_MINUTES))


def compatible_pairs(cohort: Cohort, as_of: date) -> Compatibility:
    """The pairs that pass the hard rules, scored; found through indexes of the mentors by
    skill and by language, so only pairs that share both are ever scored."""
    mentors, mentees = cohort.mentors, cohort.mentees
    start = week_start(as_of)
    by_skill: dict[str, set[int]] = {}
    by_language: dict[str, set[int]] = {}
    by_id = {mentor.id: index for index, mentor in enumerate(mentors)}
    mentor_levels = [_levels(m) for m in mentors]
    for index, mentor in enumerate(mentors):
        for skill in mentor.offers:
            by_skill.setdefault(skill, set()).add(index)
        for language, level in mentor_levels[index].items():
            if level >= MIN_LEVEL:
                by_language.setdefault(language, set()).add(index)
    mentor_weeks = [week_minutes(mentor, start) for mentor in mentors]
    blocked: dict[str, set[str]] = {}
    for pair in cohort.blocks:
        a, b = sorted(pair)
        blocked.setdefault(a, set()).add(b)
        blocked.setdefault(b, set()).add(a)
    # The fit's parts, looked up rather than worked out a million times.
    language_part = [_share(LANGUAGE_WEIGHT, level - 2, 3) for level in range(6)]
    overlap_part = [_share(OVERLAP_WEIGHT, minutes, OVERLAP_FULL_MINUTES)
                    for minutes in range(OVERLAP_FULL_MINUTES + 1)]

    result = Compatibility([])
    for e, mentee in enumerate(mentees):
        offering: set[int] = set()
        for skill in mentee.wants:
            offering |= by_skill.get(skill, set())
        offering.discard(by_id.get(mentee.id, -1))  # nobody mentors themselves
        if not offering:
            result.reasons[e] = _("no mentor offers any of the wanted skills")
            continue
        levels = _levels(mentee)
        spoken = [(language, level) for language, level in levels.items()
                  if level >= MIN_LEVEL]
        if not spoken:
            result.reasons[e] = _("speaks no language at level 3 or more, which a match needs")
            continue
        speaking: set[int] = set()
        for language, _level in spoken:
            speaking |= by_language.get(language, set())
        sharing = sorted(offering & speaking)
        if not sharing:
            result.reasons[e] = _("no mentor who offers a wanted skill shares a language at "
                                  "level 3 or more")
            continue
        avoid = blocked.get(mentee.id, set())
        allowed = [m for m in sharing if mentors[m].id not in avoid]
        if not allowed:
            result.reasons[e] = _("blocked with every compatible mentor")
            continue
        wants, wanted = mentee.wants, len(mentee.wants)
        skills_part = [_share(SKILLS_WEIGHT, n, wanted) for n in range(wanted + 1)]
        week = week_minutes(mentee, start)
        waiting = _share(WAIT_WEIGHT, min(waiting_days(mentee, as_of), WAIT_FULL_DAYS),
                         WAIT_FULL_DAYS)
        found = False
        for m in allowed:
            theirs = mentor_levels[m]
            best = 0
            for language, level in spoken:
                other = theirs.get(language, 0)
                if other >= MIN_LEVEL:
                    best = max(best, min(other, level))
            fit = skills_part[len(wants & mentors[m].offers)] + language_part[best]
            if fit + OVERLAP_WEIGHT < MIN_FIT:
                continue  # too weak whatever the overlap
            overlap = (week & mentor_weeks[m]).bit_count()
            fit += overlap_part[min(overlap, OVERLAP_FULL_MINUTES)]
            if fit >= MIN_FIT:
                found = True
                result.candidates.append(Candidate(m, e, fit, waiting, overlap))
        if not found:
            best_fit = max(
                _fit(len(wants & mentors[m].offers), wanted,
                     min(shared_languages(mentors[m], mentee)[0][1:]),
                     (week & mentor_weeks[m]).bit_count())
                for m in allowed)
            result.reasons[e] = _("no compatible mentor fits well enough (best fit {best}, "
                                  "minimum {minimum})").format(
                best=formatting.number(best_fit / 1000, 3),
                minimum=formatting.number(MIN_FIT / 1000, 3))
    return result


def assign(capacities: Sequence[int], mentee_count: int,
           candidates: Sequence[Candidate]) -> list[int | None]:
    """The mentor index (or None) of each mentee in an assignment of maximum total score:
    the sum of the pairs' ``base`` less each mentor's places' :func:`load_penalty`."""
    import numpy as np
    from ortools.graph.python import min_cost_flow

    mentor_count = len(capacities)
    source, sink = mentee_count + mentor_count, mentee_count + mentor_count + 1
    usable = [c for c in candidates if capacities[c.mentor] > 0]
    degree = [0] * mentor_count
    for c in usable:
        degree[c.mentor] += 1
    places = [(m, k) for m in range(mentor_count)
              for k in range(min(capacities[m], degree[m]))]
    everyone = np.arange(mentee_count, dtype=np.int32)
    tails = np.concatenate([
        np.full(mentee_count, source, dtype=np.int32), everyone,
        np.fromiter((c.mentee for c in usable), np.int32, len(usable)),
        np.fromiter((mentee_count + m for m, _k in places), np.int32, len(places))])
    heads = np.concatenate([
        everyone, np.full(mentee_count, sink, dtype=np.int32),
        np.fromiter((mentee_count + c.mentor for c in usable), np.int32, len(usable)),
        np.full(len(places), sink, dtype=np.int32)])
    costs = np.concatenate([
        np.zeros(2 * mentee_count, dtype=np.int64),
        np.fromiter((-c.base for c in usable), np.int64, len(usable)),
        np.fromiter((load_penalty(k, capacities[m]) for m, k in places), np.int64,
                    len(places))])
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        tails, heads, np.ones(len(tails), dtype=np.int64), costs)
    flow.set_nodes_supplies(np.array([source, sink], dtype=np.int32),
                            np.array([mentee_count, -mentee_count], dtype=np.int64))
    status = flow.solve()
    if status != flow.OPTIMAL:  # every mentee can go unmatched, so this is a bug
        raise RuntimeError(f"min-cost flow failed: {status}")
    first = 2 * mentee_count
    used = np.asarray(flow.flows(np.asarray(arcs, dtype=np.int32)[first:first + len(usable)]))
    chosen: list[int | None] = [None] * mentee_count
    for index in np.flatnonzero(used):
        pair = usable[int(index)]
        chosen[pair.mentee] = pair.mentor
    return chosen


def greedy(capacities: Sequence[int], mentee_count: int,
           candidates: Sequence[Candidate]) -> list[int | None]:
    """First come, first served, the baseline the assignment is measured against: mentees in
    the file's order, each taking the mentor of highest score (load included) that still has a
    place."""
    options: list[list[Candidate]] = [[] for _ in range(mentee_count)]
    for c in candidates:
        options[c.mentee].append(c)
    taken = [0] * len(capacities)
    chosen: list[int | None] = [None] * mentee_count
    for e in range(mentee_count):
        best: tuple[int, int] | None = None
        for c in options[e]:
            cap = capacities[c.mentor]
            if taken[c.mentor] < cap:
                score = c.base - load_penalty(taken[c.mentor], cap)
                if best is None or score > best[0]:
                    best = (score, c.mentor)
        if best is not None:
            chosen[e] = best[1]
            taken[best[1]] += 1
    return chosen


def total_score(capacities: Sequence[int], candidates: Sequence[Candidate],
                chosen: Sequence[int | None]) -> int:
    """The total score (thousandths) of an assignment: its pairs' ``base`` less the load of
    each mentor's places."""
    base = {(c.mentee, c.mentor): c.base for c in candidates}
    taken = [0] * len(capacities)
    total = 0
    for e, m in enumerate(chosen):
        if m is not None:
            total += base[(e, m)] - load_penalty(taken[m], capacities[m])
            taken[m] += 1
    return total


@dataclass
class Match:
    mentor: str
    mentee: str
    score: int  # thousandths
    factors: Factors
    explanation: str


@dataclass
class Unmatched:
    mentee: str
    reason: str


@dataclass
class Result:
    """A cohort's assignment: the pairs in the mentees' order, then those left unmatched."""

    as_of: date
    pairs: list[Match]
    unmatched: list[Unmatched]

    @property
    def total_score(self) -> int:
        return sum(pair.score for pair in self.pairs)

    def to_json(self) -> dict[str, Any]:
        return {
            "algorithm": ALGORITHM,
            "as_of": self.as_of.isoformat(),
            "total_score": self.total_score / 1000,
            "pairs": [{"mentor": p.mentor, "mentee": p.mentee, "score": p.score / 1000,
                       "factors": dict(p.factors), "explanation": p.explanation}
                      for p in self.pairs],
            "unmatched": [{"mentee": u.mentee, "reason": u.reason} for u in self.unmatched],
        }


def match_cohort(cohort: Cohort, as_of: date) -> Result:
    """Assign the cohort's mentees to its mentors (see the module's description); the same
    cohort and date give the same result."""
    mentors, mentees = cohort.mentors, cohort.mentees
    capacities = [m.capacity for m in mentors]
    found = compatible_pairs(cohort, as_of)
    chosen = assign(capacities, len(mentees), found.candidates)
    pair_of = {(c.mentee, c.mentor): c for c in found.candidates}
    # A mentor's places go to its mentees by waiting time, longest first.
    order: dict[int, list[int]] = {}
    for e, m in enumerate(chosen):
        if m is not None:
            order.setdefault(m, []).append(e)
    place: dict[int, int] = {}
    for group in order.values():
        group.sort(key=lambda e: (mentees[e].waiting_since, e))
        for k, e in enumerate(group):
            place[e] = k
    pairs: list[Match] = []
    unmatched: list[Unmatched] = []
    for e, m in enumerate(chosen):
        if m is None:
            reason = found.reasons.get(e) or _("every compatible mentor is full")
            unmatched.append(Unmatched(mentees[e].id, reason))
            continue
        pairs.append(_match(mentors[m], mentees[e], pair_of[(e, m)], place[e], as_of))
    return Result(as_of, pairs, unmatched)


def _match(mentor: Mentor, mentee: Mentee, pair: Candidate, taken: int, as_of: date) -> Match:
    load = load_penalty(taken, mentor.capacity)
    factors: Factors = {
        "skills_offered": sorted(mentee.wants & mentor.offers),
        "skills_wanted": len(mentee.wants),
        "shared_languages": {language: {"mentor": a, "mentee": b}
                             for language, a, b in shared_languages(mentor, mentee)},
        "overlap_minutes": pair.overlap_minutes,
        "overlap_hours": round(pair.overlap_minutes / 60, 2),
        "places_taken": taken,
        "capacity": mentor.capacity,
        "waiting_days": waiting_days(mentee, as_of),
        "fit": pair.fit / 1000,
        "waiting_bonus": pair.waiting / 1000,
        "load_penalty": load / 1000,
    }
    return Match(mentor.id, mentee.id, pair.base - load, factors, explain(factors))

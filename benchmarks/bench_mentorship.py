"""Cohort matching: 10,000 mentees and 2,000 mentors, its time and its total fit against greedy.

The cohort is generated (seeded) as a coordinator's file would hold it: 60 skills, each mentee
wanting 1-3 and each mentor offering 2-8 of them, 12 languages at levels 0-5, capacities 1-5,
time zones from UTC-5 to UTC+12 and two to five weekly windows each, so the graph of
compatible pairs is sparse (about 1% of all pairs). Timed: reading and checking the file, the
compatible pairs and their scores, and the assignment (OR-Tools' min-cost flow), end to end
as ``ujuzi mentor match`` runs them. The baseline, in the same run on the same pairs, is first
come first served (each mentee in the file's order takes the best mentor with a free place);
the assignment's total score must be at least its total. Target: under 10 s, peak memory
printed. ``UJUZI_BENCH_MENTEES`` and ``UJUZI_BENCH_MENTORS`` change the size.
"""

from __future__ import annotations

import json
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from app.mentorship.cohort import load_cohort
from app.mentorship.matching import compatible_pairs, greedy, match_cohort, total_score

TARGET_SECONDS = 10.0
AS_OF = date(2026, 12, 7)
ZONES = ["America/New_York", "America/Sao_Paulo", "UTC", "Europe/Paris", "Africa/Lagos",
         "Africa/Nairobi", "Asia/Kolkata", "Asia/Kathmandu", "Asia/Jakarta", "Asia/Manila",
         "Australia/Sydney", "Pacific/Auckland"]
LANGUAGES = ["sw", "en", "fr", "ar", "pt", "es", "hi", "id", "yo", "ha", "am", "bn"]
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _person(rng: random.Random) -> dict[str, Any]:
    spoken = rng.sample(LANGUAGES, rng.randint(1, 3))
    windows = []
    for _ in range(rng.randint(2, 5)):
        start = rng.randrange(6 * 2, 22 * 2) * 30
        end = min(start + rng.choice([60, 90, 120, 180]), 24 * 60)
        windows.append([rng.choice(DAYS), f"{start // 60:02}:{start % 60:02}",
                        "24:00" if end == 24 * 60 else f"{end // 60:02}:{end % 60:02}"])
    return {"languages": {tag: rng.choice([2, 3, 4, 5, 5]) for tag in spoken},
            "timezone": rng.choice(ZONES), "availability": windows}


def generate(mentees: int, mentors: int, seed: int = 1) -> dict[str, Any]:
    rng = random.Random(seed)
    skills = [f"skill-{i}" for i in range(60)]
    return {
        "mentors": [{"id": f"mentor-{i}", "offers": rng.sample(skills, rng.randint(2, 8)),
                     "capacity": rng.randint(1, 5), **_person(rng)} for i in range(mentors)],
        "mentees": [{"id": f"mentee-{i}", "wants": rng.sample(skills, rng.randint(1, 3)),
                     "waiting_since": f"2026-{rng.randint(1, 11):02}-{rng.randint(1, 28):02}",
                     **_person(rng)} for i in range(mentees)],
        "blocks": [[f"mentor-{rng.randrange(mentors)}", f"mentee-{rng.randrange(mentees)}"]
                   for _ in range(mentees // 100)],
    }


def main() -> bool:
    mentees = int(os.environ.get("UJUZI_BENCH_MENTEES", "10000"))
    mentors = int(os.environ.get("UJUZI_BENCH_MENTORS", "2000"))
    with tempfile.TemporaryDirectory(prefix="ujuzi-bench-") as tmp:
        path = Path(tmp) / "cohort.json"
        path.write_text(json.dumps(generate(mentees, mentors)), encoding="utf-8")
        began = time.perf_counter()
        cohort = load_cohort(path)
        loaded = time.perf_counter()
        result = match_cohort(cohort, AS_OF)
        done = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The baseline, and the parts of the time, on the same pairs.
    split = time.perf_counter()
    found = compatible_pairs(cohort, AS_OF)
    scored = time.perf_counter()
    capacities = [m.capacity for m in cohort.mentors]
    served = greedy(capacities, len(cohort.mentees), found.candidates)
    greedy_total = total_score(capacities, found.candidates, served)
    greedy_pairs = sum(m is not None for m in served)
    places = sum(capacities)
    seconds = done - began
    print(f"cohort:                   {mentees:,} mentees, {mentors:,} mentors, "
          f"{places:,} places, {len(found.candidates):,} compatible pairs "
          f"({len(found.candidates) / (mentees * mentors):.2%} of all)")
    print(f"read and check the file:  {loaded - began:6.2f} s")
    print(f"compatible pairs, scored: {scored - split:6.2f} s")
    print(f"assignment (min-cost flow): {done - loaded - (scored - split):4.2f} s")
    print(f"end to end:               {seconds:6.2f} s  (target < {TARGET_SECONDS:.0f} s)  "
          f"{'PASS' if seconds < TARGET_SECONDS else 'FAIL'}")
    print(f"peak memory:              {peak:6.0f} MiB")
    better = result.total_score >= greedy_total
    print(f"total score, assignment:  {result.total_score / 1000:10.3f}  "
          f"({len(result.pairs):,} pairs)")
    print(f"total score, greedy:      {greedy_total / 1000:10.3f}  ({greedy_pairs:,} pairs; "
          f"first come, first served, baseline)")
    print(f"assignment / greedy:      {result.total_score / max(greedy_total, 1):10.4f}  "
          f"{'PASS' if better else 'FAIL'}")
    return seconds < TARGET_SECONDS and better


if __name__ == "__main__":
    sys.exit(0 if main() else 1)

"""Cohort files for the mentorship tests: small hand-made people and seeded random cohorts."""

from __future__ import annotations

import random
from typing import Any

ZONES = ["Africa/Nairobi", "Europe/Paris", "America/Sao_Paulo", "Asia/Kolkata",
         "Asia/Kathmandu", "America/New_York", "Pacific/Auckland", "UTC"]
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def mentor(id: str, offers: list[str], languages: dict[str, int] | None = None,
           capacity: int = 1, timezone: str = "UTC",
           availability: list[list[str]] | None = None) -> dict[str, Any]:
    return {"id": id, "offers": offers, "languages": languages or {"sw": 5},
            "capacity": capacity, "timezone": timezone,
            "availability": [["mon", "18:00", "22:00"]] if availability is None else availability}


def mentee(id: str, wants: list[str], languages: dict[str, int] | None = None,
           timezone: str = "UTC", availability: list[list[str]] | None = None,
           waiting_since: str = "2026-11-01") -> dict[str, Any]:
    return {"id": id, "wants": wants, "languages": languages or {"sw": 5},
            "timezone": timezone,
            "availability": [["mon", "18:00", "22:00"]] if availability is None else availability,
            "waiting_since": waiting_since}


def _slots(rng: random.Random) -> list[list[str]]:
    slots = []
    for _ in range(rng.randint(0, 3)):
        start = rng.randrange(0, 24 * 4) * 15
        length = rng.choice([30, 60, 90, 120, 180, 240])
        end = (start + length) % (24 * 60)
        slots.append([rng.choice(DAYS), f"{start // 60:02}:{start % 60:02}",
                      "24:00" if end == 0 else f"{end // 60:02}:{end % 60:02}"])
    return slots


def _languages(rng: random.Random) -> dict[str, int]:
    tags = rng.sample(["sw", "sw-KE", "en", "fr", "ar"], rng.randint(1, 3))
    return {tag: rng.randint(1, 5) for tag in tags}


def random_cohort(seed: int, mentors: int, mentees: int, skills: int = 4,
                  capacity: int = 2, blocks: int = 1) -> dict[str, Any]:
    """A random cohort, the same for the same arguments."""
    rng = random.Random(seed)
    names = [f"s{i}" for i in range(skills)]
    data: dict[str, Any] = {
        "mentors": [{"id": f"m{i}", "offers": rng.sample(names, rng.randint(1, skills)),
                     "languages": _languages(rng), "capacity": rng.randint(0, capacity),
                     "timezone": rng.choice(ZONES), "availability": _slots(rng)}
                    for i in range(mentors)],
        "mentees": [{"id": f"e{i}", "wants": rng.sample(names, rng.randint(1, min(3, skills))),
                     "languages": _languages(rng), "timezone": rng.choice(ZONES),
                     "availability": _slots(rng),
                     "waiting_since": f"2026-{rng.randint(1, 11):02}-{rng.randint(1, 28):02}"}
                    for i in range(mentees)],
        "blocks": [],
    }
    for _ in range(blocks):
        pair = [f"m{rng.randrange(mentors)}", f"e{rng.randrange(mentees)}"]
        rng.shuffle(pair)
        data["blocks"].append(pair)
    return data

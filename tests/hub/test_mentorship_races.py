"""Capacity under racing pushes, on a real hub process with SQLite and with PostgreSQL (two
workers): mentees from their own devices take an ``auto_accept`` mentor's places at once,
and a mentor accepts several requests from several devices at once. The hub decides in the
order it applies the pushes; capacity is never exceeded and each loser is told in its
relationship's audit. A puller following only its cursor meanwhile misses no relationship."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.hub.mentorship_helpers import Person, action, mentor_profile
from tests.hub.sync_helpers import Learner
from tests.hubs import RunningHub, start_hub

MENTEES = 6


@pytest.fixture(params=["sqlite", "postgres"])
def race_hub(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RunningHub]:
    database = None
    if request.param == "postgres":
        database = request.getfixturevalue("postgres").new_database()
    running = start_hub(tmp_path / "hub-home", database=database, workers=2)
    try:
        yield running
    finally:
        running.stop()


def _people(hub: RunningHub, capacity: int, auto_accept: bool) -> tuple[Person, list[Person]]:
    mentor = Person(Learner.add(hub, "amina"), "amina")
    mentor.ok(mentor_profile(offers=["wiki-editing"], capacity=capacity, mentoring=True,
                             auto_accept=auto_accept))
    mentees = []
    for index in range(MENTEES):
        who = Person(Learner.add(hub, f"mentee{index}"), f"mentee{index}")
        who.ok(mentor_profile(wants=["wiki-editing"], looking=True))
        mentees.append(who)
    return mentor, mentees


def _together(jobs: list[Any], follow: Any) -> list[Any]:
    """Run ``jobs`` at once (a barrier), ``follow`` pulling meanwhile; their answers."""
    start = threading.Barrier(len(jobs) + 1)
    answers: list[Any] = [None] * len(jobs)
    done = threading.Event()

    def run(index: int) -> None:
        start.wait()
        answers[index] = jobs[index]()

    def reader() -> None:
        start.wait()
        while not done.is_set():
            follow()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    pulling = threading.Thread(target=reader)
    for thread in [*threads, pulling]:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    pulling.join()
    return answers


class Follower:
    """Pulls page after page from its cursor, as a client does."""

    def __init__(self, who: Person) -> None:
        self.who = who
        self.cursor = 0
        self.seen: dict[str, dict[str, Any]] = {}

    def __call__(self) -> None:
        response = self.who.learner.page(self.cursor, limit=3)
        assert response.status_code == 200
        body = response.json()
        for entry in body["records"]:
            record = entry["record"]
            if record["type"] == "relationship":
                self.seen[record["id"]] = record["data"]
        self.cursor = body["cursor"]

    def catch_up(self) -> None:
        before = None
        while before != self.cursor:
            before = self.cursor
            self()


def test_auto_accept_places_go_to_the_first_pushes_and_the_others_are_told(
        race_hub: RunningHub) -> None:
    mentor, mentees = _people(race_hub, capacity=2, auto_accept=True)
    ids = [str(uuid.uuid4()) for _ in mentees]
    follower = Follower(mentor)
    answers = _together([
        (lambda who=who, rel=rel: who.push(action("request", relationship=rel,
                                                  peer="amina"), device="laptop"))
        for who, rel in zip(mentees, ids, strict=True)], follower)
    assert [answer.status_code for answer in answers] == [200] * MENTEES
    follower.catch_up()
    states = {rel: follower.seen[rel]["state"] for rel in ids}
    assert sorted(states.values()) == ["active"] * 2 + ["declined"] * (MENTEES - 2)
    for who, rel in zip(mentees, ids, strict=True):
        data = who.relationship(rel)
        assert data["state"] == states[rel]
        if data["state"] == "declined":
            line = data["audit"][-1]
            assert line["ok"] is False and line["reason"] == "no place left"


def test_racing_accepts_never_exceed_capacity(race_hub: RunningHub) -> None:
    mentor, mentees = _people(race_hub, capacity=1, auto_accept=False)
    ids = []
    for who in mentees:
        rel = str(uuid.uuid4())
        who.ok(action("request", relationship=rel, peer="amina"))
        ids.append(rel)
    assert all(mentor.relationship(rel)["state"] == "pending" for rel in ids)
    follower = Follower(mentees[0])
    devices = [Person(Learner(race_hub.url, mentor.learner.token), "amina",
                      device=f"phone-{index}") for index in range(len(ids))]
    answers = _together([
        (lambda device=device, rel=rel: device.push(action("accept", relationship=rel)))
        for device, rel in zip(devices, ids, strict=True)], follower)
    assert [answer.status_code for answer in answers] == [200] * len(ids)
    final = {rel: mentor.relationship(rel) for rel in ids}
    assert sorted(data["state"] for data in final.values()) == \
        ["active"] + ["pending"] * (len(ids) - 1)
    for data in final.values():
        if data["state"] == "pending":
            line = data["audit"][-1]
            assert (line["what"], line["ok"], line["reason"]) == ("accept", False,
                                                                   "no place left")
    follower.catch_up()
    assert follower.seen[ids[0]]["state"] == final[ids[0]]["state"]

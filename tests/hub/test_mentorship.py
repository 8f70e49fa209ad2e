"""Mentorship on a real hub process (``ujuzi hub serve``, SQLite in tmp_path; PostgreSQL for
the races): requests, the state machine, capacity, blocks, spaces, hand-over, expiry, the
routes."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.hub.mentorship_helpers import (
    Person,
    action,
    goal,
    mentor_profile,
    private_note,
    shared_note,
)
from tests.hub.sync_helpers import Learner
from tests.hubs import RunningHub, start_hub

WIKI = "wiki-editing"


def person(hub: RunningHub, name: str, role: str = "learner") -> Person:
    return Person(Learner.add(hub, name, role), name)


def mentor(hub: RunningHub, name: str, capacity: int = 2, auto_accept: bool = False,
           **fields: Any) -> Person:
    who = person(hub, name)
    who.ok(mentor_profile(offers=[WIKI], capacity=capacity, mentoring=True,
                          auto_accept=auto_accept, **fields))
    return who


def mentee(hub: RunningHub, name: str, **fields: Any) -> Person:
    who = person(hub, name)
    who.ok(mentor_profile(wants=[WIKI], looking=True, **fields))
    return who


def request(who: Person, mentor_name: str, **options: Any) -> str:
    rel = str(uuid.uuid4())
    who.ok(action("request", relationship=rel, peer=mentor_name, **options))
    return rel


def last_audit(data: dict[str, Any]) -> dict[str, Any]:
    line: dict[str, Any] = data["audit"][-1]
    return line


@pytest.fixture
def mentor_hub(tmp_path: Path) -> Any:
    running = start_hub(tmp_path / "hub-home")
    try:
        yield running
    finally:
        running.stop()


def test_a_request_accepted_is_active_for_both_and_shows_in_the_mentors_requests(
        mentor_hub: RunningHub) -> None:
    amina = mentor(mentor_hub, "amina")
    baraka = mentee(mentor_hub, "baraka")
    rel = request(baraka, "amina")
    mine = baraka.relationship(rel)
    assert (mine["state"], mine["mentor"], mine["mentee"]) == ("pending", "amina", "baraka")
    assert mine["expires"] is not None
    waiting = amina.get("/api/v1/mentorship/requests").json()["requests"]
    assert [item["relationship"] for item in waiting] == [rel]
    amina.ok(action("accept", relationship=rel))
    for who in (amina, baraka):
        data = who.relationship(rel)
        assert data["state"] == "active" and data["expires"] is None
        assert [line["what"] for line in data["audit"]] == ["request", "accept"]
        assert last_audit(data)["by"] == "amina" and last_audit(data)["ok"] is True
    assert amina.get("/api/v1/mentorship/requests").json()["requests"] == []


def test_a_request_to_an_away_mentor_goes_to_their_backup(mentor_hub: RunningHub) -> None:
    """While a mentor is away, a request to them goes to the backup mentor their profile
    names (if that one is open to mentees and here); the audit says so. Back, or with no
    usable backup, the request stays with them."""
    juma = mentor(mentor_hub, "juma")
    mentor(mentor_hub, "amina", away_until="2999-01-01", backup_mentor="juma")
    mentor(mentor_hub, "chidi", away_until="2999-01-01", backup_mentor="nobody")
    mentor(mentor_hub, "dalia", away_until="2000-01-01", backup_mentor="juma")
    baraka = mentee(mentor_hub, "baraka")
    rel = request(baraka, "amina")
    data = baraka.relationship(rel)
    assert (data["mentor"], data["state"]) == ("juma", "pending")
    assert "amina is away until 2999-01-01" in last_audit(data)["reason"]
    assert "juma" in last_audit(data)["reason"]
    assert [item["relationship"] for item in
            juma.get("/api/v1/mentorship/requests").json()["requests"]] == [rel]
    kofi, esi = mentee(mentor_hub, "kofi"), mentee(mentor_hub, "esi")
    assert kofi.relationship(request(kofi, "chidi"))["mentor"] == "chidi"
    assert esi.relationship(request(esi, "dalia"))["mentor"] == "dalia"


def test_every_transition_and_refused_ones_leave_the_state_unchanged(
        mentor_hub: RunningHub) -> None:
    amina = mentor(mentor_hub, "amina", capacity=3)
    baraka = mentee(mentor_hub, "baraka")

    def step(who: Person, what: str, rel: str, expected: str, ok: bool = True) -> None:
        who.ok(action(what, relationship=rel))
        data = who.relationship(rel)
        assert data["state"] == expected, (what, data["audit"])
        line = last_audit(data)
        assert (line["what"], line["ok"], line["to"]) == (what, ok, expected)
        if not ok:
            assert line["reason"] and line["from"] == expected

    rel = request(baraka, "amina")
    step(baraka, "accept", rel, "pending", ok=False)      # only the mentor accepts
    step(baraka, "resume", rel, "pending", ok=False)
    step(amina, "accept", rel, "active")
    step(amina, "accept", rel, "active", ok=False)
    step(baraka, "pause", rel, "paused")
    step(amina, "pause", rel, "paused", ok=False)
    step(amina, "resume", rel, "active")
    step(baraka, "pause", rel, "paused")
    step(amina, "complete", rel, "completed")
    step(amina, "resume", rel, "completed", ok=False)     # final
    step(baraka, "cancel", rel, "completed", ok=False)

    second = request(baraka, "amina")
    step(baraka, "decline", second, "pending", ok=False)  # a mentee cancels instead
    step(amina, "decline", second, "declined")
    third = request(baraka, "amina")
    step(baraka, "cancel", third, "cancelled")
    fourth = request(baraka, "amina")
    step(amina, "accept", fourth, "active")
    step(amina, "complete", fourth, "completed")


def test_a_proposal_needs_both_accepts_in_either_order(mentor_hub: RunningHub) -> None:
    amina = mentor(mentor_hub, "amina")
    baraka = mentee(mentor_hub, "baraka")
    chausiku = mentee(mentor_hub, "chausiku")
    answer = mentor_hub.cli("mentor", "match", "--all", "--json")
    import json

    pairs = json.loads(answer.stdout)["pairs"]
    assert {(p["mentor"], p["mentee"]) for p in pairs} == {("amina", "baraka"),
                                                           ("amina", "chausiku")}
    rel_of = {p["mentee"]: p["relationship"] for p in pairs}
    first = baraka.relationship(rel_of["baraka"])
    assert first["state"] == "proposed" and first["explanation"] and first["algorithm"]
    assert first["factors"]["skills_offered"] == [WIKI]
    baraka.ok(action("accept", relationship=rel_of["baraka"]))
    assert baraka.relationship(rel_of["baraka"])["state"] == "pending"
    amina.ok(action("accept", relationship=rel_of["baraka"]))
    assert baraka.relationship(rel_of["baraka"])["state"] == "active"
    # The other order: the mentor first, then the mentee.
    amina.ok(action("accept", relationship=rel_of["chausiku"]))
    assert chausiku.relationship(rel_of["chausiku"])["state"] == "proposed"
    chausiku.ok(action("accept", relationship=rel_of["chausiku"]))
    assert chausiku.relationship(rel_of["chausiku"])["state"] == "active"


def test_a_blocked_pair_cannot_request_and_is_never_matched(mentor_hub: RunningHub) -> None:
    amina = mentor(mentor_hub, "amina", capacity=3)
    baraka = mentee(mentor_hub, "baraka")
    chausiku = mentee(mentor_hub, "chausiku")
    live = request(baraka, "amina")
    amina.ok(action("accept", relationship=live))
    amina.ok(action("block", peer="baraka"))
    cancelled = baraka.relationship(live)
    assert cancelled["state"] == "cancelled" and last_audit(cancelled)["what"] == "block"
    refused = request(baraka, "amina")
    data = baraka.relationship(refused)
    assert data["state"] == "declined"
    assert last_audit(data)["ok"] is False and "blocked" in last_audit(data)["reason"]
    assert baraka.get("/api/v1/mentorship/matches").json()["matches"] == []
    found = chausiku.get("/api/v1/mentorship/matches").json()["matches"]
    assert [item["mentor"] for item in found] == ["amina"]
    assert found[0]["places_left"] == 3 and found[0]["explanation"]
    import json

    answer = json.loads(mentor_hub.cli("mentor", "match", "--all", "--json",
                                       "--dry-run").stdout)
    assert [(p["mentor"], p["mentee"]) for p in answer["pairs"]] == [("amina", "chausiku")]
    assert [u["mentee"] for u in answer["unmatched"]] == ["baraka"]
    # Unblocked, the pair may ask again.
    amina.ok(action("unblock", peer="baraka"))
    again = request(baraka, "amina")
    assert baraka.relationship(again)["state"] == "pending"


def test_a_space_s_records_reach_only_its_parties(mentor_hub: RunningHub) -> None:
    amina = mentor(mentor_hub, "amina")
    baraka = mentee(mentor_hub, "baraka")
    outsider = person(mentor_hub, "zuberi")
    rel = request(baraka, "amina")
    amina.ok(action("accept", relationship=rel))
    baraka.ok(goal("g1", rel, "zq7 goal"), shared_note("n1", rel, "zq7 shared"),
              private_note("p1", rel))
    amina.ok(shared_note("n2", rel, "zq7 from the mentor", device="dev-m"))
    kinds = {r["type"] for r in amina.records()}
    assert {"relationship", "goal", "shared_note"} <= kinds and "private_note" not in kinds
    theirs = {r["id"] for r in baraka.records("mentor_action")}
    assert theirs and not theirs & {r["id"] for r in amina.records("mentor_action")}
    assert {r["id"] for r in baraka.records("shared_note")} == {"n1", "n2"}
    assert outsider.records() == []
    # A non-party's push into the space is refused whole.
    response = outsider.push(mentor_profile(), goal("g2", rel, "intruder"))
    assert response.status_code == 403, response.text
    response = outsider.push(shared_note("n1", rel, "overwrite", device="dev-z",
                                         counter=9))
    assert response.status_code == 403
    assert outsider.records() == []
    assert {r["id"] for r in baraka.records("goal")} == {"g1"}
    for path in ("/api/v1/mentorship/requests", "/api/v1/mentorship/mentees",
                 "/api/v1/mentorship/matches", "/api/v1/mentorship/skills"):
        for who in (outsider, amina):
            assert b"c2VjcmV0IGJ5dGVz" not in who.get(path).content


def test_a_hand_over_carries_goals_and_the_history_only_after_consent(
        mentor_hub: RunningHub) -> None:
    amina = mentor(mentor_hub, "amina")
    juma = mentor(mentor_hub, "juma")
    baraka = mentee(mentor_hub, "baraka")
    rel = request(baraka, "amina")
    amina.ok(action("accept", relationship=rel))
    baraka.ok(goal("g1", rel, "Edit 5 articles"), shared_note("n1", rel, "before"))
    amina.ok(action("hand_over", relationship=rel, to="juma"))
    old = amina.relationship(rel)
    assert old["state"] == "handed_over" and old["successor"]
    new = old["successor"]
    data = juma.relationship(new)
    assert (data["state"], data["mentee"], data["previous_mentor"]) == ("pending", "baraka",
                                                                         "amina")
    juma.ok(action("accept", relationship=new))
    goals = juma.records("goal")
    assert [(g["id"], g["data"]["relationship"]) for g in goals] == [("g1", new)]
    assert juma.records("shared_note") == []
    assert not any(r["id"] == rel for r in juma.records("relationship"))
    # The old mentor keeps what was shared, and reads nothing new.
    amina_cursor = amina.learner.pull()[-1]["seq"]
    baraka.ok(shared_note("n2", new, "after"), goal("g1", rel, "Edit 6 articles", count=2))
    late = [e["record"] for e in amina.learner.pull() if e["seq"] > amina_cursor]
    assert all(r["type"] not in ("goal", "shared_note") for r in late)
    juma_cursor = juma.learner.pull()[-1]["seq"]
    baraka.ok(action("consent_history", relationship=new))
    # Joining the old space gave its records new seqs: past juma's cursor, they come.
    since = {e["record"]["id"] for e in juma.learner.pull(juma_cursor)
             if e["record"]["type"] == "shared_note"}
    assert since == {"n1"}
    assert {r["id"] for r in juma.records("shared_note")} == {"n1", "n2"}
    history = [r for r in juma.records("relationship") if r["id"] == rel]
    assert history and history[0]["data"]["state"] == "handed_over"
    assert juma.relationship(new)["history_shared"] is True
    moved = [g for g in baraka.records("goal")]
    assert moved[0]["data"]["relationship"] == new
    assert moved[0]["fields"]["title"]["v"] == "Edit 6 articles"


def test_a_client_cannot_write_a_relationship(mentor_hub: RunningHub) -> None:
    baraka = mentee(mentor_hub, "baraka")
    forged = {"type": "relationship", "id": "r", "deleted": False,
              "data": {"mentor": "amina", "mentee": "baraka", "state": "active",
                       "version": 50}}
    assert baraka.push(forged).status_code == 403


def test_a_request_expires_on_the_hub_s_time(tmp_path: Path) -> None:
    running = start_hub(tmp_path / "hub-home", env={"UJUZI_MENTOR_REQUEST_DAYS": "0"})
    try:
        mentor(running, "amina")
        baraka = mentee(running, "baraka")
        rel = request(baraka, "amina")
        data = baraka.relationship(rel)  # the pull checks, lazily, with hub time
        assert data["state"] == "declined"
        assert (last_audit(data)["what"], last_audit(data)["reason"]) == ("expire", "expired")
    finally:
        running.stop()


def test_the_mentor_s_dashboard_shows_progress_only_while_shared_and_live(
        mentor_hub: RunningHub, tmp_path: Path) -> None:
    from tests.hub.sync_helpers import attempt, progress
    from tests.packs import make_pack

    make_pack(tmp_path / "p.ujpack", articles={"intro": "# Intro\n\nText.",
                                                "second": "# Second\n\nMore."})
    mentor_hub.publish(tmp_path / "p.ujpack")
    amina = mentor(mentor_hub, "amina", capacity=3)
    baraka = mentee(mentor_hub, "baraka")
    chausiku = mentee(mentor_hub, "chausiku")
    shared = request(baraka, "amina")
    private = request(chausiku, "amina", share_progress=False)
    for rel in (shared, private):
        amina.ok(action("accept", relationship=rel))
    baraka.ok(progress("org.test.sample/intro", 1.0, completed=True),
              progress("org.test.sample/second", 0.5),
              attempt("a1", "org.test.sample/quiz", 0.5), attempt("a2", "org.x/quiz", 1.0),
              {**goal("g1", shared, "Finish the pack"),
               "fields": {"title": {"v": "Finish the pack", "clock": [1, "dev-a"]},
                          "due": {"v": "2026-01-01", "clock": [1, "dev-a"]}}})
    chausiku.ok(progress("org.test.sample/intro", 1.0, completed=True))
    rows = amina.get("/api/v1/mentorship/mentees").json()["mentees"]
    assert [row["mentee"] for row in rows] == ["baraka"]
    row = rows[0]
    assert row["relationship"] == shared and row["state"] == "active"
    assert row["packs"] == [{"pack_id": "org.test.sample", "title": "Sample pack",
                             "done": 1, "total": 2}]
    assert row["quiz"] == {"attempts": 2, "mean_score": 0.75}
    assert row["goals_due"] == 1 and row["last_active"]
    assert row["timeline"] == [["2026-12-06", 1]]
    # Nobody else's dashboard shows baraka; after the relationship ends, neither does amina's.
    assert baraka.get("/api/v1/mentorship/mentees").json()["mentees"] == []
    amina.ok(action("complete", relationship=shared))
    assert amina.get("/api/v1/mentorship/mentees").json()["mentees"] == []


def test_match_all_gives_the_pairs_match_cohort_gives(mentor_hub: RunningHub) -> None:
    import json
    from datetime import UTC, datetime

    from app.mentorship.cohort import parse_cohort
    from app.mentorship.matching import match_cohort

    mentors = {
        "m-sw": {"offers": [WIKI, "translation"], "languages": {"sw": 5}, "capacity": 1,
                 "timezone": "Africa/Nairobi", "availability": [["mon", "18:00", "21:00"]]},
        "m-en": {"offers": [WIKI], "languages": {"en": 5, "sw": 3}, "capacity": 2,
                 "timezone": "Europe/London", "availability": [["mon", "15:00", "19:00"]]},
        "m-fr": {"offers": ["translation"], "languages": {"fr": 5}, "capacity": 1,
                 "timezone": "Africa/Dakar", "availability": [["tue", "10:00", "12:00"]]},
    }
    mentees = {
        "e-1": {"wants": [WIKI, "translation"], "languages": {"sw": 4},
                "timezone": "Africa/Nairobi", "availability": [["mon", "18:00", "20:00"]]},
        "e-2": {"wants": [WIKI], "languages": {"sw": 5, "en": 3},
                "timezone": "Africa/Nairobi", "availability": [["mon", "19:00", "21:00"]]},
        "e-3": {"wants": ["translation"], "languages": {"fr": 4},
                "timezone": "Africa/Dakar", "availability": [["tue", "09:00", "11:00"]]},
        "e-4": {"wants": ["translation"], "languages": {"de": 5},
                "timezone": "Europe/Berlin", "availability": []},
    }
    people: dict[str, Person] = {}
    for name, fields in mentors.items():
        people[name] = person(mentor_hub, name)
        people[name].ok(mentor_profile(mentoring=True, **fields))
    for name, fields in mentees.items():
        people[name] = person(mentor_hub, name)
        people[name].ok(mentor_profile(looking=True, **fields))
    today = datetime.now(UTC).date()
    expected = match_cohort(parse_cohort({
        "mentors": [{"id": name, **fields} for name, fields in mentors.items()],
        "mentees": [{"id": name, "waiting_since": today.isoformat(),
                     **fields} for name, fields in mentees.items()],
        "blocks": []}), today).to_json()
    dry = json.loads(mentor_hub.cli("mentor", "match", "--all", "--json", "--dry-run").stdout)
    assert [(p["mentor"], p["mentee"], p["score"]) for p in dry["pairs"]] == \
        [(p["mentor"], p["mentee"], p["score"]) for p in expected["pairs"]]
    assert dry["unmatched"] == expected["unmatched"] and dry["algorithm"] == \
        expected["algorithm"]
    assert all(p["relationship"] is None for p in dry["pairs"])
    # Proposed for real through the route, as a curator: each pair sees its relationship.
    curator = person(mentor_hub, "coordinator", role="curator")
    answer = curator.learner.session.post(f"{mentor_hub.url}/api/v1/mentorship/match-all",
                                          json={"dry_run": False}, timeout=60).json()
    assert [(p["mentor"], p["mentee"]) for p in answer["pairs"]] == \
        [(p["mentor"], p["mentee"]) for p in expected["pairs"]]
    for pair in answer["pairs"]:
        for name in (pair["mentor"], pair["mentee"]):
            data = people[name].relationship(pair["relationship"])
            assert data["state"] == "proposed" and data["factors"] == pair["factors"]
    # Matched mentees have a live relationship now: a second run proposes nobody again.
    again = json.loads(mentor_hub.cli("mentor", "match", "--all", "--json").stdout)
    assert {p["mentee"] for p in again["pairs"]}.isdisjoint(
        {p["mentee"] for p in answer["pairs"]})


def test_hub_mentor_match_says_whom_and_prints_the_pairs_in_words(tmp_path: Path) -> None:
    from tests.hubs import hub_cli

    home = tmp_path / "hub-home"
    missing = hub_cli(home, "mentor", "match", check=False)
    assert missing.returncode == 2
    assert "ujuzi hub mentor match --all" in missing.stderr
    empty = hub_cli(home, "mentor", "match", "--all", "--dry-run")
    assert "Nothing was proposed (--dry-run)." in empty.stdout

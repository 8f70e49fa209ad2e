"""Mentorship between real devices and a real hub (``ujuzi hub serve``): two devices of one
mentee and one mentor device converge through the record plane (requests, the hub's
decisions, goals edited on both sides offline, a shared note's conflict, private notes
only their author's devices can read), and the ``ujuzi mentor`` commands round-trip with
``--json``."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from app.library import Library
from app.mentorship import local
from app.mentorship.models import WAITING, Goal, GoalLink, MentorNote, MentorProfile, Task
from app.packs.importer import import_pack
from app.store.records import apply_state, record_state
from app.sync.account import Account
from app.sync.records import sync_now
from tests.hubs import RunningHub, start_hub
from tests.sync.conftest import PASSWORD
from tests.sync.keyring_file import ENV
from tests.sync.records_helpers import (
    PACK_ID,
    RESOURCES,
    add_users,
    pack_file,
    resource,
    ujuzi,
    ujuzi_json,
)

SECRET = "private: Baraka seems tired lately, ask about exams"


@pytest.fixture(scope="module")
def mentor_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHub]:
    running = start_hub(tmp_path_factory.mktemp("hub") / "home")
    try:
        add_users(running, "amina", "baraka", "juma", "zawadi", "kito", "neema")
        yield running
    finally:
        running.stop()


@contextmanager
def on(library: Library) -> Iterator[None]:
    """Run with the keyring of ``library``'s machine: each device has its own (the test
    keyring is a file, tests/sync/keyring_file.py)."""
    before = os.environ[ENV]
    os.environ[ENV] = str(library.layout.home.with_name(library.layout.home.name + ".keyring"))
    try:
        yield
    finally:
        os.environ[ENV] = before


def device(home: Path, hub: RunningHub, user: str) -> Library:
    library = Library(home)
    with on(library):
        Account(library).login(hub.url, user, PASSWORD)
    return library


def sync(*libraries: Library) -> None:
    for library in libraries:
        with on(library):
            sync_now(library)


def notes(library: Library, relationship: str) -> list[MentorNote]:
    with on(library):
        return local.mentor_notes(library, relationship)


def add_private(library: Library, relationship: str, text: str) -> MentorNote:
    with on(library):
        return local.add_mentor_note(library, relationship, text, private=True)


def hub_database(hub: RunningHub) -> Path:
    return hub.home / "hub" / "hub.sqlite3"


def hub_bytes(hub: RunningHub) -> bytes:
    """Everything the hub's SQLite database holds on disk (the file and its WAL)."""
    path = hub_database(hub)
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def hub_states(hub: RunningHub, record_type: str) -> list[dict[str, Any]]:
    """The stored states of one record type, read from the hub's database."""
    with sqlite3.connect(hub_database(hub)) as db:
        return [json.loads(row[0]) for row in db.execute(
            "SELECT state FROM sync_records WHERE type = ?", (record_type,))]


def test_two_mentee_devices_and_a_mentor_converge_through_the_hub(
        mentor_hub: RunningHub, tmp_path: Path) -> None:
    with device(tmp_path / "amina-laptop", mentor_hub, "amina") as laptop, \
            device(tmp_path / "amina-phone", mentor_hub, "amina") as phone, \
            device(tmp_path / "baraka", mentor_hub, "baraka") as mentor:
        local.save_profile(mentor, MentorProfile(
            offers=["wiki-editing"], languages={"sw": 5}, timezone="Africa/Nairobi",
            availability=[("mon", "18:00", "20:00")], capacity=2, mentoring=True))
        local.save_profile(laptop, MentorProfile(
            wants=["wiki-editing"], languages={"sw": 4}, timezone="Africa/Nairobi",
            availability=[("mon", "17:00", "19:00")], looking=True))
        sync(mentor)
        # Offline: the request shows at once, waiting.
        asked = local.request_mentor(laptop, "baraka", message="Habari!")
        assert (asked.state, asked.waiting) == (WAITING, ["request"])
        sync(laptop)
        [pending] = local.relationships(laptop)
        assert (pending.id, pending.state, pending.waiting) == (asked.id, "pending", [])
        sync(mentor)
        [incoming] = local.relationships(mentor)
        assert (incoming.id, incoming.role, incoming.mentee) == (asked.id, "mentor", "amina")
        local.act(mentor, asked.id, "accept")
        sync(mentor, laptop, phone)
        for library in (laptop, phone, mentor):
            [active] = local.relationships(library)
            assert (active.id, active.state) == (asked.id, "active"), library.layout.home
        assert [line.what for line in local.relationships(phone)[0].audit if line.ok][-1] \
            == "accept"

        # Goals: made on the laptop, edited offline on the phone and by the mentor.
        goal = local.save_goal(laptop, Goal("", asked.id, "First article", tasks=[
            Task("", "Pick a topic"), Task("", "Find 3 sources")]))
        sync(laptop, phone, mentor)
        [on_phone] = local.goals(phone, asked.id)
        local.save_goal(phone, Goal(goal.id, asked.id, on_phone.title, due="2026-12-31",
                                    tasks=on_phone.tasks))
        local.set_task_done(phone, goal.id, on_phone.tasks[0].id, True)
        [on_mentor] = local.goals(mentor, asked.id)
        local.save_goal(mentor, Goal(goal.id, asked.id, "First article: Swahili poets",
                                     tasks=[*on_mentor.tasks, Task("", "Write the lead")]))
        sync(phone, mentor, laptop, phone)
        seen = [local.goals(library, asked.id) for library in (laptop, phone, mentor)]
        assert seen[0] == seen[1] == seen[2]
        [merged] = seen[0]
        assert (merged.title, merged.due) == ("First article: Swahili poets", "2026-12-31")
        assert [(task.title, task.done) for task in merged.tasks] == [
            ("Pick a topic", True), ("Find 3 sources", False), ("Write the lead", False)]

        # A shared note edited on both sides without seeing each other: a conflict, shown.
        note = local.add_mentor_note(laptop, asked.id, "Met on Monday", private=False)
        sync(laptop, phone, mentor)
        local.edit_mentor_note(phone, note.id, "Met on Monday: we chose the topic")
        local.edit_mentor_note(mentor, note.id, "Met on Monday: sources next")
        sync(phone, mentor, laptop, phone)
        for library in (laptop, phone, mentor):
            [shown] = local.mentor_notes(library, asked.id)
            assert shown.conflict and sorted(shown.versions) == [
                "Met on Monday: sources next", "Met on Monday: we chose the topic"]

        # A private note: ciphertext at the hub, readable on the author's other device after
        # it signs in, never sent to the mentor.
        private = add_private(laptop, asked.id, SECRET)
        sync(laptop, phone, mentor)
        assert SECRET.encode() not in hub_bytes(mentor_hub)
        [stored] = [state for state in hub_states(mentor_hub, "private_note")
                    if state["id"] == private.id]
        assert set(stored["data"]) == {"relationship", "key_id", "nonce", "ciphertext"}
        assert "Baraka" not in json.dumps(stored)
        locked = [n for n in notes(phone, asked.id) if n.private]
        assert [(n.id, n.locked) for n in locked] == [(private.id, True)]
        with on(phone):
            Account(phone).login(mentor_hub.url, "amina", PASSWORD)
        [readable] = [n for n in notes(phone, asked.id) if n.private]
        assert (readable.versions, readable.locked) == ([SECRET], False)
        assert [n for n in notes(mentor, asked.id) if n.private] == []
        assert record_state(mentor.db, mentor.profile_id(), "private_note", private.id) is None
        # Another account holding the ciphertext cannot open it.
        with device(tmp_path / "juma", mentor_hub, "juma") as other:
            apply_state(other.db, other.profile_id(), stored)
            apply_state(other.db, other.profile_id(),
                        record_state(mentor.db, mentor.profile_id(), "relationship", asked.id)
                        or {})
            [foreign] = [n for n in notes(other, asked.id) if n.private]
            assert foreign.locked and foreign.versions == []
        # A note the phone writes now reads on the laptop (one key for the account).
        second = add_private(phone, asked.id, "private: second")
        sync(phone, laptop)
        assert [n.versions for n in notes(laptop, asked.id)
                if n.id == second.id] == [["private: second"]]


def test_a_request_made_offline_waits_then_is_active_after_the_accept_and_both_syncs(
        mentor_hub: RunningHub, tmp_path: Path) -> None:
    with device(tmp_path / "zawadi", mentor_hub, "zawadi") as mentee, \
            device(tmp_path / "juma", mentor_hub, "juma") as mentor:
        local.save_profile(mentor, MentorProfile(
            offers=["wikidata"], languages={"en": 5}, timezone="UTC",
            availability=[("tue", "10:00", "12:00")], capacity=1, mentoring=True))
        sync(mentor)
        made = local.request_mentor(mentee, "juma")
        assert [(r.id, r.state, r.role) for r in local.relationships(mentee)] == [
            (made.id, WAITING, "mentee")]
        sync(mentee)
        assert local.relationships(mentee)[0].state == "pending"
        sync(mentor)
        local.act(mentor, made.id, "accept")
        assert local.relationships(mentee)[0].state == "pending"  # nothing synced yet
        sync(mentor)
        assert local.relationships(mentor)[0].state == "active"
        assert local.relationships(mentee)[0].state == "pending"
        sync(mentee)
        [active] = local.relationships(mentee)
        assert (active.id, active.state, active.waiting) == (made.id, "active", [])


def _json(home: Path, *args: str) -> Any:
    return ujuzi_json(home, *args)


def test_mentor_commands_round_trip_with_json(mentor_hub: RunningHub, tmp_path: Path) -> None:
    mentee, mentor = tmp_path / "cli-mentee", tmp_path / "cli-mentor"
    for home in (mentee, mentor):
        ujuzi(home, "profile", "add", "learner")
    ujuzi(mentee, "--profile", "learner", "login", mentor_hub.url, "--user", "kito",
          "--password-stdin", input=PASSWORD + "\n")
    ujuzi(mentor, "--profile", "learner", "login", mentor_hub.url, "--user", "neema",
          "--password-stdin", input=PASSWORD + "\n")
    shown = _json(mentor, "mentor", "profile", "set", "--offers", "commons-upload,wikidata",
                  "--language", "sw=5", "--language", "en=3", "--timezone", "Africa/Nairobi",
                  "--availability", "sat,09:00,12:00", "--capacity", "3", "--mentoring",
                  "--profile", "learner")
    assert (shown["offers"], shown["languages"], shown["capacity"], shown["mentoring"]) == (
        ["commons-upload", "wikidata"], {"en": 3, "sw": 5}, 3, True)
    assert _json(mentor, "--profile", "learner", "mentor", "profile") == shown
    bad = ujuzi(mentor, "--profile", "learner", "mentor", "profile", "set", "--language",
                "sw=9", check=False)
    assert bad.returncode != 0 and "level must be 0 to 5" in bad.stderr
    assert "\n" not in bad.stderr.strip()
    ujuzi(mentor, "--profile", "learner", "sync")
    made = _json(mentee, "mentor", "request", "neema", "--message", "Hello",
                 "--profile", "learner")
    assert (made["state"], made["mentor"], made["role"]) == (WAITING, "neema", "mentee")
    assert [r["id"] for r in _json(mentee, "mentor", "list", "--profile", "learner")] == [
        made["id"]]
    ujuzi(mentee, "--profile", "learner", "sync")
    ujuzi(mentor, "--profile", "learner", "sync")
    [incoming] = _json(mentor, "mentor", "list", "--profile", "learner")
    assert (incoming["id"], incoming["state"], incoming["role"]) == (
        made["id"], "pending", "mentor")
    ujuzi(mentor, "--profile", "learner", "mentor", "accept", made["id"])
    ujuzi(mentor, "--profile", "learner", "sync")
    ujuzi(mentee, "--profile", "learner", "sync")
    [active] = _json(mentee, "mentor", "list", "--profile", "learner")
    assert active["state"] == "active"
    goal = _json(mentee, "mentor", "goal", "add", made["id"], "Upload 10 photos", "--due",
                 "2026-12-20", "--task", "Take photos", "--task", "Upload", "--profile",
                 "learner")
    [listed] = _json(mentee, "mentor", "goal", "list", made["id"], "--profile", "learner")
    assert listed == goal and [t["title"] for t in goal["tasks"]] == ["Take photos", "Upload"]
    ujuzi(mentee, "--profile", "learner", "mentor", "goal", "done", goal["id"],
          goal["tasks"][0]["id"])
    note = _json(mentee, "mentor", "note", "add", made["id"], "only mine", "--private",
                 "--profile", "learner")
    assert (note["private"], note["versions"]) == (True, ["only mine"])
    ujuzi(mentee, "--profile", "learner", "sync")
    ujuzi(mentor, "--profile", "learner", "sync")
    [seen] = _json(mentor, "mentor", "goal", "list", made["id"], "--profile", "learner")
    assert [t["done"] for t in seen["tasks"]] == [True, False]
    assert _json(mentor, "mentor", "note", "list", made["id"], "--profile", "learner") == []
    missing = ujuzi(mentor, "--profile", "learner", "mentor", "pause", "no-such-id",
                    check=False)
    assert missing.returncode != 0 and "no relationship" in missing.stderr
    board = _json(mentor, "mentor", "dashboard", "--profile", "learner")
    assert board == {"rows": [], "fetched": None}
    board = _json(mentor, "mentor", "dashboard", "--refresh", "--profile", "learner")
    assert [(r["mentee"], r["relationship"]) for r in board["rows"]] == [
        ("kito", made["id"])] and board["fetched"]
    assert _json(mentor, "mentor", "dashboard", "--profile", "learner") == board
    assert isinstance(_json(mentee, "mentor", "find", "--profile", "learner"), list)


def test_suggestions_and_the_dashboard_come_from_the_hub_and_stay_for_offline_use(
        mentor_hub: RunningHub, tmp_path: Path) -> None:
    mentor_hub.add_user("imani", "learner", PASSWORD)
    mentor_hub.add_user("otieno", "learner", PASSWORD)
    with device(tmp_path / "imani", mentor_hub, "imani") as mentee, \
            device(tmp_path / "otieno", mentor_hub, "otieno") as mentor:
        for library in (mentee, mentor):
            import_pack(library, pack_file(tmp_path))
        local.save_profile(mentor, MentorProfile(
            offers=["wikisource"], languages={"sw": 5}, timezone="Africa/Nairobi",
            availability=[("wed", "18:00", "21:00")], capacity=2, mentoring=True))
        local.save_profile(mentee, MentorProfile(
            wants=["wikisource"], languages={"sw": 4}, timezone="Africa/Dar_es_Salaam",
            availability=[("wed", "18:00", "20:00")], looking=True))
        sync(mentor, mentee)
        assert local.cached_suggestions(mentee) == ([], None)
        with on(mentee):
            found = local.find_mentors(mentee)
        [offered] = [s for s in found if s.mentor == "otieno"]
        assert 0 < offered.score <= 1 and offered.places_left == 2 and offered.explanation
        kept, when = local.cached_suggestions(mentee)
        assert kept == found and when is not None
        assert "wikisource" in {skill.id for skill in local.skills(mentee)}

        made = local.request_mentor(mentee, "otieno")
        sync(mentee, mentor)
        local.act(mentor, made.id, "accept")
        sync(mentor, mentee)
        goal = local.save_goal(mentee, Goal("", made.id, "Read the pack",
                                            links=[GoalLink("pack", PACK_ID)]))
        mentee.record_progress(resource(0), complete=True)
        sync(mentee, mentor)
        assert local.dashboard(mentor).fetched is None
        with on(mentor):
            board = local.dashboard(mentor, refresh=True)
        [row] = board.rows
        assert (row.mentee, row.relationship, row.state) == ("imani", made.id, "active")
        assert [(p.pack_id, p.done) for p in row.packs] == [(PACK_ID, 1)]
        assert board.fetched is not None and local.dashboard(mentor) == board
        # The goal's progress: the mentee's from this device, the mentor's from the dashboard.
        [mine] = local.goals(mentee, made.id)
        [theirs] = local.goals(mentor, made.id)
        assert mine.id == theirs.id == goal.id
        assert mine.progress == theirs.progress == pytest.approx(1 / len(RESOURCES))

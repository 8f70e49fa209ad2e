"""Mentorship on one device (app/mentorship/local.py), no hub: the tables, the outbox, the
states sync sends, and pulled states applied as a pull applies them. Two libraries stand for
two devices where merges matter; states travel between them through app/store/merge.py as
the hub would merge them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend

from app.errors import UjuziError
from app.library import Library
from app.mentorship import crypto, local
from app.mentorship.models import WAITING, Goal, GoalLink, MentorProfile, Task
from app.store import merge
from app.store.records import STATE_TABLES, apply_state, record_state
from tests.sync.keyring_file import ENV, FileKeyring

HUB = "http://hub.test:8080"


@pytest.fixture(autouse=True)
def file_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FileKeyring]:
    """A keyring file of this test's own (tests/sync/keyring_file.py)."""
    monkeypatch.setenv(ENV, str(tmp_path / "keyring.json"))
    previous: KeyringBackend = keyring.get_keyring()
    backend = FileKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def linked(home: Path, user: str) -> Library:
    """A library whose default profile is linked to ``user`` at :data:`HUB` (no token: it
    never reaches a hub)."""
    library = Library(home)
    library.settings.set("hub_url", HUB)
    library.settings.set("hub_user", user)
    library.settings.set("hub_key", "unused")
    return library


@pytest.fixture
def amina(tmp_path: Path) -> Iterator[Library]:
    with linked(tmp_path / "amina", "amina") as library:
        yield library


def outbox(library: Library) -> list[tuple[str, str]]:
    """The mentorship records waiting in the outbox, oldest first."""
    return [(str(t), str(i)) for t, i in library.db.execute(
        "SELECT type, record_id FROM outbox ORDER BY counter") if t in STATE_TABLES]


def state_of(library: Library, record_type: str, record_id: str) -> dict[str, Any]:
    state = record_state(library.db, library.profile_id(), record_type, record_id)
    assert state is not None
    return state


def receive(library: Library, state: dict[str, Any]) -> None:
    """Merge a state pulled from the hub into the library, as a pull does."""
    profile_id = library.profile_id()
    mine = record_state(library.db, profile_id, state["type"], state["id"])
    apply_state(library.db, profile_id, merge.merge(mine, state) if mine else state)


def hub_relationship(relationship_id: str, mentor: str, mentee: str, state: str,
                     version: int, audit: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"type": "relationship", "id": relationship_id, "deleted": False,
            "data": {"mentor": mentor, "mentee": mentee, "state": state, "version": version,
                     "created": "2026-12-01T10:00:00Z", "updated": "2026-12-01T10:00:00Z",
                     "share_progress": True, "history_shared": False,
                     "previous_mentor": None, "audit": audit or []}}


# -- profile -----------------------------------------------------------------------------------


def test_a_saved_profile_reads_back_and_goes_to_the_outbox_with_a_lamport_clock(
        amina: Library) -> None:
    assert local.get_profile(amina) is None
    profile = MentorProfile(offers=["wiki-editing"], wants=["wikidata"],
                            languages={"sw": 5, "en": 4}, timezone="Africa/Nairobi",
                            availability=[("mon", "18:00", "20:00")], capacity=2,
                            mentoring=True, away_until="2026-12-24", backup_mentor="baraka")
    local.save_profile(amina, profile)
    assert local.get_profile(amina) == profile
    assert outbox(amina) == [("mentor_profile", "me")]
    state = state_of(amina, "mentor_profile", "me")
    assert state["data"] == profile.to_json() and state["clock"][0] >= 1
    local.save_profile(amina, MentorProfile(capacity=3, mentoring=True))
    later = state_of(amina, "mentor_profile", "me")
    assert merge.later(later["clock"], state["clock"]) and later["data"]["capacity"] == 3
    assert outbox(amina) == [("mentor_profile", "me")]


@pytest.mark.parametrize(("profile", "words"), [
    (MentorProfile(languages={"sw": 6}), "languages.sw: the level must be 0 to 5"),
    (MentorProfile(timezone="Mars/Olympus"), "unknown time zone"),
    (MentorProfile(availability=[("moon", "18:00", "20:00")]), "the day must be one of"),
    (MentorProfile(offers=[""]), "a skill id must be a non-empty text"),
    (MentorProfile(capacity=-1), "capacity"),
    (MentorProfile(away_until="soon"), "away_until"),
])
def test_a_profile_with_a_mistake_is_refused_in_words_and_nothing_is_saved(
        amina: Library, profile: MentorProfile, words: str) -> None:
    with pytest.raises(UjuziError, match=words):
        local.save_profile(amina, profile)
    assert local.get_profile(amina) is None and outbox(amina) == []


def test_the_skill_list_ships_labels_in_five_languages_and_grows_with_the_hubs_ids(
        amina: Library) -> None:
    shipped = json.loads((Path(local.__file__).parents[2] / "resources" / "mentorship"
                          / "skills.json").read_text(encoding="utf-8"))
    assert len(shipped) >= 30
    for item in shipped:
        assert set(item["labels"]) >= {"en", "fr", "es", "ar", "sw"}, item["id"]
    ids = [skill.id for skill in local.skills(amina)]
    assert "wiki-editing" in ids and len(ids) == len(shipped)
    local._cache_put(amina, "", "skills", [{"id": "wiki-editing"}, {"id": "lexemes"}])
    labels = {skill.id: skill.label for skill in local.skills(amina)}
    assert labels["lexemes"] == "lexemes" and labels["wiki-editing"] == "Editing Wikipedia"


# -- relationships ---------------------------------------------------------------------------


def test_a_request_made_offline_shows_at_once_as_waiting_and_then_as_the_hub_decides(
        amina: Library) -> None:
    made = local.request_mentor(amina, "baraka", message="Karibu?")
    assert (made.state, made.role, made.mentor, made.mentee, made.waiting) == (
        WAITING, "mentee", "baraka", "amina", ["request"])
    assert local.relationships(amina) == [made]
    [(kind, action_id)] = outbox(amina)
    action = state_of(amina, "mentor_action", action_id)
    assert kind == "mentor_action" and action["data"] == {
        "action": "request", "relationship": made.id, "peer": "baraka", "to": None,
        "message": "Karibu?", "reason": "", "share_progress": True}
    # Pushed (the outbox row acknowledged), then the hub's relationship pulled.
    amina.db.execute("DELETE FROM outbox WHERE type = 'mentor_action'")
    receive(amina, hub_relationship(made.id, "baraka", "amina", "pending", 1))
    [pending] = local.relationships(amina)
    assert (pending.id, pending.state, pending.waiting) == (made.id, "pending", [])
    receive(amina, hub_relationship(made.id, "baraka", "amina", "active", 2, audit=[
        {"action": None, "by": "baraka", "what": "accept", "from": "pending", "to": "active",
         "at": "2026-12-02T09:00:00Z", "ok": True, "reason": ""}]))
    receive(amina, hub_relationship(made.id, "baraka", "amina", "pending", 1))  # older
    [active] = local.relationships(amina)
    assert active.state == "active" and [line.what for line in active.audit] == ["accept"]


def test_a_second_request_to_the_same_mentor_and_requests_to_oneself_are_refused(
        amina: Library) -> None:
    local.request_mentor(amina, "baraka")
    with pytest.raises(UjuziError, match="already have a relationship with baraka"):
        local.request_mentor(amina, "baraka")
    with pytest.raises(UjuziError, match="own mentor"):
        local.request_mentor(amina, "amina")
    assert len(outbox(amina)) == 1


def test_mentorship_needs_the_profiles_hub_account(tmp_path: Path) -> None:
    with Library(tmp_path / "alone") as library, \
            pytest.raises(UjuziError, match="ujuzi login"):
        local.request_mentor(library, "baraka")


def test_actions_are_checked_here_and_recorded_for_the_hub(amina: Library) -> None:
    receive(amina, hub_relationship("r1", "amina", "juma", "pending", 1))
    receive(amina, hub_relationship("r2", "baraka", "amina", "completed", 3))
    [mentoring, ended] = local.relationships(amina)
    assert (mentoring.role, ended.role) == ("mentor", "mentee")
    local.act(amina, "r1", "accept")
    with pytest.raises(UjuziError, match="not an action"):
        local.act(amina, "r1", "marry")
    with pytest.raises(UjuziError, match="names the new mentor"):
        local.act(amina, "r1", "hand_over")
    with pytest.raises(UjuziError, match="Only the mentee"):
        local.act(amina, "r1", "consent_history")
    with pytest.raises(UjuziError, match="has ended"):
        local.act(amina, "r2", "pause")
    with pytest.raises(UjuziError, match="no relationship"):
        local.act(amina, "nope", "pause")
    local.act(amina, "r1", "hand_over", to="zawadi", reason="away for a month")
    assert local.relationships(amina)[0].waiting == ["accept", "hand_over"]
    actions = [state_of(amina, "mentor_action", i)["data"] for _t, i in outbox(amina)]
    assert [(a["action"], a["to"], a["reason"]) for a in actions] == [
        ("accept", None, ""), ("hand_over", "zawadi", "away for a month")]


def test_block_unblock_and_report_are_actions_about_a_person(amina: Library) -> None:
    local.block(amina, "juma")
    local.unblock(amina, "juma")
    with pytest.raises(UjuziError, match="why"):
        local.report(amina, "juma", " ")
    local.report(amina, "juma", "rude messages")
    actions = [state_of(amina, "mentor_action", i)["data"] for _t, i in outbox(amina)]
    assert [(a["action"], a["peer"], a["relationship"], a["reason"]) for a in actions] == [
        ("block", "juma", None, ""), ("unblock", "juma", None, ""),
        ("report", "juma", None, "rude messages")]


# -- goals ------------------------------------------------------------------------------------


def test_goal_fields_edited_on_two_devices_offline_both_survive(tmp_path: Path) -> None:
    with linked(tmp_path / "one", "amina") as one, linked(tmp_path / "two", "baraka") as two:
        for library in (one, two):
            receive(library, hub_relationship("r1", "baraka", "amina", "active", 2))
        goal = local.save_goal(one, Goal(id="", relationship="r1", title="First article",
                                         tasks=[Task("", "Pick a topic"),
                                                Task("", "Find 3 sources")]))
        assert [t.title for t in goal.tasks] == ["Pick a topic", "Find 3 sources"]
        receive(two, state_of(one, "goal", goal.id))
        # Offline: the mentee sets a due date and ticks a task; the mentor renames the goal.
        local.save_goal(one, Goal(goal.id, "r1", goal.title, due="2026-12-31",
                                  tasks=goal.tasks))
        local.set_task_done(one, goal.id, goal.tasks[0].id, True)
        [theirs] = local.goals(two, "r1")
        local.save_goal(two, Goal(goal.id, "r1", "First article on Swahili poets",
                                  tasks=[*theirs.tasks, Task("", "Write the lead")]))
        a, b = state_of(one, "goal", goal.id), state_of(two, "goal", goal.id)
        receive(one, b)
        receive(two, a)
        assert state_of(one, "goal", goal.id) == state_of(two, "goal", goal.id)
        [merged] = local.goals(one, "r1")
        assert (merged.title, merged.due) == ("First article on Swahili poets", "2026-12-31")
        assert [(t.title, t.done) for t in merged.tasks] == [
            ("Pick a topic", True), ("Find 3 sources", False), ("Write the lead", False)]
        assert merged == local.goals(two, "r1")[0]
        local.delete_goal(two, goal.id)
        assert local.goals(two, "r1") == []
        assert state_of(two, "goal", goal.id) == {
            "type": "goal", "id": goal.id, "deleted": True, "data": {"relationship": "r1"}}


def test_a_goals_progress_comes_from_its_linked_pack(amina: Library, tmp_path: Path) -> None:
    from app.packs.importer import import_pack
    from tests.packs import make_pack

    pack = tmp_path / "p.ujpack"
    make_pack(pack, pack_id="org.test.goal", articles={"a": "# a\n", "b": "# b\n"})
    import_pack(amina, pack)
    receive(amina, hub_relationship("r1", "baraka", "amina", "active", 2))
    goal = local.save_goal(amina, Goal("", "r1", "Finish the pack",
                                       links=[GoalLink("pack", "org.test.goal")]))
    assert goal.progress == 0
    amina.record_progress("org.test.goal/a", complete=True)
    assert local.goals(amina, "r1")[0].progress == 0.5
    with pytest.raises(UjuziError, match="date like"):
        local.save_goal(amina, Goal(goal.id, "r1", "x", due="tomorrow"))
    with pytest.raises(UjuziError, match="title"):
        local.save_goal(amina, Goal("", "r1", " "))


# -- notes ------------------------------------------------------------------------------------


def test_shared_notes_edited_on_both_sides_offline_show_the_conflict_until_one_edit_settles(
        tmp_path: Path) -> None:
    with linked(tmp_path / "one", "amina") as one, linked(tmp_path / "two", "baraka") as two:
        for library in (one, two):
            receive(library, hub_relationship("r1", "baraka", "amina", "active", 2))
        note = local.add_mentor_note(one, "r1", "Met on Monday", private=False)
        assert (note.author, note.versions, note.private) == ("amina", ["Met on Monday"], False)
        receive(two, state_of(one, "shared_note", note.id))
        local.edit_mentor_note(one, note.id, "Met on Monday: sources")
        local.edit_mentor_note(two, note.id, "Met on Monday: the lead")
        a, b = state_of(one, "shared_note", note.id), state_of(two, "shared_note", note.id)
        receive(one, b)
        receive(two, a)
        [shown] = local.mentor_notes(two, "r1")
        assert shown.conflict and sorted(shown.versions) == [
            "Met on Monday: sources", "Met on Monday: the lead"]
        local.edit_mentor_note(two, note.id, "Met on Monday: sources and the lead")
        receive(one, state_of(two, "shared_note", note.id))
        [settled] = local.mentor_notes(one, "r1")
        assert settled.versions == ["Met on Monday: sources and the lead"]


def test_a_private_note_is_stored_and_sent_encrypted_and_reads_only_with_the_key(
        amina: Library) -> None:
    receive(amina, hub_relationship("r1", "baraka", "amina", "active", 2))
    with pytest.raises(UjuziError, match="notes key"):
        local.add_mentor_note(amina, "r1", "secret: worried about baraka", private=True)
    keys = crypto.Keys()
    keys.add(*crypto.new_key())
    crypto.store_keys(HUB, "amina", keys)
    note = local.add_mentor_note(amina, "r1", "secret: worried about baraka", private=True)
    assert (note.private, note.versions, note.locked) == (
        True, ["secret: worried about baraka"], False)
    state = state_of(amina, "private_note", note.id)
    assert set(state["data"]) == {"relationship", "key_id", "nonce", "ciphertext"}
    assert "worried" not in json.dumps(state) and state["clock"][0] >= 1
    local.edit_mentor_note(amina, note.id, "secret: fine now")
    assert local.mentor_notes(amina, "r1")[0].versions == ["secret: fine now"]
    # Moved to another note, the ciphertext does not open.
    moved = {**state_of(amina, "private_note", note.id), "id": "other"}
    assert crypto.decrypt_note(keys, "other", moved["data"]) is None
    crypto.store_keys(HUB, "amina", crypto.Keys())
    [locked] = local.mentor_notes(amina, "r1")
    assert locked.locked and locked.versions == []
    local.delete_mentor_note(amina, note.id)
    assert local.mentor_notes(amina, "r1") == []
    assert state_of(amina, "private_note", note.id)["data"] == {"relationship": "r1"}


def test_a_wrapped_notes_key_opens_only_with_the_password() -> None:
    key_id, key = crypto.new_key()
    wrapped = crypto.wrap_key(key_id, key, "correct horse")
    assert key.hex() not in json.dumps(wrapped)
    assert crypto.unwrap_key(wrapped, "correct horse") == key
    assert crypto.unwrap_key(wrapped, "wrong horse") is None
    assert crypto.unwrap_key({**wrapped, "key_id": "another"}, "correct horse") is None


# -- cached hub answers -------------------------------------------------------------------------


def test_without_a_fetch_the_cached_copies_are_empty_and_undated(amina: Library) -> None:
    assert local.cached_suggestions(amina) == ([], None)
    board = local.dashboard(amina)
    assert (board.rows, board.fetched) == ([], None)
    local._cache_put(amina, amina.profile_id(), "dashboard", [{
        "mentee": "juma", "relationship": "r1", "state": "active",
        "packs": [{"pack_id": "p", "title": "P", "done": 1, "total": 4}],
        "quiz": {"attempts": 2, "mean_score": 0.75}, "last_active": "2026-12-01T10:00:00Z",
        "goals_due": 1, "timeline": [["2026-12-01", 3]]}])
    [row] = local.dashboard(amina).rows
    assert (row.mentee, row.packs[0].done, row.quiz_mean_score, row.timeline) == (
        "juma", 1, 0.75, [("2026-12-01", 3)])


def test_mentorship_records_pulled_before_migration_7_move_into_its_tables(
        tmp_path: Path) -> None:
    import sqlite3

    from app.paths import layout
    from app.store.db import MIGRATIONS

    home = tmp_path / "old"
    paths = layout(home)
    paths.ensure()
    conn = sqlite3.connect(paths.database)
    for number, migration in enumerate(MIGRATIONS[:6], 1):
        migration(conn)
        conn.execute(f"PRAGMA user_version = {number}")
    profile_id = conn.execute("SELECT id FROM profiles").fetchone()[0]
    pulled = hub_relationship("r1", "baraka", "amina", "active", 4)
    goal = {"type": "goal", "id": "g1", "deleted": False, "data": {"relationship": "r1"},
            "fields": {"title": {"v": "Read", "clock": [9, "dev-b"]}}, "tasks": {}}
    for state in (pulled, goal):
        conn.execute("INSERT INTO sync_foreign(profile_id, type, record_id, state) "
                     "VALUES (?, ?, ?, ?)",
                     (profile_id, state["type"], state["id"], json.dumps(state)))
    conn.commit()
    conn.close()
    with Library(home) as library:
        library.settings.set("hub_url", HUB)
        library.settings.set("hub_user", "amina")
        assert state_of(library, "relationship", "r1") == pulled
        assert state_of(library, "goal", "g1") == goal
        assert [r.state for r in local.relationships(library)] == ["active"]
        assert library.db.execute("SELECT COUNT(*) FROM sync_foreign").fetchone()[0] == 0


def test_requests_to_answer_come_first_longest_waiting_first(amina: Library) -> None:
    def at(state: dict[str, Any], when: str) -> dict[str, Any]:
        state["data"]["updated"] = when
        return state

    receive(amina, at(hub_relationship("old-done", "amina", "a", "completed", 5), "2026-12-05"))
    receive(amina, at(hub_relationship("mine", "baraka", "amina", "active", 2), "2026-11-01"))
    receive(amina, at(hub_relationship("new-ask", "amina", "b", "pending", 1), "2026-12-04"))
    receive(amina, at(hub_relationship("old-ask", "amina", "c", "pending", 1), "2026-12-01"))
    receive(amina, at(hub_relationship("live", "amina", "d", "active", 2), "2026-12-02"))
    assert [r.id for r in local.relationships(amina)] == [
        "old-ask", "new-ask", "live", "mine", "old-done"]

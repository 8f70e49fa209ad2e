"""Mentorship through a workshop hub: a laptop hub with an upstream leaves the decisions to
the central hub. Two real hubs on loopback (``ujuzi hub serve``), ``ujuzi hub forward``
between them, and learners' libraries syncing through the real client."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

from app.library import Library
from app.mentorship import local
from app.mentorship.models import (
    UPSTREAM,
    WAITING,
    Goal,
    MentorProfile,
    Relationship,
    Task,
)
from app.sync.account import Account
from app.sync.records import sync_now
from app.ui.pages.mentorship_parts import state_name
from app.ui.pages.mentorship_people import open_for_records
from tests.hubs import RunningHub
from tests.sync.conftest import PASSWORD
from tests.sync.records_helpers import add_users

MENTOR = MentorProfile(offers=["wiki-editing"], languages={"sw": 5}, timezone="UTC",
                       availability=[("mon", "18:00", "20:00")], mentoring=True)


def device(home: Path, hub: RunningHub, user: str) -> Library:
    library = Library(home)
    Account(library).login(hub.url, user, PASSWORD)
    return library


def forward(laptop: RunningHub, central: RunningHub, *extra: str) -> Any:
    done = laptop.cli("forward", central.url, "--user", "relay", "--password-stdin", "--json",
                      *extra, input=PASSWORD + "\n", check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def states_on(hub: RunningHub, relationship: str) -> list[str]:
    """The states the hub stores for ``relationship`` (its record and its row)."""
    with sqlite3.connect(hub.home / "hub" / "hub.sqlite3") as db:
        found = [json.loads(row[0])["data"]["state"] for row in db.execute(
            "SELECT state FROM space_records WHERE type = 'relationship' AND record_id = ?",
            (relationship,))]
        found += [row[0] for row in db.execute(
            "SELECT state FROM mentor_relationships WHERE id = ?", (relationship,))]
    return found


def mine(library: Library, relationship: str) -> Relationship:
    [found] = [r for r in local.relationships(library) if r.id == relationship]
    return found


def test_a_workshop_hub_with_an_upstream_leaves_the_decisions_to_the_central_hub(
        hubs: tuple[RunningHub, RunningHub], tmp_path: Path) -> None:
    laptop, central = hubs
    central.add_user("relay", "forwarder", PASSWORD)
    add_users(central, "amina", "chidi", "juma", "baraka")
    central.cli("user", "mirror", "relay", "amina", "juma", "baraka")

    # On the central hub: amina takes requests at once and her one place is taken by chidi;
    # juma answers requests himself.
    amina = device(tmp_path / "amina", central, "amina")
    local.save_profile(amina, replace(MENTOR, capacity=1, auto_accept=True))
    sync_now(amina)
    chidi = device(tmp_path / "chidi", central, "chidi")
    taken = local.request_mentor(chidi, "amina")
    sync_now(chidi)
    assert mine(chidi, taken.id).state == "active"
    juma = device(tmp_path / "juma", central, "juma")
    local.save_profile(juma, replace(MENTOR, capacity=2))
    sync_now(juma)

    # Before the workshop: the laptop mirrors the accounts (and so learns its upstream).
    forward(laptop, central, "--mirror")
    baraka = device(tmp_path / "baraka", laptop, "baraka")

    # At the workshop, amina's place looks free on the laptop: it must not decide.
    full = local.request_mentor(baraka, "amina")
    assert mine(baraka, full.id).state == WAITING
    sync_now(baraka)
    shown = mine(baraka, full.id)
    assert (shown.state, shown.waiting) == (UPSTREAM, [])
    # The window says so, and adds no goal or note to a space the central hub has not made.
    assert state_name(shown.state) == "waiting for the central hub"
    assert not open_for_records(shown)
    assert "active" not in states_on(laptop, full.id)

    asked = local.request_mentor(baraka, "juma")
    sync_now(baraka)
    assert mine(baraka, asked.id).state == UPSTREAM

    # Back online: the central hub decides, its decisions come down, the mentee syncs.
    forward(laptop, central)
    assert "active" not in states_on(laptop, full.id)
    sync_now(baraka)
    refused = mine(baraka, full.id)
    assert refused.state == "declined"
    assert [(line.what, line.ok, line.reason) for line in refused.audit] == [
        ("request", False, "no place left")]
    assert mine(baraka, asked.id).state == "pending"

    sync_now(juma)
    local.act(juma, asked.id, "accept")
    sync_now(juma)
    assert mine(juma, asked.id).state == "active"
    assert mine(baraka, asked.id).state == "pending"
    forward(laptop, central)
    sync_now(baraka)
    accepted = mine(baraka, asked.id)
    assert (accepted.state, accepted.mentor) == ("active", "juma")
    assert "active" not in states_on(laptop, full.id)
    assert states_on(central, full.id) == ["declined", "declined"]

    # Forwarding again moves nothing: both hubs hold the same relationships.
    again = forward(laptop, central)
    assert (again["sent"], again["fetched"]) == ({}, {})
    for library in (amina, chidi, juma, baraka):
        library.close()


def test_a_hub_on_its_own_still_decides(hubs: tuple[RunningHub, RunningHub],
                                        tmp_path: Path) -> None:
    laptop, _central = hubs
    add_users(laptop, "amina", "baraka")
    amina = device(tmp_path / "amina", laptop, "amina")
    local.save_profile(amina, replace(MENTOR, capacity=1, auto_accept=True))
    sync_now(amina)
    baraka = device(tmp_path / "baraka", laptop, "baraka")
    made = local.request_mentor(baraka, "amina")
    sync_now(baraka)
    assert mine(baraka, made.id).state == "active"
    amina.close()
    baraka.close()


def goal_of(library: Library, relationship: str, goal_id: str) -> Goal:
    [found] = [goal for goal in local.goals(library, relationship) if goal.id == goal_id]
    return found


def note_of(library: Library, relationship: str, note_id: str) -> list[str]:
    [found] = [note for note in local.mentor_notes(library, relationship)
               if note.id == note_id]
    return sorted(found.versions)


def space_state(hub: RunningHub, record_id: str) -> dict[str, Any]:
    with sqlite3.connect(hub.home / "hub" / "hub.sqlite3") as db:
        [(text,)] = db.execute("SELECT state FROM space_records WHERE record_id = ?",
                               (record_id,)).fetchall()
    found: dict[str, Any] = json.loads(text)
    return found


def hub_bytes(hub: RunningHub) -> bytes:
    folder = hub.home / "hub"
    return b"".join(path.read_bytes() for path in sorted(folder.glob("hub.sqlite3*"))
                    if path.is_file())


def test_goals_and_shared_notes_written_at_the_workshop_reach_the_central_hub(
        hubs: tuple[RunningHub, RunningHub], tmp_path: Path) -> None:
    laptop, central = hubs
    central.add_user("relay", "forwarder", PASSWORD)
    add_users(central, "amina", "juma", "baraka")
    central.cli("user", "mirror", "relay", "amina", "juma", "baraka")
    juma = device(tmp_path / "juma", central, "juma")
    local.save_profile(juma, replace(MENTOR, capacity=2, auto_accept=True))
    sync_now(juma)
    amina = device(tmp_path / "amina", central, "amina")
    local.save_profile(amina, replace(MENTOR, capacity=2, auto_accept=True))
    sync_now(amina)
    forward(laptop, central, "--mirror")

    # At the workshop, baraka asks juma; the central hub makes the relationship.
    baraka = device(tmp_path / "baraka", laptop, "baraka")
    rel = local.request_mentor(baraka, "juma").id
    sync_now(baraka)
    forward(laptop, central)
    sync_now(baraka)
    assert mine(baraka, rel).state == "active"

    # baraka writes a goal, a shared note and a private note on the laptop.
    made = local.save_goal(baraka, Goal(
        id="", relationship=rel, title="Edit ten articles",
        tasks=[Task("", "Pick the articles")]))
    shared = local.add_mentor_note(baraka, rel, "We meet on Mondays.", private=False)
    secret = "I am nervous about the first edit"
    local.add_mentor_note(baraka, rel, secret, private=True)
    sync_now(baraka)
    sent = forward(laptop, central)
    assert sent["refused"] == [] and sent["sent"]["baraka"] >= 3
    assert secret.encode() not in hub_bytes(central)  # only its ciphertext went up

    # The mentor sees both on the central hub and edits the goal and the note, while
    # baraka edits them on the laptop.
    sync_now(juma)
    assert goal_of(juma, rel, made.id).title == "Edit ten articles"
    assert note_of(juma, rel, shared.id) == ["We meet on Mondays."]
    assert [note.private for note in local.mentor_notes(juma, rel)] == [False]
    seen = goal_of(juma, rel, made.id)
    local.save_goal(juma, replace(seen, due="2026-12-20"))
    local.edit_mentor_note(juma, shared.id, "We meet on Mondays at six.")
    sync_now(juma)
    local.save_goal(baraka, replace(goal_of(baraka, rel, made.id),
                                    title="Edit twelve articles"))
    local.edit_mentor_note(baraka, shared.id, "We meet on Mondays, in the library.")
    sync_now(baraka)

    forward(laptop, central)
    sync_now(baraka)
    sync_now(juma)
    for library in (baraka, juma):
        converged = goal_of(library, rel, made.id)
        assert (converged.title, converged.due) == ("Edit twelve articles", "2026-12-20")
        assert note_of(library, rel, shared.id) == [
            "We meet on Mondays at six.", "We meet on Mondays, in the library."]
    for record_id in (made.id, shared.id):
        assert space_state(laptop, record_id) == space_state(central, record_id)

    # juma hands baraka over to amina centrally; before the laptop hears of it, he writes
    # a note there in the old relationship: the central hub refuses that one record and
    # takes the rest (his profile, baraka's edit of the goal, which moved to amina).
    local.act(juma, rel, "hand_over", to="amina")
    sync_now(juma)
    juma_there = device(tmp_path / "juma-laptop", laptop, "juma")
    sync_now(juma_there)
    late = local.add_mentor_note(juma_there, rel, "See you on Monday.", private=False)
    local.save_profile(juma_there, replace(MENTOR, capacity=2, auto_accept=True,
                                           bio="Wikipedia since 2015"))
    sync_now(juma_there)
    local.save_goal(baraka, replace(goal_of(baraka, rel, made.id), title="Edit 15 articles"))
    sync_now(baraka)
    done = laptop.cli("forward", central.url, "--user", "relay", "--password-stdin",
                      input=PASSWORD + "\n", check=False)
    assert done.returncode == 0, done.stderr
    assert (f"juma: the upstream hub refused 1 record (shared_note): juma no longer reads "
            f"the relationship {rel} (it was handed over). It is not sent again until it "
            "changes.") in done.stdout.splitlines(), done.stdout
    sync_now(amina)
    [moved] = [r.id for r in local.relationships(amina) if r.mentee == "baraka"]
    assert goal_of(amina, moved, made.id).title == "Edit 15 articles"
    sync_now(juma)
    assert local.get_profile(juma) is not None
    assert local.get_profile(juma).bio == "Wikipedia since 2015"  # type: ignore[union-attr]
    assert late.id not in [note.id for note in local.mentor_notes(juma, rel)]

    # Forwarding again sends nothing, refuses nothing again and brings nothing new.
    again = forward(laptop, central)
    assert (again["sent"], again["fetched"], again["refused"]) == ({}, {}, [])
    for library in (amina, juma, baraka, juma_there):
        library.close()

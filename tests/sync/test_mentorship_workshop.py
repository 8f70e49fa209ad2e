"""Mentorship through a workshop hub: a laptop hub with an upstream leaves the decisions to
the central hub. Two real hubs on loopback (``ujuzi hub serve``), ``ujuzi hub forward``
between them, and learners' libraries syncing through the real client."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from app.library import Library
from app.mentorship import local
from app.mentorship.models import UPSTREAM, WAITING, MentorProfile, Relationship
from app.sync.account import Account
from app.sync.records import sync_now
from app.ui.pages.mentorship_parts import state_name
from app.ui.pages.mentorship_people import open_for_records
from tests.hubs import RunningHub, start_hub
from tests.sync.conftest import PASSWORD
from tests.sync.records_helpers import add_users

MENTOR = MentorProfile(offers=["wiki-editing"], languages={"sw": 5}, timezone="UTC",
                       availability=[("mon", "18:00", "20:00")], mentoring=True)


@pytest.fixture
def hubs(tmp_path: Path) -> Iterator[tuple[RunningHub, RunningHub]]:
    central = start_hub(tmp_path / "central")
    laptop = start_hub(tmp_path / "laptop")
    try:
        yield laptop, central
    finally:
        laptop.stop()
        central.stop()


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

"""Two devices of one learner (two data folders signed in as the same user) through the CLI
on a real hub, on SQLite and on PostgreSQL; learners kept apart; two syncs at once; a hub on
the local network found by ``ujuzi hubs``."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.errors import Cancelled
from app.learning import store_attempt
from app.library import Library
from app.sync.account import Account
from app.sync.records import sync_now, sync_status
from app.tasks import Progress, Reporter
from tests.hubs import RunningHub, start_hub, ujuzi_command
from tests.sync.conftest import PASSWORD
from tests.sync.keyring_file import FileKeyring
from tests.sync.records_helpers import (
    add_users,
    hub_records,
    integrity_ok,
    local_records,
    login,
    new_library,
    pack_file,
    resource,
    ujuzi,
    ujuzi_json,
)

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite", "postgres"])
def sync_hub(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RunningHub]:
    database = None
    if request.param == "postgres":
        database = request.getfixturevalue("postgres").new_database()
    running = start_hub(tmp_path / "hub-home", database=database)
    try:
        add_users(running, "ada")
        yield running
    finally:
        running.stop()


def notes(home: Path) -> list[dict[str, object]]:
    listed: list[dict[str, object]] = ujuzi_json(home, "note", "list")
    return listed


def test_two_devices_of_one_learner_converge(sync_hub: RunningHub, tmp_path: Path) -> None:
    pack = pack_file(tmp_path)
    one, two = tmp_path / "laptop", tmp_path / "phone"
    for home in (one, two):
        new_library(home, pack).close()
        login(home, sync_hub.url, "ada")

    # A note added on one appears exactly once on the other.
    added = ujuzi_json(one, "note", "add", resource(0), "Cite your sources.")
    ujuzi(one, "progress", resource(0), "--position", "30")
    ujuzi(one, "progress", resource(1), "--complete")
    with Library(one) as library:
        store_attempt(library, resource(2), library.profile_id(), score=0.5, correct=1,
                      total=2, passed=False, answers={"q1": "a"})
    first = ujuzi_json(one, "sync")
    assert first["error"] is None and first["pushed"] >= 5 and first["waiting"] == 0
    assert ujuzi_json(two, "sync")["error"] is None
    [note] = notes(two)
    assert (note["id"], note["body"], note["conflict"]) == (added["id"], "Cite your sources.",
                                                             False)
    assert ujuzi_json(two, "progress", resource(0))["position"] == 30.0
    assert ujuzi_json(two, "progress", resource(1))["completed"] is True

    # Progress merges: completion never goes back; the latest session's position wins.
    ujuzi(two, "progress", resource(1), "--position", "12")
    ujuzi(two, "progress", resource(0), "--position", "45")
    with Library(two) as library:  # quiz attempts are a union
        store_attempt(library, resource(2), library.profile_id(), score=1.0, correct=2,
                      total=2, passed=True, answers={"q1": "b"})
    ujuzi(two, "sync")
    ujuzi(one, "sync")
    assert ujuzi_json(one, "progress", resource(1))["completed"] is True
    assert ujuzi_json(one, "progress", resource(1))["position"] == 12.0
    assert ujuzi_json(one, "progress", resource(0))["position"] == 45.0
    with Library(one) as library:
        scores = sorted(row[0] for row in library.db.execute(
            "SELECT score FROM quiz_attempts WHERE deleted = 0"))
    assert scores == [0.5, 1.0]

    # Edited on both while offline: both versions are shown; an edit settles it.
    ujuzi(one, "note", "edit", str(added["id"]), "Cite sources, with pages.")
    ujuzi(two, "note", "edit", str(added["id"]), "Cite sources and dates.")
    for home in (one, two, one):
        ujuzi(home, "sync")
    for home in (one, two):
        [note] = notes(home)
        assert note["conflict"] is True
        assert sorted(version["body"] for version in note["versions"]) == [  # type: ignore[attr-defined]
            "Cite sources and dates.", "Cite sources, with pages."]
    assert "edited on two devices" in ujuzi(one, "sync").stdout
    ujuzi(two, "note", "edit", str(added["id"]), "Cite sources, pages and dates.")
    for home in (two, one):
        ujuzi(home, "sync")
    for home in (one, two):
        [note] = notes(home)
        assert (note["conflict"], note["body"]) == (False, "Cite sources, pages and dates.")

    # A deletion wins over an older edit, and the note never comes back.
    ujuzi(two, "note", "edit", str(added["id"]), "An edit made before the deletion arrived.")
    ujuzi(one, "note", "delete", str(added["id"]))
    for home in (one, two, one, two):
        ujuzi(home, "sync")
    assert notes(one) == [] and notes(two) == []

    with Library(one) as a, Library(two) as b:
        held = local_records(a)
        assert held == local_records(b) == hub_records(sync_hub.url, "ada")
        assert integrity_ok(a) and integrity_ok(b)
        deleted = [key for key in held if key == ("note", added["id"])]
        assert len(deleted) == 1 and '"deleted":true' in held[deleted[0]]
        assert "Cite" not in held[deleted[0]]


def test_records_of_one_account_never_reach_another(hub: RunningHub, tmp_path: Path,
                                                    file_keyring: FileKeyring) -> None:
    add_users(hub, "ada", "bo")
    pack = pack_file(tmp_path)
    shared, bos = tmp_path / "shared-laptop", tmp_path / "bo-phone"
    for home in (shared, bos):
        new_library(home, pack).close()
    ujuzi(shared, "profile", "add", "bo")
    login(shared, hub.url, "ada")
    login(shared, hub.url, "bo", "--profile", "bo")
    refused = ujuzi(shared, "--profile", "bo", "login", hub.url, "--user", "ada",
                    "--password-stdin", input="x\n", check=False)
    assert refused.returncode != 0 and "each profile links to its own account" in \
        refused.stderr
    login(bos, hub.url, "bo")
    for profile, text in ((None, "ada's"), ("bo", "bo's")):
        chosen = ("--profile", profile) if profile else ()
        ujuzi(shared, *chosen, "note", "add", resource(0), f"{text} note")
        ujuzi(shared, *chosen, "progress", resource(1), "--complete")
        with Library(shared) as library:
            store_attempt(library, resource(2), library.profile_id(profile), score=1.0,
                          correct=1, total=1, passed=True, answers={"who": text})
    ujuzi(shared, "sync")
    ujuzi(shared, "--profile", "bo", "sync")
    ujuzi(bos, "sync")
    ujuzi(shared, "--profile", "bo", "sync")  # the phone's profile record

    with Library(shared) as library, Library(bos) as phone:
        ada_local, bo_local = local_records(library), local_records(library, "bo")
        ada_hub, bo_hub = hub_records(hub.url, "ada"), hub_records(hub.url, "bo")
        assert ada_local == ada_hub and bo_local == bo_hub
        assert local_records(phone) == bo_hub
        # Only progress (named by its resource) shares ids across accounts.
        assert {kind for kind, _ in set(ada_hub) & set(bo_hub)} == {"progress"}
        assert {kind for kind, _ in ada_hub} == {kind for kind, _ in bo_hub} == {
            "profile", "progress", "note", "quiz_attempt"}
        assert "ada's" not in "".join(bo_hub.values())
        assert "bo's" not in "".join(ada_hub.values())
        assert [note["body"] for note in phone.notes()] == ["bo's note"]

    # Each profile's token has its own keyring entry; signing one out keeps the other's.
    assert sorted(key.split(" ")[1] for key in file_keyring.entries()) == ["ada", "bo", "bo"]
    ujuzi(shared, "--profile", "bo", "logout")
    assert sorted(key.split(" ")[1] for key in file_keyring.entries()) == ["ada", "bo"]
    assert "not linked" not in ujuzi(shared, "sync").stderr
    assert ujuzi(shared, "--profile", "bo", "sync", check=False).returncode == 6


def test_a_cancelled_sync_keeps_what_it_committed_and_the_next_goes_on(
        hub: RunningHub, tmp_path: Path) -> None:
    add_users(hub, "ada")
    pack = pack_file(tmp_path)
    with new_library(tmp_path / "one", pack) as one, \
            new_library(tmp_path / "two", pack) as two:
        with one.db.atomic():
            for number in range(1200):
                one.add_note(resource(number), f"note {number}")
        for library in (one, two):
            Account(library).login(hub.url, "ada", PASSWORD)
        sync_now(one)
        pages: list[str] = []

        def cancel() -> bool:
            return len(pages) >= 2

        def progress(report: Progress) -> None:
            if report.detail == "receiving changes":
                pages.append(report.detail)

        with pytest.raises(Cancelled):
            sync_now(two, reporter=Reporter(progress, cancel))
        assert 0 < len(two.notes()) < 1200  # the first page stayed
        assert sync_status(two).last_sync is None
        sync_now(two)
        assert len(two.notes()) == 1200
        sync_now(one)  # two's profile record
        assert local_records(one) == local_records(two) == hub_records(hub.url, "ada")


def test_two_syncs_at_once_leave_every_record_once(hub: RunningHub, tmp_path: Path) -> None:
    add_users(hub, "ada")
    home = tmp_path / "laptop"
    with new_library(home, pack_file(tmp_path)) as library:
        for number in range(300):
            library.add_note(resource(number), f"note {number}")
    login(home, hub.url, "ada")
    command = [*ujuzi_command(), "--home", str(home), "sync", "--json"]
    both = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(2)]
    for process in both:
        _out, err = process.communicate()
        assert process.returncode == 0, err
    with Library(home) as library:
        assert library.db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0
        assert local_records(library) == hub_records(hub.url, "ada")
        assert len(library.notes()) == 300


def test_a_lan_hub_is_found_by_ujuzi_hubs(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("zeroconf")
    lan = start_hub(tmp_path / "lan", options=("--lan", "--host", "127.0.0.1"),
                    env={"UJUZI_HUB_NAME": "Workshop in Kisumu"})
    monkeypatch.setenv("UJUZI_LAN_INTERFACES", "127.0.0.1")
    try:
        assert lan.process.stdout is not None
        assert lan.process.stdout.readline().startswith("Advertised on the local network")
        found = ujuzi_json(tmp_path / "learner", "hubs", "--wait", "2")
        assert {"name": "Workshop in Kisumu", "url": lan.url, "fingerprint": lan.fingerprint,
                "version": "1"} in found
        text = ujuzi(tmp_path / "learner", "hubs", "--wait", "2").stdout
        assert f"Workshop in Kisumu  {lan.url}  key {lan.fingerprint}" in text
    finally:
        lan.stop()

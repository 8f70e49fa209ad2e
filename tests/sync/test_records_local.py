"""The local half of sync, without a hub: the writer keeps the outbox and the merge state in
the change's transaction, an older library's records all wait in the outbox after the
upgrade, pulled states merge into the tables (a conflict kept, a deletion final and without
text anywhere), and ``note edit`` settles a conflict."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from app.cli import main
from app.library import Library
from app.packs.importer import import_pack
from app.paths import layout
from app.store import merge
from app.store.db import MIGRATIONS
from app.store.records import apply_state, get_meta, record_state, write_record
from app.sync.records import _merge_one
from tests.packs import make_pack

RESOURCE = "org.test.sample/intro"


@pytest.fixture
def library(tmp_path: Path) -> Library:
    pack = tmp_path / "sample.ujpack"
    make_pack(pack)
    opened = Library(tmp_path / "home")
    import_pack(opened, pack)
    return opened


def outbox(library: Library) -> list[tuple[int, str, str]]:
    return [(int(c), str(t), str(r)) for c, t, r in library.db.execute(
        "SELECT counter, type, record_id FROM outbox ORDER BY counter")]


def test_each_write_puts_the_record_in_the_outbox_once_under_its_latest_counter(
        library: Library) -> None:
    library.db.execute("DELETE FROM outbox")
    note = library.add_note(RESOURCE, "first")
    library.edit_note(note["id"], "second")
    library.record_progress(RESOURCE, position=10)
    library.record_progress(RESOURCE, complete=True)
    counter = int(get_meta(library.db, "counter") or 0)
    assert outbox(library) == [(counter - 2, "note", note["id"]),
                               (counter, "progress", RESOURCE)]


def test_a_write_that_fails_leaves_no_outbox_row(library: Library) -> None:
    library.db.execute("DELETE FROM outbox")
    with pytest.raises(sqlite3.IntegrityError), library.db.atomic():
        write_record(library.db, "notes", {"id": "n1"},
                     {"profile_id": library.profile_id(), "resource_id": RESOURCE,
                      "body": "x", "created_at": "now"})
        library.db.execute("INSERT INTO profiles(id) VALUES (NULL)")  # fails: NOT NULL
    assert outbox(library) == []
    assert library.db.execute("SELECT COUNT(*) FROM note_versions").fetchone()[0] == 0


def test_progress_clocks_count_past_every_clock_seen(library: Library) -> None:
    library.record_progress(RESOURCE, position=5)
    profile_id = library.profile_id()
    first = record_state(library.db, profile_id, "progress", RESOURCE)
    assert first is not None
    remote = {**first, "clock": [1000, "other-device"],
              "data": {**first["data"], "position": 50.0}}
    with library.db.atomic():
        _merge_one(library, profile_id, remote)
    assert library.progress(RESOURCE)["position"] == 50.0
    library.record_progress(RESOURCE, position=7)  # made after seeing clock 1000
    after = record_state(library.db, profile_id, "progress", RESOURCE)
    assert after is not None and merge.clock_of(after["clock"])[0] == 1001
    assert library.progress(RESOURCE)["position"] == 7.0


def test_an_older_library_sends_all_its_records_at_its_first_sync(tmp_path: Path) -> None:
    home = tmp_path / "old"
    paths = layout(home)
    paths.ensure()
    conn = sqlite3.connect(paths.database)
    for number, migration in enumerate(MIGRATIONS[:5], 1):
        migration(conn)
        conn.execute(f"PRAGMA user_version = {number}")
    profile_id = conn.execute("SELECT id FROM profiles").fetchone()[0]
    conn.execute("INSERT INTO notes(id, profile_id, resource_id, body, created_at, device_id, "
                 "counter, updated_at) VALUES ('n1', ?, 'r', 'old text', 't', 'dev', 7, 't')",
                 (profile_id,))
    conn.commit()
    conn.close()
    with Library(home) as library:
        kinds = sorted((kind, record) for _counter, kind, record in outbox(library))
        assert kinds == [("note", "n1"), ("profile", profile_id)]
        state = record_state(library.db, profile_id, "note", "n1")
        assert state is not None
        assert state["versions"] == [{"vv": {"dev": 7}, "body": "old text"}]
        counters = [counter for counter, _kind, _record in outbox(library)]
        assert counters == sorted(set(counters)) and min(counters) > 0


def test_concurrent_edits_pulled_are_a_conflict_and_an_edit_settles_it(
        library: Library, capsys: pytest.CaptureFixture[str]) -> None:
    note = library.add_note(RESOURCE, "mine")
    profile_id = library.profile_id()
    state = record_state(library.db, profile_id, "note", note["id"])
    assert state is not None
    theirs = {**state, "versions": merge.note_versions_after_edit(
        {"versions": []}, "their-device", 1, "theirs")}
    with library.db.atomic():
        assert _merge_one(library, profile_id, theirs) == "changed"
    home = str(library.layout.home)
    assert main(["--home", home, "note", "list", "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert listed["conflict"] is True
    assert sorted(version["body"] for version in listed["versions"]) == ["mine", "theirs"]
    assert main(["--home", home, "note", "edit", note["id"], "both, merged"]) == 0
    capsys.readouterr()
    assert main(["--home", home, "note", "list", "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert listed["conflict"] is False
    assert listed["versions"] == [{"body": "both, merged"}]
    settled = record_state(library.db, profile_id, "note", note["id"])
    assert settled is not None and merge.merge(settled, theirs) == settled


def test_a_pulled_deletion_removes_the_text_everywhere(library: Library) -> None:
    note = library.add_note(RESOURCE, "a secret about zebras")
    profile_id = library.profile_id()
    state = record_state(library.db, profile_id, "note", note["id"])
    assert state is not None
    with library.db.atomic():
        assert _merge_one(library, profile_id, merge.tombstone(state)) == "deleted"
    library.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert library.notes() == []
    assert library.db.execute("SELECT body, deleted FROM notes").fetchall() == [("", 1)]
    assert library.db.execute("SELECT COUNT(*) FROM note_versions").fetchone()[0] == 0
    assert library.db.execute(
        "SELECT COUNT(*) FROM notes_fts WHERE notes_fts MATCH 'zebras'").fetchone()[0] == 0
    library.close()
    for path in layout(library.layout.home).database_files:
        if path.exists():
            assert b"zebras" not in path.read_bytes()
    # An older edit arriving later does not bring it back.
    with Library(library.layout.home) as again, again.db.atomic():
        _merge_one(again, profile_id, state)
        assert again.notes() == []


def test_a_state_of_a_type_this_version_does_not_know_is_kept_as_it_came(
        library: Library) -> None:
    profile_id = library.profile_id()
    goal = {"type": "goal", "id": "g1", "deleted": False, "data": {"title": "Learn"}}
    with library.db.atomic():
        apply_state(library.db, profile_id, goal)
    assert record_state(library.db, profile_id, "goal", "g1") == goal


def test_a_hub_that_cannot_be_reached_is_the_last_error_in_words_and_nothing_is_lost(
        library: Library, capsys: pytest.CaptureFixture[str]) -> None:
    import keyring

    from app.store.records import DEVICE_KEY
    from app.sync.account import KEYRING_SERVICE
    from app.sync.records import sync_status
    from tests.hubs import free_port

    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    library.settings.set("hub_url", url)
    library.settings.set("hub_user", "ada")
    device = get_meta(library.db, DEVICE_KEY)
    keyring.set_password(KEYRING_SERVICE, f"{url} ada {device}", "a-token")
    library.add_note(RESOURCE, "kept")
    waiting = sync_status(library).waiting
    assert waiting >= 2  # the profile and the note at least

    home = str(library.layout.home)
    assert main(["--home", home, "sync", "--json"]) == 7
    answer = json.loads(capsys.readouterr().out)
    assert "cannot be reached" in answer["error"]
    assert answer["waiting"] == waiting and answer["pushed"] == 0
    status = sync_status(library)
    assert status.last_error == answer["error"] and status.last_sync is None
    assert status.waiting == waiting and status.url == url and status.signed_in

    assert main(["--home", home, "sync"]) == 7
    line = capsys.readouterr().err.splitlines()[-1]  # after the progress lines
    assert line.startswith("ujuzi: error: ") and "cannot be reached" in line


def test_a_profile_not_linked_to_an_account_is_told_how_to_sign_in(
        library: Library, capsys: pytest.CaptureFixture[str]) -> None:
    library.add_profile("bo")
    home = str(library.layout.home)
    assert main(["--home", home, "--profile", "bo", "sync"]) == 1
    assert "ujuzi login URL --user NAME" in capsys.readouterr().err


def test_a_profile_signed_in_to_another_account_sends_it_all_but_the_former_devices(
        library: Library) -> None:
    from app.store.records import enqueue_all

    profile_id = library.profile_id()
    note = library.add_note(RESOURCE, "mine")
    other_device = {"type": "profile", "id": "another-device-profile", "deleted": False,
                    "data": {"name": "default", "created_at": "t"}, "clock": [1, "d"]}
    with library.db.atomic():
        apply_state(library.db, profile_id, other_device)
    library.db.execute("DELETE FROM outbox")
    assert enqueue_all(library.db, profile_id) == 2
    assert sorted((kind, record) for _c, kind, record in outbox(library)) == [
        ("note", note["id"]), ("profile", profile_id)]
    assert record_state(library.db, profile_id, "profile", "another-device-profile") is None

"""A Hypothesis state machine: three replicas of one learner (three data folders signed in
as the same account) and a real hub; notes added, edited and deleted, progress recorded and
syncs run in random orders, with device clocks skewed by years (the time source the records
use is patched: the merge must not care).

A model follows what each replica has seen (each edit sees every edit its replica knew);
after every step each replica shows, for every note it knows, exactly the edits that no
other edit it knows has seen (two or more: a conflict), and no deleted note. At the end a
sync round makes every replica hold what the hub holds.
"""

from __future__ import annotations

import itertools
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from app.library import Library
from app.sync.account import Account
from app.sync.records import sync_now
from tests.hubs import RunningHub, start_hub
from tests.sync.conftest import PASSWORD
from tests.sync.records_helpers import (
    hub_records,
    integrity_ok,
    local_records,
    new_library,
    pack_file,
    resource,
)

pytestmark = pytest.mark.slow

REPLICAS = 3
_skew = [0.0]


def skewed_now() -> str:
    return (datetime.now(UTC) + timedelta(seconds=_skew[0])).isoformat(timespec="milliseconds")


@pytest.fixture(scope="module")
def admin_hub(tmp_path_factory: pytest.TempPathFactory) -> Any:
    running = start_hub(tmp_path_factory.mktemp("hub") / "home")
    try:
        running.add_user("root", "admin", PASSWORD)
        yield running
    finally:
        running.stop()


class Replicas(RuleBasedStateMachine):
    hub: RunningHub
    admin: requests.Session
    folder: Path
    accounts = itertools.count()

    def __init__(self) -> None:
        super().__init__()
        self.user = f"learner{next(self.accounts)}"
        answer = self.admin.post(f"{self.hub.url}/api/v1/users", timeout=60, json={
            "name": self.user, "role": "learner", "password": PASSWORD})
        assert answer.status_code == 201, answer.text
        root = Path(tempfile.mkdtemp(dir=self.folder))
        pack = pack_file(self.folder)
        self.libraries: list[Library] = []
        for number in range(REPLICAS):
            library = new_library(root / f"replica-{number}", pack)
            Account(library).login(self.hub.url, self.user, PASSWORD)
            self.libraries.append(library)
        self.edits = itertools.count()
        #: note id -> {edit tag: the tags that edit had seen}
        self.seen_by: dict[str, dict[str, frozenset[str]]] = {}
        #: what each replica knows: edit tags and "deleted:<note id>"; the hub's too.
        self.known: list[set[str]] = [set() for _ in range(REPLICAS)]
        self.hub_known: set[str] = set()
        self.note_of: dict[str, str] = {}  # edit tag -> note id

    def _live(self, replica: int) -> list[str]:
        return sorted(note_id for note_id in self.seen_by
                      if f"deleted:{note_id}" not in self.known[replica]
                      and any(self.note_of.get(tag) == note_id for tag in self.known[replica]))

    def _edit(self, replica: int, note_id: str, tag: str) -> None:
        self.seen_by[note_id][tag] = frozenset(
            known for known in self.known[replica] if self.note_of.get(known) == note_id)
        self.note_of[tag] = note_id
        self.known[replica].add(tag)

    @initialize()
    def shared_notes(self) -> None:
        """Each replica starts with a note of each, so that edits of one note on several
        replicas come early."""
        for replica in range(REPLICAS):
            self.add_note(replica, replica)
        self.sync_everyone()

    @rule(replica=st.integers(0, REPLICAS - 1), where=st.integers(0, 2))
    def add_note(self, replica: int, where: int) -> None:
        tag = f"e{next(self.edits)}"
        note = self.libraries[replica].add_note(resource(where), tag)
        self.seen_by[note["id"]] = {}
        self._edit(replica, note["id"], tag)

    @rule(replica=st.integers(0, REPLICAS - 1), pick=st.integers(0, 50))
    def edit_note(self, replica: int, pick: int) -> None:
        live = self._live(replica)
        if live:
            note_id = live[pick % len(live)]
            tag = f"e{next(self.edits)}"
            self.libraries[replica].edit_note(note_id, tag)
            self._edit(replica, note_id, tag)

    @rule(replica=st.integers(0, REPLICAS - 1), pick=st.integers(0, 50))
    def delete_note(self, replica: int, pick: int) -> None:
        live = self._live(replica)
        if live:
            note_id = live[pick % len(live)]
            self.libraries[replica].delete_note(note_id)
            self.known[replica].add(f"deleted:{note_id}")

    @rule(replica=st.integers(0, REPLICAS - 1), where=st.integers(0, 2),
          position=st.integers(0, 3600), complete=st.booleans())
    def progress(self, replica: int, where: int, position: int, complete: bool) -> None:
        self.libraries[replica].record_progress(resource(where), position=position,
                                                complete=complete)

    @rule(seconds=st.integers(-10 * 365 * 86400, 10 * 365 * 86400))
    def skew_clock(self, seconds: int) -> None:
        _skew[0] = float(seconds)

    @rule(replica=st.integers(0, REPLICAS - 1))
    def sync(self, replica: int) -> None:
        sync_now(self.libraries[replica])
        self.hub_known |= self.known[replica]
        self.known[replica] = set(self.hub_known)

    @rule()
    def sync_everyone(self) -> None:
        for replica in [*range(REPLICAS), 0]:
            self.sync(replica)

    @invariant()
    def each_replica_shows_what_it_has_seen(self) -> None:
        for replica, library in enumerate(self.libraries):
            shown = {note["id"]: sorted(version["body"] for version in note["versions"])
                     for note in library.notes()}
            expected = {}
            for note_id in self._live(replica):
                tags = {tag for tag in self.known[replica] if self.note_of.get(tag) == note_id}
                expected[note_id] = sorted(
                    tag for tag in tags
                    if not any(tag in self.seen_by[note_id][other] for other in tags))
            assert shown == expected, f"replica {replica}"
            for note_id, bodies in shown.items():
                assert library.note(note_id)["conflict"] is (len(bodies) > 1)

    def teardown(self) -> None:
        try:
            for library in [*self.libraries, *self.libraries[:-1]]:
                sync_now(library)
            held = hub_records(self.hub.url, self.user)
            for library in self.libraries:
                assert local_records(library) == held
                assert integrity_ok(library)
            deleted = {tag.split(":", 1)[1] for tag in self.hub_known
                       if tag.startswith("deleted:")}
            for note_id in deleted:
                assert '"deleted":true' in held[("note", note_id)]
        finally:
            for library in self.libraries:
                library.close()
            _skew[0] = 0.0


def test_three_replicas_with_skewed_clocks_converge(
        admin_hub: RunningHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for module in ("app.store.db", "app.store.records", "app.library"):
        monkeypatch.setattr(f"{module}.utc_now", skewed_now)
    admin = requests.Session()
    token = admin.post(f"{admin_hub.url}/api/v1/auth/login", timeout=60, json={
        "user": "root", "password": PASSWORD, "device": "tests"}).json()["token"]
    admin.headers["Authorization"] = f"Bearer {token}"
    Replicas.hub, Replicas.admin, Replicas.folder = admin_hub, admin, tmp_path
    run_state_machine_as_test(Replicas, settings=settings(
        max_examples=10, stateful_step_count=20, deadline=None, database=None,
        suppress_health_check=list(HealthCheck)))

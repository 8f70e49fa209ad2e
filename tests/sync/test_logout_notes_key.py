"""``ujuzi logout`` (and the window's sign-out, the same ``Account.logout``) forgets the
account's private-notes key with the token; the next login unwraps it from the hub again. A
real hub, the file keyring of tests/sync/keyring_file.py."""

from __future__ import annotations

import json
import os
from pathlib import Path

from app.library import Library
from app.mentorship import crypto, local
from app.mentorship.models import MentorProfile
from app.mentorship.store import PENDING_KEY
from app.sync.account import Account
from app.sync.records import sync_now
from tests.hubs import RunningHub
from tests.sync.conftest import PASSWORD
from tests.sync.keyring_file import ENV
from tests.sync.records_helpers import add_users, ujuzi

SECRET = "private: remember to ask about the sources"


def _entries() -> dict[str, str]:
    path = Path(os.environ[ENV])
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _services() -> set[str]:
    return {key.split("\0", 1)[0] for key in _entries()}


def _pending(library: Library) -> int:
    return int(library.db.execute(
        "SELECT count(*) FROM mentor_cache WHERE name = ?", (PENDING_KEY,)).fetchone()[0])


def test_logout_forgets_the_notes_key_and_login_brings_it_back(
        shared_hub: RunningHub, tmp_path: Path) -> None:
    add_users(shared_hub, "lulu", "mosi")
    mentor = Library(tmp_path / "mosi")
    Account(mentor).login(shared_hub.url, "mosi", PASSWORD)
    local.save_profile(mentor, MentorProfile(
        offers=["wikidata"], languages={"en": 5}, timezone="UTC",
        availability=[("tue", "10:00", "12:00")], capacity=1, mentoring=True,
        auto_accept=True))
    sync_now(mentor)
    mentor.close()

    home = tmp_path / "lulu"
    ujuzi(home, "login", shared_hub.url, "--user", "lulu", "--password-stdin",
          input=PASSWORD + "\n")
    library = Library(home)
    asked = local.request_mentor(library, "mosi")
    sync_now(library)
    note = local.add_mentor_note(library, asked.id, SECRET, private=True)
    sync_now(library)
    assert crypto.load_keys(shared_hub.url, "lulu").keys
    assert _services() >= {"ujuzi", crypto.KEYRING_SERVICE}

    ujuzi(home, "logout")
    assert crypto.load_keys(shared_hub.url, "lulu").keys == {}
    assert _entries() == {} or all("lulu" not in key for key in _entries())
    [shut] = [n for n in local.mentor_notes(library, asked.id) if n.id == note.id]
    assert shut.locked and shut.versions == []

    ujuzi(home, "login", shared_hub.url, "--user", "lulu", "--password-stdin",
          input=PASSWORD + "\n")
    [opened] = [n for n in local.mentor_notes(library, asked.id) if n.id == note.id]
    assert (opened.locked, opened.versions) == (False, [SECRET])
    library.close()


def test_logout_drops_the_key_made_at_login_and_not_used(
        shared_hub: RunningHub, tmp_path: Path) -> None:
    """The key made at login for an account without one waits in the library database
    until the first private note; a logout drops it too (the next login makes another)."""
    add_users(shared_hub, "pendo")
    library = Library(tmp_path / "pendo")
    account = Account(library)
    account.login(shared_hub.url, "pendo", PASSWORD)
    assert _pending(library) == 1
    account.logout()
    assert _pending(library) == 0
    assert crypto.load_keys(shared_hub.url, "pendo").keys == {}
    Account(library).login(shared_hub.url, "pendo", PASSWORD)
    assert _pending(library) == 1
    library.close()

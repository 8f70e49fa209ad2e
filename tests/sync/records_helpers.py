"""Devices for the sync tests: data folders with a small pack, signed in to a real hub, and
what each side (a library, the hub) holds of a learner's records."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests

from app.cli import main
from app.library import Library
from app.packs.importer import import_pack
from app.store.records import record_state
from tests.hubs import RunningHub
from tests.packs import make_pack
from tests.sync.conftest import PASSWORD

RESOURCES = ("intro", "second", "third")
PACK_ID = "org.test.sync"


def resource(number: int) -> str:
    return f"{PACK_ID}/{RESOURCES[number % len(RESOURCES)]}"


def pack_file(folder: Path) -> Path:
    out = folder / "sync.ujpack"
    if not out.exists():
        make_pack(out, pack_id=PACK_ID,
                  articles={name: f"# {name}\n\nText of {name}.\n" for name in RESOURCES})
    return out


def new_library(home: Path, pack: Path) -> Library:
    library = Library(home)
    import_pack(library, pack)
    return library


def ujuzi(home: Path, *args: str, input: str | None = None,
          check: bool = True) -> subprocess.CompletedProcess[str]:
    """``ujuzi --home HOME ARGS...`` run by the CLI's own ``main`` in this process (the same
    parser and handlers as the command, without starting Python each time)."""
    out, err = io.StringIO(), io.StringIO()
    stdin = sys.stdin
    sys.stdin = io.StringIO(input or "")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["--home", str(home), *args])
    finally:
        sys.stdin = stdin
    done = subprocess.CompletedProcess(["ujuzi", *args], code, out.getvalue(), err.getvalue())
    if check and done.returncode != 0:
        raise AssertionError(f"ujuzi {' '.join(args)} exited {done.returncode}:\n"
                             f"{done.stdout}\n{done.stderr}")
    return done


def ujuzi_json(home: Path, *args: str) -> Any:
    return json.loads(ujuzi(home, *args, "--json").stdout)


def login(home: Path, url: str, user: str, *profile: str) -> None:
    ujuzi(home, *profile, "login", url, "--user", user, "--password-stdin",
          input=PASSWORD + "\n")


def local_records(library: Library, profile: str | None = None) -> dict[tuple[str, str], str]:
    """Every record of a profile as canonical JSON of its sync state, by (type, id)."""
    db = library.db
    profile_id = library.profile_id(profile)
    keys = db.execute(
        "SELECT 'profile', id FROM profiles WHERE id = :p "
        "UNION ALL SELECT 'progress', resource_id FROM progress WHERE profile_id = :p "
        "UNION ALL SELECT 'note', id FROM notes WHERE profile_id = :p "
        "UNION ALL SELECT 'quiz_attempt', id FROM quiz_attempts WHERE profile_id = :p "
        "UNION ALL SELECT type, record_id FROM sync_foreign WHERE profile_id = :p",
        {"p": profile_id}).fetchall()
    found: dict[tuple[str, str], str] = {}
    for record_type, record_id in keys:
        key = (str(record_type), str(record_id))
        assert key not in found, f"{key} is held twice"
        state = record_state(db, profile_id, *key)
        assert state is not None
        found[key] = canonical(state)
    return found


def canonical(state: Any) -> str:
    return json.dumps(state, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


_TOKENS: dict[tuple[str, str], str] = {}


def hub_records(hub_url: str, user: str) -> dict[tuple[str, str], str]:
    """What the hub holds of ``user``'s records (each must come once)."""
    session = requests.Session()
    token = _TOKENS.get((hub_url, user))
    if token is None:  # a sign-in costs an argon2 hash on the hub: once per account
        token = session.post(f"{hub_url}/api/v1/auth/login", timeout=60, json={
            "user": user, "password": PASSWORD, "device": "checker"}).json()["token"]
        _TOKENS[(hub_url, user)] = token
    session.headers["Authorization"] = f"Bearer {token}"
    found: dict[tuple[str, str], str] = {}
    since = 0
    while True:
        page = session.get(f"{hub_url}/api/v1/sync/pull", timeout=60,
                           params={"since": since, "limit": 1000}).json()
        for entry in page["records"]:
            record = entry["record"]
            key = (record["type"], record["id"])
            assert key not in found, f"{key} came twice in one pull"
            found[key] = canonical(record)
        since = page["cursor"]
        if not page["more"]:
            session.close()
            return found


def add_users(hub: RunningHub, *names: str) -> None:
    for name in names:
        hub.add_user(name, "learner", PASSWORD)


def integrity_ok(library: Library) -> bool:
    return bool(library.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok")

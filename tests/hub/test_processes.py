"""The hub as an admin runs it: ``ujuzi hub ...`` commands and ``ujuzi hub serve`` as real
processes, HTTP over loopback, SQLite and a real PostgreSQL with two workers."""

from __future__ import annotations

import json
import shutil
import signal
from pathlib import Path
from typing import Any

import pytest
import requests

from app.packs.signing import fingerprint, verify_endorsement, verify_manifest
from tests.hubs import PostgresServer, RunningHub, hub_cli, start_hub
from tests.packs import make_pack

pytestmark = pytest.mark.slow
PASSWORD = "a long password"


def _session(hub: RunningHub, name: str) -> requests.Session:
    session = requests.Session()
    login = session.post(f"{hub.url}/api/v1/auth/login", timeout=60,
                         json={"user": name, "password": PASSWORD, "device": "tests"})
    assert login.status_code == 200, login.text
    session.headers["Authorization"] = f"Bearer {login.json()['token']}"
    return session


def _catalog(hub: RunningHub, session: requests.Session) -> list[tuple[str, str]]:
    packs = session.get(f"{hub.url}/api/v1/catalog", timeout=60).json()["packs"]
    return [(pack["id"], pack["version"]) for pack in packs]


def _submit(hub: RunningHub, session: requests.Session, pack: Path) -> dict[str, Any]:
    response = session.post(f"{hub.url}/api/v1/submissions", data=pack.read_bytes(),
                            headers={"Content-Type": "application/octet-stream"}, timeout=60)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def test_review_from_the_command_line(hub: RunningHub, tmp_path: Path) -> None:
    hub.add_user("tumaini", "trainer", PASSWORD)
    trainer = _session(hub, "tumaini")
    make_pack(tmp_path / "first.ujpack", pack_id="org.test.first")
    make_pack(tmp_path / "second.ujpack", pack_id="org.test.second")
    first = _submit(hub, trainer, tmp_path / "first.ujpack")
    second = _submit(hub, trainer, tmp_path / "second.ujpack")

    queue = json.loads(hub.cli("review", "list", "--json").stdout)
    assert [(item["id"], item["pack_id"], item["version"], item["submitter"])
            for item in queue] == [(first["id"], "org.test.first", "1.0.0", "tumaini"),
                                   (second["id"], "org.test.second", "1.0.0", "tumaini")]
    assert all(item["submitted_at"].endswith("Z") for item in queue)

    rejected = hub.cli("review", "reject", str(first["id"]), "--reason", "No sources cited.")
    assert rejected.stdout.strip() == f"Rejected submission {first['id']}."
    seen = trainer.get(f"{hub.url}/api/v1/submissions/{first['id']}", timeout=60).json()
    assert (seen["status"], seen["reason"]) == ("rejected", "No sources cited.")

    hub.cli("review", "approve", str(second["id"]))
    assert json.loads(hub.cli("review", "list", "--json").stdout) == []
    assert _catalog(hub, trainer) == [("org.test.second", "1.0.0")]
    signed = trainer.get(f"{hub.url}/api/v1/packs/org.test.second/1.0.0/manifest",
                         timeout=60).json()
    key = requests.get(f"{hub.url}/api/v1/hub", timeout=60).json()["key"]
    assert fingerprint(key["public_key"]) == hub.fingerprint  # the "listening" line's key
    verify_manifest(key["public_key"], signed["manifest"].encode(), signed["signature"])


def test_key_rotation_while_the_hub_runs(hub: RunningHub, tmp_path: Path) -> None:
    make_pack(tmp_path / "p.ujpack")
    hub.publish(tmp_path / "p.ujpack")
    hub.add_user("amina", "learner", PASSWORD)
    learner = _session(hub, "amina")
    old = requests.get(f"{hub.url}/api/v1/hub", timeout=60).json()["key"]
    shown = hub.cli("key", "show", "--json")
    assert json.loads(shown.stdout)["fingerprint"] == old["fingerprint"]
    rotated = hub.cli("key", "rotate")
    assert "endorsed by " + old["fingerprint"] in rotated.stdout
    info = requests.get(f"{hub.url}/api/v1/hub", timeout=60).json()
    new = info["key"]["public_key"]
    assert new != old["public_key"]
    [endorsement] = info["endorsements"]
    verify_endorsement(old["public_key"], new, endorsement["signature"])
    signed = learner.get(f"{hub.url}/api/v1/packs/org.test.sample/1.0.0/manifest",
                         timeout=60).json()
    verify_manifest(new, signed["manifest"].encode(), signed["signature"])


def test_command_errors_are_one_line_with_an_exit_code(tmp_path: Path) -> None:
    home = tmp_path / "home"
    hub_cli(home, "user", "add", "amina", "--role", "learner", "--password-stdin",
            input=PASSWORD + "\n")
    again = hub_cli(home, "user", "add", "amina", "--role", "learner", "--password-stdin",
                    input=PASSWORD + "\n", check=False)
    assert again.returncode == 5
    assert again.stderr == "ujuzi: error: There is already an account named amina.\n"
    short = hub_cli(home, "user", "add", "baraka", "--role", "learner", "--password-stdin",
                    input="short\n", check=False)
    assert short.returncode == 5 and "at least 8 characters" in short.stderr
    ghost = hub_cli(home, "user", "disable", "ghost", check=False)
    assert (ghost.returncode, ghost.stderr) == (2, "ujuzi: error: There is no account named "
                                                   "ghost.\n")
    assert hub_cli(home, "review", "approve", "42", check=False).returncode == 2
    (tmp_path / "junk.ujpack").write_bytes(b"junk")
    junk = hub_cli(home, "publish", str(tmp_path / "junk.ujpack"), check=False)
    assert junk.returncode == 3 and junk.stderr.count("\n") == 1
    assert "not a zip archive" in junk.stderr
    # --home after the command, and --json.
    listed = hub_cli(tmp_path / "elsewhere", "user", "list", "--json", "--home", str(home))
    assert [user["name"] for user in json.loads(listed.stdout)] == ["amina"]
    disabled = hub_cli(home, "user", "disable", "amina")
    assert disabled.returncode == 0
    assert json.loads(hub_cli(home, "user", "list", "--json").stdout)[0]["disabled"] is True


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_serve_stops_cleanly(tmp_path: Path, stop: signal.Signals) -> None:
    running = start_hub(tmp_path / "home")
    assert requests.get(f"{running.url}/healthz", timeout=60).json() == {"status": "ok"}
    running.process.send_signal(stop)
    assert running.process.wait() == 0
    assert running.process.stdout is not None and running.process.stdout.read() == ""
    running.stop()
    events = [json.loads(line)["event"] for line in
              (tmp_path / "home" / "hub" / "logs" / "hub.log").read_text().splitlines()]
    assert events[0] == "started" and events[-1] == "stopped"


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_two_workers_and_a_second_machine_share_one_postgresql(
        postgres: PostgresServer, tmp_path: Path) -> None:
    database = postgres.new_database()
    first = start_hub(tmp_path / "first", database=database, workers=2)
    second = None
    try:
        assert len(_children(first.process.pid)) >= 2
        first.add_user("root", "admin", PASSWORD)
        first.add_user("amina", "learner", PASSWORD)
        make_pack(tmp_path / "p.ujpack", media={"clip": b"shared" * 1000})
        first.publish(tmp_path / "p.ujpack")
        # A second machine: its own data directory, the same database and the same key.
        shutil.copytree(tmp_path / "first" / "hub" / "keys", tmp_path / "second" / "hub" / "keys")
        second = start_hub(tmp_path / "second", database=database)
        assert second.fingerprint == first.fingerprint
        learner = _session(first, "amina")
        for hub in (first, second, first, second):
            assert _catalog(hub, learner) == [("org.test.sample", "1.0.0")]
        admin = _session(second, "root")
        make_pack(tmp_path / "p2.ujpack", version="1.1.0", media={"clip": b"shared" * 1000})
        made = admin.post(f"{second.url}/api/v1/submissions?publish=true",
                          data=(tmp_path / "p2.ujpack").read_bytes(), timeout=60,
                          headers={"Content-Type": "application/octet-stream"})
        assert made.json()["status"] == "approved"
        for hub in (first, first, first):  # whichever worker answers sees it
            assert _catalog(hub, learner) == [("org.test.sample", "1.1.0")]
        assert learner.post(f"{second.url}/api/v1/auth/logout", timeout=60).status_code == 204
        assert learner.get(f"{first.url}/api/v1/me", timeout=60).status_code == 401
        users = json.loads(first.cli("user", "list", "--json").stdout)
        assert [user["name"] for user in users] == ["amina", "root"]
    finally:
        first.stop()
        if second is not None:
            second.stop()

"""The hub client's commands, run as a user runs them against a real hub."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from app.errors import AuthError, NotFoundError
from app.library import Library
from tests.hubs import RunningHub, ujuzi_command
from tests.packs import make_pack
from tests.sync.conftest import PASSWORD
from tests.sync.helpers import file_bytes, media, publish

pytestmark = pytest.mark.slow


def ujuzi(home: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ujuzi_command(), *args, "--home", str(home)], input=input,
                          capture_output=True, text=True, check=False)


def _one_error_line(done: subprocess.CompletedProcess[str], code: int, words: str) -> None:
    assert done.returncode == code, done.stderr
    assert done.stderr.startswith("ujuzi: error: ") and done.stderr.count("\n") == 1
    assert words in done.stderr


def test_login_catalog_download_update_and_logout(
        shared_hub: RunningHub, tmp_path: Path) -> None:
    home = tmp_path / "library"
    files = media(40, 3, 20_000)
    publish(shared_hub, tmp_path / "v1", "org.test.cli", "1.0.0", files)
    _one_error_line(ujuzi(home, "catalog"), AuthError.exit_code, "Not signed in")

    login = ujuzi(home, "login", shared_hub.url, "--user", "ada", "--password-stdin",
                  input=PASSWORD + "\n")
    assert login.returncode == 0, login.stderr
    assert shared_hub.fingerprint in login.stdout and "pinned" in login.stdout
    again = ujuzi(home, "login", shared_hub.url, "--user", "ada", "--password-stdin",
                  input=PASSWORD + "\n")
    assert shared_hub.fingerprint in again.stdout and "pinned" not in again.stdout
    wrong = ujuzi(home, "login", shared_hub.url, "--user", "ada", "--password-stdin",
                  input="nope\n")
    _one_error_line(wrong, AuthError.exit_code, "did not accept")

    catalog = ujuzi(home, "catalog", "--json")
    entries = {entry["id"]: entry for entry in json.loads(catalog.stdout)}
    entry = entries["org.test.cli"]
    assert (entry["title"], entry["version"], entry["status"], entry["languages"],
            entry["installed_version"]) == ("Sample pack", "1.0.0", "new", ["en"], None)
    assert entry["size"] > 60_000
    listing = ujuzi(home, "catalog")
    assert "org.test.cli  1.0.0  Sample pack  [en]" in listing.stdout and "new" in listing.stdout

    done = ujuzi(home, "download", "org.test.cli", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert {key: result[key] for key in ("pack_id", "version", "status", "files_reused")} == {
        "pack_id": "org.test.cli", "version": "1.0.0", "status": "imported", "files_reused": 0}
    assert result["files_downloaded"] == 4 and result["bytes_downloaded"] == entry["size"]
    assert "download: 100%" in done.stderr
    _one_error_line(ujuzi(home, "download", "org.test.none"), NotFoundError.exit_code,
                    "no pack org.test.none")

    files["clip-1"] = b"new" + files["clip-1"][3:]
    publish(shared_hub, tmp_path / "v2", "org.test.cli", "1.1.0", files)
    listed = ujuzi(home, "update")
    assert "org.test.cli: 1.0.0 -> 1.1.0" in listed.stdout and "--all" in listed.stdout
    updated = ujuzi(home, "update", "--all", "--json")
    assert updated.returncode == 0, updated.stderr
    [update] = json.loads(updated.stdout)
    assert (update["status"], update["previous_version"], update["files_downloaded"],
            update["files_reused"]) == ("updated", "1.0.0", 1, 3)
    assert "up to date" in ujuzi(home, "update").stdout
    assert "installed" in ujuzi(home, "catalog").stdout
    verify = subprocess.run([*ujuzi_command(), "--home", str(home), "verify"],
                            capture_output=True, text=True, check=False)
    assert verify.returncode == 0, verify.stdout + verify.stderr

    out = ujuzi(home, "logout")
    assert out.returncode == 0 and "revoked" in out.stdout
    _one_error_line(ujuzi(home, "catalog"), AuthError.exit_code, "Not signed in")


def test_a_large_download_on_a_metered_connection_needs_a_yes(
        shared_hub: RunningHub, tmp_path: Path) -> None:
    home = tmp_path / "library"
    manifest = publish(shared_hub, tmp_path, "org.test.metered", files=media(41, 2, 50_000))
    assert ujuzi(home, "login", shared_hub.url, "--user", "ada", "--password-stdin",
                 input=PASSWORD + "\n").returncode == 0
    with Library(home) as library:
        library.settings.set("metered_connection", True)
        library.settings.set("metered_ask_bytes", file_bytes(manifest) - 1)
    refused = ujuzi(home, "download", "org.test.metered")
    _one_error_line(refused, 1, "metered")
    assert "--yes" in refused.stderr
    with Library(home) as library:
        assert not library.has_pack("org.test.metered")
        assert list(library.layout.downloads.iterdir()) == []
    done = ujuzi(home, "download", "org.test.metered", "--yes")
    assert done.returncode == 0, done.stderr
    assert "Downloaded and installed org.test.metered 1.0.0" in done.stdout


def test_a_trainer_submits_a_pack_for_review(shared_hub: RunningHub, tmp_path: Path) -> None:
    home = tmp_path / "library"
    pack = tmp_path / "lesson.ujpack"
    make_pack(pack, pack_id="org.test.submitted")
    assert ujuzi(home, "login", shared_hub.url, "--user", "tom", "--password-stdin",
                 input=PASSWORD + "\n").returncode == 0
    sent = ujuzi(home, "submit", str(pack), "--json")
    assert sent.returncode == 0, sent.stderr
    answer = json.loads(sent.stdout)
    assert (answer["pack_id"], answer["status"]) == ("org.test.submitted", "pending")
    plain = ujuzi(home, "submit", str(tmp_path / "missing.ujpack"))
    _one_error_line(plain, 1, "Cannot read")

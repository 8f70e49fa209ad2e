"""Signing in to a real hub: the key pinned at the first login, the token in the keyring
only, a key change refused unless the pinned key endorsed it, logout revoking the token."""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
import requests

from app.errors import AuthError, SignatureError
from app.library import Library
from app.packs.signing import HubKey
from app.sync.account import KEYRING_SERVICE, Account, KeyringUnavailable
from app.sync.catalog import fetch_catalog
from tests.faulty_proxy import FaultyProxy
from tests.hubs import RunningHub, start_hub, ujuzi_command
from tests.sync.conftest import PASSWORD
from tests.sync.keyring_file import FileKeyring

pytestmark = pytest.mark.slow


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[Library]:
    with Library(tmp_path / "library") as library:
        yield library


def _files_text(folder: Path) -> bytes:
    return b"".join(path.read_bytes() for path in folder.rglob("*") if path.is_file())


def test_first_login_pins_the_key_and_keeps_the_token_only_in_the_keyring(
        shared_hub: RunningHub, lib: Library, file_keyring: FileKeyring) -> None:
    account = Account(lib)
    assert not account.signed_in and account.role() is None
    result = account.login(shared_hub.url + "/", "ada", PASSWORD)
    assert result.first_pin and result.fingerprint == shared_hub.fingerprint
    assert (result.user, result.role) == ("ada", "learner")
    assert account.signed_in and account.role() == "learner"
    assert account.url == shared_hub.url and account.fingerprint == shared_hub.fingerprint
    [(name, token)] = file_keyring.entries().items()
    assert name.startswith(f"{KEYRING_SERVICE}\0{shared_hub.url} ada ")
    assert token.encode() not in _files_text(lib.layout.home)
    again = Account(lib).login(shared_hub.url, "ada", PASSWORD)
    assert not again.first_pin and not again.rotated


def test_two_data_folders_never_share_a_token(
        shared_hub: RunningHub, tmp_path: Path, file_keyring: FileKeyring) -> None:
    with Library(tmp_path / "one") as one, Library(tmp_path / "two") as two:
        Account(one).login(shared_hub.url, "ada", PASSWORD)
        Account(two).login(shared_hub.url, "ada", PASSWORD)
        assert len(set(file_keyring.entries().values())) == 2
        Account(one).logout()
        assert Account(two).signed_in and not Account(one).signed_in
        assert fetch_catalog(two) is not None


def test_a_wrong_password_is_refused_and_nothing_is_kept(
        shared_hub: RunningHub, lib: Library, file_keyring: FileKeyring) -> None:
    with pytest.raises(AuthError, match="did not accept"):
        Account(lib).login(shared_hub.url, "ada", "not the password")
    assert file_keyring.entries() == {}
    assert Account(lib).url is None and Account(lib).fingerprint is None


def test_logout_revokes_the_token_on_the_hub_and_forgets_it(
        shared_hub: RunningHub, lib: Library, file_keyring: FileKeyring) -> None:
    Account(lib).login(shared_hub.url, "ada", PASSWORD)
    [token] = file_keyring.entries().values()
    assert Account(lib).logout() is True
    assert file_keyring.entries() == {}
    check = requests.get(f"{shared_hub.url}/api/v1/auth/check",
                         headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert check.status_code == 401
    with pytest.raises(AuthError, match="Not signed in"):
        fetch_catalog(lib)


def test_an_expired_or_revoked_token_is_refused_in_words(
        shared_hub: RunningHub, lib: Library, file_keyring: FileKeyring) -> None:
    account = Account(lib)
    account.login(shared_hub.url, "ada", PASSWORD)
    with sqlite3.connect(shared_hub.home / "hub" / "hub.sqlite3") as hub_db:
        hub_db.execute("UPDATE tokens SET expires_at = 0 WHERE revoked_at IS NULL "
                       "AND device = ?", (lib.db.execute(
                           "SELECT value FROM meta WHERE key = 'device_id'").fetchone()[0],))
    with pytest.raises(AuthError, match="sign in again"):
        fetch_catalog(lib)
    account.login(shared_hub.url, "ada", PASSWORD)
    fetch_catalog(lib)
    [token] = file_keyring.entries().values()
    requests.post(f"{shared_hub.url}/api/v1/auth/logout",  # revoked elsewhere
                  headers={"Authorization": f"Bearer {token}"}, timeout=10)
    with pytest.raises(AuthError, match="sign in again"):
        fetch_catalog(lib)


def test_a_missing_keyring_is_one_clear_line_and_no_file(
        shared_hub: RunningHub, lib: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    with pytest.raises(KeyringUnavailable, match=r"No keyring is available.*never writes"):
        Account(lib).login(shared_hub.url, "ada", PASSWORD)
    assert Account(lib).url is None
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    done = subprocess.run(
        [*ujuzi_command(), "--home", str(lib.layout.home), "login", shared_hub.url,
         "--user", "ada", "--password-stdin"],
        input=PASSWORD + "\n", capture_output=True, text=True, check=False)
    assert done.returncode == KeyringUnavailable.exit_code
    assert done.stderr.count("\n") == 1 and "No keyring is available" in done.stderr


def test_a_hub_with_another_key_is_refused_unless_the_pinned_key_endorsed_it(
        tmp_path: Path, lib: Library) -> None:
    real = start_hub(tmp_path / "real")
    impostor = start_hub(tmp_path / "impostor")
    try:
        for running in (real, impostor):
            running.add_user("ada", "learner", PASSWORD)
        with FaultyProxy(real.url) as proxy:  # one address, two hubs behind it
            Account(lib).login(proxy.url, "ada", PASSWORD)
            proxy.retarget(impostor.url)
            with pytest.raises(SignatureError, match="did not endorse"):
                Account(lib).login(proxy.url, "ada", PASSWORD)
            assert Account(lib).fingerprint == real.fingerprint
            proxy.retarget(real.url)
            real.cli("key", "rotate")
            result = Account(lib).login(proxy.url, "ada", PASSWORD)
            assert result.rotated and not result.first_pin
            assert Account(lib).fingerprint == result.fingerprint != real.fingerprint
    finally:
        real.stop()
        impostor.stop()


def test_an_endorsement_chain_is_followed_and_a_forged_one_refused() -> None:
    from app.packs.signing import check_chain

    first, second, third, forger = (HubKey.generate() for _ in range(4))
    chain = [{"key": second.public_key, "signed_by": first.public_key,
              "signature": first.endorse(second.public_key)},
             {"key": third.public_key, "signed_by": second.public_key,
              "signature": second.endorse(third.public_key)}]
    check_chain(first.public_key, third.public_key, chain)
    forged = [{"key": forger.public_key, "signed_by": first.public_key,
               "signature": forger.endorse(forger.public_key)}]
    with pytest.raises(SignatureError, match="not endorsed"):
        check_chain(first.public_key, forger.public_key, forged)

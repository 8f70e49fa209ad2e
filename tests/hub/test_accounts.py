"""Accounts and sessions: passwords, disabled accounts, expiry, sign-out, throttling."""

from __future__ import annotations

from pathlib import Path

from app.hub.config import LoginLimits
from tests.hub.conftest import PASSWORD, LocalHub, open_local_hub


def _login(hub: LocalHub, name: str, password: str = PASSWORD) -> tuple[int, dict[str, str]]:
    response = hub.client.post("/api/v1/auth/login", json={
        "user": name, "password": password, "device": "tests"})
    return response.status_code, {**response.headers, **response.json()}


def test_a_wrong_password_and_an_unknown_name_get_the_same_401(local_hub: LocalHub) -> None:
    local_hub.user("amina", "learner")
    wrong = _login(local_hub, "amina", "not the password")
    unknown = _login(local_hub, "nobody", "not the password")
    assert wrong[0] == unknown[0] == 401
    assert wrong[1]["detail"] == unknown[1]["detail"] == "Wrong account name or password."


def test_a_session_shows_who_signed_in(local_hub: LocalHub) -> None:
    headers = local_hub.account("amina", "trainer")
    me = local_hub.client.get("/api/v1/me", headers=headers)
    assert me.json() == {"name": "amina", "role": "trainer", "trusted": False}
    assert local_hub.client.get("/api/v1/auth/check", headers=headers).status_code == 204


def test_a_disabled_account_cannot_sign_in_and_its_sessions_end(local_hub: LocalHub) -> None:
    admin = local_hub.account("root", "admin")
    session = local_hub.account("amina", "learner")
    disabled = local_hub.client.post("/api/v1/users/amina/disable", headers=admin)
    assert disabled.status_code == 200 and disabled.json()["disabled"] is True
    status, body = _login(local_hub, "amina")
    assert status == 403 and "disabled" in body["detail"]
    check = local_hub.client.get("/api/v1/auth/check", headers=session)
    assert check.status_code == 401
    assert check.json()["detail"] == ("This session was signed out because the account was "
                                      "disabled.")
    # A wrong password says nothing about the account being disabled.
    assert _login(local_hub, "amina", "wrong password")[0] == 401


def test_a_token_is_refused_after_logout(local_hub: LocalHub) -> None:
    headers = local_hub.account("amina", "learner")
    assert local_hub.client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    after = local_hub.client.get("/api/v1/catalog", headers=headers)
    assert after.status_code == 401
    assert after.json()["detail"] == "This session was signed out; sign in again."
    assert after.headers["www-authenticate"] == "Bearer"


def test_an_expired_token_is_refused(tmp_path: Path) -> None:
    hub = open_local_hub(tmp_path, token_lifetime=0)
    headers = hub.account("amina", "learner")
    response = hub.client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"] == "Your session has expired; sign in again."


def test_an_unknown_or_missing_token_is_refused(local_hub: LocalHub) -> None:
    unknown = local_hub.client.get("/api/v1/me", headers={"Authorization": "Bearer made-up"})
    assert unknown.status_code == 401 and "does not know this session" in unknown.json()["detail"]
    missing = local_hub.client.get("/api/v1/me")
    assert missing.status_code == 401 and missing.json()["detail"].startswith("Sign in first")


def test_failures_are_throttled_per_account_without_checking_the_password(
        tmp_path: Path) -> None:
    hub = open_local_hub(tmp_path, login_limits=LoginLimits(3, 100, 900))
    hub.user("amina", "learner")
    hub.user("baraka", "learner")
    assert [_login(hub, "amina", "wrong password")[0] for _ in range(3)] == [401] * 3
    status, body = _login(hub, "amina")  # the right password, too late
    assert status == 429
    assert 0 < int(body["retry-after"]) <= 900
    assert "try again in" in body["detail"]
    # Another account from the same address is not affected.
    assert _login(hub, "baraka")[0] == 200


def test_failures_are_throttled_per_address(tmp_path: Path) -> None:
    hub = open_local_hub(tmp_path, login_limits=LoginLimits(100, 4, 900))
    for name in ("a1", "a2", "a3", "a4", "a5"):
        hub.user(name, "learner")
    assert [_login(hub, name, "wrong password")[0] for name in ("a1", "a2", "a3", "a4")] == \
        [401] * 4
    assert _login(hub, "a5")[0] == 429


def test_a_success_is_never_throttled_and_clears_the_account_count(tmp_path: Path) -> None:
    hub = open_local_hub(tmp_path, login_limits=LoginLimits(3, 100, 900))
    hub.user("amina", "learner")
    assert [_login(hub, "amina")[0] for _ in range(6)] == [200] * 6
    for _round in range(3):
        assert [_login(hub, "amina", "wrong password")[0] for _ in range(2)] == [401, 401]
        assert _login(hub, "amina")[0] == 200


def test_an_admin_adds_accounts_and_names_are_unique(local_hub: LocalHub) -> None:
    admin = local_hub.account("root", "admin")
    made = local_hub.client.post("/api/v1/users", headers=admin, json={
        "name": "zawadi", "role": "curator", "password": "another password"})
    assert made.status_code == 201 and made.json()["role"] == "curator"
    again = local_hub.client.post("/api/v1/users", headers=admin, json={
        "name": "zawadi", "role": "learner", "password": "another password"})
    assert again.status_code == 409 and again.json()["detail"] == \
        "There is already an account named zawadi."
    assert _login(local_hub, "zawadi", "another password")[0] == 200
    names = [user["name"] for user in
             local_hub.client.get("/api/v1/users", headers=admin).json()["users"]]
    assert names == ["root", "zawadi"]

"""The authorisation matrix: every route of the app, called as anonymous and as each role,
gets exactly what app.hub.access.ACCESS allows; a route missing from the table is refused."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from app.hub import access
from app.hub.server import create_app, route_keys
from tests.hub.conftest import ROLES, LocalHub, open_local_hub

#: Values for path parameters: none of them exists, so an allowed call changes nothing.
PARAMETERS = {"pack_id": "org.example.none", "version": "9.9.9", "sha256": "0" * 64,
              "submission_id": "999999", "name": "no-such-account",
              "badge_id": "urn:uuid:00000000-0000-0000-0000-000000000000"}


def _path(template: str) -> str:
    return re.sub(r"{(\w+)}", lambda match: PARAMETERS[match.group(1)], template)


def _call(hub: LocalHub, method: str, template: str, headers: dict[str, str]) -> Any:
    return hub.client.request(method, _path(template), headers=headers)


def check_matrix(app: FastAPI, hub: LocalHub, callers: dict[str | None, dict[str, str]]
                 ) -> list[str]:
    """Call every route as every caller; the calls whose answer the table does not allow."""
    wrong = []
    routes = route_keys(app)
    missing = access.missing(routes)
    wrong.extend(f"{method} {path}: not in the access table" for method, path in missing)
    # Signing out ends the caller's session: it goes last.
    routes.sort(key=lambda route: route == ("POST", "/api/v1/auth/logout"))
    for method, path in routes:
        rule = access.rule_for(method, path)
        for role, headers in callers.items():
            status = _call(hub, method, path, headers).status_code
            decision = access.decide(rule, role)
            if decision.allowed and status in (401, 403):
                wrong.append(f"{method} {path} as {role}: {status}, but the table allows it")
            if not decision.allowed and status != decision.status:
                wrong.append(f"{method} {path} as {role}: {status}, not {decision.status}")
    return wrong


def _callers(hub: LocalHub) -> dict[str | None, dict[str, str]]:
    callers: dict[str | None, dict[str, str]] = {None: {}}
    for role in ROLES:
        callers[role] = hub.account(f"the-{role}", role)
    return callers


def test_every_route_answers_each_role_as_the_table_says(local_hub: LocalHub) -> None:
    callers = _callers(local_hub)
    assert len(route_keys(local_hub.app)) >= len(access.ACCESS) - 1
    assert check_matrix(local_hub.app, local_hub, callers) == []


def test_the_table_has_no_entry_for_a_route_that_does_not_exist(local_hub: LocalHub) -> None:
    assert set(access.ACCESS) <= set(route_keys(local_hub.app))


def test_a_planted_route_missing_from_the_table_fails_the_matrix(local_hub: LocalHub) -> None:
    @local_hub.app.get("/api/v1/planted")
    def planted() -> dict[str, str]:
        return {"secret": "yes"}

    callers = _callers(local_hub)
    wrong = check_matrix(local_hub.app, local_hub, callers)
    assert "GET /api/v1/planted: not in the access table" in wrong
    # And the route itself is closed to everyone, the admin included.
    refused = local_hub.client.get("/api/v1/planted", headers=callers["admin"])
    assert refused.status_code == 403 and "secret" not in refused.text


def test_an_app_whose_table_misses_a_route_is_not_built(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    hub = open_local_hub(tmp_path)
    table = dict(access.ACCESS)
    del table[("GET", "/api/v1/users")]
    monkeypatch.setattr(access, "ACCESS", table)
    with pytest.raises(RuntimeError, match="/api/v1/users"):
        create_app(hub.config, hub.engine)

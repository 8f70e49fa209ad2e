"""schemathesis against the ``/openapi.json`` of a real running hub: generated requests,
valid and not, signed in as an admin and anonymous; no answer may be a server error."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.hubs import RunningHub
from tests.packs import make_pack

pytestmark = pytest.mark.slow
PASSWORD = "a long password"
EXAMPLES = 120


def test_no_generated_request_gets_a_server_error(hub: RunningHub, tmp_path: Path) -> None:
    hub.add_user("root", "admin", PASSWORD)
    make_pack(tmp_path / "p.ujpack")
    hub.publish(tmp_path / "p.ujpack")
    token = requests.post(f"{hub.url}/api/v1/auth/login", timeout=60, json={
        "user": "root", "password": PASSWORD, "device": "schemathesis"}).json()["token"]
    schema = schemathesis.openapi.from_url(f"{hub.url}/openapi.json")
    # Signing out would end the session the other cases use: it is tested on its own.
    schema = schema.exclude(path="/api/v1/auth/logout")
    signed_in = {"Authorization": f"Bearer {token}"}
    cases = st.one_of(
        schema.as_strategy(GenerationMode.POSITIVE, headers=signed_in),
        schema.as_strategy(GenerationMode.NEGATIVE, headers=signed_in),
        schema.as_strategy(GenerationMode.POSITIVE),
    )
    errors: list[str] = []
    session = requests.Session()

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=cases)
    def call(case: schemathesis.Case) -> None:
        response = case.call(base_url=hub.url, session=session, timeout=60)
        if response.status_code >= 500:
            errors.append(f"{case.method} {case.formatted_path}: {response.status_code} "
                          f"{response.text[:200]}")

    call()
    session.close()
    assert errors == []
    assert requests.get(f"{hub.url}/healthz", timeout=60).status_code == 200

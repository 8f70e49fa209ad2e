"""An in-process hub for the API's tests: the real app, database and files in tmp_path,
called through Starlette's TestClient (no socket). Real processes are in the tests marked
slow (tests/hubs.py)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.engine import Engine

from app.hub import accounts
from app.hub.config import HubConfig
from app.hub.server import create_app
from app.hub.service import prepare
from tests.packs import make_pack

with warnings.catch_warnings():
    # Starlette asks for httpx2 here; httpx is what is installed, and works the same.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

PASSWORD = "a long password"
ROLES = ("learner", "mentor", "trainer", "curator", "admin", "forwarder")


@dataclass
class LocalHub:
    config: HubConfig
    engine: Engine
    app: FastAPI
    client: TestClient
    tmp: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def user(self, name: str, role: str, password: str = PASSWORD) -> None:
        accounts.add_user(self.engine, name, role, password)

    def login(self, name: str, password: str = PASSWORD) -> dict[str, str]:
        response = self.client.post("/api/v1/auth/login", json={
            "user": name, "password": password, "device": "tests"})
        assert response.status_code == 200, response.text
        self.tokens[name] = response.json()["token"]
        return {"Authorization": f"Bearer {response.json()['token']}"}

    def account(self, name: str, role: str) -> dict[str, str]:
        """Add an account and sign it in; its Authorization header."""
        self.user(name, role)
        return self.login(name)

    def pack(self, name: str, **options: Any) -> tuple[bytes, dict[str, Any]]:
        path = self.tmp / f"{name}.ujpack"
        manifest = make_pack(path, **options)
        return path.read_bytes(), manifest

    def submit(self, headers: dict[str, str], data: bytes, query: str = "") -> Any:
        return self.client.post(f"/api/v1/submissions{query}", content=data, headers={
            **headers, "Content-Type": "application/octet-stream"})


def open_local_hub(tmp_path: Path, **changes: Any) -> LocalHub:
    config = replace(HubConfig(home=tmp_path / "hub-home"), **changes)
    engine = prepare(config)
    app = create_app(config, engine)
    return LocalHub(config, engine, app, TestClient(app), tmp_path)


@pytest.fixture
def local_hub(tmp_path: Path) -> Iterator[LocalHub]:
    hub = open_local_hub(tmp_path)
    try:
        yield hub
    finally:
        hub.client.close()
        hub.engine.dispose()

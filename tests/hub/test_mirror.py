"""A workshop hub mirrors central accounts (app/hub/mirror.py): a central hub and a laptop hub
as real processes; after ``ujuzi hub forward --mirror`` a learner of the central hub signs in
on the laptop with their central password while the central hub is stopped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.hub import db, mirror
from app.hub.config import HubConfig
from app.hub.service import prepare
from tests.hub.sync_helpers import PASSWORD, Learner
from tests.hubs import RunningHub, start_hub

CENTRAL_PASSWORD = "amina's central password"
LAPTOP_PASSWORD = "baraka's laptop password"


def _login(hub: RunningHub, name: str, password: str) -> requests.Response:
    return requests.post(f"{hub.url}/api/v1/auth/login", timeout=60, json={
        "user": name, "password": password, "device": "workshop"})


def _forward(laptop: RunningHub, central: RunningHub, *extra: str) -> Any:
    return laptop.cli("forward", central.url, "--user", "relay", "--password-stdin",
                      "--json", *extra, input=PASSWORD + "\n", check=False)


def test_the_revision_makes_the_tables_mirror_describes(tmp_path: Path) -> None:
    engine = prepare(HubConfig(home=tmp_path))
    try:
        with engine.connect() as connection:
            found = compare_metadata(MigrationContext.configure(connection), db.metadata)
            tables = set(sa.inspect(connection).get_table_names())
    finally:
        engine.dispose()
    names = {mirror.mirror_grants.name, mirror.mirrored_accounts.name}
    assert tables >= names
    assert [item for item in found if any(name in repr(item) for name in names)] == []


@pytest.mark.slow
def test_a_central_learner_signs_in_on_the_laptop_with_the_central_hub_stopped(
        tmp_path: Path) -> None:
    central = start_hub(tmp_path / "central")
    laptop = start_hub(tmp_path / "laptop")
    try:
        central.add_user("relay", "forwarder", PASSWORD)
        central.add_user("amina", "learner", CENTRAL_PASSWORD)
        central.add_user("baraka", "learner", CENTRAL_PASSWORD)
        central.add_user("zuri", "trainer", CENTRAL_PASSWORD)
        central.add_user("root", "admin", CENTRAL_PASSWORD)
        laptop.add_user("baraka", "learner", LAPTOP_PASSWORD)

        # Only the accounts the central admin names, and never an admin's.
        refused = central.cli("user", "mirror", "relay", "root", check=False)
        assert refused.returncode == 5
        assert refused.stderr.strip().splitlines()[-1].endswith(
            "root has the role admin; only the accounts of learner, mentor, trainer may be "
            "mirrored.")
        granted = central.cli("user", "mirror", "relay", "amina", "baraka", "zuri", "--json")
        assert json.loads(granted.stdout) == {"forwarder": "relay",
                                              "accounts": ["amina", "baraka", "zuri"]}
        # Only a forwarder reads the hashes.
        amina = Learner(central.url, _login(central, "amina", CENTRAL_PASSWORD).json()["token"])
        assert amina.session.get(f"{central.url}/api/v1/mirror/accounts",
                                 timeout=60).status_code == 403

        first = _forward(laptop, central, "--mirror")
        assert first.returncode == 0, first.stderr
        assert json.loads(first.stdout)["mirrored"] == {
            "added": ["amina", "zuri"], "updated": [], "disabled": [], "kept": ["baraka"]}
        again = _forward(laptop, central, "--mirror")
        assert json.loads(again.stdout)["mirrored"] == {
            "added": [], "updated": [], "disabled": [], "kept": ["baraka"]}

        # Disabled on the central hub: disabled on the laptop at the next forward.
        central.cli("user", "disable", "zuri")
        third = _forward(laptop, central, "--mirror")
        assert json.loads(third.stdout)["mirrored"]["disabled"] == ["zuri"]
    finally:
        central.stop()

    assert central.process.poll() is not None  # the laptop answers on its own
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{central.url}/healthz", timeout=5)
    try:
        signed_in = _login(laptop, "amina", CENTRAL_PASSWORD)
        assert signed_in.status_code == 200, signed_in.text
        assert signed_in.json()["user"] == {"name": "amina", "role": "learner",
                                             "trusted": False}
        assert _login(laptop, "amina", "a wrong password").status_code == 401
        # The laptop's own account is not overwritten.
        assert _login(laptop, "baraka", LAPTOP_PASSWORD).status_code == 200
        assert _login(laptop, "baraka", CENTRAL_PASSWORD).status_code == 401
        assert _login(laptop, "zuri", CENTRAL_PASSWORD).status_code == 403
        listed = laptop.cli("user", "list", "--json")
        assert {row["name"]: row["disabled"] for row in json.loads(listed.stdout)} == {
            "amina": False, "baraka": False, "zuri": True}
        engine = sa.create_engine(HubConfig(home=laptop.home).database_url)
        try:
            with engine.connect() as connection:
                hashes = [row[0] for row in connection.execute(
                    sa.text("SELECT password_hash FROM users"))]
        finally:
            engine.dispose()
        assert all(value.startswith("$argon2id$") for value in hashes)
        assert not any(CENTRAL_PASSWORD in value for value in hashes)
    finally:
        laptop.stop()

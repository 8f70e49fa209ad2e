"""The hub as its users run it: a real process, the real CLI, HTTP on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tests.hubs import RunningHub
from tests.packs import make_pack

pytestmark = pytest.mark.slow


def test_a_published_pack_is_in_the_catalog_with_its_files(hub: RunningHub,
                                                            tmp_path: Path) -> None:
    manifest = make_pack(tmp_path / "p.ujpack", media={"clip": b"v" * 5000})
    hub.add_user("amina", "learner", "a long password")
    hub.publish(tmp_path / "p.ujpack")
    login = requests.post(f"{hub.url}/api/v1/auth/login",
                          json={"user": "amina", "password": "a long password",
                                "device": "test"}, timeout=30)
    assert login.status_code == 200
    auth = {"Authorization": f"Bearer {login.json()['token']}"}
    packs = requests.get(f"{hub.url}/api/v1/catalog", headers=auth, timeout=30).json()["packs"]
    assert [(p["id"], p["version"]) for p in packs] == [("org.test.sample", "1.0.0")]
    clip = manifest["resources"][-1]["files"][0]
    blob = requests.get(f"{hub.url}/blobs/{clip['sha256']}", headers=auth, timeout=30)
    assert blob.status_code == 200 and blob.content == b"v" * 5000

"""Uploads the hub refuses, each with one sentence and nothing left behind."""

from __future__ import annotations

import zipfile
from pathlib import Path

from tests.hub.conftest import LocalHub, open_local_hub


def _no_leftovers(hub: LocalHub) -> None:
    layout = hub.config.layout
    assert list(layout.uploads.iterdir()) == []


def test_a_tampered_file_is_refused(local_hub: LocalHub, tmp_path: Path) -> None:
    trainer = local_hub.account("tumaini", "trainer")
    local_hub.pack("good", media={"clip": b"original" * 50})
    tampered = tmp_path / "tampered.ujpack"
    with zipfile.ZipFile(tmp_path / "good.ujpack") as source, \
            zipfile.ZipFile(tampered, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("media/"):
                data = b"X" + data[1:]
            target.writestr(info, data)
    response = local_hub.submit(trainer, tampered.read_bytes())
    assert response.status_code == 400
    assert response.json()["detail"] == ("media/clip.webm is corrupt: its checksum does not "
                                         "match the pack manifest.")
    _no_leftovers(local_hub)


def test_a_hostile_zip_is_refused_with_the_importers_words(local_hub: LocalHub,
                                                          tmp_path: Path) -> None:
    trainer = local_hub.account("tumaini", "trainer")
    hostile = tmp_path / "hostile.ujpack"
    with zipfile.ZipFile(hostile, "w") as archive:
        archive.writestr("pack.json", "{}")
        archive.writestr("../../etc/evil", "x")
    response = local_hub.submit(trainer, hostile.read_bytes())
    assert response.status_code == 400
    assert response.json()["detail"].endswith("contains an unsafe path: ../../etc/evil")
    garbage = local_hub.submit(trainer, b"not a zip at all")
    assert garbage.status_code == 400 and "not a zip archive" in garbage.json()["detail"]
    _no_leftovers(local_hub)


def test_an_upload_past_the_limit_gets_413(tmp_path: Path) -> None:
    hub = open_local_hub(tmp_path, max_upload=20_000)
    trainer = hub.account("tumaini", "trainer")
    data, _ = hub.pack("big", media={"clip": bytes(range(256)) * 200})
    assert len(data) > 20_000
    response = hub.submit(trainer, data)
    assert response.status_code == 413
    assert "larger than this hub accepts" in response.json()["detail"]
    _no_leftovers(hub)


def test_an_upload_without_a_length_is_cut_at_the_limit(tmp_path: Path) -> None:
    hub = open_local_hub(tmp_path, max_upload=20_000)
    trainer = hub.account("tumaini", "trainer")

    def chunks() -> object:
        for _ in range(10):
            yield b"x" * 5_000

    response = hub.client.post("/api/v1/submissions", content=chunks(),  # type: ignore[arg-type]
                               headers={**trainer, "Content-Type": "application/octet-stream"})
    assert response.status_code == 413
    _no_leftovers(hub)


def test_a_large_json_body_gets_413(local_hub: LocalHub) -> None:
    response = local_hub.client.post("/api/v1/auth/login", content=b"{" + b" " * 100_000,
                                     headers={"Content-Type": "application/json"})
    assert response.status_code == 413


def test_a_version_not_newer_than_the_published_one_gets_409(local_hub: LocalHub) -> None:
    admin = local_hub.account("root", "admin")
    newer, _ = local_hub.pack("v2", version="2.0.0")
    assert local_hub.submit(admin, newer, "?publish=true").json()["status"] == "approved"
    for name, version in (("v1", "1.5.0"), ("v2again", "2.0.0")):
        data, _ = local_hub.pack(name, version=version)
        response = local_hub.submit(admin, data)
        assert response.status_code == 409
        assert response.json()["detail"] == (f"org.test.sample {version} is not newer than "
                                             "the published version 2.0.0.")
    _no_leftovers(local_hub)

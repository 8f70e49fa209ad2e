"""Submissions and review over HTTP: pending packs stay out of the catalog, approved ones
are published signed, rejected ones tell their submitter why."""

from __future__ import annotations

import hashlib
from typing import Any

from app.packs.signing import verify_manifest
from tests.hub.conftest import LocalHub


def _catalog(hub: LocalHub, headers: dict[str, str]) -> list[tuple[str, str]]:
    packs = hub.client.get("/api/v1/catalog", headers=headers).json()["packs"]
    return [(pack["id"], pack["version"]) for pack in packs]


def _media_sha(manifest: dict[str, Any]) -> str:
    return str(manifest["resources"][-1]["files"][0]["sha256"])


def test_a_pending_pack_is_hidden_until_a_curator_approves_it(local_hub: LocalHub) -> None:
    trainer = local_hub.account("tumaini", "trainer")
    curator = local_hub.account("zawadi", "curator")
    learner = local_hub.account("amina", "learner")
    data, manifest = local_hub.pack("p1", media={"clip": b"pending bytes" * 100})
    submitted = local_hub.submit(trainer, data)
    assert submitted.status_code == 201, submitted.text
    body = submitted.json()
    assert body["status"] == "pending" and body["submitter"] == "tumaini"
    assert _catalog(local_hub, learner) == []
    blob = f"/blobs/{_media_sha(manifest)}"
    assert local_hub.client.get(blob, headers=learner).status_code == 404
    missing = local_hub.client.get("/api/v1/packs/org.test.sample/1.0.0/manifest",
                                   headers=learner)
    assert missing.status_code == 404

    queue = local_hub.client.get("/api/v1/submissions?status=pending", headers=curator).json()
    assert [item["id"] for item in queue["submissions"]] == [body["id"]]
    detail = local_hub.client.get(f"/api/v1/submissions/{body['id']}", headers=curator).json()
    assert '"org.test.sample"' in detail["manifest"]
    reviewed = local_hub.client.get(f"/api/v1/submissions/{body['id']}/pack", headers=curator)
    assert reviewed.status_code == 200 and reviewed.content == data

    approved = local_hub.client.post(f"/api/v1/submissions/{body['id']}/approve",
                                     headers=curator)
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved" and approved.json()["reviewer"] == "zawadi"
    assert _catalog(local_hub, learner) == [("org.test.sample", "1.0.0")]
    assert local_hub.client.get(blob, headers=learner).content == b"pending bytes" * 100

    signed = local_hub.client.get("/api/v1/packs/org.test.sample/1.0.0/manifest",
                                  headers=learner).json()
    key = local_hub.client.get("/api/v1/hub").json()["key"]
    verify_manifest(key["public_key"], signed["manifest"].encode(), signed["signature"])
    assert signed["fingerprint"] == key["fingerprint"]
    entry = local_hub.client.get("/api/v1/catalog", headers=learner).json()["packs"][0]
    assert entry["manifest_sha256"] == hashlib.sha256(signed["manifest"].encode()).hexdigest()
    again = local_hub.client.post(f"/api/v1/submissions/{body['id']}/approve",
                                  headers=curator)
    assert again.status_code == 409


def test_a_rejection_reaches_its_submitter_only(local_hub: LocalHub) -> None:
    trainer = local_hub.account("tumaini", "trainer")
    other = local_hub.account("juma", "trainer")
    curator = local_hub.account("zawadi", "curator")
    data, _manifest = local_hub.pack("p1")
    submission = local_hub.submit(trainer, data).json()["id"]
    no_reason = local_hub.client.post(f"/api/v1/submissions/{submission}/reject",
                                      headers=curator, json={"reason": ""})
    assert no_reason.status_code == 422
    rejected = local_hub.client.post(f"/api/v1/submissions/{submission}/reject",
                                     headers=curator,
                                     json={"reason": "The licence is missing an author."})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    mine = local_hub.client.get(f"/api/v1/submissions/{submission}", headers=trainer).json()
    assert mine["reason"] == "The licence is missing an author."
    assert local_hub.client.get(f"/api/v1/submissions/{submission}",
                                headers=other).status_code == 403
    assert local_hub.client.get(f"/api/v1/submissions/{submission}/pack",
                                headers=other).status_code == 403
    assert local_hub.client.get("/api/v1/submissions", headers=other).json() == \
        {"submissions": []}
    assert [s["id"] for s in local_hub.client.get(
        "/api/v1/submissions", headers=trainer).json()["submissions"]] == [submission]


def test_who_publishes_at_once(local_hub: LocalHub) -> None:
    admin = local_hub.account("root", "admin")
    curator = local_hub.account("zawadi", "curator")
    trainer = local_hub.account("tumaini", "trainer")
    trusted = local_hub.account("juma", "trainer")
    assert local_hub.client.post("/api/v1/users/juma/trust", headers=curator,
                                 json={"trusted": True}).json()["trusted"] is True
    plain, _ = local_hub.pack("a", pack_id="org.test.a")
    assert local_hub.submit(trainer, plain, "?publish=true").json()["status"] == "pending"
    by_trusted, _ = local_hub.pack("b", pack_id="org.test.b")
    assert local_hub.submit(trusted, by_trusted).json()["status"] == "approved"
    by_curator, _ = local_hub.pack("c", pack_id="org.test.c")
    assert local_hub.submit(curator, by_curator).json()["status"] == "pending"
    by_admin, _ = local_hub.pack("d", pack_id="org.test.d")
    assert local_hub.submit(admin, by_admin, "?publish=true").json()["status"] == "approved"
    assert _catalog(local_hub, admin) == [("org.test.b", "1.0.0"), ("org.test.d", "1.0.0")]


def test_a_new_version_goes_through_review_too(local_hub: LocalHub) -> None:
    trainer = local_hub.account("tumaini", "trainer")
    curator = local_hub.account("zawadi", "curator")
    first, _ = local_hub.pack("v1", version="1.0.0")
    local_hub.client.post(f"/api/v1/submissions/{local_hub.submit(trainer, first).json()['id']}"
                          "/approve", headers=curator)
    second, _ = local_hub.pack("v2", version="1.1.0")
    pending = local_hub.submit(trainer, second).json()
    assert pending["status"] == "pending"
    assert _catalog(local_hub, trainer) == [("org.test.sample", "1.0.0")]
    local_hub.client.post(f"/api/v1/submissions/{pending['id']}/approve", headers=curator)
    assert _catalog(local_hub, trainer) == [("org.test.sample", "1.1.0")]
    # The older version's manifest stays available to clients that have it.
    assert local_hub.client.get("/api/v1/packs/org.test.sample/1.0.0/manifest",
                                headers=trainer).status_code == 200


def test_an_id_past_the_databases_integers_is_not_found(local_hub: LocalHub) -> None:
    curator = local_hub.account("zawadi", "curator")
    huge = 2**70
    for method, path in (("GET", f"/api/v1/submissions/{huge}"),
                         ("GET", f"/api/v1/submissions/{huge}/pack"),
                         ("POST", f"/api/v1/submissions/{huge}/approve")):
        response = local_hub.client.request(method, path, headers=curator)
        assert response.status_code == 404, (path, response.text)
    rejected = local_hub.client.post(f"/api/v1/submissions/{huge}/reject", headers=curator,
                                     json={"reason": "no"})
    assert rejected.status_code == 404

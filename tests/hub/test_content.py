"""The content plane: blobs with strong ETags, ranges and immutable caching; the catalog
with gzip and ETag; the signing key's rotation; health, schema and the log."""

from __future__ import annotations

import gzip
import hashlib
import json

import sqlalchemy as sa

from app.hub import catalog, db, keys
from app.packs.signing import verify_endorsement, verify_manifest
from tests.hub.conftest import PASSWORD, LocalHub

DATA = bytes(range(256)) * 40  # 10240 bytes


def _published(hub: LocalHub) -> tuple[dict[str, str], str]:
    admin = hub.account("root", "admin")
    data, manifest = hub.pack("p", media={"clip": DATA})
    assert hub.submit(admin, data, "?publish=true").json()["status"] == "approved"
    return admin, manifest["resources"][-1]["files"][0]["sha256"]


def test_a_blob_has_a_strong_etag_and_immutable_caching(local_hub: LocalHub) -> None:
    headers, sha = _published(local_hub)
    response = local_hub.client.get(f"/blobs/{sha}", headers=headers)
    assert response.status_code == 200 and response.content == DATA
    assert response.headers["etag"] == f'"{sha}"'
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert hashlib.sha256(response.content).hexdigest() == sha


def test_ranges(local_hub: LocalHub) -> None:
    headers, sha = _published(local_hub)
    url = f"/blobs/{sha}"
    tail = local_hub.client.get(url, headers={**headers, "Range": "bytes=10000-"})
    assert tail.status_code == 206 and tail.content == DATA[10000:]
    assert tail.headers["content-range"] == "bytes 10000-10239/10240"
    middle = local_hub.client.get(url, headers={**headers, "Range": "bytes=5-9"})
    assert middle.status_code == 206 and middle.content == DATA[5:10]
    assert middle.headers["content-range"] == "bytes 5-9/10240"
    past = local_hub.client.get(url, headers={**headers, "Range": "bytes=10240-"})
    assert past.status_code == 416
    assert past.headers["content-range"] == "bytes */10240"


def test_if_none_match_and_head(local_hub: LocalHub) -> None:
    headers, sha = _published(local_hub)
    url = f"/blobs/{sha}"
    same = local_hub.client.get(url, headers={**headers, "If-None-Match": f'"{sha}"'})
    assert same.status_code == 304 and same.content == b""
    assert same.headers["etag"] == f'"{sha}"'
    other = local_hub.client.get(url, headers={**headers, "If-None-Match": '"something"'})
    assert other.status_code == 200
    head = local_hub.client.head(url, headers=headers)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(DATA))
    assert head.headers["etag"] == f'"{sha}"'


def test_only_files_of_published_packs_are_served(local_hub: LocalHub) -> None:
    headers, sha = _published(local_hub)
    for name in ("0" * 64, "not-a-hash", sha.upper()):
        assert local_hub.client.get(f"/blobs/{name}", headers=headers).status_code == 404
    assert local_hub.client.get(f"/blobs/{sha}").status_code == 401


def test_the_catalog_is_gzipped_on_request_and_revalidated_by_etag(
        local_hub: LocalHub) -> None:
    headers, _sha = _published(local_hub)
    zipped = local_hub.client.get("/api/v1/catalog",
                                  headers={**headers, "Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.json()["packs"][0]["id"] == "org.test.sample"  # httpx decodes it
    plain = local_hub.client.get("/api/v1/catalog",
                                 headers={**headers, "Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert gzip.decompress(gzip.compress(plain.content)) == plain.content
    etag = plain.headers["etag"]
    assert zipped.headers["etag"] == etag
    unchanged = local_hub.client.get("/api/v1/catalog",
                                     headers={**headers, "If-None-Match": etag})
    assert unchanged.status_code == 304
    data, _ = local_hub.pack("another", pack_id="org.test.another")
    local_hub.submit(headers, data, "?publish=true")
    changed = local_hub.client.get("/api/v1/catalog",
                                   headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200 and len(changed.json()["packs"]) == 2


def test_a_worker_sees_a_change_made_through_another(local_hub: LocalHub) -> None:
    first, second = catalog.CatalogCache(), catalog.CatalogCache()
    assert first.get(local_hub.engine).raw == b'{"packs":[]}'
    assert second.get(local_hub.engine) is second.get(local_hub.engine)
    _published(local_hub)  # through the app's own cache
    assert b"org.test.sample" in first.get(local_hub.engine).raw
    assert first.get(local_hub.engine).etag == second.get(local_hub.engine).etag


def test_key_rotation_endorses_the_new_key_and_re_signs_manifests(
        local_hub: LocalHub) -> None:
    headers, _sha = _published(local_hub)
    before = local_hub.client.get("/api/v1/hub").json()
    assert before["endorsements"] == []
    old_key = before["key"]["public_key"]
    keys.rotate(local_hub.config, local_hub.engine)
    after = local_hub.client.get("/api/v1/hub").json()
    new_key = after["key"]["public_key"]
    assert new_key != old_key
    [endorsement] = after["endorsements"]
    assert (endorsement["key"], endorsement["signed_by"]) == (new_key, old_key)
    verify_endorsement(old_key, new_key, endorsement["signature"])
    signed = local_hub.client.get("/api/v1/packs/org.test.sample/1.0.0/manifest",
                                  headers=headers).json()
    verify_manifest(new_key, signed["manifest"].encode(), signed["signature"])
    assert signed["fingerprint"] == after["key"]["fingerprint"]
    assert local_hub.config.layout.retired_key(1).exists()
    assert not local_hub.config.layout.next_signing_key.exists()


def test_an_interrupted_rotation_is_finished_at_the_next_start(local_hub: LocalHub) -> None:
    from app.packs.signing import HubKey

    layout = local_hub.config.layout
    HubKey.generate().save(layout.next_signing_key)  # written, never recorded: undone
    current = keys.ensure_key(local_hub.config, local_hub.engine)
    assert not layout.next_signing_key.exists()
    assert HubKey.load(layout.signing_key).public_key == current.public_key


def test_health_schema_and_log(local_hub: LocalHub) -> None:
    assert local_hub.client.get("/healthz").json() == {"status": "ok"}
    schema = local_hub.client.get("/openapi.json").json()
    assert "/api/v1/catalog" in schema["paths"]
    assert "LoginOut" in schema["components"]["schemas"]
    from app.hub import journal

    journal.setup(local_hub.config.layout.log_file, stderr=False)
    headers = local_hub.account("amina", "learner")
    local_hub.client.get("/api/v1/me", headers={**headers, "X-Request-ID": "req-42"})
    lines = [json.loads(line) for line in
             local_hub.config.layout.log_file.read_text().splitlines()]
    me = [line for line in lines if line.get("path") == "/api/v1/me"][-1]
    assert me["event"] == "request" and me["status"] == 200 and me["user"] == "amina"
    assert me["request_id"] == "req-42" and me["method"] == "GET"
    assert {"time", "level", "duration_ms"} <= set(me)
    text = local_hub.config.layout.log_file.read_text()
    assert local_hub.tokens["amina"] not in text and PASSWORD not in text


def test_the_counter_moves_with_every_publication(local_hub: LocalHub) -> None:
    with local_hub.engine.connect() as connection:
        before = db.counter(connection, db.CATALOG_COUNTER)
    _published(local_hub)
    with local_hub.engine.connect() as connection:
        assert db.counter(connection, db.CATALOG_COUNTER) == before + 1
        files = connection.execute(sa.select(sa.func.count()).select_from(
            db.published_files)).scalar()
    assert files == 2


def test_a_rotation_recorded_but_not_renamed_is_finished(local_hub: LocalHub) -> None:
    from app.packs.signing import HubKey

    layout = local_hub.config.layout
    old = keys.current(local_hub.engine)
    new = HubKey.generate()
    new.save(layout.next_signing_key)
    with local_hub.engine.begin() as connection:  # the transaction committed, then a crash
        connection.execute(db.keys.insert().values(
            public_key=new.public_key, fingerprint=new.fingerprint, created_at=db.now(),
            signed_by=old.public_key, endorsement="unused"))
    assert keys.ensure_key(local_hub.config, local_hub.engine).public_key == new.public_key
    assert HubKey.load(layout.signing_key).public_key == new.public_key
    assert not layout.next_signing_key.exists()


def seed_catalog(hub: LocalHub, count: int) -> None:
    """``count`` published packs, written straight into the database (their files are not
    needed to list them)."""
    rows = []
    for index in range(count):
        entry = {"id": f"org.bench.p{index:05}", "version": "1.0.0",
                 "title": {"en": f"Pack {index}"}, "description": {}, "languages": ["en"],
                 "skills": [], "level": None, "license": "CC0-1.0", "attribution": "bench",
                 "size": 1000, "files": 1, "manifest_sha256": "0" * 64,
                 "published_at": "2026-01-01T00:00:00Z"}
        rows.append({"pack_id": entry["id"], "version": "1.0.0", "manifest": "{}",
                     "manifest_sha256": "0" * 64, "signature": "-", "fingerprint": "-",
                     "entry": json.dumps(entry), "size": 1000, "files": 1,
                     "published_at": 0})
    with hub.engine.begin() as connection:
        connection.execute(db.published.insert(), rows)
        db.bump(connection, db.CATALOG_COUNTER)


def test_ten_thousand_packs_are_listed_from_one_cached_build(local_hub: LocalHub) -> None:
    seed_catalog(local_hub, 10_000)
    headers = local_hub.account("amina", "learner")
    first = local_hub.client.get("/api/v1/catalog", headers=headers)
    packs = first.json()["packs"]
    assert len(packs) == 10_000 and packs[0]["id"] == "org.bench.p00000"
    cache = local_hub.app.state.hub.catalog
    built = cache.get(local_hub.engine)
    again = local_hub.client.get("/api/v1/catalog",
                                 headers={**headers, "Accept-Encoding": "gzip"})
    assert cache.get(local_hub.engine) is built  # nothing rebuilt for the second request
    assert again.headers["etag"] == first.headers["etag"]
    assert len(built.gzipped) < len(built.raw) / 5

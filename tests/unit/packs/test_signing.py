"""Manifest signatures and key endorsements (app/packs/signing.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import SignatureError
from app.packs.signing import HubKey, fingerprint, verify_endorsement, verify_manifest

MANIFEST = b'{"id": "org.example.pack", "version": "1.0.0"}'


def test_a_signed_manifest_verifies_and_any_changed_byte_is_refused() -> None:
    key = HubKey.generate()
    signature = key.sign_manifest(MANIFEST)
    verify_manifest(key.public_key, MANIFEST, signature)
    with pytest.raises(SignatureError, match="not signed by the hub's key"):
        verify_manifest(key.public_key, MANIFEST.replace(b"1.0.0", b"1.0.1"), signature)


def test_another_keys_signature_is_refused() -> None:
    hub, other = HubKey.generate(), HubKey.generate()
    with pytest.raises(SignatureError):
        verify_manifest(hub.public_key, MANIFEST, other.sign_manifest(MANIFEST))


def test_an_endorsement_is_not_a_manifest_signature() -> None:
    old, new = HubKey.generate(), HubKey.generate()
    endorsement = old.endorse(new.public_key)
    verify_endorsement(old.public_key, new.public_key, endorsement)
    with pytest.raises(SignatureError, match="not endorsed"):
        verify_endorsement(new.public_key, new.public_key, new.sign_manifest(b"x"))
    with pytest.raises(SignatureError):
        verify_manifest(old.public_key, _raw(new.public_key), endorsement)


def _raw(public_key: str) -> bytes:
    import base64

    return base64.b64decode(public_key)


def test_garbage_from_the_hub_is_a_clear_error() -> None:
    key = HubKey.generate()
    with pytest.raises(SignatureError, match="malformed signature"):
        verify_manifest(key.public_key, MANIFEST, "not base64!")
    with pytest.raises(SignatureError, match="malformed key"):
        verify_manifest("AAAA", MANIFEST, key.sign_manifest(MANIFEST))


def test_the_key_file_is_private_and_loads_back(tmp_path: Path) -> None:
    key = HubKey.generate()
    path = tmp_path / "signing-key.pem"
    key.save(path)
    assert path.stat().st_mode & 0o777 == 0o600
    loaded = HubKey.load(path)
    assert loaded.public_key == key.public_key
    assert loaded.fingerprint == fingerprint(key.public_key)
    assert loaded.fingerprint.startswith("SHA256:") and "=" not in loaded.fingerprint

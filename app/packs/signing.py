"""Ed25519 signatures of pack manifests: what a hub vouches for, and how a client checks it.

A hub signs the exact bytes of each published ``pack.json``; the manifest lists every file
with its sha256 and size, so one signature covers the whole pack. A client pins the hub's
public key at its first login (shown to the user as a fingerprint, as SSH does) and installs
nothing whose manifest is not signed by that key.

Key rotation: a hub's new key is *endorsed* by its old one (the old key signs the new public
key). A client that pinned the old key accepts the new one only with a valid endorsement, and
pins it. Each kind of signed message starts with its own label, so a manifest signature can
never pass for an endorsement or the other way round.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from app.errors import SignatureError
from app.i18n import _

MANIFEST_LABEL = b"ujuzi-pack-manifest-v1\0"
ENDORSEMENT_LABEL = b"ujuzi-hub-key-v1\0"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise SignatureError(_("The hub sent a malformed {what}.").format(what=what)) from None


def fingerprint(public_key: str) -> str:
    """The key's fingerprint as people compare it: ``SHA256:`` and the base64 of its hash
    (as ``ssh-keygen -l`` shows keys)."""
    digest = hashlib.sha256(_unb64(public_key, "key")).digest()
    return "SHA256:" + _b64(digest).rstrip("=")


class HubKey:
    """A hub's private signing key, kept in one file (PEM, mode 0600) on the hub."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private

    @classmethod
    def generate(cls) -> HubKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def load(cls, path: Path) -> HubKey:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise SignatureError(_("{path} is not an Ed25519 key.").format(path=path))
        return cls(key)

    def save(self, path: Path) -> None:
        """Write the key to ``path``, created 0600 and replaced atomically."""
        data = self._private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        draft = path.with_name(path.name + ".tmp")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(draft, path)

    @property
    def public_key(self) -> str:
        """The raw 32-byte public key, base64."""
        raw = self._private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return _b64(raw)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def sign_manifest(self, manifest: bytes) -> str:
        return _b64(self._private.sign(MANIFEST_LABEL + manifest))

    def endorse(self, new_public_key: str) -> str:
        """Sign ``new_public_key`` with this (old) key, for clients that pinned this one."""
        return _b64(self._private.sign(ENDORSEMENT_LABEL + _unb64(new_public_key, "key")))


def _public(public_key: str) -> Ed25519PublicKey:
    raw = _unb64(public_key, "key")
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        raise SignatureError(_("The hub sent a malformed key.")) from None


def verify_manifest(public_key: str, manifest: bytes, signature: str) -> None:
    """Raise :class:`SignatureError` unless ``signature`` is the pinned key's signature of
    exactly these manifest bytes."""
    try:
        _public(public_key).verify(_unb64(signature, "signature"), MANIFEST_LABEL + manifest)
    except InvalidSignature:
        raise SignatureError(
            _("The pack's manifest is not signed by the hub's key ({fingerprint}); "
              "nothing was installed.").format(fingerprint=fingerprint(public_key))
        ) from None


def verify_endorsement(old_public_key: str, new_public_key: str, signature: str) -> None:
    """Raise :class:`SignatureError` unless the old key signed the new one."""
    try:
        _public(old_public_key).verify(
            _unb64(signature, "signature"), ENDORSEMENT_LABEL + _unb64(new_public_key, "key")
        )
    except InvalidSignature:
        raise SignatureError(
            _("The hub's new key ({new}) is not endorsed by the key pinned at login ({old}).")
            .format(new=fingerprint(new_public_key), old=fingerprint(old_public_key))
        ) from None


def check_chain(pinned: str, key: str, endorsements: Sequence[Mapping[str, Any]]) -> None:
    """Raise :class:`SignatureError` unless ``key`` is ``pinned`` or reached from it by a
    chain of valid endorsements (``{"key", "signed_by", "signature"}``, each newer key signed
    by the one before it), as a hub's ``GET /api/v1/hub`` lists them."""
    current = pinned
    seen = {current}
    while current != key:
        step = next((item for item in endorsements
                     if item.get("signed_by") == current and item.get("key") not in seen), None)
        if step is None:
            raise SignatureError(
                _("The hub now presents another key ({new}) than the one pinned at the first "
                  "login ({old}), and the pinned key did not endorse it; nothing was changed. "
                  "Ask the hub's administrator.").format(
                    new=fingerprint(key), old=fingerprint(pinned)))
        verify_endorsement(current, str(step["key"]), str(step["signature"]))
        current = str(step["key"])
        seen.add(current)

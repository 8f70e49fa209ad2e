"""The notes key of an account: private mentorship notes are encrypted with it before they
leave the author's device (docs/mentorship.md, "On the client").

Each hub account has one or more notes keys (32 random bytes, AES-GCM), kept in the OS
keyring under the service ``ujuzi-notes`` and the name ``<hub url>|<user>`` (a JSON object
of the keys by id, and which one encrypts new notes). The first device to sign in makes
one (app/mentorship/local.py ``notes_key_at_login``). So that the author's other devices can
read the notes, each key goes to the hub only wrapped: encrypted with a key derived by scrypt
(its own random salt) from the account's password at ``ujuzi login``, as a ``notes_key``
record whose id is the key's id. A hub never sees a key or a note's text; a hub that captured
the password at a login could unwrap the keys.

A note's ciphertext binds its record id and relationship (associated data), so a
ciphertext moved to another note does not decrypt.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import uuid
from typing import Any

import keyring
import keyring.errors
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from app.errors import UjuziError
from app.i18n import _

KEYRING_SERVICE = "ujuzi-notes"
KEY_BYTES = 32
NONCE_BYTES = 12
#: scrypt's cost (2**15, 8, 1: about 32 MiB and a tenth of a second).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
KDF = f"scrypt-{SCRYPT_N}-{SCRYPT_R}-{SCRYPT_P}"


class NotesKeyError(UjuziError):
    """The notes key is missing or the keyring cannot keep it."""


class Keys:
    """The notes keys of one account held on this device, by id, and the current one."""

    def __init__(self, keys: dict[str, bytes] | None = None, current: str | None = None):
        self.keys: dict[str, bytes] = dict(keys or {})
        self.current = current

    def add(self, key_id: str, key: bytes) -> None:
        self.keys[key_id] = key
        if self.current is None:
            self.current = key_id

    def to_text(self) -> str:
        return json.dumps({"current": self.current,
                           "keys": {key_id: _b64(key) for key_id, key in self.keys.items()}},
                          sort_keys=True)

    @classmethod
    def from_text(cls, text: str | None) -> Keys:
        if not text:
            return cls()
        try:
            value = json.loads(text)
            keys = {str(key_id): _unb64(str(key)) for key_id, key in value["keys"].items()}
            current = value.get("current")
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
            return cls()
        return cls({key_id: key for key_id, key in keys.items() if len(key) == KEY_BYTES},
                   str(current) if current in keys else None)


def encode(value: bytes) -> str:
    """Bytes as base64 text."""
    return base64.b64encode(value).decode("ascii")


def decode(value: str) -> bytes:
    """Base64 text as bytes (``binascii.Error`` when it is not base64)."""
    return base64.b64decode(value.encode("ascii"), validate=True)


_b64, _unb64 = encode, decode


def keyring_name(url: str, user: str) -> str:
    return f"{url}|{user}"


def _keyring_error(error: BaseException) -> NotesKeyError:
    return NotesKeyError(_("No keyring is available to keep the private notes' key "
                           "({error}).").format(error=error))


def load_keys(url: str, user: str) -> Keys:
    """The account's notes keys kept in the keyring (none: empty)."""
    try:
        text = keyring.get_password(KEYRING_SERVICE, keyring_name(url, user))
    except (keyring.errors.KeyringError, RuntimeError) as error:
        raise _keyring_error(error) from None
    return Keys.from_text(text)


def store_keys(url: str, user: str, keys: Keys) -> None:
    try:
        keyring.set_password(KEYRING_SERVICE, keyring_name(url, user), keys.to_text())
    except (keyring.errors.KeyringError, RuntimeError) as error:
        raise _keyring_error(error) from None


def new_key() -> tuple[str, bytes]:
    """A new notes key and its id."""
    return str(uuid.uuid4()), AESGCM.generate_key(bit_length=8 * KEY_BYTES)


def _associated(note_id: str, relationship: str) -> bytes:
    return f"ujuzi-private-note|{note_id}|{relationship}".encode()


def encrypt_note(keys: Keys, note_id: str, relationship: str,
                 content: dict[str, Any]) -> dict[str, str]:
    """A private note's record ``data``: ``content`` (JSON) encrypted with the current key."""
    if keys.current is None:
        raise NotesKeyError(_("Private notes need this account's notes key; sign in again "
                              "with 'ujuzi login URL --user NAME' to make or fetch it."))
    nonce = os.urandom(NONCE_BYTES)
    plain = json.dumps(content, ensure_ascii=False, sort_keys=True).encode()
    sealed = AESGCM(keys.keys[keys.current]).encrypt(
        nonce, plain, _associated(note_id, relationship))
    return {"relationship": relationship, "key_id": keys.current, "nonce": _b64(nonce),
            "ciphertext": _b64(sealed)}


def decrypt_note(keys: Keys, note_id: str, data: dict[str, Any]) -> dict[str, Any] | None:
    """The content of a private note's ``data``; None when this device lacks its key or
    the ciphertext does not open (altered, or moved from another note)."""
    key = keys.keys.get(str(data.get("key_id")))
    if key is None:
        return None
    try:
        plain = AESGCM(key).decrypt(_unb64(str(data["nonce"])), _unb64(str(data["ciphertext"])),
                                    _associated(note_id, str(data.get("relationship"))))
        content = json.loads(plain)
    except (InvalidTag, KeyError, ValueError, binascii.Error):
        return None
    return content if isinstance(content, dict) else None


def _kek(password: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=KEY_BYTES, n=SCRYPT_N, r=SCRYPT_R,
                  p=SCRYPT_P).derive(password.encode())


def wrap_key(key_id: str, key: bytes, password: str) -> dict[str, str]:
    """A ``notes_key`` record's ``data``: the key encrypted with a key derived from the
    password (scrypt, a new salt)."""
    salt, nonce = os.urandom(16), os.urandom(NONCE_BYTES)
    wrapped = AESGCM(_kek(password, salt)).encrypt(nonce, key, key_id.encode())
    return {"key_id": key_id, "kdf": KDF, "salt": _b64(salt), "nonce": _b64(nonce),
            "wrapped": _b64(wrapped)}


def unwrap_key(data: dict[str, Any], password: str) -> bytes | None:
    """The key a ``notes_key`` record wraps; None if the password does not open it."""
    if data.get("kdf") != KDF:
        return None
    try:
        key = AESGCM(_kek(password, _unb64(str(data["salt"])))).decrypt(
            _unb64(str(data["nonce"])), _unb64(str(data["wrapped"])),
            str(data["key_id"]).encode())
    except (InvalidTag, KeyError, ValueError, binascii.Error):
        return None
    return key if len(key) == KEY_BYTES else None

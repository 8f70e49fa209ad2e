"""Badges: Open Badges 3.0 credentials that a hub signs and anyone verifies offline.

A badge is an ``OpenBadgeCredential`` (a W3C Verifiable Credential 2.0) naming the hub as its
issuer (a ``Profile``), the achievement (a completed pack, by id and version, or a completed
goal) and the earner by a salted hash of their hub account (an ``IdentityObject``: the file
does not disclose the account). Its proof is a ``DataIntegrityProof`` with the cryptosuite
``eddsa-jcs-2022``: the document and the proof's options are each canonicalised by the JSON
Canonicalization Scheme (RFC 8785, :func:`canonical_json`), hashed with SHA-256, and the two
hashes (options first) signed with the hub's Ed25519 key. The proof's ``verificationMethod``
is that key as a ``did:key``, so the file carries the key that checks it: verification needs
no network and no account (:func:`verify`). Whether the key is a hub this machine trusts is a
separate question the caller answers with its pinned keys (:func:`trusted`).

This module is Qt-free and has no I/O: the hub builds and signs (app/hub/badges.py), the
client keeps and checks (app/sync/badges.py, app/mentorship/badge_cli.py).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from app.errors import SignatureError, UjuziError
from app.i18n import _
from app.packs.signing import check_chain, fingerprint

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CONTEXTS = [VC_CONTEXT, OB_CONTEXT]
CREDENTIAL_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
CRYPTOSUITE = "eddsa-jcs-2022"
PROOF_TYPE = "DataIntegrityProof"
PROOF_PURPOSE = "assertionMethod"
#: The multicodec prefix of an Ed25519 public key (0xed as an unsigned varint).
ED25519_PUB = b"\xed\x01"
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

#: The outcomes of :func:`verify`; only ``valid`` is a pass.
VALID, MALFORMED, TAMPERED, EXPIRED, NOT_YET_VALID, REVOKED = (
    "valid", "malformed", "tampered", "expired", "not_yet_valid", "revoked")


class BadgeError(UjuziError):
    """A badge that cannot be used: not a credential, or not canonicalisable."""


# -- JSON Canonicalization Scheme (RFC 8785) -------------------------------------------------

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r",
            "\t": "\\t"}


def _jcs_string(text: str) -> str:
    out = ['"']
    for char in text:
        code = ord(char)
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif code < 0x20:
            out.append(f"\\u{code:04x}")
        elif 0xD800 <= code <= 0xDFFF:
            raise BadgeError(_("A text holds a lone UTF-16 surrogate, which JSON "
                               "canonicalisation refuses."))
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _jcs_number(value: int | float) -> str:
    """A number as ECMAScript's ``Number.prototype.toString`` writes the IEEE 754 double:
    the shortest digits that read back to it, with an exponent below 1e-6 and from 1e21."""
    if isinstance(value, int):
        try:
            as_float = float(value)
        except OverflowError:
            raise BadgeError(_("A number is too large for JSON canonicalisation.")) from None
        if int(as_float) != value:
            raise BadgeError(_("The integer {value} is not exactly a JSON number (an IEEE "
                               "754 double).").format(value=str(value)[:40]))
        value = as_float
    if not math.isfinite(value):
        raise BadgeError(_("NaN and infinities are not JSON numbers."))
    if value == 0:
        return "0"  # and -0
    sign = "-" if value < 0 else ""
    mantissa, _e, exponent_text = repr(abs(value)).partition("e")
    whole, _dot, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + (int(exponent_text) if exponent_text else 0)
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k, n = len(digits), point  # the value is 0.<digits> * 10**n
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        exponent = n - 1
        mark = "+" if exponent >= 0 else "-"
        head = digits if k == 1 else digits[0] + "." + digits[1:]
        text = f"{head}e{mark}{abs(exponent)}"
    return sign + text


def _utf16_units(key: str) -> bytes:
    return key.encode("utf-16-be")  # big-endian: byte order is code-unit order


def canonical_json(value: Any) -> str:
    """``value`` serialised by RFC 8785: no whitespace, object members sorted by the UTF-16
    code units of their names, numbers as ECMAScript writes them, strings with only the
    escapes JSON needs. Raises :class:`BadgeError` for what JSON cannot hold."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float):
        return _jcs_number(value)
    if isinstance(value, str):
        return _jcs_string(value)
    if isinstance(value, list | tuple):
        return "[" + ",".join(canonical_json(item) for item in value) + "]"
    if isinstance(value, Mapping):
        names = list(value)
        if not all(isinstance(name, str) for name in names):
            raise BadgeError(_("JSON object member names are texts."))
        for name in names:
            _jcs_string(name)  # refuses lone surrogates before they are sorted
        members = sorted(names, key=_utf16_units)
        return "{" + ",".join(_jcs_string(name) + ":" + canonical_json(value[name])
                              for name in members) + "}"
    raise BadgeError(_("{kind} is not a JSON value.").format(kind=type(value).__name__))


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, value in pairs:
        if name in found:
            raise BadgeError(_("The member {name} appears twice in one object.")
                             .format(name=json.dumps(name)[:80]))
        found[name] = value
    return found


def _no_constant(name: str) -> Any:
    raise BadgeError(_("{name} is not a JSON number.").format(name=name))


def loads(text: str | bytes) -> Any:
    """Parse a badge file strictly: no member twice in an object (two readers could see two
    different badges), no NaN or infinities."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:
        if isinstance(error, BadgeError):
            raise
        raise BadgeError(_("The file is not JSON: {error}").format(error=str(error)[:200])) \
            from None


# -- keys: base58btc, multibase, did:key ------------------------------------------------------

def base58btc(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out: list[str] = []
    while number:
        number, digit = divmod(number, 58)
        out.append(BASE58[digit])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(out))


def unbase58btc(text: str) -> bytes:
    number = 0
    for char in text:
        digit = BASE58.find(char)
        if digit < 0:
            raise ValueError(f"not base58btc: {char!r}")
        number = number * 58 + digit
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def did_key(public_key: str) -> str:
    """The ``did:key`` of an Ed25519 public key given as base64 (as app/packs/signing.py
    keeps keys): ``did:key:z`` and the base58btc of the multicodec-prefixed key."""
    raw = base64.b64decode(public_key.encode("ascii"), validate=True)
    return "did:key:z" + base58btc(ED25519_PUB + raw)


def verification_method(public_key: str) -> str:
    did = did_key(public_key)
    return f"{did}#{did.removeprefix('did:key:')}"


def key_of_method(method: str) -> str:
    """The base64 Ed25519 key a ``did:key`` verification method names (ValueError if it
    names none)."""
    did, _hash, fragment = method.partition("#")
    if not did.startswith("did:key:z"):
        raise ValueError("not a did:key in base58btc")
    if fragment and fragment != did.removeprefix("did:key:"):
        raise ValueError("the fragment names another key")
    raw = unbase58btc(did.removeprefix("did:key:z"))
    if not raw.startswith(ED25519_PUB) or len(raw) != len(ED25519_PUB) + 32:
        raise ValueError("not an Ed25519 key")
    return base64.b64encode(raw[len(ED25519_PUB):]).decode("ascii")


# -- building and signing ---------------------------------------------------------------------

def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def identity_hash(account: str, salt: str) -> str:
    """The earner's account as OB hashes an identity: ``sha256$`` and the hex SHA-256 of the
    account followed by the salt."""
    return "sha256$" + hashlib.sha256((account + salt).encode("utf-8")).hexdigest()


def holds(credential: Mapping[str, Any], account: str) -> bool:
    """Whether ``credential`` was earned by ``account`` (its hashed identifier matches)."""
    subject = credential.get("credentialSubject")
    identifiers = subject.get("identifier") if isinstance(subject, Mapping) else None
    for item in identifiers if isinstance(identifiers, list) else []:
        if isinstance(item, Mapping) and isinstance(item.get("salt"), str) \
                and item.get("identityHash") == identity_hash(account, item["salt"]):
            return True
    return False


def urn(*parts: str) -> str:
    """A URN naming a thing of this hub, each part percent-encoded."""
    return "urn:ujuzi:" + ":".join(quote(part, safe="") for part in parts)


@dataclass(frozen=True)
class Achievement:
    """What a badge is for: ``kind`` ``pack`` (``subject`` its id, ``version``) or ``goal``
    (``subject`` the goal's id)."""

    kind: str
    subject: str
    version: str | None
    name: str
    description: str
    narrative: str


def build(*, credential_id: str, issuer_id: str, issuer_name: str, achievement: Achievement,
          account: str, salt: str, valid_from: datetime,
          valid_until: datetime | None = None) -> dict[str, Any]:
    """An unsigned ``OpenBadgeCredential``."""
    parts = (issuer_id, achievement.kind, achievement.subject) + (
        (achievement.version,) if achievement.version else ())
    credential: dict[str, Any] = {
        "@context": list(CONTEXTS),
        "id": credential_id,
        "type": list(CREDENTIAL_TYPES),
        "name": achievement.name,
        "issuer": {"id": issuer_id, "type": ["Profile"], "name": issuer_name},
        "validFrom": iso(valid_from),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityHash": identity_hash(account, salt),
                            "identityType": "userName", "hashed": True, "salt": salt}],
            "achievement": {
                "id": urn(*parts),
                "type": ["Achievement"],
                "name": achievement.name,
                "description": achievement.description,
                "criteria": {"id": urn(*parts, "criteria"), "narrative": achievement.narrative},
            },
        },
    }
    if valid_until is not None:
        credential["validUntil"] = iso(valid_until)
    return credential


def _hash_data(document: Mapping[str, Any], options: Mapping[str, Any]) -> bytes:
    """What ``eddsa-jcs-2022`` signs: SHA-256 of the canonical proof options (with the
    document's ``@context``), then SHA-256 of the canonical document without its proof."""
    config = dict(options)
    if "@context" in document:
        config["@context"] = document["@context"]
    return (hashlib.sha256(canonical_json(config).encode("utf-8")).digest()
            + hashlib.sha256(canonical_json(document).encode("utf-8")).digest())


def public_key_of(private: Ed25519PrivateKey) -> str:
    raw = private.public_key().public_bytes(serialization.Encoding.Raw,
                                            serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def sign(credential: Mapping[str, Any], private: Ed25519PrivateKey,
         created: datetime) -> dict[str, Any]:
    """``credential`` with a ``DataIntegrityProof`` (``eddsa-jcs-2022``) by ``private``."""
    document = {name: value for name, value in credential.items() if name != "proof"}
    options = {"type": PROOF_TYPE, "cryptosuite": CRYPTOSUITE, "created": iso(created),
               "verificationMethod": verification_method(public_key_of(private)),
               "proofPurpose": PROOF_PURPOSE}
    signature = private.sign(_hash_data(document, options))
    return {**document, "proof": {**options, "proofValue": "z" + base58btc(signature)}}


# -- verifying --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Verification:
    """What :func:`verify` found. ``ok`` only when ``status`` is ``valid``; ``reason`` says
    why not in words. ``trusted``: whether the key is one this machine already trusts (None
    when the key could not be read)."""

    ok: bool
    status: str
    reason: str
    id: str | None = None
    name: str | None = None
    issuer_id: str | None = None
    issuer_name: str | None = None
    public_key: str | None = None
    fingerprint: str | None = None
    trusted: bool | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    achievement: str | None = None
    criteria: str | None = None
    revoked: dict[str, Any] | None = field(default=None)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Bad(Exception):
    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def _moment(value: Any, name: str) -> datetime:
    if not isinstance(value, str):
        raise _Bad(MALFORMED, _("{name} is not a date and time.").format(name=name))
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _Bad(MALFORMED, _("{name} is not a date and time: {value}").format(
            name=name, value=value[:60])) from None
    if moment.tzinfo is None:
        raise _Bad(MALFORMED, _("{name} has no time zone.").format(name=name))
    return moment


def _check_shape(credential: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    if not isinstance(credential, dict):
        raise _Bad(MALFORMED, _("The file does not hold a credential (a JSON object)."))
    context = credential.get("@context")
    if not isinstance(context, list) or context[:1] != [VC_CONTEXT] or OB_CONTEXT not in context:
        raise _Bad(MALFORMED, _("This is not an Open Badges 3.0 credential (its @context)."))
    types = credential.get("type")
    if not isinstance(types, list) or not {"VerifiableCredential",
                                           "OpenBadgeCredential"} <= set(types):
        raise _Bad(MALFORMED, _("This is not an OpenBadgeCredential (its type)."))
    issuer = credential.get("issuer")
    if not isinstance(issuer, dict) or not isinstance(issuer.get("id"), str):
        raise _Bad(MALFORMED, _("The credential names no issuer."))
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict) or not isinstance(subject.get("achievement"), dict):
        raise _Bad(MALFORMED, _("The credential names no achievement."))
    proof = credential.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, dict):
        raise _Bad(MALFORMED, _("The credential has no proof (it is not signed)."))
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise _Bad(MALFORMED, _("The proof is not a {type} with the cryptosuite {suite}.")
                   .format(type=PROOF_TYPE, suite=CRYPTOSUITE))
    if proof.get("proofPurpose") != PROOF_PURPOSE:
        raise _Bad(MALFORMED, _("The proof's purpose is not {purpose}.")
                   .format(purpose=PROOF_PURPOSE))
    return credential, proof


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def verify(credential: Any, now: datetime | None = None,
           revoked: Mapping[str, Mapping[str, Any]] | None = None,
           trusted_keys: Sequence[str] = (),
           endorsements: Sequence[Mapping[str, Any]] = ()) -> Verification:
    """Check a credential with what it carries: its shape, the proof against the key its
    ``verificationMethod`` names, its validity period at ``now``, and whether ``revoked``
    (credential id -> ``{"revoked_at", "reason"}``, as far as known) lists it. ``trusted``
    is computed from ``trusted_keys`` and ``endorsements`` (:func:`trusted`)."""
    now = now or datetime.now(UTC)
    facts: dict[str, Any] = {}
    try:
        document, proof = _check_shape(credential)
        issuer = document["issuer"]
        achievement = document["credentialSubject"]["achievement"]
        criteria = achievement.get("criteria")
        facts.update(
            id=_text(document.get("id")), name=_text(document.get("name")),
            issuer_id=_text(issuer.get("id")), issuer_name=_text(issuer.get("name")),
            valid_from=_text(document.get("validFrom")),
            valid_until=_text(document.get("validUntil")),
            achievement=_text(achievement.get("name")),
            criteria=_text(criteria.get("narrative")) if isinstance(criteria, dict) else None)
        method = proof.get("verificationMethod")
        try:
            key = key_of_method(method) if isinstance(method, str) else None
        except ValueError:
            key = None
        if key is None:
            raise _Bad(MALFORMED, _("The proof does not name an Ed25519 did:key."))
        facts.update(public_key=key, fingerprint=fingerprint(key),
                     trusted=trusted(key, trusted_keys, endorsements))
        value = proof.get("proofValue")
        if not isinstance(value, str) or not value.startswith("z"):
            raise _Bad(MALFORMED, _("The proof has no proofValue in base58btc."))
        try:
            signature = unbase58btc(value[1:])
        except ValueError:
            raise _Bad(MALFORMED, _("The proof's proofValue is not base58btc.")) from None
        options = {name: item for name, item in proof.items() if name != "proofValue"}
        if "@context" in options:
            if options["@context"] != document["@context"]:
                raise _Bad(TAMPERED, _("The proof was made for another @context."))
            del options["@context"]
        unsecured = {name: item for name, item in document.items() if name != "proof"}
        try:
            data = _hash_data(unsecured, options)
        except BadgeError as error:
            raise _Bad(MALFORMED, str(error)) from None
        try:
            Ed25519PublicKey.from_public_bytes(base64.b64decode(key)).verify(signature, data)
        except (InvalidSignature, ValueError, binascii.Error):
            raise _Bad(TAMPERED, _("The signature does not match: the credential was "
                                   "changed after it was signed, or not signed by the key "
                                   "it names.")) from None
        start = _moment(document.get("validFrom"), "validFrom")
        if now < start:
            raise _Bad(NOT_YET_VALID, _("The credential is valid only from {when}.")
                       .format(when=document["validFrom"]))
        if "validUntil" in document:
            end = _moment(document.get("validUntil"), "validUntil")
            if now > end:
                raise _Bad(EXPIRED, _("The credential expired on {when}.")
                           .format(when=document["validUntil"]))
        listed = (revoked or {}).get(str(document.get("id")))
        if listed is not None:
            facts["revoked"] = dict(listed)
            reason = str(listed.get("reason") or "")
            raise _Bad(REVOKED, (_("The issuer revoked the credential on {when}: {reason}")
                                 if reason else _("The issuer revoked the credential on "
                                                  "{when}.")).format(
                when=listed.get("revoked_at") or "?", reason=reason))
    except _Bad as bad:
        return Verification(False, bad.status, bad.reason, **facts)
    return Verification(True, VALID, _("The proof is valid."), **facts)


def trusted(key: str, pinned: Sequence[str],
            endorsements: Sequence[Mapping[str, Any]] = ()) -> bool:
    """Whether ``key`` is a key of a hub this machine trusts: one of the ``pinned`` keys, a
    newer key a chain of endorsements leads to from one, or an older key of that hub (one
    from which a chain leads to a pinned key)."""
    for pin in pinned:
        if key == pin:
            return True
        for start, end in ((pin, key), (key, pin)):
            try:
                check_chain(start, end, endorsements)
            except SignatureError:
                continue
            return True
    return False

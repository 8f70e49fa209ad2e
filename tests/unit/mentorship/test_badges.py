"""Badges' core (app/mentorship/badges.py): JSON canonicalisation against RFC 8785's own
examples, did:key, and an Open Badges 3.0 credential signed with eddsa-jcs-2022 that fails
verification when any part is changed, expires, or is revoked."""

from __future__ import annotations

import copy
import json
import struct
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.mentorship import badges
from app.packs.signing import HubKey, fingerprint

# -- RFC 8785 ---------------------------------------------------------------------------------

# RFC 8785 section 3.2.2 (the sample input) and its canonical form (section 3.2.3 / 3.2.4).
RFC_INPUT = r'''{
  "numbers": [333333333.33333329, 1E30, 4.50,
              2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}'''
RFC_OUTPUT = ('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,'
              '1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}')

# RFC 8785 section 3.2.3: sorting by UTF-16 code units.
RFC_SORT_INPUT = r'''{
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis"
}'''
RFC_SORT_VALUES = ["Carriage Return", "One", "Control", "Latin Small Letter O With Diaeresis",
                   "Euro Sign", "Emoji: Grinning Face", "Hebrew Letter Dalet With Dagesh"]

# RFC 8785 appendix B: IEEE 754 doubles (as hex) and their serialisation.
RFC_NUMBERS = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


def double(hex_bits: str) -> float:
    value: float = struct.unpack(">d", bytes.fromhex(hex_bits))[0]
    return value


def test_jcs_gives_rfc_8785s_canonical_form_of_its_sample() -> None:
    assert badges.canonical_json(json.loads(RFC_INPUT)) == RFC_OUTPUT


def test_jcs_sorts_members_by_utf16_code_units_as_rfc_8785_shows() -> None:
    canonical = badges.canonical_json(json.loads(RFC_SORT_INPUT))
    assert list(json.loads(canonical).values()) == RFC_SORT_VALUES
    # U+1F600 (a surrogate pair, 0xD83D...) sorts before U+FB33, unlike by code point.
    assert canonical.index("\U0001f600") < canonical.index("\ufb33")


@pytest.mark.parametrize(("bits", "expected"), RFC_NUMBERS)
def test_jcs_numbers_as_rfc_8785_appendix_b(bits: str, expected: str) -> None:
    assert badges.canonical_json(double(bits)) == expected


@pytest.mark.parametrize("bits", ["7fffffffffffffff", "7ff0000000000000"])
def test_jcs_refuses_nan_and_infinity(bits: str) -> None:
    with pytest.raises(badges.BadgeError):
        badges.canonical_json(double(bits))


def test_jcs_integers_and_what_json_cannot_hold() -> None:
    assert badges.canonical_json([1, -7, 2**53, 10**21]) == "[1,-7,9007199254740992,1e+21]"
    with pytest.raises(badges.BadgeError):
        badges.canonical_json(2**53 + 1)  # not a double
    with pytest.raises(badges.BadgeError):
        badges.canonical_json("\ud800")  # a lone surrogate


def test_strict_loading_refuses_a_member_twice() -> None:
    with pytest.raises(badges.BadgeError, match="twice"):
        badges.loads('{"id": "a", "id": "b"}')
    with pytest.raises(badges.BadgeError):
        badges.loads('{"n": NaN}')


# -- keys ---------------------------------------------------------------------------------------

def test_did_key_round_trips_and_has_the_ed25519_prefix() -> None:
    key = HubKey.generate().public_key
    did = badges.did_key(key)
    assert did.startswith("did:key:z6Mk")  # the multicodec 0xed01 in base58btc
    assert badges.key_of_method(badges.verification_method(key)) == key
    assert badges.unbase58btc(badges.base58btc(b"\0\0abc")) == b"\0\0abc"
    with pytest.raises(ValueError):
        badges.key_of_method("did:web:example.org")


# -- credentials ----------------------------------------------------------------------------------

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def credential(private: Ed25519PrivateKey, until: datetime | None = None) -> dict[str, Any]:
    unsigned = badges.build(
        credential_id="urn:uuid:2f0f8a53-5b8e-4b43-9d0b-0a3e7bb6f6c1",
        issuer_id="urn:uuid:4d9c3a77-3d21-4e0c-8a53-94b1b0e0d1f2", issuer_name="Ujuzi Nairobi",
        achievement=badges.Achievement("pack", "wiki-basics", "1.0.0", "Wikipedia basics",
                                       "Completed the pack Wikipedia basics.",
                                       "Completed every resource of wiki-basics 1.0.0."),
        account="baraka", salt="5f1c", valid_from=NOW - timedelta(days=1), valid_until=until)
    return badges.sign(unsigned, private, NOW - timedelta(days=1))


def test_a_signed_credential_is_an_open_badge_that_verifies() -> None:
    private = Ed25519PrivateKey.generate()
    signed = credential(private)
    assert signed["@context"] == [badges.VC_CONTEXT, badges.OB_CONTEXT]
    assert signed["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert signed["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert "baraka" not in json.dumps(signed)  # the account is only hashed
    assert badges.holds(signed, "baraka") and not badges.holds(signed, "amina")
    result = badges.verify(signed, NOW)
    key = badges.public_key_of(private)
    assert result.ok and result.status == "valid"
    assert (result.issuer_name, result.public_key, result.fingerprint) == (
        "Ujuzi Nairobi", key, fingerprint(key))
    assert result.trusted is False
    assert badges.verify(signed, NOW, trusted_keys=[key]).trusted is True
    # A key order or whitespace change is no change.
    reparsed = badges.loads(json.dumps(signed, indent=3)[::1])
    assert badges.verify(dict(reversed(list(reparsed.items()))), NOW).ok


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [path for name, item in value.items() for path in _paths(item, (*prefix, name))]
    if isinstance(value, list):
        return [path for index, item in enumerate(value)
                for path in _paths(item, (*prefix, index))]
    return [prefix]


def _changed(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, str):
        return value[:-1] + ("x" if not value.endswith("x") else "y") if value else "x"
    return value


def test_changing_any_field_the_proof_or_the_key_fails() -> None:
    signed = credential(Ed25519PrivateKey.generate())
    paths = _paths(signed)
    assert len(paths) > 20
    for path in paths:
        tampered = copy.deepcopy(signed)
        holder = tampered
        for step in path[:-1]:
            holder = holder[step]
        holder[path[-1]] = _changed(holder[path[-1]])
        result = badges.verify(tampered, NOW)
        assert not result.ok, path
        assert result.status in ("tampered", "malformed"), (path, result)
    added = copy.deepcopy(signed)
    added["credentialSubject"]["achievement"]["name"] += "!"
    assert badges.verify(added, NOW).status == "tampered"
    other_key = copy.deepcopy(signed)
    other_key["proof"]["verificationMethod"] = badges.verification_method(
        HubKey.generate().public_key)
    assert badges.verify(other_key, NOW).status == "tampered"
    unsigned = {name: value for name, value in signed.items() if name != "proof"}
    assert badges.verify(unsigned, NOW).status == "malformed"
    assert badges.verify([1, 2], NOW).status == "malformed"


def test_resigned_by_another_key_verifies_but_is_not_trusted() -> None:
    pinned = Ed25519PrivateKey.generate()
    forged = credential(Ed25519PrivateKey.generate())
    result = badges.verify(forged, NOW, trusted_keys=[badges.public_key_of(pinned)])
    assert result.ok and result.trusted is False


def test_an_expired_credential_fails_and_one_not_yet_valid_too() -> None:
    signed = credential(Ed25519PrivateKey.generate(), until=NOW + timedelta(days=30))
    assert badges.verify(signed, NOW).ok
    late = badges.verify(signed, NOW + timedelta(days=31))
    assert (late.ok, late.status) == (False, "expired")
    assert "expired" in late.reason
    early = badges.verify(signed, NOW - timedelta(days=2))
    assert (early.ok, early.status) == (False, "not_yet_valid")


def test_a_revoked_credential_fails_with_the_reason() -> None:
    signed = credential(Ed25519PrivateKey.generate())
    revoked = {signed["id"]: {"revoked_at": "2026-12-06T10:00:00Z", "reason": "awarded twice"}}
    result = badges.verify(signed, NOW, revoked=revoked)
    assert (result.ok, result.status) == (False, "revoked")
    assert "awarded twice" in result.reason


def test_trust_follows_endorsements_both_ways() -> None:
    old, new = HubKey.generate(), HubKey.generate()
    chain = [{"key": new.public_key, "signed_by": old.public_key,
              "signature": old.endorse(new.public_key)}]
    assert badges.trusted(new.public_key, [old.public_key], chain)
    assert badges.trusted(old.public_key, [new.public_key], chain)
    assert not badges.trusted(new.public_key, [old.public_key], [])
    assert not badges.trusted(HubKey.generate().public_key, [old.public_key], chain)

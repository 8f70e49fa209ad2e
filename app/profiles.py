"""Who is learning: the library's profiles as the window shows them, and the optional PIN
of each profile.

A PIN is a small lock between learners who share a laptop, not a password: it is kept on
this device only (the library's ``meta`` table, which never syncs), hashed with scrypt and a
random salt, never in clear. The window runs these functions on its task runner.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from app.errors import UjuziError
from app.i18n import _, ngettext
from app.library import DEFAULT_PROFILE, Library
from app.store.records import get_meta, set_meta

#: scrypt's cost: about 16 MiB and a few tens of milliseconds, enough for a short PIN on a
#: device the learners share.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
PIN_MIN, PIN_MAX = 4, 12


class PinError(UjuziError):
    """A PIN that is wrong or not made of 4 to 12 digits."""


@dataclass(frozen=True)
class ProfileEntry:
    name: str
    has_pin: bool


def _key(library: Library, name: str) -> str:
    return f"profile_pin:{library.profile_id(name)}"


def _store(library: Library, name: str, value: str | None) -> None:
    with library.db.atomic():
        set_meta(library.db, _key(library, name), value)


def _digest(pin: str, salt: bytes) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                          dklen=32)


def check_format(pin: str) -> str:
    pin = pin.strip()
    if not (PIN_MIN <= len(pin) <= PIN_MAX and pin.isascii() and pin.isdigit()):
        raise PinError(ngettext("A PIN is made of {low} to {high} digit.",
                                "A PIN is made of {low} to {high} digits.",
                                PIN_MAX).format(low=PIN_MIN, high=PIN_MAX))
    return pin


def has_pin(library: Library, name: str) -> bool:
    return get_meta(library.db, _key(library, name)) is not None


def pin_matches(library: Library, name: str, pin: str) -> bool:
    """Whether ``pin`` opens the profile (a profile without a PIN opens with anything)."""
    stored = get_meta(library.db, _key(library, name))
    if stored is None:
        return True
    try:
        scheme, salt, digest = stored.split("$")
        expected = bytes.fromhex(digest)
        salt_bytes = bytes.fromhex(salt)
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    return hmac.compare_digest(_digest(pin.strip(), salt_bytes), expected)


def set_pin(library: Library, name: str, pin: str | None, current: str = "") -> None:
    """Set, change (``pin``) or remove (None) a profile's PIN; a profile that has one needs
    ``current`` to match."""
    if not pin_matches(library, name, current):
        raise PinError(_("The current PIN is not right."))
    if pin is None:
        _store(library, name, None)
        return
    pin = check_format(pin)
    salt = secrets.token_bytes(16)
    _store(library, name, f"scrypt${salt.hex()}${_digest(pin, salt).hex()}")


def profile_entries(library: Library) -> list[ProfileEntry]:
    """Every profile, the default one first, with whether it has a PIN."""
    names = [str(row["name"]) for row in library.profiles()]
    names.sort(key=lambda name: (name != DEFAULT_PROFILE, name.casefold()))
    return [ProfileEntry(name, has_pin(library, name)) for name in names]


def current_profile(library: Library, wanted: str | None) -> str:
    """The profile the window starts with: the one asked for, else the library's setting,
    else the default one."""
    names = {str(row["name"]) for row in library.profiles()}
    for name in (wanted, library.settings.get("profile"), DEFAULT_PROFILE):
        if name and name in names:
            return str(name)
    return DEFAULT_PROFILE


def open_profile(library: Library, name: str, pin: str) -> str:
    """Check the PIN of the profile the learner chose; raise :class:`PinError` if wrong."""
    library.profile_id(name)  # an unknown name says so
    if not pin_matches(library, name, pin):
        raise PinError(_("That PIN is not right. Try again."))
    return name

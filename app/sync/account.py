"""The hub account of one library: signing in and out, the pinned hub key, the token.

The token lives in the keyring that the ``keyring`` package is configured with (the OS
keyring, or the backend ``PYTHON_KEYRING_BACKEND`` names), under the service ``ujuzi`` and a
user name made of the hub's URL, the account and this library's device id, so two data
directories never share a token. Without a usable keyring, signing in fails with one line:
the token is never written to a file of ours.

The hub's public key is pinned in the library's settings at the first login to a hub (and
its fingerprint shown, as SSH does). A later login to the same hub that presents another key
is refused unless a chain of endorsements leads from the pinned key to it
(:func:`app.packs.signing.verify_endorsement`); then the new key is pinned.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

import keyring
import keyring.errors

from app.errors import AuthError, HubError, SignatureError, UjuziError
from app.i18n import _
from app.library import Library
from app.packs.signing import fingerprint as key_fingerprint
from app.packs.signing import verify_endorsement
from app.store.records import DEVICE_KEY, get_meta
from app.sync import state
from app.sync.http import HubSession, normalise_url

KEYRING_SERVICE = "ujuzi"


class KeyringUnavailable(AuthError):
    """No keyring can keep the token (none installed, locked, or failing)."""


@dataclass(frozen=True)
class LoginResult:
    user: str
    role: str
    fingerprint: str
    first_pin: bool  # the hub's key was pinned by this login
    rotated: bool = False  # a key endorsed by the pinned one replaced it


def _keyring_error(exc: BaseException) -> KeyringUnavailable:
    return KeyringUnavailable(
        _("No keyring is available to keep the hub's sign-in token ({error}); start the "
          "desktop's keyring (GNOME Keyring, KWallet) or choose one with "
          "PYTHON_KEYRING_BACKEND. Ujuzi never writes the token to a file.")
        .format(error=str(exc) or type(exc).__name__)
    )


def _announced_key(info: Any, url: str) -> tuple[str, list[dict[str, Any]]]:
    try:
        key = str(info["key"]["public_key"])
        endorsements = [dict(item) for item in info.get("endorsements") or []]
    except (KeyError, TypeError, ValueError):
        raise HubError(
            _("{url} does not answer like an Ujuzi hub.").format(url=url)) from None
    return key, endorsements


def check_key(pinned: str, key: str, endorsements: list[dict[str, Any]]) -> None:
    """Raise :class:`SignatureError` unless ``key`` is ``pinned`` or reached from it by a
    chain of valid endorsements (each newer key signed by the one before it)."""
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
                    new=key_fingerprint(key), old=key_fingerprint(pinned))
            )
        verify_endorsement(current, str(step["key"]), str(step["signature"]))
        current = str(step["key"])
        seen.add(current)


class Account:
    """The hub account of one library (its settings and its keyring entry)."""

    def __init__(self, library: Library) -> None:
        self.library = library

    # -- what is known locally --------------------------------------------------------

    @property
    def url(self) -> str | None:
        self.library.settings.reload()
        return str(self.library.settings.get("hub_url")) or None

    @property
    def user(self) -> str | None:
        self.library.settings.reload()
        return str(self.library.settings.get("hub_user")) or None

    @property
    def pinned_key(self) -> str | None:
        self.library.settings.reload()
        return str(self.library.settings.get("hub_key")) or None

    @property
    def fingerprint(self) -> str | None:
        key = self.pinned_key
        return key_fingerprint(key) if key else None

    @property
    def signed_in(self) -> bool:
        """Whether a token is kept for the current hub and user (the hub may still have
        revoked it or let it expire; the next call says so)."""
        try:
            return self._token() is not None
        except KeyringUnavailable:
            return False

    def role(self) -> str | None:
        """The account's role, from the last login or :meth:`refresh`."""
        return state.get(self.library.db, state.ROLE) if self.signed_in else None

    def _keyring_user(self, url: str, user: str) -> str:
        device = get_meta(self.library.db, DEVICE_KEY) or ""
        return f"{url} {user} {device}"

    def _token(self) -> str | None:
        url, user = self.url, self.user
        if not url or not user:
            return None
        try:
            return keyring.get_password(KEYRING_SERVICE, self._keyring_user(url, user))
        except (keyring.errors.KeyringError, RuntimeError) as exc:
            raise _keyring_error(exc) from None

    def token(self) -> str:
        """The token of the signed-in account; :class:`AuthError` when there is none."""
        token = self._token()
        if not token:
            raise AuthError(
                _("Not signed in to a hub; sign in with 'ujuzi login URL --user NAME'."))
        return token

    def session(self) -> HubSession:
        """A session with the hub, signed in."""
        url = self.url
        if not url:
            raise AuthError(
                _("Not signed in to a hub; sign in with 'ujuzi login URL --user NAME'."))
        return HubSession(url, self.token())

    def require_key(self) -> str:
        key = self.pinned_key
        if not key:
            raise AuthError(
                _("No hub key is pinned; sign in with 'ujuzi login URL --user NAME'."))
        return key

    # -- the hub --------------------------------------------------------------------------

    def login(self, url: str, user: str, password: str) -> LoginResult:
        """Sign in: check (or pin, at the first login to this hub) the hub's key, ask the hub
        for a token and keep it in the keyring."""
        url = normalise_url(url)
        user = user.strip()
        if not user:
            raise AuthError(_("An account name is needed to sign in."))
        settings = self.library.settings
        settings.reload()
        same_hub = settings.get("hub_url") == url and bool(settings.get("hub_key"))
        pinned = str(settings.get("hub_key")) if same_hub else None
        # Fail before the password travels when the token could not be kept.
        try:
            keyring.get_password(KEYRING_SERVICE, self._keyring_user(url, user))
        except (keyring.errors.KeyringError, RuntimeError) as exc:
            raise _keyring_error(exc) from None
        with HubSession(url) as hub:
            key, endorsements = _announced_key(hub.json("GET", "/api/v1/hub"), url)
            key_fingerprint(key)  # a malformed key fails here, in words
            if pinned is not None and pinned != key:
                check_key(pinned, key, endorsements)
            device = get_meta(self.library.db, DEVICE_KEY) or ""
            answer = hub.json("POST", "/api/v1/auth/login",
                              json={"user": user, "password": password, "device": device})
        try:
            token = str(answer["token"])
            role = str(answer["user"]["role"])
            name = str(answer["user"].get("name") or user)
        except (KeyError, TypeError):
            raise HubError(_("{url} does not answer like an Ujuzi hub.").format(url=url)) from None
        old_url, old_user = self.url, self.user
        if (old_url, old_user) != (url, user) and old_url and old_user:
            self._forget(old_url, old_user)
        try:
            keyring.set_password(KEYRING_SERVICE, self._keyring_user(url, user), token)
        except (keyring.errors.KeyringError, RuntimeError) as exc:
            raise _keyring_error(exc) from None
        settings.set("hub_url", url)
        settings.set("hub_user", user)
        settings.set("hub_key", key)
        state.put(self.library.db, state.ROLE, role)
        if not same_hub:
            state.put(self.library.db, state.CATALOG, None)  # another hub's catalog
        return LoginResult(name, role, key_fingerprint(key), first_pin=pinned is None,
                           rotated=pinned is not None and pinned != key)

    def refresh(self) -> dict[str, Any]:
        """Ask the hub who is signed in (``GET /api/v1/me``); keeps the role."""
        with self.session() as hub:
            me = hub.json("GET", "/api/v1/me")
        if not isinstance(me, dict) or "role" not in me:
            raise HubError(_("The hub sent an answer the client cannot use."))
        state.put(self.library.db, state.ROLE, str(me["role"]))
        return me

    def logout(self) -> bool:
        """Revoke the token on the hub when it can be reached, and forget it here in any
        case. Returns whether the hub revoked it."""
        url, user = self.url, self.user
        if not url or not user:
            return False
        revoked = False
        try:
            token = self._token()
        except KeyringUnavailable:
            token = None
        if token:
            try:
                with HubSession(url, token) as hub:
                    hub.request("POST", "/api/v1/auth/logout", expect=(200, 204))
                revoked = True
            except UjuziError:
                revoked = False  # unreachable, or the token was already invalid
        with contextlib.suppress(KeyringUnavailable):  # then there is nothing to forget
            self._forget(url, user)
        state.put(self.library.db, state.ROLE, None)
        return revoked

    def _forget(self, url: str, user: str) -> None:
        try:
            keyring.delete_password(KEYRING_SERVICE, self._keyring_user(url, user))
        except keyring.errors.PasswordDeleteError:
            pass
        except (keyring.errors.KeyringError, RuntimeError) as exc:
            raise _keyring_error(exc) from None

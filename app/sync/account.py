"""The hub account of a learner profile: signing in and out, the pinned hub key, the token.

Each local profile links to its own hub account, and its records sync only with that
account (app/sync/records.py). The default profile's link is the library's: it is kept in the
settings (``hub_url``, ``hub_user``, ``hub_key``), and downloads, the catalog and review use
it; another profile's link is a row of the ``hub_links`` table. Two profiles of one library
never link to the same account. Signing a profile in to another account than the one it
synced with puts all its records in the outbox again, for the new account.

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

from app.errors import AuthError, HubError, UjuziError
from app.i18n import _
from app.library import DEFAULT_PROFILE, Library
from app.packs.signing import check_chain
from app.packs.signing import fingerprint as key_fingerprint
from app.store.records import DEVICE_KEY, enqueue_all, get_meta
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


class Account:
    """The hub account of one profile (by name; None: the default profile, whose link is
    the library's, in its settings), and its keyring entry."""

    def __init__(self, library: Library, profile: str | None = None) -> None:
        self.library = library
        self.profile = profile or DEFAULT_PROFILE
        #: Whether the link is the library's (the settings) rather than a ``hub_links`` row.
        self.in_settings = self.profile == DEFAULT_PROFILE

    @property
    def profile_id(self) -> str:
        return self.library.profile_id(self.profile)

    # -- what is known locally --------------------------------------------------------

    def _link(self) -> tuple[str, str, str]:
        """``(url, user, key)`` of the linked account ('' where none)."""
        if self.in_settings:
            settings = self.library.settings
            settings.reload()
            return (str(settings.get("hub_url")), str(settings.get("hub_user")),
                    str(settings.get("hub_key")))
        row = self.library.db.execute(
            "SELECT hub_url, hub_user, hub_key FROM hub_links WHERE profile_id = ?",
            (self.profile_id,)).fetchone()
        return ("", "", "") if row is None else (str(row[0]), str(row[1]), str(row[2]))

    def _store_link(self, url: str, user: str, key: str, role: str) -> None:
        if self.in_settings:
            settings = self.library.settings
            settings.set("hub_url", url)
            settings.set("hub_user", user)
            settings.set("hub_key", key)
            state.put(self.library.db, state.ROLE, role)
            return
        with self.library.db.atomic():
            self.library.db.execute(
                "INSERT INTO hub_links(profile_id, hub_url, hub_user, hub_key, role) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(profile_id) DO UPDATE SET "
                "hub_url = excluded.hub_url, hub_user = excluded.hub_user, "
                "hub_key = excluded.hub_key, role = excluded.role",
                (self.profile_id, url, user, key, role))

    def _store_role(self, role: str | None) -> None:
        if self.in_settings:
            state.put(self.library.db, state.ROLE, role)
            return
        with self.library.db.atomic():
            self.library.db.execute("UPDATE hub_links SET role = ? WHERE profile_id = ?",
                                    (role, self.profile_id))

    def _linked_elsewhere(self, url: str, user: str) -> str | None:
        """The name of another local profile linked to this account, if any."""
        library = self.library
        others: list[tuple[str, str, str]] = [
            (str(name), str(row_url), str(row_user)) for name, row_url, row_user in
            library.db.execute(
                "SELECT p.name, l.hub_url, l.hub_user FROM hub_links l JOIN profiles p "
                "ON p.id = l.profile_id WHERE p.deleted = 0 AND p.id != ?",
                (self.profile_id,))]
        if not self.in_settings:
            library.settings.reload()
            others.append((DEFAULT_PROFILE, str(library.settings.get("hub_url")),
                           str(library.settings.get("hub_user"))))
        for name, other_url, other_user in others:
            if (other_url, other_user) == (url, user):
                return name
        return None

    @property
    def url(self) -> str | None:
        return self._link()[0] or None

    @property
    def user(self) -> str | None:
        return self._link()[1] or None

    @property
    def pinned_key(self) -> str | None:
        return self._link()[2] or None

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
        if not self.signed_in:
            return None
        if self.in_settings:
            return state.get(self.library.db, state.ROLE)
        row = self.library.db.execute("SELECT role FROM hub_links WHERE profile_id = ?",
                                      (self.profile_id,)).fetchone()
        return None if row is None or row[0] is None else str(row[0])

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
        old_url, old_user, old_key = self._link()
        same_hub = old_url == url and bool(old_key)
        pinned = old_key if same_hub else None
        other = self._linked_elsewhere(url, user)
        if other is not None:
            raise AuthError(
                _("The profile {other} on this device already syncs with {user} at {url}; "
                  "each profile links to its own account.").format(
                    other=other, user=user, url=url))
        # Fail before the password travels when the token could not be kept.
        try:
            keyring.get_password(KEYRING_SERVICE, self._keyring_user(url, user))
        except (keyring.errors.KeyringError, RuntimeError) as exc:
            raise _keyring_error(exc) from None
        with HubSession(url) as hub:
            key, endorsements = _announced_key(hub.json("GET", "/api/v1/hub"), url)
            key_fingerprint(key)  # a malformed key fails here, in words
            if pinned is not None and pinned != key:
                check_chain(pinned, key, endorsements)
            device = get_meta(self.library.db, DEVICE_KEY) or ""
            answer = hub.json("POST", "/api/v1/auth/login",
                              json={"user": user, "password": password, "device": device})
        try:
            token = str(answer["token"])
            role = str(answer["user"]["role"])
            name = str(answer["user"].get("name") or user)
        except (KeyError, TypeError):
            raise HubError(_("{url} does not answer like an Ujuzi hub.").format(url=url)) from None
        another_account = (old_url, old_user) != (url, user) and bool(old_url and old_user)
        if another_account:
            self._forget(old_url, old_user)
        try:
            keyring.set_password(KEYRING_SERVICE, self._keyring_user(url, user), token)
        except (keyring.errors.KeyringError, RuntimeError) as exc:
            raise _keyring_error(exc) from None
        self._store_link(url, user, key, role)
        with contextlib.suppress(UjuziError):  # the next login tries again
            from app.sync.notes_keys import notes_key_at_login
            notes_key_at_login(self.library, self.profile, url, user, token, password)
        if another_account:
            enqueue_all(self.library.db, self.profile_id)  # the new account has none of them
        if not same_hub and self.in_settings:
            state.put(self.library.db, state.CATALOG, None)  # another hub's catalog
        return LoginResult(name, role, key_fingerprint(key), first_pin=pinned is None,
                           rotated=pinned is not None and pinned != key)

    def refresh(self) -> dict[str, Any]:
        """Ask the hub who is signed in (``GET /api/v1/me``); keeps the role."""
        with self.session() as hub:
            me = hub.json("GET", "/api/v1/me")
        if not isinstance(me, dict) or "role" not in me:
            raise HubError(_("The hub sent an answer the client cannot use."))
        self._store_role(str(me["role"]))
        return me

    def logout(self) -> bool:
        """Revoke the token on the hub when it can be reached, and forget it here in any
        case, with the account's private-notes key (the next login unwraps it again).
        Returns whether the hub revoked it."""
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
        from app.sync.notes_keys import forget_notes_keys

        with contextlib.suppress(UjuziError):  # no keyring: it holds no notes key either
            forget_notes_keys(self.library, self.profile, url, user)
        self._store_role(None)
        return revoked

    def _forget(self, url: str, user: str) -> None:
        try:
            keyring.delete_password(KEYRING_SERVICE, self._keyring_user(url, user))
        except keyring.errors.PasswordDeleteError:
            pass
        except (keyring.errors.KeyringError, RuntimeError) as exc:
            raise _keyring_error(exc) from None

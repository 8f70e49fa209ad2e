"""The account's private-notes keys at ``ujuzi login``: the one moment the password is at
hand to unwrap them (docs/mentorship.md, "On the client"). The login calls it; mentorship's
client (app/mentorship/local.py) uses the keys afterwards."""

from __future__ import annotations

from typing import Any

import keyring
import keyring.errors

from app.errors import HubError
from app.i18n import _
from app.library import Library
from app.mentorship import crypto
from app.mentorship.store import PENDING_KEY, cache_put, rows, write
from app.sync.http import HubSession


def notes_key_at_login(library: Library, profile: str | None, url: str, user: str,
                       token: str, password: str) -> None:
    """With the password just typed: unwrap into the keyring the account's notes keys (the
    ``notes_key`` records on the hub and on this device), and wrap again every key the
    keyring holds that the hub lacks or that another password wrapped (``notes_key``
    records in the outbox). An account with no key yet gets one made and wrapped now, kept
    in the library database (0600, where a note's text is before it is encrypted) until the
    first private note moves it to the keyring and sends its wrapped form: an account that
    never writes a private note keeps nothing in the keyring."""
    profile_id = library.profile_id(profile)
    wrapped: dict[str, dict[str, Any]] = {}
    with HubSession(url, token) as hub:
        since, more = 0, True
        while more:
            page = hub.json("GET", f"/api/v1/sync/pull?since={since}&limit=1000")
            try:
                for item in page["records"]:
                    record = item["record"]
                    if record.get("type") == "notes_key" and not record.get("deleted"):
                        wrapped[str(record["id"])] = dict(record.get("data") or {})
                since, more = int(page["cursor"]), bool(page["more"])
            except (KeyError, TypeError, ValueError, AttributeError):
                raise HubError(_("The hub sent an answer the client cannot use.")) from None
    for state in rows(library, "mentor_notes_keys", profile_id):
        wrapped.setdefault(state["id"], state["data"])
    keys = crypto.load_keys(url, user)
    held = dict(keys.keys)
    opened: set[str] = set()
    for key_id, data in sorted(wrapped.items()):
        key = crypto.unwrap_key(data, password)
        if key is not None:
            opened.add(key_id)
            keys.add(key_id, key)
    with library.db.atomic():
        library.db.execute("DELETE FROM mentor_cache WHERE profile_id = ? AND name = ?",
                           (profile_id, PENDING_KEY))
        if keys.keys:
            for key_id, key in sorted(keys.keys.items()):
                if key_id not in opened:
                    write(library, "mentor_notes_keys", profile_id, key_id,
                          crypto.wrap_key(key_id, key, password))
        else:
            key_id, key = crypto.new_key()
            cache_put(library, profile_id, PENDING_KEY, {
                "key_id": key_id, "key": crypto.encode(key),
                "wrapped": crypto.wrap_key(key_id, key, password)})
    if keys.keys != held:
        crypto.store_keys(url, user, keys)


def forget_notes_keys(library: Library, profile: str | None, url: str, user: str) -> None:
    """At sign-out: remove the account's notes keys from the keyring, and the key made at
    login and not used yet from the library database. Nothing is lost: each key the keyring
    held has its wrapped form on the hub or in this library's outbox, which the next login
    unwraps with the password."""
    with library.db.atomic():
        library.db.execute("DELETE FROM mentor_cache WHERE profile_id = ? AND name = ?",
                           (library.profile_id(profile), PENDING_KEY))
    try:
        keyring.delete_password(crypto.KEYRING_SERVICE, crypto.keyring_name(url, user))
    except keyring.errors.PasswordDeleteError:
        pass  # none was kept
    except (keyring.errors.KeyringError, RuntimeError) as error:
        raise crypto.NotesKeyError(_("No keyring is available to keep the private notes' "
                                     "key ({error}).").format(error=error)) from None

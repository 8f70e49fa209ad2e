"""A learner's badges on this device, and what the device knows to check badges offline.

Badges arrive as ``badge`` records with the rest of the learner's records at each pull (the
hub writes them into the earner's records; this version keeps them as their states, in
``sync_foreign``). :func:`fetch`, called by every sync (app/sync/records.py ``sync_now``),
also keeps the hub's issuer profile (its keys and their endorsements) and the ids of the
badges it revoked, in the ``hub_cache`` table (app/sync/state.py, key :data:`CACHE`), so
that :func:`check` can say, with no network, whether a badge is revoked as far as known and
whether its key is one of a hub this machine trusts (a key pinned by a hub link, or one a
chain of endorsements links to a pinned key).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.errors import HubError, NotFoundError
from app.i18n import _
from app.library import Library
from app.mentorship import badges as credentials
from app.store.db import utc_now
from app.sync import state
from app.sync.http import HubSession

ISSUER_PATH = "/api/v1/badges/issuer"
REVOKED_PATH = "/api/v1/badges/revoked"
#: The ``hub_cache`` key: ``{issuer id: {"url", "name", "keys": [...], "revoked": {credential
#: id: {"revoked_at", "reason"}}, "fetched"}}``.
CACHE = "badges"


def _get(hub: HubSession, path: str, etag: str | None) -> tuple[Any, str | None]:
    """The JSON answer of ``path`` and its ETag; ``(None, None)`` from a hub that does not
    issue badges (404), ``(NOT_MODIFIED, etag)`` when the copy kept here is current."""
    headers = {"If-None-Match": etag} if etag else None
    response = hub.request("GET", path, expect=(200, 304, 404), headers=headers)
    with response:
        if response.status_code == 404:
            return None, None
        if response.status_code == 304:
            return NOT_MODIFIED, etag
        try:
            return response.json(), response.headers.get("ETag")
        except ValueError:
            raise HubError(_("The hub sent an answer the client cannot use.")) from None


#: What :func:`_get` answers for a 304.
NOT_MODIFIED = object()


def fetch(library: Library, hub: HubSession) -> None:
    """Keep the hub's issuer profile and its list of revoked badges (NETWORK). Each is asked
    with the ETag of the copy kept here, so a sync that finds nothing new moves no body."""
    kept_id, kept = next(((key, entry) for key, entry in _cache(library).items()
                          if isinstance(entry, dict) and entry.get("url") == hub.url),
                         ("", {}))
    tags: dict[str, Any] = kept.get("etags") or {}
    profile, issuer_tag = _get(hub, ISSUER_PATH, tags.get("issuer") if kept else None)
    if profile is None:
        return
    listed, revoked_tag = _get(hub, REVOKED_PATH, tags.get("revoked") if kept else None)
    if listed is None:
        return
    try:
        if profile is NOT_MODIFIED:
            issuer_id, name, keys = kept_id, kept["name"], kept["keys"]
        else:
            issuer_id, name = str(profile["id"]), str(profile.get("name") or "")
            keys = [{"public_key": str(key["public_key"]), "signed_by": key.get("signed_by"),
                     "endorsement": key.get("endorsement")}
                    for key in profile.get("keys") or []]
        revoked = kept["revoked"] if listed is NOT_MODIFIED else {
            str(item["id"]): {"revoked_at": item.get("revoked_at"), "reason": item.get("reason")}
            for item in listed.get("revoked") or []}
        entry = {"url": hub.url, "name": name, "fetched": utc_now(), "keys": keys,
                 "revoked": revoked, "etags": {"issuer": issuer_tag, "revoked": revoked_tag}}
    except (KeyError, TypeError, AttributeError):
        raise HubError(_("The hub sent an answer the client cannot use.")) from None
    with library.db.atomic():
        cache = _cache(library)
        cache[issuer_id] = entry
        state.put(library.db, CACHE, json.dumps(cache, sort_keys=True))


def _cache(library: Library) -> dict[str, Any]:
    text = state.get(library.db, CACHE)
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _pinned(library: Library) -> list[str]:
    library.settings.reload()
    keys = [str(library.settings.get("hub_key") or "")]
    keys += [str(row[0]) for row in library.db.execute("SELECT hub_key FROM hub_links")]
    return sorted({key for key in keys if key})


def check(library: Library | None, credential: Any,
          now: datetime | None = None) -> credentials.Verification:
    """Verify ``credential`` offline with what this machine knows (``library`` None: a
    machine with no data, which trusts no hub and knows no revocation)."""
    if library is None:
        return credentials.verify(credential, now)
    cache = _cache(library)
    issuer = credential.get("issuer") if isinstance(credential, dict) else None
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else None
    revoked = (cache.get(issuer_id) or {}).get("revoked") if isinstance(issuer_id, str) else None
    endorsements = [{"key": key["public_key"], "signed_by": key["signed_by"],
                     "signature": key["endorsement"]}
                    for entry in cache.values() if isinstance(entry, dict)
                    for key in entry.get("keys") or []
                    if key.get("signed_by") and key.get("endorsement")]
    return credentials.verify(credential, now, revoked=revoked or {},
                              trusted_keys=_pinned(library), endorsements=endorsements)


@dataclass(frozen=True)
class Badge:
    """A badge of a learner on this device, as the profile page and ``ujuzi badge list``
    show it."""

    id: str
    name: str
    for_kind: str
    for_title: str
    for_id: str
    issuer: str
    awarded: str
    awarded_by: str
    credential: dict[str, Any]
    verification: credentials.Verification

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name,
                "for": {"kind": self.for_kind, "id": self.for_id, "title": self.for_title},
                "issuer": self.issuer, "awarded": self.awarded, "awarded_by": self.awarded_by,
                "verification": self.verification.as_dict()}


def badges(library: Library, profile: str | None = None,
           now: datetime | None = None) -> list[Badge]:
    """The profile's badges, newest first, each checked offline."""
    profile_id = library.profile_id(profile)
    found: list[Badge] = []
    for record_id, text in library.db.execute(
            "SELECT record_id, state FROM sync_foreign WHERE profile_id = ? AND type = 'badge'",
            (profile_id,)):
        record = json.loads(text)
        data = record.get("data") if isinstance(record, dict) else None
        if record.get("deleted") or not isinstance(data, dict) \
                or not isinstance(data.get("credential"), dict):
            continue
        credential: dict[str, Any] = data["credential"]
        about = data["for"] if isinstance(data.get("for"), dict) else {}
        issuer = credential["issuer"] if isinstance(credential.get("issuer"), dict) else {}
        found.append(Badge(
            id=str(record_id), name=str(credential.get("name") or ""),
            for_kind=str(about.get("kind") or ""), for_id=str(about.get("id") or ""),
            for_title=str(about.get("title") or ""), issuer=str(issuer.get("name") or ""),
            awarded=str(credential.get("validFrom") or data.get("awarded") or ""),
            awarded_by=str(data.get("awarded_by") or ""), credential=credential,
            verification=check(library, credential, now)))
    found.sort(key=lambda badge: (badge.awarded, badge.id), reverse=True)
    return found


def credential(library: Library, badge_id: str | None = None,
               profile: str | None = None) -> dict[str, Any]:
    """The credential of the profile's badge ``badge_id`` (None: the newest)."""
    held = badges(library, profile)
    for badge in held:
        if badge_id is None or badge.id == badge_id:
            return badge.credential
    if badge_id is None:
        raise NotFoundError(_("This learner has no badge yet (badges arrive at sync)."))
    raise NotFoundError(_("This learner has no badge {id}; 'ujuzi badge list' shows them.")
                        .format(id=badge_id))

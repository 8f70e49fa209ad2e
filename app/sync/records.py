"""Sync of a learner's records with their hub account (docs/sync.md): push the outbox, then
pull what changed, merged by the rules the hub shares (app/store/merge.py).

The API the app uses (the CLI's ``ujuzi sync`` too):

- :func:`sync_now(library, profile, reporter) <sync_now>` -> :class:`SyncResult`: one whole
  sync of the profile (None: the default profile) with the hub account it links to
  (:class:`app.sync.account.Account`). Blocking: run it on the task runner (its
  ``reporter`` gets progress, stage ``"sync"``, and is checked for cancel between batches
  and pages; a cancelled sync leaves what it committed, and the next one goes on). Raises
  :class:`app.errors.UjuziError` (not signed in, the hub unreachable or refusing) after
  keeping the error's words as the profile's last error.
- :func:`sync_status(library, profile) <sync_status>` -> :class:`SyncStatus`: cheap, local
  only: linked account, signed in, last sync, changes waiting, notes in conflict, last error.
- A note's rows from :meth:`app.library.Library.note` / ``notes`` carry ``conflict`` and
  ``versions`` (each ``{"body": ...}``); :meth:`app.library.Library.edit_note` with the text
  the learner keeps settles a conflict (an edit has seen every version).

How it runs:

1. Push: the profile's outbox rows in counter order, in batches of :data:`PUSH_BATCH`, each
   record sent as its current whole state; the hub answers ``acked``, the highest counter of
   this device it has applied, and the rows up to it are dropped. A push is idempotent, so
   one whose answer was lost is sent again (up to the retry count of app/sync/http.py).
2. Pull: pages from the cursor kept for (profile, hub account); each page is merged into the
   local tables and the new cursor stored in one transaction, so a cut leaves the old state
   or the new one. Notes are indexed for search as they change; a pulled deletion removes
   the note's text from the index, the table and the write-ahead log as a local deletion
   does.

Only one sync of a library runs at a time (a lock file, across processes): a second one
waits, then finds little to do.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import asdict, dataclass
from typing import Any

import urllib3

from app.errors import HubError, NetworkError, UjuziError
from app.i18n import _
from app.library import Library
from app.paths import exclusive_lock
from app.store import merge
from app.store.db import utc_now
from app.store.records import DEVICE_KEY, apply_state, get_meta, record_state
from app.sync import badges
from app.sync.account import Account
from app.sync.http import HubSession, retry_count
from app.tasks import Reporter

PUSH_PATH = "/api/v1/sync/push"
PULL_PATH = "/api/v1/sync/pull"
#: Changes per push (the hub takes at most 1,000) and records per pull page.
PUSH_BATCH = 500
PULL_PAGE = 500
STAGE = "sync"


@dataclass
class SyncResult:
    """What one sync did: changes pushed (acknowledged by the hub), records pulled, local
    records that changed by them, notes in conflict afterwards, and the error that stopped
    it (None when it finished)."""

    pushed: int = 0
    pulled: int = 0
    changed: int = 0
    conflicts: int = 0
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SyncStatus:
    """The sync state of a profile, from what this device knows."""

    url: str | None
    user: str | None
    signed_in: bool
    last_sync: str | None
    waiting: int
    conflicts: int
    last_error: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _conflicts(library: Library, profile_id: str) -> int:
    row = library.db.execute(
        "SELECT COUNT(*) FROM (SELECT v.note_id FROM note_versions v JOIN notes n "
        "ON n.id = v.note_id WHERE n.profile_id = ? AND n.deleted = 0 "
        "GROUP BY v.note_id HAVING COUNT(*) > 1)", (profile_id,)).fetchone()
    return int(row[0])


def _waiting(library: Library, profile_id: str) -> int:
    return int(library.db.execute("SELECT COUNT(*) FROM outbox WHERE profile_id = ?",
                                  (profile_id,)).fetchone()[0])


def sync_status(library: Library, profile: str | None = None) -> SyncStatus:
    account = Account(library, profile)
    profile_id = account.profile_id
    url, user = account.url, account.user
    row = None
    if url and user:
        row = library.db.execute(
            "SELECT last_sync, last_error FROM sync_cursors WHERE profile_id = ? AND "
            "hub_url = ? AND hub_user = ?", (profile_id, url, user)).fetchone()
    return SyncStatus(url=url, user=user, signed_in=account.signed_in,
                      last_sync=row[0] if row else None, waiting=_waiting(library, profile_id),
                      conflicts=_conflicts(library, profile_id),
                      last_error=row[1] if row else None)


class _Link:
    """The (profile, hub account) a sync runs for, and its row of ``sync_cursors``."""

    def __init__(self, library: Library, profile_id: str, url: str, user: str) -> None:
        self.library, self.profile_id, self.url, self.user = library, profile_id, url, user
        with library.db.atomic():
            library.db.execute(
                "INSERT INTO sync_cursors(profile_id, hub_url, hub_user) VALUES (?, ?, ?) "
                "ON CONFLICT DO NOTHING", (profile_id, url, user))

    def _where(self) -> tuple[str, tuple[str, str, str]]:
        return ("profile_id = ? AND hub_url = ? AND hub_user = ?",
                (self.profile_id, self.url, self.user))

    def cursor(self) -> int:
        where, params = self._where()
        row = self.library.db.execute(f"SELECT cursor FROM sync_cursors WHERE {where}",
                                      params).fetchone()
        return int(row[0]) if row else 0

    def set(self, **values: Any) -> None:
        where, params = self._where()
        self.library.db.execute(
            f"UPDATE sync_cursors SET {', '.join(f'{key} = ?' for key in values)} "
            f"WHERE {where}", (*values.values(), *params))


def sync_now(library: Library, profile: str | None = None,
             reporter: Reporter | None = None) -> SyncResult:
    """Push this profile's outbox to its hub account, then pull and merge what changed."""
    reporter = reporter or Reporter()
    account = Account(library, profile)
    profile_id = account.profile_id
    url, user = account.url, account.user
    if not url or not user:
        raise UjuziError(_("This profile is not linked to a hub account; sign in with "
                           "'ujuzi login URL --user NAME'."))
    with exclusive_lock(library.layout.home / "sync.lock"):
        link = _Link(library, profile_id, url, user)
        result = SyncResult()
        try:
            with account.session() as hub:
                result.pushed = _push(library, hub, profile_id, reporter)
                result.pulled, result.changed = _pull(library, hub, link, reporter)
                badges.fetch(library, hub)  # the issuer's keys and revoked badges
        except UjuziError as error:
            with library.db.atomic():
                link.set(last_error=str(error))
            raise
        with library.db.atomic():
            link.set(last_sync=utc_now(), last_error=None)
        result.conflicts = _conflicts(library, profile_id)
        reporter.report(STAGE, 1, 1, _("in sync"))
        return result


# -- push ------------------------------------------------------------------------------------


def _push(library: Library, hub: HubSession, profile_id: str, reporter: Reporter) -> int:
    db = library.db
    device = get_meta(db, DEVICE_KEY) or ""
    total = _waiting(library, profile_id)
    pushed = 0
    while True:
        reporter.report(STAGE, pushed, total, _("sending changes"))
        with db.atomic():  # one consistent read of the batch
            rows = db.execute(
                "SELECT counter, type, record_id FROM outbox WHERE profile_id = ? "
                "ORDER BY counter LIMIT ?", (profile_id, PUSH_BATCH)).fetchall()
            changes = []
            for counter, record_type, record_id in rows:
                state = record_state(db, profile_id, str(record_type), str(record_id))
                if state is not None:
                    changes.append({"counter": int(counter), "record": state})
        if not rows:
            return pushed
        last = int(rows[-1][0])
        # Rows whose record is gone have nothing to send.
        acked = _send(hub, {"device": device, "changes": changes}) if changes else last
        with db.atomic():
            dropped = db.execute("DELETE FROM outbox WHERE profile_id = ? AND counter <= ?",
                                 (profile_id, min(acked, last))).rowcount
        pushed += dropped
        if acked < last:
            raise HubError(_("The hub did not apply the changes sent ({acked} of {last}); "
                             "they stay waiting for the next sync.").format(
                                 acked=acked, last=last))


def _broke_in_flight(error: NetworkError) -> bool:
    """Whether the connection broke after the push was sent (urllib3 does not send a POST
    again then), rather than after urllib3's own retries ran out (refused, no route)."""
    cause = error.__context__
    reason = cause.args[0] if cause is not None and cause.args else None
    return not isinstance(reason, urllib3.exceptions.MaxRetryError)


#: A push body at least this large goes gzip-compressed (smaller ones would grow).
GZIP_FROM = 200


def _send(hub: HubSession, body: dict[str, Any]) -> int:
    """POST a push, as compact JSON, gzip-compressed unless tiny; sent again when the
    connection broke on the way (a push is idempotent: the hub skips what it applied
    already)."""
    data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json"}
    if len(data) >= GZIP_FROM:
        data = gzip.compress(data, compresslevel=6, mtime=0)
        headers["Content-Encoding"] = "gzip"
    attempts = 1 + retry_count()
    for attempt in range(attempts):
        try:
            answer = hub.json("POST", PUSH_PATH, data=data, headers=headers)
        except NetworkError as error:
            if attempt + 1 == attempts or not _broke_in_flight(error):
                raise
            continue
        try:
            return int(answer["acked"])
        except (KeyError, TypeError, ValueError):
            raise HubError(_("The hub sent an answer the client cannot use.")) from None
    raise AssertionError("unreachable")  # pragma: no cover


# -- pull ------------------------------------------------------------------------------------


def _pull(library: Library, hub: HubSession, link: _Link,
          reporter: Reporter) -> tuple[int, int]:
    db = library.db
    pulled = changed = 0
    while True:
        reporter.report(STAGE, pulled, pulled + PULL_PAGE, _("receiving changes"))
        since = link.cursor()
        page = hub.json("GET", f"{PULL_PATH}?since={since}&limit={PULL_PAGE}",
                        headers={"Accept-Encoding": "gzip"})
        try:
            records = [dict(item["record"]) for item in page["records"]]
            cursor, more = int(page["cursor"]), bool(page["more"])
        except (KeyError, TypeError, ValueError):
            raise HubError(_("The hub sent an answer the client cannot use.")) from None
        deleted_text = False
        with db.atomic():
            if link.cursor() != since:  # another sync stored this page meanwhile
                continue
            for remote in records:
                outcome = _merge_one(library, link.profile_id, remote)
                changed += outcome != "same"
                deleted_text |= outcome == "deleted"
            link.set(cursor=cursor)
        pulled += len(records)
        if deleted_text:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if not more:
            return pulled, changed


def _merge_one(library: Library, profile_id: str, remote: merge.State) -> str:
    """Merge one pulled state into the profile's tables: "same", "changed" or "deleted"
    (a note's text went)."""
    from app.search.index import index_note, unindex_note

    db = library.db
    record_type, record_id = str(remote.get("type")), str(remote.get("id"))
    local = record_state(db, profile_id, record_type, record_id)
    try:
        merged = merge.merge(local, remote) if local is not None else merge.merge(remote, remote)
    except (merge.UnknownRecordType, KeyError, TypeError, ValueError):
        merged = remote  # a type this version does not know: kept as it came
    if local is not None and _canonical(merged) == _canonical(local):
        return "same"
    if record_type == "note" and merged.get("deleted"):
        if local is not None and not local.get("deleted"):
            unindex_note(db, record_id)
        apply_state(db, profile_id, merged)
        db.execute("INSERT INTO notes_fts(notes_fts) VALUES ('optimize')")
        return "deleted"
    apply_state(db, profile_id, merged)
    if record_type == "note":
        index_note(db, record_id)
    return "changed"


def _canonical(state: merge.State) -> str:
    return json.dumps(state, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

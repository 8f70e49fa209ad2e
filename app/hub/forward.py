"""``ujuzi hub forward``: a workshop hub sends its learners' records to an upstream (central)
hub, brings theirs down, keeps a copy of the upstream catalog and, when asked, mirrors the
upstream accounts it may (docs/sync.md, "Forwarding a workshop hub upstream").

The forwarding hub is a client of the upstream hub like any other: it signs in as a
``forwarder`` account, pushes each owner's records in ``seq`` order as device
``hub:<its id>`` with the local ``seq`` as the change counter, and stores the upstream's
``acked`` after each batch. A run cut anywhere resumes from the stored marks; a batch whose
answer was lost is sent again and skipped upstream.

The goals and shared notes learners wrote here (records of relationships' spaces, which
belong to no one owner) go up after every owner's own records, so that the upstream has
taken the actions that make its spaces first: each as its writer's (``space_records``'s
``writer_id``), in the order of ``written_seq``, as device ``hub:<its id>:spaces`` with its
own marks. The upstream checks them as any push of their writer's, and answers record by
record: what it refuses (its writer is no party of the relationship there, or no longer
reads it) is said, one line per owner and reason, and not sent again until it changes (the
mark moves past it). A space record the upstream holds as it is here has no writer any
more, so what comes down is never sent back.

Then it pulls each owner's records from the upstream (as ``owner=NAME``) and merges each page
here as a push of device ``upstream:<the URL's hash>`` whose counters are the upstream
``seq`` values: the device's mark is the cursor per (upstream, owner), stored in the page's
transaction, and a page applied twice changes nothing. A state pulled that this hub takes as
it is (nothing of its own to add) is the upstream's already: when every record of the owner
was forwarded before the page, the forward mark moves past the page, so the next run does
not send the upstream its own records back.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

import requests
import sqlalchemy as sa
import urllib3
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from app.errors import AuthError, ChecksumError, HubError, NetworkError, SignatureError
from app.hub import catalog, db, mentorship, mirror, plane, records
from app.hub.config import FORWARD_BATCH, HubConfig
from app.hub.mentor_checks import HUB_ONLY_TYPES, SPACE_TYPES
from app.hub.mentor_db import space_records
from app.i18n import _, ngettext
from app.packs.manifest import parse_manifest, unique_files
from app.packs.signing import check_chain, verify_manifest
from app.store.blobs import BlobStore
from app.store.merge import merge

BATCH = FORWARD_BATCH
#: Bytes read at a time while fetching a file: a cut loses at most what one read held.
READ_SIZE = 64 * 1024
TIMEOUT = 60
HUB_ID = "hub_id"
FORWARDER = "forwarder"


@dataclass
class Forwarded:
    """What a run did: records sent per owner, owners the upstream does not know, catalog
    entries fetched."""

    sent: dict[str, int] = field(default_factory=dict)
    #: Records pulled from the upstream hub that changed something here, per owner.
    fetched: dict[str, int] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    #: Records the upstream hub refused: ``{"owner", "type", "id", "reason"}``.
    refused: list[dict[str, str]] = field(default_factory=list)
    packs: int = 0
    published: int = 0
    mirrored: mirror.Mirrored | None = None


# -- the hub's own settings ------------------------------------------------------------------

def _text(connection: Connection, key: str) -> str | None:
    value = connection.execute(
        sa.select(db.hub_text.c.value).where(db.hub_text.c.key == key)).scalar()
    return None if value is None else str(value)


def _set_text(connection: Connection, key: str, value: str) -> None:
    result = connection.execute(db.hub_text.update().where(db.hub_text.c.key == key)
                                .values(value=value))
    if result.rowcount == 0:
        connection.execute(db.hub_text.insert().values(key=key, value=value))


def hub_id(engine: Engine) -> str:
    """This hub's id, made at its first use and kept in its database."""
    with engine.connect() as connection:
        found = _text(connection, HUB_ID)
    if found:
        return found
    try:
        with engine.begin() as connection:
            connection.execute(db.hub_text.insert().values(key=HUB_ID, value=uuid.uuid4().hex))
    except IntegrityError:
        pass  # made at the same moment by another command
    with engine.connect() as connection:
        made = _text(connection, HUB_ID)
    assert made is not None
    return made


def normalise_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")) or len(url) > 400:
        raise HubError(_("The upstream hub's address is http://HOST[:PORT] or https://..., "
                         "not {url}.").format(url=url[:100]))
    return url


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _setting(kind: str, url: str) -> str:
    """The ``hub_text`` key of a setting about the upstream hub at ``url``."""
    return f"{kind}:{_sha256(url)[:40]}"


# -- the upstream hub ------------------------------------------------------------------------

class Upstream:
    """Calls to the upstream hub, each answered or turned into one sentence."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()
        self.token: str | None = None

    def call(self, method: str, path: str, *, allow: tuple[int, ...] = (),
             **options: Any) -> requests.Response:
        headers = dict(options.pop("headers", {}))
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = self.session.request(method, self.url + path, headers=headers,
                                            timeout=TIMEOUT, **options)
        except requests.RequestException as error:
            raise NetworkError(_("The upstream hub {url} did not answer: {error}").format(
                url=self.url, error=str(error)[:200])) from None
        if response.status_code < 400 or response.status_code in allow:
            return response
        try:
            detail = str(response.json().get("detail", ""))
        except ValueError:
            detail = response.text[:200]
        error_type = AuthError if response.status_code in (401, 403) else HubError
        raise error_type(_("The upstream hub {url} refused {method} {path} ({status}): "
                           "{detail}").format(url=self.url, method=method, path=path,
                                              status=response.status_code,
                                              detail=detail[:300]))

    def json(self, method: str, path: str, **options: Any) -> Any:
        return self.decode(self.call(method, path, **options))

    def decode(self, response: requests.Response) -> Any:
        """The JSON of an answer; one that says it is JSON (or says nothing: its headers
        were cut) and is not was cut short."""
        try:
            return response.json()
        except (ValueError, requests.RequestException):
            kind = response.headers.get("Content-Type", "application/json")
            if kind.startswith("application/json"):
                raise NetworkError(_("The answer of the upstream hub {url} was cut short.")
                                   .format(url=self.url)) from None
            raise HubError(_("{url} does not answer like an Ujuzi hub.").format(
                url=self.url)) from None

    def close(self) -> None:
        if self.token:
            with contextlib.suppress(HubError):  # else the token expires on its own
                self.call("POST", "/api/v1/auth/logout")
            self.token = None
        self.session.close()


def _pinned_key(engine: Engine, upstream: Upstream) -> str:
    """The upstream's key: pinned at the first forward; later ones must be endorsed."""
    info = upstream.json("GET", "/api/v1/hub")
    try:
        key = str(info["key"]["public_key"])
        endorsements = [{k: str(v) for k, v in dict(item).items()}
                        for item in info.get("endorsements") or []]
    except (KeyError, TypeError, ValueError):
        raise HubError(_("{url} does not answer like an Ujuzi hub.").format(
            url=upstream.url)) from None
    name = _setting("upstream-key", upstream.url)
    with engine.begin() as connection:
        pinned = _text(connection, name)
        if pinned is None:
            _set_text(connection, name, key)
        elif pinned != key:
            check_chain(pinned, key, endorsements)
            _set_text(connection, name, key)
    return key


# -- records ---------------------------------------------------------------------------------

def _owners(engine: Engine, url: str) -> list[tuple[int, str]]:
    """The accounts whose records go up and come down: those with records here (their own,
    or written into a relationship's space), and the accounts mirrored from ``url``."""
    writers = sa.select(space_records.c.writer_id).where(space_records.c.writer_id.is_not(None))
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(db.users.c.id, db.users.c.name)
            .where(sa.or_(db.users.c.id.in_(sa.select(db.sync_records.c.owner_id).distinct()),
                          db.users.c.id.in_(writers.distinct())))
            .order_by(db.users.c.name))
        found = {int(row.id): str(row.name) for row in rows}
    found.update(mirror.mirrored_names(engine, url))
    return sorted(found.items(), key=lambda item: item[1])


def _mark(engine: Engine, url: str, owner_id: int) -> int:
    table = db.forward_marks
    with engine.connect() as connection:
        value = connection.execute(sa.select(table.c.seq).where(
            table.c.upstream == url, table.c.owner_id == owner_id)).scalar()
    return int(value or 0)


def _store_mark(engine: Engine, url: str, owner_id: int, seq: int) -> None:
    with engine.begin() as connection:
        _raise_mark(connection, url, owner_id, seq)


def _raise_mark(connection: Connection, url: str, owner_id: int, seq: int) -> None:
    table = db.forward_marks
    result = connection.execute(table.update().where(
        table.c.upstream == url, table.c.owner_id == owner_id,
        table.c.seq < seq).values(seq=seq))
    if result.rowcount == 0 and connection.execute(sa.select(table.c.seq).where(
            table.c.upstream == url, table.c.owner_id == owner_id)).first() is None:
        connection.execute(table.insert().values(upstream=url, owner_id=owner_id, seq=seq))


def _batch(engine: Engine, owner_id: int, after: int, size: int) -> list[tuple[int, str]]:
    """The owner's own records after ``after``: ``(seq, state)``."""
    table = db.sync_records
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(table.c.seq, table.c.state)
            .where(table.c.owner_id == owner_id, table.c.seq > after)
            .order_by(table.c.seq).limit(size))
        return [(int(row.seq), str(row.state)) for row in rows]


def _space_batch(engine: Engine, owner_id: int, after: int,
                 size: int) -> list[tuple[int, str]]:
    """The space records the owner wrote here after ``after``: ``(written_seq, state)``."""
    table = space_records
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(table.c.written_seq, table.c.state)
            .where(table.c.writer_id == owner_id, table.c.written_seq > after,
                   table.c.type.in_(sorted(SPACE_TYPES - HUB_ONLY_TYPES)))
            .order_by(table.c.written_seq).limit(size))
        return [(int(row.written_seq), str(row.state)) for row in rows]


@dataclass(frozen=True)
class _Stream:
    """One series of an owner's records that goes up: its rows, its device upstream and
    the key of its marks here."""

    rows: Callable[[Engine, int, int, int], list[tuple[int, str]]]
    device: str
    marks: str


def _streams(engine: Engine, url: str) -> tuple[_Stream, _Stream]:
    """The owners' own records, and the records they wrote into relationships' spaces."""
    device = f"hub:{hub_id(engine)}"
    return (_Stream(_batch, device, url),
            _Stream(_space_batch, f"{device}:spaces", f"{url}#spaces"))


def _refusals(answer: Any, rows: list[tuple[int, str]]) -> list[tuple[int, str, str, str]]:
    """``(counter, type, id, reason)`` of each record the upstream refused (a hub that
    answers record by record) among ``rows``."""
    sent = {seq for seq, _state in rows}
    found = []
    for item in answer.get("refused") or []:
        try:
            counter, reason = int(item["counter"]), str(item["reason"])[:300]
            kind, record_id = str(item["type"])[:64], str(item["id"])[:300]
        except (KeyError, TypeError, ValueError):
            raise ValueError(item) from None
        if counter in sent:
            found.append((counter, kind, record_id, reason))
    return found


def _say_refused(name: str, refused: list[tuple[int, str, str, str]],
                 say: Callable[[str], None]) -> None:
    """One line per reason: how many records, of which types, and why."""
    reasons: dict[str, list[str]] = {}
    for _counter, kind, _id, reason in refused:
        reasons.setdefault(reason, []).append(kind)
    for reason, kinds in reasons.items():
        # Translators: {types} lists record types (goal, shared_note); {reason} is the
        # upstream hub's words.
        say(ngettext("{name}: the upstream hub refused {count} record ({types}): {reason}. "
                     "It is not sent again until it changes.",
                     "{name}: the upstream hub refused {count} records ({types}): {reason}. "
                     "They are not sent again until they change.",
                     len(kinds)).format(name=name, count=len(kinds),
                                        types=", ".join(sorted(set(kinds))), reason=reason))


def _forward_owner(engine: Engine, upstream: Upstream, stream: _Stream, owner_id: int,
                   name: str, batch: int, result: Forwarded,
                   say: Callable[[str], None]) -> bool:
    """Push the owner's records of ``stream`` not yet acked; False when the upstream has no
    such account. What the upstream refuses is kept in ``result`` and said."""
    mark = _mark(engine, stream.marks, owner_id)
    refused: list[tuple[int, str, str, str]] = []
    while rows := stream.rows(engine, owner_id, mark, batch):
        body = {"device": stream.device, "owner": name,
                "changes": [{"counter": seq, "record": json.loads(state)}
                            for seq, state in rows]}
        response = upstream.call("POST", "/api/v1/sync/push", json=body, allow=(404,))
        if response.status_code == 404:
            if name not in result.unknown:
                result.unknown.append(name)
                say(_("{name}: the upstream hub has no account of this name; not sent.")
                    .format(name=name))
            return False
        try:
            answer = upstream.decode(response)
            acked = int(answer["acked"])
            these = _refusals(answer, rows)
        except (ValueError, KeyError, TypeError, AttributeError):
            raise HubError(_("{url} does not answer like an Ujuzi hub.").format(
                url=upstream.url)) from None
        if acked < rows[-1][0]:
            raise HubError(_("The upstream hub acknowledged {name}'s records up to {acked} "
                             "only, not {last}; nothing more is sent.").format(
                                 name=name, acked=acked, last=rows[-1][0]))
        _store_mark(engine, stream.marks, owner_id, acked)
        mark = acked
        refused += these
        result.refused += [{"owner": name, "type": kind, "id": record_id, "reason": reason}
                           for _counter, kind, record_id, reason in these]
        if len(rows) > len(these):
            result.sent[name] = result.sent.get(name, 0) + len(rows) - len(these)
            say(ngettext("{name}: {count} record forwarded.",
                         "{name}: {count} records forwarded.",
                         result.sent[name]).format(name=name, count=result.sent[name]))
    _say_refused(name, refused, say)
    return True


def pull_device(url: str) -> str:
    """The device id under which the records pulled from ``url`` are merged here."""
    return f"upstream:{_sha256(url)[:40]}"


def _apply_pulled(engine: Engine, url: str, owner_id: int, device: str,
                  page: list[tuple[int, dict[str, Any]]]) -> int:
    """Merge a pulled page (``(upstream seq, state)``) into the owner's records in one
    transaction, with the cursor (the device's mark); the number of records it changed.
    The records of relationships' spaces go into their spaces here, under the locks of
    everyone who reads them (:func:`app.hub.mentorship.pulled_people`)."""
    states = [state for _seq, state in page]
    for _attempt in range(mentorship.MAX_ATTEMPTS):
        with engine.connect() as connection:
            people = mentorship.pulled_people(connection, owner_id, states)
        try:
            with engine.begin() as connection:
                mentorship.lock_people(connection, people)
                if not mentorship.pulled_people(connection, owner_id, states) <= people:
                    raise mentorship.StartOver
                return _apply_locked(connection, url, owner_id, device, page)
        except mentorship.StartOver:
            continue
    raise HubError(_("The hub is busy with this relationship; try again."))


def _apply_locked(connection: Connection, url: str, owner_id: int, device: str,
                  page: list[tuple[int, dict[str, Any]]]) -> int:
    """:func:`_apply_pulled` inside its transaction, the locks held."""
    table = db.sync_records
    cursor = records.device_mark(connection, owner_id, device)
    fresh = [(seq, state) for seq, state in page if seq > cursor]
    if not fresh:
        return 0
    top = connection.execute(sa.select(sa.func.max(table.c.seq))
                             .where(table.c.owner_id == owner_id)).scalar()
    forwarded = connection.execute(sa.select(db.forward_marks.c.seq).where(
        db.forward_marks.c.upstream == url,
        db.forward_marks.c.owner_id == owner_id)).scalar()
    theirs = int(forwarded or 0) >= int(top or 0)
    changed = 0
    now = db.now()
    for _seq, state in fresh:
        if state["type"] in SPACE_TYPES:
            changed += int(mentorship.take_upstream(connection, owner_id, state, now))
            continue
        row = connection.execute(sa.select(table.c.id, table.c.state).where(
            table.c.owner_id == owner_id, table.c.type == state["type"],
            table.c.record_id == state["id"])).first()
        pulled = plane.canonical(merge(state, state))
        text = pulled if row is None else plane.canonical(
            merge(json.loads(row.state), state))
        if row is not None and text == row.state:
            continue
        theirs = theirs and text == pulled
        [seq] = plane.next_seqs(connection, 1)
        if row is None:
            connection.execute(table.insert().values(
                owner_id=owner_id, type=state["type"], record_id=state["id"],
                state=text, seq=seq))
        else:
            connection.execute(table.update().where(table.c.id == row.id)
                               .values(state=text, seq=seq))
        changed += 1
    devices = db.sync_devices
    last = fresh[-1][0]
    done = connection.execute(devices.update().where(
        devices.c.owner_id == owner_id, devices.c.device == device).values(counter=last))
    if done.rowcount == 0:
        connection.execute(devices.insert().values(owner_id=owner_id, device=device,
                                                   counter=last))
    if changed and theirs:
        newest = connection.execute(sa.select(sa.func.max(table.c.seq))
                                    .where(table.c.owner_id == owner_id)).scalar()
        _raise_mark(connection, url, owner_id, int(newest or 0))
    return changed


def _pull_owner(engine: Engine, upstream: Upstream, owner_id: int, name: str, batch: int,
                result: Forwarded, say: Callable[[str], None]) -> None:
    """Bring down the owner's records the upstream hub holds (its other devices, home),
    page by page from the cursor kept here."""
    device = pull_device(upstream.url)
    cursor = records.mark(engine, owner_id, device)
    while True:
        response = upstream.call("GET", "/api/v1/sync/pull", allow=(404,), params={
            "since": cursor, "limit": batch, "owner": name},
            headers={"Accept-Encoding": "gzip"})
        if response.status_code == 404:
            return
        body = upstream.decode(response)
        try:
            page = [(int(entry["seq"]), dict(entry["record"])) for entry in body["records"]]
            more, next_cursor = bool(body["more"]), int(body["cursor"])
        except (ValueError, KeyError, TypeError):
            raise HubError(_("{url} does not answer like an Ujuzi hub.").format(
                url=upstream.url)) from None
        previous = cursor
        for seq, state in page:
            problem = records.check_record(state)
            if problem is None and seq <= previous:
                problem = _("the records are not in seq order")
            if problem is not None:
                raise HubError(_("The upstream hub sent a malformed record ({seq}): "
                                 "{problem}.").format(seq=seq, problem=problem))
            previous = seq
        if page:
            changed = _apply_pulled(engine, upstream.url, owner_id, device, page)
            if changed:
                result.fetched[name] = result.fetched.get(name, 0) + changed
                say(ngettext("{name}: {count} record fetched.",
                             "{name}: {count} records fetched.",
                             result.fetched[name]).format(name=name,
                                                          count=result.fetched[name]))
        if not more or next_cursor <= cursor:
            return
        cursor = next_cursor


# -- accounts --------------------------------------------------------------------------------

def _mirror_accounts(engine: Engine, upstream: Upstream,
                     say: Callable[[str], None]) -> mirror.Mirrored:
    body = upstream.json("GET", "/api/v1/mirror/accounts")
    try:
        entries = list(body["accounts"])
    except (KeyError, TypeError):
        raise HubError(_("{url} does not answer like an Ujuzi hub.").format(
            url=upstream.url)) from None
    done = mirror.apply(engine, upstream.url, entries)
    for name in done.kept:
        say(_("{name}: this hub has an account of its own of this name; it is kept as it "
              "is.").format(name=name))
    say(_("Accounts mirrored: {added} added, {updated} updated, {disabled} disabled.").format(
        added=len(done.added), updated=len(done.updated), disabled=len(done.disabled)))
    return done


# -- the catalog -----------------------------------------------------------------------------

def _catalog(engine: Engine, upstream: Upstream, key: str) -> int:
    """Fetch the upstream catalog's new entries and their signed manifests; their count."""
    etag_name = _setting("upstream-etag", upstream.url)
    with engine.connect() as connection:
        etag = _text(connection, etag_name)
        known = {row.pack_id: (row.version, _sha256(row.manifest))
                 for row in connection.execute(
                     sa.select(db.upstream_packs.c.pack_id, db.upstream_packs.c.version,
                               db.upstream_packs.c.manifest)
                     .where(db.upstream_packs.c.upstream == upstream.url))}
    headers = {"If-None-Match": etag} if etag else {}
    response = upstream.call("GET", "/api/v1/catalog", headers=headers, allow=(304,))
    if response.status_code == 304:
        return 0
    try:
        entries = list(upstream.decode(response)["packs"])
    except (ValueError, KeyError, TypeError):
        raise HubError(_("{url} does not answer like an Ujuzi hub.").format(
            url=upstream.url)) from None
    fetched = 0
    for entry in entries:
        pack_id, version = str(entry["id"]), str(entry["version"])
        if known.get(pack_id) == (version, entry.get("manifest_sha256")):
            continue
        signed = upstream.json("GET", f"/api/v1/packs/{pack_id}/{version}/manifest")
        manifest = str(signed["manifest"]).encode("utf-8")
        if _sha256(manifest.decode("utf-8")) != entry.get("manifest_sha256"):
            raise SignatureError(_("The upstream catalog's entry for {id} {version} does not "
                                   "match its manifest; nothing more was kept.").format(
                                       id=pack_id, version=version))
        verify_manifest(key, manifest, str(signed["signature"]))
        table = db.upstream_packs
        with engine.begin() as connection:
            connection.execute(table.delete().where(table.c.upstream == upstream.url,
                                                    table.c.pack_id == pack_id))
            connection.execute(table.insert().values(
                upstream=upstream.url, pack_id=pack_id, version=version,
                entry=json.dumps(entry, sort_keys=True), manifest=manifest.decode("utf-8"),
                signature=str(signed["signature"]), fingerprint=str(signed["fingerprint"]),
                fetched_at=db.now()))
        fetched += 1
    new_etag = response.headers.get("ETag")
    if new_etag:
        with engine.begin() as connection:
            _set_text(connection, etag_name, new_etag)
    return fetched


def _part(config: HubConfig, sha256: str) -> Path:
    """Where the file ``sha256`` grows while it is fetched: kept across cut runs."""
    return config.layout.blob_tmp / f"forward-{sha256}.part"


def _fetch_file(config: HubConfig, store: BlobStore, upstream: Upstream, sha256: str,
                size: int, name: str) -> None:
    """Fetch one file into the blob folder. What a cut run wrote stays in its part file and
    the next run asks only for the rest (``Range: bytes=N-``; an answer of 200 instead of
    206 starts it again); the whole file is checked against its sha256 before it is
    stored, and a part that does not match is removed."""
    part = _part(config, sha256)
    part.parent.mkdir(parents=True, exist_ok=True)
    have = part.stat().st_size if part.exists() else 0
    if have > size:
        part.unlink()
        have = 0
    if have < size:
        headers = {"Range": f"bytes={have}-"} if have else {}
        response = upstream.call("GET", f"/blobs/{sha256}", stream=True, headers=headers,
                                 allow=(416,))
        try:
            if response.status_code == 416:  # the part is not a prefix of the file
                part.unlink()
                raise NetworkError(_("The upstream hub {url} did not answer: {error}").format(
                    url=upstream.url, error=_("a part of {name} did not match; it is "
                                              "fetched again next time").format(name=name)))
            response.raw.decode_content = True
            mode = "ab" if response.status_code == 206 and have else "wb"
            with open(part, mode) as target:
                written = have if mode == "ab" else 0
                while block := cast(IO[bytes], response.raw).read(READ_SIZE):
                    written += len(block)
                    if written > size:
                        break
                    target.write(block)
                target.flush()
                os.fsync(target.fileno())
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
            raise NetworkError(_("The upstream hub {url} did not answer: {error}").format(
                url=upstream.url, error=str(error)[:200])) from None
        finally:
            response.close()
    try:
        store.adopt(part, sha256, size, name)
    except ChecksumError:
        part.unlink(missing_ok=True)
        raise
    part.unlink(missing_ok=True)


def _mirror(config: HubConfig, engine: Engine, upstream: Upstream,
            say: Callable[[str], None]) -> int:
    """Download the files of the upstream packs newer than this hub's and publish them here,
    signed with this hub's key; the number published. Files already in the blob folder are
    not fetched again, so a cut run goes on with the next file."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(db.upstream_packs.c.pack_id, db.upstream_packs.c.version,
                      db.upstream_packs.c.manifest)
            .where(db.upstream_packs.c.upstream == upstream.url)
            .order_by(db.upstream_packs.c.pack_id)).all()
    store = BlobStore(config.layout.blobs, config.layout.blob_tmp)
    published = 0
    for pack_id, version, text in rows:
        if not catalog.is_newer(engine, pack_id, version):
            continue
        raw = str(text).encode("utf-8")
        for entry in unique_files(parse_manifest(raw)):
            if store.has(entry["sha256"], entry["size"]):
                continue
            _fetch_file(config, store, upstream, entry["sha256"], entry["size"],
                        entry["path"])
        if catalog.publish_mirrored(config, engine, raw):
            published += 1
            say(_("{id} {version} is published on this hub.").format(id=pack_id,
                                                                     version=version))
    return published


def forward(config: HubConfig, engine: Engine, url: str, user: str, password: str, *,
            batch: int = BATCH, packs: bool = False, mirror_accounts: bool = False,
            say: Callable[[str], None] = lambda line: None) -> Forwarded:
    """Send this hub's records to the hub at ``url``, bring down what it holds of the same
    accounts and fetch its catalog (with ``packs``, its packs' files too, published here;
    with ``mirror_accounts``, the accounts the forwarder may mirror made here first)."""
    if not 1 <= batch <= 1000:
        raise HubError(_("--batch is 1 to 1000 records."))
    upstream = Upstream(normalise_url(url))
    own, spaces = _streams(engine, upstream.url)
    result = Forwarded()
    try:
        key = _pinned_key(engine, upstream)
        session = upstream.json("POST", "/api/v1/auth/login", json={
            "user": user, "password": password, "device": own.device})
        upstream.token = str(session["token"])
        role = str(session.get("user", {}).get("role", ""))
        if role != FORWARDER:
            raise AuthError(_("{user} is a {role} account on {url}; forwarding needs an "
                              "account of role forwarder.").format(user=user, role=role,
                                                                   url=upstream.url))
        with engine.begin() as connection:  # from now on, mentorship is decided there
            plane.set_upstream(connection, upstream.url)
        if mirror_accounts:
            result.mirrored = _mirror_accounts(engine, upstream, say)
        owners = _owners(engine, upstream.url)
        for owner_id, name in owners:
            if _forward_owner(engine, upstream, own, owner_id, name, batch, result, say):
                _pull_owner(engine, upstream, owner_id, name, batch, result, say)
        # Goals and shared notes after every owner's actions: the upstream has made the
        # relationships they belong to by then.
        for owner_id, name in owners:
            if name not in result.unknown:
                _forward_owner(engine, upstream, spaces, owner_id, name, batch, result, say)
        result.packs = _catalog(engine, upstream, key)
        if packs:
            result.published = _mirror(config, engine, upstream, say)
    finally:
        upstream.close()
    return result

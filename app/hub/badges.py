"""Badges on the hub (docs/badges.md): a mentor or a curator awards an Open Badges 3.0
credential for a completed pack or goal; the hub checks the completion on what the learner
synced, signs the credential with its key (app/mentorship/badges.py) and hands it to the
learner as a ``badge`` record of their own (so it reaches their devices at the next pull);
the awarder or a curator may revoke it, and the list of revoked ids is published.

Routes (who may call each is in :data:`app.hub.access.ACCESS`; the rest is checked here):

- ``POST /api/v1/badges`` ``{"user", "for", "valid_until"?}``: award. A curator or admin
  may award to anyone; any other account only to its own mentee (a relationship ``active``,
  ``paused`` or ``completed``), and for a goal only one of that relationship.
- ``GET /api/v1/badges/revoked``: every revoked credential id (and the reason, to the earner,
  the awarder and curators).
- ``POST /api/v1/badges/{id}/revoke`` ``{"reason"}``: the awarder, a curator or an admin.
- ``GET /api/v1/badges/issuer``: the issuer profile and every key the hub has had, with the
  endorsements that chain them (anyone: it is what a verifier needs to learn the keys).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import Depends, FastAPI, HTTPException, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection, Engine

from app.errors import HubError, NotFoundError
from app.hub import access, db, forward, journal, keys, mentorship, plane
from app.hub.accounts import User
from app.hub.config import HubConfig
from app.hub.mentor_db import mentor_relationships, space_records
from app.i18n import _, ngettext
from app.mentorship import badges as credentials

AWARD_PATH = "/api/v1/badges"
REVOKED_PATH = "/api/v1/badges/revoked"
REVOKE_PATH = "/api/v1/badges/{badge_id}/revoke"
ISSUER_PATH = "/api/v1/badges/issuer"
#: The relationships in which a mentor may award badges to the mentee.
AWARDING_STATES = ("active", "paused", "completed")

badges = sa.Table(
    "badges", db.metadata,
    sa.Column("id", sa.String(300), primary_key=True),
    sa.Column("earner_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("awarded_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("subject", sa.String(300), nullable=False),
    sa.Column("version", sa.String(100)),
    sa.Column("credential", sa.Text, nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("revoked_at", sa.BigInteger),
    sa.Column("revoked_by", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("revoked_reason", sa.Text),
)


class BadgeForbidden(HubError):
    """The caller may not award (or revoke) this badge (403)."""


class BadgeRefused(HubError):
    """The learner has not earned the badge (yet), or holds it already (409)."""


# -- the issuer -------------------------------------------------------------------------------

def issuer_id(engine: Engine) -> str:
    """The issuer's id in every credential of this hub: its hub id as a ``urn:uuid``, the
    same across key rotations."""
    return f"urn:uuid:{uuid.UUID(hex=forward.hub_id(engine))}"


def issuer(config: HubConfig, engine: Engine) -> dict[str, Any]:
    """The issuer profile and the hub's keys, oldest first, each with its ``did:key`` and
    the endorsement by the key before it."""
    return {
        "id": issuer_id(engine), "type": ["Profile"], "name": config.name,
        "keys": [{"public_key": key.public_key, "fingerprint": key.fingerprint,
                  "did": credentials.did_key(key.public_key), "signed_by": key.signed_by,
                  "endorsement": key.endorsement, "created": db.iso(key.created_at)}
                 for key in keys.history(engine)],
    }


def _private_key(config: HubConfig) -> Ed25519PrivateKey:
    keys.load(config)  # the hub's checks and their messages
    private = serialization.load_pem_private_key(config.layout.signing_key.read_bytes(),
                                                 password=None)
    assert isinstance(private, Ed25519PrivateKey)
    return private


# -- what a badge is for ----------------------------------------------------------------------

def _user(connection: Connection, name: str) -> User:
    row = connection.execute(sa.select(db.users).where(db.users.c.name == name)).mappings() \
        .first()
    if row is None:
        raise NotFoundError(_("There is no account named {name}.").format(name=name))
    return User(int(row["id"]), str(row["name"]), str(row["role"]), bool(row["trusted"]),
                bool(row["disabled"]), int(row["created_at"]))


def _title(value: Any, fallback: str) -> str:
    if isinstance(value, dict):
        value = value.get("en") or next(iter(value.values()), None)
    return str(value) if isinstance(value, str) and value else fallback


def _is_mentor(connection: Connection, mentor_id: int, mentee_id: int) -> bool:
    table = mentor_relationships
    return connection.execute(sa.select(table.c.id).where(
        table.c.mentor_id == mentor_id, table.c.mentee_id == mentee_id,
        table.c.state.in_(AWARDING_STATES)).limit(1)).first() is not None


def _not_mentor(earner: User) -> BadgeForbidden:
    return BadgeForbidden(_(
        "You are not {user}'s mentor: a mentor awards badges to their own mentees (an "
        "active, paused or completed relationship), a curator to anyone.").format(
            user=earner.name))


def _groups(resources: list[dict[str, Any]]) -> list[list[str]]:
    """The pack's resources, those that are translations of each other in one group (doing
    one language of a resource completes it)."""
    parent = {str(resource["id"]): str(resource["id"]) for resource in resources}

    def root(item: str) -> str:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for resource in resources:
        for other in (resource.get("translations") or {}).values():
            if str(other) in parent:
                parent[root(str(other))] = root(str(resource["id"]))
    grouped: dict[str, list[str]] = {}
    for resource in resources:
        grouped.setdefault(root(str(resource["id"])), []).append(str(resource["id"]))
    return list(grouped.values())


def _pack(connection: Connection, earner: User, pack_id: str) -> credentials.Achievement | None:
    row = connection.execute(
        sa.select(db.published.c.version, db.published.c.manifest)
        .where(db.published.c.pack_id == pack_id)
        .order_by(db.published.c.id.desc()).limit(1)).first()
    if row is None:
        return None
    manifest = json.loads(row.manifest)
    resources = [item for item in manifest.get("resources", []) if isinstance(item, dict)]
    keys_ = [f"{pack_id}/{item['id']}" for item in resources]
    done: set[str] = set()
    table = db.sync_records
    for start in range(0, len(keys_), 300):
        for state_row in connection.execute(sa.select(table.c.record_id, table.c.state).where(
                table.c.owner_id == earner.id, table.c.type == "progress",
                table.c.record_id.in_(keys_[start:start + 300]))):
            state = json.loads(state_row.state)
            if not state.get("deleted") and (state.get("data") or {}).get("completed"):
                done.add(str(state_row.record_id).split("/", 1)[1])
    groups = _groups(resources)
    left = [group for group in groups if not done.intersection(group)]
    title = _title(manifest.get("title"), pack_id)
    if not groups or left:
        names = {str(item["id"]): _title(item.get("title"), str(item["id"]))
                 for item in resources}
        # Translators: {resources} is "{count} resource(s)", translated on its own; {left}
        # is how many of them are not done.
        raise BadgeRefused(_(
            "{user} has not completed the pack {title} ({pack} {version}) yet: {left} of "
            "{resources} not done (the first: {first}).").format(
                user=earner.name, title=title, pack=pack_id, version=row.version,
                left=len(left),
                resources=ngettext("{count} resource", "{count} resources",
                                   len(groups)).format(count=len(groups)),
                first=names.get(left[0][0], left[0][0]) if left else "-"))
    return credentials.Achievement(
        "pack", pack_id, str(row.version), title,
        _("Completed the learning pack {title}.").format(title=title),
        _("Completed every resource of the pack {title} ({pack}, version {version}), as "
          "recorded by the learner's synced progress.").format(
              title=title, pack=pack_id, version=row.version))


def _goal(connection: Connection, caller: User, earner: User, goal_id: str,
          curator: bool) -> credentials.Achievement | None:
    row = connection.execute(sa.select(space_records.c.space, space_records.c.state).where(
        space_records.c.type == "goal", space_records.c.record_id == goal_id)).first()
    if row is None:
        return None
    goal = json.loads(row.state)
    rel = mentorship.get_relationship(connection, str(row.space))
    if goal.get("deleted") or rel is None or rel.mentee_id != earner.id:
        raise BadgeRefused(_("The goal {id} is not one of {user}'s goals.").format(
            id=goal_id, user=earner.name))
    if not curator and (rel.mentor_id != caller.id or rel.state not in AWARDING_STATES):
        raise _not_mentor(earner)

    def value(register: Any) -> Any:
        return register.get("v") if isinstance(register, dict) else None

    fields = goal.get("fields") or {}
    title = str(value(fields.get("title")) or goal_id)
    tasks = [task for task in (goal.get("tasks") or {}).values()
             if isinstance(task, dict) and not value(task.get("removed"))]
    undone = [str(value(task.get("title")) or "?") for task in tasks
              if not value(task.get("done"))]
    if not tasks or undone:
        # Translators: {tasks} is "{count} task(s)", translated on its own; {left} is how
        # many of them are not done; {first} names the first, or says there are none.
        raise BadgeRefused(_(
            "{user} has not completed the goal {title} yet: {left} of {tasks} not done"
            "{first}.").format(
                user=earner.name, title=title, left=len(undone) if tasks else 0,
                tasks=ngettext("{count} task", "{count} tasks", len(tasks)).format(
                    count=len(tasks)),
                first=_(" (the first: {task})").format(task=undone[0]) if undone else
                _(" (it has no tasks)")))
    names = ", ".join(str(value(task.get("title")) or "?") for task in tasks)
    return credentials.Achievement(
        "goal", goal_id, None, title,
        _("Reached the mentorship goal {title}.").format(title=title),
        _("Completed every task of the goal {title} agreed with their mentor {mentor}: "
          "{tasks}.").format(title=title, mentor=rel.mentor, tasks=names))


# -- award, revoke, list ----------------------------------------------------------------------

def _iso_day_end(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def award(config: HubConfig, engine: Engine, caller: User, user: str, target: str,
          valid_until: date | None = None, now: int | None = None) -> dict[str, Any]:
    """Award ``user`` the badge for ``target`` (a published pack's id or a goal's id) as
    ``caller``: the answer holds the signed credential."""
    now = db.now() if now is None else now
    moment = datetime.fromtimestamp(now, UTC)
    if valid_until is not None and _iso_day_end(valid_until) <= moment:
        raise HubError(_("valid_until is a day after today."))
    profile = issuer(config, engine)
    private = _private_key(config)
    curator = caller.role in access.REVIEWERS
    with engine.begin() as connection:
        earner = _user(connection, user)
        if earner.disabled:
            raise BadgeRefused(_("The account {name} is disabled.").format(name=user))
        if earner.id == caller.id:
            raise BadgeForbidden(_("Nobody awards a badge to themselves."))
        plane.lock_owner(connection, earner.id)
        if not curator and not _is_mentor(connection, caller.id, earner.id):
            raise _not_mentor(earner)
        achievement = _pack(connection, earner, target) or _goal(
            connection, caller, earner, target, curator)
        if achievement is None:
            raise NotFoundError(_("There is no published pack and no goal with the id {id}.")
                                .format(id=target))
        held = connection.execute(sa.select(badges.c.id).where(
            badges.c.earner_id == earner.id, badges.c.kind == achievement.kind,
            badges.c.subject == achievement.subject,
            badges.c.version.is_(None) if achievement.version is None
            else badges.c.version == achievement.version,
            badges.c.revoked_at.is_(None))).scalar()
        if held is not None:
            raise BadgeRefused(_("{user} already holds this badge ({id}).").format(
                user=earner.name, id=held))
        credential_id = f"urn:uuid:{uuid.uuid4()}"
        unsigned = credentials.build(
            credential_id=credential_id, issuer_id=profile["id"], issuer_name=profile["name"],
            achievement=achievement, account=earner.name, salt=secrets.token_hex(16),
            valid_from=moment,
            valid_until=_iso_day_end(valid_until) if valid_until else None)
        credential = credentials.sign(unsigned, private, moment)
        text = credentials.canonical_json(credential)
        connection.execute(badges.insert().values(
            id=credential_id, earner_id=earner.id, awarded_by=caller.id, kind=achievement.kind,
            subject=achievement.subject, version=achievement.version, credential=text,
            created_at=now))
        about = {"kind": achievement.kind, "id": achievement.subject,
                 "version": achievement.version, "title": achievement.name}
        state = {"type": "badge", "id": credential_id, "deleted": False,
                 "data": {"credential": credential, "for": about, "awarded_by": caller.name,
                          "awarded": db.iso(now)}}
        connection.execute(db.sync_records.insert().values(
            owner_id=earner.id, type="badge", record_id=credential_id,
            seq=plane.next_seqs(connection, 1)[0], state=plane.canonical(state)))
    journal.event("badge-awarded", user=caller.name, earner=earner.name, badge=credential_id,
                  kind=achievement.kind, subject=achievement.subject)
    return {"id": credential_id, "for": about, "credential": credential}


def revoke(engine: Engine, caller: User, badge_id: str, reason: str,
           now: int | None = None) -> dict[str, Any]:
    """Revoke a badge (the awarder, a curator or an admin); revoking it again changes
    nothing."""
    now = db.now() if now is None else now
    reason = reason.strip()
    if not reason:
        raise HubError(_("Say why the badge is revoked (reason)."))
    with engine.begin() as connection:
        row = connection.execute(sa.select(badges).where(badges.c.id == badge_id)).first()
        if row is None:
            raise NotFoundError(_("There is no badge {id}.").format(id=badge_id))
        if caller.role not in access.REVIEWERS and row.awarded_by != caller.id:
            raise BadgeForbidden(_("Only who awarded a badge, a curator or an admin may "
                                   "revoke it."))
        if row.revoked_at is None:
            connection.execute(badges.update().where(badges.c.id == badge_id).values(
                revoked_at=now, revoked_by=caller.id, revoked_reason=reason[:2000]))
            journal.event("badge-revoked", user=caller.name, badge=badge_id)
            return {"id": badge_id, "revoked_at": db.iso(now), "reason": reason[:2000]}
    return {"id": badge_id, "revoked_at": db.iso(row.revoked_at),
            "reason": row.revoked_reason}


def revoked(engine: Engine, caller: User) -> dict[str, Any]:
    """Every revoked badge of this hub; the reason only to those it concerns."""
    curator = caller.role in access.REVIEWERS
    with engine.connect() as connection:
        rows = connection.execute(sa.select(
            badges.c.id, badges.c.revoked_at, badges.c.revoked_reason, badges.c.earner_id,
            badges.c.awarded_by).where(badges.c.revoked_at.is_not(None))
            .order_by(badges.c.revoked_at, badges.c.id)).all()
    return {"issuer": issuer_id(engine), "revoked": [
        {"id": row.id, "revoked_at": db.iso(row.revoked_at),
         "reason": row.revoked_reason if curator or caller.id in (
             row.earner_id, row.awarded_by) else None}
        for row in rows]}


def conditional(request: Request, body: BaseModel) -> Response:
    """``body`` as JSON with a strong ETag, or 304 with no body when the client's copy
    (``If-None-Match``) is current: every sync asks for the issuer and the revoked list,
    which rarely change."""
    raw = body.model_dump_json(by_alias=True).encode()
    etag = '"' + hashlib.sha256(raw).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    asked = {tag.strip() for tag in request.headers.get("if-none-match", "").split(",")}
    if etag in asked:
        return Response(status_code=304, headers=headers)
    return Response(raw, media_type="application/json", headers=headers)


# -- routes -----------------------------------------------------------------------------------

class AwardIn(BaseModel):
    user: str = Field(min_length=1, max_length=64)
    for_: str = Field(alias="for", min_length=1, max_length=300)
    valid_until: date | None = None


class ForOut(BaseModel):
    kind: str
    id: str
    version: str | None
    title: str


class AwardOut(BaseModel):
    id: str
    for_: ForOut = Field(alias="for", serialization_alias="for")
    credential: dict[str, Any]


class RevokeIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class RevokedOne(BaseModel):
    id: str
    revoked_at: str | None
    reason: str | None


class RevokedOut(BaseModel):
    issuer: str
    revoked: list[RevokedOne]


class KeyOut(BaseModel):
    public_key: str
    fingerprint: str
    did: str
    signed_by: str | None
    endorsement: str | None
    created: str | None


class IssuerOut(BaseModel):
    id: str
    type: list[str]
    name: str
    keys: list[KeyOut]


def _http(error: HubError) -> HTTPException:
    return HTTPException(403 if isinstance(error, BadgeForbidden) else 409, str(error))


def install(api: FastAPI, signed_in: Any) -> None:
    """Add the badge routes to ``api``; ``signed_in`` gives the caller."""

    caller_of = Depends(signed_in)

    def hub(request: Request) -> Any:
        return request.app.state.hub

    @api.post(AWARD_PATH, status_code=201, response_model=AwardOut, response_model_by_alias=True,
              responses={403: {"description": "Not the learner's mentor nor a curator"},
                         409: {"description": "Not earned yet, or held already"}})
    def award_route(request: Request, body: AwardIn,
                    caller: Any = caller_of) -> Any:
        try:
            return award(hub(request).config, hub(request).engine, caller.user, body.user,
                         body.for_, body.valid_until)
        except (BadgeForbidden, BadgeRefused) as error:
            journal.event("badge-refused", user=caller.user.name, earner=body.user[:64],
                          reason=type(error).__name__)
            raise _http(error) from None

    @api.get(REVOKED_PATH, response_model=RevokedOut)
    def revoked_route(request: Request, caller: Any = caller_of) -> Any:
        return conditional(request, RevokedOut.model_validate(
            revoked(hub(request).engine, caller.user)))

    @api.post(REVOKE_PATH, response_model=RevokedOne)
    def revoke_route(request: Request, badge_id: str, body: RevokeIn,
                     caller: Any = caller_of) -> Any:
        try:
            return revoke(hub(request).engine, caller.user, badge_id, body.reason)
        except BadgeForbidden as error:
            raise _http(error) from None

    @api.get(ISSUER_PATH, response_model=IssuerOut)
    def issuer_route(request: Request) -> Any:
        return conditional(request, IssuerOut.model_validate(
            issuer(hub(request).config, hub(request).engine)))

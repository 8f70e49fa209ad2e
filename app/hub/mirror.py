"""Accounts a workshop hub mirrors from the central hub (docs/hub.md, "Mirrored accounts").

On the central hub, its admin names the accounts a ``forwarder`` account may mirror
(``ujuzi hub user mirror FORWARDER NAME...``, table ``mirror_grants``). That forwarder, and
only it, reads those accounts' names, roles, whether they are disabled and their argon2
hashes (``GET /api/v1/mirror/accounts``); nobody ever sees a password.

On the workshop hub, ``ujuzi hub forward URL --user FORWARDER --mirror`` makes or updates
each of them as a local account marked mirrored (table ``mirrored_accounts``, with the
upstream it came from): a learner signs in there with their usual name and password, with
no network. An account the laptop made itself is never overwritten; a mirrored account that
is disabled upstream, or no longer granted, is disabled on the laptop and its sessions
there are signed out, and so is one whose password changed upstream.

Only accounts of the roles in :data:`MIRRORABLE` may be mirrored: the hashes of curators and
admins never leave the central hub, and a laptop never gets an account that can review or
administer because the central hub has one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app.errors import HubError
from app.hub import accounts, db
from app.hub.access import FORWARDER, LEARNER, MENTOR, TRAINER
from app.i18n import _

#: The roles whose accounts a forwarder may mirror.
MIRRORABLE = (LEARNER, MENTOR, TRAINER)
#: What a mirrored account's password hash must look like (argon2, as the hub makes them).
HASH_PREFIX = "$argon2"

#: On the central hub: the accounts each forwarder may mirror.
mirror_grants = sa.Table(
    "mirror_grants", db.metadata,
    sa.Column("forwarder_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("granted_at", sa.BigInteger, nullable=False),
)

#: On a workshop hub: its accounts that are copies of an upstream hub's.
mirrored_accounts = sa.Table(
    "mirrored_accounts", db.metadata,
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("upstream", sa.String(500), nullable=False),
    sa.Column("mirrored_at", sa.BigInteger, nullable=False),
)


# -- the central hub -------------------------------------------------------------------------

def grant(engine: Engine, forwarder: str, names: Iterable[str], allow: bool = True) -> int:
    """Let the ``forwarder`` account mirror the accounts ``names`` (``allow`` False: stop
    it); the number of grants that changed. Nothing changes when one name is refused."""
    relay = accounts.get_user(engine, forwarder)
    if relay.role != FORWARDER:
        raise HubError(_("{name} has the role {role}; only a forwarder account mirrors "
                         "accounts.").format(name=relay.name, role=relay.role))
    users = [accounts.get_user(engine, name) for name in dict.fromkeys(names)]
    if allow:
        for user in users:
            if user.role not in MIRRORABLE:
                raise HubError(_("{name} has the role {role}; only the accounts of {roles} "
                                 "may be mirrored.").format(name=user.name, role=user.role,
                                                            roles=", ".join(MIRRORABLE)))
    changed = 0
    table = mirror_grants
    with engine.begin() as connection:
        for user in users:
            where = (table.c.forwarder_id == relay.id, table.c.user_id == user.id)
            present = connection.execute(sa.select(table.c.user_id).where(*where)).first()
            if allow and present is None:
                connection.execute(table.insert().values(
                    forwarder_id=relay.id, user_id=user.id, granted_at=db.now()))
                changed += 1
            elif not allow and present is not None:
                connection.execute(table.delete().where(*where))
                changed += 1
    return changed


def granted(engine: Engine, forwarder_id: int) -> list[dict[str, Any]]:
    """The accounts ``forwarder_id`` may mirror, as it reads them (hashes included)."""
    users = db.users
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(users.c.name, users.c.role, users.c.disabled, users.c.password_hash)
            .join(mirror_grants, mirror_grants.c.user_id == users.c.id)
            .where(mirror_grants.c.forwarder_id == forwarder_id)
            .order_by(users.c.name)).all()
    # An account whose role is no longer one that is mirrored is not listed: the workshop
    # hub disables its copy.
    return [{"name": row.name, "role": row.role, "disabled": bool(row.disabled),
             "password_hash": row.password_hash} for row in rows if row.role in MIRRORABLE]


def grants(engine: Engine, forwarder: str) -> list[str]:
    """The names of the accounts ``forwarder`` may mirror."""
    relay = accounts.get_user(engine, forwarder)
    return [str(entry["name"]) for entry in granted(engine, relay.id)]


# -- the workshop hub ------------------------------------------------------------------------

@dataclass
class Mirrored:
    """What one mirroring did, by account name."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    disabled: list[str] = field(default_factory=list)
    #: Names of accounts this hub made itself, left as they are.
    kept: list[str] = field(default_factory=list)


def _check_entry(entry: Any) -> tuple[str, str, bool, str]:
    try:
        name, role = str(entry["name"]), str(entry["role"])
        disabled, password_hash = entry["disabled"], str(entry["password_hash"])
    except (KeyError, TypeError):
        raise HubError(_("The upstream hub's list of mirrored accounts is malformed.")) \
            from None
    if not re.match(accounts.NAME_PATTERN, name) or role not in MIRRORABLE \
            or not isinstance(disabled, bool) or not password_hash.startswith(HASH_PREFIX) \
            or len(password_hash) > 1024:
        raise HubError(_("The upstream hub's list of mirrored accounts is malformed "
                         "({name}).").format(name=name[:64]))
    return name, role, disabled, password_hash


def _revoke(connection: Connection, user_id: int, reason: str) -> None:
    connection.execute(db.tokens.update().where(
        db.tokens.c.user_id == user_id, db.tokens.c.revoked_at.is_(None),
    ).values(revoked_at=db.now(), revoked_reason=reason))


def apply(engine: Engine, upstream: str, entries: Iterable[Any]) -> Mirrored:
    """Make or update the accounts ``entries`` (as :func:`granted` gives them) mirrored from
    ``upstream``, in one transaction; disable this upstream's mirrored accounts no longer
    listed."""
    checked = [_check_entry(entry) for entry in entries]
    result = Mirrored()
    users, marks = db.users, mirrored_accounts
    with engine.begin() as connection:
        mirrored = {int(row.user_id): str(row.upstream) for row in connection.execute(
            sa.select(marks.c.user_id, marks.c.upstream))}
        listed: set[int] = set()
        for name, role, disabled, password_hash in checked:
            row = connection.execute(sa.select(
                users.c.id, users.c.role, users.c.disabled, users.c.password_hash)
                .where(users.c.name == name)).first()
            if row is None:
                made = connection.execute(users.insert().values(
                    name=name, role=role, password_hash=password_hash, disabled=disabled,
                    trusted=False, created_at=db.now())).inserted_primary_key
                assert made is not None
                user_id = int(made[0])
                connection.execute(marks.insert().values(
                    user_id=user_id, upstream=upstream, mirrored_at=db.now()))
                listed.add(int(user_id))
                result.added.append(name)
                continue
            user_id = int(row.id)
            if mirrored.get(user_id) != upstream:
                result.kept.append(name)  # this hub's own account, or another upstream's
                continue
            listed.add(user_id)
            if (row.role, bool(row.disabled), row.password_hash) == (
                    role, disabled, password_hash):
                continue
            connection.execute(users.update().where(users.c.id == user_id).values(
                role=role, disabled=disabled, password_hash=password_hash))
            connection.execute(marks.update().where(marks.c.user_id == user_id)
                               .values(mirrored_at=db.now()))
            if disabled or row.password_hash != password_hash:
                _revoke(connection, user_id, "disabled" if disabled else "logout")
            (result.disabled if disabled and not row.disabled else result.updated).append(name)
        for user_id, source in mirrored.items():
            if source != upstream or user_id in listed:
                continue
            former = connection.execute(sa.select(users.c.name, users.c.disabled)
                                        .where(users.c.id == user_id)).first()
            if former is None or former.disabled:
                continue
            connection.execute(users.update().where(users.c.id == user_id)
                               .values(disabled=True))
            _revoke(connection, user_id, "disabled")
            result.disabled.append(str(former.name))
    return result


def mirrored_names(engine: Engine, upstream: str) -> list[tuple[int, str]]:
    """``(id, name)`` of the accounts mirrored from ``upstream`` that are not disabled."""
    users = db.users
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(users.c.id, users.c.name)
            .join(mirrored_accounts, mirrored_accounts.c.user_id == users.c.id)
            .where(mirrored_accounts.c.upstream == upstream, users.c.disabled.is_(False))
            .order_by(users.c.name))
        return [(int(row.id), str(row.name)) for row in rows]


def is_mirrored(engine: Engine, name: str) -> bool:
    with engine.connect() as connection:
        return connection.execute(
            sa.select(mirrored_accounts.c.user_id)
            .join(db.users, db.users.c.id == mirrored_accounts.c.user_id)
            .where(db.users.c.name == name)).first() is not None

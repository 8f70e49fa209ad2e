"""The hub's signing key: made on first use, shown, rotated.

The private key lives in :attr:`HubLayout.signing_key` (0600); the database lists every
public key the hub has had, each newer one with its endorsement by the one before, so that
every worker (and every machine sharing the database) answers ``GET /api/v1/hub`` the same
way and a client that pinned an old key can follow the chain.

Rotation (``ujuzi hub key rotate``), so that a crash at any step leaves a working hub:
the current key is copied to ``retired-<n>.pem``; the new key is written beside the current
one (:attr:`HubLayout.next_signing_key`); one transaction records it with its endorsement
and re-signs every published manifest; then the new key file replaces the current one.
:func:`ensure_key` finishes or undoes a rotation that a crash interrupted.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app.errors import HubError
from app.hub import db
from app.hub.config import HubConfig
from app.i18n import _
from app.packs.signing import HubKey


@dataclass(frozen=True)
class KeyInfo:
    public_key: str
    fingerprint: str
    created_at: int
    signed_by: str | None
    endorsement: str | None


def _rows(connection: Connection) -> list[KeyInfo]:
    rows = connection.execute(sa.select(db.keys).order_by(db.keys.c.id)).mappings()
    return [KeyInfo(row["public_key"], row["fingerprint"], row["created_at"],
                    row["signed_by"], row["endorsement"]) for row in rows]


def history(engine: Engine) -> list[KeyInfo]:
    """Every key the hub has had, oldest first; the last is the current one."""
    with engine.connect() as connection:
        return _rows(connection)


def current(engine: Engine) -> KeyInfo:
    keys = history(engine)
    if not keys:
        raise HubError(_("The hub has no signing key yet; run 'ujuzi hub key show'."))
    return keys[-1]


def load(config: HubConfig) -> HubKey:
    """The current private key, read from its file (never kept by a worker, so that a
    rotation takes effect for every worker at once)."""
    path = config.layout.signing_key
    try:
        return HubKey.load(path)
    except FileNotFoundError:
        raise HubError(_("The hub's signing key {path} is missing.").format(path=path)) from None
    except (ValueError, TypeError):
        raise HubError(_("The hub's signing key {path} is not a valid key.")
                       .format(path=path)) from None


def ensure_key(config: HubConfig, engine: Engine) -> KeyInfo:
    """Make the key on first use, finish an interrupted rotation, and check that the key
    file is the one the database knows (the caller holds the setup lock)."""
    hub = config.layout
    hub.ensure()
    with engine.begin() as connection:
        known = _rows(connection)
        pending = hub.next_signing_key
        if pending.exists():
            new = HubKey.load(pending)
            if known and known[-1].public_key == new.public_key:
                os.replace(pending, hub.signing_key)
            else:
                pending.unlink()
        if not hub.signing_key.exists():
            if known:
                raise HubError(_("The hub's signing key {path} is missing; restore it from "
                                 "a backup (its fingerprint is {fingerprint}).").format(
                                     path=hub.signing_key, fingerprint=known[-1].fingerprint))
            HubKey.generate().save(hub.signing_key)
        key = load(config)
        if not known:
            connection.execute(db.keys.insert().values(
                public_key=key.public_key, fingerprint=key.fingerprint, created_at=db.now()))
            db.bump(connection, db.CATALOG_COUNTER)
        elif known[-1].public_key != key.public_key:
            raise HubError(_("The signing key in {path} ({mine}) is not the hub's current "
                             "key ({theirs}); copy the right key file to this machine.").format(
                                 path=hub.signing_key, mine=key.fingerprint,
                                 theirs=known[-1].fingerprint))
        return _rows(connection)[-1]


def rotate(config: HubConfig, engine: Engine) -> KeyInfo:
    """Replace the signing key by a new one endorsed by it, and re-sign every published
    manifest (the caller holds the setup lock)."""
    hub = config.layout
    old = load(config)
    number = 1
    while hub.retired_key(number).exists():
        number += 1
    old.save(hub.retired_key(number))
    new = HubKey.generate()
    new.save(hub.next_signing_key)
    with engine.begin() as connection:
        connection.execute(db.keys.insert().values(
            public_key=new.public_key, fingerprint=new.fingerprint, created_at=db.now(),
            signed_by=old.public_key, endorsement=old.endorse(new.public_key)))
        rows = connection.execute(
            sa.select(db.published.c.id, db.published.c.manifest)).all()
        for row_id, manifest in rows:
            connection.execute(db.published.update().where(db.published.c.id == row_id).values(
                signature=new.sign_manifest(manifest.encode("utf-8")),
                fingerprint=new.fingerprint))
        db.bump(connection, db.CATALOG_COUNTER)
    os.replace(hub.next_signing_key, hub.signing_key)
    return current(engine)

"""Opening a hub: its folders, its database brought up to date, its signing key.

Every hub command calls :func:`prepare` before it touches the database; the migrations and
the key's creation run under :attr:`HubLayout.setup_lock`, so two commands (or a command and
the server, or the parent of several workers) never run them at once.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.errors import HubError
from app.hub import db, keys
from app.hub.config import HubConfig, redacted_url
from app.i18n import _
from app.paths import exclusive_lock


def connect(config: HubConfig) -> Engine:
    """An engine for an already prepared hub (what each worker opens)."""
    config.layout.ensure()
    return db.create_engine(config)


def prepare(config: HubConfig) -> Engine:
    """Make the hub's folders, migrate its database and make sure of its key."""
    engine = connect(config)
    try:
        with exclusive_lock(config.layout.setup_lock):
            db.migrate(engine)
            keys.ensure_key(config, engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise HubError(_("The hub's database {url} cannot be used: {error}").format(
            url=redacted_url(config.database or config.database_url),
            error=str(getattr(exc, "orig", None) or exc).splitlines()[0][:300])) from None
    except BaseException:
        engine.dispose()
        raise
    return engine

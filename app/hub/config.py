"""What one hub runs with: its data directory, its database, its limits.

Every setting has a default; the environment may change the ones a deployment (or a test)
needs to, so that worker processes started by uvicorn read the same values as their parent.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from app.errors import HubError
from app.i18n import _
from app.paths import HubLayout, layout

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8470
#: Records per push when a laptop hub forwards upstream (``hub forward --batch``).
FORWARD_BATCH = 500
DAY = 24 * 60 * 60

#: Environment variables (set by ``ujuzi hub serve`` for its workers, or by an operator).
ENV_HOME = "UJUZI_HUB_HOME"
ENV_DATABASE = "UJUZI_HUB_DATABASE"
ENV_TOKEN_LIFETIME = "UJUZI_HUB_TOKEN_LIFETIME"
ENV_MAX_UPLOAD = "UJUZI_HUB_MAX_UPLOAD"
ENV_NAME = "UJUZI_HUB_NAME"
ENV_LOGIN_LIMITS = "UJUZI_HUB_LOGIN_LIMITS"


@dataclass(frozen=True)
class LoginLimits:
    """Failed sign-ins allowed per account and per address within ``window`` seconds."""

    per_account: int = 5
    per_address: int = 20
    window: int = 15 * 60


@dataclass(frozen=True)
class HubConfig:
    home: Path
    #: A SQLAlchemy URL; None for the SQLite file of :attr:`HubLayout.database`.
    database: str | None = None
    name: str = "Ujuzi hub"
    #: Seconds a session token stays valid.
    token_lifetime: int = 90 * DAY
    #: Largest pack a submission may upload, in bytes.
    max_upload: int = 4 * 1024**3
    #: Largest JSON body of any other request, in bytes.
    max_json: int = 64 * 1024
    login_limits: LoginLimits = field(default_factory=LoginLimits)

    @property
    def layout(self) -> HubLayout:
        return layout(self.home).hub

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL, with PostgreSQL mapped to the psycopg (3) driver."""
        if not self.database:
            return f"sqlite:///{self.layout.database}"
        return database_url(self.database)

    def with_database(self, database: str | None) -> HubConfig:
        return replace(self, database=database) if database else self

    @classmethod
    def from_environment(cls, home: str | os.PathLike[str] | None = None,
                         database: str | None = None) -> HubConfig:
        """The configuration for ``home`` (else ``UJUZI_HUB_HOME``, else the data directory
        that ``--home`` and ``UJUZI_HOME`` select), with the environment's overrides."""
        env = os.environ
        root = layout(home or env.get(ENV_HOME) or None).home
        config = cls(home=root, database=database or env.get(ENV_DATABASE) or None)
        changes: dict[str, object] = {}
        if env.get(ENV_NAME):
            changes["name"] = env[ENV_NAME]
        if env.get(ENV_TOKEN_LIFETIME):
            changes["token_lifetime"] = _number(ENV_TOKEN_LIFETIME)
        if env.get(ENV_MAX_UPLOAD):
            changes["max_upload"] = _number(ENV_MAX_UPLOAD)
        if env.get(ENV_LOGIN_LIMITS):
            parts = env[ENV_LOGIN_LIMITS].split(",")
            if len(parts) != 3 or not all(part.strip().isdigit() for part in parts):
                raise HubError(_("{name} must be three numbers: failures per account, per "
                                 "address, and the window in seconds.").format(
                                     name=ENV_LOGIN_LIMITS))
            account, address, window = (int(part) for part in parts)
            changes["login_limits"] = LoginLimits(account, address, window)
        return replace(config, **changes)  # type: ignore[arg-type]


def _number(name: str) -> int:
    text = os.environ[name].strip()
    if not text.isdigit():
        raise HubError(_("{name} must be a whole number, not {value}.").format(
            name=name, value=text[:40]))
    return int(text)


def database_url(url: str) -> str:
    """``postgresql://`` (and ``postgres://``) become SQLAlchemy's psycopg URL; SQLite URLs
    stay as they are; anything else is refused in one line."""
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    if url.startswith("sqlite:///"):
        return url
    raise HubError(_("Unsupported database URL {url}: use postgresql://... or sqlite:///PATH.")
                   .format(url=_redacted(url)))


def _redacted(url: str) -> str:
    """``url`` without a password, for messages and logs."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url[:200]
    credentials, _at, host = rest.rpartition("@")
    if ":" not in credentials:
        return url[:200]
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"[:200]


redacted_url = _redacted

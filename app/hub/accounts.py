"""Accounts, sessions and failed sign-ins, all kept in the database.

Passwords are argon2id hashes (argon2-cffi). A session token is 32 random bytes
(:mod:`secrets`) that the hub stores only as its sha256, with its expiry and, once signed
out or its account disabled, when and why it was revoked. Failed sign-ins are counted per
account and per address within a window; once either is over its limit, a sign-in is
answered "try again later" without checking the password. Only failures count, and a
successful sign-in clears its account's count.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from app.errors import AuthError, HubError, NotFoundError
from app.hub import db
from app.hub.access import ROLES
from app.hub.config import HubConfig, LoginLimits
from app.i18n import _, ngettext

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$"
MIN_PASSWORD = 8
MAX_PASSWORD = 1024

_hasher = PasswordHasher()
#: Verified against when the account does not exist, so that an unknown name takes as long
#: as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    trusted: bool
    disabled: bool
    created_at: int


@dataclass(frozen=True)
class Session:
    token: str
    expires_at: int
    user: User


class TooManyFailures(AuthError):
    """Sign-ins refused for a while after too many failures."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AccountDisabled(AuthError):
    """A disabled account with the right password."""


class NameTaken(HubError):
    """An account name that already exists."""


def _user(row: sa.RowMapping) -> User:
    return User(row["id"], row["name"], row["role"], bool(row["trusted"]),
                bool(row["disabled"]), row["created_at"])


def check_new_account(name: str, role: str, password: str) -> None:
    if not re.match(NAME_PATTERN, name) or name != name.strip():
        raise HubError(_("An account name is 1 to 64 letters, digits, dots, dashes, @ or "
                         "underscores, starting with a letter or digit."))
    if role not in ROLES:
        raise HubError(_("Unknown role {role}; choose one of: {roles}.").format(
            role=role, roles=", ".join(ROLES)))
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise HubError(ngettext("A password needs at least {count} character.",
                                "A password needs at least {count} characters.",
                                MIN_PASSWORD).format(count=MIN_PASSWORD))


def add_user(engine: Engine, name: str, role: str, password: str) -> User:
    check_new_account(name, role, password)
    password_hash = _hasher.hash(password)
    try:
        with engine.begin() as connection:
            connection.execute(db.users.insert().values(
                name=name, role=role, password_hash=password_hash, disabled=False,
                trusted=False, created_at=db.now()))
    except IntegrityError:
        raise NameTaken(_("There is already an account named {name}.").format(
            name=name)) from None
    return get_user(engine, name)


def get_user(engine: Engine, name: str) -> User:
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(db.users).where(db.users.c.name == name)).mappings().first()
    if row is None:
        raise NotFoundError(_("There is no account named {name}.").format(name=name))
    return _user(row)


def list_users(engine: Engine) -> list[User]:
    with engine.connect() as connection:
        rows = connection.execute(sa.select(db.users).order_by(db.users.c.name)).mappings()
        return [_user(row) for row in rows]


def disable_user(engine: Engine, name: str) -> User:
    """Disable an account and revoke its sessions."""
    user = get_user(engine, name)
    with engine.begin() as connection:
        connection.execute(db.users.update().where(db.users.c.id == user.id)
                           .values(disabled=True))
        connection.execute(db.tokens.update().where(
            db.tokens.c.user_id == user.id, db.tokens.c.revoked_at.is_(None),
        ).values(revoked_at=db.now(), revoked_reason="disabled"))
    return get_user(engine, name)


def set_trusted(engine: Engine, name: str, trusted: bool) -> User:
    user = get_user(engine, name)
    with engine.begin() as connection:
        connection.execute(db.users.update().where(db.users.c.id == user.id)
                           .values(trusted=trusted))
    return get_user(engine, name)


# -- sign-in ---------------------------------------------------------------------------------

def _failure_keys(name: str, address: str) -> tuple[str, str]:
    return "account:" + name.casefold()[:200], "address:" + address[:200]


def _retry_after(connection: Connection, key: str, limit: int, window: int, at: int) -> int:
    """Seconds until ``key`` may try again; 0 when it is under its limit."""
    row = connection.execute(sa.select(db.login_failures).where(
        db.login_failures.c.key == key)).mappings().first()
    if row is None or row["window_start"] + window <= at or row["count"] < limit:
        return 0
    return max(1, int(row["window_start"]) + window - at)


def _count_failure(engine: Engine, key: str, window: int, at: int) -> None:
    table = db.login_failures
    for attempt in range(2):
        try:
            with engine.begin() as connection:
                fresh = connection.execute(table.update().where(
                    table.c.key == key, table.c.window_start + window <= at,
                ).values(count=1, window_start=at))
                if fresh.rowcount:
                    return
                more = connection.execute(table.update().where(table.c.key == key)
                                          .values(count=table.c.count + 1))
                if more.rowcount:
                    return
                connection.execute(table.insert().values(key=key, count=1, window_start=at))
            return
        except IntegrityError:
            if attempt:  # another worker inserted the row at the same moment: count again
                raise


def login(config: HubConfig, engine: Engine, name: str, password: str, device: str,
          address: str) -> Session:
    """Check a password and open a session, or raise :class:`AuthError` (wrong name or
    password, the same words for both), :class:`AccountDisabled` or
    :class:`TooManyFailures`."""
    limits: LoginLimits = config.login_limits
    account_key, address_key = _failure_keys(name, address)
    at = db.now()
    with engine.connect() as connection:
        wait = max(
            _retry_after(connection, account_key, limits.per_account, limits.window, at),
            _retry_after(connection, address_key, limits.per_address, limits.window, at))
        row = connection.execute(
            sa.select(db.users).where(db.users.c.name == name)).mappings().first()
    if wait:
        raise TooManyFailures(ngettext("Too many failed sign-ins; try again in {seconds} "
                                       "second.",
                                       "Too many failed sign-ins; try again in {seconds} "
                                       "seconds.", wait).format(seconds=wait), wait)
    try:
        _hasher.verify(row["password_hash"] if row is not None else _DUMMY_HASH,
                       password[:MAX_PASSWORD])
        ok = row is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or row is None:
        _count_failure(engine, account_key, limits.window, at)
        _count_failure(engine, address_key, limits.window, at)
        raise AuthError(_("Wrong account name or password."))
    user = _user(row)
    if user.disabled:
        raise AccountDisabled(_("This account is disabled; ask the hub's administrator."))
    token = secrets.token_urlsafe(32)
    expires_at = at + config.token_lifetime
    with engine.begin() as connection:
        connection.execute(db.login_failures.delete().where(
            db.login_failures.c.key == account_key))
        connection.execute(db.tokens.insert().values(
            token_hash=token_hash(token), user_id=user.id, device=device[:200],
            created_at=at, expires_at=expires_at))
        if _hasher.check_needs_rehash(row["password_hash"]):
            connection.execute(db.users.update().where(db.users.c.id == user.id).values(
                password_hash=_hasher.hash(password)))
    return Session(token, expires_at, user)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


#: Every request's token check: built once (building and keying a statement per request
#: cost more than running it).
_SESSION = (sa.select(db.tokens.c.expires_at, db.tokens.c.revoked_at,
                      db.tokens.c.revoked_reason, db.users)
            .join(db.users, db.users.c.id == db.tokens.c.user_id)
            .where(db.tokens.c.token_hash == sa.bindparam("token_hash")))


def authenticate(engine: Engine, token: str) -> User:
    """The account of a session token, or :class:`AuthError` saying why not."""
    with engine.connect() as connection:
        row = connection.execute(
            _SESSION, {"token_hash": token_hash(token)}).mappings().first()
    if row is None:
        raise AuthError(_("The hub does not know this session; sign in again."))
    if row["revoked_at"] is not None:
        if row["revoked_reason"] == "disabled":
            raise AuthError(_("This session was signed out because the account was "
                              "disabled."))
        raise AuthError(_("This session was signed out; sign in again."))
    if row["expires_at"] <= db.now():
        raise AuthError(_("Your session has expired; sign in again."))
    if row["disabled"]:
        raise AuthError(_("This account is disabled; ask the hub's administrator."))
    return _user(row)


def logout(engine: Engine, token: str) -> None:
    with engine.begin() as connection:
        connection.execute(db.tokens.update().where(
            db.tokens.c.token_hash == token_hash(token), db.tokens.c.revoked_at.is_(None),
        ).values(revoked_at=db.now(), revoked_reason="logout"))

"""The hub's HTTP API (docs/hub.md): a FastAPI app over one :class:`Hub`.

Workers keep nothing but caches keyed by database counters: sessions, failed sign-ins,
submissions and the catalog are all in the database, so any number of workers (on any
number of machines sharing one PostgreSQL) answer alike. Authorisation is
:mod:`app.hub.access`'s table, enforced for every route by :func:`authorize`.
"""

from __future__ import annotations

import gzip
import logging
import os
import re
import secrets
import tempfile
import time
import zlib
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

import app
from app.errors import AuthError, HubError, NotFoundError, PackError, UjuziError
from app.hub import (
    access,
    accounts,
    badges,
    catalog,
    forward_routes,
    journal,
    keys,
    mentor_routes,
    mentorship,
    records,
)
from app.hub.accounts import User
from app.hub.config import HubConfig
from app.hub.service import connect

UPLOAD_PATH = "/api/v1/submissions"
PUSH_PATH = "/api/v1/sync/push"
PULL_PATH = "/api/v1/sync/pull"
SHA256 = re.compile(r"^[0-9a-f]{64}$")
BLOB_CACHE = "public, max-age=31536000, immutable"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass
class Hub:
    config: HubConfig
    engine: Engine
    catalog: catalog.CatalogCache


# -- models (the schema in /openapi.json) ----------------------------------------------------

class ErrorOut(BaseModel):
    detail: str


class HealthOut(BaseModel):
    status: str


class KeyOut(BaseModel):
    public_key: str
    fingerprint: str


class EndorsementOut(BaseModel):
    key: str
    signed_by: str
    signature: str


class HubOut(BaseModel):
    name: str
    version: str
    key: KeyOut
    endorsements: list[EndorsementOut]


class LoginIn(BaseModel):
    user: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=accounts.MAX_PASSWORD)
    device: str = Field(default="", max_length=200)


class UserOut(BaseModel):
    name: str
    role: str
    trusted: bool


class LoginOut(BaseModel):
    token: str
    expires_at: str
    user: UserOut


class CatalogEntryOut(BaseModel):
    id: str
    version: str
    title: dict[str, str]
    description: dict[str, str]
    languages: list[str]
    skills: list[str]
    level: str | None
    license: str
    attribution: str
    size: int
    files: int
    manifest_sha256: str
    published_at: str


class CatalogOut(BaseModel):
    packs: list[CatalogEntryOut]


class ManifestOut(BaseModel):
    manifest: str
    signature: str
    fingerprint: str


class SubmissionOut(BaseModel):
    id: int
    pack_id: str
    version: str
    title: dict[str, str]
    submitter: str | None
    submitted_at: str
    status: str
    reason: str | None
    reviewer: str | None
    reviewed_at: str | None
    size: int
    files: int
    languages: list[str]
    license: str
    attribution: str


class SubmissionDetailOut(SubmissionOut):
    manifest: str


class SubmissionsOut(BaseModel):
    submissions: list[SubmissionOut]


class RejectIn(BaseModel):
    reason: str = Field(min_length=1, max_length=catalog.MAX_REASON)


class AccountOut(BaseModel):
    name: str
    role: str
    disabled: bool
    trusted: bool
    created_at: str


class AccountsOut(BaseModel):
    users: list[AccountOut]


class NewAccountIn(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    role: Literal["learner", "mentor", "trainer", "curator", "admin", "forwarder"]
    password: str = Field(min_length=accounts.MIN_PASSWORD, max_length=accounts.MAX_PASSWORD)


class TrustIn(BaseModel):
    trusted: bool


class ChangeIn(BaseModel):
    counter: int = Field(ge=1, le=records.MAX_COUNTER)
    record: dict[str, Any]


class PushIn(BaseModel):
    device: str = Field(min_length=1, max_length=200)
    #: Only a forwarder names another account; everyone else pushes their own records.
    owner: str | None = Field(default=None, min_length=1, max_length=64)
    changes: list[ChangeIn] = Field(default_factory=list, max_length=records.MAX_BATCH)


class RefusedOut(BaseModel):
    counter: int
    type: str
    id: str
    reason: str


class PushOut(BaseModel):
    acked: int
    #: A forwarder's push only: the changes left out, with their reasons.
    refused: list[RefusedOut] | None = None


class PulledOut(BaseModel):
    seq: int
    record: dict[str, Any]


class PullOut(BaseModel):
    records: list[PulledOut]
    cursor: int
    more: bool


def _account(user: User) -> AccountOut:
    return AccountOut(name=user.name, role=user.role, disabled=user.disabled,
                      trusted=user.trusted, created_at=accounts_iso(user.created_at))


def accounts_iso(seconds: int) -> str:
    from app.hub.db import iso

    return iso(seconds) or ""


# -- authorisation ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Caller:
    user: User
    token: str


def _hub(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _space, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def authorize(request: Request) -> Caller | None:
    """Apply :data:`app.hub.access.ACCESS` to this request: the caller when signed in."""
    route = request.scope.get("route")
    path = getattr(route, "path", None)
    rule = access.rule_for(request.method, path) if isinstance(path, str) else None
    if rule is None:
        raise HTTPException(403, "This route is closed: it is not in the hub's access table.")
    if not access.needs_account(rule):
        return None
    token = _bearer(request)
    if token is None:
        raise HTTPException(401, "Sign in first: this needs an account on the hub.",
                            headers={"WWW-Authenticate": "Bearer"})
    user = accounts.authenticate(_hub(request).engine, token)
    request.state.user = user.name
    if not access.decide(rule, user.role).allowed:
        raise HTTPException(403, f"An account with the role {user.role} may not do this.")
    return Caller(user, token)


async def signed_in(caller: Annotated[Caller | None, Depends(authorize)]) -> Caller:
    # async: no I/O here, so FastAPI does not hand it to a worker thread and back
    if caller is None:  # only for routes the table opens to anyone, which do not ask
        raise HTTPException(401, "Sign in first: this needs an account on the hub.")
    return caller


SignedIn = Annotated[Caller, Depends(signed_in)]


# -- errors ----------------------------------------------------------------------------------

def _status(error: UjuziError) -> int:
    if isinstance(error, accounts.TooManyFailures):
        return 429
    if isinstance(error, accounts.AccountDisabled | records.RecordForbidden
                  | mentorship.SpaceForbidden):
        return 403
    if isinstance(error, AuthError):
        return 401
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, catalog.VersionConflict | catalog.StateConflict | accounts.NameTaken):
        return 409
    return 400


async def _ujuzi_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, UjuziError)
    status = _status(error)
    headers: dict[str, str] = {}
    if isinstance(error, accounts.TooManyFailures):
        headers["Retry-After"] = str(error.retry_after)
    elif status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse({"detail": str(error)}, status_code=status, headers=headers)


async def _invalid_request(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    problems = error.errors()
    if problems:
        first = problems[0]
        where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
        detail = f"The request is not valid: {where or 'body'}: {first.get('msg', '')}."
    else:
        detail = "The request is not valid."
    return JSONResponse({"detail": detail[:500]}, status_code=422)


async def _database_error(request: Request, error: Exception) -> Response:
    journal.event("database-error", logging.ERROR, error=str(error)[:500])
    return JSONResponse({"detail": "The hub's database is not answering; try again later."},
                        status_code=503, headers={"Retry-After": "30"})


# -- middleware: request ids, size limits, the request log -----------------------------------

class BodyTooLarge(Exception):
    pass


class BadEncoding(Exception):
    pass


#: Bodies smaller than this are sent as they are: gzip's own header and trailer (18 bytes)
#: and the Content-Encoding header would make them larger.
GZIP_FROM = 200


async def _inflated(receive: Receive, limit: int) -> bytes:
    """The whole body of a request sent with ``Content-Encoding: gzip``, inflated
    (:class:`BodyTooLarge` once it inflates past ``limit``, :class:`BadEncoding` when it is
    not gzip)."""
    inflater = zlib.decompressobj(wbits=31)
    out = bytearray()
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            raise BadEncoding()
        more = bool(message.get("more_body", False))
        try:
            out += inflater.decompress(message.get("body", b""), limit + 1 - len(out))
        except zlib.error:
            raise BadEncoding() from None
        if len(out) > limit or inflater.unconsumed_tail:
            raise BodyTooLarge()
    if not inflater.eof:
        raise BadEncoding()
    return bytes(out)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """``receive`` that gives ``body`` as the request's one message, then goes on."""
    given = {"done": False}

    async def replay() -> Message:
        if given["done"]:
            return await receive()
        given["done"] = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


class HubMiddleware:
    """Gives each request an id, refuses bodies past their limit with 413, and logs one
    line per request."""

    def __init__(self, asgi: ASGIApp, config: HubConfig) -> None:
        self.asgi = asgi
        self.config = config

    def _limit(self, scope: Scope) -> int:
        if scope["method"] == "POST" and scope["path"] == UPLOAD_PATH:
            return self.config.max_upload
        if scope["method"] == "POST" and scope["path"] == PUSH_PATH:
            return records.MAX_PUSH_BYTES
        return self.config.max_json

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.asgi(scope, receive, send)
            return
        started = time.perf_counter()
        headers = {key.decode("latin-1").lower(): value.decode("latin-1")
                   for key, value in scope.get("headers", [])}
        given = headers.get("x-request-id", "")
        request_id = given if re.fullmatch(r"[A-Za-z0-9._-]{1,64}", given) else \
            secrets.token_hex(8)
        state = scope.setdefault("state", {})
        status = {"code": 500, "started": False}
        limit = self._limit(scope)

        async def send_logged(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                status["started"] = True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"],
                                      (b"x-request-id", request_id.encode("ascii"))]
            await send(message)

        received = {"bytes": 0}
        gzipped = headers.get("content-encoding", "").strip().lower() == "gzip" \
            and scope["path"] != UPLOAD_PATH
        inner = {"receive": receive}

        async def receive_limited() -> Message:
            message = await inner["receive"]()
            if message["type"] == "http.request":
                received["bytes"] += len(message.get("body", b""))
                if received["bytes"] > limit:
                    raise BodyTooLarge()
            return message

        try:
            declared = headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise BodyTooLarge()
            if gzipped:
                # A JSON body sent compressed: the app sees it inflated, and the limit
                # applies to what it inflates to.
                inner["receive"] = _replaying(await _inflated(receive, limit), receive)
                scope["headers"] = [
                    (key, value) for key, value in scope.get("headers", [])
                    if key.lower() not in (b"content-encoding", b"content-length")]
            await self.asgi(scope, receive_limited, send_logged)
        except BadEncoding:
            if status["started"]:
                raise
            response = JSONResponse(
                {"detail": "The request says Content-Encoding: gzip but is not gzip."},
                status_code=400, headers={"Connection": "close"})
            await response(scope, receive, send_logged)
        except BodyTooLarge:
            if status["started"]:
                raise
            response = JSONResponse(
                {"detail": f"The request is larger than this hub accepts ({limit} bytes)."},
                status_code=413, headers={"Connection": "close"})
            await response(scope, receive, send_logged)
        except Exception:
            journal.event("request", logging.ERROR, method=scope["method"], path=scope["path"],
                          status=500, duration_ms=_ms(started), user=state.get("user"),
                          request_id=request_id, exc_info=True)
            raise
        level = logging.WARNING if status["code"] >= 500 else logging.INFO
        journal.event("request", level, method=scope["method"], path=scope["path"],
                      status=status["code"], duration_ms=_ms(started), user=state.get("user"),
                      request_id=request_id)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


# -- the app ---------------------------------------------------------------------------------

def create_app(config: HubConfig, engine: Engine | None = None) -> FastAPI:
    """The hub's app for a prepared hub (:func:`app.hub.service.prepare`)."""
    hub = Hub(config, engine or connect(config), catalog.CatalogCache())
    api = FastAPI(title="Ujuzi hub", version=app.__version__, docs_url=None, redoc_url=None,
                  dependencies=[Depends(authorize)],
                  responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}})
    api.state.hub = hub
    api.add_exception_handler(UjuziError, _ujuzi_error)
    api.add_exception_handler(RequestValidationError, _invalid_request)
    api.add_exception_handler(SQLAlchemyError, _database_error)
    _routes(api)
    forward_routes.install(api, signed_in)
    mentor_routes.install(api, signed_in)
    badges.install(api, signed_in)
    access.check_complete(route_keys(api))
    api.add_middleware(HubMiddleware, config=config)
    return api


def route_keys(api: FastAPI) -> list[tuple[str, str]]:
    """Every ``(method, path)`` the app answers (the docs pages are off)."""
    found: list[tuple[str, str]] = []
    for route in api.routes:
        methods = getattr(route, "methods", None) or set()
        path = getattr(route, "path", "")
        found.extend((method, path) for method in sorted(methods))
    return found


def _routes(api: FastAPI) -> None:
    @api.get("/healthz", response_model=HealthOut, responses={503: {"model": ErrorOut}})
    def health(request: Request) -> Any:
        try:
            with _hub(request).engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
        except SQLAlchemyError:
            return JSONResponse({"detail": "The hub's database does not answer."},
                                status_code=503)
        return HealthOut(status="ok")

    @api.get("/api/v1/hub", response_model=HubOut)
    def hub_info(request: Request) -> HubOut:
        hub = _hub(request)
        history = keys.history(hub.engine)
        if not history:
            raise HubError("The hub has no signing key yet.")
        latest = history[-1]
        return HubOut(
            name=hub.config.name, version=app.__version__,
            key=KeyOut(public_key=latest.public_key, fingerprint=latest.fingerprint),
            endorsements=[EndorsementOut(key=key.public_key, signed_by=key.signed_by,
                                         signature=key.endorsement)
                          for key in history if key.signed_by and key.endorsement])

    @api.post("/api/v1/auth/login", response_model=LoginOut,
              responses={429: {"model": ErrorOut}})
    def login(request: Request, body: LoginIn) -> LoginOut:
        hub = _hub(request)
        address = request.client.host if request.client else "unknown"
        try:
            session = accounts.login(hub.config, hub.engine, body.user, body.password,
                                     body.device, address)
        except AuthError as error:
            journal.event("login-refused", logging.WARNING, user=body.user[:64],
                          address=address, reason=type(error).__name__)
            raise
        request.state.user = session.user.name
        return LoginOut(token=session.token, expires_at=accounts_iso(session.expires_at),
                        user=UserOut(name=session.user.name, role=session.user.role,
                                     trusted=session.user.trusted))

    @api.post("/api/v1/auth/logout", status_code=204, response_class=Response)
    def logout(request: Request, caller: SignedIn) -> Response:
        accounts.logout(_hub(request).engine, caller.token)
        return Response(status_code=204)

    @api.get("/api/v1/auth/check", status_code=204, response_class=Response)
    def check(caller: SignedIn) -> Response:
        return Response(status_code=204)

    @api.get("/api/v1/me", response_model=UserOut)
    def me(caller: SignedIn) -> UserOut:
        return UserOut(name=caller.user.name, role=caller.user.role,
                       trusted=caller.user.trusted)

    @api.get("/api/v1/catalog", response_model=CatalogOut, response_class=Response,
             responses={200: {"model": CatalogOut}, 304: {"description": "Not modified"}})
    def catalog_(request: Request, caller: SignedIn) -> Response:
        body = _hub(request).catalog.get(_hub(request).engine)
        headers = {"ETag": body.etag, "Cache-Control": "private, no-cache",
                   "Vary": "Accept-Encoding, Authorization"}
        if _matches(request.headers.get("if-none-match"), body.etag):
            return Response(status_code=304, headers=headers)
        if _accepts_gzip(request.headers.get("accept-encoding", "")):
            headers["Content-Encoding"] = "gzip"
            return Response(body.gzipped, media_type="application/json", headers=headers)
        return Response(body.raw, media_type="application/json", headers=headers)

    @api.get("/api/v1/packs/{pack_id}/{version}/manifest", response_model=ManifestOut,
             responses={404: {"model": ErrorOut}})
    def manifest(request: Request, pack_id: str, version: str, caller: SignedIn) -> Any:
        return catalog.published_manifest(_hub(request).engine, pack_id, version)

    blob_responses: dict[int | str, dict[str, Any]] = {
        200: {"content": {"application/octet-stream": {}}},
        206: {"description": "Part of the file (Range)"},
        304: {"description": "Not modified (If-None-Match)"},
        404: {"model": ErrorOut},
        416: {"description": "Range not satisfiable"},
    }

    @api.get("/blobs/{sha256}", response_class=Response, responses=blob_responses)
    def blob(request: Request, sha256: str, caller: SignedIn) -> Response:
        return _blob(request, sha256)

    @api.head("/blobs/{sha256}", response_class=Response, responses=blob_responses)
    def blob_head(request: Request, sha256: str, caller: SignedIn) -> Response:
        return _blob(request, sha256)

    @api.post(UPLOAD_PATH, status_code=201, response_model=SubmissionOut,
              responses={400: {"model": ErrorOut}, 409: {"model": ErrorOut},
                         413: {"model": ErrorOut}},
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/octet-stream": {"schema": {"type": "string",
                                                          "format": "binary"}}}}})
    async def submit(request: Request, caller: SignedIn,
                     publish: Annotated[bool, Query()] = False) -> Any:
        hub = _hub(request)
        upload = await _receive_upload(request, hub.config)
        at_once = (caller.user.role in access.REVIEWERS and publish) or (
            caller.user.role == access.TRAINER and caller.user.trusted)
        result = await run_in_threadpool(catalog.submit, hub.config, hub.engine, upload,
                                         caller.user, at_once)
        journal.event("submitted", submission=result["id"], pack=result["pack_id"],
                      version=result["version"], status=result["status"],
                      user=caller.user.name)
        return result

    @api.get("/api/v1/submissions", response_model=SubmissionsOut)
    def submissions(request: Request, caller: SignedIn,
                    status: Literal["pending", "approved", "rejected"] | None = None) -> Any:
        own = caller.user.id if caller.user.role == access.TRAINER else None
        return {"submissions": catalog.list_submissions(_hub(request).engine, status, own)}

    @api.get("/api/v1/submissions/{submission_id}", response_model=SubmissionDetailOut,
             responses={404: {"model": ErrorOut}})
    def submission(request: Request, submission_id: int, caller: SignedIn) -> Any:
        found = catalog.get_submission(_hub(request).engine, submission_id, True)
        _own_or_reviewer(caller, found)
        return found

    @api.get("/api/v1/submissions/{submission_id}/pack", response_class=Response,
             responses={200: {"content": {"application/octet-stream": {}}},
                        404: {"model": ErrorOut}})
    def submission_pack(request: Request, submission_id: int, caller: SignedIn) -> Response:
        hub = _hub(request)
        found = catalog.get_submission(hub.engine, submission_id)
        _own_or_reviewer(caller, found)
        path = hub.config.layout.submission(submission_id)
        if not path.is_file():
            raise HTTPException(404, "The submitted file is no longer on the hub.")
        return FileResponse(path, media_type="application/octet-stream",
                            filename=f"{found['pack_id']}-{found['version']}.ujpack")

    @api.post("/api/v1/submissions/{submission_id}/approve", response_model=SubmissionOut,
              responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}})
    def approve(request: Request, submission_id: int, caller: SignedIn) -> Any:
        hub = _hub(request)
        result = catalog.approve(hub.config, hub.engine, submission_id, caller.user)
        journal.event("approved", submission=submission_id, pack=result["pack_id"],
                      version=result["version"], user=caller.user.name)
        return result

    @api.post("/api/v1/submissions/{submission_id}/reject", response_model=SubmissionOut,
              responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}})
    def reject(request: Request, submission_id: int, body: RejectIn,
               caller: SignedIn) -> Any:
        result = catalog.reject(_hub(request).engine, submission_id, caller.user, body.reason)
        journal.event("rejected", submission=submission_id, user=caller.user.name)
        return result

    @api.get("/api/v1/users", response_model=AccountsOut)
    def users(request: Request, caller: SignedIn) -> AccountsOut:
        return AccountsOut(users=[_account(user)
                                  for user in accounts.list_users(_hub(request).engine)])

    @api.post("/api/v1/users", status_code=201, response_model=AccountOut,
              responses={409: {"model": ErrorOut}})
    def add_user(request: Request, body: NewAccountIn, caller: SignedIn) -> AccountOut:
        user = accounts.add_user(_hub(request).engine, body.name, body.role, body.password)
        journal.event("user-added", name=user.name, role=user.role, user=caller.user.name)
        return _account(user)

    @api.post("/api/v1/users/{name}/disable", response_model=AccountOut,
              responses={404: {"model": ErrorOut}})
    def disable(request: Request, name: str, caller: SignedIn) -> AccountOut:
        user = accounts.disable_user(_hub(request).engine, name)
        journal.event("user-disabled", name=name, user=caller.user.name)
        return _account(user)

    @api.post("/api/v1/users/{name}/trust", response_model=AccountOut,
              responses={404: {"model": ErrorOut}})
    def trust(request: Request, name: str, body: TrustIn, caller: SignedIn) -> AccountOut:
        user = accounts.set_trusted(_hub(request).engine, name, body.trusted)
        journal.event("user-trusted", name=name, trusted=body.trusted, user=caller.user.name)
        return _account(user)

    @api.post(PUSH_PATH, response_model=PushOut, response_model_exclude_none=True,
              responses={400: {"model": ErrorOut}, 404: {"model": ErrorOut},
                         413: {"model": ErrorOut}})
    def sync_push(request: Request, body: PushIn, caller: SignedIn) -> PushOut:
        hub = _hub(request)
        owner = _owner(hub, caller, body.owner)
        changes = [records.Change(change.counter, change.record) for change in body.changes]
        forwarder = caller.user.role == access.FORWARDER
        refused: list[records.Refusal] | None = [] if forwarder else None
        acked = records.push(hub.engine, owner.id, body.device, changes, forwarded=forwarder,
                             refused=refused)
        if changes:
            journal.event("pushed", owner=owner.name, device=body.device[:64],
                          changes=len(changes), acked=acked, user=caller.user.name,
                          refused=len(refused or []))
        return PushOut(acked=acked, refused=None if refused is None else [
            RefusedOut(**refusal.json()) for refusal in refused])

    @api.get(PULL_PATH, response_model=PullOut, response_class=Response,
             responses={200: {"model": PullOut}, 404: {"model": ErrorOut}})
    def sync_pull(request: Request, caller: SignedIn,
                  since: Annotated[int, Query(ge=0, le=records.MAX_COUNTER)] = 0,
                  limit: Annotated[int, Query(ge=1, le=records.MAX_PAGE)] = records.DEFAULT_PAGE,
                  owner: Annotated[str | None, Query(min_length=1, max_length=64)] = None
                  ) -> Response:
        hub = _hub(request)
        account = _owner(hub, caller, owner)
        body = records.pull(hub.engine, account.id, since, limit).json()
        headers = {"Cache-Control": "private, no-store", "Vary": "Accept-Encoding"}
        if len(body) >= GZIP_FROM and _accepts_gzip(request.headers.get("accept-encoding", "")):
            headers["Content-Encoding"] = "gzip"
            body = gzip.compress(body, compresslevel=6, mtime=0)
        return Response(body, media_type="application/json", headers=headers)


def _owner(hub: Hub, caller: Caller, name: str | None) -> User:
    """Whose records a sync call reads or writes: the caller's own, or, for a forwarder,
    those of the account it names."""
    if name is None or name == caller.user.name:
        return caller.user
    if caller.user.role != access.FORWARDER:
        raise HTTPException(403, "An account may read and write only its own records.")
    if not re.match(accounts.NAME_PATTERN, name):
        raise HTTPException(404, "There is no account of this name.")
    owner = accounts.get_user(hub.engine, name)
    if owner.disabled:
        raise HTTPException(403, f"The account {name} is disabled.")
    return owner


def _blob(request: Request, sha256: str) -> Response:
    """A published file (HEAD sends the same headers without the bytes)."""
    hub = _hub(request)
    path = catalog.published_blob(hub.config, hub.engine, sha256) \
        if SHA256.match(sha256) else None
    if path is None:
        raise HTTPException(404, "No published pack has this file.")
    etag = f'"{sha256}"'
    headers = {"ETag": etag, "Cache-Control": BLOB_CACHE, "Accept-Ranges": "bytes"}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return FileResponse(path, media_type="application/octet-stream", headers=headers)


def _own_or_reviewer(caller: Caller, submission: dict[str, Any]) -> None:
    if caller.user.role in access.REVIEWERS:
        return
    if submission["submitter_id"] != caller.user.id:
        raise HTTPException(403, "Only its submitter, a curator or an admin may see this "
                                 "submission.")


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = [part.strip() for part in if_none_match.split(",")]
    return "*" in candidates or etag in candidates or f"W/{etag}" in candidates


def _accepts_gzip(accept_encoding: str) -> bool:
    for part in accept_encoding.split(","):
        coding, _semi, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


async def _receive_upload(request: Request, config: HubConfig) -> Path:
    """Stream the request body into a file in :attr:`HubLayout.uploads` (413 past the
    limit; the file is removed on any failure)."""
    folder = config.layout.uploads
    folder.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(dir=folder, prefix="upload-", suffix=".ujpack")
    path = Path(name)
    written = 0
    try:
        with os.fdopen(descriptor, "wb") as target:
            async for chunk in request.stream():
                written += len(chunk)
                if written > config.max_upload:
                    raise HTTPException(413, "The pack is larger than this hub accepts "
                                             f"({config.max_upload} bytes).")
                target.write(chunk)
        if written == 0:
            raise PackError("The request has no pack: send the .ujpack file as the body.")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def app_from_environment() -> FastAPI:
    """The app factory uvicorn's workers call (``app.hub.server:app_from_environment``):
    the parent passed the home and database in the environment and has prepared them."""
    config = HubConfig.from_environment()
    journal.setup(config.layout.log_file)
    return create_app(config)

"""The routes a workshop hub's forwarder account calls on the central hub beyond sync:
the accounts it may mirror (app/hub/mirror.py)."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app.hub import journal, mirror

MIRROR_PATH = "/api/v1/mirror/accounts"


class MirroredAccountOut(BaseModel):
    name: str
    role: str
    disabled: bool
    #: The account's argon2 hash, as the hub keeps it: never a password.
    password_hash: str


class MirrorOut(BaseModel):
    accounts: list[MirroredAccountOut]


def install(api: FastAPI, signed_in: Any) -> None:
    """Add the routes to ``api``; ``signed_in`` is the hub's dependency giving the caller
    (the access table lets only forwarder accounts through)."""

    caller_of = Depends(signed_in)

    @api.get(MIRROR_PATH, response_model=MirrorOut)
    def mirror_accounts(request: Request, caller: Any = caller_of) -> JSONResponse:
        engine = request.app.state.hub.engine
        found = mirror.granted(engine, caller.user.id)
        journal.event("mirror-read", accounts=len(found), user=caller.user.name)
        return JSONResponse({"accounts": found},
                            headers={"Cache-Control": "private, no-store"})

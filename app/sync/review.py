"""Contributing packs to a hub and reviewing them: trainers submit, curators approve or
reject with a reason the trainer sees (docs/hub.md)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

from app.errors import HubError, UjuziError
from app.i18n import _
from app.library import Library
from app.sync.account import Account
from app.sync.http import TRANSPORT_ERRORS
from app.tasks import Reporter

CHUNK_SIZE = 256 * 1024


class _Upload:
    """A file read in chunks with progress, with a length so the upload says its size."""

    def __init__(self, handle: IO[bytes], size: int, reporter: Reporter, name: str) -> None:
        self.handle = handle
        self.size = size
        self.sent = 0
        self.reporter = reporter
        self.name = name

    def __len__(self) -> int:
        return self.size

    def read(self, count: int = -1) -> bytes:
        block = self.handle.read(CHUNK_SIZE if count is None or count < 0 else count)
        self.sent += len(block)
        self.reporter.report("upload", self.sent, self.size, self.name)
        return block


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise HubError(_("The hub sent an answer the client cannot use."))
    return value


def submit(library: Library, path: Path, reporter: Reporter | None = None,
           publish: bool = False, profile: str | None = None) -> dict[str, Any]:
    """Send a ``.ujpack`` for review (``publish``: a curator's or admin's own pack goes
    into the catalog at once); the hub's record of the submission."""
    reporter = reporter or Reporter()
    path = Path(path)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise UjuziError(_("Cannot read {path}: {error}").format(
            path=path, error=exc.strerror or exc)) from None
    with handle, Account(library, profile).session() as hub:
        size = os.fstat(handle.fileno()).st_size
        body = _Upload(handle, size, reporter, path.name)
        query = "?publish=true" if publish else ""
        return _object(hub.json(
            "POST", f"/api/v1/submissions{query}", expect=(200, 201), data=body,
            headers={"Content-Type": "application/octet-stream"}))


def submissions(library: Library, status: str | None = "pending",
                profile: str | None = None) -> list[dict[str, Any]]:
    """Submissions the account may see (a trainer their own), with ``status`` (None: all)."""
    query = f"?status={status}" if status else ""
    with Account(library, profile).session() as hub:
        body = _object(hub.json("GET", f"/api/v1/submissions{query}"))
    items = body.get("submissions")
    if not isinstance(items, list):
        raise HubError(_("The hub sent an answer the client cannot use."))
    return [_object(item) for item in items]


def submission(library: Library, submission_id: int,
               profile: str | None = None) -> dict[str, Any]:
    """One submission, with its manifest text."""
    with Account(library, profile).session() as hub:
        return _object(hub.json("GET", f"/api/v1/submissions/{int(submission_id)}"))


def fetch_submission(library: Library, submission_id: int, dest: Path,
                     reporter: Reporter | None = None, profile: str | None = None) -> Path:
    """Save the submitted ``.ujpack`` at ``dest`` (written whole, then renamed), to open
    it for review."""
    reporter = reporter or Reporter()
    dest = Path(dest)
    draft = dest.with_name(f".{dest.name}.partial")
    with Account(library, profile).session() as hub:
        response = hub.request("GET", f"/api/v1/submissions/{int(submission_id)}/pack",
                               stream=True)
        total = int(response.headers.get("Content-Length") or 0)
        done = 0
        try:
            with response, open(draft, "wb") as target:
                for block in response.iter_content(CHUNK_SIZE):
                    target.write(block)
                    done += len(block)
                    reporter.report("download", done, total, dest.name)
            os.replace(draft, dest)
        except TRANSPORT_ERRORS as exc:
            draft.unlink(missing_ok=True)
            raise hub.unreachable(exc) from None
        except BaseException:
            draft.unlink(missing_ok=True)
            raise
    return dest


def approve(library: Library, submission_id: int,
            profile: str | None = None) -> dict[str, Any]:
    """Publish a submission (curators and admins)."""
    with Account(library, profile).session() as hub:
        return _object(hub.json("POST", f"/api/v1/submissions/{int(submission_id)}/approve"))


def reject(library: Library, submission_id: int, reason: str,
           profile: str | None = None) -> dict[str, Any]:
    """Reject a submission with a reason its submitter sees (curators and admins)."""
    if not reason.strip():
        raise UjuziError(_("A rejection needs a reason for the trainer."))
    with Account(library, profile).session() as hub:
        return _object(hub.json("POST", f"/api/v1/submissions/{int(submission_id)}/reject",
                                json={"reason": reason.strip()}))

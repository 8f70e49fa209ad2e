"""On a shared laptop each learner's own hub account is used: two local profiles of one
library, linked to two accounts of a real hub, queue, download, submit and review each with
their own account, and nothing one account did reaches the other."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.errors import AuthError, HubError
from app.library import Library
from app.sync import review
from app.sync.account import Account
from app.sync.downloads import downloads, enqueue, run_queue
from tests.hubs import RunningHub
from tests.packs import make_pack
from tests.sync.conftest import PASSWORD
from tests.sync.helpers import media, publish

pytestmark = pytest.mark.slow


def _requests_by(hub: RunningHub, path_start: str) -> list[str | None]:
    return [entry.get("user") for entry in map(json.loads, hub.log().splitlines())
            if entry.get("path", "").startswith(path_start)]


def test_each_learner_downloads_and_submits_with_their_own_account(
        shared_hub: RunningHub, tmp_path: Path) -> None:
    shared_hub.add_user("amina", "trainer", PASSWORD)
    shared_hub.add_user("baraka", "trainer", PASSWORD)
    manifest = publish(shared_hub, tmp_path / "p", "org.test.accounts",
                       files=media(9, 2, 30_000))
    library = Library(tmp_path / "shared-laptop")
    library.add_profile("amina")
    library.add_profile("baraka")
    Account(library, "amina").login(shared_hub.url, "amina", PASSWORD)
    Account(library, "baraka").login(shared_hub.url, "baraka", PASSWORD)
    # The default profile (the library's own link) is signed in to nothing.
    assert Account(library).url is None or not Account(library).signed_in

    # Queued and downloaded with amina's account.
    blob = manifest["resources"][-1]["files"][0]["sha256"]
    before = len(_requests_by(shared_hub, f"/blobs/{blob}"))
    download = enqueue(library, "org.test.accounts", profile="amina")
    [result] = run_queue(library)
    assert result.pack_id == "org.test.accounts" and library.has_pack("org.test.accounts")
    assert _requests_by(shared_hub, f"/blobs/{blob}")[before:] == ["amina"]
    assert [d.id for d in downloads(library)] == [download.id]

    # Submitted by amina; baraka (a trainer too) does not see it, amina does.
    pack = tmp_path / "amina.ujpack"
    make_pack(pack, pack_id="org.amina.lesson")
    submitted = review.submit(library, pack, profile="amina")
    mine = review.submissions(library, profile="amina")
    theirs = review.submissions(library, profile="baraka")
    assert [item["id"] for item in mine] == [submitted["id"]]
    assert theirs == []
    assert review.submission(library, submitted["id"], profile="amina")["pack_id"] == \
        "org.amina.lesson"
    with pytest.raises(HubError, match="Only its submitter"):
        review.submission(library, submitted["id"], profile="baraka")
    # Without an account of its own, the default learner is told to sign in.
    with pytest.raises(AuthError):
        review.submissions(library)
    library.close()

    # The command line too: `--profile baraka download` uses baraka's account.
    other = publish(shared_hub, tmp_path / "q", "org.test.accounts2",
                    files=media(10, 1, 20_000))
    blob = other["resources"][-1]["files"][0]["sha256"]
    home = str(tmp_path / "shared-laptop")
    assert main(["--home", home, "--profile", "baraka", "catalog", "--json"]) == 0
    assert main(["--home", home, "--profile", "baraka", "download",
                 "org.test.accounts2"]) == 0
    assert _requests_by(shared_hub, f"/blobs/{blob}") == ["baraka"]

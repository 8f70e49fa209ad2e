"""Fixtures of the hub client's tests: a keyring the test and its ``ujuzi`` subprocesses
share (tests/sync/keyring_file.py says why), a real hub, and helpers to publish packs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from tests.conftest import REPO
from tests.hubs import RunningHub, start_hub
from tests.sync.keyring_file import ENV, FileKeyring

BACKEND = "tests.sync.keyring_file.FileKeyring"
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def file_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FileKeyring]:
    """Each test gets its own keyring file, in this process and in the CLI it runs; the
    client's HTTP retries wait no time (the tests stall and cut on purpose)."""
    monkeypatch.setenv(ENV, str(tmp_path / "keyring.json"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", BACKEND)
    path = os.environ.get("PYTHONPATH", "")
    monkeypatch.setenv("PYTHONPATH", f"{REPO}{os.pathsep}{path}" if path else str(REPO))
    monkeypatch.setenv("UJUZI_HTTP_BACKOFF", "0")
    previous: KeyringBackend = keyring.get_keyring()
    backend = FileKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(scope="module")
def shared_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHub]:
    """One real hub for a test module, with a learner (ada), a trainer (tom) and a curator
    (cora), all with :data:`PASSWORD`."""
    running = start_hub(tmp_path_factory.mktemp("hub") / "home")
    try:
        for name, role in (("ada", "learner"), ("tom", "trainer"), ("cora", "curator")):
            running.add_user(name, role, PASSWORD)
        yield running
    finally:
        running.stop()

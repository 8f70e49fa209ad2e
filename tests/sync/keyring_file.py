"""A keyring backend that keeps passwords in one JSON file, for the tests only.

The client keeps its token in the keyring ``keyring`` is configured with; a headless test
machine has no OS keyring (no D-Bus session, no Secret Service), so the tests select this
backend with ``PYTHON_KEYRING_BACKEND=tests.sync.keyring_file.FileKeyring`` and
``UJUZI_TEST_KEYRING`` naming the file, which the test process and the ``ujuzi``
subprocesses it starts then share. The product never writes a token to a file."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

ENV = "UJUZI_TEST_KEYRING"


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def _path(self) -> Path:
        return Path(os.environ[ENV])

    def _load(self) -> dict[str, str]:
        try:
            data = json.loads(self._path().read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return {str(key): str(value) for key, value in data.items()}

    def _change(self, key: str, value: str | None) -> bool:
        path = self._path()
        with open(path.with_name(path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            data = self._load()
            existed = key in data
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
            draft = path.with_name(path.name + ".draft")
            draft.write_text(json.dumps(data), encoding="utf-8")
            os.replace(draft, path)
            return existed

    @staticmethod
    def _key(service: str, username: str) -> str:
        return f"{service}\0{username}"

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(self._key(service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._change(self._key(service, username), password)

    def delete_password(self, service: str, username: str) -> None:
        if not self._change(self._key(service, username), None):
            raise PasswordDeleteError("no such password")

    def entries(self) -> dict[str, str]:
        """What the file holds (for assertions)."""
        return self._load()

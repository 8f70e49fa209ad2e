"""The log file: created on the first record, private, rotated, one handler however often
it is set up."""

from __future__ import annotations

import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import logs


@pytest.fixture(autouse=True)
def _restore_handlers() -> Iterator[None]:
    before = list(logs.logger.handlers)
    yield
    for handler in list(logs.logger.handlers):
        if handler not in before:
            logs.logger.removeHandler(handler)
            handler.close()


def test_nothing_is_created_until_something_is_logged(tmp_path: Path) -> None:
    folder = tmp_path / "home" / "logs"
    path = logs.setup(folder / "ujuzi.log")
    assert not folder.exists()
    logging.getLogger("app.packs.importer").error("the blob store said no")
    text = path.read_text(encoding="utf-8")
    assert "ERROR app.packs.importer: the blob store said no" in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert logs.log_path() == path


def test_tracebacks_are_kept(tmp_path: Path) -> None:
    path = logs.setup(tmp_path / "ujuzi.log")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logs.logger.exception("unexpected")
    text = path.read_text(encoding="utf-8")
    assert "Traceback" in text and "RuntimeError: boom" in text


def test_setting_up_twice_writes_each_record_once(tmp_path: Path) -> None:
    logs.setup(tmp_path / "a" / "ujuzi.log")
    path = logs.setup(tmp_path / "b" / "ujuzi.log")
    logs.logger.warning("once")
    assert path.read_text(encoding="utf-8").count("once") == 1
    assert not (tmp_path / "a").exists()


def test_the_file_rotates(tmp_path: Path) -> None:
    path = logs.setup(tmp_path / "ujuzi.log")
    line = "x" * 1000
    for _ in range(3 * logs.MAX_BYTES // 1000):
        logs.logger.info(line)
    assert path.stat().st_size <= logs.MAX_BYTES
    assert (tmp_path / "ujuzi.log.1").exists()
    assert not (tmp_path / f"ujuzi.log.{logs.BACKUPS + 1}").exists()

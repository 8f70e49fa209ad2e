"""Shared fixtures: a fresh data directory per test, Qt without a display, the corpus path."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

# Qt aborts without a display; UI tests run offscreen unless a test starts Xvfb itself.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.library import Library
from app.singletons import keep_alive

# Tests call PySide6 directly too; PySide6 6.12.0 spends a reference to None on each call of a
# method that returns nothing, which would end the run in "none_dealloc" (app.singletons).
keep_alive()

#: Real hubs (``hub``, ``postgres``) for any test directory: tests/hubs.py.
pytest_plugins = ["tests.hubs"]

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("UJUZI_CORPUS", REPO.parent / "shared" / "corpus"))

#: Set by ``make test`` when run as root (as ``.ci/run`` does): the project's setup has then
#: installed every part the suite uses, so a part that is missing is a failure, never a quiet
#: skip. A developer's machine without root skips those tests and says why.
STRICT = os.environ.get("UJUZI_TEST_STRICT") == "1"


def unavailable(reason: str) -> NoReturn:
    """Skip for ``reason`` where a part is missing, or fail in strict (CI) runs."""
    if STRICT:
        pytest.fail(f"{reason} (UJUZI_TEST_STRICT=1: the setup should have provided it)")
    pytest.skip(reason)


def requires(available: bool, reason: str) -> pytest.MarkDecorator:
    """Mark a test that needs an optional part: skipped without it, except in strict runs,
    where it runs and fails."""
    return pytest.mark.skipif(not available and not STRICT, reason=reason)


@pytest.fixture(autouse=True)
def collector_given_back() -> Iterator[None]:
    """A window's context collects garbage on the GUI thread while it lives
    (app/ui/collector.py); after each test, Python's own collector runs again, whatever
    contexts the test left behind (tests outside tests/ui make windows too)."""
    yield
    collector = sys.modules.get("app.ui.collector")
    if collector is not None:
        collector.GuiThreadCollector.reset()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "home"
    monkeypatch.setenv("UJUZI_HOME", str(path))
    return path


@pytest.fixture
def library(home: Path) -> Iterator[Library]:
    with Library(home) as lib:
        yield lib


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.fail(f"the shared test corpus is missing at {CORPUS}")
    return CORPUS

"""Shared fixtures: a fresh data directory per test, Qt without a display, the corpus path."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Qt aborts without a display; UI tests run offscreen unless a test starts Xvfb itself.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.library import Library

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("UJUZI_CORPUS", REPO.parent / "shared" / "corpus"))


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

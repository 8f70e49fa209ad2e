"""Every test under tests/integration/ runs real processes or plays real media: marked
``slow``, so ``pytest -m "not slow"`` leaves them out (``make test`` runs them all)."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.slow)

"""The parts of Ujuzi a bundle may leave out, and the one line a command that needs them says.

The learner bundle (``packaging/build_dist.py bundle --variant learner``, the default) carries
the library, search, the player, the sync and mentorship clients and the stick, but not the
hub server (FastAPI, uvicorn, SQLAlchemy, Alembic, psycopg, argon2) nor the cohort matching
(OR-Tools, numpy). The bundle's manifest, ``app/data/bundle.json`` (written by
packaging/ujuzi.spec), names what it left out; the bundle's runtime hook calls :func:`guard`
with it, so that importing one of those libraries raises :class:`MissingComponentError`: a
:class:`UjuziError` (the command line prints its one line and exits 1, the window shows it)
that is also a :class:`ModuleNotFoundError` (a library that tries an optional import goes on
without it, as it would where the module is missing).
"""

from __future__ import annotations

import importlib.abc
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.errors import UjuziError
from app.i18n import _
from app.paths import PACKAGE_DATA

#: Each part a bundle may leave out -> the top-level modules only it uses.
COMPONENTS: dict[str, tuple[str, ...]] = {
    "hub": ("fastapi", "starlette", "uvicorn", "pydantic", "pydantic_core", "sqlalchemy",
            "alembic", "psycopg", "psycopg_binary", "psycopg_pool", "argon2"),
    "matching": ("ortools", "numpy"),
}
#: The bundle's manifest in its shipped data: ``{"variant": ..., "left_out": [...]}``.
MANIFEST = PACKAGE_DATA / "bundle.json"


def message(component: str) -> str:
    """The line a command that needs ``component`` says in a bundle without it."""
    if component == "hub":
        return _("This Ujuzi bundle, for learners, does not include the hub: the standard "
                 "bundle (ujuzi-standard) and the full bundle (ujuzi-full) do.")
    return _("This Ujuzi bundle, for learners, does not include the cohort matching: the "
             "standard bundle (ujuzi-standard) and the full bundle (ujuzi-full) do.")


class MissingComponentError(UjuziError, ModuleNotFoundError):
    """A module of a part this bundle left out was imported."""

    def __init__(self, component: str, module: str) -> None:
        super().__init__(message(component))
        self.name = module
        self.component = component


def _read(manifest: Path) -> dict[str, Any]:
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def left_out(manifest: Path | None = None) -> list[str]:
    """The parts the bundle's manifest (default :data:`MANIFEST`) says it left out (none
    without a manifest: a source checkout or a wheel)."""
    return [str(part) for part in _read(manifest or MANIFEST).get("left_out") or []
            if part in COMPONENTS]


def variant(manifest: Path | None = None) -> str | None:
    """The bundle's variant (``learner``, ``standard``, ``full``), or None outside a bundle."""
    found = _read(manifest or MANIFEST).get("variant")
    return str(found) if found else None


class _Guard(importlib.abc.MetaPathFinder):
    def __init__(self, modules: dict[str, str]) -> None:
        self.modules = modules

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        component = self.modules.get(fullname.partition(".")[0])
        if component is not None:
            raise MissingComponentError(component, fullname)


def guard(parts: Sequence[str]) -> None:
    """Make an import of the modules of ``parts`` raise :class:`MissingComponentError`."""
    modules = {module: part for part in parts for module in COMPONENTS.get(part, ())}
    if modules and not any(isinstance(finder, _Guard) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Guard(modules))

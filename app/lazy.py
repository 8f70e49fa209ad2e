"""Modules imported when first used, so that every ``ujuzi`` command (the window's start
included) does not pay for the hub's libraries (SQLAlchemy, FastAPI, argon2) that only the
hub's commands need."""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType


def lazy_module(name: str) -> ModuleType:
    """``name``, loaded on its first attribute access (importlib's LazyLoader)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"no module named {name!r}")
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


class _WithoutOptional(importlib.abc.MetaPathFinder):
    """Runs module ``importer`` with the optional modules ``hidden`` out of its sight (as if
    not installed), unless something else has imported them already."""

    def __init__(self, importer: str, hidden: tuple[str, ...]) -> None:
        self.importer = importer
        self.hidden = hidden

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if fullname != self.importer:
            return None
        spec: ModuleSpec | None = next((found for finder in sys.meta_path if finder is not self
                     and (found := getattr(finder, "find_spec", lambda *_a: None)(
                         fullname, path, target)) is not None), None)
        if spec is None or spec.loader is None:
            return spec
        run = spec.loader.exec_module
        hidden = self.hidden

        def exec_module(module: ModuleType) -> None:
            absent = [name for name in hidden if name not in sys.modules]
            for name in absent:
                sys.modules[name] = None  # type: ignore[assignment]  # "not installed"
            try:
                run(module)
            finally:
                for name in absent:
                    if sys.modules.get(name, ModuleType("placeholder")) is None:
                        del sys.modules[name]

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def hide_optional_imports() -> None:
    """sqlite-utils imports pandas and numpy when it can, only to give pandas' Timestamp
    and numpy's number types a column type; OR-Tools (mentorship's matching) brings both
    into the environment, which made every start 0.6 s slower (pandas) and then 0.06 s or
    more (numpy). The library never stores pandas or numpy objects, so sqlite-utils is run
    with them out of its sight."""
    if not any(isinstance(finder, _WithoutOptional) for finder in sys.meta_path):
        sys.meta_path.insert(0, _WithoutOptional("sqlite_utils.db", ("pandas", "numpy")))

"""The shape of the code: the import-linter contracts in pyproject.toml, and Qt kept out of
the core at run time."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    """Run the project's contracts (``make lint`` does the same) on the tree at ``project``."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(project / "pyproject.toml")],
        cwd=project, capture_output=True, text=True, check=False,
    )


def _copy_of_the_code(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "app", tmp_path / "app",
                    ignore=shutil.ignore_patterns("__pycache__", "*.json"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_import_contracts_hold() -> None:
    done = _lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_the_contracts_catch_an_upward_import(tmp_path: Path) -> None:
    """The same check fails on a planted violation of each kind, naming it."""
    project = _copy_of_the_code(tmp_path)
    (project / "app" / "player" / "reach_up.py").write_text("from app.ui import window\n")
    (project / "app" / "store" / "painted.py").write_text("from PySide6 import QtGui\n")
    (project / "app" / "search" / "loop_a.py").write_text("from app.search import loop_b\n")
    (project / "app" / "search" / "loop_b.py").write_text("from app.search import loop_a\n")
    done = _lint_imports(project)
    assert done.returncode == 1
    out = " ".join(done.stdout.split())
    assert "app.player.reach_up -> app.ui.window" in out
    assert "app.store.painted -> PySide6" in out
    assert "No cycles are allowed in app.search" in out
    assert "Contracts: 0 kept, 3 broken." in out  # layers, Qt and cycles each caught


def test_every_module_has_a_layer() -> None:
    """A new module is placed in the layers, so the contract checks what it imports. Only
    the packages whose modules sit in different layers are left out themselves."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    layers = next(c["layers"] for c in config["tool"]["importlinter"]["contracts"]
                  if c["id"] == "layers")
    layered = {name.strip() for layer in layers for name in layer.replace(":", "|").split("|")}
    split = {"app", "app.interactive", "app.mentorship", "app.packs", "app.search"}
    unplaced = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        prefixes = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
        if module not in split and not prefixes & layered:
            unplaced.append(module)
    assert unplaced == []


def test_core_imports_without_qt_installed() -> None:
    """Importing the core never loads Qt (checked in a fresh interpreter)."""
    code = (
        "import sys, app.cli, app.library, app.packs.importer, app.packs.exporter;"
        "print(any(m.split('.')[0] in ('PySide6', 'shiboken6') for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"


def test_the_library_loads_without_pandas() -> None:
    """sqlite-utils would import pandas (0.6 s and 45 MiB at every start, brought into the
    environment by OR-Tools) only to map pandas' Timestamp; it runs with pandas out of its
    sight, and pandas stays importable for whoever needs it (checked in a fresh
    interpreter)."""
    code = (
        "import sys, app.cli, app.library, app.search.index, sqlite_utils.db as db;"
        "print('pandas' in sys.modules, db.pd is None);"
        "import pandas; print(bool(pandas.__version__))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["False", "True", "True"]

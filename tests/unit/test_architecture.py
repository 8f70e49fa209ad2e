"""Rules about the shape of the code that review alone would let slip."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
QT_MODULES = {"PySide6", "shiboken6"}


def _is_qt_allowed(path: Path) -> bool:
    rel = path.relative_to(APP)
    if rel.parts[0] == "ui":
        return True
    # The player's Qt surfaces live in files named for Qt, e.g. app/player/qt_surface.py.
    return rel.parts[0] == "player" and rel.name.startswith("qt")


def test_only_the_ui_imports_qt() -> None:
    offenders = []
    for path in sorted(APP.rglob("*.py")):
        if _is_qt_allowed(path):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in QT_MODULES:
                    offenders.append(f"{path.relative_to(APP.parent)}:{node.lineno} {name}")
    assert offenders == []


def test_the_rule_catches_a_qt_import(tmp_path: Path) -> None:
    """The walker above really recognises both import forms."""
    source = "import PySide6.QtCore\nfrom PySide6.QtWidgets import QWidget\n"
    tree = ast.parse(source)
    found = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
    assert len(found) == 2
    assert not _is_qt_allowed(APP / "library.py")
    assert _is_qt_allowed(APP / "ui" / "main.py")
    assert _is_qt_allowed(APP / "player" / "qt_surface.py")
    assert not _is_qt_allowed(APP / "player" / "vlc_backend.py")


def test_core_imports_without_qt_installed() -> None:
    """Importing the core never loads Qt (checked in a fresh interpreter)."""
    import subprocess
    import sys

    code = (
        "import sys, app.cli, app.library, app.packs.importer, app.packs.exporter;"
        "print(any(m.split('.')[0] in ('PySide6', 'shiboken6') for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"

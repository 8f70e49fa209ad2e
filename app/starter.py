"""The starter packs bundled with the app, so a first run shows a working library offline.

They are kept in the repository as plain source folders (``resources/starter/<name>/``) and
built with the same builder a trainer uses, then imported through the normal import path.
Seeding happens once per data directory; a learner who removes a starter pack keeps it removed.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from app.library import Library
from app.paths import starter_packs_dir
from app.store.records import get_meta, set_meta
from app.tasks import Reporter

if TYPE_CHECKING:  # the builder and the importer load when packs are seeded, not before
    from app.packs.importer import ImportResult

SEEDED_KEY = "starter_seeded"


def starter_folders(root: Path | None = None) -> list[Path]:
    root = root or starter_packs_dir()
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / "pack.yaml").exists())


def is_seeded(library: Library) -> bool:
    return get_meta(library.db, SEEDED_KEY) is not None


def skip_starter_packs(library: Library) -> None:
    """Mark the library as seeded without importing the starter packs (a library made for
    one purpose, such as a curator's private copy of a submitted pack)."""
    set_meta(library.db, SEEDED_KEY, "1")


def seed_starter_packs(
    library: Library, reporter: Reporter | None = None, force: bool = False
) -> list[ImportResult]:
    """Build and import every starter pack, once per data directory (or again with ``force``)."""
    if is_seeded(library) and not force:
        return []
    from app.packs.build import build_pack
    from app.packs.importer import import_pack

    results = []
    with tempfile.TemporaryDirectory(prefix="ujuzi-starter-") as tmp:
        for folder in starter_folders():
            out = Path(tmp) / f"{folder.name}.ujpack"
            build_pack(folder, out, reporter)
            results.append(import_pack(library, out, reporter, source="starter"))
    set_meta(library.db, SEEDED_KEY, "1")
    return results

"""The starter packs bundled with the app, so a first run shows a working library offline.

They are kept in the repository as plain source folders (``resources/starter/<name>/``) and
built with the same builder a trainer uses, at setup (``make setup`` runs ``python -m
app.starter``) and when packaging (``packaging/shipped_data.py``), into
``resources/starter/<name>.ujpack`` beside each folder (not committed). A first run imports
those through the normal import path, so it is as quick as any later start; a folder with no
built pack, or changed since it was built, is built then. Seeding happens once per data
directory; a learner who removes a starter pack keeps it removed.
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


def built_pack(folder: Path) -> Path:
    """Where the pack built from a starter folder is kept."""
    return folder.parent / f"{folder.name}.ujpack"


def is_built(folder: Path) -> bool:
    """Whether the folder's built pack exists and is newer than every file of the folder."""
    pack = built_pack(folder)
    try:
        built = pack.stat().st_mtime_ns
    except OSError:
        return False
    return all(path.stat().st_mtime_ns <= built
               for path in [folder, *folder.rglob("*")])


def build_starter_packs(root: Path | None = None, reporter: Reporter | None = None
                        ) -> list[Path]:
    """Build every starter folder under ``root`` whose built pack is missing or older than
    its sources (setup and packaging time); return the packs built."""
    from app.packs.build import build_pack

    made = []
    for folder in starter_folders(root):
        if is_built(folder):
            continue
        out = built_pack(folder)
        draft = out.with_suffix(".ujpack.part")
        build_pack(folder, draft, reporter)
        draft.replace(out)
        made.append(out)
    return made


def is_seeded(library: Library) -> bool:
    return get_meta(library.db, SEEDED_KEY) is not None


def skip_starter_packs(library: Library) -> None:
    """Mark the library as seeded without importing the starter packs (a library made for
    one purpose, such as a curator's private copy of a submitted pack)."""
    set_meta(library.db, SEEDED_KEY, "1")


def seed_starter_packs(
    library: Library, reporter: Reporter | None = None, force: bool = False
) -> list[ImportResult]:
    """Import every starter pack (built at setup; built now when that is missing or stale),
    once per data directory (or again with ``force``)."""
    if is_seeded(library) and not force:
        return []
    from app.packs.importer import import_pack

    results = []
    with tempfile.TemporaryDirectory(prefix="ujuzi-starter-") as tmp:
        for folder in starter_folders():
            out = built_pack(folder)
            if not is_built(folder):
                from app.packs.build import build_pack

                out = Path(tmp) / f"{folder.name}.ujpack"
                build_pack(folder, out, reporter)
            results.append(import_pack(library, out, reporter, source="starter"))
    set_meta(library.db, SEEDED_KEY, "1")
    return results


if __name__ == "__main__":  # make setup: build the starter packs the app ships
    for made in build_starter_packs():
        print(f"built {made}")

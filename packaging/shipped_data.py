"""The read-only data the program ships, gathered into one folder (``app/data/`` of a wheel or a
bundle): the starter packs (built, and their sources), the mentorship skills and the app icon
(``resources/``), the compiled translations (``translations/*/LC_MESSAGES/ujuzi.mo``, compiled
from the ``.po`` when missing or older) and the H5P player (when
``packaging/install-h5p-player.sh`` installed it). Used by setup.py's build step and by
packaging/ujuzi.spec; ``app.paths`` reads the folder in an installed copy.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
H5P_PLAYER = ROOT / "packaging" / "h5p-player" / "node_modules" / "h5p-standalone" / "dist"


def compiled_catalog(po: Path) -> bytes | None:
    """The ``.mo`` beside ``po`` when it is current, else compiled now (babel), else None."""
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        return mo.read_bytes()
    try:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po
    except ImportError:
        return mo.read_bytes() if mo.exists() else None
    with open(po, "rb") as source:
        catalog = read_po(source, locale=po.parent.parent.name.replace("-", "_"))
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def copy_shipped_data(target: Path) -> None:
    """Write ``resources/``, the compiled catalogs and the H5P player under ``target``."""
    if target.exists():
        shutil.rmtree(target)
    from app.starter import build_starter_packs

    build_starter_packs(ROOT / "resources" / "starter")  # shipped built (see app.starter)
    shutil.copytree(ROOT / "resources", target / "resources",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for po in sorted((ROOT / "translations").glob("*/LC_MESSAGES/ujuzi.po")):
        data = compiled_catalog(po)
        if data is None:
            continue
        out = target / "translations" / po.relative_to(ROOT / "translations")
        out = out.with_suffix(".mo")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    if (H5P_PLAYER / "main.bundle.js").is_file():
        shutil.copytree(H5P_PLAYER, target / "h5p-player")

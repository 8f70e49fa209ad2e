"""Exporting an installed pack back to a ``.ujpack``.

The manifest is written back byte for byte as it was imported and the files come from the
blob store, so an exported pack imports anywhere with the same checksums (and a pack built by
``ujuzi pack build`` exports to the very same bytes).
"""

from __future__ import annotations

import json
from pathlib import Path

from app.errors import NotFoundError, PackError
from app.i18n import _
from app.library import Library
from app.packs.archive import write_pack
from app.packs.manifest import unique_files
from app.tasks import Reporter


def export_pack(library: Library, pack_id: str, out: Path,
                reporter: Reporter | None = None) -> Path:
    """Write the installed pack ``pack_id`` to ``out`` (a file, or a folder that gets
    ``ID-VERSION.ujpack``); ``reporter`` hears the bytes written and may cancel (the partial
    file is removed)."""
    row = library.db.execute("SELECT manifest FROM packs WHERE id = ?", (pack_id,)).fetchone()
    if row is None:
        raise NotFoundError(_("No pack with id {id}.").format(id=pack_id))
    raw: str = row[0]
    manifest = json.loads(raw)
    sources = {}
    for entry in unique_files(manifest):
        blob = library.blobs.path_for(entry["sha256"])
        if not library.blobs.has(entry["sha256"], entry["size"]):
            raise PackError(
                _("The stored copy of {path} is missing; import the pack again.")
                .format(path=entry["path"])
            )
        sources[entry["path"]] = blob
    out = Path(out)
    if out.is_dir():
        out = out / f"{pack_id}-{manifest['version']}.ujpack"
    total = sum(int(entry["size"]) for entry in unique_files(manifest))
    written = 0

    def advance(count: int) -> None:
        nonlocal written
        written += count
        if reporter is not None:
            reporter.report("export", written, total, out.name)

    write_pack(out, raw.encode("utf-8"), manifest, sources, on_bytes=advance)
    return out

"""The history of finished imports, with what each could not convert: written by
:func:`~app.packs.importers.import_any` once an import has finished (from the window or the
command line), read by the Downloads page's import history."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import PurePath

from app.library import Library
from app.packs.importers.common import ImportReport, Skipped
from app.store.db import utc_now

#: How many finished imports are kept (the oldest go first).
KEEP = 200


@dataclass(frozen=True)
class ImportRecord:
    id: int
    finished_at: str
    source: str  # the path imported, as given
    format: str
    pack_id: str
    version: str
    status: str  # imported, updated or unchanged
    resources: int
    skipped: list[Skipped]

    @property
    def name(self) -> str:
        return PurePath(self.source).name or self.source

    @property
    def path(self) -> str:
        """The source, as an :class:`ImportReport` names it (the report dialog reads it)."""
        return self.source


def record_import(library: Library, report: ImportReport) -> None:
    skipped = json.dumps([item.as_dict() for item in report.skipped], ensure_ascii=False)
    with library.db.atomic():
        library.db.execute(
            "INSERT INTO import_history(finished_at, source, format, pack_id, version, status,"
            " resources, skipped) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (utc_now(), str(report.path), report.format, report.pack_id, report.version,
             report.status, int(report.resources), skipped))
        library.db.execute(
            "DELETE FROM import_history WHERE id NOT IN "
            "(SELECT id FROM import_history ORDER BY id DESC LIMIT ?)", (KEEP,))


def import_history(library: Library, limit: int = 50) -> list[ImportRecord]:
    """The latest finished imports, newest first."""
    rows = library.db.execute(
        "SELECT id, finished_at, source, format, pack_id, version, status, resources, skipped "
        "FROM import_history ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
    records = []
    for row in rows:
        try:
            items = [Skipped(str(i["item"]), str(i["reason"])) for i in json.loads(row[8])]
        except (ValueError, TypeError, KeyError):
            items = []
        records.append(ImportRecord(int(row[0]), str(row[1]), str(row[2]), str(row[3]),
                                    str(row[4]), str(row[5]), str(row[6]), int(row[7]),
                                    items))
    return records

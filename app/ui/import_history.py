"""The history of finished imports, on the Downloads page: each import (from the window or
the command line) with when, what, the pack it gave, and "Report" when something could not
be converted, which opens the import report (app/ui/import_report.py)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from app import formatting
from app.i18n import _, ngettext
from app.library import Library
from app.packs.importers.history import ImportRecord, import_history
from app.tasks import Reporter
from app.ui.context import AppContext
from app.ui.widgets import button, clear_layout, content, label


def _when(record: ImportRecord) -> str:
    try:
        return formatting.moment(record.finished_at)
    except ValueError:
        return record.finished_at


class ImportRow(QWidget):
    def __init__(self, record: ImportRecord, on_report: Any) -> None:
        super().__init__()
        self.record = record
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        text = QVBoxLayout()
        text.setSpacing(2)
        self.title = content(label(record.name, None))
        status = {"imported": _("Imported"), "updated": _("Updated"),
                  "unchanged": _("Already in the library")}.get(record.status, record.status)
        count = len(record.skipped)
        parts = [_when(record), status,
                 ngettext("{count} resource", "{count} resources", record.resources).format(
                     count=record.resources)]
        if count:
            parts.append(ngettext("{count} item not converted", "{count} items not converted",
                                  count).format(count=count))
        self.meta = label(" · ".join(parts), "small")
        text.addWidget(self.title)
        text.addWidget(self.meta)
        layout.addLayout(text, 1)
        self.report_button = button(_("Report"), "quiet", None, lambda: on_report(record))
        self.report_button.setAccessibleName(
            _("Import report of {name}").format(name=record.name))
        self.report_button.setVisible(bool(count))
        layout.addWidget(self.report_button)


class ImportHistory(QWidget):
    """The latest finished imports, newest first; reloads when the library changes."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.records: list[ImportRecord] = []
        self.report_dialog: Any = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.heading = label("", "h2")
        layout.addWidget(self.heading)
        self.rows = QVBoxLayout()
        self.rows.setSpacing(0)
        layout.addLayout(self.rows)
        self.hide()
        ctx.library_changed.connect(self.reload)
        ctx.language_changed.connect(self.retranslate)
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(_("Finished imports"))
        self._render()

    def reload(self) -> None:
        def work(library: Library, _r: Reporter) -> Any:
            return import_history(library)

        self.ctx.run(work, self._arrived)

    def _arrived(self, records: list[ImportRecord]) -> None:
        self.records = records
        self._render()

    def _render(self) -> None:
        clear_layout(self.rows)
        for record in self.records:
            self.rows.addWidget(ImportRow(record, self.open_report))
        self.setVisible(bool(self.records))

    def open_report(self, record: ImportRecord) -> None:
        from app.ui.import_report import show_import_report

        self.report_dialog = show_import_report(self.window(), record, always=True)

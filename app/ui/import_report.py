"""After an import from another format: what could not be converted, each item with its
reason, in a dialog the learner or trainer can read at leisure (the CLI prints the same
lines). The import history on the Downloads page opens the same dialog for an earlier
import."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QListView,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.ui.widgets import content, label


def source_name(report: Any) -> str:
    text = str(getattr(report, "path", "")).rstrip("/\\")
    return text.replace("\\", "/").rsplit("/", 1)[-1]


class ImportReportDialog(QDialog):
    """The import's outcome, then one row per item not converted: the item and why."""

    def __init__(self, parent: QWidget | None, report: Any) -> None:
        super().__init__(parent)
        self.setModal(False)
        self.resize(640, 420)
        skipped = list(getattr(report, "skipped", []) or [])
        self.setWindowTitle(_("Import report"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        self.heading = content(label(_("{name} was imported as a pack.").format(
            name=source_name(report)), "h2"))
        layout.addWidget(self.heading)
        count = len(skipped)
        resources = int(getattr(report, "resources", 0) or 0)
        parts = [ngettext("It holds {count} resource.", "It holds {count} resources.",
                          resources).format(count=resources)] if resources else []
        parts.append(ngettext("{count} item could not be converted:",
                              "{count} items could not be converted:", count).format(count=count)
                     if count else _("Everything was converted."))
        self.summary = label(" ".join(parts), None)
        layout.addWidget(self.summary)
        # One row per item, wrapped (never cut): the item, then why, as the CLI prints them.
        self.items = QListWidget()
        self.items.setWordWrap(True)
        self.items.setResizeMode(QListView.ResizeMode.Adjust)
        self.items.setUniformItemSizes(False)
        self.items.setAlternatingRowColors(True)
        self.items.setAccessibleName(_("Items that could not be converted"))
        for item in skipped:
            row = QListWidgetItem(f"{item.item}: {item.reason}")
            self.items.addItem(row)
        self.items.setVisible(bool(count))
        layout.addWidget(self.items, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        buttons.accepted.connect(self.close)
        layout.addWidget(buttons)

    def lines(self) -> list[str]:
        """The rows as the CLI prints them (``item: reason``)."""
        rows = (self.items.item(i) for i in range(self.items.count()))
        return [row.text() for row in rows if row is not None]


def show_import_report(parent: QWidget, report: Any, always: bool = False
                       ) -> ImportReportDialog | None:
    """Show what ``report`` (an ``ImportReport``, or an import history record) lists as not
    converted; None (and no dialog) when everything was converted, unless ``always``."""
    if not getattr(report, "skipped", None) and not always:
        return None
    dialog = ImportReportDialog(parent, report)
    dialog.show()
    return dialog

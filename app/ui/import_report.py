"""After an import from another format: what could not be converted, in a dialog the
learner or trainer can read at leisure (the CLI prints the same lines)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

from app.i18n import _
from app.ui.dialogs import message_box


def show_import_report(parent: QWidget, report: Any) -> QMessageBox | None:
    """Show the items ``report`` (an ``ImportReport``) lists as not converted; None (and no
    dialog) when everything was converted."""
    from app.packs.importers import skipped_summary

    lines = skipped_summary(report, limit=1000)
    if not lines:
        return None
    box = message_box(
        parent, QMessageBox.Icon.Information, _("Import report"),
        _("{name} was imported as a pack.").format(
            name=str(getattr(report, "path", "")).rsplit("/", 1)[-1]),
        informative=lines[0] + "\n" + "\n".join(lines[1:6]) + ("\n…" if len(lines) > 6 else ""),
        detailed="\n".join(lines[1:]))
    box.setModal(False)
    box.show()
    return box

"""Export an installed pack to a file or a USB stick, with progress (``ujuzi export``).

Removable drives are the mounted volumes a USB stick shows up as (``/media``, ``/run/media``,
``/mnt``, ``/Volumes``, or a drive other than the system's on Windows), writable and ready;
each is offered by its name and free space, and the pack is written to its top folder as
``ID-VERSION.ujpack``. A pack whose licence is not stated is shared only after the trainer
has been told so.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStorageInfo, Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from app import formatting
from app.i18n import _
from app.library import Library
from app.packs.importers.common import licence_stated
from app.tasks import Reporter
from app.ui import dialogs
from app.ui.context import AppContext, Task
from app.ui.widgets import button, content, label

_REMOVABLE_ROOTS = ("/media/", "/run/media/", "/mnt/", "/Volumes/")


def removable_drives() -> list[tuple[str, Path, int]]:
    """Writable, ready drives a pack can be copied to: (name, folder, free bytes)."""
    drives = []
    system = Path(sys.executable).anchor
    for volume in QStorageInfo.mountedVolumes():
        if not volume.isValid() or not volume.isReady() or volume.isReadOnly():
            continue
        root = volume.rootPath()
        if sys.platform == "win32":
            if Path(root).anchor == system:
                continue
        elif not root.startswith(_REMOVABLE_ROOTS):
            continue
        name = volume.displayName() or Path(root).name or root
        drives.append((name, Path(root), int(volume.bytesAvailable())))
    return drives


def ask_to_share(parent: QWidget | None, pack: dict[str, Any]) -> bool:
    """True when the pack may be shared as far as the window can tell: its licence is
    stated, or the trainer read that it is not and goes on."""
    if licence_stated(pack.get("license")):
        return True
    answer = dialogs.ask(
        parent, _("Licence not stated"),
        _("This pack does not say under which licence it may be shared. Share it only if "
          "you know its authors allow it. Share it anyway?"))
    return answer == QMessageBox.StandardButton.Yes


class ExportDialog(QDialog):
    """Where to: a file, or one of the removable drives; then the copy, with progress."""

    def __init__(self, ctx: AppContext, pack: dict[str, Any], title: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.pack = pack
        self.pack_title = title
        self.task: Task | None = None
        self.written: Path | None = None
        self.setModal(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        self.heading = content(label("", "h2"))
        layout.addWidget(self.heading)
        self.licence_warning = label("", "small")
        layout.addWidget(self.licence_warning)
        self.drives_label = label("", None)
        layout.addWidget(self.drives_label)
        self.drives = QListWidget()
        self.drives.itemActivated.connect(
            lambda item: self.export_to(item.data(Qt.ItemDataRole.UserRole)))
        self.drives_label.setBuddy(self.drives)
        layout.addWidget(self.drives)
        self.no_drive = label("", "muted")
        layout.addWidget(self.no_drive)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.hide()
        layout.addWidget(self.progress)
        self.status = label("", "small")
        layout.addWidget(self.status)
        actions = QHBoxLayout()
        self.refresh_button = button("", "quiet", None, self.refresh)
        self.file_button = button("", None, None, self.choose_file)
        self.drive_button = button("", "primary", None, self._export_to_drive)
        self.close_button = button("", None, None, self._close_or_cancel)
        actions.addWidget(self.refresh_button)
        actions.addStretch()
        actions.addWidget(self.close_button)
        actions.addWidget(self.file_button)
        actions.addWidget(self.drive_button)
        layout.addLayout(actions)
        self.retranslate()
        self.refresh()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Export a pack"))
        self.heading.setText(_("Export “{title}”").format(title=self.pack_title))
        self.licence_warning.setText(_(
            "Licence not stated: ask the authors before you share this pack."))
        self.licence_warning.setVisible(not licence_stated(self.pack.get("license")))
        self.drives_label.setText(_("USB sticks and other removable drives"))
        self.drives.setAccessibleName(_("USB sticks and other removable drives"))
        self.no_drive.setText(_("No USB stick found. Plug one in and press Look again, or "
                                "save the pack as a file."))
        self.refresh_button.setText(_("Look again"))
        self.file_button.setText(_("Save as a file…"))
        self.drive_button.setText(_("Copy to the drive"))
        self.close_button.setText(_("Close"))

    def refresh(self) -> None:
        self.drives.clear()
        for name, root, free in removable_drives():
            item = QListWidgetItem(_("{name} ({free} free)").format(
                name=name, free=formatting.size(free)))
            item.setData(Qt.ItemDataRole.UserRole, str(root))
            self.drives.addItem(item)
        found = self.drives.count() > 0
        if found:
            self.drives.setCurrentRow(0)
        self.drives.setVisible(found)
        self.no_drive.setVisible(not found)
        self.drive_button.setEnabled(found)

    def choose_file(self) -> None:
        name = f"{self.pack['id']}-{self.pack['version']}.ujpack"
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Export the pack as"), str(Path.home() / name),
            _("Learning packs ({patterns})").format(patterns="*.ujpack"))
        if path:
            self.export_to(path)

    def _export_to_drive(self) -> None:
        item = self.drives.currentItem()
        if item is not None:
            self.export_to(item.data(Qt.ItemDataRole.UserRole))

    def export_to(self, target: str | Path) -> Task | None:
        """Write the pack to ``target`` (a file, or a folder such as a drive's top), after
        the licence warning when there is one."""
        if self.task is not None and self.task.state == "running":
            return None
        if not ask_to_share(self, self.pack):
            return None
        pack_id, out = self.pack["id"], Path(target)

        def work(library: Library, reporter: Reporter) -> Any:
            from app.packs.exporter import export_pack

            return export_pack(library, pack_id, out, reporter)

        self.progress.setValue(0)
        self.progress.show()
        self.status.setText(_("Copying…"))
        self.task = self.ctx.start_task(
            _("Exporting {title}").format(title=self.pack_title), work, self._done,
            self._failed)
        self.task.changed.connect(self._progress)
        self.close_button.setText(_("Cancel"))
        return self.task

    def _progress(self) -> None:
        if self.task is not None:
            self.progress.setValue(int(self.task.fraction * 1000))

    def _done(self, path: Any) -> None:
        self.written = Path(path)
        self.progress.setValue(1000)
        self.status.setText(_("Exported to {path}").format(path=path))
        self.close_button.setText(_("Close"))

    def _failed(self, error: BaseException) -> None:
        self.progress.hide()
        self.status.setText(self.ctx.error_text(error))
        self.close_button.setText(_("Close"))

    def _close_or_cancel(self) -> None:
        if self.task is not None and self.task.state == "running":
            self.task.cancel()
            return
        self.close()

"""Make a pack from a folder, in the window (what ``ujuzi pack build`` does): choose the
folder, see what was found (sections, each resource's kind and title), fix the titles and the
licence, then build with progress, off the GUI thread through the core's progress and cancel
callbacks (a visible task), and add the pack to the library.

The folder is never written to: corrected titles reach the builder as overrides
(:func:`app.packs.build.build_pack`'s ``overrides``), as a ``pack.yaml`` would say them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QProgressBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.library import Library
from app.packs.builder.preview import FolderPreview
from app.tasks import Reporter
from app.ui.context import AppContext, Task
from app.ui.widgets import button, content, label, scrolling, tip

#: Licences offered in the list (any SPDX identifier can be typed).
LICENCES = ("CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0", "CC-BY-NC-4.0", "CC-BY-NC-SA-4.0",
            "LicenseRef-All-Rights-Reserved")
PATH_ROLE = Qt.ItemDataRole.UserRole


def kind_name(kind: str) -> str:
    return {"article": _("Article"), "video": _("Video"), "audio": _("Audio"),
            "pdf": _("PDF"), "image": _("Image"), "quiz": _("Quiz"),
            "link": _("Link"), "interactive": _("Interactive")}.get(kind, kind)


class MakePackDialog(QDialog):
    """The folder, what was found in it, the pack's title and licence, and Build."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None,
                 folder: Path | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.folder: Path | None = None
        self.preview: FolderPreview | None = None
        self.task: Task | None = None
        self.result_pack: str | None = None
        self.setModal(False)
        self.resize(720, 560)
        # Everything but the buttons scrolls: at a large font in a small window, the fields
        # and the list keep their height and the dialog scrolls instead of squashing them.
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 12)
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(20, 16, 20, 8)
        layout.setSpacing(10)
        outer.addWidget(scrolling(inner), 1)
        self.intro = label("", None)
        layout.addWidget(self.intro)
        row = QHBoxLayout()
        self.folder_label = content(label("", "muted"))
        self.choose_button = button("", None, None, self.choose_folder)
        row.addWidget(self.folder_label, 1)
        row.addWidget(self.choose_button)
        layout.addLayout(row)

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.title_edit = QLineEdit()
        self.licence_box = QComboBox()
        self.licence_box.setEditable(True)
        self.licence_box.addItems(LICENCES)
        self.licence_box.setCurrentText("")
        self.attribution_edit = QLineEdit()
        self.title_label = label("", None, wrap=False)
        self.licence_label = label("", None, wrap=False)
        self.attribution_label = label("", None, wrap=False)
        for caption, field in ((self.title_label, self.title_edit),
                               (self.licence_label, self.licence_box),
                               (self.attribution_label, self.attribution_edit)):
            caption.setBuddy(field)
            form.addRow(caption, field)
        layout.addLayout(form)

        self.found = label("", "h2")
        layout.addWidget(self.found)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setRootIsDecorated(True)
        self.tree.setEditTriggers(QTreeWidget.EditTrigger.DoubleClicked
                                  | QTreeWidget.EditTrigger.EditKeyPressed
                                  | QTreeWidget.EditTrigger.SelectedClicked)
        self.tree.setTabKeyNavigation(False)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        self.tree.setMinimumHeight(self.tree.fontMetrics().height() * 8)
        layout.addWidget(self.tree, 1)
        self.warnings = label("", "small")
        layout.addWidget(self.warnings)

        out_row = QHBoxLayout()
        self.out_label = content(label("", "muted"))
        self.out_button = button("", None, None, self.choose_output)
        out_row.addWidget(self.out_label, 1)
        out_row.addWidget(self.out_button)
        layout.addLayout(out_row)
        self.add_to_library = QCheckBox()
        self.add_to_library.setChecked(True)
        layout.addWidget(self.add_to_library)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.hide()
        self.status = label("", "small")
        bottom = QVBoxLayout()
        bottom.setContentsMargins(20, 0, 20, 0)
        bottom.addWidget(self.progress)
        bottom.addWidget(self.status)
        outer.addLayout(bottom)
        actions = QHBoxLayout()
        actions.setContentsMargins(20, 0, 20, 0)
        actions.addStretch()
        self.build_button = button("", "primary", None, self.build)
        self.open_button = button("", "primary", None, self._open_pack)
        self.open_button.hide()
        self.close_button = button("", None, None, self._close_or_cancel)
        actions.addWidget(self.close_button)
        actions.addWidget(self.build_button)
        actions.addWidget(self.open_button)
        outer.addLayout(actions)
        self.out: Path | None = None
        self.retranslate()
        self._update_buttons()
        if folder is not None:
            self.set_folder(Path(folder))

    def retranslate(self) -> None:
        self.setWindowTitle(_("Make a pack from a folder"))
        self.intro.setText(_(
            "Choose a folder of lessons (articles, videos, audio, PDFs, pictures, quizzes). "
            "Each folder inside becomes a section. Check what was found, correct titles "
            "(double-click a title), and say how the pack may be shared."))
        self.choose_button.setText(_("Choose a folder…"))
        self.title_label.setText(_("Pack title"))
        self.licence_label.setText(_("Licence"))
        self.attribution_label.setText(_("Attribution"))
        self.title_edit.setAccessibleName(_("Pack title"))
        self.licence_box.setAccessibleName(_("Licence"))
        self.licence_box.setToolTip(_("An SPDX licence identifier, such as CC-BY-SA-4.0"))
        self.attribution_edit.setAccessibleName(_("Attribution"))
        self.attribution_edit.setPlaceholderText(_("Who made the content, and its sources"))
        self.tree.setHeaderLabels([_("Title"), _("Kind"), _("File")])
        self.tree.setAccessibleName(_("What was found in the folder"))
        self.out_button.setText(_("Save as…"))
        self.add_to_library.setText(_("Add it to my library"))
        self.build_button.setText(_("Make the pack"))
        self.open_button.setText(_("Open the pack"))
        self.close_button.setText(_("Close"))
        self._show_folder()

    # -- choosing ------------------------------------------------------------------------

    def choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(
            self, _("Choose the folder to make a pack from"), str(self.folder or Path.home()))
        if path:
            self.set_folder(Path(path))

    def choose_output(self) -> None:
        start = str(self.out or Path.home())
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Save the pack as"), start, _("Learning packs ({patterns})").format(
                patterns="*.ujpack"))
        if path:
            self.out = Path(path if path.endswith(".ujpack") else path + ".ujpack")
            self._show_folder()

    def set_folder(self, folder: Path) -> None:
        """Look at ``folder`` (on the task runner) and show what a build would make."""
        self.folder = folder
        self.preview = None
        self.status.setText(_("Looking at the folder…"))
        self._show_folder()
        self._update_buttons()
        self.ctx.run(lambda _library, _r: _preview(folder), self._previewed, self._refused)

    def _previewed(self, preview: FolderPreview) -> None:
        self.preview = preview
        self.status.setText("")
        self.title_edit.setText(preview.title)
        if preview.license:
            self.licence_box.setCurrentText(preview.license)
        if preview.attribution:
            self.attribution_edit.setText(preview.attribution)
        if self.out is None and self.folder is not None:
            self.out = self.folder.parent / f"{preview.pack_id}.ujpack"
        self.tree.clear()
        for section in preview.sections:
            top = QTreeWidgetItem([section.title, "", ""])
            top.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for item in section.items:
                row = QTreeWidgetItem([item.title, kind_name(item.kind), item.path])
                row.setData(0, PATH_ROLE, item.path)
                row.setData(0, Qt.ItemDataRole.UserRole + 1, item.title)
                row.setFlags(row.flags() | Qt.ItemFlag.ItemIsEditable)
                top.addChild(row)
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
        self.tree.resizeColumnToContents(2)
        count, sections = preview.count, len(preview.sections)
        self.found.setText(
            ngettext("Found {count} resource", "Found {count} resources", count).format(
                count=count) + " · " +
            ngettext("{count} section", "{count} sections", sections).format(count=sections))
        self.warnings.setText("\n".join(preview.warnings))
        self.warnings.setVisible(bool(preview.warnings))
        self._show_folder()
        self._update_buttons()

    def _refused(self, error: BaseException) -> None:
        self.preview = None
        self.tree.clear()
        self.found.setText("")
        self.status.setText(self.ctx.error_text(error))
        self._update_buttons()

    def _show_folder(self) -> None:
        self.folder_label.setText(
            _("Folder: {path}").format(path=self.folder) if self.folder
            else _("No folder chosen yet."))
        self.folder_label.setToolTip(tip(str(self.folder or "")))
        self.out_label.setText(_("Save to: {path}").format(path=self.out) if self.out else "")

    def _update_buttons(self) -> None:
        running = self.task is not None and self.task.state == "running"
        self.build_button.setEnabled(self.preview is not None and not running)
        self.choose_button.setEnabled(not running)
        self.close_button.setText(_("Cancel") if running else _("Close"))

    # -- building ------------------------------------------------------------------------

    def overrides(self) -> dict[str, Any]:
        """The corrections made here, as pack.yaml keys: the pack's title and the titles
        changed in the list."""
        result: dict[str, Any] = {}
        assert self.preview is not None
        title = self.title_edit.text().strip()
        if title and title != self.preview.title:
            result["title"] = title
        resources: dict[str, Any] = {}
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            rows = [] if top is None else [top.child(j) for j in range(top.childCount())]
            for row in rows:
                if row is None:
                    continue
                text = row.text(0).strip()
                if text and text != row.data(0, Qt.ItemDataRole.UserRole + 1):
                    resources[row.data(0, PATH_ROLE)] = {"title": text}
        if resources:
            result["resources"] = resources
        return result

    def build(self) -> None:
        if self.preview is None or self.folder is None or self.out is None:
            return
        folder, out = self.folder, self.out
        licence = self.licence_box.currentText().strip()
        attribution = self.attribution_edit.text().strip()
        if not licence or not attribution:
            self.status.setText(_("Say how the pack may be shared: fill in its licence and "
                                  "attribution."))
            (self.licence_box if not licence else self.attribution_edit).setFocus()
            return
        overrides, add = self.overrides(), self.add_to_library.isChecked()

        def work(library: Library, reporter: Reporter) -> Any:
            from app.packs.build import build_pack

            build_pack(folder, out, reporter, license=licence, attribution=attribution,
                       overrides=overrides)
            if not add:
                return None
            from app.packs.importer import import_pack

            return import_pack(library, out, reporter)

        self.status.setText(_("Making the pack…"))
        self.progress.setValue(0)
        self.progress.show()
        self.task = self.ctx.start_task(_("Making {name}").format(name=out.name), work,
                                        self._built, self._failed)
        self.task.changed.connect(self._progress)
        self._update_buttons()

    def _progress(self) -> None:
        if self.task is not None:
            self.progress.setValue(int(self.task.fraction * 1000))
            if self.task.detail:
                self.status.setText(self.task.detail)

    def _built(self, result: Any) -> None:
        self.progress.setValue(1000)
        self.result_pack = getattr(result, "pack_id", None)
        self.status.setText(_("The pack is ready: {path}").format(path=self.out))
        if result is not None:
            self.ctx.library_changed.emit()
        self._update_buttons()
        self.open_button.setVisible(self.result_pack is not None)
        if self.result_pack is not None:
            self.open_button.setFocus()

    def _open_pack(self) -> None:
        if self.result_pack is not None:
            self.ctx.open_pack(self.result_pack)
            self.close()

    def _failed(self, error: BaseException) -> None:
        self.progress.hide()
        self.status.setText(self.ctx.error_text(error))
        self._update_buttons()

    def _close_or_cancel(self) -> None:
        if self.task is not None and self.task.state == "running":
            self.task.cancel()
            return
        self.close()


def _preview(folder: Path) -> FolderPreview:
    from app.packs.builder.preview import preview_folder

    return preview_folder(folder)


class FolderToBuild:
    """What an import of a folder of plain files gives: not a pack yet, but a folder to make
    one from (the window opens :class:`MakePackDialog` on it)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder


def import_or_build(library: Library, path: Path, reporter: Reporter) -> Any:
    """Import ``path`` (any format the importers know; ``course.xml`` inside an export stands
    for its folder), or, for a folder of plain files, a :class:`FolderToBuild`."""
    from app.packs.importers import import_any, is_folder_of_files

    if is_folder_of_files(path):
        return FolderToBuild(Path(path))
    return import_any(library, path, reporter)

"""A pack: what it is, its licence, time left, Continue, and its sections of resources."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QMessageBox,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app import formatting, learning
from app.formatting import isolate
from app.i18n import _
from app.library import Library
from app.packs.manifest import localized
from app.tasks import Reporter
from app.ui import dialogs
from app.ui.context import AppContext, load_cover
from app.ui.delegates import OutlineDelegate
from app.ui.models import ID, OutlineModel, progress_text
from app.ui.pages.base import Crumb, Page
from app.ui.widgets import (
    Cover,
    FlowLayout,
    Loading,
    Reflow,
    button,
    clear_layout,
    content,
    label,
    progress_bar,
    set_role,
    tip,
)


class PackPage(Page):
    name = "pack"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.pack_id: str | None = None
        self.outline: learning.PackOutline | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 0)
        layout.setSpacing(12)
        self.header = QWidget()
        head = QHBoxLayout(self.header)
        head.setContentsMargins(0, 0, 0, 0)
        head.setSpacing(20)
        self.cover_holder = QVBoxLayout()
        head.addLayout(self.cover_holder)
        text = QVBoxLayout()
        text.setSpacing(6)
        self.title = content(label("", "h1"))
        self.description = content(label("", None))
        self.description.setMaximumWidth(820)
        self.meta = label("", "muted")
        self.licence = label("", "small")
        self.licence.setTextFormat(Qt.TextFormat.PlainText)
        self.licence.setMaximumWidth(820)
        text.addWidget(self.title)
        for measured in (self.description, self.meta, self.licence):
            # A label of at most 820 px in a row with a stretch: the row gives it its
            # width first, then asks how tall it is (a column would ask for its own width,
            # and a long description would be cut).
            row = QHBoxLayout()
            row.addWidget(measured, 100)
            row.addStretch(1)
            text.addLayout(row)
        self.licence_warning = label("", "small")
        self.licence_warning.hide()
        text.addWidget(self.licence_warning)
        progress_row = QHBoxLayout()
        self.progress = progress_bar(0.0)
        self.progress.setMaximumWidth(320)
        self.progress_label = label("", "small")
        progress_row.addWidget(self.progress)
        progress_row.addWidget(self.progress_label)
        progress_row.addStretch()
        text.addLayout(progress_row)
        # Continue (and Update) at the start, Export and Remove at the end; each group
        # wraps, and the groups go one under the other when the row is too narrow.
        actions = Reflow()
        first, last = QWidget(), QWidget()
        first_row, last_row = FlowLayout(first), FlowLayout(last)
        self.continue_button = button("", "primary", "continue", self._continue)
        self.remove_button = button("", "destructive", "delete", self._remove)
        self.update_note = label("", "chip", wrap=False)
        self.update_button = button("", None, "downloads", self._update)
        self.update_entry: Any = None
        first_row.addWidget(self.continue_button)
        first_row.addWidget(self.update_note)
        first_row.addWidget(self.update_button)
        self.export_button = button("", None, "external", self._export)
        last_row.addWidget(self.export_button)
        last_row.addWidget(self.remove_button)
        actions.add(first)
        actions.add_stretch()
        actions.add(last)
        text.addSpacing(4)
        text.addWidget(actions)
        head.addLayout(text, 1)
        layout.addWidget(self.header)

        self.model = OutlineModel()
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setItemDelegate(OutlineDelegate(self.tree))
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(0)
        self.tree.setUniformRowHeights(False)
        self.tree.setMouseTracking(True)
        self.tree.setExpandsOnDoubleClick(False)
        self.tree.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.tree.activated.connect(self._activated)
        self.tree.clicked.connect(self._activated)
        layout.addWidget(self.tree, 1)
        self.loading = Loading()
        layout.addWidget(self.loading)
        ctx.progress_changed.connect(self._progress_changed)
        ctx.language_changed.connect(self._relocalize)
        self.retranslate()

    def crumbs(self) -> list[Crumb]:
        crumbs: list[Crumb] = [(_("Library"), "library", {})]
        if self.outline is not None:
            crumbs.append((localized(self.outline.pack["title"], self.ctx.languages), None, {}))
        return crumbs

    def focus_first(self) -> None:
        self.continue_button.setFocus()

    def activate(self, **args: Any) -> None:
        pack_id = args.get("pack_id") or self.pack_id
        if pack_id != self.pack_id:
            self.outline = None
            self.model.set_outline(None, self.ctx.languages)
            self.header.hide()
        self.pack_id = pack_id
        self._load()

    def _load(self) -> None:
        if not self.pack_id:
            return
        # the order every title is shown in decides which version a row lists
        pack_id, languages, profile = self.pack_id, self.ctx.languages, self.ctx.profile
        self.loading.setText(_("Loading…"))
        self.loading.start()

        def work(library: Library, _r: Reporter) -> Any:
            outline = learning.pack_outline(library, pack_id, languages, profile)
            cover_file = library.pack_cover(pack_id)
            cover = None if cover_file is None else load_cover(str(cover_file), QSize(320, 320))
            from app.sync.catalog import UPDATE, catalog_entry

            entry = catalog_entry(library, pack_id, fetch=False)
            return outline, cover, entry if entry is not None and entry.status == UPDATE \
                else None

        self.ctx.run(work, self._show, self._failed)

    def _failed(self, error: BaseException) -> None:
        self.loading.stop()
        self.ctx.show_error(error)
        self.loaded.emit()

    def _show(self, result: Any) -> None:
        outline, cover, update = result
        if outline.pack["id"] != self.pack_id:
            return
        self.update_entry = update
        self.loading.stop()
        self.outline = outline
        self.cover_image = cover
        clear_layout(self.cover_holder)
        self.cover_holder.addWidget(Cover(outline.pack, cover, QSize(148, 148)))
        self.cover_holder.addStretch()
        expanded = {i for i in range(self.model.rowCount()) if self.tree.isExpanded(
            self.model.index(i, 0))} if self.model.outline is not None else None
        self.model.set_outline(outline, self.ctx.languages)
        for i in range(self.model.rowCount()):
            self.tree.setExpanded(self.model.index(i, 0), expanded is None or i in expanded)
        self.header.show()
        self._render()
        self.crumbs_changed.emit()
        self.loaded.emit()

    def _render(self) -> None:
        outline = self.outline
        if outline is None:
            return
        pack, langs = outline.pack, self.ctx.languages
        self.title.setText(localized(pack["title"], langs))
        description = localized(pack["description"], langs)
        self.description.setText(description)
        self.description.setVisible(bool(description))
        parts = [" · ".join(formatting.language_name(lang) for lang in pack["languages"])]
        level = {"beginner": _("Beginner"), "intermediate": _("Intermediate"),
                 "advanced": _("Advanced")}.get(pack.get("level") or "")
        if level:
            parts.append(level)
        if outline.total_seconds:
            parts.append(_("{total} in all").format(total=formatting.duration(
                outline.total_seconds)))
            if 0 < outline.remaining_seconds < outline.total_seconds:
                parts.append(_("{left} left").format(left=formatting.duration(
                    outline.remaining_seconds)))
        parts.append(formatting.size(pack["total_bytes"]))
        self.meta.setText("  ·  ".join(parts))
        from app.packs.importers.common import licence_label, licence_stated

        # the licence and the attribution are pack text: each keeps its own direction
        licence = _("Licence: {license}").format(license=isolate(pack["license"])) \
            if licence_stated(pack["license"]) else licence_label(pack["license"])
        self.licence.setText(_("{licence}. {attribution}").format(
            licence=licence, attribution=isolate(pack["attribution"])))
        self.licence_warning.setText(_(
            "Licence not stated: ask the authors before you share this pack."))
        self.licence_warning.setVisible(not licence_stated(pack["license"]))
        update = self.update_entry
        self.update_note.setVisible(update is not None)
        self.update_button.setVisible(update is not None)
        if update is not None:
            self.update_note.setText(_("Update available: version {version}").format(
                version=update.version))
            self.update_button.setText(_("Update"))
            self.update_button.setEnabled(True)
            self.update_button.setAccessibleName(_("Update to version {version}").format(
                version=update.version))
        fraction = outline.done / outline.total if outline.total else 0.0
        self.progress.setValue(int(fraction * 1000))
        set_role(self.progress, "done" if fraction >= 1 else None)
        self.progress.setAccessibleName(_("Progress in this pack"))
        self.progress_label.setText(progress_text(outline.done, outline.total))
        resume = outline.resume()
        if outline.done == 0 and not any(item.opened_at for item in outline.items):
            self.continue_button.setText(_("Start"))
        elif resume is None:
            self.continue_button.setText(_("Review from the start"))
        else:
            self.continue_button.setText(_("Continue"))
        target = resume or (outline.items[0] if outline.items else None)
        self.continue_button.setEnabled(target is not None)
        if target is not None:
            self.continue_button.setToolTip(tip(_("Next up: {title}").format(
                title=isolate(localized(target.title, langs)))))
            # The name is the text shown ("Start", "Continue"); this says what comes.
            self.continue_button.setAccessibleDescription(
                _("Continue with {title}").format(title=localized(target.title, langs)))

    def retranslate(self) -> None:
        self.export_button.setText(_("Export…"))
        self.export_button.setAccessibleName(_("Export this pack to a file or a USB stick"))
        self.remove_button.setText(_("Remove pack"))
        self.remove_button.setAccessibleDescription(_("Remove this pack from the library"))
        self.tree.setAccessibleName(_("Sections and resources"))
        self.model.retranslate()
        self._render()
        if self.outline is None:
            self.continue_button.setText(_("Continue"))

    def _relocalize(self) -> None:
        if self.pack_id and self.isVisible():
            self._load()

    def _progress_changed(self, resource_id: str) -> None:
        if self.pack_id and resource_id.startswith(self.pack_id + "/"):
            self._load()

    def _continue(self) -> None:
        if self.outline is None:
            return
        target = self.outline.resume() or (self.outline.items[0] if self.outline.items else None)
        if target is not None:
            self.ctx.open_resource(target.id)

    def _update(self) -> None:
        """Queue the catalog's newer version (the Downloads page shows its progress)."""
        if self.update_entry is None:
            return
        from app.ui.hub import hub_of

        hub_of(self.ctx).download(self.update_entry, self._ask_metered)
        self.update_button.setEnabled(False)
        self.ctx.navigate("downloads")

    def _ask_metered(self, size: int) -> bool:
        answer = dialogs.ask(self, _("Metered connection"), _(
            "This download is {size}, more than you asked to be warned about on a metered "
            "connection. Download it now?").format(size=formatting.size(size)))
        return answer == QMessageBox.StandardButton.Yes

    def _activated(self, index: QModelIndex) -> None:
        resource_id = index.data(ID)
        if resource_id:
            self.ctx.open_resource(resource_id)
        elif index.isValid():
            self.tree.setExpanded(index, not self.tree.isExpanded(index))

    def _export(self) -> None:
        if self.outline is None:
            return
        from app.ui.export_pack import ExportDialog

        self.export_dialog = ExportDialog(
            self.ctx, self.outline.pack, localized(self.outline.pack["title"],
                                                   self.ctx.languages), self)
        self.export_dialog.show()

    def _remove(self) -> None:
        if self.outline is None:
            return
        title = localized(self.outline.pack["title"], self.ctx.languages)
        answer = dialogs.ask(
            self, _("Remove pack"),
            _("Remove “{title}” from this computer? Your progress and notes are kept, and "
              "come back if you import the pack again.").format(title=title))
        if answer != QMessageBox.StandardButton.Yes:
            return
        pack_id = self.outline.pack["id"]

        def removed(_freed: Any) -> None:
            self.pack_id = None
            self.outline = None
            self.ctx.library_changed.emit()
            self.ctx.navigate("library")

        self.ctx.run(lambda library, _r: library.remove_pack(pack_id), removed)

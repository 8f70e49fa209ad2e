"""Notes: every note the learner took, searchable, opening at the moment it was taken, and
exported to one Markdown file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QMessageBox,
    QStackedWidget,
)

from app import formatting, learning
from app.i18n import _, ngettext
from app.library import Library
from app.tasks import Reporter
from app.ui import dialogs
from app.ui.context import AppContext
from app.ui.delegates import NoteDelegate
from app.ui.models import ROW, NotesModel
from app.ui.pages.base import Crumb, Page
from app.ui.widgets import EmptyState, button


class NotesPage(Page):
    name = "notes"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.export_button = button("", None, "export", self._export)
        layout, self.title, self.count = self.list_layout(self.export_button)
        row = QHBoxLayout()
        self.filter = QLineEdit()
        self.filter.setClearButtonEnabled(True)
        self.filter.setMaximumWidth(420)
        self.filter.textChanged.connect(self._filter)
        row.addWidget(self.filter)
        row.addStretch()
        self.edit_button = button("", "quiet", None, self._edit)
        row.addWidget(self.edit_button)
        self.delete_button = button("", "quiet", "delete", self._delete)
        row.addWidget(self.delete_button)
        layout.addLayout(row)
        self.model = NotesModel()
        self.proxy = QSortFilterProxyModel()
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterRole(Qt.ItemDataRole.UserRole)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.view = QListView()
        self.view.setModel(self.proxy)
        self.view.setItemDelegate(NoteDelegate(self.model.title, self.view))
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setMouseTracking(True)
        self.view.activated.connect(self._open)
        self.view.doubleClicked.connect(self._open)
        # Delete and Edit act on the selected note: without one they are disabled.
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._update_actions())
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.empty = EmptyState("notes")
        self.stack.addWidget(self.empty)
        layout.addWidget(self.stack, 1)
        ctx.notes_changed.connect(lambda _id: self._load() if self.isVisible() else None)
        self.retranslate()

    def crumbs(self) -> list[Crumb]:
        return [(_("Notes"), None, {})]

    def activate(self, **args: Any) -> None:
        self._load()

    def focus_first(self) -> None:
        self.filter.setFocus()

    def _load(self) -> None:
        profile = self.ctx.profile
        self.fetch(lambda library, _r: library.notes(profile), self._show)

    def _show(self, notes: list[dict[str, Any]]) -> None:
        self.model.set_notes(notes, self.ctx.languages)
        self._render()
        self.loaded.emit()

    def _render(self) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        self.count.setText(ngettext("{n} note", "{n} notes", total).format(
            n=formatting.number(total)))
        self.export_button.setEnabled(total > 0)
        self._update_actions()
        if total == 0:
            self.empty.set_texts(_("No notes yet"),
                                 _("While you read or watch, write notes in the side panel. "
                                   "Notes on videos remember the moment you took them."))
            self.stack.setCurrentWidget(self.empty)
        elif shown == 0:
            self.empty.set_texts(_("No note matches “{text}”").format(text=self.filter.text()),
                                 _("Try other words."))
            self.stack.setCurrentWidget(self.empty)
        else:
            self.stack.setCurrentWidget(self.view)

    def _selected(self) -> dict[str, Any] | None:
        rows = self.view.selectionModel().selectedIndexes()
        return rows[0].data(ROW) if rows else None

    def _update_actions(self) -> None:
        chosen = self._selected() is not None
        self.delete_button.setEnabled(chosen)
        self.edit_button.setEnabled(chosen)

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        self._render()

    def retranslate(self) -> None:
        self.title.setText(_("Notes"))
        self.export_button.setText(_("Export to Markdown"))
        self.export_button.setAccessibleName(_("Export all notes to a Markdown file"))
        self.filter.setPlaceholderText(_("Find in notes"))
        self.filter.setAccessibleName(_("Find in notes"))
        self.delete_button.setText(_("Delete note"))
        self.edit_button.setText(_("Edit note…"))
        self.edit_button.setAccessibleName(_("Edit note"))
        self.view.setAccessibleName(_("Your notes"))
        self.model.retranslate()
        self._render()

    def _open(self, index: QModelIndex) -> None:
        note = index.data(ROW)
        if note and note.get("conflict"):  # the learner chooses first
            self.edit(note)
        elif note:
            self.ctx.open_resource(note["resource_id"], note["at_seconds"])

    def _edit(self) -> None:
        note = self._selected()
        if note:
            self.edit(note)

    def edit(self, note: dict[str, Any]) -> Any:
        """Open the editor of ``note``; a note in conflict shows each version."""
        from app.ui.note_edit import edit_note

        return edit_note(self.ctx, note, self, lambda _note: self._load())

    def _delete(self) -> None:
        note = self._selected()
        if not note:
            return
        answer = dialogs.ask(
            self, _("Delete note"), _("Delete this note? This cannot be undone."))
        if answer != QMessageBox.StandardButton.Yes:
            return
        profile = self.ctx.profile

        def work(library: Library, _r: Reporter) -> Any:
            library.delete_note(note["id"], profile)
            return library.notes(profile)

        def done(notes: list[dict[str, Any]]) -> None:
            self._show(notes)
            self.ctx.notes_changed.emit(note["resource_id"])

        self.ctx.run(work, done)

    def _export(self) -> None:
        target, _filter = QFileDialog.getSaveFileName(
            self, _("Export notes"), str(Path.home() / _("my-notes.md")),
            _("Markdown files (*.md)"))
        if not target:
            return
        languages, profile = self.ctx.languages, self.ctx.profile

        def work(library: Library, _r: Reporter) -> str:
            text = learning.notes_markdown(library, languages, profile)
            path = Path(target)
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
            return str(path)

        def done(path: str) -> None:
            self.ctx.status_message.emit(_("Notes saved to {path}").format(path=path))

        self.ctx.run(work, done)

"""Editing a note, and settling a note in conflict: a note edited on two devices that had
not seen each other's edit shows each version side by side ("Edited on two devices"); the
learner keeps one, or writes the text to keep (a merge), which
:meth:`app.library.Library.edit_note` saves as the one text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.ui.context import AppContext
from app.ui.widgets import button, content, label


def conflict_label(note: dict[str, Any]) -> str:
    """The mark of a note in conflict, for lists ("" when it has one text)."""
    return _("Edited on two devices") if note.get("conflict") else ""


class NoteEditor(QDialog):
    """Edit ``note`` (a row of ``Library.notes``); on save, ``saved(note)`` runs with the
    note as it is now. Opened window-modal with :meth:`open`, so nothing waits on it."""

    def __init__(self, ctx: AppContext, note: dict[str, Any], parent: QWidget,
                 saved: Callable[[dict[str, Any]], None]) -> None:
        super().__init__(parent)
        self.ctx, self.note, self.saved = ctx, note, saved
        self.setModal(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(12)
        self.heading = label("", "h2")
        self.help = label("", "muted")
        layout.addWidget(self.heading)
        layout.addWidget(self.help)
        self.keep_buttons: list[QPushButton] = []
        versions = [str(v["body"]) for v in note.get("versions") or []] \
            if note.get("conflict") else []
        if versions:
            row = QHBoxLayout()
            row.setSpacing(12)
            for number, body in enumerate(versions, 1):
                box = QFrame()
                box.setProperty("role", "card")
                column = QVBoxLayout(box)
                column.setContentsMargins(12, 10, 12, 10)
                caption = label(_("Version {n}").format(n=number), "h3")
                column.addWidget(caption)
                text = content(QPlainTextEdit(body))
                text.setReadOnly(True)
                text.setAccessibleName(_("Version {n}").format(n=number))
                text.setTabChangesFocus(True)
                text.setMinimumHeight(text.fontMetrics().lineSpacing() * 4)
                column.addWidget(text, 1)
                keep = button(_("Keep this version"), None, "check")
                keep.clicked.connect(lambda _c=False, body=body: self.save(body))
                keep.setAccessibleName(_("Keep version {n}").format(n=number))
                column.addWidget(keep, 0, Qt.AlignmentFlag.AlignLeading)
                self.keep_buttons.append(keep)
                row.addWidget(box, 1)
            layout.addLayout(row, 1)
        self.merge_label = label("", "h3")
        layout.addWidget(self.merge_label)
        start = "\n\n".join(versions) if versions else str(note.get("body") or "")
        self.editor = content(QPlainTextEdit(start))
        self.editor.setTabChangesFocus(True)
        self.editor.setMinimumHeight(self.editor.fontMetrics().lineSpacing() * 5)
        self.merge_label.setBuddy(self.editor)
        layout.addWidget(self.editor, 1)
        self.error = label("", "error")
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addStretch()
        self.cancel_button = button("", None, None, self.reject)
        self.save_button = button("", "primary", None, lambda: self.save(
            self.editor.toPlainText()))
        self.save_button.setDefault(True)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        self.retranslate(bool(versions))
        width = self.fontMetrics().horizontalAdvance("m") * (70 if versions else 45)
        hint = self.sizeHint()
        self.resize(max(width, hint.width()),
                    max(self.fontMetrics().lineSpacing() * (30 if versions else 16),
                        hint.height()))

    def retranslate(self, conflict: bool) -> None:
        if conflict:
            self.setWindowTitle(_("Edited on two devices"))
            self.heading.setText(_("Edited on two devices"))
            self.help.setText(_("This note was changed on two devices before they synced. "
                                "Keep one version, or write the text to keep below."))
            self.merge_label.setText(_("Or write the text to keep"))
        else:
            self.setWindowTitle(_("Edit note"))
            self.heading.setText(_("Edit note"))
            self.help.hide()
            self.merge_label.setText(_("Note"))
        self.editor.setAccessibleName(self.merge_label.text())
        self.cancel_button.setText(_("Cancel"))
        self.save_button.setText(_("Save"))
        self.save_button.setAccessibleName(_("Save the note"))

    def save(self, body: str) -> None:
        if not body.strip():
            self.error.setText(_("A note cannot be empty."))
            self.error.show()
            return
        note_id, profile = str(self.note["id"]), self.ctx.profile
        for widget in (*self.keep_buttons, self.save_button):
            widget.setEnabled(False)

        def done(note: Any) -> None:
            self.accept()
            self.saved(note)
            self.ctx.notes_changed.emit(str(note["resource_id"]))

        def failed(error: BaseException) -> None:
            for widget in (*self.keep_buttons, self.save_button):
                widget.setEnabled(True)
            self.error.setText(self.ctx.error_text(error))
            self.error.show()

        self.ctx.run(lambda library, _r: library.edit_note(note_id, body, profile), done,
                     failed)


def edit_note(ctx: AppContext, note: dict[str, Any], parent: QWidget,
              saved: Callable[[dict[str, Any]], None] | None = None) -> NoteEditor:
    """Open the editor of ``note`` (window-modal, not blocking)."""
    dialog = NoteEditor(ctx, note, parent, saved or (lambda _note: None))
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog

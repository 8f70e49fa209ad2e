"""The player's side panel: the transcript that follows playback, and timestamped notes.

The panel shows what it is given and reports what the learner asks for (a time to seek to,
a note to add); the player widget decides which cues it shows and saves the notes.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.player.subtitles import Cue, CueList, format_time


class SidePanel(QTabWidget):
    """Two tabs: the transcript, and the notes with a line to write a new one."""

    #: The learner picked a transcript line or a note: the time to seek to, in seconds.
    seek_requested = Signal(float)
    #: The learner asked to add the note written in :attr:`note_edit`.
    note_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.transcript = QListWidget()
        self.transcript.setWordWrap(True)
        self.transcript.itemClicked.connect(self._seek_to_item)
        self.transcript.itemActivated.connect(self._seek_to_item)
        self.notes = QListWidget()
        self.notes.setWordWrap(True)
        self.notes.itemClicked.connect(self._seek_to_item)
        self.notes.itemActivated.connect(self._seek_to_item)
        self.note_edit = QLineEdit()
        self.note_edit.returnPressed.connect(self.note_requested.emit)
        self.note_edit.textChanged.connect(self._enable_note_button)
        self.note_button = QPushButton()
        self.note_button.clicked.connect(self.note_requested.emit)
        notes_page = QWidget()
        notes_layout = QVBoxLayout(notes_page)
        notes_layout.addWidget(self.notes, 1)
        notes_layout.addWidget(self.note_edit)
        notes_layout.addWidget(self.note_button)
        self.addTab(self.transcript, "")
        self.addTab(notes_page, "")
        self._cues: list[Cue] = []
        self._cue_list = CueList([])
        self._index: int | None = None
        self._can_add = False

    def retranslate(self) -> None:
        self.transcript.setAccessibleName(_("Transcript"))
        self.notes.setAccessibleName(_("Notes"))
        self.note_edit.setAccessibleName(_("New note"))
        self.note_edit.setPlaceholderText(_("Write a note…"))
        self.note_button.setAccessibleDescription(_("Add note at the current time"))
        self.setAccessibleName(_("Transcript and notes"))
        self.setTabText(0, _("Transcript"))
        self.setTabText(1, _("Notes"))

    def _seek_to_item(self, item: QListWidgetItem) -> None:
        at = item.data(Qt.ItemDataRole.UserRole)
        if at is not None:
            self.seek_requested.emit(float(at))

    # -- transcript ---------------------------------------------------------------------

    def show_transcript(self, cues: list[Cue], text: str | None, position: float) -> None:
        """Show ``cues`` as timed lines; without cues, the paragraphs of ``text`` (None when
        nothing is open). The same cue list again leaves the lines as they are."""
        if cues is self._cues and self.transcript.count():
            return
        self._cues = cues
        self._cue_list = CueList(cues)
        self._index = None
        self.transcript.clear()
        for cue in cues:
            line = cue.text.replace("\n", " ")
            item = QListWidgetItem(f"{format_time(cue.start)}  {line}")
            item.setData(Qt.ItemDataRole.UserRole, cue.start)
            self.transcript.addItem(item)
        if not cues and text is not None:
            text = text.strip() or _("This resource has no transcript.")
            for paragraph in text.split("\n\n"):
                item = QListWidgetItem(paragraph.strip())
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.transcript.addItem(item)
        self.highlight(position)

    def highlight(self, position: float) -> None:
        """Mark the line being spoken at ``position`` and scroll to it."""
        if not self._cues:
            return
        index = self._cue_list.index_at(position)
        if index == self._index:
            return
        normal = QFont(self.transcript.font())
        bold = QFont(normal)
        bold.setBold(True)
        if self._index is not None:
            old = self.transcript.item(self._index)
            if old is not None:
                old.setFont(normal)
                old.setBackground(QColor(0, 0, 0, 0))
        self._index = index
        if index is not None:
            item = self.transcript.item(index)
            if item is not None:
                item.setFont(bold)
                item.setBackground(self.palette().color(QPalette.ColorRole.AlternateBase))
                self.transcript.scrollToItem(item)

    def current_cue_index(self) -> int | None:
        """Index of the highlighted transcript line, or None."""
        return self._index

    # -- notes --------------------------------------------------------------------------

    def show_notes(self, notes: list[dict[str, Any]]) -> None:
        self.notes.clear()
        for note in notes:
            self.append_note(note)

    def append_note(self, note: dict[str, Any]) -> None:
        at = note.get("at_seconds")
        body = str(note["body"])
        item = QListWidgetItem(f"{format_time(at)}  {body}" if at is not None else body)
        item.setData(Qt.ItemDataRole.UserRole, at)
        self.notes.addItem(item)

    def show_note_time(self, position: float, can_add: bool) -> None:
        """Name the time a new note gets; the button works when ``can_add`` and a note is
        written."""
        text = _("Add note at {time}").format(time=format_time(position))
        self.note_button.setText(text)
        self.note_button.setAccessibleName(text)  # the name says what the button shows
        self._can_add = can_add
        self._enable_note_button(self.note_edit.text())

    def _enable_note_button(self, text: str) -> None:
        self.note_button.setEnabled(self._can_add and bool(text.strip()))

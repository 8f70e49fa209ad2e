"""A resource: its viewer in the centre, notes and transcript at the side, and Previous,
Mark complete, Next at the bottom. Progress is saved as the learner goes; reopening a
resource returns to where they were."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QScrollArea,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import formatting, learning
from app.i18n import _
from app.library import Library
from app.packs.manifest import localized
from app.player.qt_layout import SideBySide
from app.tasks import Reporter
from app.ui import icons
from app.ui.context import AppContext
from app.ui.models import kind_label
from app.ui.pages.base import Crumb, Page
from app.ui.viewers.base import Viewer
from app.ui.widgets import (
    Loading,
    Reflow,
    button,
    content,
    label,
    scrolling,
    separator,
    tip,
    tool_button,
)

SAVE_DELAY_MS = 1500


def viewer_for(kind: str, ctx: AppContext) -> Viewer:
    """The viewer of a kind of resource (heavy ones imported only when first needed)."""
    if kind == "article":
        from app.ui.viewers.article import ArticleViewer

        return ArticleViewer(ctx)
    if kind == "pdf":
        from app.ui.viewers.pdf import PdfViewer

        return PdfViewer(ctx)
    if kind == "image":
        from app.ui.viewers.image import ImageViewer

        return ImageViewer(ctx)
    if kind == "quiz":
        from app.ui.viewers.quiz import QuizViewer

        return QuizViewer(ctx)
    if kind in ("video", "audio"):
        from app.ui.viewers.media import MediaViewer

        return MediaViewer(ctx)
    if kind == "interactive":
        try:
            from app.ui.viewers.interactive import InteractiveViewer
        except ImportError:
            pass
        else:
            return InteractiveViewer(ctx)
    from app.ui.viewers.link import LinkViewer

    return LinkViewer(ctx)


def _transcript(resource: dict[str, Any], languages: list[str],
                subtitle_language: str | None = None) -> list[tuple[float | None, str]]:
    """Lines to show beside media: the subtitles the player shows first (those in
    ``subtitle_language``, the learner's last choice or a search hit's, else in the first
    of ``languages`` that has them: :func:`app.player.session.choose_subtitle`), else the
    transcript."""
    from pathlib import Path

    from app.player.session import choose_subtitle
    from app.search.extract import subtitle_cues, transcript_lines
    from app.subtitles import read_subtitle_text

    subtitles = [entry for entry in resource["files"] if entry["role"] == "subtitles"]
    chosen = choose_subtitle([entry.get("lang") for entry in subtitles], languages,
                             subtitle_language)
    if chosen is not None:
        return [(start, line) for start, line in
                subtitle_cues(read_subtitle_text(Path(subtitles[chosen]["blob"])))]
    for entry in resource["files"]:
        if entry["role"] == "transcript":
            text = Path(entry["blob"]).read_text(encoding="utf-8", errors="replace")
            return transcript_lines(text)
    return []


class NotesPanel(QWidget):
    """Notes of one resource: the list (a note with a time seeks there) and a box to write."""

    def __init__(self, page: ResourcePage) -> None:
        super().__init__()
        self.page = page
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.itemActivated.connect(self._activated)
        self.list.itemClicked.connect(self._activated)
        # Delete and Edit act on the selected note: without one they are disabled.
        self.list.itemSelectionChanged.connect(self._update_actions)
        self.empty = label("", "muted")
        self.editor = QPlainTextEdit()
        self.editor.setMaximumHeight(110)
        self.add = button("", "primary", "add", self._add)
        self.delete = button("", "quiet", "delete", self._delete)
        self.edit = button("", "quiet", None, self._edit)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.editor)
        # side by side, or one under the other when the panel is narrow or the text large
        row = Reflow()
        row.add(self.add)
        row.add_stretch()
        row.add(self.edit)
        row.add(self.delete)
        layout.addWidget(row)
        QShortcut(QKeySequence("Ctrl+Return"), self.editor, self._add)
        self.notes: list[dict[str, Any]] = []
        # Notes changed elsewhere (a sync, the Notes page): show them as they are now.
        page.ctx.notes_changed.connect(self._changed_elsewhere)
        self.retranslate()

    def _changed_elsewhere(self, resource_id: str) -> None:
        current = self.page.resource_id
        if not current or resource_id not in ("", current):
            return
        profile = self.page.ctx.profile
        self.page.ctx.run(lambda library, _r: library.notes(profile, current),
                          lambda notes: self.set_notes(notes)
                          if self.page.resource_id == current else None, lambda _e: None)

    def _update_actions(self) -> None:
        chosen = bool(self.list.selectedItems())
        self.delete.setEnabled(chosen)
        self.edit.setEnabled(chosen)

    def _edit(self) -> None:
        items = self.list.selectedItems()
        note = items[0].data(Qt.ItemDataRole.UserRole) if items else None
        if note:
            self.edit_note(note)

    def edit_note(self, note: dict[str, Any]) -> Any:
        """Open the editor of ``note``; a note in conflict shows each version."""
        from app.ui.note_edit import edit_note

        return edit_note(self.page.ctx, note, self.page, lambda _note: None)

    def retranslate(self) -> None:
        self.list.setAccessibleName(_("Notes on this resource"))
        self.editor.setPlaceholderText(_("Write a note… (Ctrl+Enter to save)"))
        self.editor.setAccessibleName(_("New note"))
        self.empty.setText(_("No notes yet. What do you want to remember?"))
        self.delete.setText(_("Delete note"))
        self.edit.setText(_("Edit note…"))
        self.edit.setAccessibleName(_("Edit note"))
        self._update_add()
        self.set_notes(self.notes)

    def _update_add(self) -> None:
        time = self.page.viewer.media_time() if self.page.viewer is not None else None
        if time is not None:
            text = _("Add note at {time}").format(time=formatting.clock(time))
        else:
            text = _("Add note")
        if text != self.add.text():
            self.add.setText(text)
            # the panel may need to be wider, or to go under the viewer
            side = getattr(self.page, "side", None)
            if side is not None:
                side.updateGeometry()

    def set_notes(self, notes: list[dict[str, Any]]) -> None:
        self.notes = notes
        self.list.clear()
        for note in notes:
            text = note["body"]
            if note["at_seconds"] is not None:
                text = f"{formatting.clock(note['at_seconds'])} — {text}"
            if note.get("conflict"):
                mark = _("Edited on two devices")
                text = f"⚠ {mark}\n{text}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, note)
            if note.get("conflict"):
                item.setToolTip(_("Edited on two devices: choose which text to keep"))
            self.list.addItem(item)
        self.empty.setVisible(not notes)
        self.list.setVisible(bool(notes))
        self.delete.setVisible(bool(notes))
        self.edit.setVisible(bool(notes))
        self._update_actions()

    def _activated(self, item: QListWidgetItem) -> None:
        note = item.data(Qt.ItemDataRole.UserRole)
        if note and note.get("conflict"):
            self.edit_note(note)
            return
        if note and note["at_seconds"] is not None and self.page.viewer is not None:
            self.page.viewer.seek(float(note["at_seconds"]))

    def _add(self) -> None:
        body = self.editor.toPlainText().strip()
        if not body or not self.page.resource_id:
            return
        resource_id, profile = self.page.resource_id, self.page.ctx.profile
        at = self.page.viewer.media_time() if self.page.viewer is not None else None

        def work(library: Library, _r: Reporter) -> Any:
            library.add_note(resource_id, body, profile, at_seconds=at)
            return library.notes(profile, resource_id)

        def done(notes: list[dict[str, Any]]) -> None:
            self.editor.clear()
            self.set_notes(notes)
            self.page.ctx.notes_changed.emit(resource_id)

        self.page.ctx.run(work, done)

    def _delete(self) -> None:
        items = self.list.selectedItems()
        if not items:
            return
        note = items[0].data(Qt.ItemDataRole.UserRole)
        resource_id, profile = self.page.resource_id, self.page.ctx.profile

        def work(library: Library, _r: Reporter) -> Any:
            library.delete_note(note["id"], profile)
            return library.notes(profile, resource_id)

        def done(notes: list[dict[str, Any]]) -> None:
            self.set_notes(notes)
            self.page.ctx.notes_changed.emit(resource_id or "")

        self.page.ctx.run(work, done)


class SideTabs(QTabWidget):
    """Notes and transcript: at least as wide as the notes panel's widest row (its buttons
    cannot wrap), however the scroll area around the panel would let it shrink."""

    def __init__(self, notes: QScrollArea) -> None:
        super().__init__()
        self.setDocumentMode(True)
        self.notes = notes
        self.addTab(notes, "")

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        inner = self.notes.widget()
        if inner is None:
            return hint
        width = inner.minimumSizeHint().width() + self.notes.verticalScrollBar().sizeHint().width()
        return QSize(max(hint.width(), width), hint.height())

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        """The tabs and the whole notes panel (under the viewer, the page scrolls rather
        than a small scroll area inside it)."""
        inner = self.notes.widget()
        if inner is None:
            return self.minimumSizeHint().height()
        room = width - self.notes.verticalScrollBar().sizeHint().width()
        height = max(inner.minimumSizeHint().height(), inner.heightForWidth(room))
        return self.tabBar().sizeHint().height() + height + 4


class ResourcePage(Page):
    name = "resource"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.resource_id: str | None = None
        self.resource: dict[str, Any] | None = None
        self.outline: learning.PackOutline | None = None
        self.viewer: Viewer | None = None
        self._pending_position: float | None = None
        self._completed = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        head = QHBoxLayout()
        head.setContentsMargins(24, 14, 16, 10)
        head.setSpacing(10)
        self.kind_icon = QLabel()
        head.addWidget(self.kind_icon)
        self.title = content(label("", "h2"))
        head.addWidget(self.title, 1)
        self.variants = content(QComboBox())
        self.variants.activated.connect(self._variant_chosen)
        head.addWidget(self.variants)
        self.panel_button = tool_button("panel", "", self._toggle_panel, checkable=True)
        self.panel_button.setChecked(True)
        head.addWidget(self.panel_button)
        layout.addLayout(head)
        layout.addWidget(separator())

        # notes and transcript beside the viewer, or under it when both do not fit
        self.splitter = SideBySide()
        self.viewer_holder = QStackedWidget()
        self.loading = Loading()
        self.viewer_holder.addWidget(self.loading)
        self.splitter.addWidget(self.viewer_holder)
        self.notes_panel = NotesPanel(self)
        # in a scroll area: a short window or large text scrolls the panel, never squashes it
        self.side = SideTabs(scrolling(self.notes_panel))
        self.transcript = QListWidget()
        self.transcript.setWordWrap(True)
        self.transcript.itemActivated.connect(self._transcript_line)
        self.transcript.itemClicked.connect(self._transcript_line)
        self.side.addTab(self.transcript, "")
        self.side.setMinimumWidth(260)
        self.splitter.addWidget(self.side)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setSizes([900, 320])
        layout.addWidget(self.splitter, 1)

        layout.addWidget(separator())
        bottom = QFrame()
        bottom.setObjectName("bottombar")
        frame = QHBoxLayout(bottom)
        frame.setContentsMargins(16, 8, 16, 8)
        # side by side, or one under the other when the window is narrow or the text large
        row = Reflow()
        frame.addWidget(row)
        self.previous = button("", None, "previous", lambda: self._step(-1))
        self.complete = button("", None, "check", self._mark_complete)
        self.next = button("", "primary", "next", lambda: self._step(1))
        row.add(self.previous)
        row.add_stretch()
        row.add(self.complete)
        row.add_stretch()
        row.add(self.next)
        layout.addWidget(bottom)

        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save_position)
        self._time_timer = QTimer(self)
        self._time_timer.setInterval(500)
        self._time_timer.timeout.connect(self.notes_panel._update_add)
        self._time_timer.timeout.connect(self._follow_transcript)
        self._current_line: int | None = None
        ctx.language_changed.connect(self._relocalize)
        self.retranslate()

    # -- navigation -----------------------------------------------------------------------

    def crumbs(self) -> list[Crumb]:
        crumbs: list[Crumb] = [(_("Library"), "library", {})]
        if self.outline is not None:
            pack = self.outline.pack
            crumbs.append((localized(pack["title"], self.ctx.languages), "pack",
                           {"pack_id": pack["id"]}))
        if self.resource is not None:
            crumbs.append((localized(self.resource["title"], self.ctx.languages), None, {}))
        return crumbs

    def activate(self, **args: Any) -> None:
        resource_id = args.get("resource_id") or self.resource_id
        if not resource_id:
            self.loaded.emit()
            return
        at = args.get("at")
        entry = args.get("entry")  # a ZIM article found by search, shown by its resource
        found = args.get("found")  # what search found in it (see Viewer.show_found)
        if (resource_id == self.resource_id and self.viewer is not None and at is None
                and entry is None and found is None):
            self.loaded.emit()
            return
        self.deactivate()
        self.resource_id = resource_id
        self.loading.setText(_("Loading…"))
        self.loading.start()
        self.viewer_holder.setCurrentWidget(self.loading)
        # One order for everything shown (the pack page's): which translation is the next
        # resource, and which subtitles the transcript shows, after the learner's own choice
        # of subtitles (or a search hit's).
        languages, profile = self.ctx.languages, self.ctx.profile
        found_in = str(found["lang"]) if found and found.get("field") == "subtitles" \
            and found.get("lang") else None

        def work(library: Library, _r: Reporter) -> Any:
            resource = library.resource(resource_id, profile)
            if entry is not None:
                from app.ui.viewers.zim import at_entry

                resource = at_entry(resource, entry)
            outline = learning.pack_outline(library, resource["pack_id"], languages, profile)
            learning.mark_opened(library, resource_id, profile)
            notes = library.notes(profile, resource_id)
            # An online video kept as a link carries its transcripts too.
            subtitle_language = found_in or str(library.settings.get("subtitle_language"))
            lines = _transcript(resource, languages, subtitle_language) if resource["kind"] in (
                "video", "audio", "link") else []
            return resource, outline, notes, lines

        self.ctx.run(work, lambda result: self._show(result, at, found), self._failed)

    def _failed(self, error: BaseException) -> None:
        self.loading.stop()
        self.ctx.show_error(error)
        self.loaded.emit()

    def _show(self, result: Any, at: float | None,
              found: dict[str, Any] | None = None) -> None:
        resource, outline, notes, lines = result
        if resource["id"] != self.resource_id:
            return
        self.loading.stop()
        self.resource, self.outline = resource, outline
        self._completed = bool(resource["progress"]["completed"])
        viewer = viewer_for(resource["kind"], self.ctx)
        viewer.position_changed.connect(self._position_changed)
        viewer.completed.connect(self._viewer_completed)
        viewer.loaded.connect(self.loaded.emit)
        viewer.open_resource.connect(lambda rid, time: self.ctx.open_resource(rid, time))
        if self.viewer is not None:
            # Hidden at once: a video's native window would stay on top of the new viewer
            # (showing the previous picture) until the deletion runs.
            self.viewer.hide()
            self.viewer_holder.removeWidget(self.viewer)
            self.viewer.deleteLater()
        self.viewer = viewer
        self.viewer_holder.addWidget(viewer)
        self.viewer_holder.setCurrentWidget(viewer)
        self.notes_panel.set_notes(notes)
        self.notes_panel._update_add()
        self._set_lines(lines)
        transcript_changed = getattr(viewer, "transcript_changed", None)
        if transcript_changed is not None:  # media: the transcript follows the subtitles
            transcript_changed.connect(self._subtitles_shown)
        media = resource["kind"] in ("video", "audio")
        if media:
            self._time_timer.start()
        else:
            self._time_timer.stop()
        self._render()
        self.crumbs_changed.emit()
        if found:
            viewer.show_found(found)
        viewer.load(resource, float(resource["progress"]["position"] or 0.0), at)
        self.ctx.progress_changed.emit(resource["id"])

    def _set_lines(self, lines: list[tuple[float | None, str]]) -> None:
        self.transcript.clear()
        self._current_line = None
        for start, line in lines:
            text = f"{formatting.clock(start)}  {line}" if start is not None else line
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, start)
            self.transcript.addItem(item)
        self.side.setTabVisible(1, bool(lines))

    def _subtitles_shown(self, cues: list[Any]) -> None:
        """The player shows other subtitles: the transcript takes their lines (a media with
        no timed text keeps its plain transcript)."""
        if cues:
            self._set_lines([(cue.start, " ".join(cue.text.split("\n"))) for cue in cues])
            self._follow_transcript()

    def _render(self) -> None:
        resource = self.resource
        if resource is None:
            return
        langs = self.ctx.languages
        self.title.setText(localized(resource["title"], langs))
        self.kind_icon.setPixmap(icons.kind_icon(resource["kind"]).pixmap(QSize(24, 24)))
        self.kind_icon.setToolTip(kind_label(resource["kind"]))
        self.kind_icon.setAccessibleName(kind_label(resource["kind"]))
        item = self.outline.find(resource["id"]) if self.outline else None
        variants = item.variants if item is not None else {}
        self.variants.clear()
        for lang, rid in sorted(variants.items()):
            self.variants.addItem(formatting.language_name(lang) if lang else _("Other"), rid)
        self.variants.setCurrentIndex(max(0, self.variants.findData(resource["id"])))
        self.variants.setVisible(len(variants) > 1)
        before, after = self.outline.neighbours(resource["id"]) if self.outline else (None, None)
        self.previous.setEnabled(before is not None)
        self.next.setEnabled(after is not None)
        self.previous.setToolTip(tip(_("Previous: {title}").format(
            title=localized(before.title, langs))) if before else "")
        self.next.setToolTip(tip(_("Next: {title}").format(
            title=localized(after.title, langs))) if after else "")
        self._render_complete()

    def _render_complete(self) -> None:
        # A quiz is complete when it is passed, never by a click.
        self.complete.setVisible(self.resource is None or self.resource["kind"] != "quiz")
        self.complete.setText(_("Completed") if self._completed else _("Mark complete"))
        self.complete.setEnabled(not self._completed)
        self.complete.setAccessibleName(self.complete.text())

    def retranslate(self) -> None:
        self.side.setTabText(0, _("Notes"))
        self.side.setTabText(1, _("Transcript"))
        self.side.setAccessibleName(_("Notes and transcript"))
        self.transcript.setAccessibleName(_("Transcript"))
        self.variants.setAccessibleName(_("Language of this resource"))
        self.panel_button.setToolTip(_("Show or hide notes and transcript"))
        self.panel_button.setAccessibleName(_("Show or hide notes and transcript"))
        self.previous.setText(_("Previous"))
        self.previous.setAccessibleName(_("Previous resource"))
        self.next.setText(_("Next"))
        # The arrow goes after the word: the opposite of the reading direction.
        rtl = QGuiApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
        self.next.setLayoutDirection(
            Qt.LayoutDirection.LeftToRight if rtl else Qt.LayoutDirection.RightToLeft)
        self.next.setAccessibleName(_("Next resource"))
        self.notes_panel.retranslate()
        self._render_complete()
        self._render()
        if self.viewer is not None:
            self.viewer.retranslate()

    def _relocalize(self) -> None:
        if self.resource is None:
            return
        self._render()
        self.crumbs_changed.emit()
        # Previous and Next go to the translations the new order picks
        pack_id, languages, profile = self.resource["pack_id"], self.ctx.languages, \
            self.ctx.profile
        self.ctx.run(lambda library, _r: learning.pack_outline(library, pack_id, languages,
                                                               profile),
                     self._outline_loaded, lambda _e: None)

    def _outline_loaded(self, outline: learning.PackOutline) -> None:
        if self.resource is not None and outline.pack["id"] == self.resource["pack_id"]:
            self.outline = outline
            self._render()

    def focus_first(self) -> None:
        """Into the viewer: the resource is what the learner came for."""
        from app.ui import access

        if self.viewer is None or not access.focus_first(self.viewer):
            super().focus_first()

    # -- progress -------------------------------------------------------------------------

    def _position_changed(self, position: float) -> None:
        self._pending_position = position
        self._save_timer.start()

    def save_position(self) -> None:
        if self._pending_position is None or not self.resource_id:
            return
        position, resource_id, profile = self._pending_position, self.resource_id, \
            self.ctx.profile
        self._pending_position = None
        self.ctx.run(lambda library, _r: library.record_progress(
            resource_id, profile, position=max(0.0, position)), lambda _p: None)

    def _viewer_completed(self) -> None:
        if self._completed or not self.resource_id:
            return
        self._mark_complete()

    def _mark_complete(self) -> None:
        if not self.resource_id:
            return
        resource_id, profile = self.resource_id, self.ctx.profile
        self._completed = True
        self._render_complete()

        def done(_progress: Any) -> None:
            self.ctx.progress_changed.emit(resource_id)

        self.ctx.run(lambda library, _r: library.record_progress(
            resource_id, profile, complete=True), done)

    def deactivate(self) -> None:
        self._save_timer.stop()
        if self.viewer is not None:
            self._pending_position = self.viewer.position()
            self.save_position()

    def leave(self) -> None:
        """The page is hidden: stop media."""
        self.deactivate()
        if self.viewer is not None:
            self.viewer.stop()

    def shutdown(self) -> None:
        """The window closes: save, stop and free the viewer (a media backend must be
        released while its native window still exists)."""
        self.leave()
        if self.viewer is not None:
            self.viewer_holder.removeWidget(self.viewer)
            self.viewer.deleteLater()
            self.viewer = None

    # -- actions --------------------------------------------------------------------------

    def _step(self, direction: int) -> None:
        if self.outline is None or self.resource is None:
            return
        before, after = self.outline.neighbours(self.resource["id"])
        target = before if direction < 0 else after
        if target is not None:
            self.ctx.open_resource(target.id)

    def _variant_chosen(self, index: int) -> None:
        rid = self.variants.itemData(index)
        if rid and rid != self.resource_id:
            self.ctx.open_resource(rid)

    def _toggle_panel(self) -> None:
        self.side.setVisible(self.panel_button.isChecked())

    def _follow_transcript(self) -> None:
        """Mark the transcript line being spoken now (the last one that has started)."""
        time = self.viewer.media_time() if self.viewer is not None else None
        if time is None:
            return
        current = None
        for row in range(self.transcript.count()):
            start = self.transcript.item(row).data(Qt.ItemDataRole.UserRole)
            if start is None or start > time + 0.05:
                break
            current = row
        if current == self._current_line:
            return
        for line, bold in ((self._current_line, False), (current, True)):
            item = self.transcript.item(line) if line is not None else None
            if item is not None:
                font = item.font()
                font.setBold(bold)
                item.setFont(font)
        self._current_line = current
        if current is not None:
            self.transcript.scrollToItem(self.transcript.item(current))

    def _transcript_line(self, item: QListWidgetItem) -> None:
        start = item.data(Qt.ItemDataRole.UserRole)
        if start is not None and self.viewer is not None:
            self.viewer.seek(float(start))

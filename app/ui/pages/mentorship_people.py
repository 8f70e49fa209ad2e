"""My mentor and my mentees: each relationship with its state (and a "waiting for sync" mark
while the learner's actions have not reached the hub), the actions valid in that state, the
person's menu (block, unblock, report), the history (the hub's audit), the goals with their
tasks and linked packs, and the notes (shared, or private and encrypted: marked with a lock;
a shared note edited on both sides shows both versions to keep one or merge)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, QSize, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import formatting
from app.i18n import _
from app.mentorship.models import (
    FINAL_STATES,
    UPSTREAM,
    WAITING,
    Goal,
    GoalLink,
    MentorNote,
    Relationship,
    Task,
)
from app.ui import dialogs, icons, theme
from app.ui.note_edit import NoteEditor
from app.ui.pages.mentorship_parts import DateEdit, Host, state_name
from app.ui.widgets import (
    FlowLayout,
    button,
    clear_layout,
    content,
    label,
    progress_bar,
    tip,
)


def action_name(action: str) -> str:
    return {"accept": _("Accept"), "decline": _("Decline"), "cancel": _("Cancel"),
            "pause": _("Pause"), "resume": _("Resume"), "complete": _("Complete"),
            "hand_over": _("Hand over…"), "consent_history": _("Share our history"),
            "request": _("Request"), "block": _("Block"), "unblock": _("Unblock"),
            "report": _("Report")}.get(action, action)


def valid_actions(relationship: Relationship) -> list[str]:
    """The actions the learner's side may take on ``relationship`` in its state (the hub
    checks again at sync)."""
    state, mentor = relationship.state, relationship.role == "mentor"
    if state in FINAL_STATES:
        return []
    found: list[str] = []
    if state == "proposed" or (state == "pending" and mentor):
        found += ["accept", "decline"]
    if state == "active":
        found += ["pause", "complete"]
    if state == "paused":
        found += ["resume", "complete"]
    if mentor and state in ("active", "paused"):
        found.append("hand_over")
    if (not mentor and relationship.previous_mentor and not relationship.history_shared):
        found.append("consent_history")
    found.append("cancel")
    return found


def open_for_records(relationship: Relationship | None) -> bool:
    """Whether goals and notes can be added: the hub that decides has made the
    relationship's space (not a request still on this device, nor one a workshop hub passed
    on to the central hub) and it has not ended."""
    return relationship is not None and relationship.state not in (WAITING, UPSTREAM) and \
        not relationship.final


#: actions that end something or cannot be undone: asked first
CONFIRM = {"decline", "cancel", "complete"}


class AskText(QDialog):
    """A small window-modal question with one line or paragraph of text to fill
    (a hand-over's new mentor, a report's reason); ``answered(text)`` runs on OK."""

    def __init__(self, parent: QWidget, title: str, text: str, field: str, ok: str,
                 answered: Callable[[str], None], long: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.answered = answered
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(10)
        layout.addWidget(label(title, "h2"))
        layout.addWidget(label(text, "muted"))
        caption = label(field, None)
        self.field: QLineEdit | QPlainTextEdit
        if long:
            self.field = content(QPlainTextEdit())
            self.field.setTabChangesFocus(True)
        else:
            self.field = content(QLineEdit())
        self.field.setAccessibleName(field)
        caption.setBuddy(self.field)
        layout.addWidget(caption)
        layout.addWidget(self.field)
        self.error = label("", "error")
        self.error.hide()
        layout.addWidget(self.error)
        row = QHBoxLayout()
        row.addStretch()
        row.addWidget(button(_("Cancel"), None, None, self.reject))
        self.ok_button = button(ok, "primary", None, self._ok)
        self.ok_button.setDefault(True)
        row.addWidget(self.ok_button)
        layout.addLayout(row)
        self.resize(max(self.sizeHint().width(),
                        self.fontMetrics().horizontalAdvance("m") * 40), self.sizeHint().height())

    def text(self) -> str:
        field = self.field
        return (field.toPlainText() if isinstance(field, QPlainTextEdit) else field.text()).strip()

    def _ok(self) -> None:
        if not self.text():
            self.error.setText(_("Fill this in first."))
            self.error.show()
            return
        self.accept()
        self.answered(self.text())


def ask_text(parent: QWidget, title: str, text: str, field: str, ok: str,
             answered: Callable[[str], None], long: bool = False) -> AskText:
    dialog = AskText(parent, title, text, field, ok, answered, long)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


# -- the list and the chosen relationship ------------------------------------------------------


class PeopleSection(QWidget):
    """My mentor (relationships where I am the mentee) and my mentees, and the chosen one."""

    def __init__(self, page: Host) -> None:
        super().__init__()
        self.page, self.ctx = page, page.ctx
        self.relationships: list[Relationship] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        lists = QHBoxLayout()
        lists.setSpacing(16)
        self.mentor_heading, self.mentees_heading = label("", "h2"), label("", "h2")
        self.mentor_list, self.mentee_list = QListWidget(), QListWidget()
        for heading, widget in ((self.mentor_heading, self.mentor_list),
                                (self.mentees_heading, self.mentee_list)):
            column = QVBoxLayout()
            column.addWidget(heading)
            widget.setIconSize(QSize(16, 16))
            widget.setTextElideMode(Qt.TextElideMode.ElideRight)
            widget.currentItemChanged.connect(
                lambda current, _previous, source=widget: self._chosen(source, current))
            column.addWidget(widget)
            lists.addLayout(column, 1)
        layout.addLayout(lists)
        self.empty = label("", "muted")
        layout.addWidget(self.empty)
        self.detail = RelationshipDetail(self)
        layout.addWidget(self.detail)
        self.detail.hide()
        self.retranslate()

    def show_relationships(self, relationships: list[Relationship],
                           select: str | None = None) -> None:
        chosen = select or (self.detail.relationship.id if self.detail.relationship else None)
        self.relationships = list(relationships)
        for widget, role in ((self.mentor_list, "mentee"), (self.mentee_list, "mentor")):
            widget.blockSignals(True)
            widget.clear()
            for relationship in relationships:
                if relationship.role != role:
                    continue
                item = QListWidgetItem(self.item_text(relationship))
                item.setData(Qt.ItemDataRole.UserRole, relationship.id)
                item.setToolTip(tip(self.item_text(relationship)))
                # In the text's colour, selected or not (the selection is a soft tint).
                shade = theme.current().text
                if self.waiting(relationship):
                    item.setIcon(icons.icon("sync", color=shade))
                elif relationship.final:
                    item.setIcon(icons.icon("check-circle", color=shade))
                else:
                    item.setIcon(icons.icon("person", color=shade))
                widget.addItem(item)
            widget.blockSignals(False)
            # As tall as its rows (two at least, six at most; more scroll).
            rows = min(max(widget.count(), 2), 6)
            widget.setFixedHeight(max(widget.sizeHintForRow(0), self.fontMetrics().height() + 8)
                                  * rows + 2 * widget.frameWidth() + 4)
        self.empty.setVisible(not relationships)
        found = next((r for r in relationships if r.id == chosen), None) or \
            next(iter(relationships), None)
        if found is None:
            self.detail.hide()
            self.detail.relationship = None
            return
        self.choose(found.id)

    def choose(self, relationship_id: str) -> None:
        for widget in (self.mentor_list, self.mentee_list):
            for index in range(widget.count()):
                if widget.item(index).data(Qt.ItemDataRole.UserRole) == relationship_id:
                    widget.setCurrentRow(index)
                    self._chosen(widget, widget.item(index))
                    return

    def _chosen(self, source: QListWidget, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        other = self.mentee_list if source is self.mentor_list else self.mentor_list
        other.blockSignals(True)
        other.setCurrentRow(-1)
        other.clearSelection()
        other.blockSignals(False)
        relationship = next((r for r in self.relationships
                             if r.id == item.data(Qt.ItemDataRole.UserRole)), None)
        if relationship is not None:
            self.detail.show_relationship(relationship)
            self.detail.show()

    @staticmethod
    def waiting(relationship: Relationship) -> bool:
        return bool(relationship.waiting) or relationship.state == WAITING

    def item_text(self, relationship: Relationship) -> str:
        text = _("{peer}: {state}").format(peer=formatting.isolate(relationship.peer),
                                           state=state_name(relationship.state))
        if self.waiting(relationship):
            text += " · " + _("waiting for sync")
        return text

    def retranslate(self) -> None:
        self.mentor_heading.setText(_("My mentor"))
        self.mentees_heading.setText(_("My mentees"))
        self.mentor_list.setAccessibleName(_("My mentor"))
        self.mentee_list.setAccessibleName(_("My mentees"))
        self.empty.setText(_("No mentorship yet. Find a mentor, or say in your profile that "
                             "you are open to mentees."))
        if self.relationships:
            self.show_relationships(self.relationships)
        self.detail.retranslate()


class RelationshipDetail(QWidget):
    """One relationship: who, its state, what can be done, its goals, notes and history."""

    def __init__(self, section: PeopleSection) -> None:
        super().__init__()
        self.section, self.page, self.ctx = section, section.page, section.ctx
        self.relationship: Relationship | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(8)
        self.peer = content(label("", "h2"))
        layout.addWidget(self.peer)
        # The badge and the person's menu, then the actions: rows that wrap when narrow.
        marks = QWidget()
        head = FlowLayout(marks)
        self.badge = label("", "chip", wrap=False)
        head.addWidget(self.badge)
        self.person_button = QToolButton()
        self.person_button.setIcon(icons.icon("person"))
        self.person_button.setProperty("role", "quiet")
        self.person_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.person_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.person_menu = QMenu(self)
        self.block_action, self.unblock_action, self.report_action = \
            QAction(self), QAction(self), QAction(self)
        for action, run in ((self.block_action, self.block),
                            (self.unblock_action, self.unblock),
                            (self.report_action, self.report)):
            action.triggered.connect(lambda _c=False, run=run: run())
            self.person_menu.addAction(action)
        self.person_button.setMenu(self.person_menu)
        head.addWidget(self.person_button)
        layout.addWidget(marks)
        self.state = label("", None)
        layout.addWidget(self.state)
        self.explanation = content(label("", "muted"))
        layout.addWidget(self.explanation)
        self.status = label("", "small")
        self.status.hide()
        layout.addWidget(self.status)
        actions = QWidget()
        self.action_row = FlowLayout(actions)
        layout.addWidget(actions)
        self.action_buttons: dict[str, QPushButton] = {}
        # Goals, notes and history one below the other (not tabs): each as tall as its
        # text needs at the page's width.
        self.goals = GoalsPanel(self)
        self.notes = NotesPanel(self)
        self.history = QListWidget()
        self.history.setWordWrap(True)
        self.history.setMinimumHeight(self.fontMetrics().lineSpacing() * 5)
        self.headings = [label("", "h3") for _i in range(3)]
        for heading, widget in zip(self.headings, (self.goals, self.notes, self.history),
                                   strict=True):
            layout.addWidget(heading)
            layout.addWidget(widget)
        self.retranslate()

    def show_relationship(self, relationship: Relationship) -> None:
        changed = self.relationship is None or self.relationship.id != relationship.id
        self.relationship = relationship
        self._texts()
        clear_layout(self.action_row)
        self.action_buttons = {}
        for action in valid_actions(relationship):
            role = "primary" if action in ("accept", "resume") else None
            widget = button(action_name(action), role)
            widget.clicked.connect(lambda _c=False, a=action: self.act(a))
            widget.setAccessibleName(action_name(action))
            self.action_row.addWidget(widget)
            self.action_buttons[action] = widget
        self.history.clear()
        for line in reversed(relationship.audit):
            item = QListWidgetItem(audit_text(line))
            if not line.ok:
                item.setIcon(icons.icon("warning"))
            self.history.addItem(item)
        if not relationship.audit:
            self.history.addItem(_("Nothing from the hub yet."))
        if changed or (not self.section.waiting(relationship)
                       and self.status.property("role") == "success"):
            self.status.hide()  # what it said has reached the hub
        self.goals.load()
        self.notes.load()

    def _texts(self) -> None:
        relationship = self.relationship
        if relationship is None:
            return
        self.peer.setText(relationship.peer)
        role = _("your mentor") if relationship.role == "mentee" else _("your mentee")
        self.state.setText(_("{peer} is {role}. State: {state}.").format(
            peer=formatting.isolate(relationship.peer), role=role,
            state=state_name(relationship.state)))
        waiting = self.section.waiting(relationship)
        self.badge.setVisible(waiting)
        self.badge.setText(_("Waiting for sync"))
        self.badge.setToolTip(tip(_("Not yet seen by the hub: {actions}").format(
            actions=", ".join(action_name(a) for a in relationship.waiting)
            or action_name("request"))) if waiting else "")
        self.explanation.setText(relationship.explanation)
        self.explanation.setVisible(bool(relationship.explanation))
        self.person_button.setText(_("Block or report…"))
        self.person_button.setAccessibleName(_("Block or report {peer}").format(
            peer=relationship.peer))

    # -- acting ----------------------------------------------------------------------------

    def act(self, action: str, to: str | None = None) -> None:
        relationship = self.relationship
        if relationship is None:
            return
        if action == "hand_over" and to is None:
            ask_text(self, _("Hand over to another mentor"),
                     _("The new mentor gets a request; the goals move with it. Shared notes "
                       "and the history follow once {mentee} agrees.").format(
                         mentee=formatting.isolate(relationship.mentee)),
                     _("New mentor's account name"), _("Hand over"),
                     lambda name: self.act("hand_over", name))
            return
        if action in CONFIRM:
            answer = dialogs.ask(self, action_name(action), {
                "decline": _("Decline {peer}'s request?"),
                "cancel": _("End the mentorship with {peer}? It cannot be restarted."),
                "complete": _("Mark the mentorship with {peer} as completed? It ends "
                              "there."),
            }[action].format(peer=relationship.peer))
            if answer != dialogs.Button.Yes:
                return
        from app.mentorship import local

        profile, relationship_id = self.ctx.profile, relationship.id
        self.page.run_and_reload(
            lambda library: local.act(library, relationship_id, action, to=to,
                                      profile=profile),
            self.status, _("{action}: this goes to the hub at the next sync.").format(
                action=action_name(action)), select=relationship_id)

    def block(self) -> None:
        relationship = self.relationship
        if relationship is None:
            return
        peer = relationship.peer
        answer = dialogs.ask(self, _("Block {peer}?").format(peer=peer), _(
            "Block {peer}? They can no longer ask you for mentorship, the hub never "
            "suggests you to each other, and any mentorship between you ends.").format(
            peer=peer))
        if answer != dialogs.Button.Yes:
            return
        from app.mentorship import local

        profile = self.ctx.profile
        self.page.run_and_reload(lambda library: local.block(library, peer, profile),
                                 self.status, _("{peer} is blocked once the hub has synced."
                                                ).format(peer=peer),
                                 select=relationship.id)

    def unblock(self) -> None:
        relationship = self.relationship
        if relationship is None:
            return
        from app.mentorship import local

        peer, profile = relationship.peer, self.ctx.profile
        self.page.run_and_reload(lambda library: local.unblock(library, peer, profile),
                                 self.status, _("{peer} is no longer blocked once the hub has "
                                                "synced.").format(peer=peer),
                                 select=relationship.id)

    def report(self) -> None:
        relationship = self.relationship
        if relationship is None:
            return
        from app.mentorship import local

        peer, profile, relationship_id = relationship.peer, self.ctx.profile, relationship.id

        def send(reason: str) -> None:
            self.page.run_and_reload(
                lambda library: local.report(library, peer, reason, profile), self.status,
                _("Your report goes to the hub's administrators at the next sync."),
                select=relationship_id)

        self.report_dialog = ask_text(
            self, _("Report {peer}").format(peer=peer),
            _("The hub's administrators read reports. Say what happened; {peer} is not "
              "told who reported them.").format(peer=formatting.isolate(peer)),
            _("What happened"), _("Send the report"), send, long=True)

    def retranslate(self) -> None:
        self.block_action.setText(_("Block…"))
        self.unblock_action.setText(_("Unblock"))
        self.report_action.setText(_("Report…"))
        for heading, text in zip(self.headings, (_("Goals"), _("Notes"), _("History")),
                                 strict=True):
            heading.setText(text)
        self.history.setAccessibleName(_("History"))
        self.goals.retranslate()
        self.notes.retranslate()
        if self.relationship is not None:
            self.show_relationship(self.relationship)


def audit_text(line: Any) -> str:
    when = formatting.moment(line.at) if line.at else ""
    by = _("the hub") if line.by == "hub" else formatting.isolate(line.by)
    if line.from_state:
        change = _("{before} → {after}").format(before=state_name(line.from_state),
                                               after=state_name(line.to_state))
    else:
        change = state_name(line.to_state)
    text = _("{when} · {by}: {what} ({change})").format(
        when=when, by=by, what=action_name(line.what), change=change)
    if not line.ok:
        text += " · " + _("refused: {reason}").format(reason=line.reason or _("no reason"))
    elif line.reason:
        text += " · " + line.reason
    return text


# -- goals -------------------------------------------------------------------------------------


class GoalsPanel(QWidget):
    """The relationship's goals: title, due date, linked pack's progress, tasks to tick."""

    def __init__(self, detail: RelationshipDetail) -> None:
        super().__init__()
        self.detail, self.page, self.ctx = detail, detail.page, detail.ctx
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 10, 0, 0)
        layout.setSpacing(10)
        row = QHBoxLayout()
        self.add_button = button("", None, "add", lambda: self.edit(None))
        row.addWidget(self.add_button)
        row.addStretch()
        layout.addLayout(row)
        self.status = label("", "small")
        self.status.hide()
        layout.addWidget(self.status)
        self.cards = QVBoxLayout()
        self.cards.setSpacing(10)
        layout.addLayout(self.cards)
        self.goals: list[Goal] = []
        self.task_boxes: dict[str, QCheckBox] = {}

    def load(self) -> None:
        relationship = self.detail.relationship
        if relationship is None:
            return
        from app.mentorship import local

        profile, relationship_id = self.ctx.profile, relationship.id

        def done(goals: Any) -> None:
            if self.detail.relationship and self.detail.relationship.id == relationship_id:
                self.show_goals(goals)

        self.ctx.run(lambda library, _r: local.goals(library, relationship_id, profile), done)

    def show_goals(self, goals: list[Goal]) -> None:
        self.goals = list(goals)
        clear_layout(self.cards)
        self.task_boxes = {}
        if not goals:
            self.cards.addWidget(label(_("No goals yet. A goal can link a pack of the "
                                         "library and list the steps to reach it."), "muted"))
        for goal in goals:
            self.cards.addWidget(self._card(goal))
        self.add_button.setEnabled(open_for_records(self.detail.relationship))
        self.add_button.setToolTip("" if self.add_button.isEnabled() else tip(_(
            "Goals and notes are added once the hub has seen the request, and not after "
            "the mentorship has ended.")))

    def _card(self, goal: Goal) -> QWidget:
        card = QFrame()
        card.setProperty("role", "card")
        column = QVBoxLayout(card)
        column.setContentsMargins(12, 10, 12, 10)
        column.setSpacing(6)
        top = QHBoxLayout()
        top.addWidget(content(label(goal.title, "h3")), 1)
        edit = button(_("Edit"), "quiet", None, lambda: self.edit(goal))
        edit.setAccessibleName(_("Edit the goal {title}").format(title=goal.title))
        delete = button(_("Delete"), "quiet", "delete", lambda: self.delete(goal))
        delete.setAccessibleName(_("Delete the goal {title}").format(title=goal.title))
        top.addWidget(edit, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(delete, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(top)
        if goal.due:
            column.addWidget(label(_("Due {day}").format(day=formatting.day(goal.due)),
                                   "small"))
        packs = dict(self.page.view.packs) if self.page.view else {}
        for link in goal.links:
            if link.kind == "pack":
                column.addWidget(content(label(_("Pack: {title}").format(
                    title=packs.get(link.id, link.id)), "small")))
        if goal.progress is not None:
            bar = progress_bar(goal.progress, _("Progress of the linked packs"))
            column.addWidget(bar)
            column.addWidget(label(_("{percent} of the linked packs done").format(
                percent=formatting.percent(goal.progress)), "small"))
        for task in goal.tasks:
            box = QCheckBox(task.title)
            box.setProperty("content", True)
            box.setChecked(task.done)
            box.setAccessibleName(task.title)
            box.toggled.connect(lambda on, g=goal.id, t=task.id: self.tick(g, t, on))
            column.addWidget(box)
            self.task_boxes[task.id] = box
        return card

    def tick(self, goal_id: str, task_id: str, done: bool) -> None:
        from app.mentorship import local

        profile = self.ctx.profile

        def failed(error: BaseException) -> None:
            self.page.say(self.status, self.ctx.error_text(error), "error")
            self.load()

        self.ctx.run(lambda library, _r: local.set_task_done(library, goal_id, task_id, done,
                                                             profile), lambda _r: None, failed)

    def edit(self, goal: Goal | None) -> None:
        relationship = self.detail.relationship
        if relationship is None:
            return
        self.dialog = GoalDialog(self, goal or Goal("", relationship.id, ""))
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.open()

    def delete(self, goal: Goal) -> None:
        if dialogs.ask(self, _("Delete the goal?"), _("Delete the goal {title}, for both of "
                                                      "you?").format(title=goal.title)) \
                != dialogs.Button.Yes:
            return
        from app.mentorship import local

        profile = self.ctx.profile
        self.ctx.run(lambda library, _r: local.delete_goal(library, goal.id, profile),
                     lambda _r: self.load())

    def retranslate(self) -> None:
        self.add_button.setText(_("Add a goal"))
        self.add_button.setAccessibleName(_("Add a goal"))
        if self.goals or self.detail.relationship:
            self.show_goals(self.goals)


class GoalDialog(QDialog):
    """Add or change a goal: its title, due date, a pack of the library, its tasks."""

    def __init__(self, panel: GoalsPanel, goal: Goal) -> None:
        super().__init__(panel)
        self.panel, self.ctx, self.goal = panel, panel.ctx, goal
        self.setWindowTitle(_("Goal") if goal.id else _("New goal"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(10)
        layout.addWidget(label(self.windowTitle(), "h2"))
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.title = content(QLineEdit(goal.title))
        self.title.setAccessibleName(_("Title"))
        title_label = label(_("Title"), None)
        title_label.setBuddy(self.title)
        form.addRow(title_label, self.title)
        due_row = QHBoxLayout()
        self.has_due = QCheckBox(_("Due by"))
        self.has_due.setAccessibleName(_("Due by"))
        self.due = DateEdit()
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("yyyy-MM-dd")
        self.due.setAccessibleName(_("Due date"))
        self.due.setDate(QDate.fromString(goal.due, "yyyy-MM-dd") if goal.due
                         else QDate.currentDate().addDays(30))
        self.has_due.setChecked(goal.due is not None)
        self.due.setEnabled(goal.due is not None)
        self.has_due.toggled.connect(self.due.setEnabled)
        due_row.addWidget(self.has_due)
        due_row.addWidget(self.due)
        due_row.addStretch()
        form.addRow("", due_row)
        self.pack = QComboBox()
        self.pack.addItem(_("No pack"), "")
        for pack_id, title in panel.page.view.packs if panel.page.view else []:
            self.pack.addItem(title, pack_id)
        linked = next((link.id for link in goal.links if link.kind == "pack"), "")
        if linked and self.pack.findData(linked) < 0:
            self.pack.addItem(linked, linked)
        self.pack.setCurrentIndex(max(0, self.pack.findData(linked)))
        self.pack.setAccessibleName(_("Pack from the library"))
        self.pack.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.pack.setMinimumContentsLength(20)
        pack_label = label(_("Pack from the library"), None)
        pack_label.setBuddy(self.pack)
        form.addRow(pack_label, self.pack)
        layout.addLayout(form)
        layout.addWidget(label(_("Tasks"), "h3"))
        self.task_rows = QVBoxLayout()
        layout.addLayout(self.task_rows)
        self.tasks: list[tuple[str, bool, QLineEdit, QWidget]] = []
        for task in goal.tasks:
            self.add_task(task)
        add = button(_("Add a task"), "quiet", "add", lambda: self.add_task(None))
        add_row = QHBoxLayout()
        add_row.addWidget(add)
        add_row.addStretch()
        layout.addLayout(add_row)
        self.error = label("", "error")
        self.error.hide()
        layout.addWidget(self.error)
        row = QHBoxLayout()
        row.addStretch()
        row.addWidget(button(_("Cancel"), None, None, self.reject))
        self.save_button = button(_("Save the goal"), "primary", None, self.save)
        self.save_button.setDefault(True)
        row.addWidget(self.save_button)
        layout.addLayout(row)
        self.resize(max(self.sizeHint().width(),
                        self.fontMetrics().horizontalAdvance("m") * 45), self.sizeHint().height())

    def add_task(self, task: Task | None) -> QLineEdit:
        holder = QWidget()
        line = QHBoxLayout(holder)
        line.setContentsMargins(0, 0, 0, 0)
        field = content(QLineEdit(task.title if task else ""))
        field.setAccessibleName(_("Task"))
        line.addWidget(field, 1)
        remove = button(_("Remove"), "quiet", "close")
        remove.setAccessibleName(_("Remove the task"))
        line.addWidget(remove)
        entry = (task.id if task else "", task.done if task else False, field, holder)
        self.tasks.append(entry)

        def drop() -> None:
            self.tasks.remove(entry)
            holder.hide()
            holder.deleteLater()

        remove.clicked.connect(lambda _c=False: drop())
        self.task_rows.addWidget(holder)
        return field

    def value(self) -> Goal:
        pack = str(self.pack.currentData() or "")
        links = [link for link in self.goal.links if link.kind != "pack"]
        if pack:
            links.insert(0, GoalLink("pack", pack))
        return Goal(
            id=self.goal.id, relationship=self.goal.relationship, title=self.title.text().strip(),
            due=self.due.date().toString("yyyy-MM-dd") if self.has_due.isChecked() else None,
            links=links,
            tasks=[Task(task_id, field.text().strip(), done)
                   for task_id, done, field, _holder in self.tasks if field.text().strip()])

    def save(self) -> None:
        from app.mentorship import local

        goal, profile = self.value(), self.ctx.profile
        self.save_button.setEnabled(False)

        def done(_saved: Any) -> None:
            self.accept()
            self.panel.load()

        def failed(error: BaseException) -> None:
            self.save_button.setEnabled(True)
            self.error.setText(self.ctx.error_text(error))
            self.error.show()

        self.ctx.run(lambda library, _r: local.save_goal(library, goal, profile), done, failed)


# -- notes -------------------------------------------------------------------------------------


class NotesPanel(QWidget):
    """The relationship's notes: shared ones, and the learner's private ones (a lock)."""

    def __init__(self, detail: RelationshipDetail) -> None:
        super().__init__()
        self.detail, self.page, self.ctx = detail, detail.page, detail.ctx
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 10, 0, 0)
        layout.setSpacing(10)
        self.cards = QVBoxLayout()
        self.cards.setSpacing(10)
        layout.addLayout(self.cards)
        self.new_label = label("", "h3")
        layout.addWidget(self.new_label)
        self.text = content(QPlainTextEdit())
        self.text.setTabChangesFocus(True)
        self.text.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.new_label.setBuddy(self.text)
        layout.addWidget(self.text)
        below = QWidget()
        row = FlowLayout(below)
        self.private = QCheckBox()
        row.addWidget(self.private)
        self.add_button = button("", "primary", "add", self.add)
        row.addWidget(self.add_button)
        layout.addWidget(below)
        self.status = label("", "small")
        self.status.hide()
        layout.addWidget(self.status)
        self.notes: list[MentorNote] = []
        self.note_cards: dict[str, QWidget] = {}

    def load(self) -> None:
        relationship = self.detail.relationship
        if relationship is None:
            return
        from app.mentorship import local

        profile, relationship_id = self.ctx.profile, relationship.id

        def done(notes: Any) -> None:
            if self.detail.relationship and self.detail.relationship.id == relationship_id:
                self.show_notes(notes)

        def failed(error: BaseException) -> None:
            self.page.say(self.status, self.ctx.error_text(error), "error")

        self.ctx.run(lambda library, _r: local.mentor_notes(library, relationship_id, profile),
                     done, failed)

    def show_notes(self, notes: list[MentorNote]) -> None:
        self.notes = list(notes)
        self.add_button.setEnabled(open_for_records(self.detail.relationship))
        self.add_button.setToolTip("" if self.add_button.isEnabled() else tip(_(
            "Goals and notes are added once the hub has seen the request, and not after "
            "the mentorship has ended.")))
        clear_layout(self.cards)
        self.note_cards = {}
        if not notes:
            self.cards.addWidget(label(_("No notes yet."), "muted"))
        for note in notes:
            card = self._card(note)
            self.note_cards[note.id] = card
            self.cards.addWidget(card)

    def _card(self, note: MentorNote) -> QWidget:
        card = QFrame()
        card.setProperty("role", "card")
        column = QVBoxLayout(card)
        column.setContentsMargins(12, 10, 12, 10)
        column.setSpacing(6)
        top = QHBoxLayout()
        if note.private:
            lock = QLabel()
            lock.setPixmap(icons.icon("lock").pixmap(QSize(16, 16)))
            lock.setObjectName("lock")
            lock.setAccessibleName(_("Private"))
            top.addWidget(lock)
            mark = label(_("Private: only you can read it"), "small", wrap=True)
        else:
            mark = label(_("Shared by {author}").format(
                author=formatting.isolate(note.author) or _("someone")), "small")
        mark.setObjectName("mark")
        top.addWidget(mark, 1)
        if note.created:
            top.addWidget(label(formatting.moment(note.created), "small", wrap=False))
        column.addLayout(top)
        if note.locked:
            column.addWidget(label(_(
                "Locked: the key of your private notes is not on this device. Sign in to "
                "the hub again here to read it."), "muted"))
        elif note.conflict:
            column.addWidget(label(_("Edited on two devices"), "h3"))
            versions = QHBoxLayout()
            for number, text in enumerate(note.versions, 1):
                box = QVBoxLayout()
                box.addWidget(label(_("Version {n}").format(n=number), "small"))
                box.addWidget(content(label(text, None, selectable=True)))
                versions.addLayout(box, 1)
            column.addLayout(versions)
        else:
            column.addWidget(content(label(note.text, None, selectable=True)))
        row = QHBoxLayout()
        row.addStretch()
        if not note.locked:
            settle = _("Keep one or merge…") if note.conflict else _("Edit")
            edit = button(settle, "quiet", None, lambda: self.edit(note))
            edit.setAccessibleName(settle)
            row.addWidget(edit)
        delete = button(_("Delete"), "quiet", "delete", lambda: self.delete(note))
        delete.setAccessibleName(_("Delete the note"))
        row.addWidget(delete)
        column.addLayout(row)
        return card

    def add(self) -> None:
        relationship = self.detail.relationship
        text = self.text.toPlainText()
        if relationship is None or not text.strip():
            self.page.say(self.status, _("Write the note first."), "error")
            return
        from app.mentorship import local

        private, profile, relationship_id = self.private.isChecked(), self.ctx.profile, \
            relationship.id
        self.add_button.setEnabled(False)

        def done(_note: Any) -> None:
            self.add_button.setEnabled(True)
            self.text.clear()
            self.status.hide()
            self.load()

        def failed(error: BaseException) -> None:
            self.add_button.setEnabled(True)
            self.page.say(self.status, self.ctx.error_text(error), "error")

        self.ctx.run(lambda library, _r: local.add_mentor_note(
            library, relationship_id, text, private, profile), done, failed)

    def edit(self, note: MentorNote) -> MentorNoteEditor:
        self.editor = MentorNoteEditor(self, note)
        self.editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.editor.open()
        return self.editor

    def delete(self, note: MentorNote) -> None:
        if dialogs.ask(self, _("Delete the note?"), _("Delete this note?")) \
                != dialogs.Button.Yes:
            return
        from app.mentorship import local

        profile = self.ctx.profile
        self.ctx.run(lambda library, _r: local.delete_mentor_note(library, note.id, profile),
                     lambda _r: self.load())

    def retranslate(self) -> None:
        self.new_label.setText(_("New note"))
        self.text.setAccessibleName(_("New note"))
        self.private.setText(_("Private (only I can read it)"))
        self.private.setAccessibleName(_("Private (only I can read it)"))
        self.private.setToolTip(tip(_("Encrypted on this device with your account's notes "
                                      "key: the hub and the other person cannot read it.")))
        self.add_button.setText(_("Add the note"))
        self.add_button.setAccessibleName(_("Add the note"))
        if self.notes:
            self.show_notes(self.notes)


class MentorNoteEditor(NoteEditor):
    """The note editor of the library's notes (app/ui/note_edit.py) for a mentorship note:
    a note in conflict shows both versions to keep one or write the merge."""

    def __init__(self, panel: NotesPanel, note: MentorNote) -> None:
        self.panel, self.mentor_note = panel, note
        shape = {"id": note.id, "conflict": note.conflict, "body": note.text,
                 "versions": [{"body": text} for text in note.versions]}
        super().__init__(panel.ctx, shape, panel, lambda _note: None)

    def save(self, body: str) -> None:
        if not body.strip():
            self.error.setText(_("A note cannot be empty."))
            self.error.show()
            return
        from app.mentorship import local

        note_id, profile = self.mentor_note.id, self.ctx.profile
        for widget in (*self.keep_buttons, self.save_button):
            widget.setEnabled(False)

        def done(_result: Any) -> None:
            self.accept()
            self.panel.load()

        def failed(error: BaseException) -> None:
            for widget in (*self.keep_buttons, self.save_button):
                widget.setEnabled(True)
            self.error.setText(self.ctx.error_text(error))
            self.error.show()

        self.ctx.run(lambda library, _r: local.edit_mentor_note(library, note_id, body, profile),
                     done, failed)

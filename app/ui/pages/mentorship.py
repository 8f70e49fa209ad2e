"""Mentorship: my profile (what I offer and want, languages, time zone, weekly hours,
places, away), finding a mentor (the hub's suggestions with their explanation, kept for
offline use with their date), my mentor and my mentees (state, actions, history, goals and
notes: app/ui/pages/mentorship_people.py) and a mentor's dashboard
(app/ui/pages/mentorship_dashboard.py).

Everything goes through :mod:`app.mentorship.local` on the task runner: the page never
talks to the hub or the database on the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSpinBox,
    QTabBar,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from app import formatting
from app.i18n import _, ngettext
from app.library import Library
from app.mentorship.models import (
    MentorProfile,
    Skill,
    Suggestion,
)
from app.tasks import Reporter
from app.ui.context import AppContext
from app.ui.pages.base import Crumb, Page
from app.ui.pages.mentorship_parts import DateEdit, MentorshipView, TimeEdit
from app.ui.widgets import button, clear_layout, content, label, say, tip, tool_button

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Languages offered in the profile's list (any other tag can be typed).
COMMON_LANGUAGES = ("en", "sw", "fr", "ar", "pt", "es", "am", "ha", "yo", "ig", "zu", "so",
                    "rw", "lg", "om", "ti", "hi", "bn", "ur", "fa", "zh", "id")


def day_name(day: str) -> str:
    return {"mon": _("Monday"), "tue": _("Tuesday"), "wed": _("Wednesday"),
            "thu": _("Thursday"), "fri": _("Friday"), "sat": _("Saturday"),
            "sun": _("Sunday")}.get(day, day)


# -- what the page loads (runs on the task runner) --------------------------------------------


def load_view(library: Library, profile: str | None, languages: list[str]) -> MentorshipView:
    from app.mentorship import local
    from app.packs.manifest import localized
    from app.sync.account import Account

    suggestions, fetched = local.cached_suggestions(library, profile)
    packs = sorted(((str(pack["id"]), localized(pack["title"], languages))
                    for pack in library.packs()), key=lambda item: item[1].casefold())
    return MentorshipView(
        user=str(Account(library, profile).user or ""),
        profile=local.get_profile(library, profile), skills=local.skills(library),
        suggestions=suggestions, suggestions_fetched=fetched,
        relationships=local.relationships(library, profile),
        dashboard=local.dashboard(library, profile), packs=packs)


# -- my profile --------------------------------------------------------------------------------


class SkillList(QListWidget):
    """Skills to tick, shown by label, kept by id."""

    def set_skills(self, skills: list[Skill], chosen: list[str]) -> None:
        self.clear()
        known = {skill.id for skill in skills}
        for skill in [*skills, *(Skill(s, s) for s in chosen if s not in known)]:
            item = QListWidgetItem(skill.label)
            item.setData(Qt.ItemDataRole.UserRole, skill.id)
            item.setToolTip(skill.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if skill.id in chosen
                               else Qt.CheckState.Unchecked)
            self.addItem(item)
        rows = min(max(self.count(), 3), 6)
        self.setMinimumHeight(self.sizeHintForRow(0) * rows + 8 if self.count() else 60)

    def chosen(self) -> list[str]:
        return [str(self.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.count())
                if self.item(i).checkState() == Qt.CheckState.Checked]

    def tick(self, skill_id: str, on: bool = True) -> None:
        for i in range(self.count()):
            if self.item(i).data(Qt.ItemDataRole.UserRole) == skill_id:
                self.item(i).setCheckState(Qt.CheckState.Checked if on
                                           else Qt.CheckState.Unchecked)


class Rows(QWidget):
    """A list of rows of controls with a remove button each and an Add button below."""

    def __init__(self, make: Any) -> None:
        super().__init__()
        self.make = make
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.rows_box = QVBoxLayout()
        self.rows_box.setSpacing(6)
        layout.addLayout(self.rows_box)
        self.add_button = button("", "quiet", "add", lambda: self.add())
        holder = QHBoxLayout()
        holder.addWidget(self.add_button)
        holder.addStretch()
        layout.addLayout(holder)
        self.rows: list[list[QWidget]] = []

    def add(self, *values: Any) -> list[QWidget]:
        controls: list[QWidget] = self.make(*values)
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        for control in controls:
            line.addWidget(control)
        remove = tool_button("close", _("Remove"))
        line.addWidget(remove)
        line.addStretch()
        self.rows_box.addWidget(row)
        self.rows.append(controls)
        remove.clicked.connect(lambda _c=False: self._remove(row, controls))
        return controls

    def _remove(self, row: QWidget, controls: list[QWidget]) -> None:
        self.rows.remove(controls)
        row.hide()
        row.deleteLater()

    def clear(self) -> None:
        clear_layout(self.rows_box)
        self.rows = []


def _language_row(tag: str = "", level: int = 3) -> list[QWidget]:
    choice = content(QComboBox())
    choice.setEditable(True)
    choice.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    for code in COMMON_LANGUAGES:
        choice.addItem(f"{formatting.language_name(code)} ({code})", code)
    index = choice.findData(tag) if tag else 0
    if index >= 0:
        choice.setCurrentIndex(index)
    else:
        choice.setEditText(tag)
    choice.setAccessibleName(_("Language"))
    choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    choice.setMinimumContentsLength(12)
    spin = QSpinBox()
    spin.setRange(0, 5)
    spin.setValue(level)
    spin.setPrefix(_("level") + " ")
    spin.setAccessibleName(_("Level, 0 to 5"))
    return [choice, spin]


def _language_of(choice: QComboBox) -> str:
    text = choice.currentText().strip()
    index = choice.findText(text)
    return str(choice.itemData(index)) if index >= 0 else text


def _slot_row(day: str = "mon", start: str = "18:00", end: str = "20:00") -> list[QWidget]:
    days = QComboBox()
    for name in DAYS:
        days.addItem(day_name(name), name)
    days.setCurrentIndex(max(0, days.findData(day)))
    days.setAccessibleName(_("Day"))
    begin, finish = TimeEdit(), TimeEdit()
    for edit, value, name in ((begin, start, _("From")), (finish, end, _("Until"))):
        edit.setDisplayFormat("HH:mm")
        edit.setTime(QTime.fromString(value, "HH:mm"))
        edit.setAccessibleName(name)
    return [days, begin, finish]


class ProfileSection(QWidget):
    """The learner's mentorship profile, saved through ``local.save_profile``."""

    def __init__(self, page: MentorshipPage) -> None:
        super().__init__()
        self.page, self.ctx = page, page.ctx
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        self.heading = label("", "h2")
        self.help = label("", "muted")
        layout.addWidget(self.heading)
        layout.addWidget(self.help)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setHorizontalSpacing(24)
        form.setVerticalSpacing(10)
        self.looking = QCheckBox()
        self.mentoring = QCheckBox()
        self.auto_accept = QCheckBox()
        for box in (self.looking, self.mentoring, self.auto_accept):
            layout.addWidget(box)  # the whole width: a tick box's text does not wrap
        self.offers, self.wants = SkillList(), SkillList()
        self.languages = Rows(_language_row)
        self.timezone = content(QComboBox())  # IANA names, never translated
        self.timezone.setEditable(True)
        self.timezone.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.timezone.setMinimumContentsLength(16)
        self.timezone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        from zoneinfo import available_timezones

        self.timezone.addItems(sorted(available_timezones()))
        self.availability = Rows(_slot_row)
        self.capacity = QSpinBox()
        self.capacity.setRange(0, 1000)
        away_row = QHBoxLayout()
        self.away = QCheckBox()
        self.away_until = DateEdit()
        self.away_until.setCalendarPopup(True)
        self.away_until.setDisplayFormat("yyyy-MM-dd")
        self.away_until.setDate(QDate.currentDate().addDays(14))
        self.away.toggled.connect(self.away_until.setEnabled)
        self.away_until.setEnabled(False)
        away_row.addWidget(self.away)
        away_row.addWidget(self.away_until)
        away_row.addStretch()
        self.backup = content(QLineEdit())
        self.bio = content(QPlainTextEdit())
        self.bio.setTabChangesFocus(True)
        self.bio.setFixedHeight(self.fontMetrics().lineSpacing() * 5 + 12)
        self.field_labels: dict[str, Any] = {}
        for key, widget in (("offers", self.offers), ("wants", self.wants),
                            ("languages", self.languages), ("timezone", self.timezone),
                            ("availability", self.availability), ("capacity", self.capacity),
                            ("away", away_row), ("backup", self.backup), ("bio", self.bio)):
            caption = label("", None)
            self.field_labels[key] = caption
            if isinstance(widget, QWidget):
                caption.setBuddy(widget)
                form.addRow(caption, widget)
            else:
                form.addRow(caption, widget)
        layout.addLayout(form)
        self.status = label("", "small")
        self.status.hide()
        layout.addWidget(self.status)
        row = QHBoxLayout()
        self.save_button = button("", "primary", "check", self.save)
        row.addWidget(self.save_button)
        row.addStretch()
        layout.addLayout(row)
        self.retranslate()

    def show_profile(self, value: MentorProfile | None, skills: list[Skill]) -> None:
        value = value or MentorProfile()
        self.offers.set_skills(skills, value.offers)
        self.wants.set_skills(skills, value.wants)
        self.languages.clear()
        for tag, level in sorted(value.languages.items()):
            self.languages.add(tag, level)
        self.timezone.setCurrentText(value.timezone)
        self.availability.clear()
        for day, start, end in value.availability:
            self.availability.add(day, start, end)
        self.capacity.setValue(value.capacity)
        self.looking.setChecked(value.looking)
        self.mentoring.setChecked(value.mentoring)
        self.auto_accept.setChecked(value.auto_accept)
        self.away.setChecked(value.away_until is not None)
        if value.away_until:
            self.away_until.setDate(QDate.fromString(value.away_until, "yyyy-MM-dd"))
        self.backup.setText(value.backup_mentor or "")
        self.bio.setPlainText(value.bio)

    def value(self) -> MentorProfile:
        languages: dict[str, int] = {}
        for choice, spin in self.languages.rows:
            assert isinstance(choice, QComboBox) and isinstance(spin, QSpinBox)
            tag = _language_of(choice)
            if tag:
                languages[tag] = int(spin.value())
        slots = []
        for days, begin, finish in self.availability.rows:
            assert isinstance(days, QComboBox)
            assert isinstance(begin, QTimeEdit) and isinstance(finish, QTimeEdit)
            slots.append((str(days.currentData()), begin.time().toString("HH:mm"),
                          finish.time().toString("HH:mm")))
        return MentorProfile(
            offers=self.offers.chosen(), wants=self.wants.chosen(), languages=languages,
            timezone=self.timezone.currentText().strip(), availability=slots,
            capacity=int(self.capacity.value()), looking=self.looking.isChecked(),
            mentoring=self.mentoring.isChecked(), auto_accept=self.auto_accept.isChecked(),
            away_until=self.away_until.date().toString("yyyy-MM-dd")
            if self.away.isChecked() else None,
            backup_mentor=self.backup.text().strip() or None,
            bio=self.bio.toPlainText())

    def save(self) -> None:
        from app.mentorship import local

        value, profile = self.value(), self.ctx.profile
        self.save_button.setEnabled(False)

        def done(_result: Any) -> None:
            self.save_button.setEnabled(True)
            self.page.say(self.status, _("Saved. Your profile goes to the hub at the next "
                                         "sync."), "success")

        def failed(error: BaseException) -> None:
            self.save_button.setEnabled(True)
            self.page.say(self.status, self.ctx.error_text(error), "error")

        self.ctx.run(lambda library, _r: local.save_profile(library, value, profile), done,
                     failed)

    def retranslate(self) -> None:
        self.heading.setText(_("My mentorship profile"))
        self.help.setText(_("What you can teach and what you want to learn, the languages "
                            "you speak and when you are free. The hub uses it to suggest "
                            "mentors and mentees."))
        for box, text in ((self.looking, _("I am looking for a mentor")),
                          (self.mentoring, _("I am open to mentees")),
                          (self.auto_accept, _("Accept requests at once"))):
            box.setText(text)
            box.setAccessibleName(text)
        self.auto_accept.setToolTip(tip(_("A request takes one of your free places as soon as "
                                          "the hub sees it, without waiting for your answer.")))
        texts = {"offers": _("Skills I can teach"), "wants": _("Skills I want to learn"),
                 "languages": _("Languages I speak (level 0 to 5)"),
                 "timezone": _("Time zone"), "availability": _("When I am free each week"),
                 "capacity": _("Mentees I can take"), "away": _("Away"),
                 "backup": _("Backup mentor while I am away"), "bio": _("About me")}
        for key, text in texts.items():
            self.field_labels[key].setText(text)
        for widget, key in ((self.offers, "offers"), (self.wants, "wants"),
                            (self.timezone, "timezone"), (self.capacity, "capacity"),
                            (self.backup, "backup"), (self.bio, "bio")):
            widget.setAccessibleName(texts[key])
        self.away.setText(_("Away until"))
        self.away.setAccessibleName(_("Away until"))
        self.away_until.setAccessibleName(_("Away until"))
        self.languages.add_button.setText(_("Add a language"))
        self.languages.add_button.setAccessibleName(_("Add a language"))
        self.availability.add_button.setText(_("Add a time"))
        self.availability.add_button.setAccessibleName(_("Add a time"))
        self.save_button.setText(_("Save my profile"))
        self.save_button.setAccessibleName(_("Save my profile"))
        # The rows' controls were named in the language of their making: made again.
        value = self.value()
        self.languages.clear()
        for tag, level in value.languages.items():
            self.languages.add(tag, level)
        self.availability.clear()
        for day, start, end in value.availability:
            self.availability.add(day, start, end)


# -- find a mentor ---------------------------------------------------------------------------


class FindSection(QWidget):
    """The hub's suggestions of mentors (or the copy kept here, with its date)."""

    def __init__(self, page: MentorshipPage) -> None:
        super().__init__()
        self.page, self.ctx = page, page.ctx
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        head = QHBoxLayout()
        self.heading = label("", "h2")
        head.addWidget(self.heading, 1)
        self.find_button = button("", "primary", "search", self.ask_hub)
        head.addWidget(self.find_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(head)
        self.help = label("", "muted")
        layout.addWidget(self.help)
        self.fetched = label("", "small")
        layout.addWidget(self.fetched)
        self.status = label("", "small")
        self.status.hide()
        layout.addWidget(self.status)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.message_label = label("", None)
        self.message = content(QLineEdit())
        self.message_label.setBuddy(self.message)
        form.addRow(self.message_label, self.message)
        self.share = QCheckBox()
        self.share.setChecked(True)
        form.addRow("", self.share)
        layout.addLayout(form)
        self.cards = QVBoxLayout()
        self.cards.setSpacing(10)
        layout.addLayout(self.cards)
        self.request_buttons: dict[str, Any] = {}
        self.explanations: dict[str, Any] = {}
        self.suggestions: list[Suggestion] = []
        self.when: str | None = None
        self.fresh = False
        self.retranslate()

    def show_suggestions(self, suggestions: list[Suggestion], fetched: str | None,
                         problem: str = "", fresh: bool = False) -> None:
        """Show ``suggestions`` fetched at ``fetched`` (``fresh``: just now); ``problem``
        says why they are not fresh (the hub could not be reached)."""
        self.suggestions, self.when, self.fresh = list(suggestions), fetched, fresh
        if problem:
            self.page.say(self.status, problem, "error")
        else:
            self.status.hide()
        if fetched and fresh:
            self.fetched.setText(_("Fetched from the hub {moment}.").format(
                moment=formatting.moment(fetched)))
        elif fetched:
            self.fetched.setText(_("Suggestions kept on this computer, of {moment}. The hub "
                                   "is needed for fresh ones.").format(
                moment=formatting.moment(fetched)))
        else:
            self.fetched.setText(_("No suggestions kept on this computer yet: Find mentors "
                                   "asks the hub."))
        clear_layout(self.cards)
        self.request_buttons, self.explanations = {}, {}
        for suggestion in suggestions:
            self.cards.addWidget(self._card(suggestion))
        if fetched and not suggestions:
            self.cards.addWidget(label(_("The hub found no mentor for your profile now. "
                                         "Add skills you want to learn, or try later."),
                                       "muted"))

    def _card(self, suggestion: Suggestion) -> QWidget:
        card = QFrame()
        card.setProperty("role", "card")
        column = QVBoxLayout(card)
        column.setContentsMargins(12, 10, 12, 10)
        column.setSpacing(6)
        top = QHBoxLayout()
        name = content(label(suggestion.mentor, "h3"))
        top.addWidget(name, 1)
        request = button(_("Request"), None, "add",
                         lambda: self.request(suggestion.mentor))
        request.setAccessibleName(_("Request {mentor} as your mentor").format(
            mentor=suggestion.mentor))
        top.addWidget(request, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(top)
        column.addWidget(label(_("Match {score} · {places}").format(
            score=formatting.percent(suggestion.score),
            places=ngettext("{n} place left", "{n} places left",
                            suggestion.places_left).format(n=suggestion.places_left)),
            "small"))
        explanation = content(label(suggestion.explanation, "muted"))
        column.addWidget(explanation)
        self.request_buttons[suggestion.mentor] = request
        self.explanations[suggestion.mentor] = explanation
        return card

    def ask_hub(self) -> None:
        """Ask the hub for suggestions (off the GUI thread); offline, the kept ones show
        with a line saying why."""
        from app.mentorship import local

        profile = self.ctx.profile
        self.find_button.setEnabled(False)
        self.page.say(self.status, _("Asking the hub…"), "small")

        def done(result: Any) -> None:
            self.find_button.setEnabled(True)
            suggestions, fetched = result
            self.show_suggestions(suggestions, fetched, fresh=True)

        def failed(error: BaseException) -> None:
            self.find_button.setEnabled(True)

            def kept(result: Any) -> None:
                suggestions, fetched = result
                self.show_suggestions(suggestions, fetched, _(
                    "The hub cannot give fresh suggestions now: {error}").format(
                    error=self.ctx.error_text(error)))

            self.ctx.run(lambda library, _r: local.cached_suggestions(library, profile), kept)

        def work(library: Library, _r: Reporter) -> Any:
            local.find_mentors(library, profile)
            return local.cached_suggestions(library, profile)

        self.ctx.run(work, done, failed)

    def request(self, mentor: str) -> None:
        from app.mentorship import local

        message, share, profile = self.message.text().strip(), self.share.isChecked(), \
            self.ctx.profile

        def done(relationship: Any) -> None:
            self.ctx.status_message.emit(_("Your request to {mentor} waits for the next "
                                           "sync.").format(mentor=mentor))
            self.page.reload(select=relationship.id)

        def failed(error: BaseException) -> None:
            self.page.say(self.status, self.ctx.error_text(error), "error")

        self.ctx.run(lambda library, _r: local.request_mentor(
            library, mentor, message, share, profile), done, failed)

    def retranslate(self) -> None:
        self.heading.setText(_("Find a mentor"))
        self.help.setText(_("The hub compares your profile with every mentor's: skills, "
                            "languages, time zone and free hours. Each suggestion says why."))
        self.find_button.setText(_("Find mentors"))
        self.find_button.setAccessibleName(_("Find mentors"))
        self.message_label.setText(_("Message with a request (optional)"))
        self.message.setAccessibleName(_("Message with a request (optional)"))
        self.share.setText(_("Let my mentor see my progress"))
        self.share.setAccessibleName(_("Let my mentor see my progress"))
        if self.page.view is not None:
            self.show_suggestions(self.suggestions, self.when, fresh=self.fresh)


# -- the page ----------------------------------------------------------------------------------


class MentorshipPage(Page):
    name = "mentorship"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        from app.ui.pages.mentorship_dashboard import DashboardSection
        from app.ui.pages.mentorship_people import PeopleSection

        self.view: MentorshipView | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(12)
        self.title = label("", "h1")
        layout.addWidget(self.title)
        self.account = label("", "muted")
        layout.addWidget(self.account)
        self.sign_in_button = button("", None, "person",
                                     lambda: ctx.navigate("settings", section="hub"))
        sign_in_row = QHBoxLayout()
        sign_in_row.addWidget(self.sign_in_button)
        sign_in_row.addStretch()
        layout.addLayout(sign_in_row)
        # A tab bar over plain layouts (not a QTabWidget, whose pages do not get the height
        # their wrapped text needs): the page scrolls as a whole.
        self.tabs = QTabBar()
        self.tabs.setDrawBase(True)
        self.tabs.setExpanding(False)
        self.tabs.setElideMode(Qt.TextElideMode.ElideNone)
        self.tabs.setUsesScrollButtons(True)
        self.people = PeopleSection(self)
        self.find_section = FindSection(self)
        self.profile_section = ProfileSection(self)
        self.dashboard = DashboardSection(ctx)
        self.sections: list[QWidget] = [self.people, self.find_section, self.profile_section,
                                        self.dashboard]
        layout.addWidget(self.tabs)
        for widget in self.sections:
            self.tabs.addTab("")
            layout.addWidget(widget)
        layout.addStretch(1)
        self.tabs.currentChanged.connect(self._show_section)
        self._show_section(0)
        ctx.profile_changed.connect(lambda: self.reload() if self.isVisible() else None)
        self.retranslate()

    TABS = ("people", "find", "profile", "dashboard")

    def _show_section(self, index: int) -> None:
        for number, widget in enumerate(self.sections):
            widget.setVisible(number == index)

    def crumbs(self) -> list[Crumb]:
        return [(_("Mentorship"), None, {})]

    def activate(self, **args: Any) -> None:
        section = args.get("section")
        if section in self.TABS:
            self.tabs.setCurrentIndex(self.TABS.index(section))
        self.reload()

    def reload(self, select: str | None = None) -> None:
        """Read everything again from the library (off the GUI thread)."""
        profile, languages = self.ctx.profile, self.ctx.languages

        def done(view: Any) -> None:
            self.show_view(view, select)
            self.loaded.emit()

        self.fetch(lambda library, _r: load_view(library, profile, languages), done)

    def show_view(self, view: MentorshipView, select: str | None = None) -> None:
        self.view = view
        self._account_text()
        self.profile_section.show_profile(view.profile, view.skills)
        self.find_section.show_suggestions(view.suggestions, view.suggestions_fetched)
        self.people.show_relationships(view.relationships, select)
        self.dashboard.show_dashboard(view.dashboard)
        if select:
            self.tabs.setCurrentIndex(self.TABS.index("people"))

    def _account_text(self) -> None:
        user = self.view.user if self.view else ""
        if user:
            self.account.setText(_("You take part as {user}, your hub account. What you do "
                                   "here reaches the hub at the next sync.").format(
                user=formatting.isolate(user)))
        else:
            self.account.setText(_("Mentorship happens between hub accounts: sign in to a "
                                   "hub first. You can fill in your profile meanwhile."))
        self.sign_in_button.setVisible(not user)

    def run_and_reload(self, work: Callable[[Library], Any], status: Any, said: str,
                       select: str | None = None) -> None:
        """Run ``work(library)`` off the GUI thread; then say ``said`` in ``status`` and
        read the page again (or say the error)."""
        def done(_result: Any) -> None:
            self.reload(select=select)
            self.say(status, said, "success")

        def failed(error: BaseException) -> None:
            self.say(status, self.ctx.error_text(error), "error")

        self.ctx.run(lambda library, _r: work(library), done, failed)

    def say(self, widget: Any, text: str, role: str = "small") -> None:
        """Show ``text`` in a status label, coloured by ``role``."""
        say(widget, text, role)

    def retranslate(self) -> None:
        self.title.setText(_("Mentorship"))
        self.sign_in_button.setText(_("Sign in to a hub"))
        self.sign_in_button.setAccessibleName(_("Sign in to a hub"))
        for index, text in enumerate((_("My mentor and mentees"), _("Find a mentor"),
                                      _("My profile"), _("Dashboard"))):
            self.tabs.setTabText(index, text)
        self._account_text()
        self.profile_section.retranslate()
        self.find_section.retranslate()
        self.people.retranslate()
        self.dashboard.retranslate()

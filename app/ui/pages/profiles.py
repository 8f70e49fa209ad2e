"""Who is learning? One big button per profile of the library; a profile with a PIN asks
for it; a new profile can be added here. Shown at start when the library has several
profiles, and from the profile switcher in the rail."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app import profiles
from app.i18n import _
from app.library import DEFAULT_PROFILE
from app.ui.context import AppContext
from app.ui.context import profile_title as profile_title  # where the pages look for it
from app.ui.pages.base import Crumb, Page
from app.ui.widgets import button, clear_layout, content, label, scrolling, separator


class ProfilesPage(Page):
    name = "profiles"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(0, 24, 0, 32)
        layout.setSpacing(14)
        self.title = label("", "h1")
        self.help = label("", "muted")
        layout.addWidget(self.title)
        layout.addWidget(self.help)
        self.buttons_box = QVBoxLayout()
        self.buttons_box.setSpacing(10)
        layout.addLayout(self.buttons_box)
        self.profile_buttons: dict[str, QPushButton] = {}

        # The PIN of the profile chosen, when it has one.
        self.pin_box = QWidget()
        pin = QVBoxLayout(self.pin_box)
        pin.setContentsMargins(0, 6, 0, 0)
        pin.setSpacing(6)
        self.pin_label = label("", "h3")
        pin.addWidget(self.pin_label)
        row = QHBoxLayout()
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(profiles.PIN_MAX)
        self.pin.setMaximumWidth(self.pin.fontMetrics().horizontalAdvance("0") * 20)
        self.pin.returnPressed.connect(self._open_with_pin)
        self.pin_label.setBuddy(self.pin)
        self.pin_button = button("", "primary", None, self._open_with_pin)
        row.addWidget(self.pin)
        row.addWidget(self.pin_button)
        row.addStretch()
        pin.addLayout(row)
        self.pin_error = label("", "error")
        self.pin_error.hide()
        pin.addWidget(self.pin_error)
        self.pin_box.hide()
        layout.addWidget(self.pin_box)

        layout.addWidget(separator())
        self.add_heading = label("", "h2")
        layout.addWidget(self.add_heading)
        add_row = QHBoxLayout()
        self.new_name = content(QLineEdit())
        self.new_name.setMaxLength(100)
        self.new_name.setMaximumWidth(self.new_name.fontMetrics().horizontalAdvance("m") * 24)
        self.new_name.returnPressed.connect(self._add)
        self.add_button = button("", None, "add", self._add)
        add_row.addWidget(self.new_name)
        add_row.addWidget(self.add_button)
        add_row.addStretch()
        layout.addLayout(add_row)
        self.add_error = label("", "error")
        self.add_error.hide()
        layout.addWidget(self.add_error)
        layout.addStretch()

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scrolling(inner, 720))
        self.entries: list[profiles.ProfileEntry] = []
        #: The learner chosen last on this device ("" when none yet).
        self.last = ""
        self.chosen: str | None = None
        self.then: tuple[str, dict[str, Any]] = ("home", {})
        self.retranslate()

    def crumbs(self) -> list[Crumb]:
        return [(_("Who is learning?"), None, {})]

    def activate(self, **args: Any) -> None:
        then = args.get("then")
        self.then = (str(then[0]), dict(then[1])) if then else ("home", {})
        self._hide_pin()
        self.add_error.hide()
        self.fetch(lambda library, _r: (profiles.profile_entries(library),
                                        str(library.settings.get("last_learner"))),
                   self._show)

    def preselected(self) -> str:
        """The learner chosen last on this device (setting ``last_learner``) while that
        profile exists, else the current one."""
        last = self.last
        if last and any(entry.name == last for entry in self.entries):
            return last
        return self.ctx.profile or DEFAULT_PROFILE

    def focus_first(self) -> None:
        current = self.profile_buttons.get(self.preselected())
        if current is not None:
            current.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show(self, found: tuple[list[profiles.ProfileEntry], str]) -> None:
        self.entries, self.last = found
        self._render()
        self.loaded.emit()

    def _render(self) -> None:
        clear_layout(self.buttons_box)
        self.profile_buttons.clear()
        chosen = self.preselected()
        for entry in self.entries:
            title = profile_title(entry.name)
            text = title + ("  🔒" if entry.has_pin else "")
            current = entry.name == chosen
            widget = button(text, "primary" if current else None)
            widget.clicked.connect(lambda _c=False, entry=entry: self._choose(entry))
            if entry.name != DEFAULT_PROFILE:
                content(widget)
            widget.setMinimumHeight(widget.fontMetrics().lineSpacing() * 3)
            name = _("Learn as {name}").format(name=title)
            if entry.has_pin:
                name = _("{name} (asks for a PIN)").format(name=name)
            widget.setAccessibleName(name)
            widget.setToolTip(name)
            self.buttons_box.addWidget(widget)
            self.profile_buttons[entry.name] = widget
        if self.isVisible():
            self.focus_first()

    def _hide_pin(self) -> None:
        self.chosen = None
        self.pin.clear()
        self.pin_box.hide()
        self.pin_error.hide()

    def _choose(self, entry: profiles.ProfileEntry) -> None:
        if not entry.has_pin:
            self._hide_pin()
            self._enter(entry.name)
            return
        self.chosen = entry.name
        self.pin.clear()
        self.pin_error.hide()
        self.pin_label.setText(_("PIN for {name}").format(name=profile_title(entry.name)))
        self.pin.setAccessibleName(_("PIN for {name}").format(name=profile_title(entry.name)))
        self.pin_box.show()
        self.pin.setFocus(Qt.FocusReason.OtherFocusReason)

    def _open_with_pin(self) -> None:
        name, pin = self.chosen, self.pin.text()
        if name is None:
            return
        self.pin_button.setEnabled(False)

        def done(opened: Any) -> None:
            self.pin_button.setEnabled(True)
            self._hide_pin()
            self._enter(str(opened))

        def failed(error: BaseException) -> None:
            self.pin_button.setEnabled(True)
            self.pin.clear()
            self.pin_error.setText(self.ctx.error_text(error))
            self.pin_error.show()
            self.pin.setFocus(Qt.FocusReason.OtherFocusReason)

        self.ctx.run(lambda library, _r: profiles.open_profile(library, name, pin), done, failed)

    def _enter(self, name: str) -> None:
        self.last = name
        self.ctx.set_setting("last_learner", name)
        self.ctx.switch_profile(name)
        page, args = self.then
        self.ctx.navigate(page, **args)

    def _add(self) -> None:
        name = self.new_name.text().strip()
        if not name:
            self.add_error.setText(_("Type the new learner's name."))
            self.add_error.show()
            return

        def work(library: Any, _r: Any) -> Any:
            library.add_profile(name)
            return profiles.profile_entries(library)

        def done(entries: Any) -> None:
            self.new_name.clear()
            self.add_error.hide()
            self.entries = entries
            self._render()
            widget = self.profile_buttons.get(name)
            if widget is not None:
                widget.setFocus(Qt.FocusReason.OtherFocusReason)

        def failed(error: BaseException) -> None:
            self.add_error.setText(self.ctx.error_text(error))
            self.add_error.show()

        self.ctx.run(work, done, failed)

    def retranslate(self) -> None:
        self.title.setText(_("Who is learning?"))
        self.help.setText(_("Choose your name: Ujuzi then shows your progress and your notes. "
                            "Each learner can sync with their own hub account."))
        self.pin_button.setText(_("Open"))
        self.pin_button.setAccessibleName(_("Open"))
        self.add_heading.setText(_("Add a learner"))
        self.new_name.setPlaceholderText(_("Name"))
        self.new_name.setAccessibleName(_("New learner's name"))
        self.add_button.setText(_("Add"))
        self.add_button.setAccessibleName(_("Add a learner"))
        if self.chosen is not None:
            title = profile_title(self.chosen)
            self.pin_label.setText(_("PIN for {name}").format(name=title))
            self.pin.setAccessibleName(_("PIN for {name}").format(name=title))
        self._render()

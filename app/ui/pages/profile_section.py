"""Settings' "Learner" section: who is learning now (switch or add from the chooser), and the
optional PIN of the current profile: set, change or remove it."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from app import profiles
from app.i18n import _
from app.ui.context import AppContext
from app.ui.widgets import button, label, say


class ProfileSection(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        self.heading = label("", "h2")
        layout.addWidget(self.heading)
        row = QHBoxLayout()
        self.who = label("", None)
        self.switch_button = button("", None, "person", lambda: ctx.navigate("profiles"))
        row.addWidget(self.who, 1)
        row.addWidget(self.switch_button)
        layout.addLayout(row)
        self.pin_help = label("", "muted")
        layout.addWidget(self.pin_help)
        form = QFormLayout()
        form.setHorizontalSpacing(24)
        form.setVerticalSpacing(10)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.current = QLineEdit()
        self.new = QLineEdit()
        self.current_label = label("", None, wrap=False)
        self.new_label = label("", None, wrap=False)
        for field_label, field in ((self.current_label, self.current),
                                   (self.new_label, self.new)):
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setMaxLength(profiles.PIN_MAX)
            field.setMinimumWidth(field.fontMetrics().horizontalAdvance("0") * 14)
            field_label.setBuddy(field)
            form.addRow(field_label, field)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        self.set_button = button("", None, None, lambda: self._change(remove=False))
        self.remove_button = button("", "destructive", None, lambda: self._change(remove=True))
        buttons.addWidget(self.set_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch()
        layout.addLayout(buttons)
        self.state = label("", "small")
        self.state.hide()
        layout.addWidget(self.state)
        from app.ui.badges_section import BadgesSection

        self.badges = BadgesSection(ctx)
        layout.addWidget(self.badges)
        self.has_pin = False
        ctx.profile_changed.connect(self.activate)
        self.retranslate()

    def activate(self) -> None:
        name = self.ctx.profile or "default"
        self.state.hide()
        self.ctx.run(lambda library, _r: profiles.has_pin(library, name), self._show,
                     lambda _e: None)
        self.badges.activate()

    def _show(self, has_pin: Any) -> None:
        self.has_pin = bool(has_pin)
        self._texts()

    def _say(self, text: str, role: str) -> None:
        say(self.state, text, role)

    def _change(self, remove: bool) -> None:
        name = self.ctx.profile or "default"
        current, new = self.current.text(), None if remove else self.new.text()

        def work(library: Any, _r: Any) -> Any:
            profiles.set_pin(library, name, new, current)
            return profiles.has_pin(library, name)

        def done(has_pin: Any) -> None:
            self.current.clear()
            self.new.clear()
            self._show(has_pin)
            self._say(_("The PIN is removed.") if remove else _("The PIN is saved."),
                      "success")

        def failed(error: BaseException) -> None:
            self._say(self.ctx.error_text(error), "error")

        self.ctx.run(work, done, failed)

    def _texts(self) -> None:
        from app.ui.pages.profiles import profile_title

        name = profile_title(self.ctx.profile or "default")
        self.who.setText(_("Learning now: {name}").format(name=name))
        self.current_label.setVisible(self.has_pin)
        self.current.setVisible(self.has_pin)
        self.remove_button.setVisible(self.has_pin)
        self.set_button.setText(_("Change the PIN") if self.has_pin else _("Set a PIN"))
        self.set_button.setAccessibleName(self.set_button.text())
        self.pin_help.setText(
            _("{name} has a PIN: Ujuzi asks for it when someone switches to this learner.")
            .format(name=name) if self.has_pin else
            _("A PIN (4 to 12 digits) keeps other learners of this computer out of {name}'s "
              "progress and notes. It is kept on this computer only.").format(name=name))

    def retranslate(self) -> None:
        self.heading.setText(_("Learner"))
        self.switch_button.setText(_("Switch learner"))
        self.switch_button.setAccessibleName(_("Switch learner"))
        self.current_label.setText(_("Current PIN"))
        self.current.setAccessibleName(_("Current PIN"))
        self.new_label.setText(_("New PIN"))
        self.new.setAccessibleName(_("New PIN"))
        self.remove_button.setText(_("Remove the PIN"))
        self.remove_button.setAccessibleName(_("Remove the PIN"))
        self.badges.retranslate()
        self._texts()

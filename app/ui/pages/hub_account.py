"""The "Hub account" section of Settings: sign in to a hub (address, account, password) in
the background, who is signed in with the hub's pinned key, sign out; the bandwidth cap and
the metered-connection question."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.ui.context import AppContext
from app.ui.hub import MIB, AccountInfo, hub_of
from app.ui.widgets import button, content, label, say


class HubAccountSection(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.hub = hub_of(ctx)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        self.heading = label("", "h2")
        self.help = label("", "muted")
        self.for_profile = label("", "small")
        layout.addWidget(self.heading)
        layout.addWidget(self.help)
        layout.addWidget(self.for_profile)

        # Signed out: the form.
        self.form_box = QWidget()
        form = QFormLayout(self.form_box)
        form.setContentsMargins(0, 0, 0, 0)
        form.setHorizontalSpacing(24)
        form.setVerticalSpacing(10)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.url = content(QLineEdit())
        self.url.setPlaceholderText("https://hub.example.org")
        self.user = content(QLineEdit())
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.url_label = label("", None, wrap=False)
        self.user_label = label("", None, wrap=False)
        self.password_label = label("", None, wrap=False)
        for field_label, field in ((self.url_label, self.url), (self.user_label, self.user),
                                   (self.password_label, self.password)):
            field.setMinimumWidth(field.fontMetrics().horizontalAdvance("m") * 28)
            field_label.setBuddy(field)
            form.addRow(field_label, field)
        self.sign_in_button = button("", "primary", None, self.sign_in)
        self.password.returnPressed.connect(self.sign_in)
        sign_in_row = QHBoxLayout()
        sign_in_row.addWidget(self.sign_in_button)
        sign_in_row.addStretch()
        form.addRow("", sign_in_row)
        layout.addWidget(self.form_box)
        from app.ui.pages.sync_section import NearbyHubs, SyncSection

        self.nearby = NearbyHubs(ctx, self.url.setText)
        layout.addWidget(self.nearby)

        # Signed in: who, where, the key, sign out.
        self.signed_box = QWidget()
        signed = QVBoxLayout(self.signed_box)
        signed.setContentsMargins(0, 0, 0, 0)
        signed.setSpacing(6)
        self.who = label("", "h3")
        self.where = content(label("", None, selectable=True))
        self.key = label("", "small", selectable=True)
        row = QHBoxLayout()
        self.sign_out_button = button("", None, None, self.sign_out)
        row.addWidget(self.sign_out_button)
        row.addStretch()
        for widget in (self.who, self.where, self.key):
            signed.addWidget(widget)
        signed.addLayout(row)
        layout.addWidget(self.signed_box)
        self.status = label("", "small")
        self.status.hide()
        layout.addWidget(self.status)
        self.sync = SyncSection(ctx)
        layout.addWidget(self.sync)

        # Downloads: bandwidth cap and metered connection.
        self.downloads_heading = label("", "h3")
        layout.addWidget(self.downloads_heading)
        limits = QFormLayout()
        limits.setHorizontalSpacing(24)
        limits.setVerticalSpacing(10)
        limits.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        limits.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.bandwidth = QSpinBox()
        self.bandwidth.setRange(0, 1_000_000)
        self.bandwidth.setSingleStep(64)
        self.bandwidth.editingFinished.connect(
            lambda: self._store("bandwidth_limit_kbps", int(self.bandwidth.value())))
        self.bandwidth_label = label("", None)
        self.bandwidth_label.setBuddy(self.bandwidth)
        limits.addRow(self.bandwidth_label, self.bandwidth)
        self.metered = QCheckBox()
        self.metered.toggled.connect(self._metered_toggled)
        limits.addRow("", self.metered)
        self.ask_above = QSpinBox()
        self.ask_above.setRange(1, 1_000_000)
        self.ask_above.editingFinished.connect(
            lambda: self._store("metered_ask_bytes", int(self.ask_above.value()) * MIB))
        self.ask_label = label("", None)
        self.ask_label.setBuddy(self.ask_above)
        limits.addRow(self.ask_label, self.ask_above)
        layout.addLayout(limits)

        self._filling = False
        self._filled_for = ctx.profile
        self.hub.account_changed.connect(self.show_account)
        self.retranslate()
        self.show_account()

    def activate(self) -> None:
        self.hub.load_account()
        self.sync.activate()

    # -- showing ---------------------------------------------------------------------------

    def show_account(self) -> None:
        info = self.hub.account
        signed_in = info is not None and info.signed_in
        self.form_box.setVisible(not signed_in)
        self.nearby.setVisible(not signed_in)
        self.signed_box.setVisible(signed_in)
        self._profile_text()
        if info is None:
            return
        self._filling = True
        if self._filled_for != self.ctx.profile:  # another learner: their account
            self._filled_for = self.ctx.profile
            for field in (self.url, self.user, self.password):
                field.clear()
            self.status.hide()
        if not self.url.text() and info.url:
            self.url.setText(info.url)
        if not self.user.text() and info.user:
            self.user.setText(info.user)
        self.bandwidth.setValue(info.bandwidth_kbps)
        self.metered.setChecked(info.metered)
        self.ask_above.setValue(max(1, info.metered_ask_bytes // MIB))
        self.ask_above.setEnabled(info.metered)
        self._filling = False
        self._texts(info)

    def _texts(self, info: AccountInfo | None) -> None:
        if info is None or not info.signed_in:
            return
        self.who.setText(_("Signed in as {user} ({role})").format(
            user=info.user, role=role_name(info.role)))
        self.where.setText(info.url)
        self.key.setText(_("The hub's key, pinned at the first sign-in: {fingerprint}")
                         .format(fingerprint=info.fingerprint))

    def _profile_text(self) -> None:
        from app.ui.pages.profiles import profile_title

        self.for_profile.setText(_("This is the account of {name}: each learner of this "
                                   "computer signs in to their own.").format(
            name=profile_title(self.ctx.profile or "default")))

    def _say(self, text: str, role: str = "small") -> None:
        say(self.status, text, role)

    # -- acting ----------------------------------------------------------------------------

    def sign_in(self) -> None:
        url, user, password = self.url.text().strip(), self.user.text().strip(), \
            self.password.text()
        if not url or not user or not password:
            self._say(_("Fill in the hub's address, your account name and your password."),
                      "error")
            return
        self.sign_in_button.setEnabled(False)
        self._say(_("Signing in…"))

        def done(result: Any) -> None:
            self.password.clear()
            self.sign_in_button.setEnabled(True)
            if result.first_pin:
                text = _("Signed in. The hub's key {fingerprint} is now pinned: Ujuzi will "
                         "refuse a hub that presents another key.").format(
                    fingerprint=result.fingerprint)
            else:
                text = _("Signed in.")
            self._say(text, "success")
            from app.ui.sync_state import sync_of

            sync_of(self.ctx).start()

        def failed(error: BaseException) -> None:
            self.sign_in_button.setEnabled(True)
            self._say(self.ctx.error_text(error), "error")

        self.hub.sign_in(url, user, password, done, failed)

    def sign_out(self) -> None:
        self.sign_out_button.setEnabled(False)

        def done(revoked: bool) -> None:
            self.sign_out_button.setEnabled(True)
            self._say(_("Signed out.") if revoked else _(
                "Signed out on this computer; the hub could not be told, so the sign-in "
                "stays valid there until it expires."))
            from app.ui.sync_state import sync_of

            sync_of(self.ctx).load_status()

        self.hub.sign_out(done)

    def _metered_toggled(self, on: bool) -> None:
        self.ask_above.setEnabled(on)
        self._store("metered_connection", bool(on))

    def _store(self, name: str, value: Any) -> None:
        if not self._filling:
            self.hub.set_setting(name, value)

    def retranslate(self) -> None:
        self.heading.setText(_("Hub account"))
        self.help.setText(_("Sign in to a hub to download packs from its catalog, to submit "
                            "your packs and, for curators, to review them."))
        self.url_label.setText(_("Hub address"))
        self.url.setAccessibleName(_("Hub address"))
        self.user_label.setText(_("Account name"))
        self.user.setAccessibleName(_("Account name"))
        self.password_label.setText(_("Password"))
        self.password.setAccessibleName(_("Password"))
        self.sign_in_button.setText(_("Sign in"))
        self.sign_in_button.setAccessibleName(_("Sign in"))
        self.sign_out_button.setText(_("Sign out"))
        self.sign_out_button.setAccessibleName(_("Sign out"))
        self.downloads_heading.setText(_("Downloads"))
        self.bandwidth_label.setText(_("Speed limit (KiB/s)"))
        self.bandwidth.setSpecialValueText(_("No limit"))
        self.bandwidth.setAccessibleName(_("Speed limit (KiB/s)"))
        self.metered.setText(_("Metered connection: ask before large downloads"))
        self.metered.setAccessibleName(_("Metered connection: ask before large downloads"))
        self.ask_label.setText(_("Ask before downloads larger than (MB)"))
        self.ask_above.setAccessibleName(_("Ask before downloads larger than (MB)"))
        self._texts(self.hub.account)
        self._profile_text()
        self.nearby.retranslate()
        self.sync.retranslate()


def role_name(role: str) -> str:
    return {"learner": _("learner"), "mentor": _("mentor"), "trainer": _("trainer"),
            "curator": _("curator"), "admin": _("administrator")}.get(role, role)

"""The learner's badges, in the "Learner" section of Settings: each badge's name, what it
was awarded for, its issuer and date, whether it verifies on this machine (the proof, the
validity period, the revocations the last sync fetched), and "Export…" to save it as an
Open Badges credential file anyone can verify (``ujuzi badge verify``).

Badges arrive with the learner's records at sync (app/sync/badges.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QFrame, QHBoxLayout, QVBoxLayout, QWidget

from app.i18n import _
from app.terminal import json_text
from app.ui.context import AppContext
from app.ui.widgets import button, clear_layout, label, say


class BadgeCard(QFrame):
    """One badge: what it is, for what, from whom, when, verified or not, and Export…."""

    def __init__(self, section: BadgesSection, badge: Any) -> None:
        super().__init__()
        self.setProperty("role", "card")
        self.badge = badge
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(12)
        text = QVBoxLayout()
        text.setSpacing(4)
        self.name = label(badge.name, "h3")
        kind = _("goal") if badge.for_kind == "goal" else _("pack")
        self.details = label(_("For the {kind} {title} · issued by {issuer} · {date}").format(
            kind=kind, title=badge.for_title or badge.for_id, issuer=badge.issuer,
            date=badge.awarded[:10]), "muted")
        check = badge.verification
        self.mark = label(
            _("✓ Verified: signed by {issuer} (key {fingerprint})").format(
                issuer=badge.issuer, fingerprint=check.fingerprint) if check.ok else
            _("✗ Not valid: {reason}").format(reason=check.reason),
            "success" if check.ok else "error")
        for widget in (self.name, self.details, self.mark):
            text.addWidget(widget)
        layout.addLayout(text, 1)
        self.export_button = button(_("Export…"), None, None,
                                    lambda: section.export(badge))
        self.export_button.setAccessibleName(_("Export the badge {name}").format(
            name=badge.name))
        layout.addWidget(self.export_button)


class BadgesSection(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(8)
        self.heading = label("", "h2")
        self.help = label("", "muted")
        layout.addWidget(self.heading)
        layout.addWidget(self.help)
        self.cards_box = QVBoxLayout()
        self.cards_box.setSpacing(8)
        layout.addLayout(self.cards_box)
        self.state = label("", "small")
        self.state.hide()
        layout.addWidget(self.state)
        self.cards: list[BadgeCard] = []
        self.held: list[Any] = []
        # A sync that brought badges (or revocations) changes the library.
        ctx.library_changed.connect(lambda: self.activate() if self.isVisible() else None)
        self.retranslate()

    def activate(self) -> None:
        from app.sync import badges

        profile = self.ctx.profile
        self.ctx.run(lambda library, _r: badges.badges(library, profile), self._show,
                     lambda error: self._say(self.ctx.error_text(error), "error"))

    def _show(self, held: Any) -> None:
        self.held = list(held)
        clear_layout(self.cards_box)
        self.cards = [BadgeCard(self, badge) for badge in self.held]
        for card in self.cards:
            self.cards_box.addWidget(card)
        self._texts()

    def _say(self, text: str, role: str) -> None:
        say(self.state, text, role)

    def ask_path(self, badge: Any) -> str:
        """Where to save ``badge`` (empty: cancelled)."""
        name = "".join(char if char.isalnum() else "-" for char in badge.name).strip("-")
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Export the badge"), str(Path.home() / f"{name or 'badge'}.json"),
            _("Open Badges credential (*.json)"))
        return path

    def export(self, badge: Any) -> None:
        path = self.ask_path(badge)
        if not path:
            return
        try:
            Path(path).write_text(json_text(badge.credential) + "\n", encoding="utf-8")
        except OSError as error:
            self._say(_("Cannot write {path}: {error}").format(
                path=path, error=error.strerror or error), "error")
            return
        self._say(_("Saved to {path}. Anyone can check it with 'ujuzi badge verify'.")
                  .format(path=path), "success")

    def _texts(self) -> None:
        self.help.setText(
            _("Badges your mentor or a curator awarded you, signed by your hub. They arrive "
              "when you sync.") if self.held else
            _("No badges yet. When your mentor or a curator awards you one for a completed "
              "pack or goal, it arrives here at the next sync."))

    def retranslate(self) -> None:
        self.heading.setText(_("Badges"))
        self._texts()

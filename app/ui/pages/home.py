"""Home: continue where you left off, recently added packs, and a welcome on a first run."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from app import formatting
from app.i18n import _
from app.ui import icons
from app.ui.context import CONTINUE_CARDS, AppContext, Task
from app.ui.models import kind_label, progress_text
from app.ui.pages.base import Crumb, Page
from app.ui.widgets import (
    Card,
    Cover,
    EmptyState,
    FlowLayout,
    button,
    clear_layout,
    content,
    label,
    progress_bar,
    scrolling,
)


class HomePage(Page):
    name = "home"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(0, 24, 0, 32)
        layout.setSpacing(16)
        self.title = label("", "h1")
        self.subtitle = label("", "muted")
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)

        self.banner = QFrame()
        self.banner.setProperty("role", "banner")
        banner_layout = QVBoxLayout(self.banner)
        banner_layout.setContentsMargins(16, 12, 16, 12)
        self.banner_text = label("")
        self.banner_bar = QProgressBar()
        self.banner_bar.setRange(0, 1000)
        self.banner_bar.setTextVisible(False)
        banner_layout.addWidget(self.banner_text)
        banner_layout.addWidget(self.banner_bar)
        self.banner.hide()
        layout.addWidget(self.banner)

        self.continue_heading = label("", "h2")
        layout.addWidget(self.continue_heading)
        self.continue_box = QWidget()
        self.continue_layout = FlowLayout(self.continue_box, spacing=16)
        layout.addWidget(self.continue_box)

        self.recent_heading = label("", "h2")
        layout.addWidget(self.recent_heading)
        self.recent_box = QWidget()
        self.recent_layout = FlowLayout(self.recent_box, spacing=16)
        layout.addWidget(self.recent_box)

        self.empty = EmptyState("library")
        self.empty.action.clicked.connect(lambda: ctx.navigate("import"))
        self.empty.hide()
        layout.addWidget(self.empty)
        layout.addStretch()

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scrolling(inner, 1100))
        ctx.packs_loaded.connect(self._render)
        ctx.seeding_started.connect(self._watch_seeding)
        self.retranslate()

    def crumbs(self) -> list[Crumb]:
        return [(_("Home"), None, {})]

    def activate(self, **args: Any) -> None:
        if self.ctx.packs is not None:
            self._render()

    def _watch_seeding(self, task: Task) -> None:
        def update() -> None:
            running = task.state == "running"
            self.banner.setVisible(running)
            self.banner_bar.setValue(int(task.fraction * 1000))

        task.changed.connect(update)
        update()

    def retranslate(self) -> None:
        self.banner_text.setText(_("Preparing the starter packs for your first visit…"))
        self.banner_bar.setAccessibleName(_("Preparing the starter packs"))
        self._empty_texts()
        if self.ctx.packs is not None:
            self._render()
        else:
            self.title.setText(_("Welcome to Ujuzi"))
            self.subtitle.setText(_("Loading your library…"))
            self.continue_heading.hide()
            self.recent_heading.hide()

    def _empty_texts(self) -> None:
        if self.ctx.packs_error:
            self.empty.set_texts(_("Your library cannot be opened"), self.ctx.packs_error)
        else:
            self.empty.set_texts(
                _("Your library is empty"),
                _("Packs come on a USB stick, from a hub or as a file you downloaded. "
                  "Import one to start learning."),
                _("Import a pack"),
            )

    def _render(self) -> None:
        packs = self.ctx.packs or []
        items = self.ctx.continue_items
        started = any(p["started"] or p["done"] for p in packs)
        self.title.setText(_("Welcome back") if started else _("Welcome to Ujuzi"))
        if not packs:
            self.subtitle.setText(_("Ujuzi keeps learning packs on this computer, so they "
                                    "work without a connection."))
        elif items:
            self.subtitle.setText(_("Pick up where you left off, or explore your library."))
        else:
            self.subtitle.setText(_("Your library has packs ready to learn from, even "
                                    "offline. Choose one to begin."))
        seeding = self.ctx.seeding is not None and self.ctx.seeding.state == "running"
        if self.ctx.packs_error:
            self.subtitle.setText("")
        self._empty_texts()
        self.empty.setVisible(not packs and not seeding)
        clear_layout(self.continue_layout)
        clear_layout(self.recent_layout)
        self.continue_heading.setVisible(bool(items))
        self.continue_heading.setText(_("Continue where you left off"))
        self.continue_box.setVisible(bool(items))
        for item in items[:CONTINUE_CARDS]:
            self.continue_layout.addWidget(self._continue_card(item))
        self.recent_heading.setVisible(bool(packs))
        self.recent_heading.setText(_("Recently added") if items else _("Start with a pack"))
        self.recent_box.setVisible(bool(packs))
        recent = sorted(packs, key=lambda p: p["imported_at"], reverse=True)[:6]
        for pack in recent:
            self.recent_layout.addWidget(self._pack_card(pack))
        self.loaded.emit()

    def _continue_card(self, item: dict[str, Any]) -> QWidget:
        card = Card()
        card.setFixedWidth(self._card_width())
        layout = QVBoxLayout(card)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(6)
        top = QHBoxLayout()
        kind = QLabel()
        kind.setPixmap(icons.kind_icon(item["kind"]).pixmap(QSize(18, 18)))
        top.addWidget(kind)
        pack = content(label(item["display_pack_title"], "small"))
        top.addWidget(pack, 1)
        layout.addLayout(top)
        layout.addWidget(content(label(item["display_title"], "h3")))
        meta = kind_label(item["kind"])
        if item["duration"]:
            meta += " · " + formatting.duration(item["duration"])
        layout.addWidget(label(meta, "small"))
        fraction = self._fraction(item)
        layout.addWidget(progress_bar(fraction, _("Progress")))
        if item.get("total"):
            layout.addWidget(label(progress_text(item["done"], item["total"]), "small"))
        action = button(_("Continue"), "primary", "continue")
        action.setAccessibleName(_("Continue {title}").format(title=item["display_title"]))
        action.clicked.connect(lambda _c=False, i=item: self._open(i))
        card.activated.connect(lambda i=item: self._open(i))
        row = QHBoxLayout()
        row.addWidget(action)
        row.addStretch()
        layout.addLayout(row)
        card.setAccessibleName(_("Continue {title}").format(title=item["display_title"]))
        return card

    def _card_width(self) -> int:
        """Cards are about 24 characters wide (330 px at the default size): larger text
        makes them wider, and the flow puts fewer in a row."""
        return max(330, self.fontMetrics().averageCharWidth() * 24)

    @staticmethod
    def _fraction(item: dict[str, Any]) -> float:
        """The learner's true progress in the pack: the share of it finished."""
        return float(item.get("progress") or 0.0)

    def _open(self, item: dict[str, Any]) -> None:
        self.ctx.open_resource(item["id"])

    def _pack_card(self, pack: dict[str, Any]) -> QWidget:
        card = Card()
        card.setFixedWidth(self._card_width())
        layout = QHBoxLayout(card)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(12)
        layout.addWidget(Cover(pack, self.ctx.covers.get(pack["id"]), QSize(72, 72)), 0,
                         Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        text.setSpacing(4)
        text.addWidget(content(label(pack["display_title"], "h3")))
        languages = " · ".join(formatting.language_name(lang) for lang in pack["languages"])
        text.addWidget(content(label(languages, "small")))
        text.addWidget(progress_bar(pack["done"] / pack["total"] if pack["total"] else 0,
                                    _("Progress")))
        text.addWidget(label(progress_text(pack["done"], pack["total"]), "small"))
        layout.addLayout(text, 1)
        card.setAccessibleName(_("Open {title}").format(title=pack["display_title"]))
        card.activated.connect(lambda p=pack: self.ctx.open_pack(p["id"]))
        return card

"""Settings: interface language (switches at once), content languages in order of
preference, text size, theme, the hub account and download limits, and where the data lives
with the space each pack uses."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import formatting, learning
from app.i18n import _, available_languages
from app.ui.context import AppContext
from app.ui.pages.base import Crumb, Page
from app.ui.widgets import button, content, label, scrolling, separator

THEME_NAMES = ("light", "dark", "high-contrast")


class SettingsPage(Page):
    name = "settings"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(0, 20, 0, 32)
        layout.setSpacing(14)
        self.title = label("", "h1")
        layout.addWidget(self.title)

        self.appearance = label("", "h2")
        layout.addWidget(self.appearance)
        form = QFormLayout()
        form.setHorizontalSpacing(24)
        form.setVerticalSpacing(12)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.language = content(QComboBox())  # each language in its own name
        for code in available_languages():
            self.language.addItem(formatting.language_name(code, code), code)
        self.language.activated.connect(self._language_chosen)
        self.language_label = label("", None, wrap=False)
        self.language_label.setBuddy(self.language)  # what a screen reader says it is
        form.addRow(self.language_label, self.language)
        self.font_size = QSpinBox()
        self.font_size.setRange(8, 24)
        self.font_size.setValue(int(ctx.values["font_size"]))
        self.font_size.editingFinished.connect(self._font_chosen)
        self.font_size.valueChanged.connect(lambda _v: self._font_timer_start())
        self.font_label = label("", None, wrap=False)
        self.font_label.setBuddy(self.font_size)
        form.addRow(self.font_label, self.font_size)
        self.theme = QComboBox()
        self.theme.activated.connect(self._theme_chosen)
        self.theme_label = label("", None, wrap=False)
        self.theme_label.setBuddy(self.theme)
        form.addRow(self.theme_label, self.theme)
        layout.addLayout(form)

        layout.addWidget(separator())
        self.content_heading = label("", "h2")
        self.content_help = label("", "muted")
        layout.addWidget(self.content_heading)
        layout.addWidget(self.content_help)
        row = QHBoxLayout()
        self.content_list = QListWidget()
        self.content_list.setMaximumWidth(360)
        self.content_list.itemChanged.connect(lambda _i: self._content_changed())
        row.addWidget(self.content_list)
        buttons = QVBoxLayout()
        self.up = button("", None, None, lambda: self._move(-1))
        self.down = button("", None, None, lambda: self._move(1))
        buttons.addWidget(self.up)
        buttons.addWidget(self.down)
        buttons.addStretch()
        row.addLayout(buttons)
        row.addStretch()
        layout.addLayout(row)

        layout.addWidget(separator())
        from app.ui.pages.profile_section import ProfileSection

        self.profile_section = ProfileSection(ctx)
        layout.addWidget(self.profile_section)

        layout.addWidget(separator())
        from app.ui.pages.hub_account import HubAccountSection

        self.hub_account = HubAccountSection(ctx)
        layout.addWidget(self.hub_account)

        layout.addWidget(separator())
        self.data_heading = label("", "h2")
        layout.addWidget(self.data_heading)
        data_row = QHBoxLayout()
        self.data_dir = label(str(ctx.data_dir), "muted", selectable=True)
        self.data_dir.setProperty("content", True)
        self.open_dir = button("", None, "folder", self._open_folder)
        data_row.addWidget(self.data_dir, 1)
        data_row.addWidget(self.open_dir)
        layout.addLayout(data_row)
        self.storage = QTableWidget(0, 3)
        self.storage.verticalHeader().hide()
        self.storage.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.storage.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.storage.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.storage.setMinimumHeight(160)
        self.storage.setTabKeyNavigation(False)  # Tab moves on; arrows move in the table
        layout.addWidget(self.storage)
        self.storage_total = label("", "small")
        layout.addWidget(self.storage_total)
        self.player_info = label("", "small")
        layout.addWidget(self.player_info)
        self.player_name = ""

        layout.addWidget(separator())
        self.help_button = button("", None, "help", lambda: ctx.navigate("help"))
        layout.addWidget(self.help_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.scroll_area = scrolling(inner, 900)
        outer.addWidget(self.scroll_area)
        self.usage: list[dict[str, Any]] = []
        self.stored = 0
        ctx.library_changed.connect(lambda: self._load() if self.isVisible() else None)
        ctx.theme_changed.connect(self._sync)
        self._font_timer = QTimer(self)
        self._font_timer.setSingleShot(True)
        self._font_timer.setInterval(600)
        self._font_timer.timeout.connect(self._font_chosen)
        self.retranslate()

    def crumbs(self) -> list[Crumb]:
        return [(_("Settings"), None, {})]

    def activate(self, **args: Any) -> None:
        self._sync()
        self.hub_account.activate()
        self.profile_section.activate()
        self._load()
        if args.get("section") == "hub":  # from the Downloads page: how to sign in
            QTimer.singleShot(0, lambda: self.scroll_area.ensureWidgetVisible(self.hub_account,
                                                                           0, 0))
            self.hub_account.url.setFocus()
        elif args.get("section") == "sync":  # from the sync state in the rail
            sync = self.hub_account.sync
            QTimer.singleShot(0, lambda: self.scroll_area.ensureWidgetVisible(sync, 0, 0))
            sync.sync_button.setFocus()

    def focus_first(self) -> None:
        self.language.setFocus()

    def _load(self) -> None:
        languages = self.ctx.languages
        if not self.player_name:
            self.ctx.runner.run(lambda _r: _media_player(), self._show_player, lambda _e: None)
        self.fetch(lambda library, _r: (learning.storage_by_pack(library, languages),
                                        learning.stored_bytes(library)), self._show_usage)

    def _show_player(self, name: str) -> None:
        self.player_name = name
        self.player_info.setText(_("Videos and audio play with: {player}").format(player=name))

    def _show_usage(self, result: Any) -> None:
        self.usage, self.stored = result
        self._render_usage()
        self._fill_content_languages()
        self.loaded.emit()

    def _render_usage(self) -> None:
        self.storage.setRowCount(len(self.usage))
        for row, entry in enumerate(self.usage):
            title = QTableWidgetItem(entry["title"])
            title.setData(Qt.ItemDataRole.UserRole, "content")
            self.storage.setItem(row, 0, title)
            for col, key in ((1, "bytes"), (2, "own_bytes")):
                item = QTableWidgetItem(formatting.size(entry[key]))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.storage.setItem(row, col, item)
        self.storage.resizeColumnsToContents()
        self.storage.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.storage_total.setText(_("Packs use {size} on this computer in all (a file "
                                     "that several packs share is stored once).").format(
            size=formatting.size(self.stored)))

    def _sync(self) -> None:
        values = self.ctx.values
        self.language.setCurrentIndex(max(0, self.language.findData(values["ui_language"])))
        self.theme.setCurrentIndex(max(0, THEME_NAMES.index(values["theme"])
                                       if values["theme"] in THEME_NAMES else 0))
        self.font_size.blockSignals(True)
        self.font_size.setValue(int(values["font_size"]))
        self.font_size.blockSignals(False)

    def _fill_content_languages(self) -> None:
        chosen = [str(lang) for lang in self.ctx.values["content_languages"]]
        known = set(available_languages())
        for pack in self.ctx.packs or []:
            known.update(pack["languages"])
        ordered = chosen + sorted(known - set(chosen))
        self.content_list.blockSignals(True)
        self.content_list.clear()
        for code in ordered:
            item = QListWidgetItem(formatting.language_name(code))
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if code in chosen
                               else Qt.CheckState.Unchecked)
            self.content_list.addItem(item)
        self.content_list.blockSignals(False)
        rows = self.content_list.count()
        self.content_list.setFixedHeight(
            min(10, max(1, rows)) * (self.content_list.sizeHintForRow(0) + 2) + 8)

    def _content_changed(self) -> None:
        chosen = []
        for row in range(self.content_list.count()):
            item = self.content_list.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                chosen.append(str(item.data(Qt.ItemDataRole.UserRole)))
        self.ctx.set_setting("content_languages", chosen)

    def _move(self, step: int) -> None:
        row = self.content_list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.content_list.count():
            return
        self.content_list.blockSignals(True)
        item = self.content_list.takeItem(row)
        self.content_list.insertItem(target, item)
        self.content_list.setCurrentRow(target)
        self.content_list.blockSignals(False)
        self._content_changed()

    def _language_chosen(self, index: int) -> None:
        code = self.language.itemData(index)
        if code:
            self.ctx.set_setting("ui_language", code)

    def _theme_chosen(self, index: int) -> None:
        self.ctx.set_setting("theme", THEME_NAMES[index])

    def _font_timer_start(self) -> None:
        self._font_timer.start()

    def _font_chosen(self) -> None:
        self._font_timer.stop()
        self.ctx.set_setting("font_size", int(self.font_size.value()))

    def _open_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.ctx.data_dir)))

    def retranslate(self) -> None:
        self.title.setText(_("Settings"))
        self.appearance.setText(_("Language and appearance"))
        self.language_label.setText(_("Interface language"))
        self.language.setAccessibleName(_("Interface language"))
        self.font_label.setText(_("Text size"))
        self.font_size.setAccessibleName(_("Text size in points"))
        self.font_size.setSuffix(" " + _("pt"))
        self.theme_label.setText(_("Theme"))
        self.theme.setAccessibleName(_("Theme"))
        self.theme.blockSignals(True)
        self.theme.clear()
        for name in (_("Light"), _("Dark"), _("High contrast")):
            self.theme.addItem(name)
        self.theme.blockSignals(False)
        self.content_heading.setText(_("Content languages"))
        self.content_help.setText(_("When a resource exists in several languages, Ujuzi shows "
                                    "the first one ticked here. Move a language up to prefer "
                                    "it."))
        self.content_list.setAccessibleName(_("Content languages, in order of preference"))
        self.up.setText(_("Move up"))
        self.down.setText(_("Move down"))
        self.data_heading.setText(_("Data and storage"))
        self.data_dir.setToolTip(_("Your packs, progress and notes are kept in this folder"))
        self.open_dir.setText(_("Open folder"))
        self.storage.setHorizontalHeaderLabels(
            [_("Pack"), _("Space used"), _("Freed if removed")])
        self.storage.setAccessibleName(_("Storage used by each pack"))
        self.help_button.setText(_("Keyboard shortcuts"))
        self.hub_account.retranslate()
        self.profile_section.retranslate()
        if self.player_name:
            self._show_player(self.player_name)
        if self.usage:
            self._render_usage()
            self._fill_content_languages()
        self._sync()


def _media_player() -> str:
    """The media backend in use, with its version (loading libvlc: off the GUI thread)."""
    from app.errors import UjuziError
    from app.player import backend_label, choose_backend

    try:
        return backend_label(choose_backend())
    except UjuziError as error:
        return str(error)

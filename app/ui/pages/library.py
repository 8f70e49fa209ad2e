"""Library: every pack as a card (grid) or a row (list), with filters, sort and import."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QSize
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QListView,
    QMenu,
    QStackedWidget,
    QWidget,
)

from app import formatting
from app.i18n import _, ngettext
from app.learning import STATUS_DONE, STATUS_NEW, STATUS_STARTED
from app.ui.context import AppContext
from app.ui.delegates import PackCardDelegate
from app.ui.models import (
    ID,
    PackFilterProxy,
    PackListModel,
    SortKey,
    kind_label,
    sort_label,
    status_label,
)
from app.ui.pages.base import Crumb, Page
from app.ui.widgets import EmptyState, FlowLayout, button, tool_button


class LibraryPage(Page):
    name = "library"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.model = PackListModel(ctx.languages)
        self.proxy = PackFilterProxy()
        self.proxy.setSourceModel(self.model)
        self.proxy.setDynamicSortFilter(True)
        self.proxy.sort(0)

        self.import_button = button("", "primary", "import", lambda: ctx.navigate("import"))
        # A trainer's work: make a pack from a folder, see the learners' progress.
        self.make_button = button("", None, None)
        self.trainer_menu = QMenu(self.make_button)
        self.make_action = self.trainer_menu.addAction("", lambda: ctx.navigate("make-pack"))
        self.learners_action = self.trainer_menu.addAction(
            "", lambda: ctx.navigate("learners"))
        self.make_button.setMenu(self.trainer_menu)
        actions = QWidget()
        action_row = QHBoxLayout(actions)
        action_row.setContentsMargins(0, 0, 0, 0)
        action_row.addWidget(self.make_button)
        action_row.addWidget(self.import_button)
        layout, self.title, self.count = self.list_layout(actions)

        # Filters, sort and view in a row that wraps when the window is narrow or the text
        # large: each list box keeps the width of its longest choice.
        bar_widget = QWidget()
        bar = FlowLayout(bar_widget, spacing=8)
        self.filters: dict[str, QComboBox] = {}
        for name in ("language", "skill", "kind", "status"):
            combo = QComboBox()
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(lambda _i, n=name: self._filter_changed(n))
            self.filters[name] = combo
            bar.addWidget(combo)
        self.clear_filters = button("", "quiet", None, self._clear_filters)
        bar.addWidget(self.clear_filters)
        self.sort = QComboBox()
        self.sort.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.sort.currentIndexChanged.connect(self._sort_changed)
        bar.addWidget(self.sort)
        self.grid_button = tool_button("grid", "", lambda: self._set_grid(True), True)
        self.list_button = tool_button("list", "", lambda: self._set_grid(False), True)
        group = QButtonGroup(self)
        group.addButton(self.grid_button)
        group.addButton(self.list_button)
        self.grid_button.setChecked(True)
        bar.addWidget(self.grid_button)
        bar.addWidget(self.list_button)
        layout.addWidget(bar_widget)

        self.view = QListView()
        self.view.setModel(self.proxy)
        self.delegate = PackCardDelegate(self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.setMouseTracking(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setUniformItemSizes(True)
        self.view.activated.connect(self._open)
        self.view.clicked.connect(self._open)
        self._set_grid(True)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.empty = EmptyState("library")
        self.empty.action.clicked.connect(self._empty_action)
        self.stack.addWidget(self.empty)
        layout.addWidget(self.stack, 1)
        ctx.packs_loaded.connect(self._packs_loaded)
        ctx.language_changed.connect(lambda: self.model.set_languages(ctx.languages))
        self.retranslate()

    def crumbs(self) -> list[Crumb]:
        return [(_("Library"), None, {})]

    def activate(self, **args: Any) -> None:
        if self.ctx.packs is None:
            self.ctx.reload_packs()
        else:
            self._packs_loaded()

    def focus_first(self) -> None:
        self.view.setFocus()

    def retranslate(self) -> None:
        self.title.setText(_("Library"))
        self.import_button.setText(_("Import a pack"))
        self.make_button.setText(_("For trainers"))
        self.make_button.setAccessibleName(_("For trainers"))
        self.make_action.setText(_("Make a pack from a folder…"))
        self.learners_action.setText(_("Learners' progress"))
        self.import_button.setToolTip(_("Import a pack from a file (you can also drop a file "
                                        "on the window)"))
        self.import_button.setAccessibleName(_("Import a pack"))
        self.clear_filters.setText(_("Clear filters"))
        self.grid_button.setToolTip(_("Show as a grid"))
        self.grid_button.setAccessibleName(_("Show as a grid"))
        self.list_button.setToolTip(_("Show as a list"))
        self.list_button.setAccessibleName(_("Show as a list"))
        self.view.setAccessibleName(_("Packs in your library"))
        self.sort.setAccessibleName(_("Sort packs by"))
        names = {"language": _("Language"), "skill": _("Skill"), "kind": _("Kind"),
                 "status": _("Status")}
        for name, combo in self.filters.items():
            combo.setAccessibleName(_("Filter by {what}").format(what=names[name]))
        self.sort.blockSignals(True)
        current = self.sort.currentIndex()
        self.sort.clear()
        for key in SortKey:
            self.sort.addItem(_("Sort: {order}").format(order=sort_label(key)), int(key))
        self.sort.setCurrentIndex(max(0, current))
        self.sort.blockSignals(False)
        self._fill_filters()
        self.model.retranslate()
        self._update_count()

    def _fill_filters(self) -> None:
        packs = self.ctx.packs or []
        options: dict[str, list[tuple[str, str]]] = {
            "language": sorted(
                {(formatting.language_name(lang), lang) for p in packs for lang in p["languages"]}
            ),
            "skill": sorted({(skill.replace("-", " ").capitalize(), skill)
                             for p in packs for skill in p["skills"]}),
            "kind": sorted({(kind_label(kind), kind) for p in packs for kind in p["kinds"]}),
            "status": [(status_label(s), s) for s in (STATUS_NEW, STATUS_STARTED, STATUS_DONE)],
        }
        everything = {"language": _("All languages"), "skill": _("All skills"),
                      "kind": _("All kinds"), "status": _("Any status")}
        for name, combo in self.filters.items():
            wanted = self.proxy.filters[name]
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everything[name], None)
            for text, value in options[name]:
                combo.addItem(text, value)
            index = combo.findData(wanted) if wanted else 0
            combo.setCurrentIndex(max(0, index))
            combo.blockSignals(False)
        self.clear_filters.setVisible(any(self.proxy.filters.values()))

    def _packs_loaded(self) -> None:
        self.model.set_languages(self.ctx.languages)
        self.model.set_packs(list(self.ctx.packs or []), dict(self.ctx.covers))
        self._fill_filters()
        self.proxy.sort(0)
        self._update_count()
        self.loaded.emit()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        if shown == total:
            text = ngettext("{n} pack", "{n} packs", total).format(n=formatting.number(total))
        else:
            text = ngettext("{shown} of {total} pack", "{shown} of {total} packs", total).format(
                shown=formatting.number(shown), total=formatting.number(total))
        self.count.setText(text)
        if total == 0 and self.ctx.packs_error:
            self.empty.set_texts(_("Your library cannot be opened"), self.ctx.packs_error)
            self.stack.setCurrentWidget(self.empty)
        elif total == 0:
            self.empty.set_texts(
                _("Your library is empty"),
                _("Import a pack from a USB stick or a file you downloaded: choose a file, or "
                  "drop it on this window."),
                _("Import a pack"))
            self.stack.setCurrentWidget(self.empty)
        elif shown == 0:
            self.empty.set_texts(_("No pack matches these filters"),
                                 _("Try another language or status, or clear the filters."),
                                 _("Clear filters"))
            self.stack.setCurrentWidget(self.empty)
        else:
            self.stack.setCurrentWidget(self.view)

    def _empty_action(self) -> None:
        if self.model.rowCount() == 0:
            self.ctx.navigate("import")
        else:
            self._clear_filters()

    def _filter_changed(self, name: str) -> None:
        combo = self.filters[name]
        self.proxy.set_filter(name, combo.currentData())
        self.clear_filters.setVisible(any(self.proxy.filters.values()))
        self._update_count()

    def _clear_filters(self) -> None:
        self.proxy.clear_filters()
        self._fill_filters()
        self._update_count()

    def _sort_changed(self, _index: int) -> None:
        data = self.sort.currentData()
        if data is not None:
            self.proxy.set_sort_key(SortKey(int(data)))

    def _set_grid(self, grid: bool) -> None:
        self.delegate.grid = grid
        self.view.setViewMode(QListView.ViewMode.IconMode if grid else QListView.ViewMode.ListMode)
        self.view.setFlow(QListView.Flow.LeftToRight if grid else QListView.Flow.TopToBottom)
        self.view.setWrapping(grid)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setSpacing(4 if grid else 0)
        self.view.setIconSize(QSize(0, 0))
        self.grid_button.setChecked(grid)
        self.list_button.setChecked(not grid)
        self.view.doItemsLayout()

    def _open(self, index: QModelIndex) -> None:
        pack_id = index.data(ID)
        if pack_id:
            self.ctx.open_pack(pack_id)

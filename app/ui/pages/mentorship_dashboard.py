"""The mentor's dashboard: a table of mentees (packs in progress, completion, quiz mean,
last active, goals due) that sorts and filters, the date it was fetched from the hub, a
Refresh that fetches it off the GUI thread, and a chart of the selected mentee's
completions over time."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import formatting
from app.i18n import _, ngettext
from app.mentorship.models import Dashboard, DashboardRow
from app.ui.context import AppContext
from app.ui.mentor_chart import MentorChart
from app.ui.widgets import button, label

Index = QModelIndex | QPersistentModelIndex
#: the raw value of a cell, for sorting
SORT_ROLE = Qt.ItemDataRole.UserRole
#: the row's DashboardRow
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
MENTEE, IN_PROGRESS, COMPLETION, QUIZ, LAST_ACTIVE, GOALS_DUE = range(6)


def in_progress(row: DashboardRow) -> int:
    """How many packs the mentee has started and not finished."""
    return sum(1 for pack in row.packs if 0 < pack.done < pack.total)


def completion(row: DashboardRow) -> float | None:
    """The share of the mentee's packs' resources completed (None: no pack)."""
    total = sum(pack.total for pack in row.packs)
    return sum(min(pack.done, pack.total) for pack in row.packs) / total if total else None


class MenteeModel(QAbstractTableModel):
    """The dashboard's rows as a table."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[DashboardRow] = []

    def set_rows(self, rows: list[DashboardRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 6

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (_("Mentee"), _("Packs in progress"), _("Completion"), _("Quiz mean"),
                _("Last active"), _("Goals due"))[section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == ROW_ROLE:
            return row
        raw: Any = (row.mentee, in_progress(row), completion(row), row.quiz_mean_score,
                    row.last_active or "", row.goals_due)[column]
        if role == SORT_ROLE:
            if column == MENTEE:
                return row.mentee.casefold()
            return -1.0 if raw is None else raw
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._shown(row, column, raw, role == Qt.ItemDataRole.ToolTipRole)
        if role == Qt.ItemDataRole.TextAlignmentRole and column != MENTEE:
            return int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignTrailing)
        return None

    @staticmethod
    def _shown(row: DashboardRow, column: int, raw: Any, tooltip: bool) -> str:
        if column == MENTEE:
            return formatting.isolate(row.mentee)
        if column == IN_PROGRESS:
            if tooltip:
                return "\n".join(_("{title}: {done} of {total}").format(
                    title=formatting.isolate(pack.title), done=pack.done, total=pack.total)
                    for pack in row.packs)
            return formatting.number(raw)
        if column in (COMPLETION, QUIZ):
            if raw is None:
                return "–" if not tooltip else _("Nothing yet")
            if column == QUIZ and tooltip:
                return ngettext("{mean} over {n} quiz attempt", "{mean} over {n} quiz attempts",
                                row.quiz_attempts).format(mean=formatting.percent(raw),
                                                          n=row.quiz_attempts)
            return formatting.percent(raw)
        if column == LAST_ACTIVE:
            return formatting.moment(raw) if raw else ("–" if not tooltip else _("Never"))
        return formatting.number(raw)


class MenteeFilter(QSortFilterProxyModel):
    """Sorts by the raw values; keeps the rows whose mentee or pack titles hold the typed
    words, and (when asked) only mentees with goals due."""

    def __init__(self) -> None:
        super().__init__()
        self.words = ""
        self.goals_due_only = False
        self.setSortRole(SORT_ROLE)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_words(self, words: str) -> None:
        self.beginFilterChange()
        self.words = words.strip().casefold()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_goals_due_only(self, on: bool) -> None:
        self.beginFilterChange()
        self.goals_due_only = on
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        row = model.data(model.index(source_row, 0, source_parent), ROW_ROLE)
        if not isinstance(row, DashboardRow):
            return False
        if self.goals_due_only and row.goals_due <= 0:
            return False
        if not self.words:
            return True
        texts = [row.mentee, *(pack.title for pack in row.packs)]
        return any(self.words in text.casefold() for text in texts)


class DashboardSection(QWidget):
    """The mentor's dashboard (the page gives it the cached copy; Refresh fetches)."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        head = QHBoxLayout()
        self.heading = label("", "h2")
        head.addWidget(self.heading, 1)
        self.refresh_button = button("", None, "sync", self.refresh)
        head.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(head)
        self.fetched = label("", "muted")
        layout.addWidget(self.fetched)
        self.status = label("", "error")
        self.status.hide()
        layout.addWidget(self.status)
        tools = QHBoxLayout()
        self.filter_label = label("", None, wrap=False)
        self.filter = QLineEdit()
        self.filter.setClearButtonEnabled(True)
        self.filter_label.setBuddy(self.filter)
        self.due_only = QCheckBox()
        tools.addWidget(self.filter_label)
        tools.addWidget(self.filter, 1)
        layout.addLayout(tools)
        layout.addWidget(self.due_only)
        self.model = MenteeModel()
        self.proxy = MenteeFilter()
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(MENTEE, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        # Numbers and dates as wide as they and their heading are; the names take the rest.
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(MENTEE, QHeaderView.ResizeMode.Stretch)
        header.setTextElideMode(Qt.TextElideMode.ElideRight)
        header.setMinimumSectionSize(self.fontMetrics().horizontalAdvance("0000"))
        layout.addWidget(self.table)
        self.empty = label("", "muted")
        layout.addWidget(self.empty)
        self.chart = MentorChart()
        layout.addWidget(self.chart)
        self.filter.textChanged.connect(self.proxy.set_words)
        self.due_only.toggled.connect(self.proxy.set_goals_due_only)
        self.table.selectionModel().currentRowChanged.connect(self._selected)
        self.proxy.modelReset.connect(self._show_chart)
        self.proxy.layoutChanged.connect(self._show_chart)
        self.board = Dashboard()
        ctx.theme_changed.connect(self.chart.apply_theme)
        self._fit_table()
        self.retranslate()

    # -- showing ---------------------------------------------------------------------------

    def show_dashboard(self, board: Dashboard) -> None:
        selected = self.selected_mentee()
        self.board = board
        self.model.set_rows(board.rows)
        self._fit_table()
        self._texts()
        self.select(selected or (self.proxy.index(0, 0).data(ROW_ROLE).mentee
                                 if self.proxy.rowCount() else ""))

    def _fit_table(self) -> None:
        """As tall as its rows (up to 12; more scroll), so the chart sits right below."""
        rows = min(max(self.model.rowCount(), 2), 12)
        row_height = self.table.verticalHeader().defaultSectionSize()
        height = self.table.horizontalHeader().sizeHint().height() + rows * row_height + \
            2 * self.table.frameWidth() + 2
        self.table.setFixedHeight(height)

    def select(self, mentee: str) -> None:
        """Select ``mentee``'s row (its chart shows)."""
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(ROW_ROLE).mentee == mentee:
                # Not selectRow: in a right-to-left layout it picks the row's cell at the
                # viewport's edge, none while the table has not been laid out yet.
                self.table.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows)
                break
        self._show_chart()

    def selected_mentee(self) -> str:
        row = self.table.currentIndex().data(ROW_ROLE)
        return row.mentee if isinstance(row, DashboardRow) else ""

    def _selected(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_chart()

    def _show_chart(self) -> None:
        row = self.table.currentIndex().data(ROW_ROLE)
        if isinstance(row, DashboardRow):
            self.chart.set_timeline(row.mentee, row.timeline)
        else:
            self.chart.set_timeline("", [])

    def _texts(self) -> None:
        board = self.board
        if board.fetched:
            self.fetched.setText(_("Fetched from the hub {moment}.").format(
                moment=formatting.moment(board.fetched)))
        else:
            self.fetched.setText(_("Not fetched yet: press Refresh (it needs the hub)."))
        self.empty.setVisible(not board.rows)
        self.empty.setText(_("No mentee shares their progress with you yet.")
                           if board.fetched else "")

    # -- acting ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Fetch the dashboard from the hub (off the GUI thread)."""
        from app.mentorship import local

        profile = self.ctx.profile
        self.refresh_button.setEnabled(False)
        self.status.hide()

        def done(board: Any) -> None:
            self.refresh_button.setEnabled(True)
            self.show_dashboard(board)

        def failed(error: BaseException) -> None:
            self.refresh_button.setEnabled(True)
            self.status.setText(_("The dashboard could not be fetched: {error} This is the "
                                  "copy kept here.").format(error=self.ctx.error_text(error)))
            self.status.show()

        self.ctx.run(lambda library, _r: local.dashboard(library, profile, refresh=True),
                     done, failed)

    def retranslate(self) -> None:
        self.heading.setText(_("My mentees' progress"))
        self.refresh_button.setText(_("Refresh"))
        self.refresh_button.setAccessibleName(_("Refresh"))
        self.refresh_button.setAccessibleDescription(_("Fetch the dashboard from the hub"))
        self.filter_label.setText(_("Filter"))
        self.filter.setPlaceholderText(_("Mentee or pack"))
        self.filter.setAccessibleName(_("Filter mentees"))
        self.due_only.setText(_("Only mentees with goals due"))
        self.due_only.setAccessibleName(_("Only mentees with goals due"))
        self.table.setAccessibleName(_("Mentees"))
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 5)
        self._texts()
        self._show_chart()

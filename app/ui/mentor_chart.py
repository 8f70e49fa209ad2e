"""A small line chart of one mentee's completions over time (the dashboard's ``timeline``:
days and the resources completed on each), drawn with QtCharts in the theme's colours."""

from __future__ import annotations

from datetime import UTC, date, datetime

from PySide6.QtCharts import QChart, QChartView, QDateTimeAxis, QLineSeries, QValueAxis
from PySide6.QtCore import QDateTime, QMargins, Qt, QTimeZone
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy

from app.formatting import isolate
from app.i18n import _
from app.ui import theme


def day_msecs(day: str) -> float:
    """Milliseconds since the epoch of a ``YYYY-MM-DD`` day at noon UTC (the x of a point)."""
    parsed = date.fromisoformat(day)
    return datetime(parsed.year, parsed.month, parsed.day, 12, tzinfo=UTC).timestamp() * 1000


def msecs_day(msecs: float) -> str:
    """The ``YYYY-MM-DD`` day of a point's x."""
    return datetime.fromtimestamp(msecs / 1000, UTC).date().isoformat()


class MentorChart(QChartView):
    """Completions per day of the selected mentee; empty (with a line saying so) when the
    mentee has completed nothing yet. ``series`` holds the points shown."""

    def __init__(self) -> None:
        self.chart_ = QChart()
        super().__init__(self.chart_)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_.legend().hide()
        self.chart_.setMargins(QMargins(4, 4, 4, 4))
        self.chart_.setBackgroundRoundness(8)
        self.series = QLineSeries()
        self.series.setPointsVisible(True)
        self.chart_.addSeries(self.series)
        self.x_axis = QDateTimeAxis()
        self.x_axis.setFormat("yyyy-MM-dd")
        self.x_axis.setTickCount(4)
        self.y_axis = QValueAxis()
        self.y_axis.setLabelFormat("%d")
        self.y_axis.setMin(0)
        self.chart_.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart_.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        self.series.attachAxis(self.x_axis)
        self.series.attachAxis(self.y_axis)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(self.fontMetrics().lineSpacing() * 12)
        self.mentee = ""
        self.apply_theme()
        self.set_timeline("", [])

    def apply_theme(self) -> None:
        """The theme's surfaces, text and accent (light, dark, high contrast)."""
        c = theme.current()
        text, base = QColor(c.text), QColor(c.base)
        self.chart_.setBackgroundBrush(base)
        self.chart_.setTitleBrush(text)
        grid = QColor(text)
        grid.setAlpha(50)
        for axis in (self.x_axis, self.y_axis):
            axis.setLabelsColor(text)
            axis.setGridLineColor(grid)
            axis.setLinePenColor(grid)
        pen = QPen(QColor(c.accent))
        pen.setWidth(2)
        self.series.setPen(pen)
        self.series.setColor(pen.color())

    def set_timeline(self, mentee: str, timeline: list[tuple[str, int]]) -> None:
        """Show ``mentee``'s completions per day (``timeline``, oldest first)."""
        self.mentee = mentee
        points = sorted((day_msecs(day), float(count)) for day, count in timeline)
        self.series.clear()
        for x, y in points:
            self.series.append(x, y)
        if points:
            first, last = points[0][0], points[-1][0]
            if first == last:  # one day: a day either side, so the point shows
                first, last = first - 86_400_000, last + 86_400_000
            utc = QTimeZone.utc()
            # a tick a day for short spans (no day twice), five at most
            self.x_axis.setTickCount(int(min(5, (last - first) // 86_400_000 + 1)))
            self.x_axis.setRange(QDateTime.fromMSecsSinceEpoch(int(first), utc),
                                 QDateTime.fromMSecsSinceEpoch(int(last), utc))
            self.y_axis.setRange(0, max(1.0, max(y for _x, y in points)))
            self.y_axis.applyNiceNumbers()
        self.x_axis.setVisible(bool(points))
        self.y_axis.setVisible(bool(points))
        if not mentee:
            title = _("Choose a mentee to see their completions over time")
        elif points:
            title = _("Resources {mentee} completed, by day").format(mentee=isolate(mentee))
        else:
            title = _("{mentee} has completed nothing yet").format(mentee=isolate(mentee))
        self.chart_.setTitle(title)
        self.setAccessibleName(_("Completions over time"))
        self.setAccessibleDescription(title)

    def points(self) -> list[tuple[str, int]]:
        """The points shown, as days and counts."""
        return [(msecs_day(point.x()), int(point.y())) for point in self.series.points()]

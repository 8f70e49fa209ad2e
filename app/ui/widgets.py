"""Small widgets the pages share: headings, buttons with roles, a flow layout, cards,
empty states and a delayed loading indicator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6 import QtGui
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPixmap,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.formatting import isolate, unisolated
from app.player.qt_layout import ItemLayout
from app.ui import icons
from app.ui.covers import paint_cover


class Label(QLabel):
    """A plain-text label. Marked as showing pack content (:func:`content`), its text keeps
    its own direction inside the interface's (``formatting.isolate``): an English title in
    the Arabic interface ends with its own question mark. ``text()`` gives the text as it
    was set; ``QLabel.text(label)``, what is drawn."""

    def setText(self, text: str) -> None:
        super().setText(isolate(text) if self.property("content") else text)

    def text(self) -> str:
        return unisolated(super().text())


def label(text: str = "", role: str | None = None, wrap: bool = True,
          selectable: bool = False) -> QLabel:
    """A label that shows its text as it is. A QLabel left to itself (AutoText) renders
    anything that looks like HTML as rich text, links and images included; labels here
    often show pack text."""
    widget = Label(text)
    if role:
        widget.setProperty("role", role)
    widget.setWordWrap(wrap)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    if selectable:
        widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return widget


def set_role(widget: QWidget, role: str | None) -> None:
    """Give ``widget`` the stylesheet role ``role`` (its colours), applied at once."""
    widget.setProperty("role", role)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def say(status: QLabel, text: str, role: str = "small") -> None:
    """Show ``text`` in a status label, coloured by ``role`` (hidden while empty)."""
    status.setText(text)
    set_role(status, role)
    status.setVisible(bool(text))


def tip(text: str) -> str:
    """``text`` as a tooltip that shows it as it is: Qt renders a tooltip that looks like
    HTML as rich text, so plain text is escaped (and wraps like any paragraph)."""
    return QtGui.Qt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal) if text else ""


W = TypeVar("W", bound=QWidget)


def content(widget: W) -> W:
    """Mark a widget as showing pack content (titles, descriptions): not translated by us,
    so the pseudo-locale test skips it; its text keeps its own direction (see
    :class:`Label`)."""
    widget.setProperty("content", True)
    if isinstance(widget, Label):
        widget.setText(widget.text())
    return widget


def button(text: str = "", role: str | None = None, icon: str | None = None,
           on_click: Callable[[], Any] | None = None) -> QPushButton:
    widget = QPushButton(text)
    if role:
        widget.setProperty("role", role)
    if icon:
        on_accent = QPalette.ColorRole.HighlightedText if role == "primary" else None
        widget.setIcon(icons.icon(icon, role=on_accent))
    widget.setCursor(Qt.CursorShape.PointingHandCursor)
    if on_click is not None:
        widget.clicked.connect(lambda _checked=False: on_click())
    return widget


def tool_button(icon: str, tooltip: str = "", on_click: Callable[[], Any] | None = None,
                checkable: bool = False) -> QToolButton:
    widget = QToolButton()
    widget.setProperty("role", "quiet")
    widget.setIcon(icons.icon(icon))
    widget.setIconSize(QSize(20, 20))
    widget.setToolTip(tooltip)
    widget.setAccessibleName(tooltip)
    widget.setCheckable(checkable)
    widget.setCursor(Qt.CursorShape.PointingHandCursor)
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    if on_click is not None:
        widget.clicked.connect(lambda _checked=False: on_click())
    return widget


def separator() -> QFrame:
    line = QFrame()
    line.setProperty("role", "separator")
    line.setFrameShape(QFrame.Shape.NoFrame)
    return line


def progress_bar(fraction: float, name: str = "") -> QProgressBar:
    bar = QProgressBar()
    bar.setRange(0, 1000)
    bar.setValue(int(fraction * 1000))
    bar.setTextVisible(False)
    bar.setAccessibleName(name)
    if fraction >= 1:
        bar.setProperty("role", "done")
    return bar


def clear_layout(layout: QLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item is None:
            break
        widget = item.widget()
        inner = item.layout()
        if widget is not None:
            widget.hide()
            widget.deleteLater()
        elif inner is not None:
            clear_layout(inner)


class FlowLayout(ItemLayout):
    """Lays widgets out in rows that wrap (chips, cards); follows the layout direction."""

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:
        """All items in one row: the width the flow would like (a row beside it gives way
        to it first); it wraps when given less, down to :meth:`minimumSize`."""
        hints = [item.sizeHint() for item in self._items if not item.isEmpty()]
        if not hints:
            return QSize()
        return QSize(sum(h.width() for h in hints) + self._spacing * (len(hints) - 1),
                     max(h.height() for h in hints))

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    @staticmethod
    def _hint(item: QLayoutItem, room: int) -> QSize:
        """An item's size: its preferred width (no wider than the row), and the height its
        text needs at that width (wrapped labels in a card of fixed width)."""
        hint = item.sizeHint()
        width = max(min(hint.width(), room), item.minimumSize().width())
        if item.hasHeightForWidth():
            return QSize(width, max(hint.height(), item.heightForWidth(width)))
        return QSize(width, hint.height())

    def _arrange(self, rect: QRect, apply: bool) -> int:
        x, y, line = rect.x(), rect.y(), 0
        parent = self.parentWidget()
        rtl = parent is not None and parent.layoutDirection() == Qt.LayoutDirection.RightToLeft
        for item in self._items:
            widget = item.widget()
            if widget is not None and widget.isHidden():
                continue
            hint = self._hint(item, rect.width())
            if x + hint.width() > rect.right() + 1 and line > 0:
                x, y, line = rect.x(), y + line + self._spacing, 0
            if apply:
                left = rect.right() - (x - rect.x()) - hint.width() + 1 if rtl else x
                item.setGeometry(QRect(QPoint(left, y), hint))
            x += hint.width() + self._spacing
            line = max(line, hint.height())
        return y + line - rect.y()


class Reflow(QWidget):
    """Widgets side by side while the row is wide enough for them all, one under the other
    when it is not (a page's header at a large text size or in a long language): the row
    never needs more width than its widest widget."""

    def __init__(self, spacing: int = 8) -> None:
        super().__init__()
        self.box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(spacing)
        self._alignments: dict[int, Qt.AlignmentFlag] = {}

    def add(self, item: QWidget | QLayout, stretch: int = 0,
            alignment: Qt.AlignmentFlag | None = None) -> None:
        alignment = alignment or Qt.AlignmentFlag(0)
        if isinstance(item, QWidget):
            self.box.addWidget(item, stretch, alignment)
        else:
            self.box.addLayout(item, stretch)
        self._alignments[self.box.count() - 1] = alignment

    def add_stretch(self) -> None:
        self.box.addStretch(1)

    def _items(self) -> list[QLayoutItem]:
        items = [self.box.itemAt(i) for i in range(self.box.count())]
        return [item for item in items if item is not None and not item.isEmpty()
                and item.spacerItem() is None]

    def side_by_side_width(self) -> int:
        items = self._items()
        return sum(item.sizeHint().width() for item in items) + \
            self.box.spacing() * max(0, len(items) - 1)

    def minimumSizeHint(self) -> QSize:
        """As wide as its widest widget; as tall as its widgets' preferred heights in the
        current arrangement (a button's style sheet minimum would let a layout squash it)."""
        widths = [item.minimumSize().width() for item in self._items()]
        height = max(super().minimumSizeHint().height(), self.box.sizeHint().height())
        return QSize(max(widths, default=0), height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._reflow(event.size().width())

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:  # a text changed (a language)
            self._reflow(self.width())
        return super().event(event)

    def _reflow(self, width: int) -> None:
        wide = width >= self.side_by_side_width()
        direction = QBoxLayout.Direction.LeftToRight if wide else \
            QBoxLayout.Direction.TopToBottom
        if self.box.direction() != direction:
            self.box.setDirection(direction)
            for index, alignment in self._alignments.items():
                item = self.box.itemAt(index)
                if item is not None:
                    item.setAlignment(alignment if wide else Qt.AlignmentFlag.AlignLeft)
            self.box.invalidate()
            self.updateGeometry()


class Card(QFrame):
    """A bordered card; activating it (click, Enter, Space) emits ``activated``."""

    activated = Signal()

    def __init__(self, parent: QWidget | None = None, focusable: bool = True) -> None:
        super().__init__(parent)
        self.setProperty("role", "card")
        if focusable:
            self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            self.setCursor(Qt.CursorShape.PointingHandCursor)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
                event.position().toPoint()):
            self.activated.emit()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activated.emit()
            return
        super().keyPressEvent(event)


class Cover(QWidget):
    """A pack cover (image, or a generated one from the pack's colour and kinds)."""

    def __init__(self, pack: dict[str, Any], image: QImage | None, size: QSize) -> None:
        super().__init__()
        self.pack = pack
        self.image = image
        self.setFixedSize(size)
        self.setAccessibleName("")

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        paint_cover(painter, self.rect(), self.pack, self.image)
        painter.end()


class EmptyState(QWidget):
    """What an empty page says, and the one useful thing to do about it."""

    def __init__(self, icon: str) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.setSpacing(12)
        self.icon = QLabel()
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.icon.setPixmap(icons.icon(icon).pixmap(QSize(48, 48)))
        self.title = label("", "h2")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text = label("", "muted")
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text.setMaximumWidth(560)
        self.action = button("", "primary")
        self.action.hide()
        row = QHBoxLayout()
        row.addStretch()
        row.addWidget(self.action)
        row.addStretch()
        layout.addWidget(self.icon)
        layout.addWidget(self.title)
        # In a row between stretches (not by alignment), the text gets its height for the
        # width it wraps at: a long message shows whole.
        text_row = QHBoxLayout()
        text_row.addStretch(1)
        text_row.addWidget(self.text, 100)
        text_row.addStretch(1)
        layout.addLayout(text_row)
        layout.addLayout(row)

    def set_texts(self, title: str, text: str, action: str | None = None) -> None:
        self.title.setText(title)
        self.text.setText(text)
        self.action.setVisible(bool(action))
        self.action.setText(action or "")
        self.action.setAccessibleName(action or "")


class Loading(QLabel):
    """A quiet "Loading…" that appears only if loading takes more than 300 ms."""

    def __init__(self, text: str = "") -> None:
        super().__init__(text)
        self.setProperty("role", "muted")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hide()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(300)
        self._timer.timeout.connect(self.show)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self.hide()


def pixmap_from(image: QImage | None) -> QPixmap | None:
    return QPixmap.fromImage(image) if image is not None and not image.isNull() else None


def expanding(widget: QWidget) -> QWidget:
    widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    return widget


class FitArea(QScrollArea):
    """A scroll area whose content is as tall as its text needs at the width it is given.
    QScrollArea sizes its widget from its minimum size, which a layout of wrapping labels
    computes for no particular width: at a narrow width or a large text size their lines
    would be cut. Content wider than the area (a control that cannot wrap) scrolls sideways
    rather than being cut."""

    def __init__(self) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._fitting = False
        self._fitted = False  # the widget's minimum height is the one set here

    def setWidget(self, widget: QWidget) -> None:
        super().setWidget(widget)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() in (
                QEvent.Type.LayoutRequest, QEvent.Type.Resize, QEvent.Type.Show):
            self._fit()
            # texts set while the area was hidden are laid out once it shows
            QTimer.singleShot(0, self, self._fit)  # not called once the area is deleted
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit()

    def focusNextPrevChild(self, next: bool) -> bool:
        # Qt moves the focus out of an area being hidden (a page left): nothing to scroll
        # into view then, and asking a list that is being hidden where its current item
        # is can read a stale index.
        if not self.isVisible():
            return QWidget.focusNextPrevChild(self, next)
        return super().focusNextPrevChild(next)

    def _fit(self) -> None:
        widget = self.widget()
        if widget is None or self._fitting:
            return
        self._fitting = True
        try:
            if not widget.hasHeightForWidth():
                # no wrapping text shown now (a label hidden): its layout's minimum holds,
                # not a height fitted to text it no longer shows
                if self._fitted:
                    self._fitted = False
                    widget.setMinimumHeight(0)
                return
            width = max(self.viewport().width(), widget.minimumSizeHint().width())
            height = widget.heightForWidth(width)
            if height > 0 and widget.minimumHeight() != height:
                widget.setMinimumHeight(height)
                self._fitted = True
        finally:
            self._fitting = False


def fit_height(widget: W) -> W:
    """Keep ``widget`` (a bar holding a wrapping label) as tall as its text needs at its
    width, where its parent's layout does not ask (QMainWindow's)."""
    widget.installEventFilter(_HEIGHT_KEEPER)
    return widget


class _HeightKeeper(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest) and \
                isinstance(watched, QWidget) and watched.hasHeightForWidth():
            height = watched.heightForWidth(watched.width())
            if height > 0 and watched.minimumHeight() != height:
                watched.setMinimumHeight(height)
        return False


_HEIGHT_KEEPER = _HeightKeeper()


def scrolling(inner: QWidget, max_width: int | None = None) -> QScrollArea:
    """Wrap ``inner`` in a vertical scroll area, centred at ``max_width`` if given."""
    area = FitArea()
    # Not a Tab stop: the controls inside are (they scroll into view as they take the
    # focus), and Page Up and Page Down reach the area from them.
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    if max_width is None:
        area.setWidget(inner)
        return area
    holder = _Centered(inner, max_width)
    area.setWidget(holder)
    return area


class _Centered(QWidget):
    """Holds one widget at most ``max_width`` wide, centred, with side margins of 24 px."""

    def __init__(self, inner: QWidget, max_width: int) -> None:
        super().__init__()
        self.max_width = max_width
        self._layout = QVBoxLayout(self)
        self._layout.addWidget(inner)
        self._layout.setContentsMargins(24, 0, 24, 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        # Centred at the width of the widget when it needs more than max_width: margins
        # taken from the width alone would grow the minimum width with each resize.
        item = self._layout.itemAt(0)
        widest = max(self.max_width, item.minimumSize().width()) if item is not None \
            else self.max_width
        side = max(24, (event.size().width() - widest) // 2)
        self._layout.setContentsMargins(side, 0, side, 0)
        super().resizeEvent(event)

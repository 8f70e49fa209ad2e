"""Layouts for a narrow window or large text, shared by the player and the page around it:
a splitter that puts its parts one under the other when they do not fit side by side, and
rows of controls that wrap. Both report the height they need for a width (their text's
height), so that a scroll area around them is as tall as they need."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLayout, QLayoutItem, QSplitter, QWidget


def _min_width(widget: QWidget) -> int:
    return max(widget.minimumSizeHint().width(), widget.minimumWidth())


def _min_height(widget: QWidget, width: int) -> int:
    height = max(widget.minimumSizeHint().height(), widget.minimumHeight())
    if widget.hasHeightForWidth():
        height = max(height, widget.heightForWidth(width))
    return height


class SideBySide(QSplitter):
    """Its parts side by side while the width holds each at its minimum width; one under
    the other (the first on top, taking what the others leave) when it does not. It never
    asks for more width than its widest part, and asks for the height its parts need at
    the width they get (a message that wraps shows whole)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setChildrenCollapsible(False)
        self._wide_sizes: list[int] = []
        self._arranging = False
        self._height = -1  # the height needed for the width, as last passed up

    def _parts(self) -> list[QWidget]:
        widgets = [self.widget(i) for i in range(self.count())]
        return [w for w in widgets if w is not None and not w.isHidden()]

    def side_by_side_width(self) -> int:
        parts = self._parts()
        return sum(_min_width(p) for p in parts) + self.handleWidth() * max(0, len(parts) - 1)

    def is_side_by_side(self) -> bool:
        return self.orientation() == Qt.Orientation.Horizontal

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        parts = self._parts()
        if not parts:
            return 0
        if width >= self.side_by_side_width():
            # the others keep their widths (at least their minimum); the first takes the rest
            others = [max(_min_width(p), p.width() if self.is_side_by_side() else 0)
                      for p in parts[1:]]
            first = width - sum(others) - self.handleWidth() * len(others)
            first = max(first, _min_width(parts[0]))
            widths = [first, *others]
            return max(_min_height(p, w) for p, w in zip(parts, widths, strict=True))
        return sum(_min_height(p, width) for p in parts) + \
            self.handleWidth() * (len(parts) - 1)

    def minimumSizeHint(self) -> QSize:
        """As wide as the widest part; as tall as the parts' own minimum heights (the height
        their text needs depends on the width: :meth:`heightForWidth`)."""
        parts = self._parts()
        width = max((_min_width(p) for p in parts), default=0)
        heights = [max(p.minimumSizeHint().height(), p.minimumHeight()) for p in parts]
        if self.is_side_by_side():
            return QSize(width, max(heights, default=0))
        return QSize(width, sum(heights) + self.handleWidth() * max(0, len(parts) - 1))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange()

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:  # a part's text or visibility changed
            self._arrange()
            # QSplitter passes on only its parts' minimum sizes: the height a part needs for
            # its width may have changed too
            height = self.heightForWidth(self.width())
            if height != self._height:
                self._height = height
                self._pass_up()
        return handled

    def _pass_up(self) -> None:
        """Tell every layout up to the window at once that this height changed (each one
        would tell the next only as it is laid out again, one event loop round each)."""
        widget: QWidget | None = self
        while widget is not None and not widget.isWindow():
            widget.updateGeometry()
            widget = widget.parentWidget()

    def _arrange(self) -> None:
        if self._arranging or self.width() <= 0:
            return
        self._arranging = True
        try:
            width = self.width()
            wide = width >= self.side_by_side_width()
            orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
            if self.orientation() != orientation:
                if not wide:
                    self._wide_sizes = self.sizes()
                self.setOrientation(orientation)
                if wide and self._wide_sizes:
                    self.setSizes(self._wide_sizes)
                self.updateGeometry()
            if not wide:
                self._stack(width)
            elif any(p.width() < _min_width(p) for p in self._parts()):
                self.setSizes(self.sizes())  # a part's minimum grew: the sizes respect it
        finally:
            self._arranging = False

    def _stack(self, width: int) -> None:
        """One under the other: each part as tall as it needs, the first taking the rest."""
        parts = self._parts()
        if not parts:
            return
        heights = {id(p): _min_height(p, width) for p in parts}
        room = self.height() - self.handleWidth() * (len(parts) - 1)
        heights[id(parts[0])] += max(0, room - sum(heights.values()))
        sizes = []
        for index in range(self.count()):
            widget = self.widget(index)
            sizes.append(heights.get(id(widget), 0) if widget is not None else 0)
        if sizes != self.sizes():
            self.setSizes(sizes)


class ItemLayout(QLayout):
    """A layout that keeps its items in a list and asks for a height for its width: the
    plumbing of layouts that wrap (:class:`WrapRows`, the window's FlowLayout), which
    differ only in how they arrange their rows."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 8) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    # Widgets come through QLayout.addWidget, which makes their items in C++: Qt deletes
    # the item of a widget that is deleted, which must not be Python's to delete again.
    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True


class WrapRows(ItemLayout):
    """Groups of controls in one row while they fit, on more rows when they do not. In
    each row the first group of all starts at the reading side and the others gather at
    the far side (as a stretch between them would); it follows the layout direction."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 4) -> None:
        super().__init__(parent, spacing)

    def heightForWidth(self, width: int) -> int:
        margins = self.contentsMargins()
        inner = width - margins.left() - margins.right()
        return self._arrange(QRect(0, 0, inner, 0), apply=False) + margins.top() + \
            margins.bottom()

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(self.contentsRect(), apply=True)

    def _shown(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def sizeHint(self) -> QSize:
        """All groups in one row."""
        hints = [item.sizeHint() for item in self._shown()]
        margins = self.contentsMargins()
        extra = QSize(margins.left() + margins.right(), margins.top() + margins.bottom())
        if not hints:
            return extra
        return QSize(sum(h.width() for h in hints) + self._spacing * (len(hints) - 1),
                     max(h.height() for h in hints)) + extra

    def minimumSize(self) -> QSize:
        """The widest group: a row never needs more."""
        size = QSize(0, 0)
        for item in self._shown():
            size = size.expandedTo(item.sizeHint())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _rows(self, width: int) -> list[list[QLayoutItem]]:
        rows: list[list[QLayoutItem]] = []
        used = 0
        for item in self._shown():
            need = item.sizeHint().width()
            if rows and used + self._spacing + need <= width:
                rows[-1].append(item)
                used += self._spacing + need
            else:
                rows.append([item])
                used = need
        return rows

    def _arrange(self, rect: QRect, apply: bool) -> int:
        parent = self.parentWidget()
        rtl = parent is not None and parent.layoutDirection() == Qt.LayoutDirection.RightToLeft
        first = self._shown()[:1]
        y = rect.y()
        for row in self._rows(rect.width()):
            height = max(item.sizeHint().height() for item in row)
            if apply:
                leading = [item for item in row if item in first]
                trailing = [item for item in row if item not in first]
                x = 0
                for item in leading:
                    self._place(item, rect, x, y, height, rtl)
                    x += item.sizeHint().width() + self._spacing
                x = rect.width() - sum(item.sizeHint().width() for item in trailing) - \
                    self._spacing * max(0, len(trailing) - 1)
                for item in trailing:
                    self._place(item, rect, x, y, height, rtl)
                    x += item.sizeHint().width() + self._spacing
            y += height + self._spacing
        return max(0, y - self._spacing - rect.y())

    @staticmethod
    def _place(item: QLayoutItem, rect: QRect, x: int, y: int, height: int,
               rtl: bool) -> None:
        hint = item.sizeHint()
        left = rect.x() + (rect.width() - x - hint.width() if rtl else x)
        item.setGeometry(QRect(QPoint(left, y + (height - hint.height()) // 2), hint))

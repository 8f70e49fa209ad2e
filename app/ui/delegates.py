"""Painting of list items: pack cards, resource rows, search hits, notes.

Delegates draw what the models hold, in the theme's colours, mirrored for right-to-left
layouts (every rectangle goes through ``QStyle.visualRect``). Sizes derive from the font,
so rows grow with the font setting instead of clipping.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QPainter,
    QPalette,
    QPen,
    QTextDocument,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app import formatting
from app.formatting import isolate, text_direction
from app.i18n import _
from app.ui import icons, theme
from app.ui.covers import paint_cover
from app.ui.models import COVER, ROW, kind_label, progress_text

ModelIndex = QModelIndex | QPersistentModelIndex
PAD = 12


def _direction(option: QStyleOptionViewItem) -> Qt.LayoutDirection:
    widget = option.widget
    return widget.layoutDirection() if widget is not None else option.direction


def _visual(option: QStyleOptionViewItem, rect: QRect) -> QRect:
    return QStyle.visualRect(_direction(option), option.rect, rect)


def _align(option: QStyleOptionViewItem, flags: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignVCenter
           ) -> Qt.AlignmentFlag:
    """Text at the start of the line. The painter (begun on an RTL view) mirrors AlignLeft
    itself, so this is always AlignLeft; rectangles are mirrored by :func:`_visual`."""
    return Qt.AlignmentFlag.AlignLeft | flags


def paint_progress(painter: QPainter, rect: QRect, fraction: float, c: theme.Colors,
                   option: QStyleOptionViewItem) -> None:
    painter.save()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(c.subtle))
    painter.drawRoundedRect(rect, 3, 3)
    if fraction > 0:
        width = max(6, int(rect.width() * min(1.0, fraction)))
        filled = QRect(rect.x(), rect.y(), width, rect.height())
        filled = QStyle.visualRect(_direction(option), rect, filled)
        painter.setBrush(QColor(c.success if fraction >= 1 else c.accent))
        painter.drawRoundedRect(filled, 3, 3)
    painter.restore()


def _small(font: QFont) -> QFont:
    small = QFont(font)
    small.setPointSizeF(max(7.0, font.pointSizeF() * 0.88))
    return small


def _bold(font: QFont, factor: float = 1.0) -> QFont:
    bold = QFont(font)
    bold.setWeight(QFont.Weight.DemiBold)
    bold.setPointSizeF(font.pointSizeF() * factor)
    return bold


def _frame(painter: QPainter, option: QStyleOptionViewItem, rect: QRect, c: theme.Colors,
           radius: float = 8.0) -> None:
    selected = bool(option.state & QStyle.StateFlag.State_Selected)
    focused = bool(option.state & QStyle.StateFlag.State_HasFocus)
    hover = bool(option.state & QStyle.StateFlag.State_MouseOver)
    painter.setBrush(QColor(c.accent_soft if selected else c.base))
    pen = QPen(QColor(c.focus if focused else (c.muted if hover else c.control)))
    pen.setWidthF(2.0 if focused else 1.0)
    painter.setPen(pen)
    painter.drawRoundedRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), radius, radius)


class PackCardDelegate(QStyledItemDelegate):
    """A pack as a card (grid) or a row (list): cover, title, languages, size, progress."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.grid = True

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        fm = QFontMetrics(_bold(option.font, 1.05))
        sm = QFontMetrics(_small(option.font))
        if self.grid:
            width = max(236, fm.averageCharWidth() * 28)
            height = 116 + PAD + fm.lineSpacing() * 3 + 6 + sm.lineSpacing() * 2 + 20 + PAD + 8
            return QSize(width, height)
        return QSize(600, max(72, fm.lineSpacing() + sm.lineSpacing() * 2 + 2 * PAD))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        pack = index.data(ROW)
        if pack is None:
            return
        c = theme.current()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        card = option.rect.adjusted(6, 6, -6, -6)
        _frame(painter, option, card, c)
        cover: QImage | None = index.data(COVER)
        title_font = _bold(option.font, 1.05)
        small = _small(option.font)
        tm, sm = QFontMetrics(title_font), QFontMetrics(small)
        fraction = pack["done"] / pack["total"] if pack["total"] else 0.0
        languages = " · ".join(formatting.language_name(lang) for lang in pack["languages"])
        meta = "  ·  ".join([languages, formatting.size(pack["total_bytes"])])
        if self.grid:
            cover_rect = QRect(card.x() + 1, card.y() + 1, card.width() - 2, 116)
            paint_cover(painter, cover_rect, pack, cover, 7)
            inner = card.adjusted(PAD, 116 + PAD, -PAD, -PAD)
            painter.setPen(QColor(c.text))
            painter.setFont(title_font)
            title_rect = QRect(inner.x(), inner.y(), inner.width(), tm.lineSpacing() * 3)
            text = tm.elidedText(isolate(pack["display_title"]), Qt.TextElideMode.ElideRight,
                                 title_rect.width() * 3 - tm.averageCharWidth() * 4)
            painter.drawText(title_rect, int(_align(option, Qt.AlignmentFlag.AlignTop)
                                             | Qt.TextFlag.TextWordWrap), text)
            y = title_rect.bottom() + 6
            painter.setFont(small)
            painter.setPen(QColor(c.muted))
            painter.drawText(QRect(inner.x(), y, inner.width(), sm.lineSpacing()),
                             int(_align(option)), sm.elidedText(
                                 meta, Qt.TextElideMode.ElideRight, inner.width()))
            y += sm.lineSpacing() + 8
            paint_progress(painter, QRect(inner.x(), y, inner.width(), 6), fraction, c, option)
            y += 12
            painter.setPen(QColor(c.success if fraction >= 1 else c.muted))
            painter.drawText(QRect(inner.x(), y, inner.width(), sm.lineSpacing()),
                             int(_align(option)), progress_text(pack["done"], pack["total"]))
        else:
            side = card.height() - 2 * 8
            cover_rect = _visual(option, QRect(card.x() + 8, card.y() + 8, side, side))
            paint_cover(painter, cover_rect, pack, cover, 6)
            text_x = card.x() + 8 + side + PAD
            bar_w = 160
            text_w = card.width() - (side + PAD + 8) - bar_w - 3 * PAD
            painter.setFont(title_font)
            painter.setPen(QColor(c.text))
            title = _visual(option, QRect(text_x, card.y() + PAD, text_w, tm.lineSpacing()))
            painter.drawText(title, int(_align(option)), tm.elidedText(
                isolate(pack["display_title"]), Qt.TextElideMode.ElideRight, text_w))
            painter.setFont(small)
            painter.setPen(QColor(c.muted))
            meta_rect = _visual(option, QRect(text_x, title.bottom() + 4, text_w,
                                              sm.lineSpacing()))
            painter.drawText(meta_rect, int(_align(option)), sm.elidedText(
                meta, Qt.TextElideMode.ElideRight, text_w))
            bar_x = card.right() - PAD - bar_w
            bar = _visual(option, QRect(bar_x, card.center().y() - 10, bar_w, 6))
            paint_progress(painter, bar, fraction, c, option)
            label = _visual(option, QRect(bar_x, card.center().y() + 2, bar_w, sm.lineSpacing()))
            painter.setPen(QColor(c.success if fraction >= 1 else c.muted))
            painter.drawText(label, int(_align(option)), progress_text(pack["done"],
                                                                       pack["total"]))
        painter.restore()


class OutlineDelegate(QStyledItemDelegate):
    """Rows of a pack page: section headings, and resources with kind icon, title, duration
    and a done mark."""

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        fm = QFontMetrics(option.font)
        if not index.parent().isValid():
            return QSize(400, QFontMetrics(_bold(option.font, 1.1)).lineSpacing() + 2 * PAD + 4)
        return QSize(400, max(44, fm.lineSpacing() + 2 * PAD))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        c = theme.current()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        focused = bool(option.state & QStyle.StateFlag.State_HasFocus)
        hover = bool(option.state & QStyle.StateFlag.State_MouseOver)
        if selected or hover or focused:
            painter.setPen(QPen(QColor(c.focus), 2) if focused else Qt.PenStyle.NoPen)
            painter.setBrush(QColor(c.accent_soft if selected else c.surface))
            painter.drawRoundedRect(QRectF(rect).adjusted(1, 1, -1, -1), 6, 6)
        fm = QFontMetrics(option.font)
        if not index.parent().isValid():
            section = index.data(ROW)
            font = _bold(option.font, 1.1)
            painter.setFont(font)
            painter.setPen(QColor(c.text))
            expanded = bool(option.state & QStyle.StateFlag.State_Open)
            arrow = _visual(option, QRect(rect.x() + 4, rect.center().y() - 9, 18, 18))
            icons.icon("expand" if expanded else "next").paint(painter, arrow)
            text = _visual(option, QRect(rect.x() + 30, rect.y(), rect.width() - 200,
                                         rect.height()))
            painter.drawText(text, int(_align(option)), QFontMetrics(font).elidedText(
                isolate(index.data()), Qt.TextElideMode.ElideRight, text.width()))
            done = sum(1 for item in section.items if item.completed)
            painter.setFont(_small(option.font))
            painter.setPen(QColor(c.muted))
            right = _visual(option, QRect(rect.right() - 170, rect.y(), 160, rect.height()))
            painter.drawText(right, int(_end(option)), progress_text(done, len(section.items)))
            painter.restore()
            return
        item = index.data(ROW)
        x = rect.x() + 8
        icon_rect = _visual(option, QRect(x, rect.center().y() - 10, 20, 20))
        icons.kind_icon(item.kind, role=QPalette.ColorRole.PlaceholderText).paint(
            painter, icon_rect)
        check = _visual(option, QRect(rect.right() - 30, rect.center().y() - 10, 20, 20))
        if item.completed:
            icons.icon("check-circle", color=c.success).paint(painter, check)
        else:
            icons.icon("circle", color=c.control).paint(painter, check)
        small = _small(option.font)
        sm = QFontMetrics(small)
        duration = formatting.duration(item.duration) if item.duration else ""
        kind = kind_label(item.kind)
        meta = f"{kind} · {duration}" if duration else kind
        meta_w = sm.horizontalAdvance(meta) + 8
        meta_rect = _visual(option, QRect(rect.right() - 44 - meta_w, rect.y(), meta_w,
                                          rect.height()))
        painter.setFont(small)
        painter.setPen(QColor(c.muted))
        painter.drawText(meta_rect, int(_end(option)), meta)
        title_w = rect.width() - 44 - meta_w - 44
        title = _visual(option, QRect(x + 32, rect.y(), title_w, rect.height()))
        painter.setFont(option.font)
        painter.setPen(QColor(c.text))
        painter.drawText(title, int(_align(option)), fm.elidedText(
            isolate(index.data()), Qt.TextElideMode.ElideRight, title_w))
        painter.restore()


def _end(option: QStyleOptionViewItem) -> Qt.AlignmentFlag:
    return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def _rich(html: str, font: QFont, width: int, color: str, rtl: bool,
          text: str = "") -> QTextDocument:
    """``html`` laid out ``width`` wide. Its paragraph takes the direction of its own
    ``text`` (pack text: a snippet keeps its "…" at its own ends), aligned to the start of
    the interface (``rtl``)."""
    doc = QTextDocument()
    doc.setDefaultFont(font)
    doc.setDocumentMargin(0)
    doc.setDefaultStyleSheet(f"body {{ color: {color}; }} b {{ font-weight: 700; }}")
    direction = text_direction(text) or ("rtl" if rtl else "ltr")
    align = "right" if rtl else "left"
    doc.setHtml(f'<body><p dir="{direction}" align="{align}" style="margin:0">{html}</p>'
                "</body>")
    doc.setTextWidth(width)
    return doc


class SearchHitDelegate(QStyledItemDelegate):
    """A search hit: kind icon, title, pack, a snippet with the matched words in bold, and
    a time chip for hits inside media."""

    def _doc(self, option: QStyleOptionViewItem, hit: dict[str, Any], width: int
             ) -> QTextDocument:
        c = theme.current()
        return _rich(hit.get("snippet") or "", _small(option.font), width, c.text,
                     _direction(option) == Qt.LayoutDirection.RightToLeft,
                     hit.get("snippet_text") or "")

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        hit = index.data(ROW)
        fm = QFontMetrics(_bold(option.font))
        width = max(300, (option.rect.width() or 700) - 80)
        doc_h = int(self._doc(option, hit, width).size().height()) if hit else 0
        return QSize(width, fm.lineSpacing() * 2 + doc_h + 2 * PAD + 4)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        hit = index.data(ROW)
        c = theme.current()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect.adjusted(4, 3, -4, -3)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        focused = bool(option.state & QStyle.StateFlag.State_HasFocus)
        if selected or focused:
            painter.setPen(QPen(QColor(c.focus), 2) if focused else Qt.PenStyle.NoPen)
            painter.setBrush(QColor(c.accent_soft))
            painter.drawRoundedRect(QRectF(rect).adjusted(1, 1, -1, -1), 8, 8)
        icon_rect = _visual(option, QRect(rect.x() + PAD, rect.y() + PAD, 22, 22))
        note = hit.get("field") == "note"  # the learner's own words, not the pack's
        (icons.icon("notes", role=QPalette.ColorRole.PlaceholderText) if note else
         icons.kind_icon(hit["kind"], role=QPalette.ColorRole.PlaceholderText)).paint(
            painter, icon_rect)
        x = rect.x() + PAD + 34
        width = rect.width() - PAD - 34 - PAD
        bold = _bold(option.font)
        fm = QFontMetrics(bold)
        small = _small(option.font)
        sm = QFontMetrics(small)
        chip = formatting.clock(hit["timestamp"]) if hit.get("timestamp") is not None else ""
        chip_w = sm.horizontalAdvance(chip) + 20 if chip else 0
        title_rect = _visual(option, QRect(x, rect.y() + PAD - 2, width - chip_w - 8,
                                           fm.lineSpacing()))
        painter.setFont(bold)
        painter.setPen(QColor(c.text))
        painter.drawText(title_rect, int(_align(option)), fm.elidedText(
            isolate(hit["title"]), Qt.TextElideMode.ElideRight, title_rect.width()))
        if chip:
            chip_rect = _visual(option, QRect(x + width - chip_w, rect.y() + PAD - 1, chip_w,
                                              sm.lineSpacing() + 2))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(c.subtle))
            painter.drawRoundedRect(chip_rect, chip_rect.height() / 2, chip_rect.height() / 2)
            painter.setPen(QColor(c.text))
            painter.setFont(small)
            painter.drawText(chip_rect, int(Qt.AlignmentFlag.AlignCenter), chip)
        painter.setFont(small)
        painter.setPen(QColor(c.muted))
        meta = " · ".join(p for p in (_("Your note") if note else "",
                                      kind_label(hit["kind"]),
                                      isolate(hit.get("pack_title") or ""),
                                      formatting.language_name(hit["lang"])
                                      if hit.get("lang") else "") if p)
        meta_rect = _visual(option, QRect(x, title_rect.bottom() + 2, width, sm.lineSpacing()))
        painter.drawText(meta_rect, int(_align(option)), sm.elidedText(
            meta, Qt.TextElideMode.ElideRight, width))
        doc = self._doc(option, hit, width)
        painter.translate(_visual(option, QRect(x, meta_rect.bottom() + 6, width, 10)).x(),
                          meta_rect.bottom() + 6)
        context = QAbstractTextDocumentLayout.PaintContext()
        doc.documentLayout().draw(painter, context)
        painter.restore()


class NoteDelegate(QStyledItemDelegate):
    """A note: the resource it belongs to, its time in the media, its text, its date."""

    def __init__(self, title_of: Any, parent: Any = None) -> None:
        super().__init__(parent)
        self.title_of = title_of

    def _lines(self, option: QStyleOptionViewItem, note: dict[str, Any], width: int) -> QRect:
        fm = QFontMetrics(option.font)
        return fm.boundingRect(QRect(0, 0, width, 10_000), int(Qt.TextFlag.TextWordWrap),
                               note["body"])

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        note = index.data(ROW)
        sm = QFontMetrics(_small(option.font))
        width = max(300, (option.rect.width() or 700) - 2 * PAD - 16)
        body = self._lines(option, note, width).height()
        return QSize(width, sm.lineSpacing() * 2 + body + 2 * PAD + 10)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        note = index.data(ROW)
        c = theme.current()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect.adjusted(4, 4, -4, -4)
        _frame(painter, option, rect, c)
        x, width = rect.x() + PAD, rect.width() - 2 * PAD
        small = _small(option.font)
        sm = QFontMetrics(small)
        head = isolate(self.title_of(note))
        if note["at_seconds"] is not None:
            head = f"{head} · {formatting.clock(note['at_seconds'])}"
        if note.get("conflict"):
            mark = _("Edited on two devices")
            head = f"{head} · {mark}"
        painter.setFont(_bold(small))
        painter.setPen(QColor(c.destructive if note.get("conflict") else c.link))
        head_rect = _visual(option, QRect(x, rect.y() + PAD - 2, width, sm.lineSpacing()))
        painter.drawText(head_rect, int(_align(option)), sm.elidedText(
            head, Qt.TextElideMode.ElideRight, width))
        body = self._lines(option, note, width)
        body_rect = _visual(option, QRect(x, head_rect.bottom() + 4, width, body.height()))
        painter.setFont(option.font)
        painter.setPen(QColor(c.text))
        painter.drawText(body_rect, int(_align(option, Qt.AlignmentFlag.AlignTop)
                                        | Qt.TextFlag.TextWordWrap), note["body"])
        painter.setFont(small)
        painter.setPen(QColor(c.muted))
        date_rect = _visual(option, QRect(x, body_rect.bottom() + 4, width, sm.lineSpacing()))
        painter.drawText(date_rect, int(_align(option)),
                         _("Written {date}").format(date=formatting.moment(note["created_at"])))
        painter.restore()

"""A pack's cover: its picture, or one made from the pack's colour and the icon of its kind.
Painted on cards, in lists and in the pack page alike."""

from __future__ import annotations

import hashlib
from typing import Any

from PySide6.QtCore import QRect, QRectF
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath

from app.ui import icons
from app.ui.images import cover_rect


def pack_color(pack: dict[str, Any]) -> QColor:
    """The pack's own colour, or one derived from its id (stable, never random)."""
    color = QColor(pack.get("color") or "")
    if color.isValid():
        return color
    palette = ["#3366cc", "#14866d", "#7c4dbf", "#ac6600", "#0e65c0", "#b32424", "#4b6b3d"]
    digest = hashlib.sha256(pack["id"].encode()).digest()
    return QColor(palette[digest[0] % len(palette)])


def paint_cover(painter: QPainter, rect: QRect, pack: dict[str, Any], cover: QImage | None,
                radius: float = 8.0) -> None:
    path = QPainterPath()
    path.addRoundedRect(QRectF(rect), radius, radius)
    painter.save()
    painter.setClipPath(path)
    if cover is not None and not cover.isNull():
        # The part of the cover that fills ``rect``, drawn straight from the cover: no scaled
        # copy is made, so the cover's shape cannot make one huge.
        area = cover_rect(cover.size(), rect.size())
        scale = area.width() / cover.width()
        source = QRectF(-area.x() / scale, -area.y() / scale, rect.width() / scale,
                        rect.height() / scale)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(QRectF(rect), cover, source)
    else:
        painter.fillRect(rect, pack_color(pack))
        kinds = pack.get("kinds") or []
        name = icons.KIND_ICONS.get(kinds[0], "library") if len(kinds) == 1 else "library"
        side = min(rect.height(), rect.width()) // 2
        target = QRect(0, 0, side, side)
        target.moveCenter(rect.center())
        icons.icon(name, color="#ffffff").paint(painter, target)
    painter.restore()

"""Decoding pictures from packs within a box and a memory budget.

A pack's picture says how big it is, and a hostile or careless one lies: an SVG of a few
bytes can ask for 1 x 4000 (a cover stretched to fill 480 x 240 becomes 480 x 1,920,000
pixels, 3.7 GB), a PNG header can claim 60000 x 60000. So a picture is never decoded at the
size it claims: its size is read first, the size wanted is worked out from the box it is
shown in, SVG is drawn straight at that size, and a raster picture whose format cannot
decode at a smaller size is refused when it would cost more than the budget. Qt's own
allocation limit backs this up for pictures that do not say their size.

Covers, pictures inside articles and the image viewer all load through
:func:`load_image_within` (on worker threads: QImage only, never QPixmap).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QImage, QImageIOHandler, QImageReader, QPainter

#: the most pixels a picture may be decoded at (about 190 MB as 32-bit colour)
PIXEL_BUDGET = 48_000_000
#: Qt's limit on any one decoded picture, in MB (for pictures that do not say their size)
ALLOCATION_LIMIT_MB = math.ceil(PIXEL_BUDGET * 4 / 2**20)

QImageReader.setAllocationLimit(ALLOCATION_LIMIT_MB)

Source = str | os.PathLike[str] | bytes


def fitted(size: QSize, box: QSize) -> QSize:
    """``size`` scaled down (never up) to fit in ``box``, keeping its shape; at least 1 x 1."""
    if size.width() <= box.width() and size.height() <= box.height():
        return QSize(max(1, size.width()), max(1, size.height()))
    scale = min(box.width() / size.width(), box.height() / size.height())
    return QSize(max(1, round(size.width() * scale)), max(1, round(size.height() * scale)))


def cover_rect(size: QSize, box: QSize) -> QRectF:
    """Where a picture of ``size`` goes to fill ``box`` (centred, the overflow cut off)."""
    scale = max(box.width() / size.width(), box.height() / size.height())
    width, height = size.width() * scale, size.height() * scale
    return QRectF((box.width() - width) / 2, (box.height() - height) / 2, width, height)


def load_image_within(source: Source, box: QSize, budget: int = PIXEL_BUDGET, *,
                      fill: bool = False) -> QImage | None:
    """The picture in ``source`` (a file, or its bytes) decoded to fit ``box``: scaled down to
    fit inside it, or with ``fill`` scaled to cover it and cut to exactly its size (a cover).
    None when it cannot be read, or when decoding it would take more than ``budget`` pixels.
    """
    if box.width() < 1 or box.height() < 1:
        return None
    buffer: QBuffer | None = None
    svg_source: QByteArray | str
    if isinstance(source, bytes):
        svg_source = QByteArray(source)
        buffer = QBuffer(svg_source)
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        reader = QImageReader(buffer)
    else:
        svg_source = os.fspath(source)
        if not Path(svg_source).is_file():
            return None
        reader = QImageReader(svg_source)
    if bytes(reader.format().data()).lower() in (b"svg", b"svgz"):
        return _svg(svg_source, box, budget, fill)
    return _raster(reader, box, budget, fill)


def _svg(source: QByteArray | str, box: QSize, budget: int, fill: bool) -> QImage | None:
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(source)
    size = renderer.defaultSize()
    if not renderer.isValid() or size.width() < 1 or size.height() < 1:
        return None
    target = box if fill else fitted(size, box)
    if target.width() * target.height() > budget:
        return None
    image = QImage(target, QImage.Format.Format_ARGB32_Premultiplied)
    if image.isNull():
        return None
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, cover_rect(size, target) if fill else QRectF(image.rect()))
    painter.end()
    return image


def _raster(reader: QImageReader, box: QSize, budget: int, fill: bool) -> QImage | None:
    size = reader.size()
    if size.width() >= 1 and size.height() >= 1:
        if fill:
            # Only the part of the picture that shows is decoded: the centre, in the box's
            # shape, in the picture's own pixels.
            area = cover_rect(size, box)
            scale = area.width() / size.width()
            clip = QRectF(-area.x() / scale, -area.y() / scale,
                          box.width() / scale, box.height() / scale).toAlignedRect()
            clip = clip.intersected(QRect(0, 0, size.width(), size.height()))
            if clip.width() < 1 or clip.height() < 1:
                return None
            reader.setClipRect(clip)
            target = box
        else:
            target = fitted(size, box)
        native = reader.supportsOption(QImageIOHandler.ImageOption.ScaledSize) and not fill
        # Without a decoder that scales as it reads, the whole picture is decoded first.
        decoded = target if native else size
        if decoded.width() * decoded.height() > budget:
            return None
        reader.setScaledSize(target)
    image = reader.read()
    if image.isNull():
        return None
    if image.width() > box.width() or image.height() > box.height():
        # A picture that did not say its size: decoded within Qt's allocation limit.
        image = image.scaled(fitted(image.size(), box), Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    return image

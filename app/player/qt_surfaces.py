"""The player's video surfaces, and the bridge that brings backend reports to them.

libvlc draws into :class:`NativeSurface`, a native child window (``WA_NativeWindow``); the
Qt Multimedia backend hands its frames to :class:`FrameSurface`, which paints them with the
subtitle text. Backend events may come from libvlc's thread: :class:`BridgeEvents` turns
them into signals of a :class:`Bridge` that lives on the GUI thread, so Qt queues them.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.player.base import PlayerEvents, State


class Bridge(QObject):
    """Carries backend reports to the GUI thread."""

    state = Signal(str)
    position = Signal(float, float)
    tracks = Signal()
    shown = Signal()
    error = Signal(str)


class BridgeEvents(PlayerEvents):
    """The backend's :class:`PlayerEvents`, emitted as the signals of a :class:`Bridge`."""

    def __init__(self, bridge: Bridge) -> None:
        self.bridge = bridge

    def state_changed(self, state: State) -> None:
        self.bridge.state.emit(state.value)

    def position_changed(self, position: float, duration: float) -> None:
        self.bridge.position.emit(position, duration)

    def tracks_changed(self) -> None:
        self.bridge.tracks.emit()

    def video_shown(self) -> None:
        self.bridge.shown.emit()

    def error(self, message: str) -> None:
        self.bridge.error.emit(message)


class NativeSurface(QWidget):
    """A black native window that libvlc draws into."""

    double_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_NativeWindow)
        self.setAttribute(Qt.WidgetAttribute.WA_DontCreateNativeAncestors)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor("black"))
        self.setPalette(palette)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 180)

    #: The native window was recreated (after reparenting): the new id.
    window_changed = Signal(int)

    def window_id(self) -> int:
        return int(self.winId())

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.WinIdChange and self.internalWinId():
            self.window_changed.emit(int(self.winId()))
        return super().event(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.double_clicked.emit()


class FrameSurface(QWidget):
    """Paints the Qt backend's frames, letterboxed, with the subtitle text over them."""

    double_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 180)
        self.image = QImage()
        self.subtitle = ""

    def set_frame(self, frame: Any) -> None:
        if frame.isValid():
            self.image = frame.toImage()
            self.update()

    def clear(self) -> None:
        """Black, with no picture or subtitle: what shows until the next media's frames."""
        self.image = QImage()
        self.subtitle = ""
        self.update()

    def set_subtitle(self, text: str) -> None:
        if text != self.subtitle:
            self.subtitle = text
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("black"))
        video = QRectF(self.rect())
        if not self.image.isNull():
            size = QSize(self.image.size()).scaled(
                self.size(), Qt.AspectRatioMode.KeepAspectRatio
            )
            video = QRectF(
                (self.width() - size.width()) / 2,
                (self.height() - size.height()) / 2,
                size.width(),
                size.height(),
            )
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(video, self.image)
        if self.subtitle:
            self._paint_subtitle(painter, video)
        painter.end()

    def _paint_subtitle(self, painter: QPainter, video: QRectF) -> None:
        font = QFont(self.font())
        font.setPixelSize(max(14, int(video.height() / 16)))
        font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(font)
        margin = video.height() / 20
        area = video.adjusted(margin, margin, -margin, -margin)
        flags = int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom) | int(
            Qt.TextFlag.TextWordWrap
        )
        box = painter.boundingRect(area, flags, self.subtitle)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        path = QPainterPath()
        path.addRoundedRect(box.adjusted(-8, -4, 8, 4), 4, 4)
        painter.fillPath(path, QColor(0, 0, 0, 160))
        painter.setPen(QPen(QColor("white")))
        painter.drawText(area, flags, self.subtitle)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.double_clicked.emit()

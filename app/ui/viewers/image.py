"""Images: fitted to the window, zoom with buttons, Ctrl + wheel or Ctrl +/-.

The picture is decoded within :data:`MAX_IMAGE` and the pixel budget (see
:mod:`app.ui.images`), and zooming never makes a shown copy larger than
:data:`MAX_SHOWN_PIXELS`: a picture that claims a huge size is shown smaller or, past the
budget, refused with a message."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QPixmap, QWheelEvent
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout

from app.i18n import _
from app.library import Library
from app.tasks import Reporter
from app.ui.context import AppContext
from app.ui.images import load_image_within
from app.ui.viewers.base import Viewer, ZoomBar
from app.ui.widgets import label

#: the largest a picture is decoded for the viewer
MAX_IMAGE = QSize(8192, 8192)
#: the most pixels a zoomed picture is shown at (64 MB as 32-bit colour)
MAX_SHOWN_PIXELS = 16_000_000


class _Area(QScrollArea):
    def __init__(self, viewer: ImageViewer) -> None:
        super().__init__()
        self.viewer = viewer

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.viewer.zoom(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)
            return
        super().wheelEvent(event)


class ImageViewer(Viewer):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.image = QImage()
        self.scale = 0.0  # 0: fit to the window
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message = label("", "muted")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.hide()
        self.area = _Area(self)
        self.area.setWidget(self.picture)
        self.area.setWidgetResizable(True)
        self.area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.bar = ZoomBar(self.zoom, self.fit_window)
        self.zoom_label = self.bar.label
        self.zoom_out, self.zoom_in, self.fit = self.bar.zoom_out, self.bar.zoom_in, self.bar.fit
        self.zoom_out.setShortcut("Ctrl+-")
        self.zoom_in.setShortcut("Ctrl+=")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.area, 1)
        self.retranslate()

    def retranslate(self) -> None:
        self.bar.retranslate(_("Fit to the window"))
        self.picture.setAccessibleName(_("Image"))
        self.area.setAccessibleName(_("Image"))  # arrow keys move a zoomed picture
        if self.message.isVisibleTo(self):
            self.message.setText(self._unreadable())
        self._render()

    @staticmethod
    def _unreadable() -> str:
        return _("This image cannot be shown: it is damaged, or too large for this computer.")

    def load(self, resource: dict[str, Any], position: float, at: float | None = None) -> None:
        self.resource = resource
        main = next(f for f in resource["files"] if f["role"] == "main")

        def work(_library: Library, _r: Reporter) -> QImage | None:
            return load_image_within(main["blob"], MAX_IMAGE)

        self.fetch(work, self._show)

    def _show(self, image: QImage | None) -> None:
        self.image = image if image is not None else QImage()
        self.scale = 0.0
        unreadable = self.image.isNull()
        self.message.setText(self._unreadable() if unreadable else "")
        self.message.setVisible(unreadable)
        self.area.setVisible(not unreadable)
        for widget in (self.zoom_in, self.zoom_out, self.fit):
            widget.setEnabled(not unreadable)
        self._render()
        self.loaded.emit()
        if not unreadable:
            self.completed.emit()

    def zoom(self, factor: float) -> None:
        if self.image.isNull():
            return
        current = self.scale or self._fit_scale()
        self.scale = max(0.05, min(8.0, self._max_scale(), current * factor))
        self._render()

    def _max_scale(self) -> float:
        """The zoom at which the shown copy reaches :data:`MAX_SHOWN_PIXELS`."""
        return math.sqrt(MAX_SHOWN_PIXELS / (self.image.width() * self.image.height()))

    def fit_window(self) -> None:
        self.scale = 0.0
        self._render()

    def _fit_scale(self) -> float:
        if self.image.isNull():
            return 1.0
        space = self.area.viewport().size() - QSize(16, 16)
        return min(1.0, space.width() / self.image.width(), space.height() / self.image.height())

    def _render(self) -> None:
        if self.image.isNull():
            return
        scale = min(self.scale or self._fit_scale(), self._max_scale())
        size = QSize(max(1, int(self.image.width() * scale)),
                     max(1, int(self.image.height() * scale)))
        self.picture.setPixmap(QPixmap.fromImage(self.image.scaled(
            size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)))
        self.zoom_label.setText(_("{percent} zoom").format(percent=f"{round(scale * 100)}%"))

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if not self.scale:
            self._render()

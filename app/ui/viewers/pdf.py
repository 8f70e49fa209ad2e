"""PDF documents through QtPdf (loaded only when a PDF is opened): pages in a continuous
scroll, zoom, and the page reached as the learner's position."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QPointF, QSize
from PySide6.QtWidgets import QVBoxLayout

from app.i18n import _
from app.library import Library
from app.tasks import Reporter
from app.ui.context import AppContext
from app.ui.viewers.base import Viewer, ZoomBar


class PdfViewer(Viewer):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        from PySide6.QtPdf import QPdfDocument
        from PySide6.QtPdfWidgets import QPdfView

        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(12)
        self.buffer: QBuffer | None = None
        self._pending = 0
        self._last_page = -1

        self.bar = ZoomBar(self._zoom, self._fit)
        self.page_label = self.bar.label
        self.zoom_out, self.zoom_in, self.fit = self.bar.zoom_out, self.bar.zoom_in, self.bar.fit
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.bar)
        layout.addWidget(self.view, 1)
        self.document.statusChanged.connect(self._status)
        self.view.pageNavigator().currentPageChanged.connect(self._page_changed)
        self.retranslate()

    def retranslate(self) -> None:
        self.view.setAccessibleName(_("PDF document"))
        self.bar.retranslate(_("Fit to width"))
        self._update_label()

    def load(self, resource: dict[str, Any], position: float, at: float | None = None) -> None:
        self.resource = resource
        self._pending = int(at if at is not None else position)
        main = next(f for f in resource["files"] if f["role"] == "main")

        def work(_library: Library, _r: Reporter) -> bytes:
            return Path(main["blob"]).read_bytes()

        self.fetch(work, self._show)

    def _show(self, data: bytes) -> None:
        self.buffer = QBuffer(self)
        self.buffer.setData(QByteArray(data))
        self.buffer.open(QBuffer.OpenModeFlag.ReadOnly)
        self.document.load(self.buffer)

    def _status(self, status: Any) -> None:
        from PySide6.QtPdf import QPdfDocument

        if status == QPdfDocument.Status.Ready:
            page = min(max(0, self._pending), max(0, self.document.pageCount() - 1))
            self.view.pageNavigator().jump(page, QPointF(), self.view.pageNavigator().currentZoom())
            self._update_label()
            self.loaded.emit()
        elif status == QPdfDocument.Status.Error:
            self.page_label.setText(_("This PDF cannot be opened."))
            self.loaded.emit()

    def _page_changed(self, page: int) -> None:
        self._update_label()
        if page != self._last_page:
            self._last_page = page
            self.position_changed.emit(float(page))
            if self.document.pageCount() and page >= self.document.pageCount() - 1:
                self.completed.emit()

    def _update_label(self) -> None:
        count = self.document.pageCount()
        if count:
            page = self.view.pageNavigator().currentPage() + 1
            self.page_label.setText(_("Page {page} of {count}").format(page=page, count=count))

    def _zoom(self, factor: float) -> None:
        from PySide6.QtPdfWidgets import QPdfView

        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(0.25, min(5.0, self.view.zoomFactor() * factor)))

    def _fit(self) -> None:
        from PySide6.QtPdfWidgets import QPdfView

        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

    def position(self) -> float:
        return float(self.view.pageNavigator().currentPage())

    def stop(self) -> None:
        self.document.close()

    def sizeHint(self) -> QSize:
        return QSize(800, 600)



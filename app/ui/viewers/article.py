"""Articles: sanitised HTML (see :mod:`app.articles`) in a QTextBrowser, at a comfortable
measure (about 70 characters a line) and line height, with images from the pack, links
between resources, and a question before any link leaves for the web browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, QTimer, QUrl
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QImage,
    QResizeEvent,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextImageFormat,
)
from PySide6.QtWidgets import QTextBrowser, QTextEdit, QVBoxLayout

from app import articles
from app.i18n import _
from app.library import Library
from app.tasks import Reporter
from app.ui import dialogs, theme
from app.ui.context import AppContext, is_rtl
from app.ui.images import load_image_within
from app.ui.viewers.base import Viewer

MEASURE = 70
#: pictures are decoded to fit this box (never larger, whatever size they claim)
MAX_IMAGE_WIDTH = 760
MAX_IMAGE_HEIGHT = 4000
COMPLETE_AT = 0.97
#: room left beside a picture in the column (the document's own margins)
IMAGE_SLACK = 16
#: where a picture's own size is kept in its format, once it is drawn smaller
NATURAL_WIDTH = QTextImageFormat.Property.UserProperty + 1
NATURAL_HEIGHT = QTextImageFormat.Property.UserProperty + 2


class ArticleBrowser(QTextBrowser):
    """A text browser that keeps its text column at a readable width, centred.

    It reads nothing by itself: the pictures of an article are decoded beforehand, within a
    budget, and added to the document (:func:`_load`); any other resource an article names
    (a local file, a picture that was not loaded) stays empty."""

    def loadResource(self, kind: int, name: QUrl | str) -> Any:
        return None

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_measure()

    def fit_measure(self) -> None:
        metrics = QFontMetrics(self.document().defaultFont())
        measure = metrics.averageCharWidth() * MEASURE
        side = max(24, (self.viewport().width() - measure) // 2)
        root = self.document().rootFrame()
        fmt = root.frameFormat()
        if int(fmt.leftMargin()) != side:
            fmt.setLeftMargin(side)
            fmt.setRightMargin(side)
            fmt.setTopMargin(24)
            fmt.setBottomMargin(48)
            root.setFrameFormat(fmt)
        self.fit_images(self.viewport().width() - 2 * side - IMAGE_SLACK)

    def fit_images(self, width: int) -> None:
        """Pictures fit the reading width: one wider than the column is drawn at the
        column's width (its height in proportion), never larger than it is; a narrower one
        keeps its own size. Runs again whenever the width changes."""
        width = max(16, width)
        doc = self.document()
        changes: list[tuple[int, int, QTextImageFormat]] = []
        block = doc.begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                fmt = fragment.charFormat()
                if fragment.isValid() and fmt.isImageFormat():
                    image = fmt.toImageFormat()
                    natural = doc.resource(QTextDocument.ResourceType.ImageResource,
                                           QUrl(image.name()))
                    size = natural.size() if isinstance(natural, QImage) else None
                    if size is not None and size.width() > 0:
                        own_width = image.property(NATURAL_WIDTH) or size.width()
                        own_height = image.property(NATURAL_HEIGHT) or size.height()
                        shown = min(float(own_width), float(width))
                        if abs(image.width() - shown) > 0.5:
                            image.setProperty(NATURAL_WIDTH, own_width)
                            image.setProperty(NATURAL_HEIGHT, own_height)
                            image.setWidth(shown)
                            image.setHeight(shown * float(own_height) / float(own_width))
                            changes.append((fragment.position(), fragment.length(), image))
                it += 1
            block = block.next()
        for position, length, image in changes:
            cursor = QTextCursor(doc)
            cursor.setPosition(position)
            cursor.setPosition(position + length, QTextCursor.MoveMode.KeepAnchor)
            cursor.setCharFormat(image)


def _load(resource: dict[str, Any]) -> Any:
    def work(library: Library, _r: Reporter) -> Any:
        main = next(f for f in resource["files"] if f["role"] == "main")
        if main["mime"] == "application/x-zim":  # an entry of a ZIM, read on demand
            from app.ui.viewers.zim import load_zim_article

            return load_zim_article(library, resource, main)
        text = Path(main["blob"]).read_text(encoding="utf-8", errors="replace")
        main_of: dict[str, str] = {}
        blob_of: dict[str, str] = {}
        for entry in library.pack_files(resource["pack_id"]):
            blob_of[entry["path"]] = entry["blob"]
            if entry["role"] == "main" and entry["resource_id"]:
                main_of[entry["path"]] = entry["resource_id"]
        rendered = articles.render(text, main["mime"], main["path"], main_of.get)
        images: dict[str, QImage] = {}
        box = QSize(MAX_IMAGE_WIDTH, MAX_IMAGE_HEIGHT)
        for path in rendered.images:
            if path in blob_of and path not in images:
                image = load_image_within(blob_of[path], box)
                if image is not None:
                    images[path] = image
        return rendered, images

    return work


class ArticleViewer(Viewer):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.browser = ArticleBrowser()
        self.browser.setOpenLinks(False)
        self.browser.setOpenExternalLinks(False)
        self.browser.anchorClicked.connect(self._link)
        self.browser.verticalScrollBar().valueChanged.connect(self._scrolled)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser)
        self._restoring = False
        self._pending: float = 0.0
        self._found: list[str] = []
        self._fits_timer = QTimer(self)
        self._fits_timer.setSingleShot(True)
        self._fits_timer.setInterval(5000)
        self._fits_timer.timeout.connect(self._fits_read)
        self.retranslate()

    def retranslate(self) -> None:
        self.browser.setAccessibleName(_("Article"))

    def show_found(self, found: dict[str, Any]) -> None:
        self._found = [str(word) for word in found.get("words") or [] if str(word).strip()]

    def load(self, resource: dict[str, Any], position: float, at: float | None = None) -> None:
        self.resource = resource
        self.browser.setExtraSelections([])
        self._pending = min(1.0, max(0.0, position))
        self.browser.setHtml("")
        self.fetch(_load(resource), self._show)

    def _style(self) -> str:
        c = theme.colors(str(self.ctx.values["theme"]))
        return (
            f"body {{ color: {c.text}; }}"
            "p, li, dd, blockquote { line-height: 135%; }"
            "p { margin-top: 0; margin-bottom: 14px; }"
            "h1 { font-size: 170%; font-weight: 700; margin-top: 8px; margin-bottom: 14px; }"
            "h2 { font-size: 135%; font-weight: 600; margin-top: 24px; margin-bottom: 10px; }"
            "h3 { font-size: 115%; font-weight: 600; margin-top: 18px; margin-bottom: 8px; }"
            f"a {{ color: {c.link}; }}"
            f"code {{ font-family: 'DejaVu Sans Mono', monospace; background: {c.subtle}; }}"
            f"pre {{ font-family: 'DejaVu Sans Mono', monospace; background: {c.surface};"
            " padding: 8px; }"
            f"blockquote {{ color: {c.muted}; margin-left: 16px; }}"
            f"th {{ background: {c.surface}; font-weight: 600; padding: 4px 8px; }}"
            "td { padding: 4px 8px; }"
            "li { margin-bottom: 4px; }"
        )

    def _show(self, result: Any) -> None:
        rendered, images = result
        doc = self.browser.document()
        font = self.browser.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)
        doc.setDefaultFont(font)
        doc.setDefaultStyleSheet(self._style())
        for path, image in images.items():
            doc.addResource(QTextDocument.ResourceType.ImageResource,
                            QUrl(f"{articles.PACK_SCHEME}:{path}"), image)
        direction = "rtl" if is_rtl(self.resource.get("lang") or "") else "ltr"
        self.browser.setHtml(f'<div dir="{direction}">{rendered.html}</div>')
        self.browser.fit_measure()
        QTimer.singleShot(0, self._restore)

    def _restore(self) -> None:
        bar = self.browser.verticalScrollBar()
        self._restoring = True
        if not self._mark_found():
            bar.setValue(int(self._pending * bar.maximum()))
        self._restoring = False
        if bar.maximum() == 0:
            self._fits_timer.start()
        self.loaded.emit()

    def _mark_found(self) -> bool:
        """Scroll to the paragraph where search found its words (the first that has the most
        of them) and mark them there; False when there is nothing to show."""
        words, self._found = self._found, []
        if not words:
            return False
        doc = self.browser.document()
        wanted = {word.casefold() for word in words}
        best: tuple[int, int] | None = None  # (words in the paragraph, its position)
        cursor = doc.find(words[0])
        while not cursor.isNull():
            text = cursor.block().text().casefold()
            count = sum(word in text for word in wanted)
            if best is None or count > best[0]:
                best = (count, cursor.block().position())
                if count == len(wanted):
                    break
            cursor = doc.find(words[0], cursor)
        if best is None:
            return False
        block = doc.findBlock(best[1])
        mark = QTextCharFormat()
        mark.setBackground(QColor(theme.current().accent_soft))
        mark.setFontWeight(700)
        selections = []
        first: QTextCursor | None = None
        for word in dict.fromkeys(words):
            found = doc.find(word, block.position())
            while not found.isNull() and found.block() == block:
                selection = QTextEdit.ExtraSelection()
                selection.cursor = found
                selection.format = mark
                selections.append(selection)
                if first is None or found.position() < first.position():
                    first = QTextCursor(found)
                found = doc.find(word, found)
        self.browser.setExtraSelections(selections)
        if first is not None:
            first.clearSelection()
            self.browser.setTextCursor(first)
            rect = self.browser.cursorRect(first)
            bar = self.browser.verticalScrollBar()
            bar.setValue(bar.value() + rect.top() - self.browser.viewport().height() // 3)
        return True

    def _fits_read(self) -> None:
        if self.browser.verticalScrollBar().maximum() == 0:
            self.completed.emit()

    def position(self) -> float:
        bar = self.browser.verticalScrollBar()
        return bar.value() / bar.maximum() if bar.maximum() else 1.0

    def _scrolled(self, _value: int) -> None:
        if self._restoring:
            return
        fraction = self.position()
        self.position_changed.emit(fraction)
        if fraction >= COMPLETE_AT:
            self.completed.emit()

    def _link(self, url: QUrl) -> None:
        text = url.toString()
        target = articles.resource_link_target(text)
        if target is not None:
            self.open_resource.emit(target[0], None)
            return
        if text.startswith("#"):
            self.browser.scrollToAnchor(text[1:])
            return
        if url.scheme() in articles.EXTERNAL_SCHEMES:
            dialogs.open_outside(self, url, text)

    def stop(self) -> None:
        self._fits_timer.stop()

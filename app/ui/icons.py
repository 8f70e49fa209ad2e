"""The app's one icon set: simple line icons drawn for Ujuzi on a 24 px grid.

Every icon is a few SVG paths with the same stroke (1.8 px, round caps and joins), drawn in
the palette's text colour at paint time, so icons follow the theme (light, dark, high
contrast) and scale with the font size. Icons that point (arrows, previous/next) are
mirrored when the layout is right-to-left. A drawn set keeps start-up fast: an icon font
library costs longer to import than our whole first page takes to appear.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

_PATHS: dict[str, str] = {
    "home": '<path d="M3.5 10.5 12 4l8.5 6.5"/><path d="M5.5 9v10.5h13V9"/>'
            '<path d="M10 19.5v-5.5h4v5.5"/>',
    "library": '<rect x="4" y="4" width="4" height="16" rx="1"/>'
               '<rect x="9.5" y="4" width="4" height="16" rx="1"/>'
               '<path d="m15.5 5.2 3.8-1 3.2 14.6-3.8 1z"/>',
    "search": '<circle cx="10.5" cy="10.5" r="6"/><path d="m15 15 5 5"/>',
    "notes": '<path d="M5 3.5h10l4 4v13H5z"/><path d="M15 3.5v4h4"/>'
             '<path d="M8.5 12h7M8.5 15.5h7M8.5 8.5h3"/>',
    "downloads": '<path d="M12 4v11"/><path d="m7.5 10.5 4.5 4.5 4.5-4.5"/>'
                 '<path d="M4.5 16v3.5h15V16"/>',
    "settings": '<path d="M4 6h10M18 6h2M4 12h2M10 12h10M4 18h8M16 18h4"/>'
                '<circle cx="16" cy="6" r="2"/><circle cx="8" cy="12" r="2"/>'
                '<circle cx="14" cy="18" r="2"/>',
    "article": '<path d="M6 3.5h12v17H6z"/><path d="M9 8h6M9 11.5h6M9 15h4"/>',
    "video": '<rect x="3" y="5.5" width="18" height="13" rx="2"/><path d="M10 9.2v5.6l4.8-2.8z"/>',
    "audio": '<path d="M9 18V6l10-2v12"/><circle cx="6.5" cy="18" r="2.5"/>'
             '<circle cx="16.5" cy="16" r="2.5"/>',
    "pdf": '<path d="M6 3.5h8l4 4v13H6z"/><path d="M14 3.5v4h4"/>'
           '<path d="M9 13h6M9 16.5h6"/>',
    "image": '<rect x="3.5" y="5" width="17" height="14" rx="2"/><circle cx="9" cy="10" r="1.5"/>'
             '<path d="m4 17 5-4.5 3.5 3 3-2.5 4.5 4"/>',
    "quiz": '<circle cx="12" cy="12" r="8.5"/><path d="M9.6 9.6a2.5 2.5 0 1 1 3.4 2.3'
            'c-.7.3-1 .8-1 1.5v.6"/><path d="M12 17h.01"/>',
    "link": '<path d="M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1"/>'
            '<path d="M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1"/>',
    "interactive": '<path d="M7 3.5v12l3.2-3 2.3 5.3 2.2-1-2.3-5.2h4.3z"/>',
    "back": '<path d="M19.5 12h-15"/><path d="m10.5 6-6 6 6 6"/>',
    "previous": '<path d="m14.5 6-6 6 6 6"/>',
    "next": '<path d="m9.5 6 6 6-6 6"/>',
    "expand": '<path d="m6 9.5 6 6 6-6"/>',
    "collapse": '<path d="m6 14.5 6-6 6 6"/>',
    "check": '<path d="m5 12.5 4.5 4.5L19 7.5"/>',
    "check-circle": '<circle cx="12" cy="12" r="8.5"/><path d="m8 12.3 2.8 2.8L16.2 9.6"/>',
    "circle": '<circle cx="12" cy="12" r="8.5"/>',
    "cross-circle": '<circle cx="12" cy="12" r="8.5"/><path d="m9 9 6 6M15 9l-6 6"/>',
    "import": '<path d="M12 3.5v10"/><path d="m8 9.5 4 4 4-4"/>'
              '<path d="M4 13.5v5a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-5"/>',
    "export": '<path d="M12 14V4"/><path d="m8 8 4-4 4 4"/>'
              '<path d="M4 13.5v5a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-5"/>',
    "grid": '<rect x="4" y="4" width="6.5" height="6.5" rx="1"/>'
            '<rect x="13.5" y="4" width="6.5" height="6.5" rx="1"/>'
            '<rect x="4" y="13.5" width="6.5" height="6.5" rx="1"/>'
            '<rect x="13.5" y="13.5" width="6.5" height="6.5" rx="1"/>',
    "list": '<path d="M9 6h11M9 12h11M9 18h11"/><path d="M4.5 6h.01M4.5 12h.01M4.5 18h.01"/>',
    "close": '<path d="m6 6 12 12M18 6 6 18"/>',
    "delete": '<path d="M4.5 7h15"/><path d="M9.5 7V4.5h5V7"/>'
              '<path d="M6.5 7l1 13h9l1-13"/><path d="M10.5 11v5.5M13.5 11v5.5"/>',
    "play": '<path d="M8 5.5v13l10-6.5z"/>',
    "continue": '<circle cx="12" cy="12" r="8.5"/><path d="M10.2 8.7v6.6l5.2-3.3z"/>',
    "language": '<circle cx="12" cy="12" r="8.5"/><path d="M3.5 12h17"/>'
                '<path d="M12 3.5c2.5 2.6 3.5 5.4 3.5 8.5s-1 5.9-3.5 8.5'
                'c-2.5-2.6-3.5-5.4-3.5-8.5s1-5.9 3.5-8.5z"/>',
    "help": '<circle cx="12" cy="12" r="8.5"/><path d="M9.6 9.6a2.5 2.5 0 1 1 3.4 2.3'
            'c-.7.3-1 .8-1 1.5v.6"/><path d="M12 17h.01"/>',
    "clock": '<circle cx="12" cy="12" r="8.5"/><path d="M12 7.5V12l3 2"/>',
    "external": '<path d="M14 4.5h5.5V10"/><path d="M19.5 4.5 11 13"/>'
                '<path d="M17 13.5v5a1.5 1.5 0 0 1-1.5 1.5h-10A1.5 1.5 0 0 1 4 18.5v-10'
                'A1.5 1.5 0 0 1 5.5 7h5"/>',
    "add": '<path d="M12 5v14M5 12h14"/>',
    "zoom-in": '<circle cx="10.5" cy="10.5" r="6"/><path d="m15 15 5 5M8 10.5h5M10.5 8v5"/>',
    "zoom-out": '<circle cx="10.5" cy="10.5" r="6"/><path d="m15 15 5 5M8 10.5h5"/>',
    "fit": '<path d="M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5"/>',
    "panel": '<rect x="3.5" y="4.5" width="17" height="15" rx="2"/><path d="M14.5 4.5v15"/>',
    "folder": '<path d="M3.5 6.5a1.5 1.5 0 0 1 1.5-1.5h4l2 2h8a1.5 1.5 0 0 1 1.5 1.5v9.5'
              'a1.5 1.5 0 0 1-1.5 1.5H5a1.5 1.5 0 0 1-1.5-1.5z"/>',
    "filter": '<path d="M4 5.5h16l-6.2 7.3v5.7l-3.6 1.5v-7.2z"/>',
    "sort": '<path d="M7 4.5v15"/><path d="m3.5 16 3.5 3.5 3.5-3.5"/>'
            '<path d="M13 7h7.5M13 12h5.5M13 17h3.5"/>',
    "warning": '<path d="M12 4 2.8 19.5h18.4z"/><path d="M12 10v4.5M12 17.2h.01"/>',
    "person": '<circle cx="12" cy="8.5" r="4"/><path d="M4.5 20a7.5 7.5 0 0 1 15 0"/>',
    "sync": '<path d="M19.5 12a7.5 7.5 0 0 1-13 5.1"/><path d="M4.5 12a7.5 7.5 0 0 1 13-5.1"/>'
            '<path d="M17.5 3v4h-4M6.5 21v-4h4"/>',
    "mentorship": '<circle cx="8.5" cy="8" r="3.2"/><path d="M2.5 19.5a6 6 0 0 1 12 0"/>'
                  '<circle cx="16.5" cy="9.5" r="2.6"/><path d="M15 14.2a5 5 0 0 1 6.5 5.3"/>',
    "lock": '<rect x="5" y="10.5" width="14" height="10" rx="1.5"/>'
            '<path d="M8 10.5V7.5a4 4 0 0 1 8 0v3"/><path d="M12 14.5v2.5"/>',
}

#: Icons that point somewhere: mirrored in right-to-left layouts.
#: Media symbols (play, continue) keep their direction in every language, as in Material
#: Design's guidance on bidirectionality.
_DIRECTIONAL = {"back", "previous", "next", "external", "interactive"}

KIND_ICONS = {
    "article": "article", "video": "video", "audio": "audio", "pdf": "pdf", "image": "image",
    "quiz": "quiz", "link": "link", "interactive": "interactive",
}


def svg(name: str, color: str, stroke: float = 1.8) -> bytes:
    body = _PATHS[name]
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" '
        f'stroke="{color}" stroke-width="{stroke}" stroke-linecap="round" '
        f'stroke-linejoin="round">{body}</svg>'
    ).encode()


class _Engine(QIconEngine):
    def __init__(self, name: str, role: QPalette.ColorRole | None, color: QColor | None) -> None:
        super().__init__()
        self.name = name
        self.role = role
        self.color = color
        self._cache: dict[tuple[int, int, int, str, bool], QPixmap] = {}

    def clone(self) -> QIconEngine:
        return _Engine(self.name, self.role, self.color)

    def _color(self, mode: QIcon.Mode) -> QColor:
        palette = QGuiApplication.palette()
        if mode == QIcon.Mode.Disabled:
            return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
        if self.color is not None:
            return self.color
        if mode == QIcon.Mode.Selected:
            return palette.color(QPalette.ColorRole.HighlightedText)
        return palette.color(self.role or QPalette.ColorRole.WindowText)

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        color = self._color(mode)
        renderer = QSvgRenderer(QByteArray(svg(self.name, color.name())))
        painter.save()
        mirrored = (
            self.name in _DIRECTIONAL
            and QGuiApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
        )
        if mirrored:
            painter.translate(rect.x() * 2 + rect.width(), 0)
            painter.scale(-1, 1)
        renderer.render(painter, QRectF(rect))
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        color = self._color(mode)
        rtl = QGuiApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
        ratio = QGuiApplication.primaryScreen().devicePixelRatio() if \
            QGuiApplication.primaryScreen() else 1.0
        key = (size.width(), size.height(), int(mode.value), color.name(), rtl)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        pixmap = QPixmap(size * ratio)
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.paint(painter, QRect(QPoint(0, 0), size), mode, state)
        painter.end()
        self._cache[key] = pixmap
        return pixmap


def icon(
    name: str, role: QPalette.ColorRole | None = None, color: QColor | str | None = None
) -> QIcon:
    """An icon of the set, drawn in ``color``, or the palette colour ``role`` (text by
    default) of the theme in force when it is painted."""
    if name not in _PATHS:
        raise KeyError(name)
    return QIcon(_Engine(name, role, QColor(color) if color is not None else None))


def blank(size: int = 16) -> QIcon:
    """An empty icon that keeps the space of one (aligns unmarked rows with marked ones)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    return QIcon(pixmap)


def kind_icon(kind: str, **kwargs: object) -> QIcon:
    return icon(KIND_ICONS.get(kind, "article"), **kwargs)  # type: ignore[arg-type]


def names() -> list[str]:
    return sorted(_PATHS)

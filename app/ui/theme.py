"""Qt's Fusion style plus one application stylesheet, in three themes.

Colours follow Wikimedia's Codex design tokens (accent #36c, destructive #d33, success
#14866d, text #202122, subtle backgrounds #f8f9fa / #eaecf0), with a dark theme and a high
contrast theme (AAA: white on black, yellow focus and accent). Sizes derive from the user's
base font size, so the whole window scales with the font setting. Widgets ask for a look by
a ``role`` property (``h1``, ``card``, ``primary``...), never by colours of their own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("light", "dark", "high-contrast")
FONT_FAMILIES = ["Noto Sans", "Noto Sans Arabic", "Noto Naskh Arabic", "WenQuanYi Micro Hei",
                 "DejaVu Sans"]


@dataclass(frozen=True)
class Colors:
    base: str          # content background
    surface: str       # rail, top bar, cards' hover
    subtle: str        # chips, secondary buttons
    border: str        # separators and panels' edges (decoration)
    control: str       # edges of fields, buttons, cards and tick boxes; state marks (3:1)
    text: str
    muted: str         # secondary text (AA on base and surface)
    accent: str
    accent_hover: str
    accent_text: str   # text on accent
    accent_soft: str   # selection, current item
    destructive: str
    success: str
    focus: str
    link: str


LIGHT = Colors(
    base="#ffffff", surface="#f8f9fa", subtle="#eaecf0", border="#c8ccd1", control="#80868e",
    text="#202122",
    muted="#54595d", accent="#3366cc", accent_hover="#2a4b8d", accent_text="#ffffff",
    accent_soft="#eaf3ff", destructive="#d73333", success="#14866d", focus="#3366cc",
    link="#3366cc",
)
DARK = Colors(
    base="#1b1c1e", surface="#242629", subtle="#303338", border="#4a4f55", control="#858b92",
    text="#eaecf0",
    muted="#b0b6bd", accent="#6b8fe8", accent_hover="#88a3e8", accent_text="#101418",
    accent_soft="#283552", destructive="#fd7865", success="#3bc4a0", focus="#88a3e8",
    link="#88a3e8",
)
HIGH_CONTRAST = Colors(
    base="#000000", surface="#000000", subtle="#1a1a1a", border="#ffffff", control="#ffffff",
    text="#ffffff",
    muted="#f0f0f0", accent="#ffd60a", accent_hover="#fff27a", accent_text="#000000",
    accent_soft="#333300", destructive="#ff8a80", success="#7dffb0", focus="#ffd60a",
    link="#8fe3ff",
)
_BY_NAME = {"light": LIGHT, "dark": DARK, "high-contrast": HIGH_CONTRAST}


def colors(theme: str) -> Colors:
    return _BY_NAME.get(theme, LIGHT)


def palette(c: Colors) -> QPalette:
    p = QPalette()
    role = QPalette.ColorRole
    for r, value in (
        (role.Window, c.base), (role.WindowText, c.text), (role.Base, c.base),
        (role.AlternateBase, c.surface), (role.Text, c.text), (role.Button, c.subtle),
        (role.ButtonText, c.text), (role.Highlight, c.accent), (role.HighlightedText,
        c.accent_text), (role.ToolTipBase, c.text), (role.ToolTipText, c.base),
        (role.PlaceholderText, c.muted), (role.Link, c.link), (role.LinkVisited, c.link),
        (role.BrightText, c.destructive), (role.Mid, c.border), (role.Dark, c.border),
        (role.Light, c.surface), (role.Midlight, c.subtle), (role.Shadow, c.border),
        (role.Accent, c.accent),
    ):
        p.setColor(r, QColor(value))
    disabled = QColor(c.muted)
    disabled.setAlphaF(0.7)
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, r, disabled)
    return p


def _icon_file(name: str, color: str) -> str:
    """An icon of the set as an SVG file, for the stylesheet's ``image: url(...)``."""
    from app.ui import icons

    return _svg_file(f"{name}-{color.lstrip('#')}", icons.svg(name, color, 2.2))


def _svg_file(key: str, data: bytes) -> str:
    import tempfile

    user = os.getuid() if hasattr(os, "getuid") else 0
    folder = Path(tempfile.gettempdir()) / f"ujuzi-icons-{user}"
    folder.mkdir(exist_ok=True)
    path = folder / f"{key}.svg"
    if not path.exists() or path.read_bytes() != data:
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    return path.as_posix()


def _dot_file(color: str) -> str:
    """A filled dot: the mark of a chosen radio button."""
    return _svg_file(f"dot-{color.lstrip('#')}", (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">'
        f'<circle cx="12" cy="12" r="6" fill="{color}"/></svg>').encode())


def stylesheet(c: Colors, base_pt: int) -> str:
    def pt(factor: float) -> str:
        return f"{max(7.0, base_pt * factor):.1f}pt"

    arrow = _icon_file("expand", c.muted)
    arrow_up = _icon_file("collapse", c.muted)
    tick = _icon_file("check", c.accent_text)
    dot = _dot_file(c.accent_text)
    # Tick boxes are drawn here, not by Fusion, whose edge is the window colour darkened
    # (invisible on a dark background): their edge is a control colour (3:1).
    box = max(14, round(base_pt * 1.45))

    return f"""
QWidget {{ color: {c.text}; }}
QMainWindow, QStackedWidget > QWidget, QScrollArea, QScrollArea > QWidget > QWidget {{
    background: {c.base};
}}
QToolTip {{ background: {c.text}; color: {c.base}; border: none; padding: 4px 8px; }}

/* navigation rail and top bar */
#rail {{ background: {c.surface}; border: none; }}
#rail QToolButton {{
    border: 2px solid transparent; border-radius: 8px; padding: 6px 2px;
    font-size: {pt(0.82)}; color: {c.muted}; background: transparent;
}}
#rail QToolButton:hover {{ background: {c.subtle}; color: {c.text}; }}
#rail QToolButton:checked {{ background: {c.accent}; color: {c.accent_text}; }}
#rail QToolButton:focus {{ border-color: {c.focus}; }}
#rail QToolButton:checked:focus {{ border-color: {c.text}; }}
#topbar {{ background: {c.base}; border-bottom: 1px solid {c.border}; }}
#crumbs {{ font-size: {pt(1.0)}; color: {c.muted}; }}
#crumbs a {{ color: {c.muted}; }}

/* type */
QLabel[role="h1"] {{ font-size: {pt(1.75)}; font-weight: 700; }}
QLabel[role="h2"] {{ font-size: {pt(1.3)}; font-weight: 600; }}
QLabel[role="h3"] {{ font-size: {pt(1.08)}; font-weight: 600; }}
QLabel[role="muted"] {{ color: {c.muted}; }}
QLabel[role="small"] {{ color: {c.muted}; font-size: {pt(0.9)}; }}
QLabel[role="success"] {{ color: {c.success}; font-weight: 600; }}
QLabel[role="error"] {{ color: {c.destructive}; font-weight: 600; }}
QLabel[role="chip"] {{
    background: {c.subtle}; border-radius: 10px; padding: 2px 8px; font-size: {pt(0.85)};
}}
QLabel a {{ color: {c.link}; }}

/* cards */
QFrame[role="card"] {{
    background: {c.base}; border: 1px solid {c.control}; border-radius: 8px;
}}
QFrame[role="card"]:hover {{ border-color: {c.muted}; }}
QFrame[role="card"]:focus {{ border: 2px solid {c.focus}; }}
QFrame[role="panel"] {{ background: {c.surface}; border: 1px solid {c.border};
    border-radius: 8px; }}
QFrame[role="banner"] {{ background: {c.accent_soft}; border: 1px solid {c.accent};
    border-radius: 8px; }}
QFrame[role="feedback-right"] {{ border: 1px solid {c.success}; border-radius: 8px;
    background: {c.base}; }}
QFrame[role="feedback-wrong"] {{ border: 1px solid {c.destructive}; border-radius: 8px;
    background: {c.base}; }}
QFrame[role="separator"] {{ background: {c.border}; max-height: 1px; min-height: 1px;
    border: none; }}

/* buttons */
QPushButton, QToolButton[role="button"] {{
    background: {c.base}; border: 1px solid {c.control}; border-radius: 6px;
    padding: 6px 14px; min-height: {pt(1.4)};
}}
QPushButton:hover, QToolButton[role="button"]:hover {{ background: {c.subtle}; }}
QPushButton:pressed {{ background: {c.border}; }}
QPushButton:focus, QToolButton:focus {{ border: 2px solid {c.focus}; }}
QPushButton:disabled {{ color: {c.muted}; background: {c.surface}; }}
QPushButton[role="primary"] {{
    background: {c.accent}; color: {c.accent_text}; border: 1px solid {c.accent};
    font-weight: 600;
}}
QPushButton[role="primary"]:hover {{ background: {c.accent_hover}; }}
QPushButton[role="primary"]:disabled {{ background: {c.subtle}; color: {c.muted};
    border-color: {c.subtle}; }}
QPushButton[role="primary"]:focus {{ border: 2px solid {c.text}; }}
QPushButton[role="destructive"] {{ color: {c.destructive}; border-color: {c.destructive}; }}
QPushButton[role="destructive"]:hover {{ background: {c.destructive}; color: {c.base}; }}
QPushButton[role="quiet"], QToolButton[role="quiet"] {{
    border: 2px solid transparent; background: transparent; padding: 4px 8px;
}}
QPushButton[role="quiet"]:hover, QToolButton[role="quiet"]:hover {{ background: {c.subtle}; }}
QPushButton[role="quiet"]:focus, QToolButton[role="quiet"]:focus {{
    border: 2px solid {c.focus};
}}
QToolButton[role="quiet"]:checked, QPushButton[role="quiet"]:checked {{
    background: {c.accent_soft}; color: {c.text};
}}

/* inputs */
QLineEdit, QPlainTextEdit, QTextEdit, QSpinBox, QComboBox {{
    background: {c.base}; border: 1px solid {c.control}; border-radius: 6px; padding: 5px 8px;
    selection-background-color: {c.accent}; selection-color: {c.accent_text};
}}
QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus, QSpinBox:focus, QComboBox:focus {{
    border: 2px solid {c.focus};
}}
QLineEdit#search {{ border-radius: 16px; padding: 5px 12px; background: {c.surface}; }}
QLineEdit#search:focus {{ background: {c.base}; }}
QComboBox {{ padding-right: 28px; }}
QComboBox::drop-down {{ border: none; width: 26px; subcontrol-origin: padding;
    subcontrol-position: center right; }}
QComboBox::down-arrow {{ image: url({arrow}); width: 14px; height: 14px; }}
QSpinBox::up-button, QSpinBox::down-button {{ border: none; width: 20px; }}
QSpinBox::up-arrow {{ image: url({arrow_up}); width: 12px; height: 12px; }}
QSpinBox::down-arrow {{ image: url({arrow}); width: 12px; height: 12px; }}
QComboBox QAbstractItemView {{ background: {c.base}; border: 1px solid {c.border};
    selection-background-color: {c.accent_soft}; selection-color: {c.text}; }}
QCheckBox, QRadioButton {{ spacing: 8px; padding: 3px; }}
QCheckBox::indicator, QRadioButton::indicator, QAbstractItemView::indicator {{
    width: {box}px; height: {box}px; border: 2px solid {c.control}; border-radius: 4px;
    background: {c.base};
}}
QRadioButton::indicator {{ border-radius: {box // 2 + 2}px; }}
QCheckBox::indicator:checked, QAbstractItemView::indicator:checked {{
    background: {c.accent}; border-color: {c.accent}; image: url({tick});
}}
QRadioButton::indicator:checked {{
    background: {c.accent}; border-color: {c.accent}; image: url({dot});
}}
QCheckBox::indicator:indeterminate {{ background: {c.subtle}; }}
QCheckBox::indicator:disabled, QRadioButton::indicator:disabled {{
    border-color: {c.border}; background: {c.surface};
}}
QCheckBox:focus, QRadioButton:focus {{ border: 2px solid {c.focus}; border-radius: 4px; }}

/* lists and trees */
QListView, QTreeView, QTableView, QListWidget, QTableWidget {{
    background: {c.base}; border: none; outline: none;
    selection-background-color: {c.accent_soft}; selection-color: {c.text};
}}
QListView:focus, QTreeView:focus, QTableView:focus, QListWidget:focus {{
    border: 2px solid {c.focus}; border-radius: 6px;
}}
QListView[role="facets"] {{ background: transparent; }}
QHeaderView::section {{ background: {c.surface}; border: none;
    border-bottom: 1px solid {c.border}; padding: 6px; font-weight: 600; }}
QTextBrowser {{ background: {c.base}; border: none; }}
QTextBrowser:focus {{ border: 2px solid {c.focus}; }}

QTabWidget::pane {{ border: none; border-top: 1px solid {c.border}; }}
QTabBar::tab {{ padding: 6px 14px; border: none; border-bottom: 2px solid transparent;
    color: {c.muted}; background: transparent; }}
QTabBar::tab:selected {{ color: {c.text}; border-bottom: 2px solid {c.accent}; }}
QTabBar::tab:focus {{ border: 2px solid {c.focus}; }}

QProgressBar {{ background: {c.subtle}; border: none; border-radius: 3px; max-height: 6px;
    min-height: 6px; text-align: center; }}
QProgressBar::chunk {{ background: {c.accent}; border-radius: 3px; }}
QProgressBar[role="done"]::chunk {{ background: {c.success}; }}

QScrollBar:vertical {{ background: transparent; width: 12px; margin: 0; }}
QScrollBar::handle:vertical {{ background: {c.control}; border-radius: 5px; min-height: 32px;
    margin: 2px; }}
QScrollBar:horizontal {{ background: transparent; height: 12px; margin: 0; }}
QScrollBar::handle:horizontal {{ background: {c.control}; border-radius: 5px; min-width: 32px;
    margin: 2px; }}
QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; }}
QScrollBar::add-page, QScrollBar::sub-page {{ background: transparent; }}

QSplitter::handle {{ background: {c.border}; }}
QSplitter::handle:horizontal {{ width: 1px; }}
QMenu {{ background: {c.base}; border: 1px solid {c.border}; padding: 4px; }}
QMenu::item {{ padding: 6px 20px; border-radius: 4px; }}
QMenu::item:selected {{ background: {c.accent_soft}; }}
QDialog {{ background: {c.base}; }}
#dropOverlay {{ background: {c.accent_soft}; border: 3px dashed {c.accent};
    border-radius: 12px; font-size: {pt(1.3)}; font-weight: 600; }}
"""


def apply(app: QApplication, theme: str, font_size: int) -> Colors:
    """Apply a theme and base font size to the whole application."""
    c = colors(theme)
    app.setStyle("Fusion")
    font = QFont(app.font())
    font.setFamilies(FONT_FAMILIES)
    font.setPointSize(max(7, int(font_size)))
    app.setFont(font)
    app.setPalette(palette(c))
    app.setStyleSheet(stylesheet(c, max(7, int(font_size))))
    app.setProperty("ujuzi_theme", theme)
    return c


def current() -> Colors:
    app = QApplication.instance()
    name = app.property("ujuzi_theme") if app is not None else None
    return colors(str(name or "light"))

"""The main window: a navigation rail on the leading side, a top bar (back, breadcrumb,
search, task status), and the pages in a stack.

Pages are made when first shown (start-up builds only the first one). The window routes
navigation requests from pages (through the context), keeps the history for Alt+Left, owns
the keyboard shortcuts and the help overlay, and imports files dropped on it or chosen in
the file dialog.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDropEvent,
    QKeyEvent,
    QKeySequence,
    QPalette,
    QResizeEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.formatting import isolate
from app.i18n import _, ngettext
from app.tasks import Reporter
from app.ui import access, icons, theme
from app.ui.context import AppContext, Task
from app.ui.pages.base import Crumb, Page
from app.ui.widgets import FitArea, clear_layout, fit_height, label, scrolling, tip

if TYPE_CHECKING:
    from app.library import Library
    from app.ui.library_watch import LibraryWatcher

RAIL = ("home", "library", "search", "notes", "downloads", "mentorship")
#: Posted to the window when it is ready, handled after its repaint (see _maybe_ready).
SETTLE_EVENT = QEvent.Type(QEvent.registerEventType())


def page_class(name: str) -> type[Page]:
    if name == "home":
        from app.ui.pages.home import HomePage

        return HomePage
    if name == "library":
        from app.ui.pages.library import LibraryPage

        return LibraryPage
    if name == "pack":
        from app.ui.pages.pack import PackPage

        return PackPage
    if name == "resource":
        from app.ui.pages.resource import ResourcePage

        return ResourcePage
    if name == "search":
        from app.ui.pages.search import SearchPage

        return SearchPage
    if name == "notes":
        from app.ui.pages.notes import NotesPage

        return NotesPage
    if name == "downloads":
        from app.ui.pages.downloads import DownloadsPage

        return DownloadsPage
    if name == "settings":
        from app.ui.pages.settings import SettingsPage

        return SettingsPage
    if name == "review":
        from app.ui.pages.review import ReviewPage

        return ReviewPage
    if name == "profiles":
        from app.ui.pages.profiles import ProfilesPage

        return ProfilesPage
    if name == "learners":
        from app.ui.pages.learners import LearnersPage

        return LearnersPage
    if name == "mentorship":
        from app.ui.pages.mentorship import MentorshipPage

        return MentorshipPage
    raise KeyError(name)


def rail_label(name: str) -> str:
    return {"home": _("Home"), "library": _("Library"), "search": _("Search"),
            "notes": _("Notes"), "downloads": _("Downloads"), "mentorship": _("Mentorship"),
            "settings": _("Settings")}[name]


def import_file(library: Library, path: Path, reporter: Reporter) -> Any:
    """Import any supported file or folder: a .ujpack, or a format the importers know; a
    folder of plain files gives a FolderToBuild (app/ui/make_pack.py)."""
    from app.ui.make_pack import import_or_build

    return import_or_build(library, path, reporter)


def import_filter() -> str:
    patterns = "*.ujpack"
    try:
        from app.packs.importers import SUFFIXES
    except ImportError:
        pass
    else:
        patterns = " ".join(f"*{suffix}" for suffix in SUFFIXES)
    return _("Learning packs ({patterns})").format(patterns=patterns) + ";;" + \
        _("All files (*)")


class HelpDialog(QDialog):
    """The keyboard shortcuts (F1 or ?)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setModal(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        self.heading = QLabel()
        self.heading.setProperty("role", "h2")
        layout.addWidget(self.heading)
        # The list scrolls when it is taller than the screen (large text): Close stays whole.
        rows = QWidget()
        self.grid = QGridLayout(rows)
        self.grid.setContentsMargins(0, 0, 12, 0)
        self.grid.setHorizontalSpacing(24)
        self.grid.setVerticalSpacing(8)
        self.rows = rows
        self.area = scrolling(rows)
        layout.addWidget(self.area, 1)
        row = QHBoxLayout()
        row.addStretch()
        self.close_button = QPushButton()
        self.close_button.clicked.connect(self.close)
        self.close_button.setDefault(True)
        row.addWidget(self.close_button)
        layout.addLayout(row)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Keyboard shortcuts"))
        self.heading.setText(_("Keyboard shortcuts"))
        self.close_button.setText(_("Close"))
        clear_layout(self.grid)
        rows = [
            ("Ctrl+K, Ctrl+F", _("Search")),
            ("↓ ↑, Enter", _("Move through results, open one")),
            ("Alt+←", _("Back")),
            ("Ctrl+1 … Ctrl+5", _("Home, Library, Search, Notes, Downloads")),
            ("Ctrl+,", _("Settings")),
            ("Ctrl+O", _("Import a pack")),
            ("Ctrl+Enter", _("Save a note")),
            ("Tab, Shift+Tab", _("Move between controls")),
            ("Enter, Space", _("Press the button that has the focus")),
            ("F1, ?", _("Show this list")),
            ("", _("Video and audio")),
            *player_keys(),
        ]
        for row, (keys, text) in enumerate(rows):
            if not keys:  # a heading
                heading = QLabel(text)
                heading.setProperty("role", "h3")
                self.grid.addWidget(heading, row, 0, 1, 2)
                continue
            key = QLabel(keys)
            key.setProperty("role", "chip")
            key.setProperty("content", True)
            self.grid.addWidget(key, row, 0, Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(label(text), row, 1)  # wraps in a narrow screen
        self.grid.setColumnStretch(1, 1)
        self._fit()

    def _fit(self) -> None:
        """As big as the list needs, within the screen."""
        screen = self.screen().availableGeometry()
        width = min(self.fontMetrics().averageCharWidth() * 72, screen.width() - 40)
        self.rows.setFixedWidth(width - 80)  # the height for that width, then the area's
        need = self.rows.sizeHint().height()
        self.rows.setMinimumWidth(0)
        self.rows.setMaximumWidth(16_777_215)
        self.resize(width, min(need + 160, screen.height() - 40))


def player_keys() -> list[tuple[str, str]]:
    """The keys of the media player (app/player/qt_widget.py), for the list of shortcuts."""
    from app import formatting
    from app.player.qt_controls import ARROW_SECONDS, SKIP_SECONDS

    def step(value: float) -> str:
        return ngettext("Back or forward {n} second", "Back or forward {n} seconds",
                        int(value)).format(n=formatting.number(int(value)))

    return [
        ("Space, K", _("Play or pause")),
        ("J, L", step(SKIP_SECONDS)),
        ("← →", step(ARROW_SECONDS)),
        ("↑ ↓", _("Volume up or down")),
        ("M", _("Mute or unmute")),
        ("C", _("Subtitles on or off")),
        ("F, Esc", _("Full screen, leave full screen")),
    ]


def page_area(page: Page) -> FitArea:
    """A page in the window: in a scroll area, so that a page whose content needs more room
    than the window has (a large text size, a long translation, a small screen) scrolls
    instead of squashing or cutting its text, and never makes the window bigger."""
    area = FitArea()
    area.setObjectName(f"area-{page.name}")
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    area.setWidget(page)
    return area


class DropOverlay(QLabel):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("dropOverlay")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.hide()


class SearchField(QLineEdit):
    """The top bar's search field: as wide as its placeholder needs when there is room
    (``preferred``), narrower (down to its minimum) when the breadcrumb needs the room."""

    def __init__(self) -> None:
        super().__init__()
        self.preferred = 300

    def sizeHint(self) -> QSize:
        return QSize(self.preferred, super().sizeHint().height())


class TopBar(QFrame):
    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.setObjectName("topbar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 16, 8)
        layout.setSpacing(8)
        self.back = QToolButton()
        self.back.setProperty("role", "quiet")
        self.back.setIcon(icons.icon("back"))
        self.back.setIconSize(QSize(20, 20))
        self.back.clicked.connect(window.back)
        layout.addWidget(self.back)
        self.crumbs = access.LinkLabel()
        self.crumbs.setObjectName("crumbs")
        self.crumbs.setTextFormat(Qt.TextFormat.RichText)
        self.crumbs.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.crumbs.linkActivated.connect(window.crumb_clicked)
        self.crumbs.setProperty("content", True)
        self.crumbs.setWordWrap(True)  # long titles or big text: a second line, never cut
        layout.addWidget(self.crumbs, 1)
        self.search = SearchField()
        self.search.setObjectName("search")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icons.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setMinimumWidth(300)
        self.search.setMaximumWidth(420)
        layout.addWidget(self.search)
        self.status = QWidget()
        status = QHBoxLayout(self.status)
        status.setContentsMargins(8, 0, 0, 0)
        status.setSpacing(6)
        self.status_text = QLabel()
        self.status_text.setTextFormat(Qt.TextFormat.PlainText)  # file names, pack titles
        self.status_text.setProperty("role", "small")
        self.status_bar = QProgressBar()
        self.status_bar.setRange(0, 1000)
        self.status_bar.setTextVisible(False)
        self.status_bar.setFixedWidth(110)
        self.status_cancel = QToolButton()
        self.status_cancel.setProperty("role", "quiet")
        self.status_cancel.setIcon(icons.icon("close"))
        status.addWidget(self.status_text)
        status.addWidget(self.status_bar)
        status.addWidget(self.status_cancel)
        self.status.hide()
        layout.addWidget(self.status)


class MainWindow(QMainWindow):
    #: the first page (and the resource asked for with --open) is shown with its data
    ready = Signal()
    #: after ``ready``, once that complete window has been painted: the background work
    #: (the hub, sync, the watch for packs added elsewhere) starts then, not before
    settled = Signal()

    def __init__(self, ctx: AppContext, open_id: str | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        if ctx.window_factory is None:
            ctx.window_factory = open_window
        self.open_id = open_id
        self.pages: dict[str, Page] = {}
        #: each page's scroll area in the stack (see page_area())
        self.page_areas: dict[str, FitArea] = {}
        self.current: Page | None = None
        self.history: list[tuple[str, dict[str, Any]]] = []
        self.is_ready = False
        self._page_ready = False
        self._closed = False  # a window closed before it settles starts nothing more
        self.help_dialog: HelpDialog | None = None
        access.install()
        # No fixed minimum: the window is as small as its content allows, and pages that
        # need more room than it has scroll (see page()).
        self.resize(1200, 760)
        self.setAcceptDrops(True)

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        self.rail = QFrame()
        self.rail.setObjectName("rail")
        rail = QVBoxLayout(self.rail)
        rail.setContentsMargins(8, 12, 8, 12)
        rail.setSpacing(4)
        self.rail_buttons: dict[str, QToolButton] = {}
        for name in (*RAIL, "settings"):
            button = QToolButton()
            button.setIcon(icons.icon({"downloads": "downloads"}.get(name, name)))
            button.setIconSize(QSize(24, 24))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            button.setCheckable(True)
            button.setMinimumHeight(60)
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            # Checked states are set by navigate(), not by an exclusive group: in a group,
            # only the checked button would be reachable with Tab.
            button.clicked.connect(lambda _c=False, n=name: self.navigate(n))
            self.rail_buttons[name] = button
            if name == "settings":
                rail.addStretch()
                self._rail_footer(rail)
            rail.addWidget(button)
        row.addWidget(self.rail)
        line = QFrame()
        line.setProperty("role", "separator")
        line.setFixedWidth(1)
        line.setStyleSheet("max-height: 100000px;")
        row.addWidget(line)
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(0)
        self.topbar = fit_height(TopBar(self))
        right.addWidget(self.topbar)
        self.stack = QStackedWidget()
        right.addWidget(self.stack, 1)
        row.addLayout(right, 1)
        self.setCentralWidget(central)
        self.overlay = DropOverlay(central)

        search = self.topbar.search
        search.textEdited.connect(self._search_typed)
        search.returnPressed.connect(self._search_enter)
        search.installEventFilter(self)
        self.topbar.status_cancel.clicked.connect(self._cancel_task)
        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.setInterval(6000)
        self._status_timer.timeout.connect(self._update_status)
        self._message = ""

        for keys, action in (
            ("Ctrl+K", self.focus_search), ("Ctrl+F", self.focus_search),
            ("F1", self.show_help), ("Alt+Left", self.back), ("Ctrl+O", self.import_dialog),
            ("Ctrl+,", lambda: self.navigate("settings")),
            ("Ctrl+1", lambda: self.navigate("home")), ("Ctrl+2", lambda: self.navigate("library")),
            ("Ctrl+3", lambda: self.navigate("search")), ("Ctrl+4", lambda: self.navigate("notes")),
            ("Ctrl+5", lambda: self.navigate("downloads")), ("Back", self.back),
        ):
            QShortcut(QKeySequence(keys), self, action)

        ctx.navigate_requested.connect(self.navigate)
        ctx.language_changed.connect(self.retranslate)
        ctx.theme_changed.connect(self._theme_changed)
        ctx.tasks_changed.connect(self._watch_tasks)
        ctx.status_message.connect(self.show_message)
        self.retranslate()

    def _rail_footer(self, rail: QVBoxLayout) -> None:
        """Who is learning (opens the profile chooser) and the sync state, above Settings."""
        from app.ui.sync_state import sync_of

        def footer_button(icon_name: str, action: Any) -> QToolButton:
            widget = QToolButton()
            widget.setIcon(icons.icon(icon_name))
            widget.setIconSize(QSize(20, 20))
            widget.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            widget.setProperty("role", "quiet")
            widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            widget.setCursor(Qt.CursorShape.PointingHandCursor)
            widget.clicked.connect(lambda _c=False: action())
            rail.addWidget(widget)
            return widget

        self.profile_button = footer_button("person", lambda: self.navigate("profiles"))
        self.sync_button = footer_button(
            "sync", lambda: self.navigate("settings", {"section": "sync"}))
        self.sync_button.hide()
        self.sync = sync_of(self.ctx)
        #: made once the window has settled (see _start_background)
        self.library_watch: LibraryWatcher | None = None
        self.sync.status_changed.connect(self._show_sync)
        self.ctx.profile_changed.connect(self._profile_changed)

    def _show_profile(self) -> None:
        from app.ui.context import DEFAULT_PROFILE, profile_title

        name = profile_title(self.ctx.profile or DEFAULT_PROFILE)
        # A long name is elided to the rail's width (the tooltip says it whole).
        widget = self.profile_button
        width = self.rail_buttons["home"].width()
        room = width
        while True:
            widget.setText(widget.fontMetrics().elidedText(name, Qt.TextElideMode.ElideRight,
                                                           room))
            if widget.sizeHint().width() <= width or room <= 16:
                break
            room -= 6
        self.profile_button.setProperty("content",
                                        self.ctx.profile not in (None, DEFAULT_PROFILE))
        text = _("Learning now: {name}. Switch or add a learner").format(name=name)
        self.profile_button.setToolTip(tip(text))
        self.profile_button.setAccessibleName(text)

    def _show_sync(self) -> None:
        from app.ui.sync_state import short_state, state_lines

        sync = self.sync
        text = short_state(sync.status, sync.running)
        self.sync_button.setVisible(bool(text))
        self.sync_button.setText(text)
        details = "\n".join(line for line, _role in state_lines(sync.status, sync.running))
        self.sync_button.setToolTip(tip(details))
        self.sync_button.setAccessibleName(_("Sync: {state}").format(state=details or text))
        warn = bool(sync.status and (sync.status.last_error or sync.status.conflicts))
        self.sync_button.setIcon(icons.icon("warning" if warn else "sync"))
        if self.sync_button.sizeHint().width() > self.sync_button.width():
            self._fit_rail()
            self._show_profile()

    def _profile_changed(self) -> None:
        """Another learner: what every page shows is theirs, the hub account too."""
        from app.ui.hub import hub_of

        self._show_profile()
        hub_of(self.ctx).load_account()
        self.sync.start()
        if self.current is not None and self.current.name != "profiles" and self.history:
            name, args = self.history[-1]
            self.navigate(name, args, record=False)

    # -- start ----------------------------------------------------------------------------

    def start(self) -> None:
        """Load the library and show the first page (the resource or pack asked for, else
        Home; first "Who is learning?" when the library has several profiles and none was
        chosen); ``ready`` is emitted once it is on screen with its data."""
        wanted, asked = self.ctx.profile, self.open_id

        def work(library: Library, _r: Reporter) -> Any:
            from app import profiles

            return (profiles.current_profile(library, wanted),
                    len(library.profiles()))

        def done(result: Any) -> None:
            name, count = result
            self.ctx.profile = name
            self._show_profile()
            self._start(ask=count > 1 and wanted is None and not asked)

        def failed(error: BaseException) -> None:
            self._show_profile()
            self._start(ask=False)

        self.ctx.run(work, done, failed)

    def _start(self, ask: bool) -> None:
        target = self.target(self.open_id)
        if ask:
            target = ("profiles", {"then": target})
        if target[0] == "search":
            self.topbar.search.setText(str(target[1].get("query", "")))
        # The first page leaves the focus in the search field (see _maybe_ready).
        page = self.page(target[0])
        page.loaded.connect(self._first_loaded)
        self.ctx.packs_loaded.connect(self._maybe_ready)
        self.ctx.tasks_changed.connect(self._seeding_ended)
        if self.ctx.packs is None and not self.ctx.loading_packs:
            self.ctx.reload_packs()
        self.navigate(target[0], target[1], focus=False)

    def _settle(self) -> None:
        """The complete window has been painted: say so, then start the background work."""
        if self._closed:
            return
        self.settled.emit()
        self._start_background()

    def _start_background(self) -> None:
        """What the window does besides showing the first page, started once it is on
        screen so that none of it stands in front of it: the sync of the current profile,
        the watch for packs another process adds, and the hub service (downloads left in
        the queue go on). The hub client (HTTP, the key ring) is imported by a worker; the
        GUI thread only makes the service once it is loaded."""
        from app.ui.library_watch import watch_library

        self.library_watch = watch_library(self.ctx, self)
        self.sync.start()

        def load(_reporter: Reporter) -> None:
            import app.ui.hub  # noqa: F401  # the import is the work

        def loaded(_result: Any) -> None:
            from app.ui.hub import hub_of

            hub_of(self.ctx).start()

        self.ctx.runner.run(load, loaded, self.ctx.show_error)

    @staticmethod
    def target(open_id: str | None) -> tuple[str, dict[str, Any]]:
        """The first page for ``--open``: a resource id (``pack/resource``), a pack id,
        ``page:NAME`` (home, library, notes, downloads, settings, review; ``page:NAME:PART``
        opens at a part of it, as ``page:settings:hub``) or ``search:WORDS``."""
        if not open_id:
            return "home", {}
        if open_id.startswith("search:"):
            return "search", {"query": open_id.removeprefix("search:")}
        if open_id.startswith("page:"):
            name, _colon, section = open_id.removeprefix("page:").partition(":")
            args = {"section": section} if section else {}
            return (name, args) if name in (*RAIL, "settings", "review", "profiles") \
                else ("home", {})
        if "/" in open_id:
            return "resource", {"resource_id": open_id}
        return "pack", {"pack_id": open_id}

    def _first_loaded(self) -> None:
        self._page_ready = True
        self._maybe_ready()

    def _seeding_ended(self) -> None:
        """Preparing the starter packs failed or was cancelled: no reload follows, so the
        window is ready as it is (a success reloads the packs, which makes it ready)."""
        seeding = self.ctx.seeding
        if seeding is not None and seeding.state in ("failed", "cancelled"):
            self._maybe_ready()

    def _maybe_ready(self) -> None:
        """Ready once the first page shows its data and the library's packs are loaded; on
        a first run, after the starter packs are in."""
        if self.is_ready or not self._page_ready:
            return
        seeding = self.ctx.seeding is not None and self.ctx.seeding.state == "running"
        if self.ctx.packs is None or seeding:
            return
        self.is_ready = True
        # Start in the search field: one keystroke from anything in the library, and
        # Tab leads on into the page.
        self.topbar.search.setFocus(Qt.FocusReason.OtherFocusReason)
        self.ready.emit()
        # Qt posts the repaint that showing the data asked for at low priority: an event
        # posted now at that priority comes after it, once the complete page is painted.
        QCoreApplication.postEvent(self, QEvent(SETTLE_EVENT),
                                   Qt.EventPriority.LowEventPriority.value)

    def event(self, event: QEvent) -> bool:
        if event.type() == SETTLE_EVENT:
            self._settle()
            return True
        return super().event(event)

    # -- pages and navigation -------------------------------------------------------------

    def page(self, name: str) -> Page:
        page = self.pages.get(name)
        if page is None:
            page = page_class(name)(self.ctx)
            page.crumbs_changed.connect(self._update_crumbs)
            self.pages[name] = page
            self.page_areas[name] = page_area(page)
            self.stack.addWidget(self.page_areas[name])
        return page

    def navigate(self, name: str, args: dict[str, Any] | None = None, *, record: bool = True,
                 focus: bool = True) -> None:
        """Show page ``name`` with ``args``; with ``focus``, the focus moves into the page
        once it shows its data (not while the learner types in the search field)."""
        args = dict(args or {})
        if name == "import":
            self.import_dialog()
            return
        if name == "make-pack":
            from app.ui.make_pack import MakePackDialog

            self.make_pack_dialog = MakePackDialog(self.ctx, self)
            self.make_pack_dialog.show()
            return
        if name == "help":
            self.show_help()
            return
        if name == "search" and args.pop("set_field", False):
            self.topbar.search.setText(str(args.get("query", "")))
        page = self.page(name)
        if record and self.history and self.history[-1] == (name, args):
            record = False
        if self.current is not None and self.current is not page:
            leave = getattr(self.current, "leave", None)
            if callable(leave):
                leave()
            else:
                self.current.deactivate()
        if record:
            self.history.append((name, args))
            del self.history[:-50]
        self.current = page
        self.stack.setCurrentWidget(self.page_areas[name])
        rail_name = {"pack": "library", "resource": "library",
                     "review": "downloads"}.get(name, name)
        for key, button in self.rail_buttons.items():
            checked = key == rail_name
            if checked != button.isChecked():
                # the selected item is drawn on the accent: its icon in the accent's text
                button.setIcon(icons.icon(key, role=QPalette.ColorRole.HighlightedText
                                          if checked else None))
            button.setChecked(checked)
        if focus:
            page.focus_when_loaded()
        page.activate(**args)
        self._update_crumbs()
        self.topbar.back.setEnabled(len(self.history) > 1)

    def back(self) -> None:
        if len(self.history) < 2:
            return
        self.history.pop()
        name, args = self.history[-1]
        self.navigate(name, args, record=False)

    def crumb_clicked(self, link: str) -> None:
        index = int(link)
        crumbs = self.current.crumbs() if self.current is not None else []
        if 0 <= index < len(crumbs):
            _text, name, args = crumbs[index]
            if name:
                self.navigate(name, args)

    def _update_crumbs(self) -> None:
        if self.current is None:
            return
        import html

        crumbs: list[Crumb] = self.current.crumbs()
        colors = theme.current()
        parts = []
        for index, (text, name, _args) in enumerate(crumbs):
            # a crumb may be a pack's or a resource's title: it keeps its own direction
            shown = html.escape(isolate(text))
            if name is not None and index < len(crumbs) - 1:
                parts.append(f'<a href="{index}" style="color:{colors.muted}; '
                             f'text-decoration:none">{shown}</a>')
            else:
                parts.append(f"<span style='font-weight:600'>{shown}</span>")
        # "›" is a mirrored character: right-to-left text shows it as "‹" by itself.
        separator = " &nbsp;›&nbsp; "
        self.topbar.crumbs.setText(separator.join(parts))
        self.topbar.crumbs.setAccessibleName(_("You are here: {path}").format(
            path=" › ".join(text for text, _n, _a in crumbs)))
        title = crumbs[-1][0] if crumbs else ""
        self.setWindowTitle(f"{title} — Ujuzi" if title else "Ujuzi")

    # -- search ---------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.topbar.search.setFocus()
        self.topbar.search.selectAll()

    def _search_typed(self, text: str) -> None:
        page = self.page("search")
        if self.current is not page:
            self.navigate("search", {}, focus=False)
        page.set_query(text)  # type: ignore[attr-defined]

    def _search_enter(self) -> None:
        page = self.page("search")
        if self.current is not page:
            self.navigate("search", {"query": self.topbar.search.text()}, focus=False)
            return
        page.open_current()  # type: ignore[attr-defined]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.topbar.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Down and self.current is self.pages.get("search"):
                self.pages["search"].focus_results()  # type: ignore[attr-defined]
                return True
            if event.key() == Qt.Key.Key_Escape:
                self.topbar.search.clear()
                if self.current is self.pages.get("search"):
                    self.back()
                return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.text() == "?":
            self.show_help()
            return
        if access.press_focused(event):  # Enter on a button no one else took
            return
        super().keyPressEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab and Shift+Tab: the next control in reading order (app.ui.access)."""
        return access.move_focus(self, next) or super().focusNextPrevChild(next)

    # -- help -----------------------------------------------------------------------------

    def show_help(self) -> None:
        if self.help_dialog is None:
            self.help_dialog = HelpDialog(self)
        self.help_dialog.show()
        self.help_dialog.raise_()
        self.help_dialog.activateWindow()

    # -- importing ------------------------------------------------------------------------

    def import_dialog(self) -> None:
        from app.ui.dialogs import choose_import

        paths = choose_import(self, import_filter())
        if paths:
            self.import_paths(paths, open_after=True)

    def import_paths(self, paths: list[Path], open_after: bool = False) -> list[Task]:
        tasks: list[Task] = []
        for path in paths:
            def work(library: Library, reporter: Reporter, path: Path = path) -> Any:
                return import_file(library, path, reporter)

            def done(result: Any, path: Path = path) -> None:
                from app.ui.make_pack import FolderToBuild, MakePackDialog

                if isinstance(result, FolderToBuild):
                    self.make_pack_dialog = MakePackDialog(self.ctx, self, result.folder)
                    self.make_pack_dialog.show()
                    return
                self.ctx.library_changed.emit()
                pack_id = getattr(result, "pack_id", None)
                self.show_message(_("Imported {name}").format(name=path.name))
                if getattr(result, "skipped", None):
                    from app.ui.import_report import show_import_report

                    show_import_report(self, result)
                if open_after and pack_id and len(paths) == 1:
                    self.ctx.open_pack(pack_id)

            tasks.append(self.ctx.start_task(
                _("Importing {name}").format(name=path.name), work, done))
        return tasks

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()
            self.overlay.setText(_("Drop to import into your library"))
            self.overlay.setGeometry(self.rect().adjusted(24, 24, -24, -24))
            self.overlay.show()
            self.overlay.raise_()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.overlay.hide()

    def dropEvent(self, event: QDropEvent) -> None:
        self.overlay.hide()
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths)

    # -- status ---------------------------------------------------------------------------

    def _watch_tasks(self) -> None:
        for task in self.ctx.tasks:
            if not task.property("watched"):
                task.setProperty("watched", True)
                task.changed.connect(self._update_status)
        self._update_status()

    def _running(self) -> Task | None:
        return next((t for t in reversed(self.ctx.tasks) if t.state == "running"), None)

    def _update_status(self) -> None:
        bar = self.topbar
        task = self._running()
        if task is not None:
            bar.status_text.setText(task.title)
            bar.status_bar.setValue(int(task.fraction * 1000))
            bar.status_bar.show()
            bar.status_cancel.show()
            bar.status_cancel.setToolTip(tip(_("Cancel {task}").format(task=task.title)))
            bar.status_cancel.setAccessibleName(_("Cancel {task}").format(task=task.title))
            bar.status.show()
        elif self._message and self._status_timer.isActive():
            bar.status_text.setText(self._message)
            bar.status_bar.hide()
            bar.status_cancel.hide()
            bar.status.show()
        else:
            bar.status.hide()

    def show_message(self, text: str) -> None:
        self._message = text
        self._status_timer.start()
        self._update_status()

    def _cancel_task(self) -> None:
        task = self._running()
        if task is not None:
            task.cancel()

    # -- language and theme ---------------------------------------------------------------

    def retranslate(self) -> None:
        for name, button in self.rail_buttons.items():
            text = rail_label(name)
            button.setText(text)
            button.setAccessibleName(text)
            button.setToolTip(text)
        self.rail.setAccessibleName(_("Main sections"))
        self.topbar.back.setToolTip(_("Back (Alt+Left)"))
        self.topbar.back.setAccessibleName(_("Back"))
        self.topbar.search.setPlaceholderText(_("Search everything (Ctrl+K)"))
        self.topbar.search.setAccessibleName(_("Search"))
        self.topbar.status_bar.setAccessibleName(_("Progress of the running task"))
        if self.help_dialog is not None:
            self.help_dialog.retranslate()
        self._show_sync()
        self._fit_rail()
        self._show_profile()
        self._update_crumbs()
        self._update_status()

    def _fit_rail(self) -> None:
        """The rail is as wide as its longest label needs (languages and text sizes vary)."""
        buttons = [*self.rail_buttons.values(), self.sync_button]
        for button in buttons:
            button.setMinimumWidth(0)
            button.setMaximumWidth(16_777_215)
        self._compact_rail()
        width = max([84, *(button.sizeHint().width() for button in buttons)])
        for button in (*buttons, self.profile_button):
            button.setFixedWidth(width)
        # The search field fits its placeholder in the current language and text size when
        # there is room, and gives way to the breadcrumb when there is not.
        search = self.topbar.search
        need = search.fontMetrics().horizontalAdvance(search.placeholderText()) + 80
        search.setMinimumWidth(min(need, search.fontMetrics().averageCharWidth() * 16))
        search.preferred = min(need, 560)
        search.updateGeometry()
        search.setMaximumWidth(max(420, min(need + 80, 640)))

    def _compact_rail(self) -> None:
        """The rail's items show their labels under their icons when the window is tall
        enough for them, else their icons alone (the label is in the tooltip and the
        accessible name): a short window or a large text size never squashes them."""
        buttons = [b for b in self.rail.findChildren(QToolButton) if not b.isHidden()]
        full = Qt.ToolButtonStyle.ToolButtonTextUnderIcon
        for button in buttons:
            button.setToolButtonStyle(full)
        layout, central = self.rail.layout(), self.centralWidget()
        if layout is None or central is None:
            return
        margins = layout.contentsMargins()
        need = sum(b.sizeHint().height() + layout.spacing() for b in buttons) + \
            margins.top() + margins.bottom()
        room = central.height()
        if need > room:
            for button in buttons:
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_rail()

    def _theme_changed(self) -> None:
        self._fit_rail()
        self._show_profile()
        self._update_crumbs()
        for view in self.findChildren(QAbstractItemView):
            view.doItemsLayout()
            view.viewport().update()
        self.update()

    # -- closing --------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        self._closed = True
        if self.library_watch is not None:
            self.library_watch.stop()
        self.sync.stop()
        if self.current is not None:
            self.current.deactivate()
        resource = self.pages.get("resource")
        if resource is not None:
            resource.shutdown()  # type: ignore[attr-defined]
        # Workers emit to objects owned by this window: let them finish before it goes.
        for task in self.ctx.tasks:
            task.cancel()
        self.ctx.runner.wait()
        super().closeEvent(event)


def open_window(ctx: AppContext, open_id: str | None = None) -> MainWindow:
    """Another main window on ``ctx`` (a curator's preview of a submitted pack), shown and
    started, opening ``open_id``."""
    window = MainWindow(ctx, open_id)
    window.show()
    window.start()
    return window

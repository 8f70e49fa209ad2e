"""What every page shares: the data directory, the task runner, the settings in force, and
the signals by which one part of the window tells the others that something changed.

Pages never talk to each other directly: they ask the context to navigate, and they listen
to its signals (language, theme, library, progress, notes) to refresh what they show.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QLibraryInfo,
    QObject,
    QSize,
    Qt,
    QTimer,
    QTranslator,
    Signal,
    SignalInstance,
)
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QWidget

from app import i18n, logs
from app.errors import Cancelled, UjuziError
from app.i18n import _
from app.learning import language_chain
from app.paths import layout
from app.settings import Settings
from app.tasks import Progress, Reporter
from app.ui import theme
from app.ui.collector import GuiThreadCollector
from app.ui.images import load_image_within
from app.ui.tasks import TaskHandle, TaskRunner

if TYPE_CHECKING:
    from app.library import Library

#: How many "Continue where you left off" cards Home shows: the only ones loaded.
CONTINUE_CARDS = 3
#: The profile every library has (``app.library.DEFAULT_PROFILE``, repeated here: the
#: window's first frame does not wait for the library's modules, which a worker loads).
DEFAULT_PROFILE = "default"

RTL_LANGUAGES = {"ar", "fa", "ur", "he", "ps", "sd", "ug", "yi", "dv", "ckb"}

LibraryWork = Callable[["Library", Reporter], Any]


def is_rtl(language: str) -> bool:
    return language.split("-")[0].split("_")[0] in RTL_LANGUAGES


def profile_title(name: str) -> str:
    """A profile's name as shown (the default profile has a translated one)."""
    return _("Default learner") if name == DEFAULT_PROFILE else name


class Task(QObject):
    """A background task the user can see (import, first-run preparation): shown in the top
    bar and on the Downloads page, with progress and cancel."""

    changed = Signal()

    def __init__(self, title: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.fraction = 0.0
        self.detail = ""
        self.state = "running"  # running, done, failed, cancelled
        self.error = ""
        self.handle: TaskHandle | None = None
        self.retry: Callable[[], None] | None = None

    def cancel(self) -> None:
        if self.handle is not None and self.state == "running":
            self.handle.cancel()


class AppContext(QObject):
    language_changed = Signal()
    theme_changed = Signal()
    #: packs were imported or removed
    library_changed = Signal()
    #: a resource's progress changed (resource id)
    progress_changed = Signal(str)
    #: notes of a resource changed (resource id)
    notes_changed = Signal(str)
    #: ask the window to show a page: name, arguments
    navigate_requested = Signal(str, dict)
    tasks_changed = Signal()
    #: a short message for the top bar's status area
    status_message = Signal(str)
    #: the pack summaries (``packs``, ``covers``, ``continue_items``) were reloaded
    packs_loaded = Signal()
    #: the first-run preparation of the starter packs started (a Task)
    seeding_started = Signal(object)
    #: another learner profile is now the current one (:meth:`switch_profile`)
    profile_changed = Signal()

    def __init__(self, home: str | None, profile: str | None, parent: QObject | None = None
                 ) -> None:
        super().__init__(parent)
        self.home = home
        self.profile = profile
        self.runner = TaskRunner(self)
        # Cyclic garbage is collected on the GUI thread only, never by a worker of the
        # runner (app/ui/collector.py); stopped when the context is done with.
        self.collector = GuiThreadCollector(self)
        # The settings file is read once here, on the GUI thread, before the window exists:
        # the language, theme and font decide how the first frame looks. Writes go through
        # the task runner.
        paths = layout(home)
        self.data_dir = paths.home
        self._settings = Settings(paths)
        self.values: dict[str, Any] = {
            name: self._settings.get(name)
            for name in ("ui_language", "content_languages", "font_size", "theme")
        }
        self.tasks: list[Task] = []
        #: False while nobody is at the window (``ujuzi gui --screenshot``): errors go to
        #: stderr instead of a dialog that would wait for a click
        self.interactive = True
        #: the errors reported so far (what the screenshot's exit code is made of)
        self.failures: list[str] = []
        self._qt_translator: QTranslator | None = None
        self.packs: list[dict[str, Any]] | None = None
        #: why the library's packs could not be loaded ("" when they were)
        self.packs_error = ""
        self.covers: dict[str, QImage] = {}
        self.continue_items: list[dict[str, Any]] = []
        self.seeding: Task | None = None
        #: makes, shows and starts a main window on a context, opening a resource in it (set
        #: by the window module, so that pages open another window without importing it)
        self.window_factory: Callable[[AppContext, str | None], QWidget] | None = None
        self.loading_packs = False
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(200)
        self._reload_timer.timeout.connect(self.reload_packs)
        self.library_changed.connect(self.reload_packs)
        self.progress_changed.connect(lambda _id: self._reload_timer.start())
        self.language_changed.connect(self._relocalize)

    # -- settings -------------------------------------------------------------------------

    @property
    def ui_language(self) -> str:
        return str(self.values["ui_language"])

    @property
    def languages(self) -> list[str]:
        """The order for titles and descriptions: the UI language, then the content
        preferences, then English."""
        return language_chain(self.ui_language, [self.ui_language,
                                                 *self.values["content_languages"]])

    @property
    def content_chain(self) -> list[str]:
        """The order for choosing which translation of a resource to show (and subtitles):
        the content preferences, then the UI language, then English."""
        return language_chain(self.ui_language, self.values["content_languages"])

    def set_setting(self, name: str, value: Any) -> None:
        if self.values.get(name) == value:
            return
        self.values[name] = value
        self.run(lambda library, _r: library.settings.set(name, value), lambda _: None)
        if name == "ui_language":
            self.apply_language(str(value))
            self.language_changed.emit()
        elif name in ("theme", "font_size"):
            self.apply_theme()
            self.theme_changed.emit()
        elif name == "content_languages":
            self.language_changed.emit()

    def apply_language(self, language: str | None = None) -> str:
        """Activate the UI language: gettext catalog, Qt's own strings, layout direction."""
        used = i18n.set_language(language or self.ui_language)
        self.values["ui_language"] = used
        app = QApplication.instance()
        if isinstance(app, QApplication):
            if self._qt_translator is not None:
                app.removeTranslator(self._qt_translator)
                self._qt_translator = None
            translator = QTranslator(self)
            folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            # By file name, not QLocale: building QLocale's enums costs start-up time.
            if translator.load(f"qtbase_{used.replace('-', '_')}", folder) or \
                    translator.load(f"qtbase_{used.split('-')[0]}", folder):
                app.installTranslator(translator)
                self._qt_translator = translator
            app.setLayoutDirection(
                Qt.LayoutDirection.RightToLeft if is_rtl(used) else Qt.LayoutDirection.LeftToRight
            )
        return used

    def apply_theme(self) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            theme.apply(app, str(self.values["theme"]), int(self.values["font_size"]))

    def switch_profile(self, name: str) -> None:
        """Make ``name`` the current profile: the pages show its progress and notes."""
        if name == self.profile:
            return
        self.profile = name
        self.profile_changed.emit()
        self.reload_packs()

    # -- background work ------------------------------------------------------------------

    def run(
        self,
        work: LibraryWork,
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None] | None = None,
        progress: Callable[[Progress], None] | None = None,
    ) -> TaskHandle:
        """Run ``work(library, reporter)`` on the pool with a library of its own; call
        ``done(result)`` or ``failed(error)`` on the GUI thread."""
        home = self.home

        def job(reporter: Reporter) -> Any:
            from app.library import Library

            with Library(home) as library:
                return work(library, reporter)

        return self.runner.run(job, done, failed or self.show_error, progress)

    def fetch(self, work: LibraryWork, done: Callable[[Any], None],
              loaded: SignalInstance) -> TaskHandle:
        """Load what a page or viewer shows: ``work(library, reporter)`` on the pool, then
        ``done(result)``. On failure the error is reported and ``loaded`` is emitted all the
        same, so nothing waits for it forever (a screenshot, a test)."""
        def failed(error: BaseException) -> None:
            self.show_error(error)
            loaded.emit()

        return self.run(work, done, failed)

    def start_task(
        self,
        title: str,
        work: LibraryWork,
        done: Callable[[Any], None] | None = None,
        failed: Callable[[BaseException], None] | None = None,
    ) -> Task:
        """A visible task: progress and cancel in the top bar and on the Downloads page."""
        task = Task(title, self)

        def on_progress(progress: Progress) -> None:
            task.fraction = progress.fraction
            task.detail = progress.detail
            task.changed.emit()

        def on_done(result: Any) -> None:
            task.state, task.fraction = "done", 1.0
            task.changed.emit()
            self.tasks_changed.emit()
            if done is not None:
                done(result)

        def on_failed(error: BaseException) -> None:
            task.state = "cancelled" if isinstance(error, Cancelled) else "failed"
            task.error = str(error)
            task.changed.emit()
            self.tasks_changed.emit()
            if failed is not None:
                failed(error)
            elif not isinstance(error, Cancelled):
                self.show_error(error)

        def launch() -> None:
            task.state, task.fraction, task.error = "running", 0.0, ""
            task.handle = self.run(work, on_done, on_failed, on_progress)
            task.changed.emit()
            self.tasks_changed.emit()

        task.retry = launch
        self.tasks.append(task)
        launch()
        return task

    def show_error(self, error: BaseException) -> None:
        """Tell the learner about a failure: a dialog, or stderr when nobody is at the
        window (:attr:`interactive`)."""
        if isinstance(error, Cancelled):
            return
        message = self.error_text(error)
        self.failures.append(message)
        if not isinstance(error, UjuziError):
            logs.logger.error("a task of the window failed", exc_info=error)
        if not self.interactive:
            print(_("ujuzi: error: {error}").format(error=message), file=sys.stderr, flush=True)
            return
        from app.ui import dialogs

        parent = QApplication.activeWindow()
        dialogs.warn(parent if isinstance(parent, QWidget) else None, _("Ujuzi"), message)

    @staticmethod
    def error_text(error: BaseException) -> str:
        if isinstance(error, UjuziError):
            return str(error)
        return _("Something went wrong: {error}").format(error=error)

    # -- the library's packs ----------------------------------------------------------------

    def reload_packs(self) -> None:
        """Load pack summaries, covers and "continue" items; on a first run, start preparing
        the starter packs."""
        languages, profile = self.languages, self.profile
        self.loading_packs = True

        def work(library: Library, _reporter: Reporter) -> Any:
            from app import learning

            packs = learning.pack_summaries(library, languages, profile)
            covers = {
                pack["id"]: image
                for pack in packs
                if pack["cover_file"] and (image := load_cover(pack["cover_file"])) is not None
            }
            items = learning.continue_items(library, languages, profile, CONTINUE_CARDS)
            from app.starter import is_seeded

            seeded = is_seeded(library)
            return packs, covers, items, seeded

        self.run(work, self._packs_arrived, self._packs_failed)

    def _packs_failed(self, error: BaseException) -> None:
        """The library cannot be read: the pages show why (and nothing to learn from), and
        the window still becomes ready."""
        self.loading_packs = False
        self.packs_error = self.error_text(error)
        if self.packs is None:
            self.packs = []
        self.show_error(error)
        self.packs_loaded.emit()

    def _packs_arrived(self, result: Any) -> None:
        self.loading_packs = False
        self.packs_error = ""
        packs, covers, items, seeded = result
        self.packs, self.covers, self.continue_items = packs, covers, items
        if not seeded and self.seeding is None:
            self.start_seeding()
        self.packs_loaded.emit()

    def start_seeding(self) -> None:
        def work(library: Library, reporter: Reporter) -> Any:
            from app.starter import seed_starter_packs

            return seed_starter_packs(library, reporter)

        self.seeding = self.start_task(
            _("Preparing the starter packs"), work, lambda _r: self.library_changed.emit())
        self.seeding_started.emit(self.seeding)

    def _relocalize(self) -> None:
        if self.packs is None:
            return
        from app.packs.manifest import localized

        for pack in self.packs:
            pack["display_title"] = localized(pack["title"], self.languages)
        for item in self.continue_items:
            item["display_title"] = localized(item["title"], self.languages)
            item["display_pack_title"] = localized(item["pack_title"], self.languages)

    # -- navigation -----------------------------------------------------------------------

    def navigate(self, page: str, **args: Any) -> None:
        self.navigate_requested.emit(page, args)

    def open_resource(self, resource_id: str, at: float | None = None) -> None:
        self.navigate("resource", resource_id=resource_id, at=at)

    def open_pack(self, pack_id: str) -> None:
        self.navigate("pack", pack_id=pack_id)


def load_cover(path: str, size: QSize = QSize(480, 240)) -> QImage | None:  # noqa: B008
    """Read a cover image at ``size``, cut to fill it (runs on a worker thread: QImage, never
    QPixmap); never decoded larger than that, whatever size the file claims."""
    return load_image_within(path, size, fill=True)

"""Starting the window: language, theme, the application object, screenshots and the
start-up probe the benchmark reads."""

from __future__ import annotations

import gc
import os
import sys
import time
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import (
    QMessageLogContext,
    Qt,
    QTimer,
    QtMsgType,
    qFormatLogMessage,
    qInstallMessageHandler,
)
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import QApplication

from app import logs
from app.errors import UjuziError
from app.i18n import _
from app.paths import layout
from app.ui.context import AppContext
from app.ui.window import MainWindow

#: Set to make ``ujuzi gui`` print "shown <seconds since the epoch>" when the window is up
#: and "ready <...>" when the first page shows its data and has been painted (the window's
#: ``settled``), then (unless it is "stay") quit: what benchmarks/bench_startup.py measures.
PROBE_ENV = "UJUZI_STARTUP_PROBE"


def check_display() -> None:
    if (
        sys.platform.startswith("linux")
        and not os.environ.get("QT_QPA_PLATFORM")
        and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    ):
        raise UjuziError(
            _(
                "No display found. Run Ujuzi in a desktop session, or save a picture of the "
                "window with: QT_QPA_PLATFORM=offscreen ujuzi gui --screenshot FILE"
            )
        )


#: Qt's messages that say nothing to a user: the offscreen platform (screenshots, tests) says
#: this each time a window's size limits change, which on a real screen pass to the window
#: manager.
QUIET_QT_MESSAGES = frozenset({"This plugin does not support propagateSizeHints()"})
_previous_handler: object = None
_handler_installed = False


def _qt_message(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    if message in QUIET_QT_MESSAGES:
        return
    if callable(_previous_handler):
        _previous_handler(mode, context, message)
    else:
        sys.stderr.write(qFormatLogMessage(mode, context, message) + "\n")


def application() -> QApplication:
    from app.ui.web_engine import configure_web_engine

    global _previous_handler, _handler_installed
    if not _handler_installed:
        _previous_handler = qInstallMessageHandler(_qt_message)
        _handler_installed = True

    configure_web_engine()  # QTWEBENGINE_CHROMIUM_FLAGS, read once when the web engine starts
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Ujuzi")
    app.setApplicationDisplayName("Ujuzi")
    app.setDesktopFileName("ujuzi")
    return app


def create_window(
    home: str | None = None,
    profile: str | None = None,
    open_id: str | None = None,
    language: str | None = None,
) -> tuple[AppContext, MainWindow]:
    """The context and window, with the language and theme applied (not yet shown)."""
    ctx = AppContext(home, profile)
    if language:
        ctx.values["ui_language"] = language
    ctx.apply_language()
    # The library loads on a worker while the window is built.
    ctx.reload_packs()
    ctx.apply_theme()
    window = MainWindow(ctx, open_id)
    return ctx, window


def grab(window: MainWindow) -> QPixmap:
    """The window as it appears on screen. Under X this asks the X server, so video that
    libvlc draws into a native child window is in the picture; offscreen, Qt renders the
    widgets itself."""
    if QGuiApplication.platformName() == "xcb":
        screen = window.screen() or QGuiApplication.primaryScreen()
        frame = window.geometry()
        return screen.grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height())
    return window.grab()


def settle_ms(window: MainWindow) -> int:
    """How long to let the first frames settle before a screenshot: media needs a moment to
    show a picture after it starts playing."""
    page = window.current
    resource = getattr(page, "resource", None) if page is not None else None
    if resource and resource.get("kind") in ("video", "audio"):
        return 1500
    if resource and resource.get("kind") == "interactive":
        return 2500  # web content (an H5P player) draws after its page has loaded
    return 250


def _log_uncaught(home: str | None) -> None:
    """Bugs in the window's slots reach the log with their traceback (Qt would only print
    them), as well as stderr."""
    logs.setup(layout(home).log_file)
    previous = sys.excepthook

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        logs.logger.error("uncaught error in the window", exc_info=(kind, value, tb))
        previous(kind, value, tb)

    sys.excepthook = hook


def data_folder_usable(home: str | None, interactive: bool) -> bool:
    """The start-up check of the data folder: when it cannot be written or its disk is full,
    say so in a dialog (or on stderr when nobody is there to read one) and return False."""
    from app.datafolder import check_data_folder

    try:
        check_data_folder(layout(home))
    except UjuziError as problem:
        if interactive:
            from app.ui import dialogs

            dialogs.warn(None, _("Ujuzi cannot start"), str(problem))
        else:
            print(_("ujuzi: error: {error}").format(error=problem), file=sys.stderr)
        return False
    return True


def run(
    home: str | None = None,
    profile: str | None = None,
    screenshot: str | None = None,
    open_id: str | None = None,
    language: str | None = None,
) -> int:
    from app.player import wants_x11

    if wants_x11():  # libvlc embeds video in X11 windows: use XWayland on Wayland desktops
        os.environ["QT_QPA_PLATFORM"] = "xcb"
    check_display()
    _log_uncaught(home)
    app = application()
    if not data_folder_usable(home, interactive=not screenshot):
        return 1
    # What the imports made (modules, classes, functions) lives as long as the process: out
    # of the cyclic collector's sight, no collection goes through it again, on the way to
    # the first page or later (about 0.02 s of a start).
    gc.freeze()
    ctx, window = create_window(home, profile, open_id, language)
    if screenshot:
        ctx.interactive = False  # nobody to click a dialog away: errors go to stderr
    window.show()
    probe = os.environ.get(PROBE_ENV)
    if probe:
        # "shown": the event loop runs and the window has painted its frame (usable);
        # "ready": the first page shows its data, painted (visually complete).
        QTimer.singleShot(0, lambda: print(f"shown {time.time():.6f}", flush=True))

        def report() -> None:
            print(f"ready {time.time():.6f}", flush=True)
            if probe != "stay":
                QTimer.singleShot(0, app.quit)

        window.settled.connect(report)
    if screenshot:
        target = Path(screenshot)

        def save() -> None:
            QApplication.processEvents()
            target.parent.mkdir(parents=True, exist_ok=True)
            grab(window).save(os.fspath(target))
            window.close()
            app.quit()

        window.ready.connect(lambda: QTimer.singleShot(settle_ms(window), save))
    window.start()
    if not screenshot and not probe:
        def offer() -> None:
            from app.ui.stick_offer import offer_stick

            offer_stick(ctx, window)

        # Once the complete window is on screen (it reads the stick and the library).
        window.settled.connect(offer, Qt.ConnectionType.SingleShotConnection)
    code = app.exec()
    ctx.runner.wait()
    if screenshot and ctx.failures and code == 0:
        return 1  # the picture is saved, but something in it failed
    return code

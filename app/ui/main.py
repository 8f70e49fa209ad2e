"""The app window (a plain first version): the library's packs, and a pack's contents.

The full interface (navigation rail, viewers, search, settings) is built on this skeleton in
later work; what is here already follows its rules: all disk and database work runs through
the task runner, strings go through gettext, and layout direction follows the language.
"""

from __future__ import annotations

import html
import os
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QListView,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QStatusBar,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.errors import UjuziError
from app.i18n import _, active_language, set_language
from app.library import Library
from app.packs.manifest import localized
from app.tasks import Progress, Reporter
from app.ui.tasks import TaskRunner

RTL_LANGUAGES = {"ar", "fa", "ur", "he", "ps", "sd", "ug", "yi", "dv", "ckb"}
ModelIndex = QModelIndex | QPersistentModelIndex


class PackListModel(QAbstractListModel):
    """Adapts the core's pack list to a view."""

    def __init__(self, languages: list[str]) -> None:
        super().__init__()
        self.packs: list[dict[str, Any]] = []
        self.languages = languages

    def set_packs(self, packs: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.packs = packs
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.packs)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        pack = self.packs[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return localized(pack["title"], self.languages)
        if role == Qt.ItemDataRole.ToolTipRole:
            return localized(pack["description"], self.languages)
        if role == Qt.ItemDataRole.UserRole:
            return pack["id"]
        return None


def _load_library(home: str | None, seed: bool) -> Any:
    def work(reporter: Reporter) -> list[dict[str, Any]]:
        with Library(home) as library:
            if seed:
                from app.starter import seed_starter_packs

                seed_starter_packs(library, reporter)
            return library.packs()

    return work


def _load_pack(home: str | None, profile: str | None, pack_id: str) -> Any:
    def work(reporter: Reporter) -> dict[str, Any]:
        with Library(home) as library:
            return library.pack(pack_id, profile)

    return work


class MainWindow(QMainWindow):
    #: Emitted once the library has loaded and the first page is drawn.
    ready = Signal()

    def __init__(
        self,
        home: str | None,
        profile: str | None,
        languages: list[str],
        open_id: str | None = None,
    ) -> None:
        super().__init__()
        self.open_id = open_id
        self.home = home
        self.profile = profile
        self.languages = languages
        self.tasks = TaskRunner(self)
        self.loaded = False
        self.setWindowTitle(_("Ujuzi"))
        self.resize(1100, 700)
        self.setMinimumSize(1024, 640)

        self.packs_view = QListView()
        self.packs_view.setAccessibleName(_("Packs in your library"))
        self.model = PackListModel(languages)
        self.packs_view.setModel(self.model)
        self.packs_view.setSpacing(4)
        self.packs_view.selectionModel().currentChanged.connect(self._pack_chosen)

        heading = QLabel(_("Your library"))
        heading.setStyleSheet("font-size: 16pt; font-weight: 600; padding: 8px 4px;")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(heading)
        left_layout.addWidget(self.packs_view)

        self.details = QTextBrowser()
        self.details.setAccessibleName(_("Pack details"))
        self.details.setOpenExternalLinks(False)
        self.details.setHtml(f"<p>{html.escape(_('Loading your library…'))}</p>")

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.details)
        splitter.setSizes([340, 760])
        self.setCentralWidget(splitter)

        self.progress = QProgressBar()
        self.progress.setMaximumWidth(240)
        self.progress.hide()
        status = QStatusBar()
        status.addPermanentWidget(self.progress)
        self.setStatusBar(status)

    def start(self) -> None:
        with Library(self.home) as library:
            from app.starter import is_seeded

            seed = not is_seeded(library)
        self.tasks.run(
            _load_library(self.home, seed), self._packs_loaded, self._failed, self._progress
        )

    def _progress(self, progress: Progress) -> None:
        self.progress.show()
        self.progress.setRange(0, 1000)
        self.progress.setValue(int(progress.fraction * 1000))
        self.statusBar().showMessage(_("Preparing the starter packs…"))

    def _packs_loaded(self, packs: list[dict[str, Any]]) -> None:
        self.progress.hide()
        self.statusBar().clearMessage()
        self.model.set_packs(packs)
        if packs:
            wanted = (self.open_id or "").split("/")[0]
            row = next((i for i, pack in enumerate(packs) if pack["id"] == wanted), 0)
            self.packs_view.setCurrentIndex(self.model.index(row, 0))
        else:
            self.details.setHtml(
                "<h2>{}</h2><p>{}</p>".format(
                    html.escape(_("Your library is empty")),
                    html.escape(_("Import a pack with 'ujuzi import FILE.ujpack'.")),
                )
            )
            self._mark_ready()

    def _pack_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        pack_id = current.data(Qt.ItemDataRole.UserRole)
        if pack_id:
            self.tasks.run(
                _load_pack(self.home, self.profile, pack_id), self._show_pack, self._failed
            )

    def _show_pack(self, pack: dict[str, Any]) -> None:
        langs = self.languages
        parts = [
            f"<h1>{html.escape(localized(pack['title'], langs))}</h1>",
            f"<p>{html.escape(localized(pack['description'], langs))}</p>",
            "<p><small>{}</small></p>".format(
                html.escape(
                    _("Licence: {license}. {attribution}").format(
                        license=pack["license"], attribution=pack["attribution"]
                    )
                )
            ),
            "<p>{}</p>".format(
                html.escape(
                    _("{done} of {total} resources complete").format(
                        done=pack["progress"]["completed"], total=pack["progress"]["total"]
                    )
                )
            ),
        ]
        for section in pack["sections"]:
            parts.append(f"<h3>{html.escape(localized(section['title'], langs))}</h3><ul>")
            for resource in section["resources"]:
                check = "✓ " if resource["progress"]["completed"] else ""
                lang = f" <small>({resource['lang']})</small>" if resource["lang"] else ""
                parts.append(
                    f"<li>{check}{html.escape(localized(resource['title'], langs))}"
                    f" <small>· {html.escape(resource['kind'])}</small>{lang}</li>"
                )
            parts.append("</ul>")
        self.details.setHtml("".join(parts))
        self._mark_ready()

    def closeEvent(self, event: QCloseEvent) -> None:
        # Workers emit to objects owned by this window: let them finish before it goes.
        self.tasks.wait()
        super().closeEvent(event)

    def _mark_ready(self) -> None:
        if not self.loaded:
            self.loaded = True
            self.ready.emit()

    def _failed(self, error: BaseException) -> None:
        self.progress.hide()
        self._mark_ready()
        QMessageBox.warning(self, _("Ujuzi"), str(error))


def run_gui(
    home: str | None = None,
    profile: str | None = None,
    screenshot: str | None = None,
    open_id: str | None = None,
    language: str | None = None,
) -> int:
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
    language = set_language(language)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Ujuzi")
    app.setStyle("Fusion")
    if active_language().split("-")[0] in RTL_LANGUAGES:
        app.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    window = MainWindow(home, profile, [language, "en"], open_id)
    window.show()
    if screenshot:
        target = Path(screenshot)

        def save() -> None:
            QApplication.processEvents()
            target.parent.mkdir(parents=True, exist_ok=True)
            window.grab().save(os.fspath(target))
            QApplication.quit()

        window.ready.connect(save)
    window.start()
    return app.exec()

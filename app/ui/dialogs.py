"""Message boxes: questions, warnings and notices. Their text is always plain text, because it
often quotes a pack (a title, a link, an error about a file): a QMessageBox left to itself
renders anything that looks like HTML as rich text, links and images included.

Every modal box waits in :func:`run`, the one place the window blocks on the learner (tests
answer there instead).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox, QWidget

from app.i18n import _

Button = QMessageBox.StandardButton


def message_box(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str,
                buttons: Button = Button.Ok, default: Button = Button.NoButton,
                informative: str = "", detailed: str = "") -> QMessageBox:
    """A message box whose texts are shown as they are (never as rich text)."""
    box = QMessageBox(icon, title, "", buttons, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    if informative:
        box.setInformativeText(informative)
    if detailed:
        box.setDetailedText(detailed)
    if default != Button.NoButton:
        box.setDefaultButton(default)
    for label in box.findChildren(QLabel):
        # Plain text does not wrap by itself: a long title or path would widen the box
        # past the screen.
        if label.text():
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
    return box


def run(box: QMessageBox) -> Button:
    """Show ``box`` modally and return the button the learner chose."""
    return Button(box.exec())


def ask(parent: QWidget | None, title: str, text: str,
        buttons: Button = Button.Yes | Button.Cancel, default: Button = Button.Cancel
        ) -> Button:
    """A question; the answer is one of ``buttons`` (Escape gives the cancel button)."""
    return run(message_box(parent, QMessageBox.Icon.Question, title, text, buttons, default))


def warn(parent: QWidget | None, title: str, text: str) -> None:
    """An error the learner should read before going on."""
    run(message_box(parent, QMessageBox.Icon.Warning, title, text))


def open_outside(parent: QWidget | None, url: QUrl, shown: str) -> bool:
    """Open ``url`` in the web browser once the learner agrees: it leaves the app and may
    cost data. ``shown`` is the link as the learner sees it. True when they agreed."""
    answer = ask(
        parent, _("Open in your web browser?"),
        _("This link leads outside Ujuzi, to {url}. Opening it needs an internet "
          "connection and may cost data. Open it in your web browser?").format(url=shown),
        Button.Open | Button.Cancel)
    if answer != Button.Open:
        return False
    QDesktopServices.openUrl(url)
    return True


# -- the import dialog ----------------------------------------------------------------------


def choose_import(parent: QWidget | None, filters: str) -> list[Path]:
    """Ask what to import: a file (a pack, a course export, a SCORM zip...) or a folder (an
    unpacked export, or a folder of files to make a pack from). Choosing the ``course.xml``
    at the top of an Open edX export imports its folder (the importer's
    :func:`~app.packs.importers.source_path`). Empty when the learner cancelled."""
    box = message_box(
        parent, QMessageBox.Icon.Question, _("Import a pack"),
        _("Import a pack file or a course export (a file), or a folder: an unpacked course "
          "export, or a folder of lessons to make a pack from."),
        Button.Open | Button.Apply | Button.Cancel, Button.Open)
    files, folders = box.button(Button.Open), box.button(Button.Apply)
    if files is not None and folders is not None:
        files.setText(_("Choose a file…"))
        folders.setText(_("Choose a folder…"))
    answer = run(box)
    if answer == Button.Open:
        path, _filter = QFileDialog.getOpenFileName(
            parent, _("Import a pack"), str(Path.home()), filters)
        return [Path(path)] if path else []
    if answer == Button.Apply:
        folder = QFileDialog.getExistingDirectory(
            parent, _("Import a folder"), str(Path.home()))
        return [Path(folder)] if folder else []
    return []

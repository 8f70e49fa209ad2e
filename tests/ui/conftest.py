"""Fixtures for driving the real window: a library with packs of every kind, and a window
on it that is shown and loaded."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app import i18n
from app.library import Library
from app.packs.archive import manifest_bytes, write_pack
from app.packs.importer import import_pack
from app.packs.manifest import QUIZ_MIME
from app.starter import SEEDED_KEY
from app.ui.app import create_window
from app.ui.context import AppContext
from app.ui.window import MainWindow
from tests.packs import file_entry

PACK_ID = "org.test.kinds"
QUIZ = {
    "pass_mark": 0.5,
    "questions": [
        {"id": "q1", "type": "single", "prompt": "Which project stores free media files?",
         "explanation": "Commons stores media.",
         "choices": [{"id": "a", "text": "Wikidata"},
                     {"id": "b", "text": "Wikimedia Commons", "correct": True}]},
        {"id": "q2", "type": "true_false", "prompt": "A blog is a reliable source.",
         "answer": False, "explanation": "Blogs have no editors."},
    ],
}
ARTICLE = "# Citing sources\n\n" + "\n\n".join(
    f"Paragraph {i}: cite your sources with care so readers can check them." for i in range(80)
) + "\n\nSee [the second article](second.md) and [the web](https://example.org).\n\n"\
    "![A map](../assets/map.png)\n"


def png_bytes(width: int = 64, height: int = 48) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QColor, QImage

    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#3366cc"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def pdf_bytes(pages: int = 3) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=300, height=400)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_kinds_pack(out: Path) -> dict[str, Any]:
    """A pack with one resource of each kind (the video is not a real video)."""
    import json

    root = out.parent / f".src-{out.stem}"
    resources: list[dict[str, Any]] = [
        {"id": "article", "kind": "article", "lang": "en", "title": {"en": "Citing sources"},
         "duration": 120, "translations": {"sw": "article-sw"},
         "files": [file_entry(root, "lessons/article.md", ARTICLE.encode(), "text/markdown")]},
        {"id": "article-sw", "kind": "article", "lang": "sw", "title": {"sw": "Kutaja vyanzo"},
         "duration": 120, "translations": {"en": "article"},
         "files": [file_entry(root, "lessons/article.sw.md", b"# Kutaja vyanzo\n\nHabari.\n",
                              "text/markdown")]},
        {"id": "second", "kind": "article", "lang": "en", "title": {"en": "Second article"},
         "duration": 60,
         "files": [file_entry(root, "lessons/second.md", b"# Second\n\nShort.\n",
                              "text/markdown")]},
        {"id": "guide", "kind": "pdf", "title": {"en": "Printed guide"},
         "files": [file_entry(root, "guide.pdf", pdf_bytes(), "application/pdf")]},
        {"id": "photo", "kind": "image", "title": {"en": "A photo"},
         "files": [file_entry(root, "photo.png", png_bytes(), "image/png")]},
        {"id": "check", "kind": "quiz", "title": {"en": "Check what you learned"},
         "files": [file_entry(root, "check.quiz.json", json.dumps(QUIZ).encode(), QUIZ_MIME)]},
        {"id": "tour", "kind": "video", "lang": "en", "title": {"en": "A tour"}, "duration": 30,
         "files": [file_entry(root, "tour.webm", b"not really a video", "video/webm"),
                   file_entry(root, "tour.en.vtt",
                              b"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nWelcome to the tour\n\n"
                              b"00:00:05.000 --> 00:00:09.000\nCommons keeps the photos\n",
                              "text/vtt", role="subtitles", lang="en")]},
        {"id": "podcast", "kind": "audio", "title": {"en": "A podcast"}, "duration": 20,
         "files": [file_entry(root, "podcast.ogg", b"not really audio", "audio/ogg")]},
        {"id": "web", "kind": "link", "title": {"en": "On the web"},
         "url": "https://example.org/", "files": []},
    ]
    pack_files = [file_entry(root, "assets/map.png", png_bytes(200, 100), "image/png",
                             role="attachment")]
    manifest: dict[str, Any] = {
        "format": "ujuzi-pack", "format_version": 1, "id": PACK_ID, "version": "1.0.0",
        "title": {"en": "Every kind of resource", "sw": "Kila aina"},
        "description": {"en": "A pack for the window's tests."},
        "languages": ["en", "sw"], "license": "CC-BY-SA-4.0", "attribution": "The tests",
        "skills": ["citations"], "level": "beginner",
        "sections": [
            {"id": "read", "title": {"en": "Read"},
             "resources": ["article", "article-sw", "second", "guide", "photo"]},
            {"id": "practise", "title": {"en": "Practise"},
             "resources": ["check", "tour", "podcast", "web"]},
        ],
        "resources": resources,
        "files": pack_files,
    }
    sources = {e["path"]: root / e["path"] for r in resources for e in r["files"]}
    sources.update({e["path"]: root / e["path"] for e in pack_files})
    write_pack(out, manifest_bytes(manifest), manifest, sources)
    return manifest


def mark_seeded(library: Library) -> None:
    library.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, '1')", (SEEDED_KEY,))


@pytest.fixture
def kinds_pack(tmp_path: Path) -> Path:
    out = tmp_path / "kinds.ujpack"
    make_kinds_pack(out)
    return out


@pytest.fixture
def filled(library: Library, kinds_pack: Path) -> Library:
    """The library with the every-kind pack imported and the starter packs marked done."""
    import_pack(library, kinds_pack)
    mark_seeded(library)
    return library


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    i18n.set_language("en")
    yield
    i18n.set_language("en")
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if isinstance(app, QApplication):
        app.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


OpenWindow = Callable[..., tuple[AppContext, MainWindow]]


@pytest.fixture
def open_window(qtbot: QtBot, home: Path) -> Iterator[OpenWindow]:
    """Opens a window on the test's data directory and waits until it is ready."""
    opened: list[tuple[AppContext, MainWindow]] = []

    def opener(open_id: str | None = None, language: str | None = None
               ) -> tuple[AppContext, MainWindow]:
        ctx, window = create_window(str(home), None, open_id, language)
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.ready, timeout=15_000):
            window.show()
            window.start()
        opened.append((ctx, window))
        return ctx, window

    yield opener
    for ctx, window in opened:
        window.close()
        ctx.runner.wait()
        ctx.collector.stop()


def wait_loaded(qtbot: QtBot, window: MainWindow, name: str, **args: Any) -> Any:
    """Navigate to a page and wait until it shows its data."""
    page = window.page(name)
    with qtbot.waitSignal(page.loaded, timeout=15_000):
        window.navigate(name, args)
    return page


class Dialogs:
    """Stands in for the learner at every modal message box (``app.ui.dialogs.run``): keeps
    each box shown (a real QMessageBox, for its text and text format), records warnings'
    texts in ``errors``, and answers questions from ``answers`` (else with the box's default
    button)."""

    Open = QMessageBox.StandardButton.Open
    Yes = QMessageBox.StandardButton.Yes
    Cancel = QMessageBox.StandardButton.Cancel

    def __init__(self) -> None:
        self.boxes: list[QMessageBox] = []
        self.errors: list[str] = []
        self.answers: list[QMessageBox.StandardButton] = []

    def run(self, box: QMessageBox) -> QMessageBox.StandardButton:
        self.boxes.append(box)
        if box.icon() in (QMessageBox.Icon.Warning, QMessageBox.Icon.Critical):
            self.errors.append(box.text())
            return QMessageBox.StandardButton.Ok
        if self.answers:
            return self.answers.pop(0)
        default = box.defaultButton()
        return box.standardButton(default) if default is not None else \
            QMessageBox.StandardButton.NoButton


@pytest.fixture(autouse=True)
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Dialogs:
    """Message boxes never block a test (see :class:`Dialogs`)."""
    from app.ui import dialogs as module

    recorder = Dialogs()
    monkeypatch.setattr(module, "run", recorder.run)
    return recorder


@pytest.fixture(autouse=True)
def errors_shown(dialogs: Dialogs) -> Iterator[list[str]]:
    """The texts of the error dialogs shown (recorded by :class:`Dialogs`); a test that did
    not expect one (by clearing this list) fails."""
    shown = dialogs.errors
    yield shown
    assert shown == [], f"unexpected error dialogs: {shown}"


def open_activity(library: Library, source: Path, open_window: OpenWindow
                  ) -> tuple[dict[str, Any], MainWindow, Any]:
    """Import an interactive package, open its first resource in a window, and return the
    resource, the window and its viewer (whose server or web view may still be starting)."""
    from app.packs.importers import import_any

    report = import_any(library, source)
    mark_seeded(library)
    resource = library.pack(report.pack_id)["sections"][0]["resources"][0]
    _ctx, window = open_window(resource["id"])
    return resource, window, window.current.viewer  # type: ignore[union-attr]

"""A trainer's work in the window: notes edited where they are read, the import dialog that
takes folders, packs another process adds showing up, the import report and its history, a
pack made from a folder and exported, the learners' view, and imported courses that read
like courses (licence, transcripts of online videos, wide pictures)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app import learning
from app.library import Library
from app.packs.importer import import_pack
from app.ui.note_edit import NoteEditor
from tests.ui.conftest import PACK_ID, Dialogs, OpenWindow, make_kinds_pack, wait_loaded

WAIT = 30_000
ARTICLE = f"{PACK_ID}/article"
REPO = Path(__file__).resolve().parents[2]


def _plain(text: str) -> str:
    """``text`` without the Unicode isolates around pack text."""
    return "".join(c for c in text if c not in "\u2066\u2067\u2068\u2069")


def _corpus_course() -> Path:
    from tests.conftest import CORPUS

    return CORPUS / "openedx-demo-course" / "demo-course" / "course"


# -- notes ------------------------------------------------------------------------------------


def test_delete_and_edit_need_a_selected_note(
        qtbot: QtBot, filled: Library, open_window: OpenWindow) -> None:
    filled.add_note(ARTICLE, "first note")
    filled.add_note(f"{PACK_ID}/second", "second note")
    _ctx, window = open_window()
    notes = wait_loaded(qtbot, window, "notes")
    assert notes.proxy.rowCount() == 2
    assert not notes.delete_button.isEnabled()
    assert not notes.edit_button.isEnabled()
    notes.view.selectionModel().setCurrentIndex(
        notes.proxy.index(1, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    assert notes.delete_button.isEnabled() and notes.edit_button.isEnabled()
    notes.view.clearSelection()
    assert not notes.delete_button.isEnabled()


def test_a_note_is_edited_beside_its_resource(
        qtbot: QtBot, filled: Library, open_window: OpenWindow) -> None:
    note = filled.add_note(ARTICLE, "before")
    ctx, window = open_window()
    page = wait_loaded(qtbot, window, "resource", resource_id=ARTICLE)
    panel = page.notes_panel
    assert not panel.delete.isEnabled() and not panel.edit.isEnabled()
    panel.list.setCurrentRow(0)
    assert panel.delete.isEnabled() and panel.edit.isEnabled()
    qtbot.mouseClick(panel.edit, Qt.MouseButton.LeftButton)
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, NoteEditor) and w.isVisible())
    dialog.editor.setPlainText("after")
    with qtbot.waitSignal(ctx.notes_changed, timeout=WAIT):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: [n["body"] for n in panel.notes] == ["after"], timeout=WAIT)
    with Library(filled.layout.home) as library:
        assert library.note(note["id"])["body"] == "after"


# -- importing --------------------------------------------------------------------------------


def test_the_import_dialog_takes_a_folder_and_course_xml(
        qtbot: QtBot, filled: Library, open_window: OpenWindow, dialogs: Dialogs,
        monkeypatch: object) -> None:
    from PySide6.QtWidgets import QFileDialog

    from app.ui import dialogs as module

    course = _corpus_course()
    monkeypatch.setattr(QFileDialog, "getOpenFileName",  # type: ignore[attr-defined]
                        staticmethod(lambda *a, **k: (str(course / "course.xml"), "")))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",  # type: ignore[attr-defined]
                        staticmethod(lambda *a, **k: str(course)))
    ctx, window = open_window()
    assert module.choose_import(window, "*") == [course / "course.xml"]  # the default
    box = dialogs.boxes[-1]
    assert [b.text() for b in box.buttons() if box.buttonRole(b) != box.ButtonRole.RejectRole
            ] == ["Choose a file…", "Choose a folder…"]
    dialogs.answers.append(QMessageBox.StandardButton.Apply)
    assert module.choose_import(window, "*") == [course]
    dialogs.answers.append(QMessageBox.StandardButton.Cancel)
    assert module.choose_import(window, "*") == []
    # course.xml stands for its export folder.
    with qtbot.waitSignal(ctx.library_changed, timeout=WAIT):
        tasks = window.import_paths([course / "course.xml"])
    qtbot.waitUntil(lambda: tasks[0].state == "done", timeout=WAIT)
    with Library(filled.layout.home) as library:
        assert library.has_pack("edx.openedx.demox.democourse")


def test_a_folder_of_files_opens_make_a_pack(
        qtbot: QtBot, filled: Library, open_window: OpenWindow, tmp_path: Path) -> None:
    from app.ui.make_pack import MakePackDialog

    folder = _lesson_folder(tmp_path)
    _ctx, window = open_window()
    tasks = window.import_paths([folder])
    qtbot.waitUntil(lambda: tasks[0].state == "done", timeout=WAIT)
    dialog = window.make_pack_dialog  # type: ignore[attr-defined]
    assert isinstance(dialog, MakePackDialog) and dialog.folder == folder
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=WAIT)


def test_a_pack_imported_by_the_cli_appears_in_the_open_window(
        qtbot: QtBot, filled: Library, open_window: OpenWindow, tmp_path: Path) -> None:
    ctx, window = open_window()
    library_page = wait_loaded(qtbot, window, "library")
    before = library_page.model.rowCount()
    other = tmp_path / "other.ujpack"
    manifest = make_kinds_pack(other)
    manifest_id = "org.test.other"
    data = json.loads(json.dumps(manifest))
    assert data["id"] == PACK_ID
    # Another process: the command line, on the same library.
    pack = tmp_path / "cli.ujpack"
    _rebuild_with_id(other, pack, manifest_id)
    result = subprocess.run(
        [sys.executable, "-m", "app", "import", str(pack)], cwd=REPO, capture_output=True,
        text=True, env={**_env(), "UJUZI_HOME": str(filled.layout.home)}, check=False)
    assert result.returncode == 0, result.stderr
    qtbot.waitUntil(lambda: any(p["id"] == manifest_id for p in ctx.packs or []),
                    timeout=WAIT)
    qtbot.waitUntil(lambda: library_page.model.rowCount() == before + 1, timeout=WAIT)


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "UJUZI_HOME"}


def _rebuild_with_id(source: Path, out: Path, pack_id: str) -> None:
    """The every-kind pack under another id (a second pack to import)."""
    import zipfile

    from app.packs.archive import manifest_bytes, write_pack

    work = out.parent / f".{out.stem}"
    with zipfile.ZipFile(source) as archive:
        archive.extractall(work)
    manifest = json.loads((work / "pack.json").read_text())
    manifest["id"] = pack_id
    sources = {e["path"]: work / e["path"] for r in manifest["resources"] for e in r["files"]}
    sources.update({e["path"]: work / e["path"] for e in manifest.get("files", [])})
    write_pack(out, manifest_bytes(manifest), manifest, sources)


def test_the_import_report_lists_every_item_and_downloads_keeps_the_history(
        qtbot: QtBot, filled: Library, open_window: OpenWindow) -> None:
    from app.ui.import_history import ImportHistory
    from app.ui.import_report import ImportReportDialog

    ctx, window = open_window()
    tasks = window.import_paths([_corpus_course()])
    qtbot.waitUntil(lambda: tasks[0].state == "done", timeout=WAIT)
    report = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, ImportReportDialog) and w.isVisible())
    lines = report.lines()
    from app.packs.importers import skipped_summary
    from app.packs.importers.history import import_history

    with Library(filled.layout.home) as library:
        record = import_history(library)[0]
    cli_lines = [line.removeprefix("  - ") for line in skipped_summary(record, limit=1000)[1:]]
    assert lines == cli_lines and len(lines) > 20
    assert any("blocks with nothing to read" in line for line in lines)
    downloads = wait_loaded(qtbot, window, "downloads")
    history = downloads.findChild(ImportHistory)
    qtbot.waitUntil(lambda: bool(history.records), timeout=WAIT)
    assert history.isVisible()
    assert history.records[0].pack_id == "edx.openedx.demox.democourse"
    row = history.rows.itemAt(0).widget()
    assert row.report_button.isVisible()
    qtbot.mouseClick(row.report_button, Qt.MouseButton.LeftButton)
    assert history.report_dialog.lines() == lines
    assert ctx is not None


# -- making and exporting a pack --------------------------------------------------------------


def _lesson_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "water-lessons"
    (folder / "01-basics").mkdir(parents=True)
    (folder / "02-practice").mkdir()
    (folder / "01-basics" / "01-why-water.md").write_text(
        "# Why water matters\n\n" + "Clean water keeps people well. " * 30)
    (folder / "01-basics" / "02-sources.md").write_text("Where water comes from.\n" * 40)
    (folder / "02-practice" / "filter.md").write_text("# Build a filter\n\nSand and gravel.\n")
    return folder


def test_make_a_pack_from_a_folder_with_corrected_titles(
        qtbot: QtBot, filled: Library, open_window: OpenWindow, tmp_path: Path) -> None:
    from app.ui.make_pack import MakePackDialog

    folder = _lesson_folder(tmp_path)
    ctx, window = open_window()
    dialog = MakePackDialog(ctx, window, folder)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=WAIT)
    assert dialog.found.text() == "Found 3 resources · 2 sections"
    titles = [dialog.tree.topLevelItem(0).child(i).text(0) for i in range(2)]
    assert titles == ["Why water matters", "Sources"]
    assert [dialog.tree.topLevelItem(i).text(0) for i in range(2)] == ["Basics", "Practice"]
    # No licence yet: the build asks for one and builds nothing.
    dialog.build()
    assert "licence" in dialog.status.text()
    assert dialog.task is None
    dialog.licence_box.setCurrentText("CC-BY-SA-4.0")
    dialog.attribution_edit.setText("The water project")
    dialog.title_edit.setText("Safe water")
    dialog.tree.topLevelItem(0).child(1).setText(0, "Where water comes from")
    dialog.out = tmp_path / "out" / "water.ujpack"
    with qtbot.waitSignal(ctx.library_changed, timeout=WAIT):
        dialog.build()
    assert dialog.task is not None and dialog.task.state == "done"
    assert dialog.progress.value() == 1000
    assert not (folder / "pack.yaml").exists()  # the folder is left as it was
    assert dialog.open_button.isVisible() and dialog.result_pack == "water-lessons"
    with Library(filled.layout.home) as library:
        pack = learning.pack_outline(library, "water-lessons", ["en"])
        assert pack.pack["title"] == {"en": "Safe water"}
        assert pack.pack["license"] == "CC-BY-SA-4.0"
        titles = [item.title["en"] for item in pack.items]
        assert "Where water comes from" in titles and "Why water matters" in titles


def test_export_to_a_file_with_progress_and_a_licence_warning(
        qtbot: QtBot, filled: Library, open_window: OpenWindow, tmp_path: Path,
        dialogs: Dialogs) -> None:
    from app.ui.export_pack import ExportDialog

    ctx, window = open_window()
    page = wait_loaded(qtbot, window, "pack", pack_id=PACK_ID)
    assert page.export_button.isVisible()
    assert not page.licence_warning.isVisible()
    assert _plain(page.licence.text()).startswith("Licence: CC-BY-SA-4.0.")
    pack = dict(page.outline.pack)
    dialog = ExportDialog(ctx, pack, "Every kind of resource", window)
    qtbot.addWidget(dialog)
    target = tmp_path / "stick"
    target.mkdir()
    task = dialog.export_to(target)
    assert task is not None
    qtbot.waitUntil(lambda: task.state == "done", timeout=WAIT)
    written = target / f"{PACK_ID}-1.0.0.ujpack"
    assert dialog.written == written and written.is_file()
    assert dialog.progress.value() == 1000
    # A pack that does not say its licence: the trainer is told first, and may stop.
    unstated = {**pack, "license": "NOASSERTION"}
    dialog = ExportDialog(ctx, unstated, "Unstated", window)
    qtbot.addWidget(dialog)
    assert dialog.licence_warning.isVisibleTo(dialog)
    dialogs.answers.append(QMessageBox.StandardButton.No)
    assert dialog.export_to(tmp_path / "no.ujpack") is None
    assert dialogs.boxes[-1].windowTitle() == "Licence not stated"
    assert not (tmp_path / "no.ujpack").exists()


def test_licence_not_stated_on_the_pack_page(
        qtbot: QtBot, library: Library, open_window: OpenWindow) -> None:
    from app.packs.importers import import_any
    from tests.ui.conftest import mark_seeded

    report = import_any(library, _corpus_course())
    mark_seeded(library)
    _ctx, window = open_window()
    page = wait_loaded(qtbot, window, "pack", pack_id=report.pack_id)
    assert _plain(page.licence.text()).startswith("Licence not stated.")
    assert "NOASSERTION" not in page.licence.text()
    assert page.licence_warning.isVisible()
    assert "before you share" in page.licence_warning.text()


# -- the learners on this computer ------------------------------------------------------------


def test_the_learners_page_shows_each_profile(
        qtbot: QtBot, filled: Library, open_window: OpenWindow) -> None:
    from app.quiz import grade_quiz
    from app.ui.pages.learners import LearnerCard
    from tests.ui.conftest import QUIZ

    filled.profile_id()  # the default learner, never active
    filled.add_profile("amina")
    filled.record_progress(ARTICLE, "amina", complete=True)
    result = grade_quiz(QUIZ, {"q1": "b", "q2": False})
    learning.record_quiz_attempt(filled, f"{PACK_ID}/check", result, {"q1": "b", "q2": False},
                                 "amina")
    _ctx, window = open_window()
    page = wait_loaded(qtbot, window, "learners")
    cards = page.findChildren(LearnerCard)
    by_name = {card.learner.name: card for card in cards}
    assert set(by_name) >= {"amina", "default"}
    amina = by_name["amina"].learner
    assert amina.last_active is not None
    assert [(p["id"], p["done"]) for p in amina.packs] == [(PACK_ID, 2)]
    assert amina.quizzes[0]["title"] == "Check what you learned"
    assert amina.quizzes[0]["latest"] == 1.0 and amina.quizzes[0]["passed"]
    assert page.cards.itemAt(0).widget().learner.name == "amina"  # most recently active
    assert by_name["default"].last.text() == "Not started yet"


# -- imported courses read like courses -------------------------------------------------------


def test_an_online_video_shows_its_transcript(
        qtbot: QtBot, library: Library, open_window: OpenWindow) -> None:
    from app.packs.importers import import_any
    from tests.ui.conftest import mark_seeded

    report = import_any(library, _corpus_course())
    mark_seeded(library)
    data = json.loads(library.db.execute("SELECT manifest FROM packs WHERE id = ?",
                                         (report.pack_id,)).fetchone()[0])
    reach = next(r for r in data["resources"] if r["kind"] == "link"
                 and r["title"]["en"].startswith("The Reach of the Open edX Platform"))
    _ctx, window = open_window()
    page = wait_loaded(qtbot, window, "resource", resource_id=f"{report.pack_id}/{reach['id']}")
    assert page.side.isTabVisible(1)
    assert page.transcript.count() > 5


def test_wide_pictures_fit_the_reading_width(
        qtbot: QtBot, library: Library, open_window: OpenWindow, tmp_path: Path) -> None:
    from tests.ui.conftest import mark_seeded, png_bytes

    folder = tmp_path / "wide"
    (folder / "assets").mkdir(parents=True)
    (folder / "assets" / "wide.png").write_bytes(png_bytes(3000, 400))
    (folder / "lesson.md").write_text("# Wide\n\nText.\n\n![A wide map](assets/wide.png)\n")
    (folder / "pack.yaml").write_text("license: CC0-1.0\nattribution: tests\n")
    from app.packs.build import build_pack

    build_pack(folder, tmp_path / "wide.ujpack")
    import_pack(library, tmp_path / "wide.ujpack")
    mark_seeded(library)
    _ctx, window = open_window()
    window.resize(800, 600)
    page = wait_loaded(qtbot, window, "resource", resource_id="wide/lesson")
    browser = page.viewer.browser
    qtbot.waitUntil(lambda: browser.document().size().width() > 0, timeout=WAIT)
    bar = browser.horizontalScrollBar()
    assert bar.maximum() == 0, "the picture scrolls the article sideways"

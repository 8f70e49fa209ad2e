"""The window on a real library, driven through pytest-qt: the library, a pack, importing,
removing, keyboard navigation and progress that survives a restart."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from app import learning
from app.library import Library
from app.packs.importer import import_pack
from app.starter import SEEDED_KEY
from tests.packs import make_pack
from tests.ui.conftest import PACK_ID, Dialogs, OpenWindow, mark_seeded, wait_loaded


def test_first_run_prepares_the_starter_packs(
    qtbot: QtBot, library: Library, open_window: OpenWindow
) -> None:
    ctx, window = open_window()  # ready waits for the starter packs on a first run
    assert ctx.seeding is not None and ctx.seeding.state == "done"
    assert len(ctx.packs or []) >= 3
    assert library.db.execute("SELECT 1 FROM meta WHERE key = ?", (SEEDED_KEY,)).fetchone()
    home = window.pages["home"]
    assert home.recent_box.isVisible()
    assert window.width() >= 1024 and window.height() >= 640


def test_library_lists_filters_and_sorts(
    qtbot: QtBot, filled: Library, tmp_path: Path, open_window: OpenWindow
) -> None:
    make_pack(tmp_path / "b.ujpack", pack_id="org.test.b")
    import_pack(filled, tmp_path / "b.ujpack")
    filled.record_progress("org.test.b/intro", complete=True)
    _ctx, window = open_window()
    page = wait_loaded(qtbot, window, "library")
    assert page.proxy.rowCount() == 2
    assert page.count.text() == "2 packs"
    status = page.filters["status"]
    status.setCurrentIndex(status.findData(learning.STATUS_DONE))
    assert page.proxy.rowCount() == 1
    assert page.proxy.index(0, 0).data() == "Sample pack"
    assert page.clear_filters.isVisible()
    page.clear_filters.click()
    assert page.proxy.rowCount() == 2
    kind = page.filters["kind"]
    kind.setCurrentIndex(kind.findData("quiz"))
    assert page.proxy.rowCount() == 1
    assert page.proxy.index(0, 0).data() == "Every kind of resource"
    page._clear_filters()
    page.list_button.click()
    assert not page.view.isWrapping()
    page.grid_button.click()
    assert page.view.isWrapping()
    with qtbot.waitSignal(window.pages.get("pack", page).loaded if "pack" in window.pages
                          else window.page("pack").loaded, timeout=10_000):
        page.view.activated.emit(page.proxy.index(0, 0))
    assert window.current is window.pages["pack"]


def test_pack_page_shows_sections_time_and_continue(
    qtbot: QtBot, filled: Library, open_window: OpenWindow
) -> None:
    filled.record_progress(f"{PACK_ID}/article", complete=True)
    _ctx, window = open_window(open_id=PACK_ID)
    page = window.pages["pack"]
    assert page.title.text() == "Every kind of resource"
    assert "CC-BY-SA-4.0" in page.licence.text() and "The tests" in page.licence.text()
    assert "left" in page.meta.text() and "in all" in page.meta.text()
    assert page.progress_label.text() == "1 of 8 done"
    assert page.model.rowCount() == 2  # sections
    read = page.model.index(0, 0)
    titles = [page.model.index(r, 0, read).data() for r in range(page.model.rowCount(read))]
    assert titles == ["Citing sources", "Second article", "Printed guide", "A photo"]
    assert page.continue_button.text() == "Continue"
    resource_page = window.page("resource")
    with qtbot.waitSignal(resource_page.loaded, timeout=10_000):
        page.continue_button.click()
    assert resource_page.resource["id"] == f"{PACK_ID}/second"
    assert window.topbar.crumbs.text().count("href") == 2  # Library › Pack › Resource


def test_import_by_the_dialog(
    qtbot: QtBot, library: Library, tmp_path: Path, open_window: OpenWindow,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    mark_seeded(library)
    make_pack(tmp_path / "new.ujpack", pack_id="org.test.new")
    ctx, window = open_window()
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *a, **k: (str(tmp_path / "new.ujpack"), ""))
    pack_page = window.page("pack")
    with qtbot.waitSignal(pack_page.loaded, timeout=15_000):
        window.pages["home"].empty.action.click()  # "Import a pack" on the empty library
    assert pack_page.pack_id == "org.test.new"
    task = ctx.tasks[-1]
    assert task.state == "done" and task.title == "Importing new.ujpack"
    downloads = wait_loaded(qtbot, window, "downloads")
    assert downloads.rows.count() == 1
    qtbot.waitUntil(lambda: ctx.packs is not None and len(ctx.packs) == 1)


def test_import_failure_is_explained_and_can_be_retried(
    qtbot: QtBot, library: Library, tmp_path: Path, open_window: OpenWindow,
    errors_shown: list[str]
) -> None:
    mark_seeded(library)
    bad = tmp_path / "bad.ujpack"
    bad.write_bytes(b"this is not a zip")
    ctx, window = open_window()
    shown = errors_shown
    with qtbot.waitSignal(ctx.tasks_changed, timeout=10_000):
        tasks = window.import_paths([bad])
    qtbot.waitUntil(lambda: tasks[0].state == "failed")
    assert shown and "not a Ujuzi pack" in shown[0]
    downloads = wait_loaded(qtbot, window, "downloads")
    row = downloads.rows.itemAt(0).widget()
    qtbot.waitUntil(row.retry.isVisible)
    assert "not a Ujuzi pack" in row.detail.text()
    with qtbot.waitSignal(ctx.tasks_changed, timeout=10_000):
        row.retry.click()  # the same file again: fails the same way, and says so again
    qtbot.waitUntil(lambda: tasks[0].state == "failed")
    assert len(shown) == 2
    shown.clear()


def test_drop_a_file_to_import(
    qtbot: QtBot, library: Library, tmp_path: Path, open_window: OpenWindow
) -> None:
    mark_seeded(library)
    make_pack(tmp_path / "dropped.ujpack", pack_id="org.test.dropped")
    ctx, window = open_window()
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(tmp_path / "dropped.ujpack"))])
    event = QDropEvent(QPointF(200, 200), Qt.DropAction.CopyAction, data,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(ctx.library_changed, timeout=15_000):
        window.dropEvent(event)
    assert library.has_pack("org.test.dropped")


def test_remove_pack_asks_first(
    qtbot: QtBot, filled: Library, open_window: OpenWindow, dialogs: Dialogs
) -> None:
    _ctx, window = open_window(open_id=PACK_ID)
    page = window.pages["pack"]
    page.remove_button.click()  # the question's default answer is Cancel
    assert dialogs.boxes and "Every kind of resource" in dialogs.boxes[0].text()
    assert filled.has_pack(PACK_ID)
    dialogs.answers.append(QMessageBox.StandardButton.Yes)
    library_page = window.page("library")
    with qtbot.waitSignal(library_page.loaded, timeout=10_000):
        page.remove_button.click()
    assert not filled.has_pack(PACK_ID)
    qtbot.waitUntil(lambda: library_page.model.rowCount() == 0)


def test_keyboard_shortcuts_and_back(
    qtbot: QtBot, filled: Library, open_window: OpenWindow
) -> None:
    _ctx, window = open_window()
    window.activateWindow()
    wait_loaded(qtbot, window, "library")
    wait_loaded(qtbot, window, "pack", pack_id=PACK_ID)
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert window.topbar.search.hasFocus()
    library_page = window.pages["library"]
    with qtbot.waitSignal(library_page.loaded, timeout=10_000):
        qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.current is library_page
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert window.help_dialog is not None and window.help_dialog.isVisible()
    texts = [w.text() for w in window.help_dialog.findChildren(QLabel)]
    assert "Ctrl+K, Ctrl+F" in texts and "Alt+←" in texts
    window.help_dialog.close()
    with qtbot.waitSignal(window.page("settings").loaded, timeout=10_000):
        qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    assert window.rail_buttons["settings"].isChecked()


def test_every_control_has_a_name_and_takes_focus(
    qtbot: QtBot, filled: Library, open_window: OpenWindow
) -> None:
    _ctx, window = open_window()
    wait_loaded(qtbot, window, "resource", resource_id=f"{PACK_ID}/article")
    unnamed = [
        b for b in window.findChildren(QPushButton)
        if b.isVisible() and not (b.text() or b.accessibleName())
    ]
    assert unnamed == []
    for button in window.rail_buttons.values():
        assert button.accessibleName() and button.focusPolicy() & Qt.FocusPolicy.TabFocus
    assert "focus" in QApplication.instance().styleSheet()  # visible focus ring


def test_progress_survives_a_restart(
    qtbot: QtBot, filled: Library, open_window: OpenWindow
) -> None:
    ctx, window = open_window(open_id=f"{PACK_ID}/article")
    page = window.pages["resource"]
    bar = page.viewer.browser.verticalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(bar.maximum() // 2)
    page.deactivate()  # leaving the page saves the position at once
    qtbot.waitUntil(lambda: filled.progress(f"{PACK_ID}/article")["position"] > 0.3)
    with qtbot.waitSignal(ctx.progress_changed, timeout=10_000):
        page.complete.click()
    window.close()
    ctx.runner.wait()
    assert filled.progress(f"{PACK_ID}/article")["completed"]

    _ctx2, window2 = open_window(open_id=f"{PACK_ID}/article")
    page2 = window2.pages["resource"]
    bar2 = page2.viewer.browser.verticalScrollBar()
    assert abs(bar2.value() / bar2.maximum() - 0.5) < 0.05  # back where the learner was
    assert page2.complete.text() == "Completed" and not page2.complete.isEnabled()
    pack = wait_loaded(qtbot, window2, "pack", pack_id=PACK_ID)
    assert pack.progress_label.text() == "1 of 8 done"
    home = wait_loaded(qtbot, window2, "home")
    # The only opened resource is done: Home continues with the next one of its pack.
    assert not home.continue_box.isHidden()
    assert [item["id"] for item in _ctx2.continue_items] == [f"{PACK_ID}/second"]

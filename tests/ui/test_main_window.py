"""The app window on a real library, driven through pytest-qt."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.library import Library
from app.packs.importer import import_pack
from app.starter import SEEDED_KEY
from app.ui.main import MainWindow
from tests.packs import make_pack


def _mark_seeded(library: Library) -> None:
    library.db.execute("INSERT INTO meta(key, value) VALUES (?, '1')", (SEEDED_KEY,))


def test_window_lists_packs_and_shows_the_chosen_one(
    qtbot: QtBot, library: Library, home: Path, tmp_path: Path
) -> None:
    make_pack(tmp_path / "a.ujpack", pack_id="org.test.a")
    make_pack(tmp_path / "b.ujpack", pack_id="org.test.b",
              articles={"citations": "# Citations\n\nHow to cite.\n"})
    import_pack(library, tmp_path / "a.ujpack")
    import_pack(library, tmp_path / "b.ujpack")
    library.record_progress("org.test.b/citations", complete=True)
    _mark_seeded(library)

    window = MainWindow(str(home), None, ["en"], open_id="org.test.b/citations")
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.ready, timeout=10_000):
        window.show()
        window.start()
    assert window.model.rowCount() == 2
    assert window.packs_view.currentIndex().row() == 1
    text = window.details.toPlainText()
    assert "Sample pack" in text and "Citations" in text
    assert "1 of 1 resources complete" in text
    assert window.width() >= 1024 and window.height() >= 640


def test_empty_library_says_what_to_do(qtbot: QtBot, library: Library, home: Path) -> None:
    _mark_seeded(library)
    window = MainWindow(str(home), None, ["en"])
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.ready, timeout=10_000):
        window.show()
        window.start()
    assert window.model.rowCount() == 0
    assert "ujuzi import" in window.details.toPlainText()

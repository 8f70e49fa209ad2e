"""Interactive resources in the window: the viewer runs the loopback runtime, and the import
report dialog lists what could not be converted."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from pytestqt.qtbot import QtBot

from app.library import Library
from app.packs.importers import import_any
from app.ui.import_report import show_import_report
from app.ui.viewers import interactive
from tests.ui.conftest import OpenWindow, mark_seeded


def test_scorm_runs_without_the_web_engine(
        qtbot: QtBot, library: Library, corpus: Path, open_window: OpenWindow,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(interactive, "web_engine_available", lambda: False)
    report = import_any(library, corpus / "scorm" / "packages" / "singlesco_scorm12.zip")
    mark_seeded(library)
    resource = library.pack(report.pack_id)["sections"][0]["resources"][0]
    _ctx, window = open_window(resource["id"])
    viewer = window.current.viewer  # type: ignore[union-attr]
    assert isinstance(viewer, interactive.InteractiveViewer)
    qtbot.waitUntil(lambda: viewer.server is not None, timeout=10_000)
    assert viewer.stack.currentWidget() is viewer.fallback
    assert "web browser" in viewer.open_button.text()
    server = viewer.server
    assert server is not None
    assert requests.get(server.url, timeout=10).status_code == 200
    with qtbot.waitSignal(viewer.completed, timeout=10_000):
        requests.post(server.url + "api/commit", timeout=10, json={
            "version": "1.2", "finished": True,
            "data": {"cmi.core.lesson_status": "completed"}})
    assert library.progress(resource["id"])["completed"]
    window.close()
    assert viewer.server is None or viewer.server is server


def test_import_report_dialog(qtbot: QtBot, library: Library, corpus: Path) -> None:
    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    done = import_any(library, corpus / "h5p" / "h5p-test-truefalse.h5p")
    assert show_import_report(parent, done) is None
    report = import_any(library, corpus / "scorm" / "packages" / "singlescobasic_missingorg.zip")
    box = show_import_report(parent, report)
    assert box is not None
    assert "1 item could not be converted" in box.informativeText()
    assert "organizations" in box.detailedText()
    box.close()


def test_zim_article_is_read_from_the_zim(qtbot: QtBot, library: Library, corpus: Path,
                                          open_window: OpenWindow) -> None:
    report = import_any(library, corpus / "zim" / "libkiwix" / "zimfile.zim")
    mark_seeded(library)
    resources = library.pack(report.pack_id)["sections"][0]["resources"]
    ray = next(r for r in resources if r["url"] == "zim://A/Ray_Charles")
    _ctx, window = open_window(ray["id"])
    viewer = window.current.viewer  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: "Ray Charles" in viewer.browser.toPlainText(), timeout=10_000)
    text = viewer.browser.toPlainText()
    assert "American singer" in text or "pianist" in text

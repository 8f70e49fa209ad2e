"""The window's viewers hand the core the library they were given."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.library import Library
from app.packs.importers import import_any
from app.ui.viewers import interactive
from tests.ui.conftest import OpenWindow, mark_seeded


def test_the_interactive_viewer_starts_its_server_on_the_given_library(
        qtbot: QtBot, library: Library, corpus: Path, open_window: OpenWindow,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(interactive, "web_engine_available", lambda: False)
    given: list[object] = []
    real = interactive.InteractiveServer

    def recording(source: Any, *args: Any, **kwargs: Any) -> Any:
        given.append(source)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(interactive, "InteractiveServer", recording)
    report = import_any(library, corpus / "scorm" / "packages" / "singlesco_scorm12.zip")
    mark_seeded(library)
    resource = library.pack(report.pack_id)["sections"][0]["resources"][0]
    _ctx, window = open_window(resource["id"])
    viewer = window.current.viewer  # type: ignore[union-attr]
    assert isinstance(viewer, interactive.InteractiveViewer)
    qtbot.waitUntil(lambda: viewer.server is not None, timeout=10_000)
    [source] = given
    assert isinstance(source, Library)  # the task's library, not a second one
    assert source.layout.home == library.layout.home
    window.close()

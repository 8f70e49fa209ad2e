"""The window's viewers hand the core the library they were given."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.library import Library
from app.ui.viewers import interactive
from tests.ui.conftest import OpenWindow, open_activity


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
    _resource, window, viewer = open_activity(
        library, corpus / "scorm" / "packages" / "singlesco_scorm12.zip", open_window)
    assert isinstance(viewer, interactive.InteractiveViewer)
    qtbot.waitUntil(lambda: viewer.server is not None, timeout=10_000)
    [source] = given
    assert isinstance(source, Library)  # the task's library, not a second one
    assert source.layout.home == library.layout.home
    window.close()

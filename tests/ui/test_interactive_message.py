"""What the interactive viewer says where there is no web view (Qt WebEngine): a bundle user
cannot pip install anything, so a bundle says the content opens in the browser and that the
full bundle has the web view; a pip install says how to add it.

Qt WebEngine is installed here: the tests take it away as the viewer sees it
(``web_engine_available``), and make the program a bundle as it sees itself (``sys.frozen``
and the bundle's manifest, app/components.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app import components
from app.library import Library
from app.ui.viewers import interactive
from tests.ui.conftest import OpenWindow, open_activity


def fallback_text(qtbot: QtBot, library: Library, corpus: Path,
                  open_window: OpenWindow) -> str:
    _resource, window, viewer = open_activity(
        library, corpus / "scorm" / "packages" / "singlesco_scorm12.zip", open_window)
    qtbot.waitUntil(lambda: viewer.server is not None, timeout=10_000)
    assert viewer.stack.currentWidget() is viewer.fallback
    text = str(viewer.message.text())
    window.close()
    return text


@pytest.fixture
def no_web_view(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(interactive, "web_engine_available", lambda: False)


@pytest.mark.usefixtures("no_web_view")
def test_a_pip_install_says_how_to_add_the_web_view(
        qtbot: QtBot, library: Library, corpus: Path, open_window: OpenWindow) -> None:
    text = fallback_text(qtbot, library, corpus, open_window)
    assert "pip install ujuzi[web]" in text and "web browser" in text


@pytest.mark.usefixtures("no_web_view")
@pytest.mark.parametrize("variant", ["learner", "standard"])
def test_a_bundle_says_the_browser_and_the_full_bundle(
        qtbot: QtBot, library: Library, corpus: Path, open_window: OpenWindow,
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variant: str) -> None:
    manifest = tmp_path / "bundle.json"
    manifest.write_text(json.dumps({"variant": variant, "left_out": []}))
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(components, "MANIFEST", manifest)
    text = fallback_text(qtbot, library, corpus, open_window)
    assert "pip" not in text
    assert "web browser" in text and "full bundle" in text


@pytest.mark.usefixtures("no_web_view")
def test_the_full_bundle_whose_web_view_cannot_start_offers_the_browser(
        qtbot: QtBot, library: Library, corpus: Path, open_window: OpenWindow,
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    manifest = tmp_path / "bundle.json"
    manifest.write_text(json.dumps({"variant": "full", "left_out": []}))
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(components, "MANIFEST", manifest)
    text = fallback_text(qtbot, library, corpus, open_window)
    assert "pip" not in text and "full bundle" not in text and "web browser" in text

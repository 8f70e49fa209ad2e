"""The learner's badges in the window (Settings, "Learner"): after the learner's device syncs
with a real hub (tests/hubs.py) on which their mentor awarded a badge, the section shows its
name, what it is for, the issuer, the date and a verified mark, and "Export…" writes the
credential, which verifies.

Set UJUZI_SCREENSHOT_DIR to keep the screenshot (badges-profile.png)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.library import Library
from app.mentorship import badges
from app.sync.account import Account
from app.sync.records import sync_now
from app.ui.badges_section import BadgesSection
from tests.hub.sync_helpers import PASSWORD
from tests.hub.test_badges import PACK, RESOURCES, award, complete, mentorship
from tests.hubs import start_hub
from tests.packs import make_pack
from tests.sync.conftest import file_keyring  # noqa: F401  (autouse: a keyring per test)
from tests.ui.conftest import OpenWindow, mark_seeded, wait_loaded

pytestmark = pytest.mark.slow


def plain(text: str) -> str:
    return "".join(c for c in text if c not in "\u2066\u2067\u2068\u2069")


def test_a_badge_awarded_on_the_hub_shows_in_the_learners_profile_after_sync(
        qtbot: QtBot, home: Path, open_window: OpenWindow, tmp_path: Path) -> None:
    hub = start_hub(tmp_path / "hub-home")
    try:
        make_pack(tmp_path / "p.ujpack",
                  articles={name: f"# {name}\n\nText." for name in RESOURCES})
        hub.publish(tmp_path / "p.ujpack")
        amina, baraka, _rel = mentorship(hub, "amina", "baraka")
        complete(baraka, *RESOURCES)
        given = award(amina, "baraka", PACK)
        assert given.status_code == 201, given.text
        credential = given.json()["credential"]
        with Library(home) as library:
            mark_seeded(library)
            Account(library).login(hub.url, "baraka", PASSWORD)
            sync_now(library)
    finally:
        hub.stop()

    _ctx, window = open_window()
    page = wait_loaded(qtbot, window, "settings")
    section = page.profile_section.badges
    assert isinstance(section, BadgesSection)
    qtbot.waitUntil(lambda: len(section.cards) == 1, timeout=15_000)
    card = section.cards[0]
    assert card.name.text() == "Sample pack"
    details = plain(card.details.text())
    assert "For the pack Sample pack" in details and "issued by Ujuzi hub" in details
    assert credential["validFrom"][:10] in details
    assert plain(card.mark.text()).startswith("✓ Verified")
    assert card.mark.property("role") == "success"
    assert section.heading.text() == "Badges"
    qtbot.waitUntil(card.export_button.isVisible, timeout=15_000)

    out = tmp_path / "exported.json"
    section.ask_path = lambda _badge: str(out)  # type: ignore[method-assign]
    qtbot.mouseClick(card.export_button, Qt.MouseButton.LeftButton)
    assert json.loads(out.read_text(encoding="utf-8")) == credential
    assert badges.verify(badges.loads(out.read_bytes())).ok
    assert "Saved to" in section.state.text()

    page.scroll_area.ensureWidgetVisible(section, 0, 0)
    QApplication.processEvents()
    folder = Path(os.environ.get("UJUZI_SCREENSHOT_DIR") or tmp_path)
    assert window.grab().save(str(folder / "badges-profile.png"))

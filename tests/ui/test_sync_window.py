"""Sync in the window: who is learning (profiles, PINs, switching), background sync with a
real hub process (tests/hubs.py) and the test keyring of the client's tests
(tests/sync/keyring_file.py: a headless machine has no OS keyring), its state in words, and
notes edited on two devices."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app import learning, profiles
from app.library import Library
from app.packs.importer import import_pack
from app.sync.account import Account
from app.sync.records import sync_now, sync_status
from app.ui.note_edit import NoteEditor
from app.ui.sync_state import sync_of
from app.ui.window import MainWindow
from tests.hubs import RunningHub, start_hub
from tests.sync.conftest import PASSWORD, file_keyring, shared_hub  # noqa: F401
from tests.ui.conftest import PACK_ID, OpenWindow, mark_seeded, wait_loaded

WAIT = 30_000
ARTICLE = f"{PACK_ID}/article"
SECOND = f"{PACK_ID}/second"


def second_library(path: Path, kinds_pack: Path) -> Path:
    """Another data folder (the learner's other computer) with the same pack."""
    with Library(path) as library:
        import_pack(library, kinds_pack)
        mark_seeded(library)
    return path


def shown_page(window: MainWindow) -> str:
    return window.current.name if window.current is not None else ""


# -- PINs ------------------------------------------------------------------------------------


def test_a_pin_is_kept_hashed_and_checked(filled: Library) -> None:
    filled.add_profile("amina")
    assert profiles.pin_matches(filled, "amina", "anything")  # no PIN: open
    profiles.set_pin(filled, "amina", "2468")
    stored = filled.db.execute("SELECT value FROM meta WHERE key LIKE 'profile_pin:%'"
                               ).fetchone()[0]
    assert "2468" not in stored and stored.startswith("scrypt$")
    assert profiles.pin_matches(filled, "amina", "2468")
    assert not profiles.pin_matches(filled, "amina", "2469")
    with pytest.raises(profiles.PinError):
        profiles.open_profile(filled, "amina", "0000")
    with pytest.raises(profiles.PinError):  # changing needs the current one
        profiles.set_pin(filled, "amina", "1357", current="0000")
    with pytest.raises(profiles.PinError):  # digits only
        profiles.set_pin(filled, "amina", "abcd", current="2468")
    profiles.set_pin(filled, "amina", None, current="2468")
    assert not profiles.has_pin(filled, "amina")
    assert [(e.name, e.has_pin) for e in profiles.profile_entries(filled)] == [
        ("default", False), ("amina", False)]


# -- who is learning -------------------------------------------------------------------------


def test_several_profiles_ask_who_is_learning_a_pin_guards_one_and_switching_reloads(
        qtbot: QtBot, filled: Library, open_window: OpenWindow) -> None:
    filled.add_profile("amina")
    profiles.set_pin(filled, "amina", "2468")
    filled.add_note(ARTICLE, "note of the default learner")
    filled.add_note(SECOND, "note of amina", "amina")
    learning.mark_opened(filled, SECOND, "amina")

    ctx, window = open_window()
    assert shown_page(window) == "profiles"
    page = window.current
    assert set(page.profile_buttons) == {"default", "amina"}  # type: ignore[union-attr]
    amina = page.profile_buttons["amina"]  # type: ignore[union-attr]
    assert "PIN" in amina.accessibleName()

    qtbot.mouseClick(amina, Qt.MouseButton.LeftButton)
    assert page.pin_box.isVisible()  # type: ignore[union-attr]
    qtbot.keyClicks(page.pin, "1111")  # type: ignore[union-attr]
    qtbot.keyClick(page.pin, Qt.Key.Key_Return)  # type: ignore[union-attr]
    qtbot.waitUntil(page.pin_error.isVisible, timeout=WAIT)  # type: ignore[union-attr]
    assert "PIN" in page.pin_error.text()  # type: ignore[union-attr]
    assert ctx.profile == "default" and shown_page(window) == "profiles"

    qtbot.keyClicks(page.pin, "2468")  # type: ignore[union-attr]
    with qtbot.waitSignal(ctx.profile_changed, timeout=WAIT):
        qtbot.keyClick(page.pin, Qt.Key.Key_Return)  # type: ignore[union-attr]
    assert ctx.profile == "amina"
    assert shown_page(window) == "home"
    assert "amina" in window.profile_button.toolTip()
    qtbot.waitUntil(lambda: [item["id"] for item in ctx.continue_items] == [SECOND],
                    timeout=WAIT)
    notes = wait_loaded(qtbot, window, "notes")
    assert [note["body"] for note in notes.model.notes] == ["note of amina"]

    # The switcher in the rail: back to the default learner (no PIN); the page shown
    # reloads with that learner's notes.
    qtbot.mouseClick(window.profile_button, Qt.MouseButton.LeftButton)
    assert shown_page(window) == "profiles"
    qtbot.waitUntil(lambda: "default" in window.current.profile_buttons,  # type: ignore
                    timeout=WAIT)
    with qtbot.waitSignal(ctx.profile_changed, timeout=WAIT):
        qtbot.mouseClick(window.current.profile_buttons["default"],  # type: ignore
                         Qt.MouseButton.LeftButton)
    notes = wait_loaded(qtbot, window, "notes")
    assert [note["body"] for note in notes.model.notes] == ["note of the default learner"]
    qtbot.waitUntil(lambda: ctx.continue_items == [], timeout=WAIT)


def test_one_profile_starts_at_home_and_a_learner_is_added_from_the_switcher(
        qtbot: QtBot, filled: Library, open_window: OpenWindow) -> None:
    ctx, window = open_window()
    assert shown_page(window) == "home"
    qtbot.mouseClick(window.profile_button, Qt.MouseButton.LeftButton)
    page = window.current
    qtbot.waitUntil(lambda: bool(page.profile_buttons), timeout=WAIT)  # type: ignore
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)  # type: ignore[union-attr]
    assert page.add_error.isVisible()  # type: ignore[union-attr]  # no name: says so
    qtbot.keyClicks(page.new_name, "Baraka")  # type: ignore[union-attr]
    qtbot.keyClick(page.new_name, Qt.Key.Key_Return)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: "Baraka" in page.profile_buttons, timeout=WAIT)  # type: ignore
    with qtbot.waitSignal(ctx.profile_changed, timeout=WAIT):
        qtbot.mouseClick(page.profile_buttons["Baraka"],  # type: ignore[union-attr]
                         Qt.MouseButton.LeftButton)
    assert ctx.profile == "Baraka"
    with Library(filled.layout.home) as library:
        assert "Baraka" in [row["name"] for row in library.profiles()]


def test_a_pin_is_set_and_removed_in_settings(qtbot: QtBot, filled: Library,
                                              open_window: OpenWindow) -> None:
    _ctx, window = open_window()
    section = wait_loaded(qtbot, window, "settings").profile_section
    qtbot.waitUntil(lambda: section.set_button.text() == "Set a PIN", timeout=WAIT)
    assert not section.current.isVisible()
    section.new.setText("12")
    qtbot.mouseClick(section.set_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.state.property("role") == "error", timeout=WAIT)
    section.new.setText("9753")
    qtbot.mouseClick(section.set_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.has_pin, timeout=WAIT)
    assert section.current.isVisible() and section.remove_button.isVisible()
    with Library(filled.layout.home) as library:
        assert profiles.pin_matches(library, "default", "9753")
    section.current.setText("0000")
    qtbot.mouseClick(section.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.state.property("role") == "error", timeout=WAIT)
    assert section.has_pin
    section.current.setText("9753")
    qtbot.mouseClick(section.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not section.has_pin, timeout=WAIT)


# -- background sync and its state (a real hub) ---------------------------------------------


@pytest.mark.slow
def test_a_note_syncs_in_the_background_and_a_change_from_the_other_side_appears(
        qtbot: QtBot, filled: Library, open_window: OpenWindow, tmp_path: Path,
        kinds_pack: Path, shared_hub: RunningHub) -> None:  # noqa: F811
    Account(filled).login(shared_hub.url, "ada", PASSWORD)
    other = second_library(tmp_path / "other", kinds_pack)
    with Library(other) as library:
        Account(library).login(shared_hub.url, "ada", PASSWORD)

    ctx, window = open_window()
    sync = sync_of(ctx)
    sync.after_change_ms = 0  # the wait after a change (20 s) is not what this test shows
    qtbot.waitUntil(lambda: sync.status is not None and sync.status.last_sync is not None,
                    timeout=WAIT)  # the sync at start
    page = wait_loaded(qtbot, window, "resource", resource_id=ARTICLE)
    panel = page.notes_panel
    panel.editor.setPlainText("written in the window")
    results: list[Any] = []
    sync.synced.connect(results.append)
    qtbot.mouseClick(panel.add, Qt.MouseButton.LeftButton)
    # Sent by a sync that nobody asked for but the change.
    qtbot.waitUntil(lambda: any(result.pushed for result in results), timeout=WAIT)
    qtbot.waitUntil(lambda: sync.status is not None and sync.status.waiting == 0,
                    timeout=WAIT)

    with Library(other) as library:
        sync_now(library)
        assert [n["body"] for n in library.notes()] == ["written in the window"]
        library.add_note(ARTICLE, "written on the other computer")
        sync_now(library)

    notes = wait_loaded(qtbot, window, "notes")
    qtbot.waitUntil(lambda: not sync.running, timeout=WAIT)
    assert sync.timer.isActive() and sync.timer.interval() == sync.every_ms
    with qtbot.waitSignal(sync.synced, timeout=WAIT):
        sync.timer.timeout.emit()  # the next periodic sync, now
        assert sync.running
        sync.sync()  # asked during a sync: runs once it ends, never beside it
        assert sync.again
    qtbot.waitUntil(lambda: sorted(n["body"] for n in notes.model.notes) == [
        "written in the window", "written on the other computer"], timeout=WAIT)


@pytest.mark.slow
def test_a_conflicted_note_shows_both_versions_and_keeping_one_settles_it(
        qtbot: QtBot, filled: Library, open_window: OpenWindow, tmp_path: Path,
        kinds_pack: Path, shared_hub: RunningHub) -> None:  # noqa: F811
    Account(filled).login(shared_hub.url, "cora", PASSWORD)
    note = filled.add_note(ARTICLE, "first text")
    sync_now(filled)
    other = second_library(tmp_path / "other", kinds_pack)
    with Library(other) as library:
        Account(library).login(shared_hub.url, "cora", PASSWORD)
        sync_now(library)
        library.edit_note(note["id"], "edited on the laptop")
        sync_now(library)
    filled.edit_note(note["id"], "edited here")
    sync_now(filled)
    assert filled.note(note["id"])["conflict"]

    ctx, window = open_window()
    notes = wait_loaded(qtbot, window, "notes")
    index = notes.proxy.index(0, 0)
    assert "Edited on two devices" in index.data(Qt.ItemDataRole.AccessibleTextRole)
    notes.view.setCurrentIndex(index)
    qtbot.mouseClick(notes.edit_button, Qt.MouseButton.LeftButton)
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, NoteEditor) and w.isVisible())
    shown = [text.toPlainText() for text in dialog.findChildren(type(dialog.editor))
             if text.isReadOnly()]
    assert sorted(shown) == ["edited here", "edited on the laptop"]
    assert len(dialog.keep_buttons) == 2
    keep = dialog.keep_buttons[shown.index("edited on the laptop")]
    with qtbot.waitSignal(ctx.notes_changed, timeout=WAIT):
        qtbot.mouseClick(keep, Qt.MouseButton.LeftButton)
    with Library(filled.layout.home) as library:
        settled = library.note(note["id"])
        assert not settled["conflict"] and settled["body"] == "edited on the laptop"
        assert sync_status(library).conflicts == 0
    qtbot.waitUntil(lambda: [n["conflict"] for n in notes.model.notes] == [False],
                    timeout=WAIT)


@pytest.mark.slow
def test_the_sync_state_shows_last_sync_changes_waiting_and_the_last_error(
        qtbot: QtBot, filled: Library, open_window: OpenWindow, tmp_path: Path) -> None:
    hub = start_hub(tmp_path / "hub")
    try:
        hub.add_user("ada", "learner", PASSWORD)
        Account(filled).login(hub.url, "ada", PASSWORD)
        sync_now(filled)
        filled.add_note(ARTICLE, "written while the hub is down")
    finally:
        hub.stop()

    ctx, window = open_window()
    sync = sync_of(ctx)
    qtbot.waitUntil(lambda: sync.status is not None and bool(sync.status.last_error),
                    timeout=WAIT)
    assert window.sync_button.isVisible() and window.sync_button.text() == "Sync failed"
    assert sync.timer.isActive()  # tries again later, not at once
    assert sync.timer.interval() == sync.retry_ms
    section = wait_loaded(qtbot, window, "settings").hub_account.sync
    qtbot.waitUntil(lambda: "The last sync failed" in section.text(), timeout=WAIT)
    text = section.text()
    assert "Synced " in text and "1 change waiting to be sent" in text
    assert section.sync_button.isVisible()


@pytest.mark.slow
def test_nearby_hubs_lists_a_lan_hub_and_choosing_it_fills_in_the_address(
        qtbot: QtBot, filled: Library, open_window: OpenWindow, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("zeroconf")
    lan = start_hub(tmp_path / "lan", options=("--lan", "--host", "127.0.0.1"),
                    env={"UJUZI_HUB_NAME": "Workshop in Kisumu"})
    monkeypatch.setenv("UJUZI_LAN_INTERFACES", "127.0.0.1")
    try:
        assert lan.process.stdout is not None
        assert lan.process.stdout.readline().startswith("Advertised on the local network")
        _ctx, window = open_window()
        section = wait_loaded(qtbot, window, "settings").hub_account
        nearby = section.nearby
        assert nearby.isVisible()  # signed out: where to find a hub
        qtbot.mouseClick(nearby.find_button, Qt.MouseButton.LeftButton)
        assert not nearby.find_button.isEnabled()  # one browse at a time
        qtbot.waitUntil(lambda: nearby.hubs is not None, timeout=WAIT)
        rows = [nearby.list.item(i) for i in range(nearby.list.count())]
        [item] = [row for row in rows if row.data(Qt.ItemDataRole.UserRole) == lan.url]
        assert "Workshop in Kisumu" in item.text() and lan.fingerprint in item.toolTip()
        nearby.list.itemActivated.emit(item)
        assert section.url.text() == lan.url
    finally:
        lan.stop()


def test_the_sync_state_in_words() -> None:
    from datetime import UTC, datetime, timedelta

    from app.sync.records import SyncStatus
    from app.ui.sync_state import ago, short_state, state_lines

    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    assert ago((now - timedelta(seconds=20)).isoformat(), now) == "just now"
    assert ago((now - timedelta(minutes=2)).isoformat(), now) == "2 minutes ago"
    linked = SyncStatus(url="http://hub", user="ada", signed_in=True,
                        last_sync=None, waiting=3, conflicts=1, last_error="The hub is down.")
    texts = [text for text, _role in state_lines(linked, running=False)]
    assert texts == ["Not synced yet", "3 changes waiting to be sent",
                     "1 note edited on two devices: open Notes to choose",
                     "The last sync failed: The hub is down."]
    assert short_state(linked, running=False) == "Sync failed"
    assert short_state(linked, running=True) == "Syncing…"
    unlinked = SyncStatus(url=None, user=None, signed_in=False, last_sync=None, waiting=0,
                          conflicts=0, last_error=None)
    assert short_state(unlinked, running=False) == ""
    assert "not linked" in state_lines(unlinked, running=False)[0][0]


def test_a_closed_window_reads_and_syncs_its_data_folder_no_more(
        qtbot: QtBot, filled: Library, open_window: OpenWindow,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A window closed just after its sync started (as a short session, or a test, does)
    leaves no timer that reads or syncs its data folder later, in another window's time."""
    from app.ui.sync_state import STATUS_DELAY_MS

    ctx, window = open_window()
    sync = sync_of(ctx)
    sync.start()  # what the window does once settled: the state is read shortly
    assert sync.status_timer.isActive()
    window.close()
    ctx.runner.wait()
    opened: list[object] = []
    real_init = Library.__init__

    def counting_init(self: Library, *args: object, **kwargs: object) -> None:
        opened.append(args)
        real_init(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Library, "__init__", counting_init)
    qtbot.wait(STATUS_DELAY_MS + 300)  # past the moment the read was due
    sync.start()
    sync.sync()
    sync.load_status()
    ctx.runner.wait()
    QApplication.processEvents()
    assert opened == []
    assert not any(timer.isActive() for timer in (sync.timer, sync.change_timer,
                                                  sync.status_timer))

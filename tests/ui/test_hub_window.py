"""The hub in the window, against a real hub process (tests/hubs.py) and the test keyring
backend of the client's tests (tests/sync/keyring_file.py: a headless machine has no OS
keyring): signing in from Settings, the catalog with sizes, downloads with pause, resume and
cancel, the metered question, updates, the queue going on after a restart and after the
network comes back, submitting, and the review queue."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from app import formatting
from app.library import Library
from app.sync import downloads as queue
from app.sync.account import Account
from app.sync.catalog import fetch_catalog
from app.ui.app import create_window
from app.ui.context import AppContext
from app.ui.hub import hub_of
from app.ui.window import MainWindow
from tests.faulty_proxy import FaultyProxy
from tests.hubs import RunningHub
from tests.packs import make_pack
from tests.sync.conftest import PASSWORD, file_keyring, shared_hub  # noqa: F401
from tests.ui.conftest import Dialogs, OpenWindow, mark_seeded, wait_loaded

pytestmark = pytest.mark.slow

WAIT = 30_000


@pytest.fixture
def publish(shared_hub: RunningHub, tmp_path: Path  # noqa: F811
            ) -> Callable[..., Path]:
    """Publish a pack on the shared hub: ``publish(id, version, size)`` (a video of ``size``
    random bytes, so packs of different tests share no file)."""
    def publisher(pack_id: str, version: str = "1.0.0", size: int = 4096,
                  send: bool = True) -> Path:
        out = tmp_path / f"{pack_id}-{version}.ujpack"
        make_pack(out, pack_id, version, media={"clip": os.urandom(size)},
                  extra={"skills": ["citations"], "languages": ["en"]})
        if send:
            shared_hub.publish(out)
        return out

    return publisher


def sign_in(home: Path, url: str, user: str = "ada") -> None:
    with Library(home) as library:
        mark_seeded(library)
        Account(library).login(url, user, PASSWORD)


def setting(home: Path, name: str, value: Any) -> None:
    with Library(home) as library:
        library.settings.set(name, value)


def installed_version(home: Path, pack_id: str) -> str | None:
    with Library(home) as library:
        row = library.db.execute("SELECT version FROM packs WHERE id = ?",
                                 (pack_id,)).fetchone()
        return None if row is None else str(row[0])


def in_layout(layout: Any) -> list[Any]:
    """The widgets a layout holds now (rows just added are shown at the next event)."""
    return [layout.itemAt(i).widget() for i in range(layout.count())]


def downloads_page(qtbot: QtBot, window: MainWindow) -> Any:
    return wait_loaded(qtbot, window, "downloads")


@pytest.fixture
def other_window(qtbot: QtBot) -> Iterator[Callable[..., tuple[AppContext, MainWindow]]]:
    """A window on another data folder (a second person at another computer)."""
    opened: list[tuple[AppContext, MainWindow]] = []

    def opener(home: Path, open_id: str | None = None) -> tuple[AppContext, MainWindow]:
        ctx, window = create_window(str(home), None, open_id)
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.ready, timeout=WAIT):
            window.show()
            window.start()
        opened.append((ctx, window))
        return ctx, window

    yield opener
    for ctx, window in opened:
        window.close()
        ctx.runner.wait()


def test_sign_in_from_settings_shows_the_pinned_key_and_signs_out(
        qtbot: QtBot, open_window: OpenWindow, home: Path, shared_hub: RunningHub,  # noqa: F811
        file_keyring: Any) -> None:  # noqa: F811
    with Library(home) as library:
        mark_seeded(library)
    _ctx, window = open_window()
    page = wait_loaded(qtbot, window, "settings")
    section = page.hub_account
    assert section.form_box.isVisible() and not section.signed_box.isVisible()
    section.url.setText(shared_hub.url)
    section.user.setText("ada")
    section.password.setText("not the password")
    qtbot.mouseClick(section.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.status.property("role") == "error", timeout=WAIT)
    assert "password" in section.status.text()
    assert not section.signed_box.isVisible()

    section.password.setText(PASSWORD)
    qtbot.mouseClick(section.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(section.signed_box.isVisible, timeout=WAIT)
    assert "ada" in section.who.text() and "learner" in section.who.text()
    assert section.where.text() == shared_hub.url
    assert shared_hub.fingerprint in section.key.text()
    assert shared_hub.fingerprint in section.status.text()  # pinned at this first sign-in
    assert section.password.text() == ""
    assert len(file_keyring.entries()) == 1

    qtbot.mouseClick(section.sign_out_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(section.form_box.isVisible, timeout=WAIT)
    assert file_keyring.entries() == {}


def test_download_settings_are_kept(qtbot: QtBot, open_window: OpenWindow, home: Path,
                                    file_keyring: Any) -> None:  # noqa: F811
    with Library(home) as library:
        mark_seeded(library)
    ctx, window = open_window()
    section = wait_loaded(qtbot, window, "settings").hub_account
    qtbot.waitUntil(lambda: hub_of(ctx).account is not None, timeout=WAIT)
    section.bandwidth.setValue(256)
    section.bandwidth.editingFinished.emit()
    section.metered.setChecked(True)
    section.ask_above.setValue(20)
    section.ask_above.editingFinished.emit()
    ctx.runner.wait()
    with Library(home) as library:
        assert library.settings.get("bandwidth_limit_kbps") == 256
        assert library.settings.get("metered_connection") is True
        assert library.settings.get("metered_ask_bytes") == 20 * 1024 * 1024


def test_the_catalog_shows_a_pack_with_its_size_and_download_installs_it(
        qtbot: QtBot, open_window: OpenWindow, home: Path, shared_hub: RunningHub,  # noqa: F811
        publish: Callable[..., Path]) -> None:
    publish("org.test.hubui.first", size=20_000)
    sign_in(home, shared_hub.url)
    ctx, window = open_window()
    page = downloads_page(qtbot, window)
    row = page.catalog_row("org.test.hubui.first")
    assert row is not None
    entry = row.entry
    assert entry.status == "new" and entry.size > 20_000
    assert formatting.size(entry.size) in row.meta.text()
    assert row.status.text() == "New" and row.action.text() == "Download"
    # the search and the filters
    page.search.setText("no such words anywhere")
    assert page.catalog_row("org.test.hubui.first") is None
    page.search.setText("sample")
    assert page.catalog_row("org.test.hubui.first") is not None
    page.skill.setCurrentIndex(page.skill.findData("citations"))
    page.skill.activated.emit(page.skill.currentIndex())
    assert page.catalog_row("org.test.hubui.first") is not None

    qtbot.mouseClick(row.action, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: installed_version(home, "org.test.hubui.first") == "1.0.0",
                    timeout=WAIT)
    qtbot.waitUntil(lambda: (found := page.catalog_row("org.test.hubui.first")) is not None
                    and found.status.text() == "Installed", timeout=WAIT)
    qtbot.waitUntil(lambda: any(p["id"] == "org.test.hubui.first" for p in ctx.packs or []),
                    timeout=WAIT)


def test_pause_resume_and_cancel_change_the_queue(
        qtbot: QtBot, open_window: OpenWindow, home: Path, shared_hub: RunningHub,  # noqa: F811
        publish: Callable[..., Path]) -> None:
    publish("org.test.hubui.slow", size=2 * 1024 * 1024)
    sign_in(home, shared_hub.url)
    setting(home, "bandwidth_limit_kbps", 16)  # a slow link: the download lasts
    ctx, window = open_window()
    hub = hub_of(ctx)
    page = downloads_page(qtbot, window)
    page.download(page.catalog_row("org.test.hubui.slow").entry)

    def row_state() -> str | None:
        rows = [row for row in hub.rows if row.pack_id == "org.test.hubui.slow"]
        return rows[0].state if rows else None

    qtbot.waitUntil(lambda: bool(hub.live), timeout=WAIT)  # bytes arrive
    [download_id] = list(hub.live)
    widget = page.download_rows[download_id]
    qtbot.waitUntil(widget.pause.isVisible, timeout=WAIT)
    assert not widget.resume.isVisible()
    qtbot.mouseClick(widget.pause, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: row_state() == queue.PAUSED, timeout=WAIT)
    qtbot.waitUntil(lambda: hub.queue_task is not None and hub.queue_task.state == "done",
                    timeout=WAIT)
    widget = page.download_rows[download_id]
    qtbot.waitUntil(widget.resume.isVisible, timeout=WAIT)
    assert not widget.pause.isVisible() and widget.state.text() == "Paused"
    qtbot.waitUntil(lambda: hub.rows[0].bytes_done > 0, timeout=WAIT)  # what came is kept

    qtbot.mouseClick(widget.resume, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: hub.queue_task is not None and hub.queue_task.state == "running"
                    and download_id in hub.live, timeout=WAIT)
    widget = page.download_rows[download_id]
    qtbot.waitUntil(widget.cancel.isVisible, timeout=WAIT)
    qtbot.mouseClick(widget.cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: row_state() == queue.CANCELLED, timeout=WAIT)
    qtbot.waitUntil(lambda: hub.queue_task.state == "done", timeout=WAIT)  # it stopped
    with Library(home) as library:
        assert queue.get_download(library, download_id).state == queue.CANCELLED
        assert not any(library.layout.downloads.iterdir())  # the parts went
    assert installed_version(home, "org.test.hubui.slow") is None
    assert download_id not in page.download_rows


def test_a_metered_connection_asks_before_a_large_download(
        qtbot: QtBot, open_window: OpenWindow, home: Path, shared_hub: RunningHub,  # noqa: F811
        publish: Callable[..., Path], dialogs: Dialogs) -> None:
    publish("org.test.hubui.metered", size=50_000)
    sign_in(home, shared_hub.url)
    setting(home, "metered_connection", True)
    setting(home, "metered_ask_bytes", 10_000)
    ctx, window = open_window()
    hub = hub_of(ctx)
    page = downloads_page(qtbot, window)
    dialogs.answers = [Dialogs.Cancel]
    page.download(page.catalog_row("org.test.hubui.metered").entry)
    qtbot.waitUntil(lambda: len(dialogs.boxes) == 1, timeout=WAIT)
    assert "metered" in dialogs.boxes[0].text()
    assert formatting.size(10_000) in dialogs.boxes[0].text()
    qtbot.waitUntil(lambda: [r.state for r in hub.rows] == [queue.CANCELLED], timeout=WAIT)
    assert installed_version(home, "org.test.hubui.metered") is None

    dialogs.answers = [Dialogs.Yes]
    page.download(page.catalog_row("org.test.hubui.metered").entry)
    qtbot.waitUntil(lambda: installed_version(home, "org.test.hubui.metered") == "1.0.0",
                    timeout=WAIT)
    assert len(dialogs.boxes) == 2


def test_a_newer_version_shows_update_available_and_update_installs_it(
        qtbot: QtBot, open_window: OpenWindow, home: Path, shared_hub: RunningHub,  # noqa: F811
        publish: Callable[..., Path]) -> None:
    publish("org.test.hubui.updated", "1.0.0")
    sign_in(home, shared_hub.url)
    with Library(home) as library:
        queue.download_pack(library, "org.test.hubui.updated")
    publish("org.test.hubui.updated", "1.1.0")
    with Library(home) as library:
        fetch_catalog(library)  # what the window's Downloads page does when it opens
    _ctx, window = open_window("org.test.hubui.updated")
    pack = window.current
    assert pack.update_note.isVisible() and "1.1.0" in pack.update_note.text()
    page = downloads_page(qtbot, window)
    row = page.catalog_row("org.test.hubui.updated")
    assert row.status.text() == "Update available" and row.action.text() == "Update"
    assert "up to" in row.meta.text()  # only changed files come; which, the manifest says

    pack = wait_loaded(qtbot, window, "pack", pack_id="org.test.hubui.updated")
    qtbot.mouseClick(pack.update_button, Qt.MouseButton.LeftButton)
    assert window.current is page
    qtbot.waitUntil(lambda: installed_version(home, "org.test.hubui.updated") == "1.1.0",
                    timeout=WAIT)
    pack = wait_loaded(qtbot, window, "pack", pack_id="org.test.hubui.updated")
    assert not pack.update_note.isVisible()


def test_the_queue_goes_on_after_a_restart(
        qtbot: QtBot, open_window: OpenWindow, home: Path, shared_hub: RunningHub,  # noqa: F811
        publish: Callable[..., Path]) -> None:
    publish("org.test.hubui.restart")
    sign_in(home, shared_hub.url)
    with Library(home) as library:
        queue.enqueue(library, "org.test.hubui.restart")  # left by the last session
    open_window()
    qtbot.waitUntil(lambda: installed_version(home, "org.test.hubui.restart") == "1.0.0",
                    timeout=WAIT)


def test_offline_shows_the_kept_catalog_and_goes_on_when_the_network_is_back(
        qtbot: QtBot, open_window: OpenWindow, home: Path, shared_hub: RunningHub,  # noqa: F811
        publish: Callable[..., Path], errors_shown: list[str]) -> None:
    publish("org.test.hubui.offline")
    with FaultyProxy(shared_hub.url) as proxy:
        sign_in(home, proxy.url)
        with Library(home) as library:
            fetch_catalog(library)
            queue.enqueue(library, "org.test.hubui.offline")
        proxy.retarget("http://127.0.0.1:9")  # the hub cannot be reached any more
        ctx, window = open_window()
        hub = hub_of(ctx)
        page = downloads_page(qtbot, window)
        assert page.notice.isVisible() and page.notice.text().startswith("Offline")
        assert page.catalog_row("org.test.hubui.offline") is not None  # the kept copy
        qtbot.waitUntil(lambda: bool(hub.waiting), timeout=WAIT)
        assert hub.retry_timer.isActive()
        assert hub.retry_timer.interval() >= 60_000  # tried again each minute, not busily
        [download_id] = list(hub.waiting)
        # The row may first show the run that just failed; it then says what it waits for.
        qtbot.waitUntil(lambda: download_id in page.download_rows and page.download_rows[
            download_id].state.text() == "Waiting for the network", timeout=WAIT)
        assert installed_version(home, "org.test.hubui.offline") is None

        proxy.retarget(shared_hub.url)  # the network is back
        hub.retry_timer.timeout.emit()  # the minute has passed
        qtbot.waitUntil(lambda: installed_version(home, "org.test.hubui.offline") == "1.0.0",
                        timeout=WAIT)
        # the queue ran twice, in one task the learner sees
        assert [task.title for task in ctx.tasks] == ["Downloading from the hub"]
        ctx.runner.wait()
    assert errors_shown == []


def test_signed_out_shows_the_kept_catalog_and_says_so(
        qtbot: QtBot, open_window: OpenWindow, home: Path, shared_hub: RunningHub,  # noqa: F811
        publish: Callable[..., Path]) -> None:
    publish("org.test.hubui.kept")
    sign_in(home, shared_hub.url)
    with Library(home) as library:
        fetch_catalog(library)
        Account(library).logout()
    _ctx, window = open_window()
    page = downloads_page(qtbot, window)
    assert page.notice.isVisible() and "Not signed in" in page.notice.text()
    row = page.catalog_row("org.test.hubui.kept")
    assert row is not None and not page.sign_in_state.isVisible()
    assert not row.action.isEnabled() and "Sign in" in row.action.toolTip()


def test_never_signed_in_says_how_to_sign_in(qtbot: QtBot, open_window: OpenWindow,
                                             home: Path, file_keyring: Any  # noqa: F811
                                             ) -> None:
    with Library(home) as library:
        mark_seeded(library)
    _ctx, window = open_window()
    page = downloads_page(qtbot, window)
    assert page.sign_in_state.isVisible() and not page.filters.isVisible()
    assert "Sign in" in page.sign_in_state.title.text()
    qtbot.mouseClick(page.sign_in_state.action, Qt.MouseButton.LeftButton)
    settings = window.page("settings")
    assert window.current is settings
    # scrolled to the Hub account section, its first field ready
    qtbot.waitUntil(lambda: settings.scroll_area.verticalScrollBar().value() > 0,
                    timeout=WAIT)
    area = settings.scroll_area
    top = settings.hub_account.mapTo(area.widget(), settings.hub_account.rect().topLeft())
    assert area.verticalScrollBar().value() <= top.y() < area.verticalScrollBar().value() \
        + area.viewport().height()


def test_a_trainer_submits_and_a_curator_rejects_one_and_approves_another(
        qtbot: QtBot, tmp_path: Path, shared_hub: RunningHub,  # noqa: F811
        publish: Callable[..., Path],
        other_window: Callable[..., tuple[AppContext, MainWindow]]) -> None:
    tom, cora = tmp_path / "tom", tmp_path / "cora"
    sign_in(tom, shared_hub.url, "tom")
    sign_in(cora, shared_hub.url, "cora")
    first = publish("org.test.hubui.rejected", send=False)
    second = publish("org.test.hubui.approved", send=False)

    _tom_ctx, tom_window = other_window(tom)
    page = downloads_page(qtbot, tom_window)
    assert page.submit_box.isVisible() and not page.review_button.isVisible()
    for path in (first, second):
        task = page.submit_file(path)
        qtbot.waitUntil(lambda task=task: task.state == "done", timeout=WAIT)
    qtbot.waitUntil(lambda: len(page.submissions) == 2, timeout=WAIT)
    assert {row.status.text() for row in in_layout(page.submission_rows)} == {
        "Waiting for review"}

    cora_ctx, cora_window = other_window(cora, "page:review")
    review = cora_window.current
    assert review.name == "review"
    cards = {card.item["pack_id"]: card for card in review.cards.values()}
    assert {"org.test.hubui.rejected", "org.test.hubui.approved"} <= set(cards)
    card = cards["org.test.hubui.rejected"]
    assert "tom" in card.meta.text() and "CC-BY-SA-4.0" in card.licence.text()
    assert "English" in card.meta.text()

    qtbot.mouseClick(card.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: card.copy is not None, timeout=WAIT)
    assert [r["id"] for r in card.copy.resources] == [
        "org.test.hubui.rejected/intro", "org.test.hubui.rejected/clip"]
    openers = [b for b in card.resources_box.findChildren(QPushButton) if b.text() == "Open"]
    assert len(openers) == 2
    qtbot.mouseClick(openers[0], Qt.MouseButton.LeftButton)
    [preview] = review.previews
    qtbot.waitUntil(lambda: preview.is_ready, timeout=WAIT)
    assert preview.current.name == "resource"
    assert "Intro" in preview.current.viewer.browser.toPlainText()
    assert preview.ctx.data_dir != cora_ctx.data_dir  # a private copy, not cora's library
    assert installed_version(cora, "org.test.hubui.rejected") is None
    preview.close()

    assert not card.reject_button.isEnabled()  # a reason is required
    qtbot.keyClicks(card.reason, "The video is missing its licence")
    qtbot.mouseClick(card.reject_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: card.submission_id not in review.cards, timeout=WAIT)
    approved = cards["org.test.hubui.approved"]
    qtbot.mouseClick(approved.approve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: approved.submission_id not in review.cards, timeout=WAIT)

    page.load_submissions()
    qtbot.waitUntil(lambda: {item["status"] for item in page.submissions}
                    == {"rejected", "approved"}, timeout=WAIT)
    [rejected] = [item for item in page.submissions if item["status"] == "rejected"]
    assert rejected["reason"] == "The video is missing its licence"
    assert any("The video is missing its licence" in row.reason.text()
               for row in in_layout(page.submission_rows))
    page.refresh()
    qtbot.waitUntil(lambda: page.catalog_row("org.test.hubui.approved") is not None,
                    timeout=WAIT)
    assert page.catalog_row("org.test.hubui.rejected") is None


def test_the_review_page_tells_a_learner_it_is_for_curators(
        qtbot: QtBot, open_window: OpenWindow, home: Path, shared_hub: RunningHub  # noqa: F811
        ) -> None:
    sign_in(home, shared_hub.url)
    _ctx, window = open_window()
    downloads = downloads_page(qtbot, window)
    assert not downloads.review_button.isVisible() and not downloads.submit_box.isVisible()
    review = wait_loaded(qtbot, window, "review")
    assert review.cards == {} and "curators" in review.notice.text()


def test_downloads_use_the_current_learners_own_account(
        qtbot: QtBot, open_window: OpenWindow, home: Path, shared_hub: RunningHub,  # noqa: F811
        publish: Callable[..., Path]) -> None:
    """A shared laptop: the default learner is signed in to nothing, amina to her account;
    with amina at the window the catalog is hers and her account fetches the pack."""
    import json

    publish("org.test.hubui.amina", size=12_000)
    shared_hub.add_user("amina-ui", "learner", PASSWORD)
    with Library(home) as library:
        mark_seeded(library)
        library.add_profile("amina")
        Account(library, "amina").login(shared_hub.url, "amina-ui", PASSWORD)
    ctx, window = open_window()
    window.page("profiles")
    with qtbot.waitSignal(ctx.profile_changed, timeout=WAIT):
        ctx.switch_profile("amina")
    page = downloads_page(qtbot, window)
    qtbot.waitUntil(lambda: hub_of(ctx).account is not None
                    and hub_of(ctx).account.user == "amina-ui", timeout=WAIT)
    hub_of(ctx).load_catalog(fetch=True)
    qtbot.waitUntil(lambda: page.catalog_row("org.test.hubui.amina") is not None,
                    timeout=WAIT)
    row = page.catalog_row("org.test.hubui.amina")
    qtbot.mouseClick(row.action, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: installed_version(home, "org.test.hubui.amina") == "1.0.0",
                    timeout=WAIT)
    with Library(home) as library:
        sha = library.pack_files("org.test.hubui.amina")[-1]["sha256"]
    users = [entry.get("user") for entry in map(json.loads, shared_hub.log().splitlines())
             if entry.get("path") == f"/blobs/{sha}"]
    assert users == ["amina-ui"]

"""Mentorship in the window, with real widgets on a real library and a real hub process
(tests/hubs.py; the file keyring of the client's tests, tests/sync/keyring_file.py, since a
headless machine has no OS keyring): the profile filled in saves through
app/mentorship/local.py; a suggestion shows its explanation and a request shows at once as
waiting for sync; offline, the kept suggestions show with their date; the mentor's dashboard
sorts, filters and charts the selected mentee's timeline; a private note shows a lock (and,
without its key, says it is locked); a shared note edited on two devices shows both versions
and keeps one.

Set UJUZI_SCREENSHOT_DIR to keep the screenshots (docs/screenshots/mentorship-*.png)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QTimeEdit,
)
from pytestqt.qtbot import QtBot

from app import i18n
from app.library import Library
from app.mentorship import crypto, local
from app.mentorship.models import GoalLink, MentorProfile
from app.packs.importer import import_pack
from app.sync.account import Account
from app.sync.records import sync_now
from app.ui.pages.mentorship import MentorshipPage
from app.ui.pages.mentorship_dashboard import COMPLETION, MENTEE, ROW_ROLE
from app.ui.pages.mentorship_people import AskText
from app.ui.window import MainWindow
from tests.hubs import RunningHub, start_hub
from tests.sync.conftest import PASSWORD, file_keyring  # noqa: F401
from tests.sync.records_helpers import PACK_ID, add_users, pack_file, resource
from tests.sync.test_mentorship import device, sync
from tests.ui.conftest import Dialogs, OpenWindow, mark_seeded, wait_loaded
from tests.ui.test_accessible import problems
from tests.ui.test_keyboard import controls, walk
from tests.ui.test_languages import Pseudo, untranslated
from tests.ui.test_layout import FONT, SIZE, cut_text, settle

pytestmark = pytest.mark.slow

WAIT = 30_000


@pytest.fixture(scope="module")
def mentor_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHub]:
    running = start_hub(tmp_path_factory.mktemp("hub") / "home")
    try:
        add_users(running, "amina", "baraka", "imani", "neema", "otieno", "zawadi", "kito",
                  "pendo", "juma", "rehema")
        yield running
    finally:
        running.stop()


def signed_in(home: Path, url: str, user: str) -> None:
    """The window's library, signed in as ``user`` (the test's own keyring)."""
    with Library(home) as library:
        mark_seeded(library)
        Account(library).login(url, user, PASSWORD)


def mentorship(qtbot: QtBot, window: MainWindow, **args: Any) -> MentorshipPage:
    page = wait_loaded(qtbot, window, "mentorship", **args)
    assert isinstance(page, MentorshipPage)
    return page


def reloaded(qtbot: QtBot, page: MentorshipPage) -> None:
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        page.reload()


def plain(text: str) -> str:
    """``text`` without the isolates around the names it quotes."""
    return "".join(c for c in text if c not in "\u2066\u2067\u2068\u2069")


def screenshot(window: MainWindow, name: str, tmp_path: Path) -> Path:
    """Grab the window (offscreen) as docs/screenshots/``name``.png would show it."""
    QApplication.processEvents()
    image = window.grab()
    folder = Path(os.environ.get("UJUZI_SCREENSHOT_DIR") or tmp_path)
    path = folder / f"{name}.png"
    assert image.save(str(path))
    return path


# -- my profile --------------------------------------------------------------------------------


def test_the_profile_filled_in_the_window_is_saved_through_local(
        qtbot: QtBot, home: Path, open_window: OpenWindow, mentor_hub: RunningHub,
        tmp_path: Path) -> None:
    signed_in(home, mentor_hub.url, "amina")
    _ctx, window = open_window()
    page = mentorship(qtbot, window, section="profile")
    form = page.profile_section
    assert "amina" in page.account.text() and not page.sign_in_button.isVisible()
    # Skills are shown by label and kept by id.
    labels = {form.wants.item(i).text(): form.wants.item(i).data(Qt.ItemDataRole.UserRole)
              for i in range(form.wants.count())}
    assert labels["Editing Wikipedia"] == "wiki-editing"
    form.wants.tick("wiki-editing")
    form.offers.tick("wikisource")
    form.looking.setChecked(True)
    choice, level = form.languages.add("sw", 4)
    assert isinstance(choice, QComboBox) and isinstance(level, QSpinBox)
    assert choice.currentText() == "Swahili (sw)"
    form.timezone.setCurrentText("Africa/Nairobi")
    day, start, end = form.availability.add()
    assert isinstance(day, QComboBox) and isinstance(start, QTimeEdit) \
        and isinstance(end, QTimeEdit)
    day.setCurrentIndex(day.findData("wed"))
    start.setTime(QTime(17, 30))
    end.setTime(QTime(19, 0))
    form.capacity.setValue(1)
    form.away.setChecked(True)
    form.away_until.setDate(QDate(2027, 1, 15))
    form.backup.setText("baraka")
    form.bio.setPlainText("Mwalimu wa Kiswahili.")
    form.save_button.click()
    qtbot.waitUntil(lambda: form.status.isVisible() and form.save_button.isEnabled(),
                    timeout=WAIT)
    assert form.status.property("role") == "success", form.status.text()
    with Library(home) as library:
        assert local.get_profile(library) == MentorProfile(
            offers=["wikisource"], wants=["wiki-editing"], languages={"sw": 4},
            timezone="Africa/Nairobi", availability=[("wed", "17:30", "19:00")], capacity=1,
            looking=True, away_until="2027-01-15", backup_mentor="baraka",
            bio="Mwalimu wa Kiswahili.")
    window.resize(1000, 1300)
    qtbot.waitUntil(lambda: form.save_button.isVisible(), timeout=WAIT)
    screenshot(window, "mentorship-profile", tmp_path)

    # A mistake says what is wrong in one line and saves nothing.
    form.timezone.setCurrentText("Mars/Olympus_Mons")
    form.save_button.click()
    qtbot.waitUntil(lambda: form.status.property("role") == "error", timeout=WAIT)
    assert "Mars/Olympus_Mons" in form.status.text()
    with Library(home) as library:
        saved = local.get_profile(library)
        assert saved is not None and saved.timezone == "Africa/Nairobi"

    # Read again, the form shows what was saved.
    reloaded(qtbot, page)
    assert form.value().timezone == "Africa/Nairobi"
    assert form.wants.chosen() == ["wiki-editing"] and form.value().languages == {"sw": 4}


# -- find a mentor, request, offline -----------------------------------------------------------


def test_a_suggestion_shows_its_explanation_and_a_request_waits_for_sync(
        qtbot: QtBot, home: Path, open_window: OpenWindow, tmp_path: Path,
        mentor_hub: RunningHub) -> None:
    with device(tmp_path / "baraka", mentor_hub, "baraka") as mentor:
        local.save_profile(mentor, MentorProfile(
            offers=["wiki-editing"], languages={"sw": 5}, timezone="Africa/Nairobi",
            availability=[("mon", "18:00", "20:00")], capacity=2, mentoring=True))
        sync(mentor)
    signed_in(home, mentor_hub.url, "zawadi")
    with Library(home) as library:
        local.save_profile(library, MentorProfile(
            wants=["wiki-editing"], languages={"sw": 4}, timezone="Africa/Nairobi",
            availability=[("mon", "17:00", "19:00")], looking=True))
        sync_now(library)
    _ctx, window = open_window()
    page = mentorship(qtbot, window, section="find")
    find = page.find_section
    assert find.request_buttons == {}
    assert "No suggestions kept" in find.fetched.text()
    find.find_button.click()
    qtbot.waitUntil(lambda: "baraka" in find.explanations, timeout=WAIT)
    [suggestion] = [s for s in find.suggestions if s.mentor == "baraka"]
    assert suggestion.explanation
    assert find.explanations["baraka"].text() == suggestion.explanation
    qtbot.waitUntil(find.explanations["baraka"].isVisible, timeout=WAIT)
    screenshot(window, "mentorship-find", tmp_path)
    every_section_is_reachable_and_named(qtbot, window, page)

    find.message.setText("Habari! Ninataka kujifunza.")
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        find.request_buttons["baraka"].click()
    people = page.people
    assert page.tabs.currentIndex() == page.TABS.index("people")
    assert [plain(people.mentor_list.item(i).text())
            for i in range(people.mentor_list.count())] \
        == ["baraka: not yet sent to the hub · waiting for sync"]
    assert people.mentee_list.count() == 0
    detail = people.detail
    assert detail.isVisible() and detail.badge.isVisible()
    assert detail.badge.text() == "Waiting for sync"
    assert list(detail.action_buttons) == ["cancel"]
    # No goal or note yet: the hub has not made the relationship's space.
    qtbot.waitUntil(lambda: detail.notes.cards.count() == 1 and detail.goals.cards.count() == 1,
                    timeout=WAIT)  # both loaded: "No notes yet", "No goals yet"
    assert not detail.goals.add_button.isEnabled()
    assert not detail.notes.add_button.isEnabled()
    with Library(home) as library:
        [made] = local.relationships(library)
        assert (made.mentor, made.state, made.waiting) == ("baraka", "waiting", ["request"])

    # Synced, the hub's answer shows: pending, nothing waiting, the audit in the history.
    with Library(home) as library:
        sync_now(library)
    reloaded(qtbot, page)
    assert plain(people.mentor_list.item(0).text()) == \
        "baraka: waiting for the mentor's answer"
    assert not detail.badge.isVisible()
    qtbot.waitUntil(detail.notes.add_button.isEnabled, timeout=WAIT)
    assert detail.goals.add_button.isEnabled()
    assert detail.history.count() >= 1 and "request" in detail.history.item(0).text().lower()
    screenshot(window, "mentorship-relationships", tmp_path)


def test_offline_the_kept_suggestions_show_with_their_date(
        qtbot: QtBot, home: Path, open_window: OpenWindow, tmp_path: Path,
        mentor_hub: RunningHub) -> None:
    own = start_hub(tmp_path / "own-hub")  # this one goes away
    try:
        add_users(own, "kito", "pendo")
        with device(tmp_path / "pendo", own, "pendo") as mentor:
            local.save_profile(mentor, MentorProfile(
                offers=["wikidata"], languages={"en": 5}, timezone="UTC",
                availability=[("tue", "10:00", "12:00")], capacity=3, mentoring=True))
            sync(mentor)
        signed_in(home, own.url, "kito")
        with Library(home) as library:
            local.save_profile(library, MentorProfile(
                wants=["wikidata"], languages={"en": 3}, timezone="UTC",
                availability=[("tue", "10:00", "11:00")], looking=True))
            sync_now(library)
        _ctx, window = open_window()
        page = mentorship(qtbot, window, section="find")
        page.find_section.find_button.click()
        qtbot.waitUntil(lambda: "pendo" in page.find_section.explanations, timeout=WAIT)
    finally:
        own.stop()
    find = page.find_section
    fetched = find.fetched.text()
    assert fetched.startswith("Fetched from the hub ")
    find.find_button.click()
    qtbot.waitUntil(lambda: find.find_button.isEnabled() and find.status.property("role")
                    == "error", timeout=WAIT)
    assert "The hub cannot give fresh suggestions now" in find.status.text()
    assert "pendo" in find.explanations
    qtbot.waitUntil(find.explanations["pendo"].isVisible, timeout=WAIT)
    kept = find.fetched.text()
    assert kept.startswith("Suggestions kept on this computer, of ")
    assert kept.endswith("The hub is needed for fresh ones.")
    assert fetched.removeprefix("Fetched from the hub ").rstrip(".") in kept  # its date


def every_section_is_reachable_and_named(qtbot: QtBot, window: MainWindow,
                                         page: MentorshipPage) -> None:
    """In each part of the page: Tab and Shift+Tab reach every control, every control has
    a name a screen reader reads, and every visible text went through the catalog."""
    start = page.tabs.currentIndex()
    for index in range(page.tabs.count()):
        page.tabs.setCurrentIndex(index)
        QApplication.processEvents()
        # (the rail's sync indicator changes as the background sync runs: not this page's)
        found = [line for line in problems(window) if "'Sync: " not in line]
        assert not found, "\n".join(found)
        wanted = controls(window)
        for forward in (True, False):
            reached = walk(qtbot, window, forward)
            missing = [w for w in wanted
                       if not any(r is w or w.isAncestorOf(r) for r in reached)]
            assert missing == [], f"{page.TABS[index]}: Tab never reaches {missing}"
    i18n.install(Pseudo(), "en")
    window.ctx.language_changed.emit()
    try:
        for index in range(page.tabs.count()):
            page.tabs.setCurrentIndex(index)
            QApplication.processEvents()
            assert untranslated(window) == [], page.TABS[index]
    finally:
        i18n.set_language("en")
        window.ctx.language_changed.emit()
        page.tabs.setCurrentIndex(start)


def every_section_fits(qtbot: QtBot, window: MainWindow, page: MentorshipPage) -> None:
    """At 800x600 and 24 pt, in each part of the page, text wraps or elides: no label,
    button or list box is cut, and the page is never wider than the window."""
    ctx = window.ctx
    with qtbot.waitSignal(ctx.theme_changed, timeout=WAIT):
        ctx.set_setting("font_size", FONT)
    try:
        found: dict[str, list[str]] = {}
        for index in range(page.tabs.count()):
            page.tabs.setCurrentIndex(index)
            window.resize(*SIZE)
            settle(window)
            # (the window's own size is test_layout's: its rail grows with the sync
            # indicator a signed-in learner has)
            cut = cut_text(window)
            if cut:
                found[page.TABS[index]] = cut
        assert found == {}
    finally:
        with qtbot.waitSignal(ctx.theme_changed, timeout=WAIT):
            ctx.set_setting("font_size", 11)


# -- a mentor's actions, goals and the person's menu ------------------------------------------


def test_a_mentor_accepts_sets_a_goal_ticks_a_task_and_blocks_from_the_window(
        qtbot: QtBot, home: Path, open_window: OpenWindow, tmp_path: Path,
        mentor_hub: RunningHub, dialogs: Dialogs) -> None:
    signed_in(home, mentor_hub.url, "juma")
    with Library(home) as library:
        import_pack(library, pack_file(tmp_path))
        local.save_profile(library, MentorProfile(
            offers=["wikidata"], languages={"en": 5}, timezone="UTC",
            availability=[("thu", "09:00", "12:00")], capacity=2, mentoring=True))
        sync_now(library)
    with device(tmp_path / "rehema", mentor_hub, "rehema") as mentee:
        asked = local.request_mentor(mentee, "juma", message="Hello!")
        sync(mentee)
    with Library(home) as library:
        sync_now(library)
    _ctx, window = open_window()
    window.resize(1000, 1100)
    page = mentorship(qtbot, window)
    people, detail = page.people, page.people.detail
    assert people.mentor_list.count() == 0
    assert plain(people.mentee_list.item(0).text()) == \
        "rehema: waiting for the mentor's answer"
    assert list(detail.action_buttons) == ["accept", "decline", "cancel"]
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        detail.action_buttons["accept"].click()
    assert detail.badge.isVisible() and "Accept" in detail.badge.toolTip()
    with Library(home) as library:
        sync_now(library)
    reloaded(qtbot, page)
    assert plain(people.mentee_list.item(0).text()) == "rehema: active"
    assert list(detail.action_buttons) == ["pause", "complete", "hand_over", "cancel"]

    # A goal linked to a pack of the library, with two tasks.
    goals = detail.goals
    goals.add_button.click()
    dialog = goals.dialog
    dialog.title.setText("Read the sample pack")
    dialog.has_due.setChecked(True)
    dialog.due.setDate(QDate(2027, 2, 1))
    dialog.pack.setCurrentIndex(dialog.pack.findData(PACK_ID))
    dialog.add_task(None).setText("Read the introduction")
    dialog.add_task(None).setText("Write a summary")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: len(goals.task_boxes) == 2, timeout=WAIT)
    with Library(home) as library:
        [goal] = local.goals(library, asked.id)
    assert (goal.title, goal.due, goal.links) == (
        "Read the sample pack", "2027-02-01", [GoalLink("pack", PACK_ID)])
    assert [task.title for task in goal.tasks] == ["Read the introduction", "Write a summary"]
    goals.task_boxes[goal.tasks[0].id].setChecked(True)

    def ticked() -> bool:
        with Library(home) as library:
            return [task.done for task in local.goals(library, asked.id)[0].tasks] == \
                [True, False]

    qtbot.waitUntil(ticked, timeout=WAIT)
    screenshot(window, "mentorship-goals", tmp_path)
    every_section_is_reachable_and_named(qtbot, window, page)
    every_section_fits(qtbot, window, page)
    page.tabs.setCurrentIndex(page.TABS.index("people"))

    # Hand over: the new mentor's name is asked for.
    detail.action_buttons["hand_over"].click()
    QApplication.processEvents()
    [ask] = [w for w in detail.findChildren(AskText) if w.isVisible()]
    ask.field.setText("pendo")
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        ask.ok_button.click()
    with Library(home) as library:
        [handed] = [json.loads(row[0]) for row in library.db.execute(
            "SELECT data FROM mentor_actions WHERE data LIKE '%\"hand_over\"%'")]
    assert (handed["relationship"], handed["to"]) == (asked.id, "pendo")

    # Report, from the person's menu: the reason is asked for.
    detail.report_action.trigger()
    report = detail.report_dialog
    assert isinstance(report.field, QPlainTextEdit)
    report.ok_button.click()
    assert report.error.text() == "Fill this in first." and report.isVisible()
    report.field.setPlainText("Asked for my password.")
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        report.ok_button.click()
    with Library(home) as library:
        [sent] = [json.loads(row[0]) for row in library.db.execute(
            "SELECT data FROM mentor_actions WHERE data LIKE '%\"report\"%'")]
    assert (sent["peer"], sent["reason"]) == ("rehema", "Asked for my password.")

    # Block, from the person's menu, after a confirmation.
    dialogs.answers.append(Dialogs.Yes)
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        detail.block_action.trigger()
    assert dialogs.boxes[-1].text().startswith("Block rehema?")
    with Library(home) as library:
        blocks = [row[0] for row in library.db.execute(
            "SELECT data FROM mentor_actions WHERE data LIKE '%\"block\"%'")]
    assert len(blocks) == 1 and '"peer":"rehema"' in blocks[0]
    # Answered Cancel, nothing is recorded.
    dialogs.answers.append(Dialogs.Cancel)
    detail.block_action.trigger()
    with Library(home) as library:
        assert library.db.execute("SELECT COUNT(*) FROM mentor_actions WHERE data LIKE "
                                  "'%\"block\"%'").fetchone()[0] == 1


# -- the mentor's dashboard --------------------------------------------------------------------


def _mentee(folder: Path, hub: RunningHub, user: str, completed: int) -> str:
    """A mentee of otieno on a device of their own, with ``completed`` resources done;
    returns the relationship's id."""
    with device(folder / user, hub, user) as mentee:
        import_pack(mentee, pack_file(folder))
        local.save_profile(mentee, MentorProfile(
            wants=["wikisource"], languages={"sw": 4}, timezone="Africa/Nairobi",
            availability=[("wed", "18:00", "20:00")], looking=True))
        made = local.request_mentor(mentee, "otieno")
        for number in range(completed):
            mentee.record_progress(resource(number), complete=True)
        sync(mentee)
        return made.id


def test_the_dashboard_sorts_filters_and_charts_the_selected_mentee(
        qtbot: QtBot, home: Path, open_window: OpenWindow, tmp_path: Path,
        mentor_hub: RunningHub) -> None:
    signed_in(home, mentor_hub.url, "otieno")
    mentor_hub.publish(pack_file(tmp_path))  # the hub counts the pack's resources
    with Library(home) as library:
        import_pack(library, pack_file(tmp_path))
        local.save_profile(library, MentorProfile(
            offers=["wikisource"], languages={"sw": 5}, timezone="Africa/Nairobi",
            availability=[("wed", "18:00", "21:00")], capacity=3, mentoring=True))
        sync_now(library)
    asked = {_mentee(tmp_path, mentor_hub, "imani", 1): "imani",
             _mentee(tmp_path, mentor_hub, "neema", 3): "neema"}
    with Library(home) as library:
        sync_now(library)
        for relationship_id in asked:
            local.act(library, relationship_id, "accept")
        sync_now(library)
    for user in asked.values():
        with Library(tmp_path / user) as mentee:
            sync(mentee)
    _ctx, window = open_window()
    window.resize(1100, 900)
    page = mentorship(qtbot, window, section="dashboard")
    board = page.dashboard
    assert board.model.rowCount() == 0 and "Not fetched yet" in board.fetched.text()
    board.refresh_button.click()
    qtbot.waitUntil(lambda: board.model.rowCount() == 2, timeout=WAIT)
    assert board.fetched.text().startswith("Fetched from the hub ")
    with Library(home) as library:
        rows = {row.mentee: row for row in local.dashboard(library).rows}

    def shown() -> list[str]:
        return [board.proxy.index(row, MENTEE).data(ROW_ROLE).mentee
                for row in range(board.proxy.rowCount())]

    assert shown() == ["imani", "neema"]  # by name at first
    board.table.sortByColumn(COMPLETION, Qt.SortOrder.DescendingOrder)
    assert shown() == ["neema", "imani"]
    assert board.proxy.index(0, COMPLETION).data() == "100%"
    board.table.sortByColumn(COMPLETION, Qt.SortOrder.AscendingOrder)
    assert shown() == ["imani", "neema"]
    board.filter.setText("NEE")
    assert shown() == ["neema"]
    board.filter.setText("")
    assert shown() == ["imani", "neema"]
    board.due_only.setChecked(True)  # no goal is due
    assert shown() == []
    board.due_only.setChecked(False)
    assert shown() == ["imani", "neema"]

    # The chart has the selected mentee's timeline.
    board.select("neema")
    assert board.selected_mentee() == "neema"
    assert rows["neema"].timeline and sum(n for _d, n in rows["neema"].timeline) == 3
    assert board.chart.points() == rows["neema"].timeline
    assert board.chart.series.count() == len(rows["neema"].timeline)
    path = screenshot(window, "mentorship-dashboard", tmp_path)
    every_section_is_reachable_and_named(qtbot, window, page)
    every_section_fits(qtbot, window, page)
    window.resize(1100, 900)
    page.tabs.setCurrentIndex(page.TABS.index("dashboard"))
    board.select("imani")
    assert board.chart.points() == rows["imani"].timeline

    # In Arabic, right to left, the same table and chart (and the kept copy reloads).
    window.ctx.set_setting("ui_language", "ar")
    qtbot.waitUntil(lambda: window.layoutDirection() == Qt.LayoutDirection.RightToLeft,
                    timeout=WAIT)
    reloaded(qtbot, page)
    board.select("neema")
    assert board.table.layoutDirection() == Qt.LayoutDirection.RightToLeft
    # the rail's label is translated: an English one would widen the rail for every page
    assert window.rail_buttons["mentorship"].text() == "الإرشاد"
    assert board.chart.points() == rows["neema"].timeline
    screenshot(window, "mentorship-dashboard-ar", tmp_path)
    assert path.exists()


# -- notes -------------------------------------------------------------------------------------


def test_a_private_note_shows_a_lock_and_a_conflict_shows_both_versions(
        qtbot: QtBot, home: Path, open_window: OpenWindow, tmp_path: Path,
        mentor_hub: RunningHub, dialogs: Dialogs) -> None:
    signed_in(home, mentor_hub.url, "amina")
    with device(tmp_path / "kito-mentor", mentor_hub, "kito") as mentor:
        local.save_profile(mentor, MentorProfile(
            offers=["wikidata"], languages={"en": 5}, timezone="UTC",
            availability=[("tue", "10:00", "12:00")], capacity=3, mentoring=True))
        sync(mentor)
        with Library(home) as library:
            made = local.request_mentor(library, "kito")
            sync_now(library)
        sync(mentor)
        local.act(mentor, made.id, "accept")
        sync(mentor)
        with Library(home) as library:
            sync_now(library)
            shared = local.add_mentor_note(library, made.id, "Read chapter one.", False)
            sync_now(library)
        sync(mentor)
        # Edited on both sides before either synced: a conflict.
        local.edit_mentor_note(mentor, shared.id, "Read chapters one and two.")
        with Library(home) as library:
            local.edit_mentor_note(library, shared.id, "Read chapter one twice.")
            sync_now(library)
        sync(mentor)
    with Library(home) as library:
        sync_now(library)
        [note] = local.mentor_notes(library, made.id)
        assert note.conflict
    with Library(home) as library:  # a pack of the library, one resource of three done
        import_pack(library, pack_file(tmp_path))
        library.record_progress(resource(0), complete=True)
    _ctx, window = open_window()
    page = mentorship(qtbot, window)
    detail = page.people.detail
    notes = detail.notes
    qtbot.waitUntil(lambda: shared.id in notes.note_cards, timeout=WAIT)
    card = notes.note_cards[shared.id]
    texts = [widget.text() for widget in card.findChildren(type(page.title))]
    assert "Edited on two devices" in texts
    assert "Read chapters one and two." in texts and "Read chapter one twice." in texts

    # A goal linked to the pack shows the mentee's progress in it.
    goals = detail.goals
    qtbot.waitUntil(goals.add_button.isEnabled, timeout=WAIT)
    goals.add_button.click()
    goals.dialog.title.setText("Finish the sample pack")
    goals.dialog.pack.setCurrentIndex(goals.dialog.pack.findData(PACK_ID))
    goals.dialog.save_button.click()
    qtbot.waitUntil(lambda: len(goals.goals) == 1, timeout=WAIT)
    assert goals.goals[0].progress == pytest.approx(1 / 3)
    qtbot.waitUntil(lambda: "33% of the linked packs done" in [
        w.text() for w in goals.findChildren(QLabel) if w.isVisible()], timeout=WAIT)

    # A private note: encrypted, marked with a lock.
    notes.text.setPlainText("Ask about the exams.")
    notes.private.setChecked(True)
    notes.add_button.click()
    qtbot.waitUntil(lambda: len(notes.note_cards) == 2, timeout=WAIT)
    [private_id] = [key for key in notes.note_cards if key != shared.id]
    private_card = notes.note_cards[private_id]
    lock = private_card.findChild(QLabel, "lock")
    assert lock is not None and not lock.pixmap().isNull()
    assert private_card.findChild(type(page.title), "mark").text() == \
        "Private: only you can read it"
    assert any(w.text() == "Ask about the exams." for w in
               private_card.findChildren(type(page.title)))
    window.resize(1000, 1100)
    qtbot.waitUntil(lambda: private_card.isVisible(), timeout=WAIT)
    page.parentWidget().parentWidget().ensureWidgetVisible(notes)
    screenshot(window, "mentorship-notes", tmp_path)

    # Keep one version of the conflict (the editor of app/ui/note_edit.py).
    editor = notes.edit(next(n for n in notes.notes if n.id == shared.id))
    assert len(editor.keep_buttons) == 2
    editor.keep_buttons[1].click()
    qtbot.waitUntil(lambda: shared.id in notes.note_cards and not any(
        w.text() == "Edited on two devices"
        for w in notes.note_cards[shared.id].findChildren(type(page.title))), timeout=WAIT)
    with Library(home) as library:
        settled = next(n for n in local.mentor_notes(library, made.id) if n.id == shared.id)
        assert settled.versions == ["Read chapter one twice."] or \
            settled.versions == ["Read chapters one and two."]
        assert not settled.conflict


def test_a_private_note_without_its_key_says_it_is_locked(
        qtbot: QtBot, home: Path, open_window: OpenWindow, tmp_path: Path,
        mentor_hub: RunningHub) -> None:
    signed_in(home, mentor_hub.url, "neema")
    with Library(home) as library:
        made = local.request_mentor(library, "baraka")
        local.add_mentor_note(library, made.id, "Only mine.", private=True)
    # This device's keyring loses the notes key (a keyring emptied, another machine).
    with Library(home) as library:
        account = Account(library)
        url, user = str(account.url), str(account.user)
    crypto.store_keys(url, user, crypto.Keys())
    with Library(home) as library:
        [note] = local.mentor_notes(library, made.id)
        assert note.locked
    _ctx, window = open_window()
    page = mentorship(qtbot, window)
    notes = page.people.detail.notes
    qtbot.waitUntil(lambda: note.id in notes.note_cards, timeout=WAIT)
    card = notes.note_cards[note.id]
    texts = [widget.text() for widget in card.findChildren(type(page.title))]
    assert any(text.startswith("Locked: the key of your private notes is not on this "
                               "device") for text in texts)
    assert "Only mine." not in texts
    assert card.findChild(QLabel, "lock") is not None

"""The resource page fits 800x600 at any text size and language with real media playing
(libvlc in its player host, headless offscreen): the player's controls wrap onto a second
row, the volume slider keeps a usable width, notes and transcript go under the viewer when
both do not fit side by side (and stay beside it when they do), the notes' buttons wrap,
and the player's message shows whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.library import Library
from app.packs.importer import import_pack
from app.player.base import State
from tests.media import SUBTITLES, generate, make_media_pack
from tests.ui.conftest import OpenWindow, make_kinds_pack, mark_seeded, wait_loaded
from tests.ui.test_layout import FONT, SIZE, cut_text, settle

VIDEO = "org.test.player/lesson"
AUDIO = "org.test.audio/podcast"
BROKEN = "org.test.kinds/tour"  # not really a video: the player says so
TIMEOUT = 15_000


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return generate(tmp_path_factory.mktemp("media"))


@pytest.fixture
def media_library(library: Library, tmp_path: Path, media: dict[str, Path],
                  monkeypatch: pytest.MonkeyPatch) -> Library:
    """A video with subtitles and notes, an audio resource, and the every-kind pack."""
    monkeypatch.setenv("UJUZI_PLAYER", "vlc")
    make_media_pack(tmp_path / "v.ujpack", media["red.webm"].read_bytes(),
                    subtitles=SUBTITLES)
    make_media_pack(tmp_path / "a.ujpack", media["tone.ogg"].read_bytes(),
                    pack_id="org.test.audio", resource_id="podcast", kind="audio",
                    name="podcast.ogg")
    make_kinds_pack(tmp_path / "kinds.ujpack")
    for pack in ("v", "a", "kinds"):
        import_pack(library, tmp_path / f"{pack}.ujpack")
    library.add_note(VIDEO, "Remember the red picture", at_seconds=2)
    mark_seeded(library)
    return library


def rows(groups: list[Any]) -> int:
    """How many rows the controls' groups take on screen."""
    bottoms: list[int] = []
    for group in sorted(groups, key=lambda group: group.y()):
        if not bottoms or group.y() >= bottoms[-1]:
            bottoms.append(group.y() + group.height())
    return len(bottoms)


def _show(qtbot: QtBot, window: Any, resource_id: str) -> Any:
    page = wait_loaded(qtbot, window, "resource", resource_id=resource_id)
    player = page.viewer.player
    if resource_id != BROKEN:
        qtbot.waitUntil(lambda: player.player is not None
                        and player.player.state() == State.PLAYING, timeout=TIMEOUT)
        # the note button names the time: "Add note at 0:04"
        qtbot.waitUntil(lambda: "0:0" in page.notes_panel.add.text(), timeout=TIMEOUT)
    window.resize(*SIZE)
    settle(window)
    return page


def test_media_pages_fit_800x600_in_every_size_and_language(
        qtbot: QtBot, media_library: Library, open_window: OpenWindow) -> None:
    ctx, window = open_window()
    problems: dict[str, list[str]] = {}
    for language, size in (("en", 11), ("en", FONT), ("sw", FONT), ("ar", FONT)):
        if ctx.values["font_size"] != size:
            with qtbot.waitSignal(ctx.theme_changed, timeout=5_000):
                ctx.set_setting("font_size", size)
        if ctx.ui_language != language:
            with qtbot.waitSignal(ctx.language_changed, timeout=5_000):
                ctx.set_setting("ui_language", language)
        window.resize(*SIZE)
        for resource_id in (VIDEO, AUDIO, BROKEN):
            page = _show(qtbot, window, resource_id)
            player = page.viewer.player
            found = cut_text(window)
            # a slider a learner can drag, not a dot
            if player.volume_slider.width() < 96:
                found.append(f"volume slider {player.volume_slider.width()} px wide")
            if resource_id == VIDEO:
                notes = page.notes_panel
                if not (notes.edit.isVisible() and notes.delete.isVisible()):
                    found.append("the note's Edit and Delete are not shown")
            if resource_id == BROKEN:
                panel = player.message_panel
                if not panel.isVisible() or \
                        panel.height() + 1 < panel.heightForWidth(panel.width()):
                    found.append(f"message {panel.height()} px high, needs "
                                 f"{panel.heightForWidth(panel.width())}")
            if found:
                problems[f"{language} {size} pt {resource_id}"] = found
    assert not problems, "\n".join(f"{page}: {line}" for page, lines in problems.items()
                                    for line in lines)


def test_notes_beside_a_video_with_room_and_under_it_without(
        qtbot: QtBot, media_library: Library, open_window: OpenWindow) -> None:
    ctx, window = open_window()
    window.resize(1280, 800)
    page = _show(qtbot, window, VIDEO)
    window.resize(1280, 800)
    settle(window)
    controls = page.viewer.player.controls
    # with room: notes beside the video, the controls in one row
    assert page.splitter.is_side_by_side()
    assert page.side.x() != page.viewer_holder.x()
    assert rows(controls.groups) == 1
    with qtbot.waitSignal(ctx.theme_changed, timeout=5_000):
        ctx.set_setting("font_size", FONT)
    with qtbot.waitSignal(ctx.language_changed, timeout=5_000):
        ctx.set_setting("ui_language", "sw")
    window.resize(*SIZE)
    settle(window)
    # at 800x600, 24 pt, in Swahili ("Ongeza dokezo kwenye 0:04" is a wide button): notes
    # under the video, which has the page's width for its controls
    assert not page.splitter.is_side_by_side()
    # the notes panel whole (the page scrolls, not a small area inside it)
    assert not page.side.notes.verticalScrollBar().isVisible()
    assert page.side.mapTo(page, page.side.rect().topLeft()).y() >= \
        page.viewer_holder.mapTo(page, page.viewer_holder.rect().bottomLeft()).y()
    assert not cut_text(window)
    # the window made wide again puts them back beside it
    with qtbot.waitSignal(ctx.theme_changed, timeout=5_000):
        ctx.set_setting("font_size", 11)
    window.resize(1280, 800)
    settle(window)
    assert page.splitter.is_side_by_side()
    assert rows(controls.groups) == 1


def test_a_centred_page_wider_than_its_maximum_keeps_its_width(qtbot: QtBot) -> None:
    """A page centred at a maximum width (Settings) whose content needs more (a long
    option at 24 pt) is as wide as that content and its margins, and stays so: margins
    taken from the width alone grew its minimum width with each resize."""
    from PySide6.QtWidgets import QApplication, QWidget

    from app.ui.widgets import scrolling

    inner = QWidget()
    inner.setMinimumWidth(964)
    area = scrolling(inner, 900)
    qtbot.addWidget(area)
    area.resize(700, 400)
    area.show()
    widths = []
    for _round in range(10):
        QApplication.processEvents()
        widths.append(area.widget().width())
    assert widths[-1] == 964 + 2 * 24, widths


def test_switching_media_pages_frees_the_previous_player_first(
        qtbot: QtBot, media_library: Library, open_window: OpenWindow,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Going from one media resource to the next, the page has the previous player stopped
    and released (its player host process ended, and the thread reading it) before it
    fills the new transcript, on the GUI thread; a garbage collection forced at that moment,
    as the window's collector may run one, leaves the page working. Only the new player's
    host runs then, and no libvlc thread runs in the window's process."""
    import gc
    import os
    import threading

    from app.ui.pages.resource import ResourcePage

    players: list[Any] = []
    hosts: list[int] = []
    left: list[str] = []
    fill = ResourcePage._set_lines

    def set_lines(page: ResourcePage, lines: list[tuple[float | None, str]]) -> None:
        gc.collect()
        for backend in players:
            if not backend._released:
                left.append(f"player of {backend._source.path.name} not released")
        for pid in hosts:
            try:
                os.waitpid(pid, os.WNOHANG)
                os.kill(pid, 0)
                left.append(f"host {pid} still runs")
            except (ChildProcessError, ProcessLookupError):
                pass
        readers = [thread.name for thread in threading.enumerate()
                   if thread.name.startswith("vlc-")]
        if len(readers) > 1 or set(readers) - {"vlc-host-reader"}:
            left.extend(readers)
        fill(page, lines)

    monkeypatch.setattr(ResourcePage, "_set_lines", set_lines)
    _ctx, window = open_window()
    for resource_id in (VIDEO, AUDIO, BROKEN, VIDEO, AUDIO):
        page = _show(qtbot, window, resource_id)
        players.append(page.viewer.player.player)
        pid = page.viewer.player.player.host_pid()
        if pid is not None:
            hosts.append(pid)
    assert left == []
    assert page.transcript.count() == 0 and page.viewer.player.player.state() == \
        State.PLAYING

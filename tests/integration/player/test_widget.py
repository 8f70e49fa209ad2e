"""The player widget on a real library, headless, on both backends: resume, completion,
notes at a timestamp, transcript, menus, keyboard, messages, right-to-left."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAbstractButton, QAbstractSlider, QStyle, QWidget
from pytestqt.qtbot import QtBot

from app.library import Library
from app.packs.importer import import_pack
from app.player.base import State, unplayable_message
from app.player.qt_widget import PlayerWidget
from app.ui.tasks import TaskRunner
from tests.integration.player.conftest import TIMEOUT_MS
from tests.media import SUBTITLES, make_media_pack
from tests.ui.test_resource_fit import rows

LESSON = "org.test.player/lesson"

OpenPlayer = Callable[..., PlayerWidget]


@pytest.fixture
def lesson(library: Library, media: dict[str, Path], tmp_path: Path) -> Library:
    make_media_pack(tmp_path / "p.ujpack", media["red.webm"].read_bytes(),
                    subtitles=SUBTITLES)
    import_pack(library, tmp_path / "p.ujpack")
    library.settings.set("content_languages", ["sw", "en"])
    return library


@pytest.fixture
def open_player(qtbot: QtBot, home: Path, backend: str) -> Iterator[OpenPlayer]:
    made: list[PlayerWidget] = []
    runner = TaskRunner()  # the window's runner, which the player is given

    def opener(resource_id: str = LESSON, at: float | None = None,
               **options: bool) -> PlayerWidget:
        widget = PlayerWidget(str(home), tasks=runner, backend=backend, headless=True,
                              **options)
        qtbot.addWidget(widget)
        widget.resize(1000, 600)
        widget.show()
        with qtbot.waitSignal(widget.presented, timeout=TIMEOUT_MS):
            widget.open_resource(resource_id, at)
        made.append(widget)
        return widget

    yield opener
    for widget in made:
        widget.shutdown()
    runner.wait()


def playing(widget: PlayerWidget) -> bool:
    return widget.player is not None and widget.player.state() == State.PLAYING


def test_resume_position_persists_and_the_end_marks_complete(
    open_player: OpenPlayer, lesson: Library, qtbot: QtBot
) -> None:
    widget = open_player()
    assert widget.player is not None and widget.player.name in ("vlc", "qt")
    widget.seek(5.5)
    qtbot.waitUntil(lambda: widget.position() >= 5.5, timeout=TIMEOUT_MS)
    widget.toggle_play()
    qtbot.waitUntil(lambda: widget.player is not None
                    and widget.player.state() == State.PAUSED, timeout=TIMEOUT_MS)
    widget.shutdown()
    position = lesson.progress(LESSON)["position"]
    assert 5.0 <= position < 7.0 and not lesson.progress(LESSON)["completed"]

    again = open_player()
    qtbot.waitUntil(lambda: again.position() > 0, timeout=TIMEOUT_MS)
    assert position - 2.5 <= again.position() <= position + 1.0  # resumed, a little before
    with qtbot.waitSignal(again.completed, timeout=TIMEOUT_MS):
        again.seek(7.5)
    qtbot.waitUntil(lambda: again.player is not None
                    and again.player.state() == State.ENDED, timeout=TIMEOUT_MS)
    again.shutdown()
    assert lesson.progress(LESSON)["completed"]


def test_notes_at_the_current_time_and_clicking_one_seeks(
    open_player: OpenPlayer, lesson: Library, qtbot: QtBot
) -> None:
    widget = open_player()
    widget.seek(3.0)
    qtbot.waitUntil(lambda: widget.position() >= 3.0, timeout=TIMEOUT_MS)
    widget.toggle_play()
    qtbot.waitUntil(lambda: not playing(widget), timeout=TIMEOUT_MS)
    assert widget.note_button.text().startswith("Add note at 0:0")
    qtbot.keyClicks(widget.note_edit, "Citations need sources")
    with qtbot.waitSignal(widget.note_added, timeout=TIMEOUT_MS) as added:
        qtbot.keyClick(widget.note_edit, Qt.Key.Key_Return)
    note = added.args[0]
    assert 2.5 <= note["at_seconds"] <= 4.0
    assert [n["body"] for n in lesson.notes(resource_id=LESSON)] == ["Citations need sources"]
    assert widget.notes.count() == 1 and "Citations need sources" in widget.notes.item(0).text()

    widget.seek(0.5)
    item = widget.notes.item(0)
    widget.notes.itemClicked.emit(item)
    qtbot.waitUntil(lambda: abs(widget.position() - note["at_seconds"]) < 1.0,
                    timeout=TIMEOUT_MS)


def test_transcript_follows_and_seeks(open_player: OpenPlayer, lesson: Library,
                                      qtbot: QtBot) -> None:
    widget = open_player()
    # Swahili first: the learner's content languages are sw, en.
    assert widget.transcript.count() == 4
    assert "Habari, karibu" in widget.transcript.item(0).text()
    qtbot.waitUntil(lambda: widget.current_cue_index() is not None, timeout=TIMEOUT_MS)
    widget.transcript.itemClicked.emit(widget.transcript.item(2))  # starts at 4 s
    qtbot.waitUntil(lambda: widget.current_cue_index() == 2, timeout=TIMEOUT_MS)
    assert 4.0 <= widget.position() < 6.0
    assert widget.transcript.item(2).font().bold()
    assert not widget.transcript.item(0).font().bold()


def test_subtitle_and_speed_menus(open_player: OpenPlayer, lesson: Library,
                                  qtbot: QtBot) -> None:
    widget = open_player()
    assert widget.player is not None
    qtbot.waitUntil(lambda: len(widget.subtitle_menu.actions()) == 3, timeout=TIMEOUT_MS)
    labels = [a.text() for a in widget.subtitle_menu.actions()]
    assert labels == ["Off", "English", "Swahili"]
    assert [a.isChecked() for a in widget.subtitle_menu.actions()] == [False, False, True]
    widget.subtitle_menu.actions()[1].trigger()
    assert widget.player.subtitle() == "file:0"
    assert "Hello, and welcome" in widget.transcript.item(0).text()  # follows the choice
    widget.subtitle_menu.actions()[0].trigger()
    assert widget.player.subtitle() is None
    assert widget.subtitle_button.accessibleDescription() == "Subtitles (C): Off"

    rates = {a.text(): a for a in widget.speed_menu.actions()}
    assert list(rates) == ["0.5×", "0.75×", "1×", "1.25×", "1.5×", "1.75×", "2×"]
    rates["1.5×"].trigger()
    assert widget.player.rate() == 1.5 and widget.speed_button.text() == "1.5×"


def test_keyboard(open_player: OpenPlayer, lesson: Library, qtbot: QtBot) -> None:
    widget = open_player()
    assert widget.player is not None
    surface = widget.surface
    surface.setFocus()
    qtbot.keyClick(surface, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: widget.player is not None
                    and widget.player.state() == State.PAUSED, timeout=TIMEOUT_MS)
    qtbot.keyClick(surface, Qt.Key.Key_K)
    qtbot.waitUntil(lambda: playing(widget), timeout=TIMEOUT_MS)
    before = widget.position()
    qtbot.keyClick(surface, Qt.Key.Key_L)
    qtbot.waitUntil(lambda: widget.position() >= min(before + 5, 7.0), timeout=TIMEOUT_MS)
    qtbot.keyClick(surface, Qt.Key.Key_J)
    qtbot.waitUntil(lambda: widget.position() < 3.0, timeout=TIMEOUT_MS)
    before = widget.position()
    qtbot.keyClick(surface, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: widget.position() >= before + 4, timeout=TIMEOUT_MS)
    qtbot.keyClick(surface, Qt.Key.Key_Left)
    qtbot.waitUntil(lambda: widget.position() < before + 3, timeout=TIMEOUT_MS)
    qtbot.keyClick(surface, Qt.Key.Key_M)
    assert widget.player.muted() and widget.mute_button.accessibleName() == "Unmute"
    qtbot.keyClick(surface, Qt.Key.Key_Down)
    assert widget.player.volume() == 95
    qtbot.waitUntil(lambda: widget.player is not None
                    and len(widget.player.subtitle_tracks()) == 2, timeout=TIMEOUT_MS)
    qtbot.keyClick(surface, Qt.Key.Key_C)
    assert widget.player.subtitle() is None
    qtbot.keyClick(surface, Qt.Key.Key_C)
    assert widget.player.subtitle() == "file:1"
    qtbot.keyClick(surface, Qt.Key.Key_F)
    assert widget.is_fullscreen() and not widget.side.isVisible()
    qtbot.keyClick(surface, Qt.Key.Key_Escape)
    assert not widget.is_fullscreen() and widget.side.isVisible()
    # Typing a note is typing, not shortcuts.
    qtbot.keyClicks(widget.note_edit, "k m")
    assert widget.note_edit.text() == "k m" and widget.player.muted()


def test_every_control_has_an_accessible_name(open_player: OpenPlayer, lesson: Library,
                                              qtbot: QtBot) -> None:
    """What a screen reader hears of each control (read through QAccessible, as
    tests/ui/test_accessible.py does): a name that contains the text the control shows
    (speech input finds it by what it shows: "CC", "1×", "Add note at 0:00"), and a
    description of what it does."""
    widget = open_player()
    widget.side.setCurrentIndex(1)  # the notes, with their button
    widget.note_edit.setText("a note")
    controls: list[QWidget] = [*widget.findChildren(QAbstractButton),
                               *widget.findChildren(QAbstractSlider)]
    found = []
    for control in controls:
        if not control.isVisible():
            continue
        iface = QAccessible.queryAccessibleInterface(control)
        assert iface is not None and iface.isValid()
        name = str(iface.text(QAccessible.Text.Name) or "")
        description = str(iface.text(QAccessible.Text.Description) or "")
        shown = control.text() if isinstance(control, QAbstractButton) else ""
        what = f"{type(control).__name__} {name or shown!r}"
        if not name.strip():
            found.append(f"{what}: no name")
        if shown and shown not in name:
            found.append(f"{what}: the name does not say {shown!r}")
        if not description.strip():
            found.append(f"{what}: no description of what it does")
    assert len(controls) >= 10 and found == [], "\n".join(found)


def test_audio_resource_and_audio_only(open_player: OpenPlayer, library: Library,
                                       lesson: Library, media: dict[str, Path],
                                       tmp_path: Path, qtbot: QtBot) -> None:
    make_media_pack(tmp_path / "a.ujpack", media["tone.mp3"].read_bytes(),
                    pack_id="org.test.audio", resource_id="talk", name="talk.mp3",
                    kind="audio", transcript="A talk.\n\nIn two parts.")
    import_pack(library, tmp_path / "a.ujpack")
    widget = open_player("org.test.audio/talk")
    assert widget.stage.currentWidget() is widget.audio_panel
    assert widget.audio_panel.text() == "♪\nSomo"  # titled in the learner's language
    assert [widget.transcript.item(i).text() for i in range(widget.transcript.count())] == [
        "A talk.", "In two parts."]
    assert not widget.subtitle_button.isEnabled()

    video = open_player()
    qtbot.waitUntil(lambda: video.stage.currentWidget() is video.surface, timeout=TIMEOUT_MS)
    video.audio_only_button.click()
    assert video.stage.currentWidget() is video.audio_panel
    assert video.player is not None and video.player.audio_only()
    video.audio_only_button.click()
    assert video.stage.currentWidget() is video.surface


def test_a_broken_file_shows_a_message(open_player: OpenPlayer, library: Library,
                                       media: dict[str, Path], tmp_path: Path) -> None:
    make_media_pack(tmp_path / "b.ujpack", media["garbage.webm"].read_bytes(),
                    pack_id="org.test.broken")
    import_pack(library, tmp_path / "b.ujpack")
    widget = open_player("org.test.broken/lesson")
    assert widget.stage.currentWidget() is widget.message_panel
    assert widget.message_panel.text() == unplayable_message()
    assert not widget.play_button.isEnabled()
    # Not a media resource at all: the message says what is wrong.
    unknown = open_player("org.test.broken/nothing-here")
    assert "No resource with id" in unknown.message_panel.text()


def test_start_at_a_given_time(open_player: OpenPlayer, lesson: Library,
                               qtbot: QtBot) -> None:
    widget = open_player(at=6.0)
    qtbot.waitUntil(lambda: widget.position() >= 6.0, timeout=TIMEOUT_MS)


def test_right_to_left_mirrors_the_skip_icons(open_player: OpenPlayer, lesson: Library,
                                              qtbot: QtBot) -> None:
    widget = open_player()
    style = widget.style()
    forward = style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekForward)

    def same(a: object, b: object) -> bool:
        return a.pixmap(16).toImage() == b.pixmap(16).toImage()  # type: ignore[attr-defined]

    assert same(widget.forward_button.icon(), forward)
    widget.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    assert same(widget.back_button.icon(), forward)
    # Right is backwards in right-to-left, like the seek bar.
    widget.seek(5.0)
    qtbot.waitUntil(lambda: widget.position() >= 5.0, timeout=TIMEOUT_MS)
    qtbot.keyClick(widget.surface, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: widget.position() < 3.0, timeout=TIMEOUT_MS)


def test_progress_signals_without_recording(open_player: OpenPlayer, lesson: Library,
                                            qtbot: QtBot) -> None:
    """Inside the resource page the widget only reports; the page saves."""
    widget = open_player(record=False, side_panel=False)
    assert widget.writer is None and not widget.side.isVisible()
    with qtbot.waitSignal(widget.completed, timeout=TIMEOUT_MS):
        widget.seek(7.5)
    widget.shutdown()
    assert not lesson.progress(LESSON)["completed"]


def test_without_native_windows_the_fallback_shows_the_video(
    qtbot: QtBot, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Offscreen (or on Wayland) libvlc could not draw into the widget; unless a backend is
    forced, the Qt backend paints the frames instead."""
    from app.player.qt_widget import FrameSurface

    monkeypatch.delenv("UJUZI_PLAYER", raising=False)
    widget = PlayerWidget(str(home), tasks=TaskRunner())
    qtbot.addWidget(widget)
    assert widget.backend_name == "qt" and isinstance(widget.surface, FrameSurface)
    assert widget.backend_label.startswith("Qt Multimedia")
    widget.shutdown()
    forced = PlayerWidget(str(home), tasks=TaskRunner(), backend="vlc")
    qtbot.addWidget(forced)
    assert forced.backend_name == "vlc" and forced.headless
    forced.shutdown()


def test_side_panel_goes_under_the_video_when_narrow(open_player: OpenPlayer, lesson: Library,
                                                     qtbot: QtBot) -> None:
    """The player with its own transcript and notes: beside the video while both fit, under
    it when the widget is narrow; the controls wrap onto more rows, the volume slider keeps
    a usable width, and every button keeps its text whole."""
    widget = open_player()
    assert widget.splitter.is_side_by_side()
    assert rows(widget.controls.groups) == 1
    widget.resize(420, 700)
    qtbot.waitUntil(lambda: not widget.splitter.is_side_by_side(), timeout=TIMEOUT_MS)
    main = widget.splitter.widget(0)
    assert widget.side.y() >= main.y() + main.height()
    assert rows(widget.controls.groups) > 1
    assert widget.volume_slider.width() >= 96
    for button in widget.findChildren(QAbstractButton):
        if button.isVisible():
            assert button.width() >= button.sizeHint().width(), button.text()
    widget.resize(1000, 600)
    qtbot.waitUntil(widget.splitter.is_side_by_side, timeout=TIMEOUT_MS)

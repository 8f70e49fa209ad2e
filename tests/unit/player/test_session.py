"""What playing means for the library, without playing: files, languages, resume, progress."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.errors import UjuziError
from app.library import Library
from app.packs.importer import import_pack
from app.player import available_backends, backend_label, choose_backend
from app.player.session import (
    COMPLETE_FRACTION,
    SAVE_INTERVAL,
    ProgressUpdate,
    ProgressWriter,
    WatchTracker,
    choose_subtitle,
    language_name,
    prepare_playback,
    resume_position,
)
from tests.media import SUBTITLES, make_media_pack
from tests.packs import make_pack

LESSON = "org.test.player/lesson"


@pytest.fixture
def media_library(library: Library, tmp_path: Path) -> Library:
    make_media_pack(tmp_path / "p.ujpack", b"not decoded in these tests", subtitles=SUBTITLES,
                    transcript="A plain transcript.\n\nSecond paragraph.")
    import_pack(library, tmp_path / "p.ujpack")
    return library


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_choose_subtitle_follows_the_learners_languages() -> None:
    langs = ["en", "sw-KE", None, "fr"]
    assert choose_subtitle(langs, ["sw", "en"]) == 1
    assert choose_subtitle(langs, ["sw-KE"]) == 1
    assert choose_subtitle(langs, ["fr-CA", "en"]) == 3
    assert choose_subtitle(["sw", "sw-KE"], ["sw-KE"]) == 1  # exact match first
    assert choose_subtitle(langs, ["ar"]) is None
    assert choose_subtitle([], ["en"]) is None


def test_resume_position() -> None:
    assert resume_position(0, 100) == 0
    assert resume_position(4.9, 100) == 0  # too early to be worth it
    assert resume_position(40, 100) == 38  # a little before, to pick up the thread
    assert resume_position(96, 100) == 0  # at the end: start over
    assert resume_position(40, None) == 38


def test_language_names() -> None:
    assert language_name("sw", "en") == "Swahili"
    assert language_name("sw", "sw") == "Kiswahili"
    assert language_name("fr", "en") == "French"
    assert language_name("xx-nonsense", "en") == "xx-nonsense"
    assert language_name(None, "en") == "Unknown language"


def test_tracker_saves_every_few_seconds_and_completes_once() -> None:
    clock = Clock()
    tracker = WatchTracker(duration=100, clock=clock)
    assert tracker.update(1.0) is None
    clock.now += SAVE_INTERVAL
    assert tracker.update(6.0) == ProgressUpdate(6.0, False)
    clock.now += 1
    assert tracker.update(7.0) is None
    assert tracker.checkpoint() == ProgressUpdate(7.0, False)
    assert tracker.checkpoint() is None  # nothing moved
    assert tracker.update(COMPLETE_FRACTION * 100) == ProgressUpdate(90.0, True)
    clock.now += SAVE_INTERVAL
    assert tracker.update(95.0) == ProgressUpdate(95.0, False)
    assert tracker.ended() == ProgressUpdate(100.0, False)  # already complete


def test_tracker_learns_the_duration_and_completes_at_the_end() -> None:
    tracker = WatchTracker(clock=Clock())
    assert tracker.update(50.0) is None  # no duration known yet: nothing to compare with
    assert tracker.update(50.5, duration=200.0) is None
    assert tracker.ended() == ProgressUpdate(200.0, True)
    assert WatchTracker(completed=True, clock=Clock()).update(99, 100) is None


def test_prepare_playback_links_files_with_extensions(media_library: Library,
                                                      tmp_path: Path) -> None:
    media_library.settings.set("content_languages", ["sw", "en"])
    plan = prepare_playback(media_library, LESSON, tmp_path / "work")
    source = plan.source
    assert source.path.name == "media.webm" and source.path.read_bytes().startswith(b"not")
    assert [s.path.suffix for s in source.subtitles] == [".vtt", ".srt"]
    assert [s.lang for s in source.subtitles] == ["en", "sw"]
    assert [c.label for c in plan.subtitles] == ["English", "Swahili"]
    assert source.subtitle == "file:1"  # Swahili, the learner's first language
    assert plan.cues_for("file:1")[0].text == "Habari, karibu"
    assert plan.cues_for("file:0")[-1].text == "And the last line"
    assert plan.cues_for(None) == []
    assert plan.transcript.startswith("A plain transcript.")
    assert plan.kind == "video" and plan.duration == 8 and plan.title == "Somo"
    assert source.start_at == 0 and not plan.completed and plan.notes == []

    media_library.settings.set("content_languages", ["ar"])
    assert prepare_playback(media_library, LESSON, tmp_path / "work").source.subtitle is None
    # Preparing again (a second opening) replaces the links.
    assert prepare_playback(media_library, LESSON, tmp_path / "work",
                            languages=["en"]).source.subtitle == "file:0"


def test_prepare_playback_resumes_and_brings_notes(media_library: Library,
                                                   tmp_path: Path) -> None:
    media_library.record_progress(LESSON, position=6.0)
    media_library.add_note(LESSON, "Remember this", at_seconds=3.5)
    plan = prepare_playback(media_library, LESSON, tmp_path / "work")
    assert plan.source.start_at == 4.0 and plan.saved_position == 6.0
    assert [(n["body"], n["at_seconds"]) for n in plan.notes] == [("Remember this", 3.5)]


def test_prepare_playback_refuses_other_kinds(library: Library, tmp_path: Path) -> None:
    make_pack(tmp_path / "a.ujpack")
    import_pack(library, tmp_path / "a.ujpack")
    with pytest.raises(UjuziError, match="not a video"):
        prepare_playback(library, "org.test.sample/intro", tmp_path / "work")


def test_progress_writer_writes_in_order_and_keeps_completion(media_library: Library,
                                                             home: Path) -> None:
    writer = ProgressWriter(home)
    writer.submit(LESSON, ProgressUpdate(3.0, False))
    writer.submit(LESSON, ProgressUpdate(7.5, True))
    writer.submit(LESSON, ProgressUpdate(2.0, False))  # later position; completion stays
    assert writer.flush()
    progress = media_library.progress(LESSON)
    assert progress["position"] == 2.0 and progress["completed"]
    writer.submit("org.test.player/missing", ProgressUpdate(1.0, False))
    assert writer.close()
    assert len(writer.errors) == 1
    with pytest.raises(RuntimeError):
        writer.submit(LESSON, ProgressUpdate(1.0, False))


def test_backend_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    found = available_backends()
    assert found[:1] == ["vlc"] and "qt" in found  # this machine has both
    monkeypatch.delenv("UJUZI_PLAYER", raising=False)
    assert choose_backend() == "vlc"
    monkeypatch.setenv("UJUZI_PLAYER", "qt")
    assert choose_backend() == "qt"
    assert choose_backend("vlc") == "vlc"
    monkeypatch.setenv("UJUZI_PLAYER", "mplayer")
    with pytest.raises(UjuziError, match="Unknown media player"):
        choose_backend()
    assert backend_label("vlc").startswith("VLC 3.")
    assert backend_label("qt").startswith("Qt Multimedia 6.")


def test_backend_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    import app.player as player

    monkeypatch.setattr(player, "available_backends", lambda: [])
    monkeypatch.delenv("UJUZI_PLAYER", raising=False)
    with pytest.raises(UjuziError, match="install VLC"):
        choose_backend()
    monkeypatch.setattr(player, "available_backends", lambda: ["qt"])
    assert choose_backend() == "qt"
    with pytest.raises(UjuziError, match="not available"):
        choose_backend("vlc")


def test_links_fall_back_to_copies(media_library: Library, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object) -> None:
        raise OSError("no links on this file system")

    monkeypatch.setattr(os, "symlink", refuse)
    monkeypatch.setattr(os, "link", refuse)
    plan = prepare_playback(media_library, LESSON, tmp_path / "work")
    assert not plan.source.path.is_symlink()
    assert plan.source.path.read_bytes().startswith(b"not")


def test_wayland_desktops_run_on_xwayland_for_libvlc() -> None:
    from app.player import wants_x11

    wayland = {"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}
    assert wants_x11(wayland)
    assert not wants_x11({**wayland, "QT_QPA_PLATFORM": "wayland"})  # the user chose
    assert not wants_x11({**wayland, "UJUZI_PLAYER": "qt"})  # no libvlc, no need
    assert not wants_x11({"WAYLAND_DISPLAY": "wayland-0"})  # no XWayland
    assert not wants_x11({"DISPLAY": ":0"})  # plain X11 already

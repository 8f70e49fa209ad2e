"""Both backends play real files: position, seeking, speed, sound, subtitles, audio-only,
the end, broken files and the shared corpus's samples. Each test runs on libvlc in this
process (as the player host runs it), on libvlc in a player host process (as the window
plays, app/player/vlc_remote.py) and on the Qt Multimedia fallback (the ``backend``
fixture)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.player.base import State, missing_file_message, unplayable_message
from app.player.subtitles import CueList, parse_srt
from tests.integration.player.conftest import TIMEOUT_MS, MakePlayer, source, wait_playing
from tests.media import LENGTH, SW_SRT


@pytest.fixture(params=["vlc", "vlc-remote", "qt"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize("name", ["red.webm", "blue.mp4", "tone.mp3", "tone.ogg"])
def test_position_advances(make_player: MakePlayer, media: dict[str, Path], qtbot: QtBot,
                           name: str) -> None:
    player, recorder = make_player()
    player.load(source(media[name]))
    wait_playing(qtbot, player, recorder)
    first = player.position()
    qtbot.waitUntil(lambda: player.position() >= first + 1.0, timeout=TIMEOUT_MS)
    assert abs(player.duration() - LENGTH) < 0.5
    assert recorder.positions and max(recorder.positions) >= first + 0.5
    assert player.has_video() == name.endswith(("webm", "mp4"))
    if player.has_video():
        qtbot.waitUntil(lambda: recorder.shown == 1, timeout=TIMEOUT_MS)


def test_seek_lands_within_a_second(make_player: MakePlayer, media: dict[str, Path],
                                    qtbot: QtBot) -> None:
    player, recorder = make_player()
    player.load(source(media["blue.mp4"]))
    wait_playing(qtbot, player, recorder)
    for target in (5.0, 1.0, 6.5):
        player.seek(target)
        qtbot.waitUntil(lambda t=target: abs(player.position() - t) < 1.0,  # type: ignore[misc]
                        timeout=TIMEOUT_MS)
        assert player.state() == State.PLAYING
    player.skip(-10)
    qtbot.waitUntil(lambda: player.position() < 1.5, timeout=TIMEOUT_MS)


def test_seek_while_paused(make_player: MakePlayer, media: dict[str, Path],
                           qtbot: QtBot) -> None:
    player, recorder = make_player()
    player.load(source(media["red.webm"]))
    wait_playing(qtbot, player, recorder)
    player.pause()
    qtbot.waitUntil(lambda: player.state() == State.PAUSED, timeout=TIMEOUT_MS)
    player.seek(4.0)
    qtbot.waitUntil(lambda: abs(player.position() - 4.0) < 1.0, timeout=TIMEOUT_MS)
    held = player.position()
    player.play()
    qtbot.waitUntil(lambda: player.position() > held + 0.5, timeout=TIMEOUT_MS)


def test_start_at_resumes_there(make_player: MakePlayer, media: dict[str, Path],
                                qtbot: QtBot) -> None:
    player, recorder = make_player()
    player.load(source(media["red.webm"], start_at=4.0))
    wait_playing(qtbot, player, recorder)
    qtbot.waitUntil(lambda: player.position() >= 4.0, timeout=TIMEOUT_MS)
    assert player.position() < 6.0
    assert min(p for p in recorder.positions if p > 0) >= 3.5


def test_rate_changes_speed_and_is_clamped(make_player: MakePlayer, media: dict[str, Path],
                                           qtbot: QtBot) -> None:
    player, recorder = make_player()
    player.load(source(media["red.webm"]))
    wait_playing(qtbot, player, recorder)
    player.set_rate(2.0)
    assert player.rate() == 2.0
    start_media, start_wall = player.position(), time.monotonic()
    qtbot.waitUntil(lambda: player.position() >= start_media + 3.0, timeout=TIMEOUT_MS)
    speed = (player.position() - start_media) / (time.monotonic() - start_wall)
    assert speed > 1.4, f"media ran at {speed:.2f}x"
    player.set_rate(9)
    assert player.rate() == 2.0
    player.set_rate(0.1)
    assert player.rate() == 0.5


def test_volume_and_mute(make_player: MakePlayer, media: dict[str, Path],
                         qtbot: QtBot) -> None:
    player, recorder = make_player()
    player.set_volume(30)
    player.load(source(media["tone.ogg"]))
    wait_playing(qtbot, player, recorder)
    assert player.volume() == 30
    player.set_volume(140)
    assert player.volume() == 100
    player.set_muted(True)
    assert player.muted()
    player.set_muted(False)
    assert not player.muted()


def test_choosing_subtitle_tracks(make_player: MakePlayer, media: dict[str, Path],
                                  qtbot: QtBot, backend: str) -> None:
    player, recorder = make_player()
    subs = [(media["en.vtt"], "en"), (media["sw.srt"], "sw")]
    player.load(source(media["red.webm"], subs, subtitle="file:1"))
    wait_playing(qtbot, player, recorder)
    qtbot.waitUntil(lambda: len(player.subtitle_tracks()) == 2, timeout=TIMEOUT_MS)
    tracks = player.subtitle_tracks()
    assert [(t.key, t.lang, t.external) for t in tracks] == [
        ("file:0", "en", True), ("file:1", "sw", True)]
    assert player.subtitle() == "file:1"
    player.pause()
    qtbot.waitUntil(lambda: player.state() == State.PAUSED, timeout=TIMEOUT_MS)

    if backend.startswith("vlc"):
        shown = player.current_spu()  # type: ignore[attr-defined]
        assert shown >= 0
        player.set_subtitle("file:0")
        qtbot.waitUntil(lambda: player.current_spu() not in (-1, shown),  # type: ignore
                        timeout=TIMEOUT_MS)
        player.set_subtitle(None)
        qtbot.waitUntil(lambda: player.current_spu() == -1,  # type: ignore[attr-defined]
                        timeout=TIMEOUT_MS)
    else:
        # Qt Multimedia knows no external subtitles: the backend shows the cues itself.
        swahili = CueList(parse_srt(SW_SRT))
        assert player.subtitle_text() == swahili.text_at(player.position())  # type: ignore
        assert player.subtitle_text()  # type: ignore[attr-defined]
        player.set_subtitle("file:0")
        assert player.subtitle_text() in {  # type: ignore[attr-defined]
            "Hello, and welcome", "This is the second line", "Now the third line",
            "And the last line"}
        player.set_subtitle(None)
        assert player.subtitle_text() == ""  # type: ignore[attr-defined]
    assert player.subtitle() is None


def test_embedded_and_external_subtitles_together(make_player: MakePlayer,
                                                  media: dict[str, Path], qtbot: QtBot,
                                                  backend: str) -> None:
    player, recorder = make_player()
    player.load(source(media["embedded.mkv"], [(media["sw.srt"], "sw")]))
    wait_playing(qtbot, player, recorder)
    if backend == "qt":
        # The fallback offers the pack's subtitle files only: switching Qt's own tracks
        # cannot be done safely from Python (see app/player/qt_multimedia.py).
        qtbot.waitUntil(lambda: len(player.subtitle_tracks()) == 1, timeout=TIMEOUT_MS)
        assert player.subtitle_tracks()[0].key == "file:0"
        return
    qtbot.waitUntil(lambda: len(player.subtitle_tracks()) == 2, timeout=TIMEOUT_MS)
    external, embedded = player.subtitle_tracks()
    assert external.key == "file:0" and external.external
    assert embedded.key.startswith("embedded:") and not embedded.external
    assert "French" in embedded.label
    assert player.subtitle() is None  # nothing asked for: none shown
    player.set_subtitle(embedded.key)
    assert player.subtitle() == embedded.key
    qtbot.waitUntil(lambda: player.current_spu() >= 0,  # type: ignore[attr-defined]
                    timeout=TIMEOUT_MS)


def test_audio_only_stops_the_video_not_the_sound(make_player: MakePlayer,
                                                   media: dict[str, Path],
                                                   qtbot: QtBot) -> None:
    player, recorder = make_player()
    player.load(source(media["blue.mp4"]))
    wait_playing(qtbot, player, recorder)
    assert player.video_enabled()  # type: ignore[attr-defined]
    player.set_audio_only(True)
    assert player.audio_only()
    qtbot.waitUntil(lambda: not player.video_enabled(),  # type: ignore[attr-defined]
                    timeout=TIMEOUT_MS)
    position = player.position()
    qtbot.waitUntil(lambda: player.position() > position + 1.0, timeout=TIMEOUT_MS)
    player.set_audio_only(False)
    qtbot.waitUntil(lambda: player.video_enabled(),  # type: ignore[attr-defined]
                    timeout=TIMEOUT_MS)


def test_the_end_and_playing_again(make_player: MakePlayer, media: dict[str, Path],
                                   qtbot: QtBot) -> None:
    player, recorder = make_player()
    player.load(source(media["red.webm"]))
    wait_playing(qtbot, player, recorder)
    player.seek(LENGTH - 1.0)
    qtbot.waitUntil(lambda: player.state() == State.ENDED, timeout=TIMEOUT_MS)
    assert not recorder.errors
    player.play()
    qtbot.waitUntil(lambda: player.state() == State.PLAYING and player.position() > 0,
                    timeout=TIMEOUT_MS)
    assert player.position() < 3.0


@pytest.mark.parametrize("name", ["broken", "garbage", "missing"])
def test_broken_files_say_so_and_the_player_recovers(
    make_player: MakePlayer, media: dict[str, Path], corpus: Path, qtbot: QtBot, name: str,
    tmp_path: Path,
) -> None:
    path = {
        "broken": corpus / "media-samples" / "wikimedia-commons-derived" / "broken-file.ogg",
        "garbage": media["garbage.webm"],
        "missing": tmp_path / "gone.webm",
    }[name]
    player, recorder = make_player()
    player.load(source(path))
    qtbot.waitUntil(lambda: player.state() == State.ERROR, timeout=TIMEOUT_MS)
    expected = missing_file_message() if name == "missing" else unplayable_message()
    assert recorder.errors == [expected]
    recorder.errors.clear()
    player.load(source(media["red.webm"]))
    wait_playing(qtbot, player, recorder)


SAMPLES = [
    "ricecooker/low_res_sample.mp4",
    "ricecooker/high_res_sample.mp4",
    "ricecooker/low_res_sample.webm",
    "ricecooker/sample.ogv",
    "wikimedia-commons-derived/stream.360p.video.vp9.mp4",
    "wikimedia-commons-derived/VP9-tractor.webm",
    "wikimedia-commons-derived/bunny.stereo.audio.mp3",
    "wikimedia-commons-derived/bunny.stereo.audio.opus",
    "wikimedia-commons-derived/bunny.stereo.audio.vorbis.ogg",
    "wikimedia-commons-derived/stream.stereo.audio.mp3",
    "wikimedia-commons-derived/chord.mid",
]


@pytest.mark.parametrize("sample", SAMPLES)
def test_corpus_samples(make_player: MakePlayer, corpus: Path, qtbot: QtBot, backend: str,
                        sample: str) -> None:
    player, recorder = make_player()
    player.load(source(corpus / "media-samples" / sample))
    if sample.endswith(".mid") and backend == "qt":
        # Qt's FFmpeg has no MIDI synthesiser (libvlc has one): the fallback must say so
        # clearly instead of playing silence or hanging.
        qtbot.waitUntil(lambda: player.state() == State.ERROR, timeout=TIMEOUT_MS)
        assert recorder.errors == [unplayable_message()]
        return
    # One-second files may be over before we look: playing or ended both count.
    qtbot.waitUntil(lambda: recorder.saw(State.PLAYING) or recorder.saw(State.ENDED),
                    timeout=TIMEOUT_MS)
    assert not recorder.errors
    if "video" in sample or sample.endswith((".mp4", ".ogv", ".webm")):
        qtbot.waitUntil(lambda: recorder.shown == 1, timeout=TIMEOUT_MS)
    if sample.startswith("wikimedia-commons-derived/stream."):  # 47 s: it advances
        qtbot.waitUntil(lambda: player.position() > 1.0, timeout=TIMEOUT_MS)
        assert player.duration() > 40
    else:  # the short ones play to their end
        if player.duration() > 3:
            player.seek(player.duration() - 1)
        qtbot.waitUntil(lambda: player.state() == State.ENDED, timeout=TIMEOUT_MS)
    assert not recorder.errors

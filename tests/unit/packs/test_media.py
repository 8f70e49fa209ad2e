"""Media durations read from container headers (app/packs/media.py), checked against
ffprobe on files generated here with ffmpeg and on the shared corpus's media samples."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from app.packs import rules
from app.packs.build import build_pack
from app.packs.media import media_duration

#: Seconds of every generated file: not a round number, so a reader that guesses is caught.
LENGTH = 3.7
#: How far a duration may be from ffprobe's.
TOLERANCE = 0.1

_VIDEO = ["-f", "lavfi", "-i", f"color=c=blue:s=160x120:r=25:d={LENGTH}"]
_AUDIO = ["-f", "lavfi", "-i", f"sine=frequency=440:duration={LENGTH}"]
_H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
_VP9 = ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-b:v", "100k"]
_VP8 = ["-c:v", "libvpx", "-deadline", "realtime", "-b:v", "100k"]

#: File name -> ffmpeg arguments: every container and codec pair the builder takes.
FORMATS: dict[str, list[str]] = {
    "h264-aac.mp4": [*_VIDEO, *_AUDIO, *_H264, "-c:a", "aac", "-shortest"],
    "h264-faststart.mp4": [*_VIDEO, *_AUDIO, *_H264, "-c:a", "aac", "-shortest",
                           "-movflags", "+faststart"],
    "h264-fragmented.mp4": [*_VIDEO, *_AUDIO, *_H264, "-c:a", "aac", "-shortest",
                            "-movflags", "frag_keyframe+empty_moov"],
    "h264-only.mp4": [*_VIDEO, *_H264],
    # The sound stops before the picture: the movie lasts as long as its longest track.
    "h264-short-aac.mp4": [*_VIDEO, "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
                           *_H264, "-c:a", "aac"],
    "h264-aac.mov": [*_VIDEO, *_AUDIO, *_H264, "-c:a", "aac", "-shortest"],
    "vp8-vorbis.webm": [*_VIDEO, *_AUDIO, *_VP8, "-c:a", "libvorbis", "-shortest"],
    "vp9-opus.webm": [*_VIDEO, *_AUDIO, *_VP9, "-c:a", "libopus", "-shortest"],
    "vp9-only.webm": [*_VIDEO, *_VP9],
    # Written as a live stream: no Duration in the header, as browsers' recorders write it.
    "vp8-live.webm": [*_VIDEO, *_AUDIO, *_VP8, "-c:a", "libopus", "-shortest", "-live", "1"],
    "h264-aac.mkv": [*_VIDEO, *_AUDIO, *_H264, "-c:a", "aac", "-shortest"],
    "vp9-opus.mkv": [*_VIDEO, *_AUDIO, *_VP9, "-c:a", "libopus", "-shortest"],
    # Theora stops a few frames before the sound (ffmpeg's -shortest): the longest counts.
    "theora-vorbis.ogv": [*_VIDEO, *_AUDIO, "-c:v", "libtheora", "-c:a", "libvorbis",
                          "-shortest"],
    "vorbis.ogg": [*_AUDIO, "-c:a", "libvorbis"],
    "opus.opus": [*_AUDIO, "-c:a", "libopus"],
    "flac.oga": [*_AUDIO, "-c:a", "flac"],
    "cbr.mp3": [*_AUDIO, "-c:a", "libmp3lame", "-b:a", "64k"],
    "vbr.mp3": [*_AUDIO, "-c:a", "libmp3lame", "-q:a", "5"],
    "pcm.wav": [*_AUDIO, "-c:a", "pcm_s16le"],
    "tone.flac": [*_AUDIO, "-c:a", "flac"],
    "aac.m4a": [*_AUDIO, "-c:a", "aac"],
}


def _ffprobe(path: Path, entries: str) -> list[str]:
    return subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", entries, "-of", "csv=p=0", str(path)],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout.split()


def ffprobe_duration(path: Path) -> float:
    """The container's duration, or where its last packet ends when the header has none."""
    (text,) = _ffprobe(path, "format=duration")
    if text != "N/A":
        return float(text)
    ends = []
    for line in _ffprobe(path, "packet=pts_time,duration_time"):
        pts, duration, *_ = [*line.split(","), ""]
        ends.append(float(pts) + (float(duration) if duration not in ("", "N/A") else 0))
    return max(ends)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
        pytest.fail("ffmpeg and ffprobe are needed to make the test media")
    folder = tmp_path_factory.mktemp("media")
    files = {}
    for name, args in FORMATS.items():
        target = folder / name
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args, str(target)],
                       check=True, timeout=120)
        files[name] = target
    return files


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_durations_match_ffprobe(generated: dict[str, Path], name: str) -> None:
    path = generated[name]
    assert rules.KIND_OF_EXT[path.suffix] in ("video", "audio")  # a kind the builder measures
    duration = media_duration(path)
    assert duration is not None
    assert duration == pytest.approx(ffprobe_duration(path), abs=TOLERANCE)


def _corpus_media(corpus: Path) -> list[Path]:
    return sorted(
        path for path in (corpus / "media-samples").rglob("*")
        if path.is_file() and rules.KIND_OF_EXT.get(path.suffix.lower()) in ("video", "audio")
    )


def test_corpus_media_durations_match_ffprobe(corpus: Path) -> None:
    samples = _corpus_media(corpus)
    assert len(samples) >= 10
    broken = {"broken-file.ogg"}  # damaged on purpose: ffprobe cannot tell either
    for path in samples:
        duration = media_duration(path)
        if path.name in broken:
            assert duration is None, path.name
        else:
            assert duration is not None, path.name
            assert duration == pytest.approx(ffprobe_duration(path), abs=TOLERANCE), path.name


def test_durations_are_rounded_to_milliseconds(generated: dict[str, Path]) -> None:
    for path in generated.values():
        duration = media_duration(path)
        assert duration is not None
        assert duration == round(duration, 3)


def test_unreadable_files_have_no_duration(tmp_path: Path, generated: dict[str, Path]) -> None:
    text = tmp_path / "notes.mp4"
    text.write_text("plain text, not a video", encoding="utf-8")
    empty = tmp_path / "empty.webm"
    empty.write_bytes(b"")
    webm = generated["vp9-opus.webm"].read_bytes()
    cut = tmp_path / "cut.webm"  # the EBML header and no more
    cut.write_bytes(webm[:40])
    mp4 = generated["h264-aac.mp4"].read_bytes()
    garbled = tmp_path / "garbled.mp4"
    garbled.write_bytes(mp4[:8] + bytes(range(256)) * 4)
    for path in (text, empty, cut, garbled, tmp_path / "missing.mp3"):
        assert media_duration(path) is None, path.name


@pytest.mark.parametrize("name", ["vp8-live.webm", "vp9-opus.mkv", "h264-fragmented.mp4",
                                  "h264-aac.mp4", "vorbis.ogg", "theora-vorbis.ogv"])
def test_damaged_files_never_raise(generated: dict[str, Path], tmp_path: Path, name: str) -> None:
    """Cut short, or with bytes of the headers set to 0x00 or 0xFF: a duration or None."""
    data = generated[name].read_bytes()
    target = tmp_path / f"damaged{generated[name].suffix}"
    for cut in range(1, min(len(data), 3000), 37):
        target.write_bytes(data[:cut])
        duration = media_duration(target)
        assert duration is None or duration >= 0
    for offset in range(4, 400):
        for value in (0x00, 0xFF):
            damaged = bytearray(data)
            damaged[offset] = value
            target.write_bytes(bytes(damaged))
            duration = media_duration(target)
            assert duration is None or duration >= 0, (offset, value)


LICENCE = "license: CC-BY-SA-4.0\nattribution: Wikimedia volunteers\n"


def test_pack_build_keeps_durations_and_warns_once_per_unreadable_file(
    tmp_path: Path, generated: dict[str, Path]
) -> None:
    folder = tmp_path / "lesson"
    folder.mkdir()
    (folder / "pack.yaml").write_text(LICENCE, encoding="utf-8")
    shutil.copy(generated["vp9-opus.webm"], folder / "01-talk.webm")
    shutil.copy(generated["h264-aac.mkv"], folder / "02-demo.mkv")
    shutil.copy(generated["vorbis.ogg"], folder / "03-tone.ogg")
    (folder / "04-broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypisom" + b"\xff" * 64)

    result = build_pack(folder, tmp_path / "lesson.ujpack")

    durations = {r["id"]: r.get("duration") for r in result.manifest["resources"]}
    assert durations["talk"] == pytest.approx(LENGTH, abs=TOLERANCE)
    assert durations["demo"] == pytest.approx(LENGTH, abs=TOLERANCE)
    assert durations["tone"] == pytest.approx(LENGTH, abs=TOLERANCE)
    assert durations["broken"] is None
    assert result.warnings == [
        "Could not read how long 04-broken.mp4 lasts; set its duration in pack.yaml."
    ]

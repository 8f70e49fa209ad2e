"""Media for the player's tests: files generated with ffmpeg and packs that carry them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from app.packs.archive import manifest_bytes, write_pack
from tests.packs import file_entry

#: Seconds of every generated file: long enough to seek around, short enough to finish.
LENGTH = 8

EN_VTT = """WEBVTT

00:00:00.000 --> 00:00:02.000
Hello, and welcome

00:00:02.000 --> 00:00:04.000
This is the second line

00:00:04.000 --> 00:00:06.000
Now the third line

00:00:06.000 --> 00:00:08.000
And the last line
"""

SW_SRT = """1
00:00:00,000 --> 00:00:02,000
Habari, karibu

2
00:00:02,000 --> 00:00:04,000
Huu ni mstari wa pili

3
00:00:04,000 --> 00:00:06,000
Sasa mstari wa tatu

4
00:00:06,000 --> 00:00:08,000
Na mstari wa mwisho
"""

#: ffmpeg arguments after the inputs, per generated file.
_OUTPUTS: dict[str, list[str]] = {
    # VP9/Opus in WebM, solid red: the screenshot tests look for red pixels.
    "red.webm": ["-c:v", "libvpx-vp9", "-b:v", "150k", "-deadline", "realtime",
                 "-c:a", "libopus"],
    # H.264/AAC in MP4, solid blue.
    "blue.mp4": ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                 "-c:a", "aac"],
    "tone.mp3": ["-vn", "-c:a", "libmp3lame", "-b:a", "64k"],
    "tone.ogg": ["-vn", "-c:a", "libvorbis", "-q:a", "2"],
}
_COLOURS = {"red.webm": "red", "blue.mp4": "blue"}


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True, timeout=120)


def generate(folder: Path) -> dict[str, Path]:
    """Write the test media and subtitle files into ``folder``; return them by name."""
    if shutil.which("ffmpeg") is None:
        raise RuntimeError("ffmpeg is needed to generate the player's test media")
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    for name, codec_args in _OUTPUTS.items():
        target = folder / name
        colour = _COLOURS.get(name, "black")
        ffmpeg("-f", "lavfi", "-i", f"color=c={colour}:s=640x360:r=25:d={LENGTH}",
               "-f", "lavfi", "-i", f"sine=frequency=440:duration={LENGTH}",
               *codec_args, "-shortest", str(target))
        files[name] = target
    (folder / "en.vtt").write_text(EN_VTT, encoding="utf-8")
    (folder / "sw.srt").write_text(SW_SRT, encoding="utf-8")
    files["en.vtt"] = folder / "en.vtt"
    files["sw.srt"] = folder / "sw.srt"
    # Matroska with an embedded (French) WebVTT track, to choose among embedded tracks too.
    embedded = folder / "embedded.mkv"
    ffmpeg("-i", str(files["red.webm"]), "-i", str(files["en.vtt"]), "-map", "0", "-map", "1",
           "-c", "copy", "-c:s", "webvtt", "-metadata:s:s:0", "language=fra", str(embedded))
    files["embedded.mkv"] = embedded
    # A file that claims to be a video and is not.
    garbage = folder / "garbage.webm"
    garbage.write_bytes(b"\x1aE\xdf\xa3 this is not really a video" * 40)
    files["garbage.webm"] = garbage
    return files


def make_media_pack(
    out: Path,
    media: bytes,
    pack_id: str = "org.test.player",
    resource_id: str = "lesson",
    name: str = "lesson.webm",
    kind: str = "video",
    duration: float | None = LENGTH,
    subtitles: dict[str, tuple[str, str]] | None = None,
    transcript: str | None = None,
) -> dict[str, Any]:
    """A pack with one media resource; ``subtitles`` maps a language to (extension, text)."""
    root = out.parent / f".src-{out.stem}"
    stem = name.rsplit(".", 1)[0]
    mime = {"webm": "video/webm", "mp4": "video/mp4", "mp3": "audio/mpeg",
            "ogg": "audio/ogg"}.get(name.rsplit(".", 1)[1], "application/octet-stream")
    files = [file_entry(root, f"media/{name}", media, mime)]
    for lang, (ext, text) in (subtitles or {}).items():
        files.append(file_entry(root, f"media/{stem}.{lang}.{ext}", text.encode(),
                                "text/vtt" if ext == "vtt" else "application/x-subrip",
                                role="subtitles", lang=lang))
    if transcript is not None:
        files.append(file_entry(root, f"media/{stem}.txt", transcript.encode(), "text/plain",
                                role="transcript"))
    resource: dict[str, Any] = {"id": resource_id, "kind": kind, "lang": "en",
                                "title": {"en": "The lesson", "sw": "Somo"}, "files": files}
    if duration is not None:
        resource["duration"] = duration
    manifest: dict[str, Any] = {
        "format": "ujuzi-pack", "format_version": 1, "id": pack_id, "version": "1.0.0",
        "title": {"en": "Player pack"}, "description": {"en": "Media for the player tests."},
        "languages": ["en", "sw"], "license": "CC0-1.0", "attribution": "The Ujuzi tests",
        "sections": [{"id": "main", "title": {"en": "Main"}, "resources": [resource_id]}],
        "resources": [resource],
    }
    sources = {e["path"]: root / e["path"] for e in files}
    write_pack(out, manifest_bytes(manifest), manifest, sources)
    return manifest


SUBTITLES = {"en": ("vtt", EN_VTT), "sw": ("srt", SW_SRT)}

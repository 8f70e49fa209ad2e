#!/usr/bin/env python3
"""Regenerate the narrated slide video of the "Welcome to the Wikimedia projects" starter pack.

The video, its subtitles and its transcript are committed under
``resources/starter/newcomers/01-the-projects/``; this script is how they were made, so anyone
can change a slide below and make them again. Nothing is downloaded: the narration is spoken by
``espeak-ng`` and the slides are drawn by ``ffmpeg`` (``color`` source plus ``drawtext``) with a
font that the system already has.

Outputs (written atomically, each replaced only when complete):

- ``02-a-tour-of-the-projects.webm`` -- 640x360, 15 fps, VP9 video and mono Opus audio, small;
- ``02-a-tour-of-the-projects.en.vtt`` and ``.sw.vtt`` -- one cue per narrated sentence, timed
  from the length of each synthesised sentence;
- ``02-a-tour-of-the-projects.en.txt`` -- the English narration as plain text.

Run from anywhere: ``python3 packaging/make_starter_video.py`` (``--out DIR`` to write elsewhere).
The build is as deterministic as ffmpeg allows (bit-exact flags, no metadata, one encoder
thread); the same tool versions give the same bytes.

Needs: Python 3.11 (standard library only), ffmpeg with libvpx-vp9 and libopus, espeak-ng, and
DejaVu Sans or Noto Sans (``packaging/install-system-deps.sh`` installs all of them).
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import wave
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "resources" / "starter" / "newcomers" / "01-the-projects"
STEM = "02-a-tour-of-the-projects"

WIDTH, HEIGHT, FPS = 640, 360, 15
VOICE, SPEED = "en", 150
SENTENCE_GAP = 0.25  # seconds of silence between two sentences of one slide
SLIDE_PAUSE = 0.6  # seconds of silence after the narration of each slide
VTT_WIDTH = 42  # characters per subtitle line

BACKGROUND = "0xF8F9FA"
TEXT = "0x202122"
MUTED = "0x54595D"
ACCENT = "0x3366CC"

# Bold font for headings, regular for the rest; the first pair that exists is used.
FONT_CANDIDATES: tuple[tuple[str, str], ...] = (
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    ),
    (
        "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    ),
    ("/usr/share/fonts/TTF/DejaVuSans-Bold.ttf", "/usr/share/fonts/TTF/DejaVuSans.ttf"),
    ("/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf", "/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    ("/usr/share/fonts/noto/NotoSans-Bold.ttf", "/usr/share/fonts/noto/NotoSans-Regular.ttf"),
)


@dataclass(frozen=True)
class Slide:
    """One slide: what is on screen, and the narration as (English, Swahili) sentence pairs."""

    heading: str
    lines: tuple[str, ...]
    narration: tuple[tuple[str, str], ...]


SLIDES: tuple[Slide, ...] = (
    Slide(
        heading="A tour of the Wikimedia projects",
        lines=("Free knowledge that anyone can read, share and improve",),
        narration=(
            (
                "Welcome to a short tour of the Wikimedia projects.",
                "Karibu kwenye ziara fupi ya miradi ya Wikimedia.",
            ),
            (
                "They are free websites of knowledge, written by volunteers all over the world.",
                "Ni tovuti huru za maarifa, zinazoandikwa na watu wanaojitolea duniani kote.",
            ),
        ),
    ),
    Slide(
        heading="Wikipedia",
        lines=("The free encyclopedia,", "written in hundreds of languages"),
        narration=(
            (
                "Wikipedia is the free encyclopedia, started in 2001.",
                "Wikipedia ni kamusi elezo huru, iliyoanzishwa mwaka 2001.",
            ),
            (
                "Today it is written in hundreds of languages, including Swahili.",
                "Leo inaandikwa kwa mamia ya lugha, ikiwemo Kiswahili.",
            ),
        ),
    ),
    Slide(
        heading="Wikimedia Commons",
        lines=("Freely licensed photos, sound and video", "that every project can use"),
        narration=(
            (
                "Wikimedia Commons keeps freely licensed photos, sound recordings and videos.",
                "Wikimedia Commons inahifadhi picha, sauti na video zenye leseni huru.",
            ),
            (
                "Any project, in any language, can use them.",
                "Mradi wowote, kwa lugha yoyote, unaweza kuzitumia.",
            ),
        ),
    ),
    Slide(
        heading="Wikidata",
        lines=("Facts as structured data,", "readable by people and computers"),
        narration=(
            (
                "Wikidata stores facts as structured data, such as names, dates and places.",
                "Wikidata inahifadhi taarifa kama data iliyopangwa, kama majina, tarehe na mahali.",
            ),
            (
                "Both people and computers can read it.",
                "Taarifa hizo zinasomeka na watu na pia na kompyuta.",
            ),
        ),
    ),
    Slide(
        heading="And many more",
        lines=("Wiktionary · Wikibooks", "Wikisource · Wikivoyage"),
        narration=(
            (
                "There is more: Wiktionary for words, and Wikibooks for open textbooks.",
                "Kuna zaidi: Wiktionary kwa maneno, na Wikibooks kwa vitabu huru vya kiada.",
            ),
            (
                "Wikisource keeps original texts, and Wikivoyage offers travel guides.",
                "Wikisource inahifadhi maandiko asilia, na Wikivoyage inatoa miongozo ya safari.",
            ),
        ),
    ),
    Slide(
        heading="Your turn",
        lines=("Create an account, say hello,", "and start with a small edit"),
        narration=(
            (
                "Every one of these projects grows through people like you.",
                "Miradi hii yote hukua kupitia watu kama wewe.",
            ),
            (
                "Create an account, say hello on a talk page, and start with a small edit.",
                "Fungua akaunti, salimia kwenye ukurasa wa majadiliano, "
                "na uanze kwa uhariri mdogo.",
            ),
        ),
    ),
)


def fail(message: str) -> None:
    print(f"make_starter_video: {message}", file=sys.stderr)
    raise SystemExit(1)


def find_fonts() -> tuple[str, str]:
    for bold, regular in FONT_CANDIDATES:
        if Path(bold).is_file() and Path(regular).is_file():
            return bold, regular
    wanted = ", ".join(pair[0] for pair in FONT_CANDIDATES)
    fail(
        f"no usable font found (looked for {wanted}); install fonts-dejavu-core or "
        "fonts-noto-core, for example with packaging/install-system-deps.sh"
    )
    raise AssertionError("unreachable")


def check_tools() -> None:
    for tool in ("ffmpeg", "ffprobe", "espeak-ng"):
        if shutil.which(tool) is None:
            fail(f"{tool} is not installed; run packaging/install-system-deps.sh")


def run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-15:])
        fail(f"command failed ({result.returncode}): {' '.join(command[:3])} ...\n{tail}")


def speak(text: str, path: Path) -> None:
    run(["espeak-ng", "-v", VOICE, "-s", str(SPEED), "-w", str(path), text])


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    en: str
    sw: str


def build_audio(work: Path) -> tuple[Path, list[float], list[Cue]]:
    """Speak every sentence, join them with pauses into one WAV, and return the WAV, each
    slide's duration (a whole number of video frames) and one cue per sentence."""
    fmt: tuple[int, int, int] | None = None  # channels, bytes per sample, frames per second
    chunks: list[bytes] = []
    durations: list[float] = []
    cues: list[Cue] = []
    total_frames = 0
    video_end = 0  # video frames so far
    for s_index, slide in enumerate(SLIDES):
        if not slide.narration:
            fail(f"slide {s_index + 1} has no narration")
        slide_start = total_frames
        for n_index, (english, swahili) in enumerate(slide.narration):
            path = work / f"slide{s_index:02d}-{n_index:02d}.wav"
            speak(english, path)
            with wave.open(str(path), "rb") as reader:
                this = (reader.getnchannels(), reader.getsampwidth(), reader.getframerate())
                if fmt is None:
                    fmt = this
                elif this != fmt:
                    fail("espeak-ng produced WAV files in different formats")
                count = reader.getnframes()
                data = reader.readframes(count)
            frame_bytes, rate = fmt[0] * fmt[1], fmt[2]
            if n_index:
                gap = round(SENTENCE_GAP * rate)
                chunks.append(b"\x00" * gap * frame_bytes)
                total_frames += gap
            start = total_frames / rate
            chunks.append(data)
            total_frames += count
            cues.append(Cue(start, total_frames / rate, english, swahili))
        spoken = (total_frames - slide_start) / rate
        video_frames = math.ceil((spoken + SLIDE_PAUSE) * FPS)
        video_end += video_frames
        duration = video_frames / FPS
        # Pad to the slide's last video frame, counted from the start, so nothing drifts.
        pad = round(video_end * rate / FPS) - total_frames
        chunks.append(b"\x00" * pad * frame_bytes)
        total_frames += pad
        durations.append(duration)
    if fmt is None:
        fail("there are no slides to narrate")
        raise AssertionError("unreachable")
    audio = work / "narration.wav"
    with wave.open(str(audio), "wb") as writer:
        writer.setnchannels(fmt[0])
        writer.setsampwidth(fmt[1])
        writer.setframerate(fmt[2])
        writer.writeframes(b"".join(chunks))
    return audio, durations, cues


def drawtext(font: str, textfile: Path, size: int, color: str, x: str, y: int) -> str:
    # Text comes from files, so it needs no escaping; paths here contain no ':' or quotes.
    return (
        f"drawtext=fontfile='{font}':textfile='{textfile}':fontsize={size}"
        f":fontcolor={color}:x={x}:y={y}"
    )


def slide_filter(index: int, slide: Slide, work: Path, fonts: tuple[str, str]) -> str:
    bold, regular = fonts
    parts = [
        f"drawbox=x=0:y=0:w={WIDTH}:h=8:color={ACCENT}:t=fill",
        f"drawbox=x=48:y=0:w=4:h={HEIGHT}:color={ACCENT}@0.25:t=fill",
    ]
    files: list[tuple[str, str, int, str, int]] = []  # text, font, size, colour, y
    heading_lines = textwrap.wrap(slide.heading, 26)
    y = 92 if len(heading_lines) > 1 else 112
    for line in heading_lines:
        files.append((line, bold, 32, TEXT, y))
        y += 44
    y += 8
    parts.append(f"drawbox=x=72:y={y}:w=72:h=4:color={ACCENT}:t=fill")
    y += 26
    for paragraph in slide.lines:
        for line in textwrap.wrap(paragraph, 40):
            files.append((line, regular, 23, TEXT, y))
            y += 34
    if y > HEIGHT - 48:
        fail(f"slide {index + 1} has too much text to fit")
    files.append(("Ujuzi · Welcome to the Wikimedia projects", regular, 14, MUTED, HEIGHT - 34))
    for n, (text, font, size, color, top) in enumerate(files):
        path = work / f"text{index:02d}-{n:02d}.txt"
        path.write_text(text, encoding="utf-8")
        parts.append(drawtext(font, path, size, color, "72", top))
    counter = work / f"text{index:02d}-counter.txt"
    counter.write_text(f"{index + 1} / {len(SLIDES)}", encoding="utf-8")
    parts.append(drawtext(regular, counter, 14, MUTED, "w-tw-32", HEIGHT - 34))
    return f"[{index}:v]" + ",".join(parts) + f"[v{index}]"


def build_video(work: Path, audio: Path, durations: list[float], fonts: tuple[str, str]) -> Path:
    output = work / f"{STEM}.webm"
    command = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    for duration in durations:
        command += [
            "-f",
            "lavfi",
            "-i",
            f"color=c={BACKGROUND}:s={WIDTH}x{HEIGHT}:r={FPS}:d={duration:.6f}",
        ]
    command += ["-i", str(audio)]
    graph = [slide_filter(i, slide, work, fonts) for i, slide in enumerate(SLIDES)]
    labels = "".join(f"[v{i}]" for i in range(len(SLIDES)))
    graph.append(f"{labels}concat=n={len(SLIDES)}:v=1:a=0,format=yuv420p[v]")
    command += [
        "-filter_complex",
        ";".join(graph),
        "-map",
        "[v]",
        "-map",
        f"{len(SLIDES)}:a",
        "-c:v",
        "libvpx-vp9",
        "-b:v",
        "0",
        "-crf",
        "45",
        "-row-mt",
        "1",
        "-deadline",
        "good",
        "-cpu-used",
        "5",
        "-g",
        str(FPS * 10),
        "-threads",
        "1",
        "-c:a",
        "libopus",
        "-b:a",
        "24k",
        "-ac",
        "1",
        "-fflags",
        "+bitexact",
        "-flags:v",
        "+bitexact",
        "-flags:a",
        "+bitexact",
        "-map_metadata",
        "-1",
        "-shortest",
        str(output),
    ]
    run(command)
    return output


def timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def subtitle_lines(text: str) -> list[str]:
    """Up to two lines of similar length (more only for a very long sentence)."""
    if len(text) <= VTT_WIDTH:
        return [text]
    for width in range(math.ceil(len(text) / 2), VTT_WIDTH + 16):
        lines = textwrap.wrap(text, width)
        if len(lines) <= 2:
            return lines
    return textwrap.wrap(text, VTT_WIDTH)


def webvtt(cues: list[Cue], language: str) -> str:
    blocks = ["WEBVTT"]
    for number, cue in enumerate(cues, start=1):
        text = "\n".join(subtitle_lines(cue.en if language == "en" else cue.sw))
        blocks.append(f"{number}\n{timestamp(cue.start)} --> {timestamp(cue.end)}\n{text}")
    return "\n\n".join(blocks) + "\n"


def transcript() -> str:
    paragraphs = [" ".join(en for en, _ in slide.narration) for slide in SLIDES]
    return "\n\n".join(paragraphs) + "\n"


def install(source: Path, destination: Path) -> None:
    """Copy ``source`` beside ``destination`` under a temporary name, then rename it into
    place, so a reader never sees a half-written file."""
    temporary = destination.with_name(f".{destination.name}.tmp")
    shutil.copyfile(source, temporary)
    os.replace(temporary, destination)


def probe_duration(path: Path) -> float:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        return float(result.stdout.strip())
    except ValueError:
        fail(f"ffprobe could not read the duration of {path}")
        raise AssertionError("unreachable") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"output folder (default: {DEFAULT_OUT.relative_to(REPO)})",
    )
    args = parser.parse_args(argv)
    check_tools()
    fonts = find_fonts()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ujuzi-video-") as tmp:
        work = Path(tmp)
        audio, durations, cues = build_audio(work)
        video = build_video(work, audio, durations, fonts)
        length = probe_duration(video)
        if length + 0.1 < cues[-1].end:
            fail(f"the video ({length:.2f} s) is shorter than its narration ({cues[-1].end:.2f} s)")
        texts = {
            f"{STEM}.en.vtt": webvtt(cues, "en"),
            f"{STEM}.sw.vtt": webvtt(cues, "sw"),
            f"{STEM}.en.txt": transcript(),
        }
        for name, content in texts.items():
            (work / name).write_text(content, encoding="utf-8", newline="\n")
        for name in (video.name, *texts):
            destination = out / name
            install(work / name, destination)
            size = destination.stat().st_size
            print(f"wrote {destination} ({size:,} bytes)")
        print(f"video: {len(SLIDES)} slides, {length:.2f} s, fonts {fonts[0]}, {fonts[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Building packs from folders: the conventions of app/packs/build.py, on real files."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from app.errors import BuildError, Cancelled
from app.packs.build import BuildResult, build_pack
from app.packs.builder.titles import humanize
from app.packs.manifest import QUIZ_MIME, parse_manifest, validate_manifest, validate_quiz
from app.packs.media import media_duration
from app.packs.rules import is_language, slugify
from app.tasks import Progress, Reporter

LICENCE = "license: CC-BY-SA-4.0\nattribution: Wikimedia volunteers\n"
QUIZ = """\
title: Check yourself
description: Three questions
questions:
  - id: q1
    type: single
    prompt: Who writes Wikipedia?
    choices:
      - {id: a, text: Volunteers, correct: true}
      - {id: b, text: Robots}
  - id: q2
    type: true_false
    prompt: Anyone can edit.
    answer: true
"""


def _ffmpeg(*args: str | Path) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", *map(str, args)],
                   check=True)


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A 3-second webm video, a 3-second mp3 and a small png, made once per test run."""
    folder = tmp_path_factory.mktemp("media")
    files = {"video": folder / "clip.webm", "audio": folder / "tone.mp3",
             "image": folder / "still.png"}
    _ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=3",
            "-f", "lavfi", "-i", "color=c=blue:s=160x120:d=3",
            "-shortest", "-c:v", "libvpx-vp9", "-c:a", "libopus", files["video"])
    # A constant bit rate: libvlc estimates an mp3's length from its first frame, and lame's
    # default settings give a first frame of another rate than the rest (about 16% off).
    _ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=3",
            "-c:a", "libmp3lame", "-b:a", "64k", files["audio"])
    _ffmpeg("-f", "lavfi", "-i", "color=c=red:s=32x32:d=1", "-frames:v", "1", files["image"])
    return files


def write(folder: Path, path: str, content: str | bytes = "text\n") -> Path:
    target = folder / path
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8")
    return target


def copy(source: Path, folder: Path, path: str) -> Path:
    target = folder / path
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def make_pack(tmp_path: Path, config: str = LICENCE, name: str = "my-pack") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    if config:
        write(folder, "pack.yaml", config)
    return folder


def build(folder: Path, **kwargs: Any) -> BuildResult:
    return build_pack(folder, folder.parent / f"{folder.name}.ujpack", **kwargs)


def by_id(result: BuildResult) -> dict[str, dict[str, Any]]:
    return {resource["id"]: resource for resource in result.manifest["resources"]}


def roles(resource: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    return [(entry["path"], entry["role"], entry.get("lang")) for entry in resource["files"]]


# --- Kinds, titles, names ------------------------------------------------------------------


def test_kinds_mime_types_and_titles_from_headings(tmp_path: Path, media: dict[str, Path]) -> None:
    folder = make_pack(tmp_path)
    write(folder, "01-basics/01-atx.md", "Intro line\n\n# The *five* pillars #\n\nText here.\n")
    write(folder, "01-basics/02-setext.markdown",
          "---\ntitle: front matter\n---\nNeutral point of view\n======\n\nBody.\n")
    write(folder, "01-basics/03-fenced.md", "```\n# not a heading\n```\n\n# Real heading\n")
    write(folder, "01-basics/04-page.html",
          "<html><head><title>Tab</title></head><body><h1>Hello <b>world</b></h1>"
          "<p>one two three</p><script>var a = 1;</script></body></html>")
    write(folder, "01-basics/05-only-title.htm",
          "<html><head><title>Only &amp; title</title></head><body>x</body></html>")
    write(folder, "01-basics/06-no_heading-here.md", "Just some words.\n")
    write(folder, "01-basics/07-guide.pdf", b"%PDF-1.4\n%%EOF\n")
    copy(media["image"], folder, "01-basics/08-diagram.png")
    write(folder, "01-basics/09-logo.svg", '<svg xmlns="http://www.w3.org/2000/svg"/>')
    write(folder, "01-basics/notes.docx", b"PK")
    write(folder, "01-basics/.hidden.md", "# hidden\n")
    write(folder, "01-basics/backup.md~", "# backup\n")
    write(folder, ".git/config.md", "# hidden folder\n")

    result = build(folder)

    resources = by_id(result)
    summary = {rid: (r["kind"], r["title"], r["files"][0]["mime"]) for rid, r in resources.items()}
    assert summary == {
        "atx": ("article", {"en": "The five pillars"}, "text/markdown"),
        "setext": ("article", {"en": "Neutral point of view"}, "text/markdown"),
        "fenced": ("article", {"en": "Real heading"}, "text/markdown"),
        "page": ("article", {"en": "Hello world"}, "text/html"),
        "only-title": ("article", {"en": "Only & title"}, "text/html"),
        "no_heading-here": ("article", {"en": "No heading here"}, "text/markdown"),
        "guide": ("pdf", {"en": "Guide"}, "application/pdf"),
        "diagram": ("image", {"en": "Diagram"}, "image/png"),
        "logo": ("image", {"en": "Logo"}, "image/svg+xml"),
    }
    assert result.manifest["sections"] == [{
        "id": "basics", "title": {"en": "Basics"},
        "resources": ["atx", "setext", "fenced", "page", "only-title", "no_heading-here",
                      "guide", "diagram", "logo"],
    }]
    assert result.warnings == [
        "Left out 01-basics/notes.docx: packs do not hold this type of file."
    ]


def test_articles_get_a_reading_time_of_200_words_a_minute(tmp_path: Path) -> None:
    folder = make_pack(tmp_path)
    write(folder, "long.md", "# Long\n\n" + "word " * 399)  # 400 words with the heading
    write(folder, "page.html", "<h1>Page</h1><p>" + "word " * 99 + "</p><style>a b c</style>")

    resources = by_id(build(folder))

    assert resources["long"]["duration"] == 120
    assert resources["page"]["duration"] == 30  # 100 words; style and script are not read


def test_ids_are_slugs_unique_across_the_pack(tmp_path: Path) -> None:
    folder = make_pack(tmp_path)
    write(folder, "01-What is Wikipedia.md", "text")
    write(folder, "02-a/Café crème.md", "text")
    write(folder, "02-a/كتابة.md", "text")
    write(folder, "02-a/كتابة.fr.md", "text")
    write(folder, "02-a/what-is-wikipedia.pdf", b"%PDF")
    write(folder, "03-b/what is wikipedia.md", "text")

    result = build(folder)

    assert [s["resources"] for s in result.manifest["sections"]] == [
        ["what-is-wikipedia"],
        ["cafe-creme", "what-is-wikipedia-2", "article-1", "article-1-fr"],
        ["what-is-wikipedia-3"],
    ]
    assert by_id(result)["article-1"]["title"] == {"en": "كتابة"}


def test_slug_and_name_helpers() -> None:
    assert slugify("Ünïcödé   Names -- and_more!") == "unicode-names-and_more"
    assert slugify("Wikipedia's rules") == "wikipedias-rules"
    assert slugify("日本") == ""
    assert humanize("01-getting-started") == "Getting started"
    assert humanize("10_the_end") == "The end"
    assert humanize("2024") == "2024"
    assert is_language("sw") and is_language("pt-BR") and is_language("ar")
    assert not is_language("final") and not is_language("xx") and not is_language("EN")


# --- Languages and translations ------------------------------------------------------------


def test_language_suffixes_and_translations_linked_both_ways(tmp_path: Path) -> None:
    folder = make_pack(tmp_path, LICENCE + "language: sw\n")
    write(folder, "lesson.md", "# Somo\n")
    write(folder, "lesson.fr.md", "# Leçon\n")
    write(folder, "lesson.en.md", "# Lesson\n")
    write(folder, "kitaba.ar.md", "# كتابة\n")
    write(folder, "notes.final.md", "no heading")
    write(folder, "lesson.pdf", b"%PDF")  # same name, other kind: not a translation

    result = build(folder)

    resources = by_id(result)
    assert {rid: r["lang"] for rid, r in resources.items()} == {
        "kitaba-ar": "ar", "lesson": "sw", "lesson-en": "en", "lesson-fr": "fr",
        "lesson-2": "sw", "notes-final": "sw",
    }
    assert resources["lesson"]["translations"] == {"en": "lesson-en", "fr": "lesson-fr"}
    assert resources["lesson-en"]["translations"] == {"fr": "lesson-fr", "sw": "lesson"}
    assert resources["lesson-fr"]["translations"] == {"en": "lesson-en", "sw": "lesson"}
    assert "translations" not in resources["lesson-2"]
    assert resources["lesson-fr"]["title"] == {"fr": "Leçon"}
    assert resources["lesson-fr"]["files"][0]["lang"] == "fr"
    assert result.manifest["languages"] == ["sw", "ar", "en", "fr"]
    # The default-language version comes first, then its translations.
    assert result.manifest["sections"][0]["resources"] == [
        "kitaba-ar", "lesson", "lesson-en", "lesson-fr", "lesson-2", "notes-final",
    ]


# --- Media, subtitles, transcripts, thumbnails ----------------------------------------------


def test_media_durations_subtitles_transcripts_and_thumbnails(
    tmp_path: Path, media: dict[str, Path]
) -> None:
    folder = make_pack(tmp_path)
    copy(media["video"], folder, "02-space/03-apollo.webm")
    write(folder, "02-space/03-apollo.en.vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nLift off\n")
    write(folder, "02-space/03-apollo.sw.srt", "1\n00:00:00,000 --> 00:00:01,000\nKuruka\n")
    write(folder, "02-space/03-apollo.txt", "Lift off.\n")
    copy(media["image"], folder, "02-space/03-apollo.png")
    copy(media["audio"], folder, "02-space/04-tone.mp3")
    write(folder, "02-space/04-tone.fr.txt", "La.\n")
    write(folder, "02-space/readme.txt", "not a transcript")

    result = build(folder)

    resources = by_id(result)
    video, audio = resources["apollo"], resources["tone"]
    assert video["kind"] == "video" and audio["kind"] == "audio"
    assert video["duration"] == pytest.approx(3.0, abs=0.3)
    assert audio["duration"] == pytest.approx(3.0, abs=0.3)
    assert roles(video) == [
        ("02-space/03-apollo.webm", "main", "en"),
        ("02-space/03-apollo.en.vtt", "subtitles", "en"),
        ("02-space/03-apollo.sw.srt", "subtitles", "sw"),
        ("02-space/03-apollo.txt", "transcript", "en"),
        ("02-space/03-apollo.png", "thumbnail", None),
    ]
    assert [entry["mime"] for entry in video["files"]] == [
        "video/webm", "text/vtt", "application/x-subrip", "text/plain", "image/png",
    ]
    assert roles(audio) == [
        ("02-space/04-tone.mp3", "main", "en"),
        ("02-space/04-tone.fr.txt", "transcript", "fr"),
    ]
    assert audio["files"][0]["mime"] == "audio/mpeg"
    assert result.manifest["languages"] == ["en", "sw"]  # subtitles count, transcripts not
    assert result.manifest["estimated_minutes"] == 1
    assert result.warnings == [
        "Left out 02-space/readme.txt: a .txt file is kept only as the transcript of a video "
        "or audio file with the same name."
    ]


def test_subtitles_go_with_every_language_version_of_the_video(
    tmp_path: Path, media: dict[str, Path]
) -> None:
    folder = make_pack(tmp_path)
    copy(media["video"], folder, "talk.webm")
    copy(media["video"], folder, "talk.fr.webm")
    write(folder, "talk.sw.vtt", "WEBVTT\n")
    copy(media["image"], folder, "talk.fr.png")

    resources = by_id(build(folder))

    assert roles(resources["talk"]) == [("talk.webm", "main", "en"),
                                        ("talk.sw.vtt", "subtitles", "sw")]
    assert roles(resources["talk-fr"]) == [("talk.fr.webm", "main", "fr"),
                                           ("talk.sw.vtt", "subtitles", "sw"),
                                           ("talk.fr.png", "thumbnail", "fr")]
    assert resources["talk"]["translations"] == {"fr": "talk-fr"}


def test_media_duration_reads_real_files_and_gives_none_otherwise(
    tmp_path: Path, media: dict[str, Path]
) -> None:
    assert media_duration(media["video"]) == pytest.approx(3.0, abs=0.3)
    assert media_duration(write(tmp_path, "not-media.mp4", "plain text")) is None
    assert media_duration(tmp_path / "missing.mp3") is None


# --- Sections, assets, cover ----------------------------------------------------------------


def test_sections_from_folders_assets_and_cover(tmp_path: Path, media: dict[str, Path]) -> None:
    folder = make_pack(tmp_path, LICENCE + "title: Editing basics\n")
    write(folder, "welcome.md", "# Welcome\n")
    write(folder, "10-last/a.md", "# A\n")
    write(folder, "2-middle/b.md", "# B\n")
    write(folder, "2-middle/deeper/c.md", "# C\n")
    write(folder, "01-getting-started/z.md", "# Z\n")
    write(folder, "01-getting-started/assets/style.css", "p {}")
    copy(media["image"], folder, "assets/map.png")
    write(folder, "only-assets/assets/x.txt", "x")
    copy(media["image"], folder, "cover.png")

    result = build(folder)

    manifest = result.manifest
    assert [(s["id"], s["title"], s["resources"]) for s in manifest["sections"]] == [
        ("main", {"en": "Editing basics"}, ["welcome"]),
        ("getting-started", {"en": "Getting started"}, ["z"]),
        ("middle", {"en": "Middle"}, ["b", "c"]),
        ("last", {"en": "Last"}, ["a"]),
    ]
    assert manifest["cover"] == "cover.png"
    assert [(f["path"], f["role"], f["mime"]) for f in manifest["files"]] == [
        ("cover.png", "cover", "image/png"),
        ("01-getting-started/assets/style.css", "attachment", "text/css"),
        ("assets/map.png", "attachment", "image/png"),
        ("only-assets/assets/x.txt", "attachment", "text/plain"),
    ]
    assert manifest["id"] == "my-pack"
    assert manifest["version"] == "1.0.0"
    assert manifest["format"] == "ujuzi-pack" and manifest["format_version"] == 1


def test_defaults_without_pack_yaml_title(tmp_path: Path) -> None:
    folder = make_pack(tmp_path, name="03_Wiki Loves Africa")
    write(folder, "a.md", "# A\n")

    manifest = build(folder).manifest

    assert manifest["id"] == "03-wiki-loves-africa"
    assert manifest["title"] == {"en": "Wiki Loves Africa"}
    assert manifest["sections"][0]["title"] == {"en": "Wiki Loves Africa"}


# --- pack.yaml -----------------------------------------------------------------------------


def test_pack_yaml_overrides(tmp_path: Path) -> None:
    folder = make_pack(tmp_path, """\
id: wiki.basics
version: 2.1.0
language: en
title: {en: Wikipedia basics, fr: Les bases de Wikipédia}
description: Learn to edit.
license: CC-BY-4.0
attribution: Written by the Ujuzi team
authors: [Amina, {name: Kofi, url: "https://example.org/kofi"}]
audience: [newcomers]
skills: [editing, citing]
level: beginner
color: "#336699"
estimated_minutes: 45
sections:
  - {folder: 02-second, id: first-one, title: {en: Comes first, fr: En premier}}
  - {folder: ".", title: Starting out}
resources:
  01-first/page.md: {id: custom, title: Better title, description: Why, kind: interactive}
  02-second/clip.md: {duration: 99}
quizzes:
  01-first/check.quiz.yaml:
    title: {en: Check, fr: Vérifier}
    questions:
      - {id: q1, type: numeric, prompt: "2 + 2?", answer: 4, tolerance: 0}
""")
    write(folder, "top.md", "# Top\n")
    write(folder, "01-first/page.md", "# Page\n")
    write(folder, "02-second/clip.md", "# Clip\n")
    write(folder, "03-third/x.md", "# X\n")

    result = build(folder)

    manifest = result.manifest
    assert manifest["id"] == "wiki.basics" and manifest["version"] == "2.1.0"
    assert manifest["title"] == {"en": "Wikipedia basics", "fr": "Les bases de Wikipédia"}
    assert manifest["description"] == {"en": "Learn to edit."}
    assert (manifest["license"], manifest["attribution"]) == ("CC-BY-4.0",
                                                               "Written by the Ujuzi team")
    assert manifest["authors"] == [{"name": "Amina"},
                                   {"name": "Kofi", "url": "https://example.org/kofi"}]
    assert manifest["audience"] == ["newcomers"] and manifest["skills"] == ["editing", "citing"]
    assert (manifest["level"], manifest["color"]) == ("beginner", "#336699")
    assert manifest["estimated_minutes"] == 45
    assert [(s["id"], s["title"], s["resources"]) for s in manifest["sections"]] == [
        ("first-one", {"en": "Comes first", "fr": "En premier"}, ["clip"]),
        ("main", {"en": "Starting out"}, ["top"]),
        ("first", {"en": "First"}, ["check", "custom"]),
        ("third", {"en": "Third"}, ["x"]),
    ]
    resources = by_id(result)
    assert resources["custom"]["kind"] == "interactive"
    assert resources["custom"]["title"] == {"en": "Better title"}
    assert resources["custom"]["description"] == {"en": "Why"}
    assert resources["clip"]["duration"] == 99
    quiz = resources["check"]
    assert quiz["kind"] == "quiz" and quiz["title"] == {"en": "Check", "fr": "Vérifier"}
    assert roles(quiz) == [("01-first/check.quiz.json", "main", "en")]
    with zipfile.ZipFile(folder.parent / "my-pack.ujpack") as archive:
        stored = json.loads(archive.read("01-first/check.quiz.json"))
    assert stored == {"questions": [{"id": "q1", "type": "numeric", "prompt": "2 + 2?",
                                     "answer": 4, "tolerance": 0}]}


def test_licence_and_attribution_can_come_from_arguments(tmp_path: Path) -> None:
    folder = make_pack(tmp_path, "license: CC0-1.0\n")
    write(folder, "a.md", "# A\n")

    manifest = build(folder, license="CC-BY-SA-4.0", attribution="Someone").manifest

    assert (manifest["license"], manifest["attribution"]) == ("CC-BY-SA-4.0", "Someone")


@pytest.mark.parametrize(("config", "message"), [
    ("title: x\n", "The pack needs license and attribution: add them to pack.yaml"),
    ("license: CC0-1.0\n", "The pack needs attribution: add them to pack.yaml"),
    (LICENCE + "titel: typo\ncolour: red\n", "pack.yaml has unknown keys: colour, titel"),
    (LICENCE + "language: xx\n", "pack.yaml language: 'xx' is not a known language code"),
    (LICENCE + "title: {klingon: x}\n", "pack.yaml title: 'klingon' is not a known language"),
    (LICENCE + "title: [a, b]\n", "pack.yaml title must be text, or a map from language"),
    ("license: [unclosed\n", "pack.yaml is not valid YAML (line 2)"),
    ("- a list\n", "pack.yaml must be a map of keys to values."),
    (LICENCE + "id: Not Valid\n", "pack.yaml id 'Not Valid' is not valid"),
    (LICENCE + "sections: [{folder: nowhere}]\n", "pack.yaml sections names nowhere"),
    (LICENCE + "sections: [{folder: a, titel: x}]\n", "pack.yaml sections has unknown keys"),
    (LICENCE + "resources: {missing.md: {id: x}}\n", "pack.yaml resources names missing.md"),
    (LICENCE + "resources: {a.md: {name: x}}\n", "pack.yaml resources/a.md has unknown keys"),
    (LICENCE + "cover: nothing.png\n", "The cover nothing.png does not exist."),
    (LICENCE + "version: 1.0\n", "The pack manifest is invalid at version"),
    (LICENCE + "quizzes: {a.md: {questions: []}}\n", "pack.yaml quizzes: a.md must end in"),
    (LICENCE + "quizzes: {q.quiz.yaml: {questions: []}}\n",
     "pack.yaml quizzes/q.quiz.yaml: The quiz is invalid at questions"),
    (LICENCE + "sections: [{folder: x}, {folder: x}]\n",
     "pack.yaml sections lists the folder x twice."),
])
def test_bad_pack_yaml_is_a_build_error(tmp_path: Path, config: str, message: str) -> None:
    folder = make_pack(tmp_path, config)
    write(folder, "a.md", "# A\n")

    with pytest.raises(BuildError) as caught:
        build(folder)

    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "my-pack.ujpack").exists()


def test_a_misnamed_pack_yml_is_not_silently_ignored(tmp_path: Path) -> None:
    folder = make_pack(tmp_path, config="")
    write(folder, "pack.yml", LICENCE)
    write(folder, "a.md", "# A\n")

    with pytest.raises(BuildError, match=r"reads pack\.yaml, not pack\.yml"):
        build(folder)


# --- Quizzes -------------------------------------------------------------------------------


def test_quiz_files_are_checked_and_stored_as_canonical_json(tmp_path: Path) -> None:
    folder = make_pack(tmp_path)
    write(folder, "02-check/check.sw.quiz.yaml", QUIZ)
    write(folder, "02-check/other.quiz.json", json.dumps(
        {"questions": [{"id": "x", "type": "text", "prompt": "Name?", "answer": "Ujuzi"}]}))

    result = build(folder)

    resources = by_id(result)
    quiz = resources["check-sw"]
    assert (quiz["kind"], quiz["lang"]) == ("quiz", "sw")
    assert quiz["title"] == {"sw": "Check yourself"}
    assert quiz["description"] == {"sw": "Three questions"}
    assert quiz["files"][0]["path"] == "02-check/check.sw.quiz.json"
    assert quiz["files"][0]["mime"] == QUIZ_MIME
    assert resources["other"]["title"] == {"en": "Other"}
    with zipfile.ZipFile(tmp_path / "my-pack.ujpack") as archive:
        raw = archive.read("02-check/check.sw.quiz.json")
    stored = json.loads(raw)
    validate_quiz(stored)
    assert "title" not in stored and "description" not in stored
    assert raw == (json.dumps(stored, ensure_ascii=False, sort_keys=True, indent=2)
                   + "\n").encode("utf-8")


@pytest.mark.parametrize(("content", "message"), [
    ("questions: []\n", "02-check/bad.quiz.yaml: The quiz is invalid at questions"),
    ("questions:\n  - {id: q, type: single, prompt: P, choices: [{id: a, text: A}]}\n",
     "02-check/bad.quiz.yaml: Quiz question q needs choices"),
    ("questions: [\n", "02-check/bad.quiz.yaml cannot be read as a quiz"),
    ("just text\n", "02-check/bad.quiz.yaml: a quiz must be a map with questions."),
])
def test_invalid_quiz_is_a_build_error(tmp_path: Path, content: str, message: str) -> None:
    folder = make_pack(tmp_path)
    write(folder, "02-check/bad.quiz.yaml", content)

    with pytest.raises(BuildError) as caught:
        build(folder)

    assert message in str(caught.value)


def test_quiz_and_its_json_twin_clash(tmp_path: Path) -> None:
    folder = make_pack(tmp_path)
    write(folder, "q.quiz.yaml", QUIZ)
    write(folder, "q.quiz.json", json.dumps(
        {"questions": [{"id": "x", "type": "text", "prompt": "P", "answer": "A"}]}))

    with pytest.raises(BuildError, match=r"q\.quiz\.json would be stored twice"):
        build(folder)


# --- Other errors --------------------------------------------------------------------------


def test_subtitles_without_media_are_a_build_error(tmp_path: Path) -> None:
    folder = make_pack(tmp_path)
    write(folder, "01-a/lesson.md", "# Lesson\n")
    write(folder, "01-a/lesson.en.vtt", "WEBVTT\n")

    with pytest.raises(BuildError, match=r"The subtitles 01-a/lesson\.en\.vtt have no video"):
        build(folder)


def test_a_folder_with_nothing_to_pack_is_a_build_error(tmp_path: Path) -> None:
    folder = make_pack(tmp_path)
    write(folder, "assets/only.png", b"png")

    with pytest.raises(BuildError, match="has no files a pack can hold"):
        build(folder)
    with pytest.raises(BuildError, match="is not a folder"):
        build_pack(tmp_path / "missing", tmp_path / "x.ujpack")


def test_file_names_the_format_cannot_hold_are_named(tmp_path: Path) -> None:
    folder = make_pack(tmp_path)
    write(folder, "What is: this?.md", "# Q\n")

    with pytest.raises(BuildError, match=r"What is: this\?\.md: packs cannot hold file names"):
        build(folder)


def test_articles_must_be_utf8(tmp_path: Path) -> None:
    folder = make_pack(tmp_path)
    write(folder, "latin.md", "# Caf\xe9\n".encode("latin-1"))

    with pytest.raises(BuildError, match=r"latin\.md is not UTF-8 text"):
        build(folder)


# --- The archive ---------------------------------------------------------------------------


def _sample_pack(tmp_path: Path, media: dict[str, Path]) -> Path:
    folder = make_pack(tmp_path, LICENCE + "title: {en: Sample, sw: Mfano}\n")
    write(folder, "intro.md", "# Intro\n\nWelcome.\n")
    write(folder, "intro.sw.md", "# Karibu\n")
    copy(media["video"], folder, "01-watch/01-clip.webm")
    write(folder, "01-watch/01-clip.sw.vtt", "WEBVTT\n")
    copy(media["audio"], folder, "01-watch/02-tone.mp3")
    write(folder, "02-check/quiz.quiz.yaml", QUIZ)
    copy(media["image"], folder, "assets/map.png")
    copy(media["image"], folder, "cover.png")
    return folder


def test_the_archive_matches_its_manifest(tmp_path: Path, media: dict[str, Path]) -> None:
    folder = _sample_pack(tmp_path, media)
    out = tmp_path / "out" / "sample.ujpack"

    result = build_pack(folder, out)

    with zipfile.ZipFile(out) as archive:
        manifest = parse_manifest(archive.read("pack.json"))
        validate_manifest(manifest)
        assert manifest == result.manifest
        entries = {entry["path"]: entry for entry in manifest["files"]}
        for resource in manifest["resources"]:
            entries.update((entry["path"], entry) for entry in resource["files"])
        assert sorted(archive.namelist()) == sorted(["pack.json", *entries])
        for path, entry in entries.items():
            data = archive.read(path)
            assert len(data) == entry["size"], path
            assert hashlib.sha256(data).hexdigest() == entry["sha256"], path
            if not path.endswith(".quiz.json"):
                assert data == (folder / path).read_bytes(), path


def test_building_twice_gives_identical_bytes(tmp_path: Path, media: dict[str, Path]) -> None:
    folder = _sample_pack(tmp_path, media)
    first, second = tmp_path / "first.ujpack", tmp_path / "second.ujpack"

    build_pack(folder, first)
    for path in folder.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))  # file times must not matter
    build_pack(folder, second)

    assert first.read_bytes() == second.read_bytes()


def test_the_output_inside_the_folder_is_not_packed(tmp_path: Path) -> None:
    folder = make_pack(tmp_path)
    write(folder, "a.md", "# A\n")
    out = folder / "a-pack.ujpack"

    build_pack(folder, out)
    result = build_pack(folder, out)  # the first output now sits in the folder

    assert [r["id"] for r in result.manifest["resources"]] == ["a"]
    assert result.warnings == []


def test_progress_is_reported_per_file_and_cancel_writes_nothing(tmp_path: Path) -> None:
    folder = make_pack(tmp_path)
    for name in ("a.md", "b.md", "c.md"):
        write(folder, name, f"# {name}\n")
    seen: list[Progress] = []
    out = tmp_path / "p.ujpack"

    build_pack(folder, out, Reporter(seen.append))

    assert [(p.stage, p.done, p.total, p.detail) for p in seen if p.stage == "build"] == [
        ("build", 1, 3, "a.md"), ("build", 2, 3, "b.md"), ("build", 3, 3, "c.md"),
    ]
    writes = [p for p in seen if p.stage == "write"]
    assert writes and writes[-1].done == writes[-1].total  # then the zip is written
    seen.clear()
    out.unlink()
    with pytest.raises(Cancelled):
        build_pack(folder, out, Reporter(seen.append, cancel=lambda: len(seen) >= 4))
    assert not out.exists()


def test_cancel_while_writing_leaves_no_output(tmp_path: Path) -> None:
    from app.errors import Cancelled
    from app.tasks import Reporter

    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "pack.yaml").write_text("license: CC0-1.0\nattribution: Tests\n")
    (folder / "a.md").write_text("# A\n\ntext\n")
    stages: list[str] = []

    def cancel() -> bool:  # once every file is measured, i.e. at the first write report
        return "build" in stages

    with pytest.raises(Cancelled):
        build_pack(folder, tmp_path / "out.ujpack",
                   Reporter(lambda p: stages.append(p.stage), cancel))
    assert stages == ["build"]
    assert list(tmp_path.glob("*.ujpack")) == [] and list(tmp_path.glob(".*partial")) == []

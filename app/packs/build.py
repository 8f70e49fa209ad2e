"""Building a ``.ujpack`` learning pack from a plain folder of files.

Authors should not have to write a manifest: the folder's layout and file names say almost
everything, and an optional ``pack.yaml`` says the rest. The conventions:

Sections
    Each top-level subfolder is a section, in name order (numbers compared as numbers, so
    ``2-`` comes before ``10-``). A number prefix such as ``01-``, ``01_``, ``01.`` or ``01 ``
    is dropped for ids and titles: ``01-getting-started`` becomes section ``getting-started``
    titled "Getting started". Files directly in the top folder (other than ``pack.yaml`` and
    the cover) form a first section with id ``main``, titled like the pack. Files in deeper
    subfolders belong to the section of their top-level folder. Names starting with ``.``
    and ending with ``~`` are ignored, and so is the output file if it is inside the folder.

Links
    A pack holds only what is inside its folder. A symbolic link to a file inside the folder
    is packed like that file; a link to a file outside it (and a cover or ``pack.yaml`` that
    leads outside through a link) is an error naming the link; links to folders are never
    followed (left out with a warning), wherever they point.

Assets
    Files inside any folder named ``assets`` are not resources: they are listed in the pack's
    ``files`` with role ``attachment``, so articles can refer to them (``assets/map.png``).

Languages
    A language suffix just before the extension gives a file's language: ``lesson.fr.md``,
    ``intro.sw.vtt``, ``check.sw.quiz.yaml``. A suffix is a language when it is a language tag
    of the pack format (``pt-BR``, ``zh-Hant-TW``: :mod:`app.packs.rules`) and babel knows it;
    it is kept as written. Files
    without a suffix are in the pack's default language (``language:`` in pack.yaml, else
    ``en``).

Kinds
    ``.md .markdown .html .htm`` article; ``.mp4 .m4v .webm .ogv .mkv .mov`` video;
    ``.mp3 .ogg .oga .opus .m4a .wav .flac`` audio; ``.pdf`` pdf;
    ``.png .jpg .jpeg .gif .webp .svg`` image; ``.quiz.yaml .quiz.yml .quiz.json`` quiz.
    Quizzes are checked against the quiz schema and stored as canonical JSON at
    ``<same folder>/<name>.quiz.json``. A quiz file may have top-level ``title`` and
    ``description`` keys (text, or a map from language to text); they describe the resource
    and are not part of the stored quiz. Other files are left out with a warning.

Companion files
    ``.vtt`` and ``.srt`` files are subtitles of the video or audio file in the same folder
    with the same name (``03-apollo.mp4`` with ``03-apollo.en.vtt`` and ``03-apollo.sw.srt``);
    subtitles without such a media file are an error. A ``.txt`` file with the same name as a
    media file is its transcript. Subtitles and transcripts go with every language version of
    the media file. A ``.jpg``, ``.jpeg`` or ``.png`` with the same name as a video is its
    thumbnail, not an image resource (with a language suffix, only for the video in that
    language).

Translations and ids
    Files in one folder with the same name and kind but different languages (``lesson.md``
    and ``lesson.fr.md``) are separate resources that list each other under
    ``translations``. A resource id is the slug of its file name without the number prefix
    (``01-What is Wikipedia.md`` is ``what-is-wikipedia``), plus ``-<lang>`` when the file
    has a language suffix (``what-is-wikipedia-fr``), plus ``-2``, ``-3``... on clashes.
    Slugs are lower-case ASCII letters, digits, ``-`` and ``_``; accents are transliterated
    and other characters dropped; a name with nothing left becomes the kind and a counter
    (``article-1``). Resources in a section are ordered by file name.

Titles and durations
    Articles are titled by their first level-1 heading (Markdown ``# Title`` or ``Title`` over
    ``=====``, HTML ``<h1>``, else ``<title>``); quizzes by their ``title`` key; everything
    else, and articles without a heading, by the file name without the number prefix, with
    ``-`` and ``_`` read as spaces and the first letter capitalised. Video and audio durations
    are read from the files' headers (:mod:`app.packs.media`, no libvlc needed); articles get
    a reading time of 200 words per minute.

``pack.yaml`` (optional) overrides anything. Its keys:
    ``id`` (default: slug of the folder name), ``version`` (default ``1.0.0``), ``language``
    (the default language, ``en``), ``title`` (text in the default language or a map from
    language to text; default: the folder name), ``description``, ``license`` and
    ``attribution`` (both required, here or as arguments of :func:`build_pack`), ``authors``
    (names or ``{name, url}``), ``audience``, ``skills``, ``level``, ``estimated_minutes``
    (default: the total duration, rounded up), ``color``, ``created``, ``cover`` (a path;
    default: a top-level ``cover.png``, ``cover.jpg``, ``cover.jpeg``, ``cover.svg`` or
    ``cover.webp``), ``sections`` (a list of ``{folder, id, title}`` setting order, ids and
    titles; ``folder: "."`` is the top-level files' section, which otherwise stays first;
    unlisted folders follow in name order), ``resources`` (a map from a file's path to
    overrides of its ``id``, ``title``, ``description``, ``duration`` or ``kind``) and
    ``quizzes`` (a map from a path such as ``02-check/quiz.quiz.yaml`` to quiz content, built
    as if that file existed). Unknown keys are an error, so typos do not pass silently.

The same folder always gives the same bytes: nothing in the manifest depends on the clock or
the machine, and every list has a fixed order.

The jobs live in :mod:`app.packs.builder`: finding files and their kinds (``files``), titles
and reading times (``titles``), ``pack.yaml`` (``config``); the rules shared with the schema
and the importers (kinds, mime types, languages, versions, ids) in :mod:`app.packs.rules`.
This module puts the manifest together and writes the pack.
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path
from typing import Any

from app.errors import BuildError, ManifestError
from app.i18n import _
from app.packs.archive import manifest_bytes, write_pack
from app.packs.builder.config import (
    apply_config,
    find_cover,
    load_config,
    localized_text,
    merge_config,
    pack_fields,
)
from app.packs.builder.files import check_path, classify, hash_file, make_source, scan
from app.packs.builder.model import (
    CONFIG_NAME,
    MAIN_SECTION,
    MEDIA_KINDS,
    BuildResult,
    Draft,
    Measured,
    Plan,
    SectionSpec,
    Source,
)
from app.packs.builder.titles import article_info, humanize, strip_number
from app.packs.manifest import (
    QUIZ_MIME,
    Manifest,
    unique_files,
    validate_manifest,
)
from app.packs.media import media_duration
from app.packs.rules import MIME, UNKNOWN_MIME, natural_key, slugify, unique
from app.tasks import Reporter

_MANIFEST_ORDER = (
    "format", "format_version", "id", "version", "title", "description", "languages",
    "license", "attribution", "authors", "audience", "skills", "level", "estimated_minutes",
    "color", "cover", "created", "sections", "resources", "files",
)
_COMPANION_ORDER = {"subtitles": 0, "transcript": 1, "thumbnail": 2}


def _write_quiz(draft: Draft, tmp: Path) -> Path:
    """Store the quiz as canonical JSON so the same quiz always has the same bytes."""
    assert draft.quiz is not None
    try:
        text = json.dumps(draft.quiz.content, ensure_ascii=False, sort_keys=True, indent=2,
                          allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise BuildError(
            _("{path} cannot be stored as a quiz: {error}")
            .format(path=draft.source.path, error=exc)
        ) from None
    target = tmp / draft.pack_path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes((text + "\n").encode("utf-8"))
    return target


def _file_entry(
    path: str, measured: Measured, mime: str, role: str, lang: str | None
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "path": path, "sha256": measured.sha256, "size": measured.size, "mime": mime,
        "role": role,
    }
    if lang is not None:
        entry["lang"] = lang
    return entry


def _mime(source: Source) -> str:
    return MIME.get(source.ext, UNKNOWN_MIME)


def _resource(
    draft: Draft, measured: dict[str, Measured], override: dict[str, Any], language: str
) -> dict[str, Any]:
    source = draft.source
    main = measured[draft.pack_path]
    where = f"{CONFIG_NAME} resources/{source.path}"
    resource: dict[str, Any] = {"id": draft.id, "kind": override.get("kind", draft.kind),
                                "lang": draft.lang}
    if "title" in override:
        resource["title"] = localized_text(override["title"], draft.lang, f"{where} title")
    elif draft.quiz is not None and draft.quiz.title:
        resource["title"] = draft.quiz.title
    else:
        resource["title"] = {draft.lang: main.heading or humanize(source.stem) or source.stem}
    if "description" in override:
        resource["description"] = localized_text(override["description"], draft.lang,
                                             f"{where} description")
    elif draft.quiz is not None and draft.quiz.description:
        resource["description"] = draft.quiz.description
    duration = override.get("duration", main.duration)
    if duration is not None:
        resource["duration"] = duration
    if draft.translations:
        resource["translations"] = dict(sorted(draft.translations.items()))
    mime = QUIZ_MIME if draft.quiz is not None else _mime(source)
    files = [_file_entry(draft.pack_path, main, mime, "main", draft.lang)]
    for companion, role in sorted(draft.companions,
                                  key=lambda item: (_COMPANION_ORDER[item[1]], item[0].path)):
        lang = companion.lang or (None if role == "thumbnail" else language)
        files.append(_file_entry(companion.path, measured[companion.path], _mime(companion),
                                 role, lang))
    resource["files"] = files
    return resource


def _sections(
    ordered: list[tuple[str, list[Draft]]], specs: list[SectionSpec], pack_title: dict[str, str],
    language: str,
) -> list[dict[str, Any]]:
    by_folder = {spec.folder: spec for spec in specs}
    reserved = {spec.id for spec in specs if spec.id}
    taken: set[str] = set()
    sections = []
    for folder, drafts in ordered:
        spec = by_folder.get(folder) or SectionSpec(folder, None, None)
        section_id = spec.id or unique(_default_section_id(folder), taken | reserved)
        taken.add(section_id)
        if spec.title is not None:
            where = f"pack.yaml sections/{folder or '.'} title"
            title = localized_text(spec.title, language, where)
        elif folder:
            title = {language: humanize(folder) or folder}
        else:
            title = dict(pack_title)
        sections.append({"id": section_id, "title": title,
                         "resources": [draft.id for draft in drafts]})
    return sections


def _default_section_id(folder: str) -> str:
    if not folder:
        return MAIN_SECTION
    return slugify(strip_number(folder)) or slugify(folder) or "section"


def _languages(language: str, resources: list[dict[str, Any]]) -> list[str]:
    found = {resource["lang"] for resource in resources}
    for resource in resources:
        found.update(entry["lang"] for entry in resource["files"]
                     if entry["role"] == "subtitles" and "lang" in entry)
    found.discard(language)
    return [language, *sorted(found)]


def _estimated_minutes(resources: list[dict[str, Any]]) -> int:
    total = sum(float(resource.get("duration", 0)) for resource in resources)
    return math.ceil(round(total / 60, 6))


def _measure(
    jobs: dict[str, tuple[Path, Source | None]],
    kinds: dict[str, str],
    reporter: Reporter,
    warnings: list[str],
) -> dict[str, Measured]:
    """Hash every file once, and read durations and headings of the main files."""
    measured: dict[str, Measured] = {}
    total = len(jobs)
    for done, (path, (disk, source)) in enumerate(jobs.items(), start=1):
        sha256, size = hash_file(disk, path)
        info = Measured(sha256, size)
        kind = kinds.get(path)
        if kind in MEDIA_KINDS:
            info.duration = media_duration(disk)
            if info.duration is None:
                warnings.append(_("Could not read how long {path} lasts; set its duration in "
                                  "{config}.").format(path=path, config=CONFIG_NAME))
        elif kind == "article" and source is not None:
            info.heading, info.duration = article_info(disk, source)
        measured[path] = info
        reporter.report("build", done, total, path)
    return measured


def _pack_files(plan: Plan) -> list[Source]:
    return ([plan.cover] if plan.cover else []) + sorted(plan.attachments,
                                                         key=lambda s: natural_key(s.path))


def _jobs(plan: Plan, tmp: Path) -> dict[str, tuple[Path, Source | None]]:
    """Every file of the pack in manifest order, with where its bytes are."""
    jobs: dict[str, tuple[Path, Source | None]] = {}
    pack_files = _pack_files(plan)
    for source in pack_files:
        assert source.disk is not None
        jobs[source.path] = (source.disk, source)
    for draft in plan.drafts:
        disk = _write_quiz(draft, tmp) if draft.quiz is not None else draft.source.disk
        assert disk is not None
        if draft.pack_path in jobs:
            raise BuildError(
                _("{path} would be stored twice in the pack; rename one of the files.")
                .format(path=draft.pack_path)
            )
        jobs[draft.pack_path] = (disk, draft.source)
        for companion, _role in draft.companions:
            assert companion.disk is not None
            jobs.setdefault(companion.path, (companion.disk, companion))
    for path in jobs:
        check_path(path)
    return jobs


def _kinds_to_measure(plan: Plan) -> dict[str, str]:
    """Main files whose duration or heading is needed; durations set in pack.yaml are not
    read (and so cause no warnings)."""
    return {
        draft.pack_path: draft.kind for draft in plan.drafts
        if not (draft.kind in MEDIA_KINDS
                and "duration" in plan.overrides.get(draft.source.path, {}))
    }


def _manifest(
    fields: dict[str, Any], plan: Plan, measured: dict[str, Measured], config: dict[str, Any]
) -> Manifest:
    language = fields["languages"][0]
    resources = [
        _resource(draft, measured, plan.overrides.get(draft.source.path, {}), language)
        for draft in plan.drafts
    ]
    manifest = dict(fields)
    manifest["languages"] = _languages(language, resources)
    manifest["estimated_minutes"] = config.get("estimated_minutes",
                                               _estimated_minutes(resources))
    manifest["sections"] = _sections(plan.sections, plan.specs, fields["title"], language)
    manifest["resources"] = resources
    if plan.cover is not None:
        manifest["cover"] = plan.cover.path
    files = [
        _file_entry(source.path, measured[source.path], _mime(source),
                    "cover" if source is plan.cover else "attachment", source.lang)
        for source in _pack_files(plan)
    ]
    if files:
        manifest["files"] = files
    return {key: manifest[key] for key in _MANIFEST_ORDER if key in manifest}


def build_pack(
    folder: Path,
    out: Path,
    reporter: Reporter | None = None,
    *,
    license: str | None = None,
    attribution: str | None = None,
    overrides: dict[str, Any] | None = None,
) -> BuildResult:
    """Build ``out`` (a ``.ujpack``) from ``folder`` following the conventions above.

    ``license`` and ``attribution`` override pack.yaml's; ``overrides`` is what a pack.yaml
    would say, laid over the folder's own (the window's corrections: the pack's title, a
    resource's title under ``resources``), without writing anything into the folder. Raises
    :class:`BuildError` for anything the author must fix; nothing is written then.
    """
    folder, out = Path(folder), Path(out)
    if not folder.is_dir():
        raise BuildError(_("{path} is not a folder.").format(path=folder))
    reporter = reporter or Reporter()
    warnings: list[str] = []
    config = merge_config(load_config(folder), overrides)
    fields = pack_fields(folder, config, license, attribution)
    language = fields["languages"][0]
    cover_path = find_cover(folder, config)
    skip = {out.resolve(), (folder / CONFIG_NAME).resolve()}
    if cover_path is not None:
        skip.add((folder / cover_path).resolve())
    plan = classify(scan(folder, skip, warnings), language, warnings)
    plan.cover = make_source(cover_path, folder / cover_path) if cover_path else None
    apply_config(plan, config, language, folder)
    if not plan.drafts:
        raise BuildError(
            _("{path} has no files a pack can hold (articles, videos, audio, PDFs, images or "
              "quizzes).").format(path=folder)
        )
    with tempfile.TemporaryDirectory(prefix="ujuzi-build-") as tmp:
        jobs = _jobs(plan, Path(tmp))
        measured = _measure(jobs, _kinds_to_measure(plan), reporter, warnings)
        manifest = _manifest(fields, plan, measured, config)
        try:
            validate_manifest(manifest)
        except ManifestError as exc:
            raise BuildError(str(exc)) from None
        _write(
            out, manifest, {path: disk for path, (disk, _source) in jobs.items()}, reporter
        )
    return BuildResult(manifest, warnings)


def _write(
    out: Path, manifest: Manifest, sources: dict[str, Path], reporter: Reporter
) -> None:
    total = sum(entry["size"] for entry in unique_files(manifest))
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        reporter.report("write", done, total, out.name)

    try:
        write_pack(out, manifest_bytes(manifest), manifest, sources, on_bytes=advance)
    except OSError as exc:
        raise BuildError(
            _("Cannot write {path}: {error}").format(path=out, error=exc.strerror or exc)
        ) from None

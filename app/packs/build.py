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
    ``intro.sw.vtt``, ``check.sw.quiz.yaml``. A suffix is a language when it looks like one
    (``^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$``) and babel knows it; it is kept as written. Files
    without a suffix are in the pack's default language (``language:`` in pack.yaml, else
    ``en``).

Kinds
    ``.md .markdown .html .htm`` article; ``.mp4 .webm .ogv .mkv .mov`` video;
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
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any

import babel
import yaml

from app.errors import BuildError, ManifestError
from app.i18n import _
from app.packs.archive import manifest_bytes, write_pack
from app.packs.manifest import (
    QUIZ_MIME,
    Manifest,
    unique_files,
    validate_manifest,
    validate_quiz,
)
from app.packs.media import media_duration
from app.tasks import Reporter

CONFIG_NAME = "pack.yaml"
MAIN_SECTION = "main"
ASSETS_FOLDER = "assets"
DEFAULT_LANGUAGE = "en"
DEFAULT_VERSION = "1.0.0"
WORDS_PER_MINUTE = 200
COVER_NAMES = ("cover.png", "cover.jpg", "cover.jpeg", "cover.svg", "cover.webp")

_KINDS = {
    **dict.fromkeys((".md", ".markdown", ".html", ".htm"), "article"),
    **dict.fromkeys((".mp4", ".webm", ".ogv", ".mkv", ".mov"), "video"),
    **dict.fromkeys((".mp3", ".ogg", ".oga", ".opus", ".m4a", ".wav", ".flac"), "audio"),
    ".pdf": "pdf",
    **dict.fromkeys((".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"), "image"),
    **dict.fromkeys((".quiz.yaml", ".quiz.yml", ".quiz.json"), "quiz"),
}
_QUIZ_EXTS = (".quiz.yaml", ".quiz.yml", ".quiz.json")
_HTML_EXTS = frozenset({".html", ".htm"})
_SUBTITLE_EXTS = frozenset({".vtt", ".srt"})
_TRANSCRIPT_EXT = ".txt"
_THUMBNAIL_EXTS = frozenset({".jpg", ".jpeg", ".png"})
_MEDIA_KINDS = frozenset({"video", "audio"})

# A fixed table: the system's mimetypes database differs between machines, and the manifest
# must not.
_MIME = {
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".ogv": "video/ogg",
    ".mkv": "video/x-matroska",
    ".mov": "video/quicktime",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".opus": "audio/opus",
    ".m4a": "audio/mp4",
    ".wav": "audio/wav",
    ".flac": "audio/flac",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".vtt": "text/vtt",
    ".srt": "application/x-subrip",
    ".txt": "text/plain",
    ".css": "text/css",
    ".json": "application/json",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}
_UNKNOWN_MIME = "application/octet-stream"

_PACK_KEYS = frozenset({
    "id", "version", "language", "title", "description", "license", "attribution", "authors",
    "audience", "skills", "level", "estimated_minutes", "color", "created", "cover",
    "sections", "resources", "quizzes",
})
# Keys copied from pack.yaml as they are; the schema checks them.
_PASSTHROUGH_KEYS = ("audience", "skills", "level", "color", "created")
_SECTION_KEYS = frozenset({"folder", "id", "title"})
_RESOURCE_KEYS = frozenset({"id", "title", "description", "duration", "kind"})
_MANIFEST_ORDER = (
    "format", "format_version", "id", "version", "title", "description", "languages",
    "license", "attribution", "authors", "audience", "skills", "level", "estimated_minutes",
    "color", "cover", "created", "sections", "resources", "files",
)
_COMPANION_ORDER = {"subtitles": 0, "transcript": 1, "thumbnail": 2}

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
_SLUG = re.compile(r"^[a-z0-9]([a-z0-9_-]{0,126}[a-z0-9])?$")
_PACK_ID = re.compile(r"^[a-z0-9]([a-z0-9.-]{0,98}[a-z0-9])?$")
_NUMBER_PREFIX = re.compile(r"^[0-9]+[-_. ]+(?=\S)")
_BAD_PATH_CHARS = re.compile(r'[\x00-\x1f:*?"<>|\\]')
_SLUG_BASE_LENGTH = 100  # leaves room for "-<lang>" and "-<n>" within the 128 allowed


@dataclass(frozen=True)
class BuildResult:
    """What a build produced: the manifest written, and what the author should look at."""

    manifest: Manifest
    warnings: list[str]


@dataclass(frozen=True)
class _Source:
    """One file of the folder (or one quiz given inline in pack.yaml)."""

    path: str  # posix path relative to the folder, as stored in the pack
    disk: Path | None  # None for an inline quiz
    stem: str  # the name without language suffix and extension
    lang: str | None  # the language suffix, if any
    ext: str  # lower case; ".quiz.yaml" counts as one extension
    inline: Any = None

    @property
    def folder(self) -> str:
        parent = PurePosixPath(self.path).parent.as_posix()
        return "" if parent == "." else parent

    @property
    def section(self) -> str:
        """The top-level folder, or "" for files directly in the top folder."""
        parts = PurePosixPath(self.path).parts
        return parts[0] if len(parts) > 1 else ""


@dataclass
class _Quiz:
    content: dict[str, Any]
    title: Any = None
    description: Any = None


@dataclass
class _Draft:
    """A resource being built; ids, titles and translations are filled in step by step."""

    source: _Source
    kind: str
    lang: str
    quiz: _Quiz | None = None
    companions: list[tuple[_Source, str]] = field(default_factory=list)
    id: str = ""
    translations: dict[str, str] = field(default_factory=dict)

    @property
    def pack_path(self) -> str:
        """Where the main file goes in the pack: quizzes are converted to JSON."""
        if self.quiz is None:
            return self.source.path
        return self.source.path[: -len(self.source.ext)] + ".quiz.json"


@dataclass
class _Measured:
    sha256: str
    size: int
    duration: float | None = None
    heading: str | None = None


@dataclass
class _SectionSpec:
    folder: str  # "" for the top-level files
    id: str | None
    title: Any


# --- Small helpers -------------------------------------------------------------------------


@cache
def is_language(code: str) -> bool:
    """Whether ``code`` is a language tag babel knows, the test for file name suffixes."""
    if not _LANGUAGE.match(code):
        return False
    try:
        babel.Locale.parse(code.replace("-", "_"))
    except (ValueError, babel.UnknownLocaleError):
        return False
    return True


def natural_key(path: str) -> tuple[tuple[str | int, ...], ...]:
    """Sort key comparing each path component with its numbers as numbers (2 before 10)."""
    return tuple(
        tuple(int(part) if index % 2 else part.casefold()
              for index, part in enumerate(re.split(r"([0-9]+)", component)))
        for component in path.split("/")
    )


def _file_order(source: _Source) -> tuple[Any, ...]:
    """Files by folder and name, each default-language version followed by its translations."""
    return (natural_key(source.folder), natural_key(source.stem), source.ext,
            source.lang or "")


def strip_number(name: str) -> str:
    return _NUMBER_PREFIX.sub("", name)


def humanize(name: str) -> str:
    """A title from a file or folder name: ``01-getting_started`` -> "Getting started"."""
    text = " ".join(strip_number(name).replace("-", " ").replace("_", " ").split())
    return text[:1].upper() + text[1:]


def slugify(text: str, limit: int = _SLUG_BASE_LENGTH) -> str:
    """Lower-case ASCII slug; accents transliterated, other characters dropped."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    ascii_text = re.sub(r"['`]", "", ascii_text.lower())
    slug = re.sub(r"[^a-z0-9_]+", "-", ascii_text)
    slug = re.sub(r"[-_]*-[-_]*", "-", slug)
    return slug[:limit].strip("-_")


def _unique(base: str, taken: set[str]) -> str:
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    taken.add(candidate)
    return candidate


def _parse_name(name: str) -> tuple[str, str | None, str]:
    """Split a file name into stem, language suffix and extension."""
    lower = name.lower()
    ext = next((e for e in _QUIZ_EXTS if lower.endswith(e)), PurePosixPath(lower).suffix)
    base = name[: len(name) - len(ext)]
    head, dot, tail = base.rpartition(".")
    if dot and head and is_language(tail):
        return head, tail, ext
    return base, None, ext


def _make_source(path: str, disk: Path | None, inline: Any = None) -> _Source:
    stem, lang, ext = _parse_name(PurePosixPath(path).name)
    return _Source(path, disk, stem, lang, ext, inline)


def _check_path(path: str) -> None:
    """Refuse names the pack format cannot hold, naming the file rather than the schema."""
    if len(path) > 500 or _BAD_PATH_CHARS.search(path):
        raise BuildError(
            _('{path}: packs cannot hold file names with control characters or any of '
              ': * ? " < > | \\ (or paths over 500 characters); rename it.').format(path=path)
        )


def _read_text(disk: Path, path: str) -> str:
    try:
        return disk.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise BuildError(
            _("{path} is not UTF-8 text; save it as UTF-8.").format(path=path)
        ) from None
    except OSError as exc:
        raise BuildError(
            _("Cannot read {path}: {error}").format(path=path, error=exc.strerror)
        ) from None


def _hash_file(disk: Path, path: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    try:
        with open(disk, "rb") as stream:
            while block := stream.read(1024 * 1024):
                digest.update(block)
                size += len(block)
    except OSError as exc:
        raise BuildError(
            _("Cannot read {path}: {error}").format(path=path, error=exc.strerror)
        ) from None
    return digest.hexdigest(), size


# --- pack.yaml -----------------------------------------------------------------------------


def _load_config(folder: Path) -> dict[str, Any]:
    """Read pack.yaml; a file that exists but cannot be used is an error, not a default."""
    path = folder / CONFIG_NAME
    if (folder / "pack.yml").exists() and not path.exists():
        raise BuildError(_("The builder reads pack.yaml, not pack.yml: rename the file."))
    if not path.exists():
        return {}
    _check_inside(folder, path, CONFIG_NAME)
    try:
        data = yaml.safe_load(_read_text(path, CONFIG_NAME))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise BuildError(
            _("{name} is not valid YAML{where}: {problem}")
            .format(name=CONFIG_NAME, where=where, problem=problem)
        ) from None
    if data is None:
        return {}
    return _mapping(data, CONFIG_NAME, _PACK_KEYS)


def _require_language(code: Any, where: str) -> str:
    if not isinstance(code, str) or not is_language(code):
        raise BuildError(
            _("{where}: {code!r} is not a known language code (such as en, sw or pt-BR).")
            .format(where=where, code=code)
        )
    return code


def _localized(value: Any, lang: str, where: str) -> dict[str, str]:
    """Text in ``lang``, or a map from language to text, as a manifest text map."""
    if isinstance(value, str) and value.strip():
        return {lang: value.strip()}
    if isinstance(value, dict) and value and all(
        isinstance(text, str) and text.strip() for text in value.values()
    ):
        return {
            _require_language(code, where): text.strip()
            for code, text in sorted(value.items(), key=lambda item: str(item[0]))
        }
    raise BuildError(
        _("{where} must be text, or a map from language code to text.").format(where=where)
    )


def _mapping(value: Any, where: str, allowed: frozenset[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BuildError(_("{where} must be a map of keys to values.").format(where=where))
    unknown = sorted(str(key) for key in value if key not in allowed)
    if unknown:
        raise BuildError(
            _("{where} has unknown keys: {keys} (known keys: {known}).").format(
                where=where, keys=", ".join(unknown), known=", ".join(sorted(allowed))
            )
        )
    return value


def _relative_path(value: Any, where: str) -> str:
    """A path in pack.yaml: relative, posix, inside the folder."""
    text = value if isinstance(value, str) else ""
    parts = PurePosixPath(text).parts
    if not parts or text.startswith("/") or "\\" in text or ".." in parts:
        raise BuildError(
            _("{where}: {value!r} is not a path relative to the pack folder.")
            .format(where=where, value=value)
        )
    return unicodedata.normalize("NFC", PurePosixPath(text).as_posix())


def _pack_fields(
    folder: Path, config: dict[str, Any], license: str | None, attribution: str | None
) -> dict[str, Any]:
    """The manifest's top-level fields that come from pack.yaml (or defaults)."""
    name = folder.resolve().name
    language = _require_language(config.get("language", DEFAULT_LANGUAGE), "pack.yaml language")
    fields: dict[str, Any] = {
        "format": "ujuzi-pack",
        "format_version": 1,
        "id": _pack_id(config.get("id"), name),
        "version": config.get("version", DEFAULT_VERSION),
        "title": _localized(config.get("title", humanize(name) or name), language,
                            "pack.yaml title"),
        "languages": [language],  # the default; the rest follow from the resources
    }
    if "description" in config:
        fields["description"] = _localized(
            config["description"], language, "pack.yaml description"
        )
    fields.update(_licence_fields(config, license, attribution))
    if "authors" in config:
        fields["authors"] = _authors(config["authors"])
    for key in _PASSTHROUGH_KEYS:
        if key in config:
            fields[key] = config[key]
    return fields


def _pack_id(value: Any, folder_name: str) -> str:
    if value is None:
        candidate = slugify(folder_name).replace("_", "-").strip("-")
        if _PACK_ID.match(candidate):
            return candidate
        raise BuildError(
            _("Cannot make a pack id from the folder name {name!r}; set id in {config}.")
            .format(name=folder_name, config=CONFIG_NAME)
        )
    if not isinstance(value, str) or not _PACK_ID.match(value):
        raise BuildError(
            _("pack.yaml id {value!r} is not valid: use lower-case letters, digits, dots and "
              "dashes.").format(value=value)
        )
    return value


def _licence_fields(
    config: dict[str, Any], license: str | None, attribution: str | None
) -> dict[str, str]:
    """Licence and attribution are required: a pack must say how it may be shared."""
    values = {
        "license": license if license is not None else config.get("license"),
        "attribution": attribution if attribution is not None else config.get("attribution"),
    }
    missing = [key for key, value in values.items() if not isinstance(value, str)
               or not value.strip()]
    if missing:
        raise BuildError(
            _("The pack needs {keys}: add them to {config} (for example license: CC-BY-SA-4.0 "
              "and attribution: the authors and sources of the content).")
            .format(keys=" and ".join(missing), config=CONFIG_NAME)
        )
    return {key: str(value).strip() for key, value in values.items()}


def _authors(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise BuildError(_("pack.yaml authors must be a list."))
    authors = []
    for author in value:
        if isinstance(author, str):
            authors.append({"name": author})
        else:
            authors.append(dict(_mapping(author, "pack.yaml authors", frozenset({"name", "url"}))))
    return authors


def _section_specs(config: dict[str, Any]) -> list[_SectionSpec]:
    value = config.get("sections", [])
    if not isinstance(value, list):
        raise BuildError(_("pack.yaml sections must be a list."))
    specs = [_section_spec(item) for item in value]
    folders = [spec.folder or "." for spec in specs]
    ids = [spec.id for spec in specs if spec.id is not None]
    for name, seen in (("folder", folders), ("id", ids)):
        twice = sorted({item for item in seen if seen.count(item) > 1})
        if twice:
            raise BuildError(
                _("pack.yaml sections lists the {what} {value} twice.")
                .format(what=name, value=twice[0])
            )
    return specs


def _section_spec(item: Any) -> _SectionSpec:
    entry = _mapping(item, "pack.yaml sections", _SECTION_KEYS)
    if "folder" not in entry:
        raise BuildError(_("Each entry of pack.yaml sections needs a folder."))
    folder = "" if entry["folder"] == "." else _relative_path(entry["folder"],
                                                              "pack.yaml sections")
    if "/" in folder:
        raise BuildError(
            _("pack.yaml sections: {folder} is not a top-level folder.").format(folder=folder)
        )
    section_id = entry.get("id")
    if section_id is not None and (not isinstance(section_id, str)
                                   or not _SLUG.match(section_id)):
        raise BuildError(
            _("pack.yaml sections: id {value!r} must be lower-case letters, digits, - and _.")
            .format(value=section_id)
        )
    return _SectionSpec(folder, section_id, entry.get("title"))


def _resource_overrides(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    value = config.get("resources", {}) or {}
    if not isinstance(value, dict):
        raise BuildError(_("pack.yaml resources must be a map from file path to settings."))
    overrides = {}
    for path, settings in value.items():
        where = f"pack.yaml resources/{path}"
        overrides[_relative_path(path, where)] = _mapping(settings, where, _RESOURCE_KEYS)
    return overrides


def _inline_quizzes(config: dict[str, Any]) -> list[_Source]:
    value = config.get("quizzes", {}) or {}
    if not isinstance(value, dict):
        raise BuildError(_("pack.yaml quizzes must be a map from a quiz path to its content."))
    sources = []
    for key, content in value.items():
        path = _relative_path(key, "pack.yaml quizzes")
        if not path.lower().endswith(_QUIZ_EXTS):
            raise BuildError(
                _("pack.yaml quizzes: {path} must end in .quiz.yaml.").format(path=path)
            )
        sources.append(_make_source(path, None, content))
    return sources


def _cover_path(folder: Path, config: dict[str, Any]) -> str | None:
    if "cover" in config:
        path = _relative_path(config["cover"], "pack.yaml cover")
        if not (folder / path).is_file():
            raise BuildError(_("The cover {path} does not exist.").format(path=path))
    else:
        found = next((name for name in COVER_NAMES if (folder / name).is_file()), None)
        if found is None:
            return None
        path = found
    _check_inside(folder, folder / path, path)
    return path


def _check_inside(folder: Path, disk: Path, path: str) -> None:
    """Refuse a file whose real place is outside ``folder`` (a link, or a path through a
    linked folder), naming it: a pack holds only what its folder holds."""
    try:
        real = disk.resolve(strict=True)
        root = folder.resolve(strict=True)
    except (OSError, RuntimeError):  # RuntimeError: a link loop
        raise BuildError(
            _("Cannot read {path}: it is a broken link or a loop of links.").format(path=path)
        ) from None
    if not real.is_relative_to(root):
        raise BuildError(
            _("{path} is a link to {target}, outside the pack folder; a pack holds only the "
              "folder's own files: copy the file in instead of linking it.")
            .format(path=path, target=real)
        )


# --- Finding and sorting files -------------------------------------------------------------


def _scan(folder: Path, skip: set[Path], warnings: list[str]) -> list[_Source]:
    """Every visible file under ``folder``, as pack paths."""
    found: dict[str, _Source] = {}

    def visit(directory: Path, prefix: str) -> None:
        try:
            entries = sorted(directory.iterdir(), key=lambda entry: natural_key(entry.name))
        except OSError as exc:
            raise BuildError(
                _("Cannot read the folder {path}: {error}")
                .format(path=directory, error=exc.strerror)
            ) from None
        for entry in entries:
            name = unicodedata.normalize("NFC", entry.name)
            if name.startswith(".") or name.endswith("~"):
                continue
            path = prefix + name
            if entry.is_dir():
                if entry.is_symlink():
                    warnings.append(_("Left out {path}: links to folders are not followed.")
                                    .format(path=path))
                else:
                    visit(entry, path + "/")
            elif entry.is_file() and entry.resolve() not in skip:
                if entry.is_symlink():
                    _check_inside(folder, entry, path)
                if path in found:
                    raise BuildError(_("Two files are named {path}.").format(path=path))
                found[path] = _make_source(path, entry)

    visit(folder, "")
    return list(found.values())


def _in_assets(source: _Source) -> bool:
    return ASSETS_FOLDER in PurePosixPath(source.path).parts[:-1]


@dataclass
class _Plan:
    """The folder sorted into resources and pack-level files, then arranged by pack.yaml."""

    drafts: list[_Draft]
    attachments: list[_Source]
    cover: _Source | None = None
    specs: list[_SectionSpec] = field(default_factory=list)
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    sections: list[tuple[str, list[_Draft]]] = field(default_factory=list)


def _classify(sources: list[_Source], language: str, warnings: list[str]) -> _Plan:
    attachments = [source for source in sources if _in_assets(source)]
    rest = [source for source in sources if not _in_assets(source)]
    companions: list[_Source] = []
    drafts: list[_Draft] = []
    for source in rest:
        kind = _KINDS.get(source.ext)
        if source.ext in _SUBTITLE_EXTS or source.ext == _TRANSCRIPT_EXT:
            companions.append(source)
        elif kind is None:
            warnings.append(
                _("Left out {path}: packs do not hold this type of file.").format(path=source.path)
            )
        else:
            drafts.append(_Draft(source, kind, source.lang or language))
    drafts = _take_thumbnails(drafts)
    _attach_companions(drafts, companions, warnings)
    return _Plan(drafts, attachments)


def _media_by_name(
    drafts: list[_Draft], kinds: Iterable[str]
) -> dict[tuple[str, str], list[_Draft]]:
    by_name: dict[tuple[str, str], list[_Draft]] = {}
    wanted = frozenset(kinds)
    for draft in drafts:
        if draft.kind in wanted:
            key = (draft.source.folder, draft.source.stem)
            by_name.setdefault(key, []).append(draft)
    return by_name


def _take_thumbnails(drafts: list[_Draft]) -> list[_Draft]:
    """Turn images named like a video into that video's thumbnail."""
    videos = _media_by_name(drafts, {"video"})
    remaining = []
    for draft in drafts:
        source = draft.source
        matches = videos.get((source.folder, source.stem), [])
        if source.lang is not None:
            matches = [video for video in matches if video.lang == source.lang]
        if draft.kind == "image" and source.ext in _THUMBNAIL_EXTS and matches:
            for video in matches:
                video.companions.append((source, "thumbnail"))
        else:
            remaining.append(draft)
    return remaining


def _attach_companions(
    drafts: list[_Draft], companions: list[_Source], warnings: list[str]
) -> None:
    """Give subtitles and transcripts to every language version of their media file."""
    media = _media_by_name(drafts, _MEDIA_KINDS)
    for source in companions:
        matches = media.get((source.folder, source.stem), [])
        if source.ext in _SUBTITLE_EXTS and not matches:
            raise BuildError(
                _("The subtitles {path} have no video or audio file with the same name.")
                .format(path=source.path)
            )
        if not matches:
            warnings.append(
                _("Left out {path}: a .txt file is kept only as the transcript of a video or "
                  "audio file with the same name.").format(path=source.path)
            )
        role = "subtitles" if source.ext in _SUBTITLE_EXTS else "transcript"
        for draft in matches:
            draft.companions.append((source, role))


def _load_quiz(source: _Source, lang: str) -> _Quiz:
    """Read and check a quiz; its title and description belong to the resource."""
    where = source.path if source.disk is not None else f"{CONFIG_NAME} quizzes/{source.path}"
    data = source.inline
    if source.disk is not None:
        text = _read_text(source.disk, source.path)
        try:
            data = json.loads(text) if source.ext == ".quiz.json" else yaml.safe_load(text)
        except (ValueError, yaml.YAMLError) as exc:
            problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise BuildError(
                _("{path} cannot be read as a quiz: {problem}").format(path=where, problem=problem)
            ) from None
    if not isinstance(data, dict):
        raise BuildError(_("{path}: a quiz must be a map with questions.").format(path=where))
    content = dict(data)
    quiz = _Quiz(content, content.pop("title", None), content.pop("description", None))
    try:
        validate_quiz(content)
    except ManifestError as exc:
        raise BuildError(f"{where}: {exc}") from None
    if quiz.title is not None:
        quiz.title = _localized(quiz.title, lang, f"{where} title")
    if quiz.description is not None:
        quiz.description = _localized(quiz.description, lang, f"{where} description")
    return quiz


def _write_quiz(draft: _Draft, tmp: Path) -> Path:
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


# --- Reading titles and lengths --------------------------------------------------------------


_ATX_HEADING = re.compile(r"^ {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT_RULE = re.compile(r"^ {0,3}=+[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def _clean_heading(text: str) -> str:
    text = _MARKDOWN_LINK.sub(r"\1", text)
    text = re.sub(r"[*`]|(?<!\w)_|_(?!\w)", "", text)
    return " ".join(text.split())


def _markdown_heading(text: str) -> str | None:
    """The first level-1 heading, skipping front matter and fenced code."""
    lines = text.splitlines()
    start = 0
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), 0)
        start = end + 1
    in_fence = False
    previous = ""
    for line in lines[start:]:
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence:
            match = _ATX_HEADING.match(line)
            if match and _clean_heading(match.group(1)):
                return _clean_heading(match.group(1))
            if _SETEXT_RULE.match(line) and previous.strip() and _clean_heading(previous):
                return _clean_heading(previous)
        previous = "" if in_fence else line
    return None


class _HtmlReader(HTMLParser):
    """Collects the first ``<h1>``, the ``<title>`` and the number of words shown."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, str] = {}
        self.words = 0
        self._capturing: str | None = None
        self._buffer: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        elif tag in ("h1", "title") and self._capturing is None and tag not in self.found:
            self._capturing, self._buffer = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden = max(0, self._hidden - 1)
        elif tag == self._capturing:
            text = " ".join("".join(self._buffer).split())
            if text:
                self.found[tag] = text
            self._capturing = None

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if self._capturing is not None:
            self._buffer.append(data)
        if self._capturing != "title":
            self.words += _count_words(data)


def _count_words(text: str) -> int:
    return sum(1 for token in text.split() if re.search(r"\w", token))


def _reading_seconds(words: int) -> int:
    return round(words * 60 / WORDS_PER_MINUTE)


def _article_info(disk: Path, source: _Source) -> tuple[str | None, int]:
    """An article's title (if it has a heading) and its reading time in seconds."""
    text = _read_text(disk, source.path)
    if source.ext in _HTML_EXTS:
        reader = _HtmlReader()
        reader.feed(text)
        reader.close()
        heading = reader.found.get("h1") or reader.found.get("title")
        return heading, _reading_seconds(reader.words)
    return _markdown_heading(text), _reading_seconds(_count_words(text))


# --- Putting the manifest together ---------------------------------------------------------


def _order_drafts(
    drafts: list[_Draft], specs: list[_SectionSpec]
) -> list[tuple[str, list[_Draft]]]:
    """Group resources by section folder: listed sections first, then by name."""
    groups: dict[str, list[_Draft]] = {}
    for draft in sorted(drafts, key=lambda d: _file_order(d.source)):
        groups.setdefault(draft.source.section, []).append(draft)
    listed = [spec.folder for spec in specs]
    unlisted = sorted((folder for folder in groups if folder not in listed),
                      key=lambda folder: (folder != "", natural_key(folder)))
    if "" in unlisted:
        listed.insert(0, "")
        unlisted.remove("")
    return [(folder, groups[folder]) for folder in (*listed, *unlisted) if folder in groups]


def _assign_ids(drafts: list[_Draft], overrides: dict[str, dict[str, Any]]) -> None:
    """Ids from names, unique across the pack; ids set in pack.yaml are kept as given."""
    taken: set[str] = set()
    for draft in drafts:
        explicit = overrides.get(draft.source.path, {}).get("id")
        if explicit is None:
            continue
        if not isinstance(explicit, str) or not _SLUG.match(explicit):
            raise BuildError(
                _("pack.yaml resources/{path}: id {value!r} must be lower-case letters, digits, "
                  "- and _.").format(path=draft.source.path, value=explicit)
            )
        if explicit in taken:
            raise BuildError(_("pack.yaml gives id {id} to two resources.").format(id=explicit))
        taken.add(explicit)
        draft.id = explicit
    fallbacks: dict[tuple[str, str], str] = {}
    counters: dict[str, int] = {}
    for draft in drafts:
        if draft.id:
            continue
        source = draft.source
        base = slugify(strip_number(source.stem)) or slugify(source.stem)
        if not base:
            key = (source.folder, source.stem)
            if key not in fallbacks:
                counters[draft.kind] = counters.get(draft.kind, 0) + 1
                fallbacks[key] = f"{draft.kind}-{counters[draft.kind]}"
            base = fallbacks[key]
        if source.lang is not None:
            base = f"{base}-{slugify(source.lang)}"
        draft.id = _unique(base, taken)


def _link_translations(drafts: list[_Draft]) -> None:
    groups: dict[tuple[str, str, str], list[_Draft]] = {}
    for draft in drafts:
        groups.setdefault((draft.source.folder, draft.source.stem, draft.kind), []).append(draft)
    for group in groups.values():
        for draft in group:
            for other in group:
                if other.lang != draft.lang:
                    draft.translations.setdefault(other.lang, other.id)


def _file_entry(
    path: str, measured: _Measured, mime: str, role: str, lang: str | None
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "path": path, "sha256": measured.sha256, "size": measured.size, "mime": mime,
        "role": role,
    }
    if lang is not None:
        entry["lang"] = lang
    return entry


def _mime(source: _Source) -> str:
    return _MIME.get(source.ext, _UNKNOWN_MIME)


def _resource(
    draft: _Draft, measured: dict[str, _Measured], override: dict[str, Any], language: str
) -> dict[str, Any]:
    source = draft.source
    main = measured[draft.pack_path]
    where = f"{CONFIG_NAME} resources/{source.path}"
    resource: dict[str, Any] = {"id": draft.id, "kind": override.get("kind", draft.kind),
                                "lang": draft.lang}
    if "title" in override:
        resource["title"] = _localized(override["title"], draft.lang, f"{where} title")
    elif draft.quiz is not None and draft.quiz.title:
        resource["title"] = draft.quiz.title
    else:
        resource["title"] = {draft.lang: main.heading or humanize(source.stem) or source.stem}
    if "description" in override:
        resource["description"] = _localized(override["description"], draft.lang,
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
    ordered: list[tuple[str, list[_Draft]]], specs: list[_SectionSpec], pack_title: dict[str, str],
    language: str,
) -> list[dict[str, Any]]:
    by_folder = {spec.folder: spec for spec in specs}
    reserved = {spec.id for spec in specs if spec.id}
    taken: set[str] = set()
    sections = []
    for folder, drafts in ordered:
        spec = by_folder.get(folder) or _SectionSpec(folder, None, None)
        section_id = spec.id or _unique(_default_section_id(folder), taken | reserved)
        taken.add(section_id)
        if spec.title is not None:
            title = _localized(spec.title, language, f"pack.yaml sections/{folder or '.'} title")
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


# --- The build -----------------------------------------------------------------------------


def _measure(
    jobs: dict[str, tuple[Path, _Source | None]],
    kinds: dict[str, str],
    reporter: Reporter,
    warnings: list[str],
) -> dict[str, _Measured]:
    """Hash every file once, and read durations and headings of the main files."""
    measured: dict[str, _Measured] = {}
    total = len(jobs)
    for done, (path, (disk, source)) in enumerate(jobs.items(), start=1):
        sha256, size = _hash_file(disk, path)
        info = _Measured(sha256, size)
        kind = kinds.get(path)
        if kind in _MEDIA_KINDS:
            info.duration = media_duration(disk)
            if info.duration is None:
                warnings.append(_("Could not read how long {path} lasts; set its duration in "
                                  "{config}.").format(path=path, config=CONFIG_NAME))
        elif kind == "article" and source is not None:
            info.heading, info.duration = _article_info(disk, source)
        measured[path] = info
        reporter.report("build", done, total, path)
    return measured


def _pack_files(plan: _Plan) -> list[_Source]:
    return ([plan.cover] if plan.cover else []) + sorted(plan.attachments,
                                                         key=lambda s: natural_key(s.path))


def _jobs(plan: _Plan, tmp: Path) -> dict[str, tuple[Path, _Source | None]]:
    """Every file of the pack in manifest order, with where its bytes are."""
    jobs: dict[str, tuple[Path, _Source | None]] = {}
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
        _check_path(path)
    return jobs


def _apply_config(plan: _Plan, config: dict[str, Any], language: str, folder: Path) -> None:
    """Add inline quizzes, load quizzes, order sections and give ids, following pack.yaml."""
    existing = {draft.source.path for draft in plan.drafts}
    for source in _inline_quizzes(config):
        if source.path in existing:
            raise BuildError(
                _("pack.yaml quizzes/{path} is also a file in the folder; keep only one.")
                .format(path=source.path)
            )
        plan.drafts.append(_Draft(source, "quiz", source.lang or language))
    for draft in plan.drafts:
        if draft.kind == "quiz":
            draft.quiz = _load_quiz(draft.source, draft.lang)
    plan.specs = _section_specs(config)
    known_folders = {draft.source.section for draft in plan.drafts} | {""}
    for spec in plan.specs:
        if spec.folder not in known_folders and not (folder / spec.folder).is_dir():
            raise BuildError(
                _("pack.yaml sections names {folder}, which is not a folder of the pack.")
                .format(folder=spec.folder)
            )
    plan.overrides = _resource_overrides(config)
    unknown = sorted(set(plan.overrides) - {draft.source.path for draft in plan.drafts})
    if unknown:
        raise BuildError(
            _("pack.yaml resources names {paths}, which the pack has no resource for.")
            .format(paths=", ".join(unknown))
        )
    plan.sections = _order_drafts(plan.drafts, plan.specs)
    plan.drafts = [draft for _folder, drafts in plan.sections for draft in drafts]
    _assign_ids(plan.drafts, plan.overrides)
    _link_translations(plan.drafts)


def _kinds_to_measure(plan: _Plan) -> dict[str, str]:
    """Main files whose duration or heading is needed; durations set in pack.yaml are not
    read (and so cause no warnings)."""
    return {
        draft.pack_path: draft.kind for draft in plan.drafts
        if not (draft.kind in _MEDIA_KINDS
                and "duration" in plan.overrides.get(draft.source.path, {}))
    }


def _manifest(
    fields: dict[str, Any], plan: _Plan, measured: dict[str, _Measured], config: dict[str, Any]
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
) -> BuildResult:
    """Build ``out`` (a ``.ujpack``) from ``folder`` following the conventions above.

    ``license`` and ``attribution`` override pack.yaml's. Raises :class:`BuildError` for
    anything the author must fix; nothing is written then.
    """
    folder, out = Path(folder), Path(out)
    if not folder.is_dir():
        raise BuildError(_("{path} is not a folder.").format(path=folder))
    reporter = reporter or Reporter()
    warnings: list[str] = []
    config = _load_config(folder)
    fields = _pack_fields(folder, config, license, attribution)
    language = fields["languages"][0]
    cover_path = _cover_path(folder, config)
    skip = {out.resolve(), (folder / CONFIG_NAME).resolve()}
    if cover_path is not None:
        skip.add((folder / cover_path).resolve())
    plan = _classify(_scan(folder, skip, warnings), language, warnings)
    plan.cover = _make_source(cover_path, folder / cover_path) if cover_path else None
    _apply_config(plan, config, language, folder)
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


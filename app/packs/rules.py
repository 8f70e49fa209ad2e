"""The rules of pack content that the schema, the builder and the importers share: what a
language tag, a version, a pack id and a slug look like, which file extensions give which kind
and mime type, how ids are made unique, and how long an article takes to read.

The JSON Schema (``pack-schema.json``) states the same patterns; a test checks that it does.
Versions are Semantic Versioning 2.0 without build metadata, compared by ``semver``: a
pre-release sorts before its release.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import PurePosixPath

import babel
import semver

from app.errors import PackError
from app.i18n import _

#: A BCP 47 tag as packs write it: a primary language subtag, then subtags (``pt-BR``).
LANGUAGE_PATTERN = r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*"
_NUMBER = r"(0|[1-9][0-9]*)"
_PRE_RELEASE_PART = r"(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
#: ``major.minor.patch`` with an optional pre-release (``1.0.0-beta.2``), as SemVer 2.0.
VERSION_PATTERN = (
    rf"{_NUMBER}\.{_NUMBER}\.{_NUMBER}(-{_PRE_RELEASE_PART}(\.{_PRE_RELEASE_PART})*)?"
)
PACK_ID_PATTERN = r"[a-z0-9]([a-z0-9.-]{0,98}[a-z0-9])?"
SLUG_PATTERN = r"[a-z0-9]([a-z0-9_-]{0,126}[a-z0-9])?"

DEFAULT_LANGUAGE = "en"
DEFAULT_VERSION = "1.0.0"
WORDS_PER_MINUTE = 200

#: Tags sources write for "no language", "many" or "not a language".
_NO_LANGUAGE = frozenset({"", "und", "mul", "zxx", "xx"})


def schema_pattern(pattern: str) -> str:
    """``pattern`` as the schema writes it: whole string, no final newline (``re.search``
    lets ``$`` match before one)."""
    return f"^{pattern}$(?!\\n)"


# -- languages --------------------------------------------------------------------------------


@cache
def is_language(code: str) -> bool:
    """Whether ``code`` is a language tag of the pack pattern that babel knows (file name
    suffixes are languages only when it is)."""
    if not re.fullmatch(LANGUAGE_PATTERN, code):
        return False
    try:
        babel.Locale.parse(code.replace("-", "_"))
    except (ValueError, babel.UnknownLocaleError):
        return False
    return True


def language_tag(code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """A language tag the pack schema accepts from what a source wrote (``en-US``, ``eng``,
    ``es_ES``, ``und``); ``default`` when there is none."""
    if not code:
        return default
    code = code.strip().replace("_", "-")
    base, _sep, rest = code.partition("-")
    base = base.lower()
    if len(base) == 3:
        aliases = babel.core.get_global("language_aliases")
        base = str(aliases.get(base, base)).split("_")[0]
    if base in _NO_LANGUAGE:
        return default
    tag = base + (f"-{rest}" if rest else "")
    if re.fullmatch(LANGUAGE_PATTERN, tag) and is_language(base):
        return tag if is_language(tag) or not rest else base
    return default


# -- versions ---------------------------------------------------------------------------------


def version_key(version: str) -> semver.Version:
    """The sort key of a pack version; :class:`PackError` when it is not one."""
    if not re.fullmatch(VERSION_PATTERN, version):
        raise PackError(_("Invalid pack version: {version}").format(version=version))
    return semver.Version.parse(version)


def next_patch(version: str) -> str:
    """The patch release after ``version`` (``1.2.3`` and ``1.2.3-beta`` give ``1.2.4``); the
    default version when ``version`` is not one."""
    try:
        return str(version_key(version).bump_patch())
    except PackError:
        return DEFAULT_VERSION


# -- files: kinds and mime types --------------------------------------------------------------

QUIZ_EXTS = (".quiz.yaml", ".quiz.yml", ".quiz.json")
HTML_EXTS = frozenset({".html", ".htm"})
MARKDOWN_EXTS = frozenset({".md", ".markdown"})

#: The kind of resource a file of each extension is, when it is one of its own.
KIND_OF_EXT: dict[str, str] = {
    **dict.fromkeys((*sorted(MARKDOWN_EXTS), *sorted(HTML_EXTS)), "article"),
    **dict.fromkeys((".mp4", ".m4v", ".webm", ".ogv", ".mkv", ".mov"), "video"),
    **dict.fromkeys((".mp3", ".ogg", ".oga", ".opus", ".m4a", ".wav", ".flac"), "audio"),
    ".pdf": "pdf",
    **dict.fromkeys((".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"), "image"),
    **dict.fromkeys(QUIZ_EXTS, "quiz"),
}

#: A fixed table: the system's mimetypes database differs between machines, and a manifest
#: must not.
MIME: dict[str, str] = {
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
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
    # What web packages (SCORM, H5P, ZIM) carry besides.
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".xml": "application/xml",
    ".xsd": "application/xml",
    ".dtd": "application/xml-dtd",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject",
    ".swf": "application/x-shockwave-flash",
    ".ico": "image/vnd.microsoft.icon",
    ".bmp": "image/bmp",
    ".csv": "text/csv",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".doc": "application/msword",
    ".zip": "application/zip",
    ".zim": "application/x-zim",
    ".wasm": "application/wasm",
}
UNKNOWN_MIME = "application/octet-stream"


def extension(name: str) -> str:
    """The lower-case extension; ``.quiz.yaml`` and its kin count as one."""
    lower = name.lower()
    return next((ext for ext in QUIZ_EXTS if lower.endswith(ext)), PurePosixPath(lower).suffix)


def mime_for(name: str) -> str:
    return MIME.get(PurePosixPath(name.lower()).suffix, UNKNOWN_MIME)


def kind_for(name: str) -> str | None:
    """The kind of resource a file is by its name, or None when it is not one of its own."""
    return KIND_OF_EXT.get(extension(name))


# -- ids and reading time ---------------------------------------------------------------------


def slugify(text: str, limit: int = 100) -> str:
    """Lower-case ASCII slug; accents transliterated, other characters dropped."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    ascii_text = re.sub(r"['`]", "", ascii_text.lower())
    slug = re.sub(r"[^a-z0-9_]+", "-", ascii_text)
    slug = re.sub(r"[-_]*-[-_]*", "-", slug)
    return slug[:limit].strip("-_")


def unique(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``... whichever is not taken yet; now taken. A base
    is cut to 120 characters (room for the counter within a slug's 128); an empty one is
    ``item``."""
    base = base[:120].strip("-_") or "item"
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    taken.add(candidate)
    return candidate


def natural_key(path: str) -> tuple[tuple[str | int, ...], ...]:
    """Sort key comparing each path component with its numbers as numbers (2 before 10)."""
    return tuple(
        tuple(int(part) if index % 2 else part.casefold()
              for index, part in enumerate(re.split(r"([0-9]+)", component)))
        for component in path.split("/")
    )


def count_words(text: str) -> int:
    """Words as a reader counts them: runs of text with a letter or digit in them."""
    return sum(1 for token in text.split() if re.search(r"\w", token))


def reading_seconds(words: int) -> int:
    """Reading time at :data:`WORDS_PER_MINUTE`."""
    return round(words * 60 / WORDS_PER_MINUTE)

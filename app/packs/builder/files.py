"""Finding the folder's files: names, language suffixes, kinds, links that lead outside, and
which files are companions (subtitles, transcripts, thumbnails) of a video or audio file."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from app.errors import BuildError
from app.i18n import _
from app.packs.builder.model import (
    ASSETS_FOLDER,
    MEDIA_KINDS,
    SUBTITLE_EXTS,
    THUMBNAIL_EXTS,
    TRANSCRIPT_EXT,
    Draft,
    Plan,
    Source,
)
from app.packs.manifest import UNSAFE_PATH_CHARACTERS
from app.packs.rules import KIND_OF_EXT, extension, is_language, natural_key


def file_order(source: Source) -> tuple[Any, ...]:
    """Files by folder and name, each default-language version followed by its translations."""
    return (natural_key(source.folder), natural_key(source.stem), source.ext,
            source.lang or "")


def _parse_name(name: str) -> tuple[str, str | None, str]:
    """Split a file name into stem, language suffix and extension."""
    ext = extension(name)
    base = name[: len(name) - len(ext)]
    head, dot, tail = base.rpartition(".")
    if dot and head and is_language(tail):
        return head, tail, ext
    return base, None, ext


def make_source(path: str, disk: Path | None, inline: Any = None) -> Source:
    stem, lang, ext = _parse_name(PurePosixPath(path).name)
    return Source(path, disk, stem, lang, ext, inline)


def check_path(path: str) -> None:
    """Refuse names the pack format cannot hold, naming the file rather than the schema."""
    if len(path) > 500 or UNSAFE_PATH_CHARACTERS.search(path):
        raise BuildError(
            _('{path}: packs cannot hold file names with control characters or any of '
              ': * ? " < > | \\ (or paths over 500 characters); rename it.').format(path=path)
        )


def read_text(disk: Path, path: str) -> str:
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


def hash_file(disk: Path, path: str) -> tuple[str, int]:
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


def check_inside(folder: Path, disk: Path, path: str) -> None:
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


def scan(folder: Path, skip: set[Path], warnings: list[str]) -> list[Source]:
    """Every visible file under ``folder``, as pack paths."""
    found: dict[str, Source] = {}

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
                    check_inside(folder, entry, path)
                if path in found:
                    raise BuildError(_("Two files are named {path}.").format(path=path))
                found[path] = make_source(path, entry)

    visit(folder, "")
    return list(found.values())


def _in_assets(source: Source) -> bool:
    return ASSETS_FOLDER in PurePosixPath(source.path).parts[:-1]


def classify(sources: list[Source], language: str, warnings: list[str]) -> Plan:
    attachments = [source for source in sources if _in_assets(source)]
    rest = [source for source in sources if not _in_assets(source)]
    companions: list[Source] = []
    drafts: list[Draft] = []
    for source in rest:
        kind = KIND_OF_EXT.get(source.ext)
        if source.ext in SUBTITLE_EXTS or source.ext == TRANSCRIPT_EXT:
            companions.append(source)
        elif kind is None:
            warnings.append(
                _("Left out {path}: packs do not hold this type of file.").format(path=source.path)
            )
        else:
            drafts.append(Draft(source, kind, source.lang or language))
    drafts = _take_thumbnails(drafts)
    _attach_companions(drafts, companions, warnings)
    return Plan(drafts, attachments)


def _media_by_name(
    drafts: list[Draft], kinds: Iterable[str]
) -> dict[tuple[str, str], list[Draft]]:
    by_name: dict[tuple[str, str], list[Draft]] = {}
    wanted = frozenset(kinds)
    for draft in drafts:
        if draft.kind in wanted:
            key = (draft.source.folder, draft.source.stem)
            by_name.setdefault(key, []).append(draft)
    return by_name


def _take_thumbnails(drafts: list[Draft]) -> list[Draft]:
    """Turn images named like a video into that video's thumbnail."""
    videos = _media_by_name(drafts, {"video"})
    remaining = []
    for draft in drafts:
        source = draft.source
        matches = videos.get((source.folder, source.stem), [])
        if source.lang is not None:
            matches = [video for video in matches if video.lang == source.lang]
        if draft.kind == "image" and source.ext in THUMBNAIL_EXTS and matches:
            for video in matches:
                video.companions.append((source, "thumbnail"))
        else:
            remaining.append(draft)
    return remaining


def _attach_companions(
    drafts: list[Draft], companions: list[Source], warnings: list[str]
) -> None:
    """Give subtitles and transcripts to every language version of their media file."""
    media = _media_by_name(drafts, MEDIA_KINDS)
    for source in companions:
        matches = media.get((source.folder, source.stem), [])
        if source.ext in SUBTITLE_EXTS and not matches:
            raise BuildError(
                _("The subtitles {path} have no video or audio file with the same name.")
                .format(path=source.path)
            )
        if not matches:
            warnings.append(
                _("Left out {path}: a .txt file is kept only as the transcript of a video or "
                  "audio file with the same name.").format(path=source.path)
            )
        role = "subtitles" if source.ext in SUBTITLE_EXTS else "transcript"
        for draft in matches:
            draft.companions.append((source, role))

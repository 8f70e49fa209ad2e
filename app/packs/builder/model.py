"""What the folder builder (:mod:`app.packs.build`) works on: the files found, the resources
being drafted, the plan pack.yaml arranges, and the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from app.packs.manifest import Manifest

CONFIG_NAME = "pack.yaml"
MAIN_SECTION = "main"
ASSETS_FOLDER = "assets"
COVER_NAMES = ("cover.png", "cover.jpg", "cover.jpeg", "cover.svg", "cover.webp")
SUBTITLE_EXTS = frozenset({".vtt", ".srt"})
TRANSCRIPT_EXT = ".txt"
THUMBNAIL_EXTS = frozenset({".jpg", ".jpeg", ".png"})
MEDIA_KINDS = frozenset({"video", "audio"})


@dataclass(frozen=True)
class BuildResult:
    """What a build produced: the manifest written, and what the author should look at."""

    manifest: Manifest
    warnings: list[str]


@dataclass(frozen=True)
class Source:
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
class Quiz:
    content: dict[str, Any]
    title: Any = None
    description: Any = None


@dataclass
class Draft:
    """A resource being built; ids, titles and translations are filled in step by step."""

    source: Source
    kind: str
    lang: str
    quiz: Quiz | None = None
    companions: list[tuple[Source, str]] = field(default_factory=list)
    id: str = ""
    translations: dict[str, str] = field(default_factory=dict)

    @property
    def pack_path(self) -> str:
        """Where the main file goes in the pack: quizzes are converted to JSON."""
        if self.quiz is None:
            return self.source.path
        return self.source.path[: -len(self.source.ext)] + ".quiz.json"


@dataclass
class Measured:
    sha256: str
    size: int
    duration: float | None = None
    heading: str | None = None


@dataclass
class SectionSpec:
    folder: str  # "" for the top-level files
    id: str | None
    title: Any


@dataclass
class Plan:
    """The folder sorted into resources and pack-level files, then arranged by pack.yaml."""

    drafts: list[Draft]
    attachments: list[Source]
    cover: Source | None = None
    specs: list[SectionSpec] = field(default_factory=list)
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    sections: list[tuple[str, list[Draft]]] = field(default_factory=list)

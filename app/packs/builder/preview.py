"""What a folder would become, before anything is built: the pack's title and licence, its
sections and each resource's kind and title, and the warnings, by the same rules as
:func:`app.packs.build.build_pack` (which the window's "Make a pack" shows, so that a trainer
can fix titles and the licence first). Nothing is hashed or written; articles are read for
their headings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.errors import BuildError
from app.i18n import _
from app.packs.builder.config import (
    apply_config,
    find_cover,
    load_config,
    localized_text,
    merge_config,
    pack_fields,
)
from app.packs.builder.files import classify, make_source, scan
from app.packs.builder.model import CONFIG_NAME, Draft
from app.packs.builder.titles import article_info, humanize


@dataclass(frozen=True)
class PreviewItem:
    path: str  # the file, relative to the folder (what ``resources`` overrides are keyed by)
    kind: str
    lang: str
    title: str


@dataclass(frozen=True)
class PreviewSection:
    folder: str  # "" for the files at the top
    title: str
    items: list[PreviewItem]


@dataclass
class FolderPreview:
    pack_id: str
    title: str
    language: str
    license: str  # "" when neither pack.yaml nor the caller gives one
    attribution: str
    sections: list[PreviewSection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(section.items) for section in self.sections)


def _text(value: Any, language: str) -> str:
    if isinstance(value, dict):
        return str(value.get(language) or next(iter(value.values()), ""))
    return str(value or "")


def _title(draft: Draft, override: dict[str, Any]) -> str:
    if "title" in override:
        return _text(override["title"], draft.lang)
    if draft.quiz is not None and draft.quiz.title:
        return _text(draft.quiz.title, draft.lang)
    heading = None
    if draft.kind == "article" and draft.source.disk is not None:
        heading, _seconds = article_info(draft.source.disk, draft.source)
    return heading or humanize(draft.source.stem) or draft.source.stem


def preview_folder(folder: Path, overrides: dict[str, Any] | None = None) -> FolderPreview:
    """What :func:`~app.packs.build.build_pack` would make of ``folder``. Raises
    :class:`BuildError` for what the build would refuse too, except a missing licence or
    attribution (the preview is where they are filled in)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BuildError(_("{path} is not a folder.").format(path=folder))
    config = merge_config(load_config(folder), overrides)
    license = str(config.get("license") or "").strip()
    attribution = str(config.get("attribution") or "").strip()
    fields = pack_fields(folder, config, license or "-", attribution or "-")
    language = fields["languages"][0]
    warnings: list[str] = []
    cover = find_cover(folder, config)
    skip = {(folder / CONFIG_NAME).resolve()}
    if cover is not None:
        skip.add((folder / cover).resolve())
    plan = classify(scan(folder, skip, warnings), language, warnings)
    plan.cover = make_source(cover, folder / cover) if cover else None
    apply_config(plan, config, language, folder)
    specs = {spec.folder: spec for spec in plan.specs}
    pack_title = _text(fields["title"], language)
    sections = []
    for section_folder, drafts in plan.sections:
        spec = specs.get(section_folder)
        if spec is not None and spec.title is not None:
            title = _text(localized_text(spec.title, language, "sections"), language)
        else:
            title = humanize(section_folder) or section_folder or pack_title
        items = [PreviewItem(d.source.path, d.kind, d.lang,
                             _title(d, plan.overrides.get(d.source.path, {})))
                 for d in drafts]
        sections.append(PreviewSection(section_folder, title, items))
    return FolderPreview(fields["id"], pack_title, language, license, attribution,
                         sections, warnings)

"""``pack.yaml``: reading it, checking every key, and arranging the plan by it (inline quizzes,
section order and titles, resource ids and overrides, translations)."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from app.errors import BuildError, ManifestError
from app.i18n import _
from app.packs.builder.files import check_inside, file_order, make_source, read_text
from app.packs.builder.model import (
    CONFIG_NAME,
    COVER_NAMES,
    Draft,
    Plan,
    Quiz,
    SectionSpec,
    Source,
)
from app.packs.builder.titles import humanize, strip_number
from app.packs.manifest import validate_quiz
from app.packs.rules import (
    DEFAULT_LANGUAGE,
    DEFAULT_VERSION,
    PACK_ID_PATTERN,
    QUIZ_EXTS,
    SLUG_PATTERN,
    is_language,
    natural_key,
    slugify,
    unique,
)

_PACK_KEYS = frozenset({
    "id", "version", "language", "title", "description", "license", "attribution", "authors",
    "audience", "skills", "level", "estimated_minutes", "color", "created", "cover",
    "sections", "resources", "quizzes",
})
# Keys copied from pack.yaml as they are; the schema checks them.
_PASSTHROUGH_KEYS = ("audience", "skills", "level", "color", "created")
_SECTION_KEYS = frozenset({"folder", "id", "title"})
_RESOURCE_KEYS = frozenset({"id", "title", "description", "duration", "kind"})
_SLUG = re.compile(SLUG_PATTERN)
_PACK_ID = re.compile(PACK_ID_PATTERN)


def load_config(folder: Path) -> dict[str, Any]:
    """Read pack.yaml; a file that exists but cannot be used is an error, not a default."""
    path = folder / CONFIG_NAME
    if (folder / "pack.yml").exists() and not path.exists():
        raise BuildError(_("The builder reads pack.yaml, not pack.yml: rename the file."))
    if not path.exists():
        return {}
    check_inside(folder, path, CONFIG_NAME)
    try:
        data = yaml.safe_load(read_text(path, CONFIG_NAME))
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


def merge_config(config: dict[str, Any], overrides: dict[str, Any] | None) -> dict[str, Any]:
    """``overrides`` (keys as in pack.yaml) laid over ``config``: each key replaces the
    folder's, except ``resources``, merged file by file and setting by setting."""
    if not overrides:
        return config
    merged = {**config, **_mapping(overrides, "overrides", _PACK_KEYS)}
    if "resources" in overrides and isinstance(config.get("resources"), dict):
        resources = {path: dict(settings) if isinstance(settings, dict) else settings
                     for path, settings in config["resources"].items()}
        for path, settings in (overrides["resources"] or {}).items():
            base = resources.get(path)
            resources[path] = {**base, **settings} if isinstance(base, dict) else settings
        merged["resources"] = resources
    return merged


def _require_language(code: Any, where: str) -> str:
    if not isinstance(code, str) or not is_language(code):
        raise BuildError(
            _("{where}: {code!r} is not a known language code (such as en, sw or pt-BR).")
            .format(where=where, code=code)
        )
    return code


def localized_text(value: Any, lang: str, where: str) -> dict[str, str]:
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


def pack_fields(
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
        "title": localized_text(config.get("title", humanize(name) or name), language,
                            "pack.yaml title"),
        "languages": [language],  # the default; the rest follow from the resources
    }
    if "description" in config:
        fields["description"] = localized_text(
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
        if _PACK_ID.fullmatch(candidate):
            return candidate
        raise BuildError(
            _("Cannot make a pack id from the folder name {name!r}; set id in {config}.")
            .format(name=folder_name, config=CONFIG_NAME)
        )
    if not isinstance(value, str) or not _PACK_ID.fullmatch(value):
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


def _section_specs(config: dict[str, Any]) -> list[SectionSpec]:
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


def _section_spec(item: Any) -> SectionSpec:
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
                                   or not _SLUG.fullmatch(section_id)):
        raise BuildError(
            _("pack.yaml sections: id {value!r} must be lower-case letters, digits, - and _.")
            .format(value=section_id)
        )
    return SectionSpec(folder, section_id, entry.get("title"))


def _resource_overrides(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    value = config.get("resources", {}) or {}
    if not isinstance(value, dict):
        raise BuildError(_("pack.yaml resources must be a map from file path to settings."))
    overrides = {}
    for path, settings in value.items():
        where = f"pack.yaml resources/{path}"
        overrides[_relative_path(path, where)] = _mapping(settings, where, _RESOURCE_KEYS)
    return overrides


def _inline_quizzes(config: dict[str, Any]) -> list[Source]:
    value = config.get("quizzes", {}) or {}
    if not isinstance(value, dict):
        raise BuildError(_("pack.yaml quizzes must be a map from a quiz path to its content."))
    sources = []
    for key, content in value.items():
        path = _relative_path(key, "pack.yaml quizzes")
        if not path.lower().endswith(QUIZ_EXTS):
            raise BuildError(
                _("pack.yaml quizzes: {path} must end in .quiz.yaml.").format(path=path)
            )
        sources.append(make_source(path, None, content))
    return sources


def find_cover(folder: Path, config: dict[str, Any]) -> str | None:
    if "cover" in config:
        path = _relative_path(config["cover"], "pack.yaml cover")
        if not (folder / path).is_file():
            raise BuildError(_("The cover {path} does not exist.").format(path=path))
    else:
        found = next((name for name in COVER_NAMES if (folder / name).is_file()), None)
        if found is None:
            return None
        path = found
    check_inside(folder, folder / path, path)
    return path


def _load_quiz(source: Source, lang: str) -> Quiz:
    """Read and check a quiz; its title and description belong to the resource."""
    where = source.path if source.disk is not None else f"{CONFIG_NAME} quizzes/{source.path}"
    data = source.inline
    if source.disk is not None:
        text = read_text(source.disk, source.path)
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
    quiz = Quiz(content, content.pop("title", None), content.pop("description", None))
    try:
        validate_quiz(content)
    except ManifestError as exc:
        raise BuildError(f"{where}: {exc}") from None
    if quiz.title is not None:
        quiz.title = localized_text(quiz.title, lang, f"{where} title")
    if quiz.description is not None:
        quiz.description = localized_text(quiz.description, lang, f"{where} description")
    return quiz


def _order_drafts(
    drafts: list[Draft], specs: list[SectionSpec]
) -> list[tuple[str, list[Draft]]]:
    """Group resources by section folder: listed sections first, then by name."""
    groups: dict[str, list[Draft]] = {}
    for draft in sorted(drafts, key=lambda d: file_order(d.source)):
        groups.setdefault(draft.source.section, []).append(draft)
    listed = [spec.folder for spec in specs]
    unlisted = sorted((folder for folder in groups if folder not in listed),
                      key=lambda folder: (folder != "", natural_key(folder)))
    if "" in unlisted:
        listed.insert(0, "")
        unlisted.remove("")
    return [(folder, groups[folder]) for folder in (*listed, *unlisted) if folder in groups]


def _assign_ids(drafts: list[Draft], overrides: dict[str, dict[str, Any]]) -> None:
    """Ids from names, unique across the pack; ids set in pack.yaml are kept as given."""
    taken: set[str] = set()
    for draft in drafts:
        explicit = overrides.get(draft.source.path, {}).get("id")
        if explicit is None:
            continue
        if not isinstance(explicit, str) or not _SLUG.fullmatch(explicit):
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
        draft.id = unique(base, taken)


def _link_translations(drafts: list[Draft]) -> None:
    groups: dict[tuple[str, str, str], list[Draft]] = {}
    for draft in drafts:
        groups.setdefault((draft.source.folder, draft.source.stem, draft.kind), []).append(draft)
    for group in groups.values():
        for draft in group:
            for other in group:
                if other.lang != draft.lang:
                    draft.translations.setdefault(other.lang, other.id)


def apply_config(plan: Plan, config: dict[str, Any], language: str, folder: Path) -> None:
    """Add inline quizzes, load quizzes, order sections and give ids, following pack.yaml."""
    existing = {draft.source.path for draft in plan.drafts}
    for source in _inline_quizzes(config):
        if source.path in existing:
            raise BuildError(
                _("pack.yaml quizzes/{path} is also a file in the folder; keep only one.")
                .format(path=source.path)
            )
        plan.drafts.append(Draft(source, "quiz", source.lang or language))
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

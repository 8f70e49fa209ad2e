"""Wiki Education Dashboard training content (the ``training_content`` YAML layout) → a pack.

The layout (``lib/training/yaml_training_loader.rb`` in WikiEduDashboard): ``libraries/*.yml``
group modules into categories; ``modules/*.yml`` list their slides by slug (the module's
slug is its file name); ``slides/<n-module>/<id>-<slug>.yml`` hold a slide's ``title`` and
``content`` (Markdown with HTML), an optional ``assessment`` (one multiple-choice question)
and ``translations`` (``es``, and any other language).

- Each module becomes a section, in library and category order, then the modules no library
  lists; archived modules (``modules/archived_modules/``) are reported and left out.
- Each slide with content becomes an article (Markdown rendered to sanitised HTML); each
  assessment becomes a quiz (the answers' explanations are their feedback). A slide's
  translations become resources in their language, linked as translations of the slide.
- Embedded videos become links; images hot-linked from the web are counted per module in
  the report (they need a connection).
- Wiki Education's training content is CC BY-SA 4.0, as the Dashboard states for all its
  content; a layout with another content folder than ``wiki_ed`` states no licence.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from markdown_it import MarkdownIt

from app.errors import ManifestError, PackError
from app.i18n import _, ngettext
from app.library import Library
from app.packs.importers.common import ImportReport, PackDraft, finish, language_tag, pack_id
from app.packs.importers.html import replace_embeds, text_of
from app.packs.importers.sources import SourceTree
from app.packs.manifest import validate_quiz
from app.tasks import Reporter

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SLIDE_NAME = re.compile(r"^(\d+)-(.+)\.ya?ml$")
_REMOTE_IMG = re.compile(r"<img\b[^>]*\bsrc\s*=\s*[\"']?https?://", re.IGNORECASE)
_WIKIEDU_LICENCE = "CC-BY-SA-4.0"


def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True, "linkify": False}).enable("table")


def _clean_keys(value: Any) -> Any:
    """Ruby-style keys (``:question:``) as plain ones."""
    if isinstance(value, dict):
        return {str(k).lstrip(":"): _clean_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_keys(v) for v in value]
    return value


def _yaml(tree: SourceTree, name: str) -> dict[str, Any] | None:
    try:
        value = yaml.load(tree.read(name).decode("utf-8-sig"), Loader=_LOADER)
    except (yaml.YAMLError, UnicodeDecodeError):
        return None
    return _clean_keys(value) if isinstance(value, dict) else None


def _flavours(tree: SourceTree) -> list[str]:
    """Folders (relative to the tree) that hold ``modules/``: ``wiki_ed``, ``none``, or the
    tree itself."""
    found: set[str] = set()
    for name in tree.names():
        parts = name.split("/")
        for index, part in enumerate(parts[:-1]):
            if part == "modules":
                found.add("/".join(parts[:index]))
                break
    return sorted(found, key=lambda f: (f != "wiki_ed" and not f.endswith("/wiki_ed"), f))


def _quiz(assessment: Any, md: MarkdownIt) -> dict[str, Any] | None:
    if not isinstance(assessment, dict):
        return None
    answers = assessment.get("answers")
    if not isinstance(answers, list):
        return None
    correct = str(assessment.get("correct_answer_id", ""))
    choices = []
    for index, answer in enumerate(answers, start=1):
        if not isinstance(answer, dict):
            continue
        choice: dict[str, Any] = {
            "id": str(answer.get("id", index)),
            "text": text_of(md.render(str(answer.get("text") or ""))) or str(index),
            "correct": str(answer.get("id", index)) == correct,
        }
        explanation = text_of(md.render(str(answer.get("explanation") or "")))
        if explanation:
            choice["feedback"] = explanation
        choices.append(choice)
    prompt = text_of(md.render(str(assessment.get("question") or "")))
    quiz = {"questions": [{"id": "q1", "type": "single", "prompt": prompt or "?",
                           "choices": choices}]}
    try:
        validate_quiz(quiz)
    except ManifestError:
        return None
    return quiz


class _Converter:
    def __init__(self, tree: SourceTree, draft: PackDraft) -> None:
        self.tree = tree
        self.draft = draft
        self.md = _markdown()
        self.slides: dict[str, tuple[str, dict[str, Any]]] = {}
        self.remote_images = 0

    def load_slides(self, flavour: str) -> None:
        prefix = f"{flavour}/slides/" if flavour else "slides/"
        for name in sorted(self.tree.names()):
            if not name.startswith(prefix):
                continue
            match = _SLIDE_NAME.match(PurePosixPath(name).name)
            if not match:
                continue
            slide = _yaml(self.tree, name)
            if slide is None:
                self.draft.skip(name, _("not a readable YAML slide"))
                continue
            self.slides.setdefault(match.group(2), (name, slide))

    def html(self, markdown: str, where: str) -> str:
        rendered = self.md.render(markdown)
        self.remote_images += len(_REMOTE_IMG.findall(rendered))

        def embedded(url: str) -> None:
            self.draft.skip(where, _("embedded video needs a connection or a download: {url}")
                            .format(url=url))

        return replace_embeds(rendered, embedded)

    def slide(self, section: dict[str, Any], slug: str) -> None:
        found = self.slides.get(slug)
        if found is None:
            self.draft.skip(slug, _("the module lists this slide, but there is no slide file "
                                    "for it"))
            return
        name, slide = found
        versions: list[tuple[str, dict[str, Any]]] = [(self.draft.language, slide)]
        translations = slide.get("translations")
        if isinstance(translations, dict):
            for lang, data in sorted(translations.items()):
                if isinstance(data, dict):
                    versions.append((language_tag(str(lang), str(lang)), data))
        articles: dict[str, str] = {}
        quizzes: dict[str, str] = {}
        default_title = str(slide.get("title") or slug)
        for lang, data in versions:
            title = str(data.get("title") or default_title).strip()
            suffix = "" if lang == self.draft.language else f"-{lang}"
            content = str(data.get("content") or "").strip()
            if content:
                resource = self.draft.add_article(
                    section, f"slides/{slug}{suffix}.html", title,
                    self.html(content, f"{name} ({lang})"), base_id=f"{slug}{suffix}", lang=lang)
                articles[lang] = resource["id"]
            if data.get("assessment") is not None:
                quiz = _quiz(data.get("assessment"), self.md)
                if quiz is None:
                    self.draft.skip(f"{name} ({lang})", _("its assessment is incomplete"))
                    continue
                resource = self.draft.add_quiz(
                    section, f"slides/{slug}{suffix}.quiz.json", title, quiz,
                    base_id=f"{slug}-quiz{suffix}", lang=lang)
                quizzes[lang] = resource["id"]
        by_id = {r["id"]: r for r in self.draft.resources}
        for group in (articles, quizzes):
            for lang, rid in group.items():
                others = {other: oid for other, oid in group.items() if other != lang}
                if others:
                    by_id[rid]["translations"] = dict(sorted(others.items()))


def _minutes(value: Any) -> int:
    match = re.search(r"(\d+)", str(value or ""))
    return int(match.group(1)) if match else 0


def convert(library: Library, path: Path, tree: SourceTree | None, staging: Path,
            reporter: Reporter) -> ImportReport:
    assert tree is not None
    flavours = _flavours(tree)
    if not flavours:
        raise PackError(_("No modules/ folder was found in {name}.").format(name=path.name))
    draft = PackDraft("wikiedu", staging, "en")
    converter = _Converter(tree, draft)
    libraries: list[dict[str, Any]] = []
    modules: dict[str, dict[str, Any]] = {}
    archived: list[tuple[str, dict[str, Any]]] = []
    for flavour in flavours:
        prefix = f"{flavour}/" if flavour else ""
        converter.load_slides(flavour)
        for name in sorted(tree.names()):
            if not name.startswith(prefix) or not name.endswith((".yml", ".yaml")):
                continue
            rest = name[len(prefix):]
            if rest.startswith("libraries/"):
                data = _yaml(tree, name)
                if data is not None:
                    libraries.append(data)
            elif rest.startswith("modules/"):
                data = _yaml(tree, name)
                if data is None:
                    draft.skip(name, _("not a readable YAML module"))
                    continue
                slug = PurePosixPath(name).stem
                if "/archived_modules/" in rest or rest.startswith("modules/archived_modules/"):
                    archived.append((slug, data))
                    continue
                modules.setdefault(slug, data)
    libraries.sort(key=lambda lib: (_minutes(lib.get("id")), str(lib.get("name"))))
    order: list[str] = []
    for lib in libraries:
        for category in lib.get("categories") or []:
            if not isinstance(category, dict):
                continue
            for entry in category.get("modules") or []:
                listed = entry.get("slug") if isinstance(entry, dict) else None
                if isinstance(listed, str) and listed in modules and listed not in order:
                    order.append(listed)
    order += sorted((s for s in modules if s not in order),
                    key=lambda s: (_minutes(modules[s].get("id")), s))
    for slug, data in archived:
        draft.skip(str(data.get("name") or slug), _("an archived module"))
    minutes = 0
    for done, slug in enumerate(order, start=1):
        module = modules[slug]
        section = draft.section(str(module.get("name") or slug).strip(), slug)
        before = converter.remote_images
        for entry in module.get("slides") or []:
            slide_slug = entry.get("slug") if isinstance(entry, dict) else entry
            if isinstance(slide_slug, str):
                converter.slide(section, slide_slug)
        if section["resources"]:
            minutes += _minutes(module.get("estimated_ttc"))
        images = converter.remote_images - before
        if images:
            draft.skip(str(module.get("name") or slug), ngettext(
                "{count} image is hot-linked from the web and needs a connection",
                "{count} images are hot-linked from the web and need a connection",
                images).format(count=images))
        reporter.report("convert", done, len(order), slug)
    wiki_ed = any(f == "wiki_ed" or f.endswith("/wiki_ed") for f in flavours)
    fields: dict[str, Any] = {
        "id": pack_id("wikiedu", "training") if wiki_ed else pack_id("wikiedu", path.name),
        "title": {"en": _("Wiki Education training modules") if wiki_ed else path.name},
        "license": _WIKIEDU_LICENCE if wiki_ed else None,
        "attribution": _("Wiki Education, training modules of the Wiki Education Dashboard "
                         "(https://dashboard.wikiedu.org/training), CC BY-SA 4.0")
        if wiki_ed else path.name,
        "authors": [{"name": "Wiki Education", "url": "https://wikiedu.org"}] if wiki_ed else [],
        "estimated_minutes": minutes or None,
        "source": path.name,
    }
    if libraries:
        intro = " ".join(str(lib.get("name") or "") for lib in libraries)
        fields["description"] = {"en": _("Libraries: {names}").format(names=intro)}
    return finish(library, draft, fields, path, reporter)

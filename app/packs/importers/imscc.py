"""IMS Common Cartridge (``.imscc``, 1.0 to 1.3, as Canvas and Moodle export it) → a pack.

- The organisation's modules become sections (a cartridge's single root item is a wrapper
  and is skipped); items that only label a part of a module are not resources.
- Web content: HTML pages become articles (``$IMS-CC-FILEBASE$`` and relative references
  resolved to the cartridge's files, which are attached; Canvas ``$WIKI_REFERENCE$`` links
  to other pages of the course point at those articles); PDFs, images, audio and video
  files become resources of their kind; plain text becomes an article; other files (office
  documents) are reported.
- Web links become ``link`` resources. QTI assessments become quizzes with the questions
  the quiz format can hold (multiple choice, true/false, multiple response, fill in the
  blank); essays and other types are reported. Discussion topics and assignments become
  read-only articles with their prompt (reported). LTI tools are reported.
- Files of the cartridge that no module uses but that can be a resource (PDFs, images,
  media) follow in a last section, "Course files".
- The licence comes from the manifest's LOM ``rights`` description.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, unquote

from app.errors import ManifestError
from app.i18n import _
from app.library import Library
from app.packs.importers.common import (
    ImportReport,
    PackDraft,
    finish,
    kind_for,
    language_tag,
    mime_for,
    pack_id,
    pack_path,
    spdx_licence,
)
from app.packs.importers.html import escape, note, replace_embeds, rewrite_refs, text_of
from app.packs.importers.scorm import Item, _items
from app.packs.importers.sources import SourceTree, normalize_ref
from app.packs.importers.xmlutil import (
    Element,
    child,
    children,
    descendants,
    parse,
    path_text,
    text,
)
from app.packs.manifest import validate_quiz
from app.tasks import Reporter

_FILEBASE = re.compile(r"^(?:\$|%24)IMS(?:-|_)CC(?:-|_)FILEBASE(?:\$|%24)/?", re.IGNORECASE)
_WIKI_REF = re.compile(r"^(?:\$|%24)WIKI_REFERENCE(?:\$|%24)/pages/([^?#]+)", re.IGNORECASE)
_CANVAS_REF = re.compile(r"^(?:\$|%24)[A-Z_]+(?:\$|%24)", re.IGNORECASE)


class _Cartridge:
    def __init__(self, tree: SourceTree, draft: PackDraft) -> None:
        self.tree = tree
        self.draft = draft
        self.resources: dict[str, Element] = {}
        self.assets: dict[str, str] = {}
        self.missing: set[str] = set()
        self.used: set[str] = set()  # cartridge files that became resources or assets

    def resource_file(self, resource: Element) -> str | None:
        href = resource.get("href") or ""
        if not href or not self.tree.has(normalize_ref(href) or ""):
            first = child(resource, "file")
            href = first.get("href", "") if first is not None else href
        return self.tree.resolve(normalize_ref(href)) if href else None

    def asset(self, ref: str, page: str, where: str) -> str | None:
        """Map a reference in an article at cartridge path ``page`` to a pack URL."""
        wiki = _WIKI_REF.match(ref)
        if wiki:
            target = self.tree.resolve(f"wiki_content/{unquote(wiki.group(1))}.html")
            return _relative(pack_path(target), pack_path(page)) if target else "#"
        base_match = _FILEBASE.match(ref)
        if base_match:
            name = normalize_ref(ref[base_match.end():], "web_resources")
        elif _CANVAS_REF.match(ref):
            return "#"
        else:
            name = normalize_ref(ref, str(PurePosixPath(page).parent))
        if name is None:
            return None
        stored = self.tree.resolve(name)
        if stored is None:
            if name not in self.missing:
                self.missing.add(name)
                self.draft.skip(name, _("referenced by {where} but not in the cartridge")
                                .format(where=where))
            return "#"
        if stored not in self.assets:
            path = self.draft.add_disk(
                pack_path(stored),
                [self.tree.copy_to(stored, self.draft.staging / "src" / stored)],
                mime_for(stored))
            self.draft.attach(path)
            self.assets[stored] = path
            self.used.add(stored)
        return _relative(self.assets[stored], pack_path(page))

    def html(self, html: str, page: str, where: str) -> str:
        def embedded(url: str) -> None:
            self.draft.skip(where, _("embedded content needs a connection: {url}")
                            .format(url=url))

        return replace_embeds(rewrite_refs(html, lambda ref: self.asset(ref, page, where)),
                              embedded)


def _relative(target: str, from_path: str) -> str:
    depth = len(PurePosixPath(from_path).parts) - 1
    return quote("../" * depth + target)


def _body(html: str) -> str:
    match = re.search(r"<body[^>]*>(.*)</body>", html, re.IGNORECASE | re.DOTALL)
    return match.group(1) if match else html


# -- QTI ----------------------------------------------------------------------------------------


def _mattext(element: Element | None) -> str:
    if element is None:
        return ""
    parts = []
    for mat in descendants(element, "mattext"):
        value = mat.text or ""
        if "html" in (mat.get("texttype") or ""):
            value = text_of(value)
        parts.append(" ".join(value.split()))
    return " ".join(p for p in parts if p)


def _profile(item: Element) -> str:
    for field_el in descendants(item, "qtimetadatafield"):
        if text(child(field_el, "fieldlabel")) in ("cc_profile", "question_type"):
            return text(child(field_el, "fieldentry"))
    return ""


def _correct_values(item: Element) -> list[str]:
    """Values of the response condition that gives the full score."""
    for condition in descendants(item, "respcondition"):
        scores = [s for s in descendants(condition, "setvar")
                  if (s.get("action") or "Set").lower() == "set"]
        if not scores:
            continue
        try:
            value = float(text(scores[0]) or 0)
        except ValueError:
            continue
        if value <= 0:
            continue
        variables = child(condition, "conditionvar")
        if variables is None:
            continue
        negated = {id(v) for n in descendants(variables, "not") for v in descendants(n, "varequal")}
        return [text(v) for v in descendants(variables, "varequal") if id(v) not in negated]
    return []


def _qti_question(item: Element, number: int) -> dict[str, Any] | None:
    profile = _profile(item)
    presentation = child(item, "presentation")
    if presentation is None:
        return None
    prompt = _mattext(child(presentation, "material")) or _("Question {n}").format(n=number)
    feedbacks = {fb.get("ident", ""): _mattext(fb) for fb in children(item, "itemfeedback")}
    base: dict[str, Any] = {"id": item.get("ident") or f"q{number}", "prompt": prompt}
    general = feedbacks.get("general_fb")
    if general:
        base["explanation"] = general
    correct = _correct_values(item)
    if any(k in profile for k in ("multiple_choice", "true_false", "multiple_response")):
        lid = next(descendants(presentation, "response_lid"), None)
        if lid is None:
            return None
        choices = []
        for label in descendants(lid, "response_label"):
            ident = label.get("ident", "")
            entry: dict[str, Any] = {"id": ident, "text": _mattext(label) or ident,
                                     "correct": ident in correct}
            if feedbacks.get(f"{ident}_fb"):
                entry["feedback"] = feedbacks[f"{ident}_fb"]
            choices.append(entry)
        kind = "multiple" if "multiple_response" in profile else "single"
        return {**base, "type": kind, "choices": choices}
    if "fib" in profile:
        answers = [c for c in correct if c.strip()]
        if not answers:
            return None
        return {**base, "type": "text", "answer": answers if len(answers) > 1 else answers[0]}
    return None


def _quiz(cart: _Cartridge, name: str, where: str) -> tuple[str, dict[str, Any]] | None:
    root = parse(cart.tree.read(name), name)
    assessment = next(descendants(root, "assessment"), None)
    if assessment is None:
        return None
    questions = []
    for number, item in enumerate(descendants(assessment, "item"), start=1):
        question = _qti_question(item, number)
        label = f"{where}: {item.get('title') or item.get('ident') or number}"
        if question is None:
            cart.draft.skip(label, _("question type {type} cannot be answered in Ujuzi")
                            .format(type=_profile(item) or "?"))
            continue
        try:
            validate_quiz({"questions": [question]})
        except ManifestError as exc:
            cart.draft.skip(label, str(exc))
            continue
        if "<img" in "".join(m.text or "" for m in descendants(item, "mattext")):
            cart.draft.skip(label, _("its images are left out: quizzes hold text only"))
        questions.append(question)
    if not questions:
        return None
    return assessment.get("title") or "", {"questions": questions}


# -- resources ------------------------------------------------------------------------------------


def _add_item(cart: _Cartridge, section: dict[str, Any], item: Item) -> None:
    draft = cart.draft
    resource = cart.resources.get(item.ref)
    if resource is None:
        draft.skip(item.title, _("refers to resource {ref}, which the cartridge does not define")
                   .format(ref=item.ref))
        return
    kind = resource.get("type", "")
    name = cart.resource_file(resource)
    if "imsbasiclti" in kind:
        draft.skip(item.title, _("an external tool (LTI) that needs a connection"))
        return
    if name is None:
        draft.skip(item.title, _("its file is not in the cartridge"))
        return
    cart.used.add(name)
    if kind == "webcontent" or kind.startswith("associatedcontent"):
        _add_file(cart, section, item.title, name)
    elif "imswl" in kind:
        root = parse(cart.tree.read(name), name)
        url_el = child(root, "url")
        url = url_el.get("href", "") if url_el is not None else ""
        if url and "://" not in url:
            url = "https://" + url
        if not url:
            draft.skip(item.title, _("the web link has no address"))
            return
        draft.add_resource(section, "link", item.title or text(child(root, "title")), [],
                           url=url)
    elif "imsqti" in kind or "assessment" in kind:
        found = _quiz(cart, name, item.title)
        if found is None:
            draft.skip(item.title, _("the assessment has no question Ujuzi can hold"))
            return
        draft.add_quiz(section, pack_path(str(PurePosixPath(name).with_suffix(".quiz.json"))),
                       item.title or found[0], found[1])
    elif "imsdt" in kind or "assignment" in kind:
        root = parse(cart.tree.read(name), name)
        body_el = child(root, "text")
        body = body_el.text or "" if body_el is not None else ""
        is_topic = "imsdt" in kind
        page = pack_path(str(PurePosixPath(name).with_suffix(".html")))
        remark = (_("A discussion topic: talk about it with your group or mentor.") if is_topic
                  else _("An assignment: its submission and grading need the course site."))
        draft.skip(item.title, _("kept as a read-only prompt: {remark}").format(remark=remark))
        draft.add_article(section, page, item.title or text(child(root, "title")),
                          note(remark) + cart.html(body, name, item.title))
    else:
        draft.skip(item.title, _("resource type {type} is not supported").format(type=kind))


def _add_file(cart: _Cartridge, section: dict[str, Any], title: str, name: str) -> None:
    draft = cart.draft
    suffix = PurePosixPath(name).suffix.lower()
    kind = kind_for(name)
    if kind == "article":
        html = cart.tree.read_text(name)
        page = pack_path(name)
        draft.add_article(section, page, title, cart.html(_body(html), name, title))
    elif suffix == ".txt":
        body = "<pre>" + escape(cart.tree.read_text(name)) + "</pre>"
        draft.add_article(section, pack_path(str(PurePosixPath(name).with_suffix(".html"))),
                          title, body)
    elif kind is not None:
        path = cart.assets.get(name) or draft.add_disk(
            pack_path(name), [cart.tree.copy_to(name, draft.staging / "src" / name)],
            mime_for(name))
        draft.add_resource(section, kind, title, [draft.entry(path, "main")])
    else:
        draft.skip(name, _("no viewer for {ext} files").format(ext=suffix or name))


def _sections(cart: _Cartridge, organization: Element | None, title: str) -> None:
    items = _items(organization) if organization is not None else []
    if len(items) == 1 and not items[0].ref and items[0].children:
        items = items[0].children  # the rooted hierarchy's wrapper item
    loose: dict[str, Any] | None = None
    for item in items:
        if item.children:
            loose = None
            section = cart.draft.section(item.title, item.identifier)
            stack = list(item.children)
            flat: list[Item] = []
            while stack:
                node = stack.pop(0)
                flat.append(node)
                stack[0:0] = node.children
            for node in flat:
                if node.ref:
                    _add_item(cart, section, node)
        elif item.ref:
            if loose is None:
                loose = cart.draft.section(title, "main")
            _add_item(cart, loose, item)


def convert(library: Library, path: Path, tree: SourceTree | None, staging: Path,
            reporter: Reporter) -> ImportReport:
    assert tree is not None
    root = parse(tree.read("imsmanifest.xml"), "imsmanifest.xml")
    lom = child(child(root, "metadata"), "lom")
    title_el = child(child(child(lom, "general"), "title"), "string")
    language = language_tag(
        (title_el.get("language") if title_el is not None else None)
        or path_text(lom, "general", "language"), "en")
    draft = PackDraft("imscc", staging, language)
    cart = _Cartridge(tree, draft)
    resources_el = child(root, "resources")
    for resource in children(resources_el, "resource") if resources_el is not None else []:
        cart.resources[resource.get("identifier", "")] = resource
    stem = path.stem if path.is_file() else path.name
    title = text(title_el) or stem
    organizations = child(root, "organizations")
    organization = child(organizations, "organization") if organizations is not None else None
    _sections(cart, organization, title)
    reporter.checkpoint()
    # Files no module used: the course's file area.
    files_section: dict[str, Any] | None = None
    for resource in cart.resources.values():
        if resource.get("type") != "webcontent":
            continue
        name = cart.resource_file(resource)
        if name is None or name in cart.used:
            continue
        cart.used.add(name)
        kind = kind_for(name)
        if kind in ("pdf", "image", "video", "audio"):
            if files_section is None:
                files_section = draft.section(_("Course files"), "course-files")
            _add_file(cart, files_section, PurePosixPath(name).stem, name)
        elif kind is None:
            draft.skip(name, _("no viewer for {ext} files").format(
                ext=PurePosixPath(name).suffix.lower() or name))
    rights = path_text(lom, "rights", "description", "string")
    date = path_text(lom, "lifeCycle", "contribute", "date", "dateTime")
    fields: dict[str, Any] = {
        "id": pack_id("imscc", root.get("identifier") or stem),
        "title": {language: title},
        "license": spdx_licence(rights),
        "attribution": "; ".join(p for p in (title, rights, path.name) if p),
        "source": path.name,
        "created": date[:40] if date else None,
    }
    description = path_text(lom, "general", "description", "string")
    if description:
        fields["description"] = {language: description}
    return finish(library, draft, fields, path, reporter)

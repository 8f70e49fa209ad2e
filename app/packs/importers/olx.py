"""Open edX OLX (course or content library export: folder, ``.tar.gz`` or zip) → a pack.

How the course maps:

- each sequential (subsection) becomes a section titled "<chapter> — <sequential>";
  verticals (units) are followed in order and their components become resources;
- ``html`` components become articles (sanitised; ``/static/`` and ``asset-v1:`` references
  resolved to the export's ``static/`` files, which are attached; missing ones reported);
- ``problem`` components become quizzes when every response is a kind the quiz format can
  hold (multiple choice, checkboxes, dropdown, numerical, text input) and nothing is
  computed by a script; other problems become read-only articles that say plainly they cannot
  be answered here, with their prompts, each dropdown's and choice group's choices as lists
  and answer boxes as visible blanks (reported, with the problem's type);
- ``html`` blocks with nothing for a learner are left out: empty ones, style sheets and
  scripts only, and a few words around buttons that need the course's scripts (the demo
  course's "CSS" and "Do you find this page useful?" blocks); the report counts them. Short
  blocks with real text or a picture stay;
- ``video`` components become ``link`` resources to the hosted video (YouTube or an external
  file), marked as needing a download, with their ``.srt`` transcripts attached as
  subtitles; a video whose file is in ``static/`` becomes a real video resource;
- ``library_content`` contributes all its problems; ``annotatable`` becomes an article with
  its annotations as notes; discussions, polls, surveys, open assessments, LTI tools and
  other XBlocks that need a server are reported.

A content library export (``library.xml``) becomes a pack with one section of its problems.
The course's ``license`` attribute gives the licence (``creative-commons: ver=4.0 BY SA``);
without one the licence is ``NOASSERTION``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, unquote
from xml.etree import ElementTree as StdET

from app.errors import ManifestError, PackError
from app.i18n import _, ngettext
from app.library import Library
from app.packs.importers.common import (
    ImportReport,
    PackDraft,
    finish,
    language_tag,
    mime_for,
    pack_id,
)
from app.packs.importers.html import (
    escape,
    learner_content,
    note,
    replace_embeds,
    rewrite_refs,
    text_of,
)
from app.packs.importers.sources import SourceTree
from app.packs.importers.xmlutil import Element, child, children, local, parse
from app.packs.manifest import validate_quiz
from app.tasks import Reporter

_CONTAINERS = {"conditional", "split_test", "randomize", "unit"}
_SERVER_ONLY = {
    "discussion": "needs the course's online discussion forum",
    "poll": "a poll needs other learners' answers online",
    "survey": "a survey needs other learners' answers online",
    "openassessment": "open response assessment needs peer or staff grading online",
    "edx_sga": "staff-graded assignments need an online submission",
    "staffgradedxblock": "staff-graded assignments need an online submission",
    "lti": "an external tool (LTI) that needs a connection",
    "lti_consumer": "an external tool (LTI) that needs a connection",
    "done": "a completion button; progress is recorded by opening resources",
    "drag-and-drop-v2": "drag and drop is not supported yet",
    "word_cloud": "a word cloud needs other learners' answers online",
    "google-document": "an embedded Google document needs a connection",
    "google-calendar": "an embedded Google calendar needs a connection",
}
_GENERIC_TITLES = {"", "text", "raw html", "html", "iframe tool"}
_SUPPORTED_RESPONSES = {"multiplechoiceresponse", "choiceresponse", "optionresponse",
                        "numericalresponse", "stringresponse"}
_INPUT_TAGS = {"choicegroup", "checkboxgroup", "optioninput", "textline",
               "formulaequationinput", "responseparam", "additional_answer", "stringequalhint",
               "correcthint", "choicehint", "optionhint", "numericalhint"}
_STATIC = re.compile(r"^/?static/(.+)$")
_ASSET = re.compile(r"^/?(?:asset-v1:[^/]*?\+type@asset\+block@|c4x/[^/]+/[^/]+/asset/)(.+)$")


@dataclass
class _Course:
    tree: SourceTree
    draft: PackDraft
    policy: dict[str, dict[str, Any]] = field(default_factory=dict)
    missing_assets: set[str] = field(default_factory=set)
    assets: dict[str, str] = field(default_factory=dict)  # export name -> pack path
    counts: dict[str, int] = field(default_factory=dict)


# -- reading blocks -------------------------------------------------------------------------


def _load(course: _Course, element: Element) -> Element:
    """A block's full definition: the pointer's own file when there is one (``<tag
    url_name="x"/>`` stands for ``tag/x.xml``), with the pointer's attributes and the course
    policy's settings applied."""
    tag = local(element.tag)
    url_name = element.get("url_name")
    result = element
    if url_name and len(element) == 0:
        name = f"{tag}/{url_name.replace(':', '_')}.xml"
        if course.tree.has(name):
            loaded = parse(course.tree.read(name), name)
            for key, value in element.attrib.items():
                loaded.attrib.setdefault(key, value)
            loaded.attrib.setdefault("url_name", url_name)
            result = loaded
    settings = course.policy.get(f"{tag}/{url_name}") if url_name else None
    if settings:
        for key, value in settings.items():
            if isinstance(value, str | int | float) and key not in result.attrib:
                result.attrib[key] = str(value)
    return result


def _title(element: Element, fallback: str = "") -> str:
    return (element.get("display_name") or "").strip() or fallback


def _block_label(element: Element) -> str:
    tag = local(element.tag)
    name = _title(element)
    ident = element.get("url_name", "")
    return f"{tag} {name!r} ({ident})" if name else f"{tag} {ident}".strip()


def _staff_only(course: _Course, element: Element) -> bool:
    """Whether ``element`` is shown to course staff only; such a block is reported as
    skipped."""
    if element.get("visible_to_staff_only", "").lower() != "true":
        return False
    course.draft.skip(_block_label(element), _("visible to course staff only"))
    return True


# -- assets ---------------------------------------------------------------------------------


def _asset(course: _Course, ref: str, where: str) -> str | None:
    """The pack path of an export asset named by ``ref`` (``/static/x.png``, an
    ``asset-v1:`` key, ``/c4x/...``); None for other references. Missing assets are
    reported once."""
    ref = ref.strip()
    match = _STATIC.match(ref) or _ASSET.match(ref)
    if not match:
        return None
    name = unquote(match.group(1).split("?", 1)[0].split("#", 1)[0])
    if name in course.assets:
        return course.assets[name]
    stored = course.tree.resolve(f"static/{name}")
    if stored is None:
        stored = course.tree.resolve(f"static/{name.replace('_', ' ')}")
    if stored is None:
        if name not in course.missing_assets:
            course.missing_assets.add(name)
            course.draft.skip(f"static/{name}",
                              _("referenced by {where} but not in the export").format(
                                  where=where))
        return ""
    path = course.draft.add_disk(
        f"static/{stored[len('static/'):]}",
        [course.tree.copy_to(stored, course.draft.staging / "src" / stored)],
        mime_for(stored),
    )
    course.draft.attach(path)
    course.assets[name] = path
    return path


def _relative(target: str, from_path: str) -> str:
    """``target`` (a pack path) as a URL relative to the pack file ``from_path``."""
    depth = len(PurePosixPath(from_path).parts) - 1
    return quote("../" * depth + target)


def _html_body(course: _Course, html: str, page_path: str, where: str) -> str:
    def mapper(ref: str) -> str | None:
        if ref.startswith("/jump_to_id/") or ref.startswith("/course/"):
            return "#"
        path = _asset(course, ref, where)
        if path is None:
            return None
        return _relative(path, page_path) if path else "#"

    def embedded(url: str) -> None:
        course.draft.skip(where, _("embedded content needs a connection: {url}").format(url=url))

    return replace_embeds(rewrite_refs(html, mapper), embedded)


# -- html, annotatable --------------------------------------------------------------------------


def _inner_xml(element: Element) -> str:
    parts = [element.text or ""]
    for node in element:
        parts.append(StdET.tostring(node, encoding="unicode"))
    return "".join(parts)


def _html_block(course: _Course, section: dict[str, Any], element: Element,
                unit_title: str) -> None:
    label = _block_label(element)
    filename = element.get("filename")
    if filename:
        name = f"html/{filename}.html"
        if not course.tree.has(name):
            course.draft.skip(label, _("its file {name} is not in the export").format(name=name))
            return
        html = course.tree.read_text(name)
    else:
        html = _inner_xml(element)
    emptiness = learner_content(html)
    if emptiness is not None:
        # Style sheets, empty blocks and script-driven widgets are nothing a learner can
        # read offline; the report counts them (one line per kind, not one per block).
        course.counts[f"dropped-{emptiness}"] = course.counts.get(f"dropped-{emptiness}", 0) + 1
        return
    title = _title(element)
    if title.lower() in _GENERIC_TITLES:
        title = unit_title
    url_name = element.get("url_name") or f"html-{len(course.draft.resources)}"
    page = f"html/{url_name}.html"
    body = _html_body(course, html, page, label)
    course.draft.add_article(section, page, title, body, base_id=title)
    course.counts["html"] = course.counts.get("html", 0) + 1


def _annotatable(course: _Course, section: dict[str, Any], element: Element,
                 unit_title: str) -> None:
    notes: list[str] = []
    for annotation in list(element.iter()):
        if local(annotation.tag) != "annotation":
            continue
        notes.append(f"<li><strong>{escape(annotation.get('title', ''))}</strong> "
                     f"{escape(annotation.get('body', ''))}</li>")
        annotation.tag = "mark"
        annotation.attrib.clear()
        marker = StdET.SubElement(annotation, "sup")
        marker.text = f"[{len(notes)}]"
    body = _inner_xml(element)
    if notes:
        body += "<h2>" + escape(_("Annotations")) + "</h2><ol>" + "".join(notes) + "</ol>"
    url_name = element.get("url_name") or "annotatable"
    page = f"annotatable/{url_name}.html"
    title = _title(element, unit_title)
    course.draft.add_article(section, page, title,
                             _html_body(course, body, page, _block_label(element)),
                             base_id=title)


# -- problems -----------------------------------------------------------------------------------


def _plain(element: Element) -> str:
    """Text of an element for a quiz prompt (inline images keep their alt text)."""
    parts = []
    for node in element.iter():
        if local(node.tag) == "img" and node.get("alt"):
            parts.append(f" [{node.get('alt')}] ")
    body = "".join(element.itertext())
    return " ".join((body + "".join(parts)).split())


def _choice_text(choice: Element) -> str:
    parts = [choice.text or ""]
    for node in choice:
        if local(node.tag) not in ("choicehint", "optionhint"):
            parts.append("".join(node.itertext()))
        parts.append(node.tail or "")
    return " ".join("".join(parts).split())


def _feedback(choice: Element) -> str:
    hint = child(choice, "choicehint") or child(choice, "optionhint")
    return " ".join("".join(hint.itertext()).split()) if hint is not None else ""


def _is_true(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


def _number(value: str) -> float | None:
    try:
        return float(value.strip())
    except ValueError:
        return None


class _NotRepresentable(Exception):
    pass


def _question(response: Element, prompt: str, number: int) -> list[dict[str, Any]]:
    """Quiz questions for one response element (a dropdown response may hold several)."""
    tag = local(response.tag)
    label = child(response, "label")
    own = " ".join(
        _plain(node) for node in response
        if local(node.tag) not in _INPUT_TAGS | {"solution", "label"}
    )
    text = " ".join(p for p in (prompt, _plain(label) if label is not None else "", own) if p)
    text = text.strip() or _("Question {n}").format(n=number)
    explanation = ""
    solution = child(response, "solution")
    if solution is not None:
        explanation = _plain(solution)
    base: dict[str, Any] = {"id": f"q{number}", "prompt": text}
    if explanation:
        base["explanation"] = explanation
    if tag in ("multiplechoiceresponse", "choiceresponse"):
        group = child(response, "choicegroup") or child(response, "checkboxgroup")
        if group is None:
            raise _NotRepresentable
        choices = []
        for index, choice in enumerate(children(group, "choice"), start=1):
            entry: dict[str, Any] = {"id": choice.get("name") or f"c{index}",
                                     "text": _choice_text(choice) or str(index),
                                     "correct": _is_true(choice.get("correct"))}
            if _feedback(choice):
                entry["feedback"] = _feedback(choice)
            choices.append(entry)
        kind = "multiple" if tag == "choiceresponse" else "single"
        return [{**base, "type": kind, "choices": choices}]
    if tag == "optionresponse":
        questions = []
        for index, select in enumerate(children(response, "optioninput")):
            options = children(select, "option")
            if options:
                choices = [{"id": f"o{i}", "text": _choice_text(o) or str(i),
                            "correct": _is_true(o.get("correct"))}
                           for i, o in enumerate(options, start=1)]
            else:
                names = re.findall(r"'((?:[^'\\]|\\.)*)'", select.get("options", ""))
                right = select.get("correct", "")
                choices = [{"id": f"o{i}", "text": n or str(i), "correct": n == right}
                           for i, n in enumerate(names, start=1)]
            suffix = "" if index == 0 else f"-{index + 1}"
            questions.append({**base, "id": f"q{number}{suffix}", "type": "single",
                              "choices": choices})
        if not questions:
            raise _NotRepresentable
        return questions
    if tag == "numericalresponse":
        answer = response.get("answer", "").strip()
        tolerance = 0.0
        param = next((p for p in children(response, "responseparam")
                      if p.get("type") == "tolerance"), None)
        value = _number(answer)
        range_match = re.fullmatch(r"[\[(]\s*([-\d.eE+]+)\s*,\s*([-\d.eE+]+)\s*[\])]", answer)
        if value is None and range_match:
            low, high = float(range_match.group(1)), float(range_match.group(2))
            value, tolerance = (low + high) / 2, (high - low) / 2
        if value is None:
            raise _NotRepresentable
        if param is not None:
            raw = param.get("default", "0").strip()
            if raw.endswith("%"):
                percent = _number(raw[:-1])
                if percent is None:
                    raise _NotRepresentable
                tolerance = abs(value) * percent / 100
            else:
                number_value = _number(raw)
                if number_value is None:
                    raise _NotRepresentable
                tolerance = number_value
        question = {**base, "type": "numeric", "answer": value}
        if tolerance:
            question["tolerance"] = tolerance
        return [question]
    if tag == "stringresponse":
        if "regexp" in response.get("type", ""):
            raise _NotRepresentable
        answers = [response.get("answer", "")]
        for extra in children(response, "additional_answer"):
            answers.append(extra.get("answer") or "".join(extra.itertext()))
        answers = [a.strip() for a in answers if a and a.strip()]
        if not answers:
            raise _NotRepresentable
        return [{**base, "type": "text", "answer": answers if len(answers) > 1 else answers[0]}]
    raise _NotRepresentable


def _quiz(problem: Element) -> dict[str, Any]:
    if any(local(n.tag) == "script" for n in problem.iter()):
        raise _NotRepresentable
    questions: list[dict[str, Any]] = []
    context: list[str] = []
    solutions: list[str] = []
    for node in problem:
        tag = local(node.tag)
        if tag.endswith("response"):
            if tag not in _SUPPORTED_RESPONSES:
                raise _NotRepresentable
            questions.extend(_question(node, " ".join(context), len(questions) + 1))
            context = []
        elif tag == "solution":
            solutions.append(_plain(node))
        elif tag not in ("demandhint", "startouttext", "endouttext"):
            if any(local(n.tag).endswith("response") for n in node.iter()):
                raise _NotRepresentable  # a response nested in layout (tables of inputs)
            text = _plain(node)
            if text:
                context.append(text)
    if not questions:
        raise _NotRepresentable
    if solutions and "explanation" not in questions[-1]:
        questions[-1]["explanation"] = " ".join(solutions)
    quiz = {"questions": questions}
    try:
        validate_quiz({"format": "ujuzi-quiz", **quiz})
    except ManifestError:
        raise _NotRepresentable from None
    return quiz


def _problem_types(problem: Element) -> str:
    kinds = sorted({local(n.tag) for n in problem.iter() if local(n.tag).endswith("response")})
    if any(local(n.tag) == "script" for n in problem.iter()):
        kinds.append("script")
    return ", ".join(kinds) or "?"


def _problem(course: _Course, section: dict[str, Any], element: Element,
             unit_title: str) -> None:
    label = _block_label(element)
    title = _title(element, unit_title) or _("Problem")
    url_name = element.get("url_name") or f"problem-{len(course.draft.resources)}"
    course.counts["problem"] = course.counts.get("problem", 0) + 1
    try:
        quiz = _quiz(element)
    except _NotRepresentable:
        quiz = None
    if quiz is not None:
        if any(local(n.tag) == "img" for n in element.iter()):
            course.draft.skip(label, _("its images are left out: quizzes hold text only"))
        course.draft.add_quiz(section, f"problem/{url_name}.quiz.json", title, quiz,
                              base_id=title)
        return
    kinds = _problem_types(element)
    course.draft.skip(label, _("problem type {types} cannot be answered in Ujuzi; kept as "
                               "read-only content").format(types=kinds))
    _readable_problem(element)
    page = f"problem/{url_name}.html"
    body = note(_("This problem cannot be answered here: the online course checks its "
                  "answers. Its text and choices are shown for reading.")) + _inner_xml(element)
    course.draft.add_article(section, page, title, _html_body(course, body, page, label),
                             base_id=title)


_ANSWER_BOXES = {"textline", "formulaequationinput", "textbox", "textinput", "codeinput",
                 "jsinput", "schematic", "imageinput", "drag_and_drop_input", "crystallography",
                 "vsepr_input", "chemicalequationinput", "editamoleculeinput", "editageneinput",
                 "annotationinput", "matlabinput"}
_DROPPED_IN_PROBLEMS = {"script", "style", "responseparam", "demandhint", "choicehint",
                        "optionhint", "correcthint", "stringequalhint", "numericalhint",
                        "additional_answer", "hintgroup"}


def _choice_list(texts: list[str]) -> Element:
    listing = StdET.Element("ul")
    for text in texts:
        item = StdET.SubElement(listing, "li")
        item.text = text
    return listing


def _readable_problem(problem: Element) -> None:
    """Turn a problem's XML, in place, into HTML a reader can follow: prompts and labels as
    paragraphs, each dropdown and choice group as a list of its choices (wherever it sits,
    tables included), each answer box as a visible blank, nothing that runs."""
    for node in list(problem.iter()):
        for gone in [c for c in node if local(c.tag) in _DROPPED_IN_PROBLEMS]:
            node.remove(gone)
    for node in list(problem.iter()):
        tag = local(node.tag)
        if tag in ("choicegroup", "checkboxgroup"):
            texts = [_choice_text(c) for c in children(node, "choice")]
            replacement = _choice_list([t for t in texts if t])
        elif tag == "optioninput":
            options = children(node, "option")
            texts = [_choice_text(o) for o in options] if options else re.findall(
                r"'((?:[^'\\]|\\.)*)'", node.get("options", ""))
            replacement = _choice_list([t for t in texts if t])
        elif tag in _ANSWER_BOXES:
            replacement = StdET.Element("p")
            replacement.text = "[ " + _("Your answer") + " ]"
        elif tag == "solution":
            replacement = StdET.Element("div")
            heading = StdET.SubElement(replacement, "h3")
            heading.text = _("Explanation")
            replacement.extend(list(node))
            if node.text and node.text.strip():
                heading.tail = node.text
        elif tag in ("label", "description"):
            node.tag = "p"
            continue
        elif tag.endswith("response"):
            node.tag = "div"
            node.attrib.clear()
            continue
        else:
            continue
        replacement.tail = node.tail
        node.clear()
        node.tag = replacement.tag
        node.text = replacement.text
        node.extend(list(replacement))
        node.tail = replacement.tail


# -- video --------------------------------------------------------------------------------------


def _json_attr(element: Element, name: str) -> Any:
    raw = element.get(name)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _video(course: _Course, section: dict[str, Any], element: Element,
           unit_title: str) -> None:
    label = _block_label(element)
    title = _title(element, unit_title) or _("Video")
    course.counts["video"] = course.counts.get("video", 0) + 1
    youtube = element.get("youtube_id_1_0") or ""
    if not youtube:
        match = re.search(r"1\.00?:([A-Za-z0-9_-]+)", element.get("youtube") or "")
        youtube = match.group(1) if match else ""
    sources = [s for s in (_json_attr(element, "html5_sources") or []) if isinstance(s, str)]
    sources += [s.get("src", "") for s in children(element, "source") if s.get("src")]
    files: list[dict[str, Any]] = []
    local_video = None
    for source in sources:
        path = _asset(course, source, label)
        if path:
            local_video = path
            break
    transcripts: dict[str, str] = {}
    for lang, name in (_json_attr(element, "transcripts") or {}).items():
        if isinstance(name, str):
            transcripts[str(lang)] = name
    for node in children(element, "transcript"):
        if node.get("language") and node.get("src"):
            transcripts.setdefault(node.get("language", ""), node.get("src", ""))
    subtitle_files = []
    for lang, name in sorted(transcripts.items()):
        path = _asset(course, f"/static/{name}", label)
        if path:
            subtitle_files.append(course.draft.entry(path, "subtitles", language_tag(lang)))
    if local_video:
        files = [course.draft.entry(local_video, "main"), *subtitle_files]
        course.draft.add_resource(section, "video", title, files, base_id=title)
        return
    url = f"https://www.youtube.com/watch?v={youtube}" if youtube else next(
        (s for s in sources if s.startswith(("http://", "https://"))), "")
    if not url:
        course.draft.skip(label, _("the video has no source"))
        return
    course.draft.skip(label, _("external video kept as a link; download it to watch offline: "
                               "{url}").format(url=url))
    course.draft.add_resource(
        section, "link", title, subtitle_files, base_id=title, url=url,
        description={course.draft.language: _(
            "Online video: download it to watch it offline. Its transcripts are included.")
            if subtitle_files else _("Online video: download it to watch it offline.")},
    )


# -- walking the course -------------------------------------------------------------------------


def _component(course: _Course, section: dict[str, Any], pointer: Element,
               unit_title: str) -> None:
    tag = local(pointer.tag)
    try:
        element = _load(course, pointer)
    except PackError as exc:
        course.draft.skip(_block_label(pointer), str(exc))
        return
    if _staff_only(course, element):
        return
    if tag == "html":
        _html_block(course, section, element, unit_title)
    elif tag == "problem":
        _problem(course, section, element, unit_title)
    elif tag == "video":
        _video(course, section, element, unit_title)
    elif tag == "annotatable":
        _annotatable(course, section, element, unit_title)
    elif tag == "library_content":
        problems = [c for c in element if local(c.tag) == "problem"]
        if element.get("max_count") and problems:
            course.draft.skip(_block_label(element), ngettext(
                "randomised selection of {count} is not applied: the {total} problem is "
                "included",
                "randomised selection of {count} is not applied: all {total} problems are "
                "included", len(problems)).format(count=element.get("max_count"),
                                                  total=len(problems)))
        for node in element:
            _component(course, section, node, _title(element, unit_title))
    elif tag in _CONTAINERS or tag == "vertical":
        for node in element:
            _component(course, section, node, _title(element, unit_title))
    elif tag in ("wiki", "course_info", "static_tab", "about"):
        return
    else:
        reason = _SERVER_ONLY.get(tag, "")
        course.draft.skip(_block_label(element), _(reason) if reason else _(
            "the {tag} component has no offline equivalent").format(tag=tag))


def _walk_course(course: _Course, root: Element) -> None:
    for chapter_ptr in children(root, "chapter"):
        chapter = _load(course, chapter_ptr)
        if _staff_only(course, chapter):
            continue
        chapter_title = _title(chapter, _("Chapter"))
        for sequential_ptr in children(chapter, "sequential"):
            sequential = _load(course, sequential_ptr)
            if _staff_only(course, sequential):
                continue
            seq_title = _title(sequential, _("Subsection"))
            section = course.draft.section(f"{chapter_title} — {seq_title}",
                                           sequential.get("url_name") or seq_title)
            course.counts["sequential"] = course.counts.get("sequential", 0) + 1
            for vertical_ptr in sequential:
                vertical = _load(course, vertical_ptr)
                if local(vertical.tag) != "vertical":
                    _component(course, section, vertical, seq_title)
                    continue
                course.counts["vertical"] = course.counts.get("vertical", 0) + 1
                unit_title = _title(vertical, seq_title)
                for node in vertical:
                    _component(course, section, node, unit_title)
        course.counts["chapter"] = course.counts.get("chapter", 0) + 1


def _report_dropped(course: _Course) -> None:
    empty = course.counts.get("dropped-empty", 0)
    widgets = course.counts.get("dropped-widget", 0)
    if empty:
        course.draft.skip(
            ngettext("{count} block with nothing to read (empty or style only)",
                     "{count} blocks with nothing to read (empty or style only)", empty)
            .format(count=empty),
            _("left out: they hold no text or pictures for a learner"))
    if widgets:
        course.draft.skip(
            ngettext("{count} feedback button that needs the online course",
                     "{count} feedback buttons that need the online course", widgets)
            .format(count=widgets),
            _("left out: their buttons only work in the online course"))


def _read_json(tree: SourceTree, name: str) -> Any:
    if not tree.has(name):
        return None
    try:
        return json.loads(tree.read(name).decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return None


def olx_licence(value: str | None) -> str | None:
    """SPDX for the OLX ``license`` attribute (``creative-commons: ver=4.0 BY NC SA``)."""
    if not value:
        return None
    if value.startswith("all-rights-reserved"):
        return "LicenseRef-All-Rights-Reserved"
    if value.startswith("creative-commons"):
        version = re.search(r"ver=([\d.]+)", value)
        flags = [f for f in ("BY", "NC", "ND", "SA") if re.search(rf"\b{f}\b", value)]
        if flags == ["BY", "NC", "ND", "SA"]:
            flags.remove("ND")
        if not flags:
            return "CC0-1.0" if "zero" in value.lower() else None
        return "CC-" + "-".join(flags) + "-" + (version.group(1) if version else "4.0")
    return None


def convert(library: Library, path: Path, tree: SourceTree | None, staging: Path,
            reporter: Reporter) -> ImportReport:
    assert tree is not None
    if tree.has("library.xml") and not tree.has("course.xml"):
        return _convert_library(library, path, tree, staging, reporter)
    top = parse(tree.read("course.xml"), "course.xml")
    org, number = top.get("org", ""), top.get("course", "")
    run = top.get("url_name", "")
    probe = _Course(tree, PackDraft("olx", staging))
    policy = _read_json(tree, f"policies/{run}/policy.json") or {}
    if isinstance(policy, dict):
        probe.policy = {k: v for k, v in policy.items() if isinstance(v, dict)}
    root = _load(probe, top) if run else top
    course_settings = probe.policy.get(f"course/{run}", {})
    language = language_tag(root.get("language") or course_settings.get("language"), "en")
    draft = PackDraft("olx", staging, language)
    course = _Course(tree, draft, probe.policy)
    reporter.report("convert", 0, 1, path.name)
    _walk_course(course, root)
    title = _title(root, str(course_settings.get("display_name") or number or path.name))
    description = ""
    if tree.has("about/short_description.html"):
        description = text_of(tree.read_text("about/short_description.html"))
    cover = None
    # Studio's policy.json overrides the course file's settings.
    images = [str(i) for i in (course_settings.get("course_image"), root.get("course_image"))
              if isinstance(i, str) and i]
    image = next((i for i in images if tree.has(f"static/{i}")), images[0] if images else "")
    if image:
        cover_path = _asset(course, f"/static/{image}", _("the course image"))
        if cover_path:
            draft.set_cover(cover_path)
            cover = cover_path
    instructors = _json_attr(root, "instructor_info") or {}
    authors = [{"name": str(i["name"])} for i in instructors.get("instructors", [])
               if isinstance(i, dict) and i.get("name")]
    ident = "/".join(p for p in (org, number, run) if p)
    fields: dict[str, Any] = {
        "id": pack_id("edx", org, number, run) if ident else pack_id("edx", path.stem),
        "title": {language: title},
        "license": olx_licence(root.get("license")),
        "attribution": _("{title} ({id}), an Open edX course").format(title=title, id=ident),
        "authors": authors,
        "source": path.name,
        "cover": cover,
    }
    if description:
        fields["description"] = {language: description[:20000]}
    _report_dropped(course)
    reporter.report("convert", 1, 1, path.name)
    return finish(library, draft, fields, path, reporter)


def _convert_library(library: Library, path: Path, tree: SourceTree, staging: Path,
                     reporter: Reporter) -> ImportReport:
    root = parse(tree.read("library.xml"), "library.xml")
    draft = PackDraft("olx", staging, "en")
    course = _Course(tree, draft)
    title = _title(root, path.name)
    section = draft.section(title, "library")
    for node in root:
        _component(course, section, node, title)
    _report_dropped(course)
    org, code = root.get("org", ""), root.get("library", "")
    fields = {
        "id": pack_id("edx", "library", org, code) if code else pack_id("edx", path.stem),
        "title": {"en": title},
        "license": olx_licence(root.get("license")),
        "attribution": _("{title} ({id}), an Open edX content library").format(
            title=title, id="/".join(p for p in (org, code) if p)),
        "source": path.name,
    }
    return finish(library, draft, fields, path, reporter)

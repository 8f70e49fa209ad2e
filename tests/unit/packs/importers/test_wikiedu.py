"""Wiki Education training content: libraries, modules, slides, quizzes, translations."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.library import Library
from app.packs.importers import detect_format, import_any
from app.packs.importers.common import ImportReport
from app.search.query import search
from tests.conftest import CORPUS
from tests.unit.packs.importers.helpers import main_text, manifest, resources_by_kind

ROOT = CORPUS / "wikiedu-training" / "training_content"


def _keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k).lstrip(":"): _keys(v) for k, v in value.items()}
    return [_keys(v) for v in value] if isinstance(value, list) else value


def _source() -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """Slides by slug, active modules by slug, archived module slugs, read from the YAML."""
    slides = {}
    for path in sorted((ROOT / "wiki_ed" / "slides").rglob("*.yml")):
        slug = re.sub(r"^\d+-", "", path.stem)
        slides.setdefault(slug, _keys(yaml.safe_load(path.read_text(encoding="utf-8"))))
    modules = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
               for p in (ROOT / "wiki_ed" / "modules").glob("*.yml")}
    archived = [p.stem for p in (ROOT / "wiki_ed" / "modules" / "archived_modules").glob("*.yml")]
    return slides, modules, archived


@pytest.fixture(scope="module")
def training(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Library, ImportReport]]:
    with Library(tmp_path_factory.mktemp("wikiedu")) as library:
        yield library, import_any(library, ROOT)


def test_counts_match_the_yaml(training: tuple[Library, ImportReport]) -> None:
    library, report = training
    assert detect_format(ROOT) == "wikiedu"
    slides, modules, archived = _source()
    assert len(slides) + 0 <= 781 and len(modules) + len(archived) == 81  # SOURCES.md
    data = manifest(library, report.pack_id)
    used = [s["slug"] for m in modules.values() for s in m.get("slides") or []]
    present = [slug for slug in used if slug in slides]
    with_content = [s for s in present if str(slides[s].get("content") or "").strip()]
    with_quiz = [s for s in present if slides[s].get("assessment")]
    english = [r for r in data["resources"] if r["lang"] == "en"]
    assert len(resources_by_kind({"resources": english}, "article")) == len(with_content)
    assert len(resources_by_kind({"resources": english}, "quiz")) == len(with_quiz)
    modules_with_slides = [m for m in modules.values()
                           if any(s["slug"] in slides for s in m.get("slides") or [])]
    assert len(data["sections"]) == len(modules_with_slides)
    missing = {slug for slug in used if slug not in slides}
    assert missing <= {s.item for s in report.skipped}
    archived_names = {yaml.safe_load((ROOT / "wiki_ed" / "modules" / "archived_modules" /
                                      f"{a}.yml").read_text())["name"].strip() for a in archived}
    assert archived_names <= {s.item.strip() for s in report.skipped}
    assert data["license"] == "CC-BY-SA-4.0"
    assert "Wiki Education" in data["attribution"]


def test_library_order_and_titles(training: tuple[Library, ImportReport]) -> None:
    library, report = training
    data = manifest(library, report.pack_id)
    instructors = yaml.safe_load((ROOT / "wiki_ed" / "libraries" / "instructors.yml").read_text())
    first_module = instructors["categories"][0]["modules"][0]
    assert data["sections"][0]["id"] == first_module["slug"]


def test_spanish_translations_are_linked(training: tuple[Library, ImportReport]) -> None:
    library, report = training
    data = manifest(library, report.pack_id)
    by_id = {r["id"]: r for r in data["resources"]}
    talk = by_id["talk-to-each-other"]
    spanish = by_id[talk["translations"]["es"]]
    assert spanish["lang"] == "es" and spanish["title"]["es"] == "¡Comuníquense entre sí!"
    assert spanish["translations"] == {"en": "talk-to-each-other"}
    assert "Slack y Zoom" in main_text(library, spanish)
    assert "es" in data["languages"]


def test_assessments_become_quizzes(training: tuple[Library, ImportReport]) -> None:
    library, report = training
    data = manifest(library, report.pack_id)
    quiz_resource = next(r for r in resources_by_kind(data, "quiz")
                         if r["id"] == "online-images-quiz-quiz")
    quiz = json.loads(main_text(library, quiz_resource))
    [question] = quiz["questions"]
    correct = [c for c in question["choices"] if c["correct"]]
    assert len(question["choices"]) == 4 and correct[0]["id"] == "3"
    assert correct[0]["feedback"].startswith("Correct!")
    assert quiz_resource["translations"]["es"]


def test_embedded_videos_are_links(training: tuple[Library, ImportReport]) -> None:
    library, report = training
    data = manifest(library, report.pack_id)
    page = main_text(library, next(r for r in data["resources"]
                                   if r["id"] == "copyright-and-plagiarism"))
    assert "<iframe" not in page
    assert "https://www.youtube.com/watch?v=KbI1rqRVq7c" in page


def test_training_is_searchable(training: tuple[Library, ImportReport]) -> None:
    library, report = training
    results = search(library, "sandbox", pack=report.pack_id, lang="en")
    assert results.hits and results.hits[0].pack_id == report.pack_id
    assert search(library, "comuníquense", pack=report.pack_id).hits


def test_a_single_flavour_folder_imports_too(library: Library, tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    (folder / "modules").mkdir(parents=True)
    (folder / "slides" / "1-intro").mkdir(parents=True)
    (folder / "modules" / "intro.yml").write_text(
        "name: Intro\nid: 1\nslides:\n  - slug: hello\n  - slug: gone\n")
    (folder / "slides" / "1-intro" / "101-hello.yml").write_text(
        "id: 101\ntitle: Hello\ncontent: |\n  **Bold** words\n")
    report = import_any(library, folder)
    data = manifest(library, report.pack_id)
    assert [r["id"] for r in data["resources"]] == ["hello"]
    assert "<strong>Bold</strong>" in main_text(library, data["resources"][0])
    assert data["license"] == "NOASSERTION"
    assert [s.item for s in report.skipped] == ["gone"]

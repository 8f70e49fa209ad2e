"""Open edX courses read like courses: blocks with nothing for a learner are left out (and the
report says so), problems that cannot be answered read as text and choices, and a video kept
as a link keeps its transcripts where search and the transcript panel find them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.library import Library
from app.packs.importers import import_any
from app.packs.importers.common import ImportReport, licence_label
from app.packs.importers.html import learner_content
from app.search.query import search
from tests.unit.packs.importers.helpers import main_text, manifest, resources_by_kind


def _course(corpus: Path) -> Path:
    return corpus / "openedx-demo-course" / "demo-course" / "course"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Library, ImportReport]]:
    from tests.conftest import CORPUS

    assert CORPUS.is_dir(), CORPUS
    with Library(tmp_path_factory.mktemp("openedx")) as library:
        yield library, import_any(library, _course(CORPUS))


def test_blocks_without_content_are_dropped_and_reported(
        demo: tuple[Library, ImportReport], corpus: Path) -> None:
    library, report = demo
    html_blocks = list((_course(corpus) / "html").glob("*.xml"))
    styles = [p for p in html_blocks if 'display_name="CSS"' in p.read_text()]
    feedback = [p for p in html_blocks if 'display_name="Feedback"' in p.read_text()]
    assert len(styles) == 58 and len(feedback) == 56
    # Before: 307 items. Left out: the 58 style sheets and 56 "Do you find this page useful?"
    # stubs, and 6 more of each kind under other names ("Raw HTML", "Javascript", ...).
    data = manifest(library, report.pack_id)
    assert len(data["resources"]) == report.resources == 307 - 120
    texts = [main_text(library, r) for r in resources_by_kind(data, "article")]
    assert not any("Do you find this page useful" in t for t in texts)
    assert not any(r["title"]["en"] in ("CSS", "Feedback") for r in data["resources"])
    dropped = [s for s in report.skipped if s.reason.startswith("left out:")]
    assert [s.item for s in dropped] == [
        "62 blocks with nothing to read (empty or style only)",
        "58 feedback buttons that need the online course"]
    # Real short pages stay: every other html block of the export is an article.
    assert len([r for r in resources_by_kind(data, "article")
                if r["files"][0]["path"].startswith("html/")]) == 266 - 120
    short = [r for r in resources_by_kind(data, "article") if r.get("duration", 99) <= 5]
    assert short, "short pages with real text are kept"


def test_what_counts_as_content() -> None:
    assert learner_content('<link rel="stylesheet" href="/static/a.css"/>'
                           '<script src="/static/x.js"></script>') == "empty"
    assert learner_content("<div>\n  <p> </p></div>") == "empty"
    assert learner_content('<p>Useful?</p><button onclick="send(1)">😀</button>') == "widget"
    assert learner_content("<p>Well done.</p>") is None  # short, but real
    assert learner_content('<img src="/static/map.png" alt="">') is None
    assert learner_content('<p>Try it:</p><button onclick="f()">Go</button>'
                           "<p>" + "words " * 40 + "</p>") is None


def test_unanswerable_problem_reads_as_text_and_choices(
        demo: tuple[Library, ImportReport]) -> None:
    library, report = demo
    data = manifest(library, report.pack_id)
    by_title = {r["title"]["en"]: r for r in data["resources"]}
    page = main_text(library, by_title["Advanced Dropdown"])
    assert "(type:" not in page and "optionresponse" not in page
    assert "cannot be answered here" in page
    # Each dropdown's choices are listed, as text a reader sees.
    assert page.count("<li>Albert Einstein</li>") == 4
    assert page.count("<li>Germany</li>") == 4
    text = main_text(library, by_title["Advanced text input"])
    assert "6-letter word" in text
    assert "Your answer" in text
    # The report still names the type for the trainer.
    assert any("optionresponse" in s.reason for s in report.skipped)


def test_licence_not_stated_is_said_in_words() -> None:
    assert licence_label("NOASSERTION") == "Licence not stated"
    assert licence_label("CC-BY-SA-4.0") == "Licence: CC-BY-SA-4.0"


def test_link_video_transcripts_are_searchable(demo: tuple[Library, ImportReport]) -> None:
    library, report = demo
    data = manifest(library, report.pack_id)
    reach = next(r for r in resources_by_kind(data, "link")
                 if r["title"]["en"].startswith("The Reach of the Open edX Platform"))
    from app.search.extract import decode_subtitles, subtitle_cues

    entry = next(f for f in reach["files"] if f["role"] == "subtitles" and f["lang"] == "en")
    cues = subtitle_cues(decode_subtitles(library.blobs.path_for(entry["sha256"]).read_bytes()))
    assert len(cues) > 5
    word = max(cues[3][1].split(), key=len).strip(".,")
    hits = search(library, word, pack=report.pack_id).hits
    assert any(hit.resource_id.endswith(reach["id"]) and hit.field == "subtitles"
               for hit in hits)

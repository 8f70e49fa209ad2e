"""Finding what learners remember: body text, PDFs, quizzes, subtitles, transcripts, notes,
in their own language, with typos, narrowed by facets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.library import Library
from app.search.query import Hit, Results, search
from benchmarks.search_relevance import dashboard, help_messages, tips
from tests.unit.search.packs import install, res, vtt
from tests.unit.search.test_extract import pdf_excerpt

PACK = "org.test.search"


def ids(results: Results) -> list[str]:
    return [hit.resource_id.split("/", 1)[1] for hit in results.hits]


def marked(hit: Hit) -> list[str]:
    return [hit.snippet[s:e] for s, e in hit.highlights]


@pytest.fixture
def library_with_content(library: Library, tmp_path: Path, corpus: Path) -> Library:
    en = help_messages(corpus, "en")
    quiz = {"questions": [
        {"id": "q1", "type": "single", "prompt": "Where should a citation go?",
         "choices": [{"id": "a", "text": "At the end of the sentence", "correct": True},
                     {"id": "b", "text": "In the edit summary"}],
         "explanation": "Readers look for the footnote right after the claim."}]}
    subtitles = vtt((0.0, "Karibu kwenye mafunzo."), (8.0, "Sasa tutaongeza marejeleo."),
                    (75.0, "Marejeleo yanaonyesha chanzo cha habari."))
    install(library, tmp_path, [
        res("copyedit", "article", "Copy editing",
            ("copyedit.md", "# Copy editing\n\n" + "\n\n".join(
                tips(corpus, "en", "copyedit-main-value", "copyedit-main-rules1")))),
        res("maths", "pdf", "A book", ("maths.pdf", pdf_excerpt(corpus, range(4, 7)))),
        res("check", "quiz", "Check yourself", ("check.quiz.json", json.dumps(quiz))),
        res("marejeleo", "video", "Marejeleo", ("marejeleo.webm", b"\x1a\x45\xdf\xa3" * 8),
            ("marejeleo.sw.vtt", subtitles, "subtitles", "sw"), lang="sw"),
        res("talk", "audio", "Talk pages", ("talk.mp4", b"\x00" * 64),
            ("talk.txt", "[0:05] Welcome.\n[1:15] Sign your posts with four tildes.\n",
             "transcript")),
        res("commons", "article", "Images",
            ("commons.md", en["growthexperiments-help-panel-suggestededits-tips-vector-"
                              "visualeditor-image-recommendation-text-value"]),
            description="Where the pictures come from"),
    ], skills=["copyediting"])
    return library


def test_words_in_an_article_body_with_highlights(library_with_content: Library) -> None:
    results = search(library_with_content, "trustworthy professional")
    assert ids(results) == ["copyedit"]
    hit = results.hits[0]
    assert (hit.kind, hit.lang, hit.title, hit.field) == ("article", "en", "Copy editing", "body")
    assert sorted(marked(hit)) == ["professional", "trustworthy"]
    assert hit.score > 0 and hit.timestamp is None and hit.match == "all"


def test_words_in_a_pdf_with_the_page(library_with_content: Library) -> None:
    [hit] = search(library_with_content, "disappointment").hits
    assert (hit.resource_id, hit.field, hit.page) == (f"{PACK}/maths", "pdf", 1)
    assert search(library_with_content, "Shelley Milton").hits[0].page == 2


def test_quiz_questions_and_answers(library_with_content: Library) -> None:
    assert ids(search(library_with_content, "footnote claim")) == ["check"]
    [hit] = search(library_with_content, "edit summary").hits
    assert hit.resource_id == f"{PACK}/check" and hit.field == "quiz"


def test_subtitles_give_the_time_the_words_are_spoken(library_with_content: Library) -> None:
    [hit] = search(library_with_content, "chanzo cha habari").hits
    assert (hit.field, hit.timestamp, hit.lang) == ("subtitles", 75.0, "sw")
    assert marked(hit) == ["chanzo", "cha", "habari"]
    assert search(library_with_content, "tutaongeza").hits[0].timestamp == 8.0


def test_transcripts_give_the_time_too(library_with_content: Library) -> None:
    [hit] = search(library_with_content, "tildes").hits
    assert (hit.resource_id, hit.field, hit.timestamp) == (f"{PACK}/talk", "transcript", 75.0)


def test_descriptions_are_searched(library_with_content: Library) -> None:
    [hit] = search(library_with_content, "pictures").hits
    assert hit.resource_id == f"{PACK}/commons" and hit.field == "description"


def test_the_learners_own_notes(library_with_content: Library) -> None:
    library = library_with_content
    note = library.add_note(f"{PACK}/marejeleo", "Ask Grace about Harvard style", at_seconds=42)
    [hit] = search(library, "harvard").hits
    assert (hit.resource_id, hit.field, hit.timestamp, hit.note_id) == (
        f"{PACK}/marejeleo", "note", 42.0, note["id"])
    assert marked(hit) == ["Harvard"]
    library.add_profile("juma")
    assert search(library, "harvard", profile="juma").hits == []  # notes are private
    library.delete_note(note["id"])
    assert search(library, "harvard").hits == []


def test_facets_and_filters(library_with_content: Library, tmp_path: Path,
                            corpus: Path) -> None:
    library = library_with_content
    install(library, tmp_path, [
        res("fr-refs", "article", "Références",
            ("fr.md", tips(corpus, "fr", "references-main-calm")[0]), lang="fr"),
        res("fr-video", "video", "Ajouter une référence", ("v.webm", b"\x1a\x45\xdf\xa3"),
            ("v.vtt", vtt((3.0, tips(corpus, "fr", "references-text-value")[0])),
             "subtitles", "fr"), lang="fr"),
    ], pack_id="org.test.other", languages=["fr"], skills=["citations"])
    everything = search(library, "article")
    assert everything.facets["lang"] == {"en": 1, "fr": 1} or everything.total >= 2
    results = search(library, "référence")
    assert set(ids(results)) == {"fr-refs", "fr-video"}
    assert results.facets["kind"] == {"article": 1, "video": 1}
    assert results.facets["pack"] == {"org.test.other": 2}
    assert results.facets["skill"] == {"citations": 2}
    assert results.total == 2 and results.total_exact
    videos = search(library, "référence", kind="video")
    assert ids(videos) == ["fr-video"] and videos.total == 1
    assert videos.facets["kind"] == {"article": 1, "video": 1}  # what the other choice gives
    assert search(library, "référence", lang="en").hits == []
    assert ids(search(library, "référence", lang="fr", pack="org.test.other",
                      skill="citations", kind="article")) == ["fr-refs"]
    assert search(library, "copy", skill="citations").hits == []
    assert ids(search(library, "copy", skill="copyediting")) == ["copyedit"]


def test_results_as_you_type(library_with_content: Library) -> None:
    library = library_with_content
    assert ids(search(library, "trustw")) == ["copyedit"]
    assert ids(search(library, "punctu")) == ["copyedit"]
    assert search(library, "punctu ").hits == []  # a space: the word is complete
    assert search(library, "trustw", prefix=False).hits == []


def test_phrases_in_quotes(library_with_content: Library) -> None:
    assert ids(search(library_with_content, '"spelling and grammar"')) == ["copyedit"]
    assert search(library_with_content, '"grammar and spelling"').hits == []
    assert ids(search(library_with_content, "grammar spelling")) == ["copyedit"]


def test_typos_get_a_suggestion_and_results_after_exact_ones(
        library_with_content: Library, tmp_path: Path) -> None:
    library = library_with_content
    results = search(library, "grammer")
    assert results.suggestion == "grammar"
    assert ids(results) == ["copyedit"] and results.hits[0].match == "fuzzy"
    assert set(marked(results.hits[0])) == {"grammar"}
    results = search(library, "trustworthy spellling")
    assert results.suggestion == "trustworthy spelling" and ids(results) == ["copyedit"]
    # A resource that really has the rare word comes first; corrections follow it, when
    # the corrected word is far more common (here in 11 resources against 1).
    install(library, tmp_path, [
        res("typo", "article", "Notes", ("t.md", "My grammer notes.")),
        *[res(f"g{i}", "article", f"Lesson {i}", (f"g{i}.md", f"Grammar lesson {i}."))
          for i in range(10)],
    ], pack_id="org.test.typo")
    results = search(library, "grammer", limit=5)
    assert ids(results)[0] == "typo" and len(results.hits) == 5
    assert [hit.match for hit in results.hits] == ["all"] + ["fuzzy"] * 4
    assert results.suggestion == "grammar"
    assert search(library, "grammer", fuzzy=False).suggestion is None


def test_languages_of_the_corpus(library: Library, tmp_path: Path, corpus: Path) -> None:
    hi = dashboard(corpus, "hi")["articles"]
    zh = help_messages(corpus, "zh-hans")
    install(library, tmp_path, [
        res("fr", "article", "Correction", ("fr.md", tips(corpus, "fr", "copyedit-main-value")[0]),
            lang="fr"),
        res("es", "article", "Estilo", ("es.md", tips(corpus, "es", "copyedit-main-calm")[0]),
            lang="es"),
        res("ar", "article", "تحرير", ("ar.md", tips(corpus, "ar", "copyedit-main-rules1")[0]),
            lang="ar"),
        res("sw", "article", "Nakala", ("sw.md", tips(corpus, "sw", "copyedit-main-rules1")[0]),
            lang="sw"),
        res("hi", "article", "लेख", ("hi.md", " ".join(str(hi["character_doc"]).split())),
            lang="hi"),
        res("zh", "article", "图片", ("zh.md", zh["growthexperiments-help-panel-suggestededits-"
                                            "tips-vector-visualeditor-image-recommendation-"
                                            "text-value"]), lang="zh"),
    ], languages=["fr", "es", "ar", "sw", "hi", "zh"])
    cases = {
        "facon ecrit": "fr",  # façon, écrit
        "modifications": "fr",  # modification
        "articulo": "es",  # artículo
        "necesitas conocimientos": "es",  # conocimiento
        "الرسم": "ar",  # الرّسم
        "يمكنك اصلاح": "ar",  # يمكنكَ إصلاح
        "makosa ya herufi": "sw",
        "kurekebish": "sw",
        "संपादक": "hi",  # संपादकों
        "वर्ण": "hi",  # वर्णों
        "共享": "zh",  # 维基共享资源
        "版权": "zh",
    }
    for query, expected in cases.items():
        assert ids(search(library, query)) == [expected], query
    [hit] = search(library, "共享").hits
    assert marked(hit) == ["共享"]
    assert search(library, "الرسم").hits[0].snippet[slice(*search(
        library, "الرسم").hits[0].highlights[0])] == "الرّسم"


def test_limits_offsets_and_an_empty_library(library: Library) -> None:
    assert search(library, "anything").hits == []
    assert search(library, "").hits == [] and search(library, "   ").total == 0


def test_limit_and_offset(library_with_content: Library) -> None:
    every = ids(search(library_with_content, "the", limit=50))
    assert len(every) >= 3
    assert ids(search(library_with_content, "the", limit=2)) == every[:2]
    assert ids(search(library_with_content, "the", limit=2, offset=1)) == every[1:3]
    assert search(library_with_content, "the", limit=0).hits == []


def test_a_snippet_shows_the_words_before_a_match(library: Library, tmp_path: Path) -> None:
    before = " ".join(f"word{i}" for i in range(60))
    install(library, tmp_path, [
        res("long", "article", "Long", ("long.md", f"{before} zanzibarite and after it."))])
    [hit] = search(library, "zanzibarite").hits
    start, end = hit.highlights[0]
    assert hit.snippet[start:end] == "zanzibarite"
    # About a quarter of the snippet's width comes before the match, from a word's start.
    assert hit.snippet.startswith("…word5") and " word59 zanzibarite" in hit.snippet

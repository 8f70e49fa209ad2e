"""Language analysis: the same terms for a document and for what a learner types."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.search.analysis import ANALYSIS_VERSION, analyzer, fingerprint, fold
from app.search.query import parse
from benchmarks.search_relevance import dashboard, help_messages, tips

TOKENIZE = "unicode61 remove_diacritics 0 categories 'L* N* Co M*'"


def surfaces(lang: str | None, text: str) -> list[str]:
    return analyzer(lang).terms(text)[0]


def stems(lang: str, word: str) -> str:
    [(_, _, surface, stem)] = analyzer(lang).word(word)
    return stem or surface


def test_case_accents_and_ligatures_fold_away() -> None:
    assert fold("Éditer") == fold("editer") == "editer"
    assert fold("STRASSE") == fold("Straße") == "strasse"
    assert surfaces("en", "ﬁrst Ḿixed") == ["first", "mixed"]
    assert surfaces("pl", "Łódź") == ["lodz"]


def test_french_real_text_is_found_without_accents(corpus: Path) -> None:
    text = help_messages(corpus, "fr")[
        "growthexperiments-help-panel-suggested-edits-switch-editor-to-wikitext"]
    assert "éditeur" in text
    words = surfaces("fr", text)
    assert "editeur" in words and "visuel" in words
    assert [t.surfaces[0] for t in parse("Éditeur VISUEL", ["fr"])] == ["editeur", "visuel"]


def test_arabic_vowel_marks_hamza_and_tatweel(corpus: Path) -> None:
    [text] = tips(corpus, "ar", "copyedit-main-rules1")
    assert "\u0651" in text and "إصلاح" in text  # shadda, alef with hamza below
    words = surfaces("ar", text)
    assert {"الرسم", "اصلاح", "والصرف", "اخطاء"} <= set(words)
    assert fold("أ") == fold("إ") == fold("آ") == fold("ٱ") == "ا"
    assert fold("تحـــرير") == fold("تَحْرِير") == "تحرير"
    assert fold("مكتبة") == fold("مكتبه") and fold("على") == fold("علي")


def test_hindi_words_keep_their_combining_marks(corpus: Path) -> None:
    """FTS5's default tokenizer cuts Hindi words at vowel signs (measured here); our
    analysis keeps words whole, and so does our FTS5 tokenizer configuration."""
    text = " ".join(str(dashboard(corpus, "hi")["articles"]["character_doc"]).split())
    assert "संपादकों" in text
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE plain USING fts5(body)")
    conn.execute(f'CREATE VIRTUAL TABLE ours USING fts5(body, tokenize="{TOKENIZE}")')
    conn.execute("INSERT INTO plain VALUES (?)", (text,))
    conn.execute("INSERT INTO ours VALUES (?)", (" ".join(surfaces("hi", text)),))
    for table in ("plain", "ours"):
        conn.execute(f"CREATE VIRTUAL TABLE {table}_v USING fts5vocab({table}, 'row')")
    plain = {row[0] for row in conn.execute("SELECT term FROM plain_v")}
    ours = {row[0] for row in conn.execute("SELECT term FROM ours_v")}
    assert "संपादकों" not in plain and "स" in plain  # cut into fragments
    assert {"संपादकों", "लेखों", "वर्णों", "प्रारंभिक"} <= ours
    assert ours == set(surfaces("hi", text))


def test_hindi_spelling_variants_fold() -> None:
    assert fold("क़लम") == fold("कलम")  # nukta
    assert fold("हँसी") == fold("हंसी")  # chandrabindu and anusvara
    assert surfaces("hi", "अनु\u200cभाग") == ["अनुभाग"]  # zero-width non-joiner


def test_chinese_and_japanese_runs_become_bigrams(corpus: Path) -> None:
    zh = help_messages(corpus, "zh-hans")[
        "growthexperiments-help-panel-suggestededits-tips-vector-visualeditor-image-"
        "recommendation-text-value"]
    terms = surfaces("zh", zh)
    assert {"共享", "维基", "百科", "图片"} <= set(terms)
    assert surfaces(None, "用Wikipedia编辑") == ["用", "wikipedia", "编辑"]
    ja = help_messages(corpus, "ja")
    text = next(v for v in ja.values() if "編集" in v)
    assert "編集" in surfaces("ja", text)


def test_stemmers_follow_the_language() -> None:
    assert stems("en", "citations") == stems("en", "citation")
    assert stems("fr", "modifications") == stems("fr", "modification")
    assert stems("es", "citas") == stems("es", "cita")
    assert stems("es", "artículos") == stems("es", "articulo")
    assert stems("hi", "लेखों") == stems("hi", "लेख")
    assert stems("ar", "المراجع") == stems("ar", "مراجع")
    assert stems("sw", "marekebisho") == "marekebisho"  # no Swahili stemmer: words as they are
    assert stems("zz", "citations") == "citations"


def test_a_query_meets_the_document_in_the_same_form(corpus: Path) -> None:
    """Typing any message of the corpus gives exactly the document's terms."""
    for lang, file in [("en", "en"), ("fr", "fr"), ("es", "es"), ("ar", "ar"), ("sw", "sw"),
                       ("hi", "hi"), ("zh", "zh-hans")]:
        for text in list(help_messages(corpus, file).values())[:40]:
            doc = surfaces(lang, text)
            query = [s for term in parse(text, [lang], prefix=False) for s in term.surfaces]
            assert set(query) <= set(doc), (lang, text)


def test_spans_point_into_the_original_text() -> None:
    text = "Éditer les CITATIONS, puis l'éditeur: 维基百科!"
    spans = analyzer("fr").spans(text, {"editer", "百科"}, {"citat"})
    assert [text[s:e] for s, e in spans] == ["Éditer", "CITATIONS", "百科"]


def test_fingerprint_names_the_analysis() -> None:
    assert fingerprint().startswith(f"{ANALYSIS_VERSION}/pystemmer-")
    assert "unicode-" in fingerprint()

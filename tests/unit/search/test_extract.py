"""Text out of pack files: articles, quizzes, subtitles, transcripts and PDFs."""

from __future__ import annotations

import io
import json
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from app.packs.manifest import QUIZ_MIME
from app.search.extract import (
    Segment,
    file_segments,
    html_text,
    markdown_text,
    pdf_pages,
    quiz_text,
    subtitle_cues,
    transcript_lines,
)

SAMPLES = "media-samples/ricecooker"


def test_markdown_keeps_words_and_drops_markup() -> None:
    text = markdown_text(
        "# Citing sources\n\nAdd a **citation** with [the cite tool](https://example.org/x)."
        "\n\n![A map of Nairobi](map.png)\n\n- one\n- <b>two</b>\n\n```\ncode stays\n```\n"
    )
    assert "Citing sources" in text and "citation with the cite tool" in text
    assert "A map of Nairobi" in text and "code stays" in text
    assert "https" not in text and "**" not in text and "<b>" not in text


def test_html_through_a_real_parser() -> None:
    text = html_text(
        "<html><head><title>T</title><style>p{color:red}</style></head><body>"
        "<script>var hidden = 1;</script><p>Caf&eacute; &amp; th&eacute;</p>"
        "<p>second<br>line<img src='x.png' alt='a photo'></p></body></html>"
    )
    assert text.splitlines() == ["Café & thé", "second", "line a photo"]
    assert "hidden" not in text and "color" not in text


def test_quiz_questions_choices_and_answers() -> None:
    quiz = {"questions": [
        {"id": "q1", "type": "single", "prompt": "Which source is **reliable**?",
         "choices": [{"id": "a", "text": "A peer-reviewed journal", "correct": True,
                      "feedback": "Yes: journals check facts."},
                     {"id": "b", "text": "An anonymous blog"}],
         "explanation": "Editors prefer independent sources."},
        {"id": "q2", "type": "text", "prompt": "Name the tag for a footnote.", "answer": "ref"},
        {"id": "q3", "type": "numeric", "prompt": "How many pillars?", "answer": 5},
    ]}
    text = quiz_text(json.dumps(quiz))
    for words in ("Which source is reliable?", "peer-reviewed journal", "journals check facts",
                  "anonymous blog", "independent sources", "footnote", "ref"):
        assert words in text
    assert quiz_text("not json") == "" and quiz_text("[1, 2]") == ""


def test_subtitle_cues_keep_their_start_times() -> None:
    vtt = ("WEBVTT - a title\n\nNOTE a comment\n\n1\n00:00:01.500 --> 00:00:04.000 align:start\n"
           "<v Amina>Habari <i>za</i> asubuhi</v>\n\n01:02:03.000 --> 01:02:05.000\n"
           "Karibu &amp; asante\nmstari wa pili\n")
    assert subtitle_cues(vtt) == [(1.5, "Habari za asubuhi"),
                                  (3723.0, "Karibu & asante mstari wa pili")]
    srt = "1\r\n00:00:07,250 --> 00:00:09,000\r\nBienvenue\r\n\r\n2\r\n00:01:15,000 --> " \
          "00:01:18,000\r\nles citations\r\n"
    assert subtitle_cues(srt) == [(7.25, "Bienvenue"), (75.0, "les citations")]


def test_transcript_lines_with_and_without_times() -> None:
    text = "[0:05] Welcome to the course.\n\n00:01:15 Now we add a citation.\nNo time here.\n"
    assert transcript_lines(text) == [(5.0, "Welcome to the course."),
                                      (75.0, "Now we add a citation."),
                                      (None, "No time here.")]


def pdf_excerpt(corpus: Path, pages: range) -> bytes:
    """Some pages of a real PDF (Whitehead's Introduction to Mathematics, public domain)."""
    reader = PdfReader(corpus / SAMPLES / "gutenberg-41568-whitehead-introduction-to-"
                                          "mathematics.pdf")
    writer = PdfWriter()
    for number in pages:
        writer.add_page(reader.pages[number])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pdf_text_by_page(corpus: Path, tmp_path: Path) -> None:
    path = tmp_path / "excerpt.pdf"
    path.write_bytes(pdf_excerpt(corpus, range(4, 7)))
    pages = list(pdf_pages(path))
    assert [number for number, _ in pages] == [1, 2, 3]
    assert "THE ABSTRACT NATURE OF MATHEMATICS" in pages[0][1]
    assert "disappointment" in pages[0][1]  # hyphenated across a line end, joined again
    assert list(pdf_pages(corpus / SAMPLES / "broken.pdf")) == []


def test_files_are_read_by_mime_and_role(tmp_path: Path) -> None:
    def seg(name: str, data: str, mime: str, role: str = "main") -> list[Segment]:
        path = tmp_path / name
        path.write_text(data, encoding="utf-8")
        return file_segments(path, {"path": name, "mime": mime, "role": role}, "en")

    assert seg("a.md", "# Hi\n\nthere", "text/markdown") == [Segment("body", "Hi\nthere", "en")]
    assert seg("a.html", "<p>Hi</p>", "text/html")[0].text == "Hi"
    assert seg("q.quiz.json", '{"questions": []}', QUIZ_MIME) == []
    cues = seg("s.vtt", "WEBVTT\n\n00:00:02.000 --> 00:00:03.000\nHola\n", "text/vtt",
               "subtitles")
    assert cues == [Segment("subtitles", "Hola", "en", start=2.0)]
    assert seg("t.txt", "[0:09] line", "text/plain", "transcript")[0].start == 9.0
    assert seg("v.webm", "not text", "video/webm") == []
    assert seg("thumb.png", "x", "image/png", "thumbnail") == []
    assert file_segments(tmp_path / "missing.md",
                         {"path": "missing.md", "mime": "text/markdown", "role": "main"},
                         "en") == []

"""ZIM files written with libzim's own writer, full-text and title indexes on: the ZIM
benchmark's wiki and the tests' (``tests/unit/search/zimfiles.py``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from libzim.writer import Creator, Hint, Item, StringProvider


class _Article(Item):
    def __init__(self, path: str, title: str, html: str) -> None:
        super().__init__()
        self.path, self.title, self.html = path, title, html

    def get_path(self) -> str:
        return self.path

    def get_title(self) -> str:
        return self.title

    def get_mimetype(self) -> str:
        return "text/html"

    def get_contentprovider(self) -> StringProvider:
        return StringProvider(self.html)

    def get_hints(self) -> dict[Hint, int]:
        return {Hint.FRONT_ARTICLE: True}


def page(title: str, *paragraphs: str) -> str:
    """An article's HTML: ``title`` and ``paragraphs`` are HTML already (escape plain text)."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html><head><title>{title}</title><style>p {{ margin: 0 }}</style></head>"
            f"<body><h1>{title}</h1>{body}</body></html>")


def write_zim(path: Path, articles: Iterable[tuple[str, str, str]],
              metadata: Mapping[str, str], language: str = "eng",
              workers: int | None = None) -> Path:
    """A ZIM of a main page ``A/Main`` and ``articles`` (entry path, title, HTML), with
    ``metadata`` and its ``Language``, indexed in ``language`` by ``workers`` threads
    (libzim's default if None)."""
    creator = Creator(path).config_indexing(True, language)
    if workers is not None:
        creator.config_nbworkers(workers)
    with creator:
        creator.set_mainpath("A/Main")
        for key, value in {**metadata, "Language": language}.items():
            creator.add_metadata(key, value)
        creator.add_item(_Article("A/Main", "Main page", page("Main page", "Welcome.")))
        for entry, title, html in articles:
            creator.add_item(_Article(entry, title, html))
    return path

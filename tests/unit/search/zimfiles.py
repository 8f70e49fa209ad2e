"""ZIM files written at test time with libzim's own writer, with a full-text index."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from libzim.writer import Creator, Hint, Item, StringProvider

#: Words every generated article is made of (so that a common word matches them all).
WORDS = ("river", "mountain", "forest", "village", "school", "teacher", "library", "history",
         "music", "garden", "harvest", "market")


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
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html><head><title>{title}</title><style>p {{ margin: 0 }}</style></head>"
            f"<body><h1>{title}</h1>{body}</body></html>")


def make_zim(path: Path, count: int, extra: Mapping[int, str] = {},
             language: str = "eng", name: str = "testwiki") -> Path:
    """A ZIM of a main page and ``count`` articles ``A/Article_<i>`` titled ``Article <i>``,
    each of three paragraphs of :data:`WORDS`; ``extra[i]`` is a sentence added to the
    middle paragraph of article ``i``. Indexed (full text and titles) in ``language``."""
    with Creator(path).config_indexing(True, language).config_nbworkers(1) as creator:
        creator.set_mainpath("A/Main")
        for key, value in (("Title", f"Test wiki {name}"), ("Name", name),
                           ("Language", language), ("Creator", "The tests"),
                           ("Description", "Articles written by the test suite")):
            creator.add_metadata(key, value)
        creator.add_item(_Article("A/Main", "Main page", page("Main page", "Welcome.")))
        for index in range(count):
            paragraphs = [" ".join(WORDS[(index * 7 + j * 5 + k) % len(WORDS)]
                                   for k in range(30)) + "." for j in range(3)]
            if index in extra:
                paragraphs[1] += " " + extra[index]
            creator.add_item(_Article(f"A/Article_{index}", f"Article {index}",
                                      page(f"Article {index}", *paragraphs)))
    return path

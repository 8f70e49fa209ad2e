"""ZIM files written at test time with libzim's own writer, with a full-text index."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from benchmarks.zim_writer import page, write_zim

#: Words every generated article is made of (so that a common word matches them all).
WORDS = ("river", "mountain", "forest", "village", "school", "teacher", "library", "history",
         "music", "garden", "harvest", "market")


def make_zim(path: Path, count: int, extra: Mapping[int, str] = {},
             language: str = "eng", name: str = "testwiki") -> Path:
    """A ZIM of a main page and ``count`` articles ``A/Article_<i>`` titled ``Article <i>``,
    each of three paragraphs of :data:`WORDS`; ``extra[i]`` is a sentence added to the
    middle paragraph of article ``i``. Indexed (full text and titles) in ``language``."""
    def articles() -> Iterator[tuple[str, str, str]]:
        for index in range(count):
            paragraphs = [" ".join(WORDS[(index * 7 + j * 5 + k) % len(WORDS)]
                                   for k in range(30)) + "." for j in range(3)]
            if index in extra:
                paragraphs[1] += " " + extra[index]
            yield f"A/Article_{index}", f"Article {index}", page(f"Article {index}", *paragraphs)

    return write_zim(path, articles(), {"Title": f"Test wiki {name}", "Name": name,
                                        "Creator": "The tests",
                                        "Description": "Articles written by the test suite"},
                     language, workers=1)

"""What ``downloads/`` keeps: the files of unfinished downloads, nothing else."""

from __future__ import annotations

from app.library import Library
from app.sync.downloads import tidy


def test_files_no_unfinished_download_needs_are_removed(library: Library) -> None:
    stale_part = library.layout.download_part("ab" * 32)
    stale_done = library.layout.download_done("cd" * 32)
    for path in (stale_part, stale_done):
        path.write_bytes(b"left by a crash")
    assert tidy(library) == 2
    assert list(library.layout.downloads.iterdir()) == []

"""Articles that live inside a ZIM: read from the ZIM on demand, never the whole file.

A ZIM resource's main file is the ZIM itself (possibly 100 GB); its ``url`` names the entry
(``zim://A/Foo``). The article viewer hands such resources here: the entry is read with
libzim, its links to entries the pack lists become links to those resources, and its images
are read from the ZIM too (decoded within a box and the pixel budget, :mod:`app.ui.images`,
like any article's).

Search finds articles a pack does not list (a big ZIM lists its main page and an index):
such a hit names its entry, and the resource page shows the index resource at that entry
(:func:`at_entry`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtGui import QImage

from app import articles
from app.errors import UjuziError
from app.library import Library
from app.packs.importers.zim import URL_PREFIX, entry_path_of, zim_entry
from app.ui.images import load_image_within

#: pictures are decoded to fit this box (never larger, whatever size they claim)
MAX_IMAGE_WIDTH = 900
MAX_IMAGE_HEIGHT = 4000


def at_entry(resource: dict[str, Any], entry: str) -> dict[str, Any]:
    """A ZIM resource showing another entry of its ZIM (from the top of the article)."""
    if entry_path_of(resource.get("url")) in (None, entry):
        return resource  # not a ZIM resource, or the one that shows this very entry
    progress = {**resource.get("progress", {}), "position": 0.0}
    return {**resource, "url": URL_PREFIX + entry, "progress": progress}


def load_zim_article(library: Library, resource: dict[str, Any],
                     main: dict[str, Any]) -> tuple[Any, dict[str, QImage]]:
    blob = Path(main["blob"])
    path, content, mimetype = zim_entry(blob, entry_path_of(resource.get("url")) or "")
    by_entry: dict[str, str] = {}
    for resource_id, url in library.resource_urls(resource["pack_id"]):
        entry = entry_path_of(url)
        if entry:
            by_entry.setdefault(entry, resource_id)
    rendered = articles.render(content.decode("utf-8", "replace"), mimetype, path,
                               by_entry.get)
    images: dict[str, QImage] = {}
    box = QSize(MAX_IMAGE_WIDTH, MAX_IMAGE_HEIGHT)
    for image_path in rendered.images:
        if image_path in images:
            continue
        try:
            _resolved, data, _mime = zim_entry(blob, image_path)
        except UjuziError:  # a missing picture must not stop the article
            continue
        image = load_image_within(data, box)
        if image is not None:
            images[image_path] = image
    return rendered, images

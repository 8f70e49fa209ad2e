"""The window under packs made to hurt it: pictures that claim absurd sizes, and titles, texts
and links that try to pass for rich text or reach local files."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from PySide6 import QtGui
from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QTextDocument
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.library import Library
from app.packs.archive import manifest_bytes, write_pack
from app.packs.importer import import_pack
from tests.packs import file_entry
from tests.ui.conftest import Dialogs, OpenWindow, mark_seeded, png_bytes, wait_loaded

HOSTILE_ID = "org.test.hostile"
HOSTILE = '<a href="file:///etc/passwd">click</a><img src=x>'
#: 112 bytes of SVG that ask for a picture 4000 times taller than wide
TALL_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="4000">'
            b'<rect width="1" height="4000" fill="#c00"/></svg>\n').ljust(112, b" ")


def huge_png_header(width: int = 60_000, height: int = 60_000) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` (14 GB as RGBA), with almost no
    pixel data behind it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def make_hostile_pack(out: Path) -> dict[str, Any]:
    root = out.parent / f".src-{out.stem}"
    article = (f"# Pictures\n\n![tall](tall.svg)\n\n![huge](huge.png)\n\n"
               f"![wide](wide.png)\n\n{HOSTILE}\n").encode()
    resources: list[dict[str, Any]] = [
        {"id": "pictures", "kind": "article", "lang": "en", "title": {"en": HOSTILE},
         "files": [file_entry(root, "pictures.md", article, "text/markdown")]},
        {"id": "first", "kind": "article", "lang": "en", "title": {"en": "First"},
         "files": [file_entry(root, "first.md", b"# First\n\nHello.\n", "text/markdown")]},
        {"id": "tall", "kind": "image", "title": {"en": "Tall"},
         "files": [file_entry(root, "tall.svg", TALL_SVG, "image/svg+xml")]},
        {"id": "huge", "kind": "image", "title": {"en": "Huge"},
         "files": [file_entry(root, "huge.png", huge_png_header(), "image/png")]},
        {"id": "web", "kind": "link", "title": {"en": "On the web"},
         "url": "https://example.org/?q=<b>bold</b>", "files": []},
    ]
    pack_files = [file_entry(root, "cover.svg", TALL_SVG, "image/svg+xml", role="cover"),
                  file_entry(root, "wide.png", png_bytes(2000, 10), "image/png",
                             role="attachment")]
    manifest: dict[str, Any] = {
        "format": "ujuzi-pack", "format_version": 1, "id": HOSTILE_ID, "version": "1.0.0",
        "title": {"en": HOSTILE}, "description": {"en": HOSTILE},
        "languages": ["en"], "license": "CC-BY-SA-4.0", "attribution": HOSTILE,
        "cover": "cover.svg",
        "sections": [{"id": "main", "title": {"en": HOSTILE},
                      "resources": [r["id"] for r in resources]}],
        "resources": resources, "files": pack_files,
    }
    sources = {e["path"]: root / e["path"] for r in resources for e in r["files"]}
    sources.update({e["path"]: root / e["path"] for e in pack_files})
    write_pack(out, manifest_bytes(manifest), manifest, sources)
    return manifest


@pytest.fixture
def hostile(library: Library, tmp_path: Path) -> Library:
    make_hostile_pack(tmp_path / "hostile.ujpack")
    import_pack(library, tmp_path / "hostile.ujpack")
    mark_seeded(library)
    return library


def within(image: QImage | None, box: QSize) -> bool:
    return image is not None and not image.isNull() and 0 < image.width() <= box.width() \
        and 0 < image.height() <= box.height()


# -- pictures -------------------------------------------------------------------------------


def test_pictures_are_decoded_within_a_box_and_a_budget(tmp_path: Path) -> None:
    from app.ui.images import load_image_within

    tall = tmp_path / "tall.svg"
    tall.write_bytes(TALL_SVG)
    box = QSize(480, 240)
    cover = load_image_within(tall, box, fill=True)
    assert cover is not None and cover.size() == box  # cropped to fill the box
    fitted = load_image_within(tall, box)
    assert fitted is not None and fitted.height() == 240 and fitted.width() == 1
    assert within(load_image_within(TALL_SVG, QSize(100, 100)), QSize(100, 100))  # bytes
    huge = tmp_path / "huge.png"
    huge.write_bytes(huge_png_header())
    assert load_image_within(huge, box) is None
    assert load_image_within(huge, box, fill=True) is None
    # A picture larger than the budget is refused before it is decoded...
    big = tmp_path / "big.png"
    big.write_bytes(png_bytes(400, 300))
    assert load_image_within(big, QSize(40, 30), budget=100 * 100) is None
    # ...one within it is decoded and scaled into the box, keeping its shape.
    small = load_image_within(big, QSize(40, 40))
    assert small is not None and small.size() == QSize(40, 30)
    assert load_image_within(tmp_path / "missing.png", box) is None
    assert load_image_within(b"not a picture", box) is None


def test_hostile_pictures_stay_within_their_boxes(
    qtbot: QtBot, hostile: Library, open_window: OpenWindow
) -> None:
    from app.ui.viewers import article, image

    ctx, window = open_window()
    assert within(ctx.covers.get(HOSTILE_ID), QSize(480, 240))
    wait_loaded(qtbot, window, "library")
    window.grab()  # paints the cards with their covers
    pack = wait_loaded(qtbot, window, "pack", pack_id=HOSTILE_ID)
    assert within(pack.cover_image, QSize(320, 320))
    window.grab()

    page = wait_loaded(qtbot, window, "resource", resource_id=f"{HOSTILE_ID}/tall")
    viewer = page.viewer
    assert isinstance(viewer, image.ImageViewer)
    assert within(viewer.image, image.MAX_IMAGE) and viewer.image.height() == 4000
    for _ in range(30):
        viewer.zoom_in.click()
    picture = viewer.picture.pixmap()
    assert picture.width() * picture.height() <= image.MAX_SHOWN_PIXELS

    page = wait_loaded(qtbot, window, "resource", resource_id=f"{HOSTILE_ID}/huge")
    viewer = page.viewer
    assert viewer.image.isNull()
    assert viewer.message.isVisible() and "cannot be shown" in viewer.message.text()
    viewer.zoom_in.click()  # nothing to zoom, nothing breaks

    page = wait_loaded(qtbot, window, "resource", resource_id=f"{HOSTILE_ID}/pictures")
    document = page.viewer.browser.document()
    box = QSize(article.MAX_IMAGE_WIDTH, article.MAX_IMAGE_HEIGHT)
    for path, size in (("tall.svg", QSize(1, article.MAX_IMAGE_HEIGHT)),
                       ("wide.png", QSize(article.MAX_IMAGE_WIDTH, 4))):
        picture = document.resource(QTextDocument.ResourceType.ImageResource,
                                    QUrl(f"pack:{path}"))
        assert within(picture, box) and picture.size() == size, path
    assert document.resource(QTextDocument.ResourceType.ImageResource,
                             QUrl("pack:huge.png")) is None


def test_articles_never_read_files_outside_their_pack(
    qtbot: QtBot, hostile: Library, open_window: OpenWindow, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.png"
    outside.write_bytes(png_bytes(8, 8))
    _ctx, window = open_window(f"{HOSTILE_ID}/pictures")
    browser = window.pages["resource"].viewer.browser
    for url in (QUrl.fromLocalFile(str(outside)), QUrl("outside.png"),
                QUrl("pack:../outside.png")):
        assert browser.loadResource(QTextDocument.ResourceType.ImageResource.value, url) \
            is None, url.toString()


# -- pack text is plain text ----------------------------------------------------------------


def plain_in_tooltip(tip: str, text: str) -> bool:
    """What a tooltip shows (Qt renders it as rich text when it looks like HTML) contains
    ``text`` literally."""
    if not QtGui.Qt.mightBeRichText(tip):
        return text in tip
    document = QTextDocument()
    document.setHtml(tip)
    return text in document.toPlainText()


def labels_showing(window: Any, text: str) -> list[QLabel]:
    return [w for w in window.findChildren(QLabel) if text in w.text()]


def test_pack_text_is_shown_as_plain_text(
    qtbot: QtBot, hostile: Library, open_window: OpenWindow, dialogs: Dialogs
) -> None:
    ctx, window = open_window()
    home = window.pages["home"]
    shown = labels_showing(home, HOSTILE)
    assert shown and all(w.textFormat() == Qt.TextFormat.PlainText for w in shown)

    library = wait_loaded(qtbot, window, "library")
    index = library.proxy.index(0, 0)
    assert index.data() == HOSTILE
    assert plain_in_tooltip(index.data(Qt.ItemDataRole.ToolTipRole), HOSTILE)

    pack = wait_loaded(qtbot, window, "pack", pack_id=HOSTILE_ID)
    assert pack.title.text() == HOSTILE
    shown = labels_showing(pack, HOSTILE)
    assert {pack.title, pack.description, pack.licence} <= set(shown)
    assert all(w.textFormat() == Qt.TextFormat.PlainText for w in shown)
    crumbs = window.topbar.crumbs
    document = QTextDocument()
    document.setHtml(crumbs.text())
    assert HOSTILE in document.toPlainText() and '<a href="file' not in crumbs.text()
    assert plain_in_tooltip(pack.continue_button.toolTip(), HOSTILE)  # "Next up: ..."
    resource = wait_loaded(qtbot, window, "resource", resource_id=f"{HOSTILE_ID}/first")
    assert plain_in_tooltip(resource.previous.toolTip(), HOSTILE)
    resource = wait_loaded(qtbot, window, "resource", resource_id=f"{HOSTILE_ID}/pictures")
    assert resource.title.text() == HOSTILE
    assert resource.title.textFormat() == Qt.TextFormat.PlainText
    pack = wait_loaded(qtbot, window, "pack", pack_id=HOSTILE_ID)

    # The question before removing the pack shows its title as it is.
    pack.remove_button.click()
    box = dialogs.boxes[-1]
    assert HOSTILE in box.text() and box.textFormat() == Qt.TextFormat.PlainText
    assert hostile.has_pack(HOSTILE_ID)

    # An error that quotes pack text shows it as it is.
    from app.errors import UjuziError

    ctx.show_error(UjuziError(HOSTILE))
    box = dialogs.boxes[-1]
    assert box.text() == HOSTILE and box.textFormat() == Qt.TextFormat.PlainText
    dialogs.errors.clear()


def test_links_open_only_on_the_web(
    qtbot: QtBot, hostile: Library, open_window: OpenWindow, dialogs: Dialogs,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.ui.viewers.link import LinkViewer

    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    ctx, window = open_window(f"{HOSTILE_ID}/web")
    for url in ("file:///etc/passwd", "FILE:///etc/passwd", "javascript:alert(1)",
                "smb://server/share", "/etc/passwd", "ujuzi:resource/x", "data:text/html,x"):
        viewer = LinkViewer(ctx)
        qtbot.addWidget(viewer)
        viewer.load({"id": "x/y", "url": url, "description": {}}, 0.0)
        assert not viewer.open_button.isEnabled(), url
        assert "cannot be opened" in viewer.note.text(), url
        viewer._open()
        assert dialogs.boxes == [] and opened == [], url
    viewer.load({"id": "x/y", "url": "mailto:someone@example.org", "description": {}}, 0.0)
    assert viewer.open_button.isEnabled()

    viewer = window.pages["resource"].viewer
    assert isinstance(viewer, LinkViewer)
    assert viewer.open_button.isEnabled()
    dialogs.answers.append(dialogs.Open)
    viewer.open_button.click()
    box = dialogs.boxes[-1]
    assert "<b>bold</b>" in box.text() and box.textFormat() == Qt.TextFormat.PlainText
    assert opened == [QUrl("https://example.org/?q=<b>bold</b>")]

"""Makes real ``.ujpack`` files for tests, without going through the folder builder."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from app.packs.archive import manifest_bytes, write_pack

ARTICLE = "# {title}\n\nThis article explains {title} in a few sentences for the tests.\n"


def file_entry(root: Path, rel: str, data: bytes, mime: str, role: str = "main",
               lang: str | None = None) -> dict[str, Any]:
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    entry: dict[str, Any] = {
        "path": rel,
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "mime": mime,
        "role": role,
    }
    if lang:
        entry["lang"] = lang
    return entry


def make_pack(
    out: Path,
    pack_id: str = "org.test.sample",
    version: str = "1.0.0",
    articles: dict[str, str] | None = None,
    media: dict[str, bytes] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write a pack with one article per entry of ``articles`` (id -> text) and one video per
    entry of ``media`` (id -> bytes); return its manifest."""
    root = out.parent / f".src-{out.stem}"
    articles = {"intro": ARTICLE.format(title="Intro")} if articles is None else articles
    media = media or {}
    resources = []
    for local_id, text in articles.items():
        resources.append({
            "id": local_id, "kind": "article", "lang": "en",
            "title": {"en": local_id.replace("-", " ").title()},
            "files": [file_entry(root, f"articles/{local_id}.md", text.encode(), "text/markdown",
                                 lang="en")],
        })
    for local_id, data in media.items():
        resources.append({
            "id": local_id, "kind": "video", "lang": "en", "title": {"en": local_id},
            "duration": 1.0,
            "files": [file_entry(root, f"media/{local_id}.webm", data, "video/webm")],
        })
    manifest: dict[str, Any] = {
        "format": "ujuzi-pack", "format_version": 1, "id": pack_id, "version": version,
        "title": {"en": "Sample pack", "sw": "Kifurushi cha mfano"},
        "description": {"en": "A pack made by the tests."},
        "languages": ["en"], "license": "CC-BY-SA-4.0", "attribution": "The Ujuzi tests",
        "sections": [{"id": "main", "title": {"en": "Main"},
                      "resources": [r["id"] for r in resources]}],
        "resources": resources,
    }
    if extra:
        manifest.update(extra)
    sources = {e["path"]: root / e["path"] for r in resources for e in r["files"]}
    write_pack(out, manifest_bytes(manifest), manifest, sources)
    return manifest


def rewrite_manifest(pack: Path, out: Path, change: Any) -> None:
    """Copy ``pack`` to ``out`` with its manifest passed through ``change`` (a function that
    edits the dict in place), keeping the files as they are."""
    import zipfile

    with zipfile.ZipFile(pack) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "pack.json":
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
            target.writestr(info, data)


def scorm12_manifest(identifier: str, course: str, lesson: str, files: tuple[str, ...]) -> str:
    """An ``imsmanifest.xml`` of one SCORM 1.2 SCO launched from ``files[0]``."""
    listed = "".join(f'<file href="{name}"/>' for name in files)
    return f"""<?xml version="1.0"?>
<manifest identifier="{identifier}" version="1"
    xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org"><title>{course}</title>
      <item identifier="item" identifierref="res"><title>{lesson}</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res" type="webcontent" adlcp:scormtype="sco" href="{files[0]}">
      {listed}
    </resource>
  </resources>
</manifest>
"""

"""Packs with any kind of resource and file, for the search tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.library import Library
from app.packs.archive import manifest_bytes, write_pack
from app.packs.importer import import_pack
from app.packs.manifest import QUIZ_MIME
from tests.packs import file_entry

MIMES = {
    ".md": "text/markdown", ".html": "text/html", ".vtt": "text/vtt",
    ".srt": "application/x-subrip", ".txt": "text/plain", ".pdf": "application/pdf",
    ".quiz.json": QUIZ_MIME, ".webm": "video/webm", ".mp4": "video/mp4",
}


def mime_of(path: str) -> str:
    for suffix in sorted(MIMES, key=len, reverse=True):
        if path.endswith(suffix):
            return MIMES[suffix]
    return "application/octet-stream"


def res(local_id: str, kind: str, title: str | dict[str, str], *files: tuple[Any, ...],
        lang: str | None = "en", description: str | None = None) -> dict[str, Any]:
    """A resource spec; each file is ``(path, text or bytes[, role[, lang]])``."""
    return {"id": local_id, "kind": kind, "lang": lang, "description": description,
            "title": title if isinstance(title, dict) else {lang or "en": title},
            "files": list(files)}


def build(out: Path, resources: list[dict[str, Any]], pack_id: str = "org.test.search",
          version: str = "1.0.0", skills: list[str] | None = None,
          languages: list[str] | None = None) -> dict[str, Any]:
    root = out.parent / f".src-{out.stem}"
    entries = []
    for spec in resources:
        files = []
        for path, data, *rest in spec["files"]:
            role = rest[0] if rest else "main"
            lang = rest[1] if len(rest) > 1 else None
            raw = data.encode("utf-8") if isinstance(data, str) else data
            files.append(file_entry(root, path, raw, mime_of(path), role, lang))
        entry: dict[str, Any] = {"id": spec["id"], "kind": spec["kind"], "title": spec["title"],
                                 "files": files}
        if spec["lang"]:
            entry["lang"] = spec["lang"]
        if spec["description"]:
            entry["description"] = {spec["lang"] or "en": spec["description"]}
        if spec["kind"] in ("video", "audio"):
            entry["duration"] = 60.0
        entries.append(entry)
    manifest: dict[str, Any] = {
        "format": "ujuzi-pack", "format_version": 1, "id": pack_id, "version": version,
        "title": {"en": "Search test pack"}, "languages": languages or ["en"],
        "license": "CC-BY-SA-4.0", "attribution": "The Ujuzi tests and the shared corpus",
        "sections": [{"id": "main", "title": {"en": "Main"},
                      "resources": [e["id"] for e in entries]}],
        "resources": entries,
    }
    if skills:
        manifest["skills"] = skills
    sources = {f["path"]: root / f["path"] for e in entries for f in e["files"]}
    write_pack(out, manifest_bytes(manifest), manifest, sources)
    return manifest


def install(library: Library, tmp_path: Path, resources: list[dict[str, Any]],
            **options: Any) -> dict[str, Any]:
    """Build a pack of these resources and import it."""
    name = options.get("pack_id", "org.test.search").replace(".", "-")
    path = tmp_path / f"{name}-{options.get('version', '1.0.0')}.ujpack"
    manifest = build(path, resources, **options)
    import_pack(library, path)
    return manifest


def vtt(*cues: tuple[float, str]) -> str:
    def stamp(seconds: float) -> str:
        minutes, secs = divmod(seconds, 60)
        return f"00:{int(minutes):02}:{secs:06.3f}"

    blocks = [f"{stamp(start)} --> {stamp(start + 3)}\n{text}" for start, text in cues]
    return "WEBVTT\n\n" + "\n\n".join(blocks) + "\n"

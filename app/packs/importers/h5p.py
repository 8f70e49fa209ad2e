"""H5P (``.h5p``) → a pack with one interactive resource.

The package's files are kept as they are under ``h5p/<name>/`` (pack-level attachments);
the resource's main file is the package's ``h5p.json`` and its url ``h5p:h5p/<name>`` tells
the runtime to play that folder with the bundled H5P player in the sandboxed view. Scores
reported by the content (xAPI) are recorded as progress. Licence and authors come from
``h5p.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.errors import PackError
from app.i18n import _
from app.interactive import launch_url
from app.library import Library
from app.packs.importers.common import (
    NOASSERTION,
    ImportReport,
    PackDraft,
    finish,
    is_storable,
    language_tag,
    mime_for,
    pack_id,
)
from app.packs.importers.sources import SourceTree
from app.packs.rules import slugify
from app.tasks import Reporter

_H5P_LICENCES = {
    "CC BY": "CC-BY", "CC BY-SA": "CC-BY-SA", "CC BY-ND": "CC-BY-ND", "CC BY-NC": "CC-BY-NC",
    "CC BY-NC-SA": "CC-BY-NC-SA", "CC BY-NC-ND": "CC-BY-NC-ND",
}
_H5P_FIXED = {"CC0 1.0": "CC0-1.0", "GNU GPL": "GPL-3.0-or-later", "ODC PDDL": "PDDL-1.0",
              "PD": "LicenseRef-PublicDomain", "CC PDM": "LicenseRef-PublicDomain"}


def licence(meta: dict[str, Any]) -> str:
    code = str(meta.get("license") or "U").strip()
    if code in _H5P_FIXED:
        return _H5P_FIXED[code]
    if code in _H5P_LICENCES:
        version = str(meta.get("licenseVersion") or "4.0")
        return f"{_H5P_LICENCES[code]}-{version}"
    return NOASSERTION


def _json(tree: SourceTree, name: str) -> dict[str, Any]:
    try:
        value = json.loads(tree.read(name).decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PackError(_("{name} in the H5P file is not valid JSON: {error}")
                        .format(name=name, error=exc)) from None
    if not isinstance(value, dict):
        raise PackError(_("{name} in the H5P file is not a JSON object.").format(name=name))
    return value


def convert(library: Library, path: Path, tree: SourceTree | None, staging: Path,
            reporter: Reporter) -> ImportReport:
    assert tree is not None
    meta = _json(tree, "h5p.json")
    if not tree.has("content/content.json"):
        raise PackError(_("The H5P file has no content/content.json."))
    _json(tree, "content/content.json")
    main = meta.get("mainLibrary")
    deps = {f"{d.get('machineName')}-{d.get('majorVersion')}.{d.get('minorVersion')}"
            for d in meta.get("preloadedDependencies") or [] if isinstance(d, dict)}
    main_dirs = [d for d in deps if d.split("-")[0] == main]
    if not main or not main_dirs or not any(tree.has(f"{d}/library.json") for d in main_dirs):
        raise PackError(_("The H5P file does not include its content type's library ({name}); "
                          "download it again with its libraries.").format(name=main or "?"))
    language = language_tag(str(meta.get("language") or ""), "en")
    draft = PackDraft("h5p", staging, language)
    stem = path.stem if path.is_file() else path.name
    folder = f"h5p/{slugify(stem) or 'content'}"
    for name in sorted(tree.names()):
        if not is_storable(name):
            draft.skip(name, _("a file name a pack cannot hold"))
            continue
        disk = tree.copy_to(name, staging / "src" / name)
        stored = draft.add_disk(f"{folder}/{name}", [disk], mime_for(name))
        draft.attach(stored)
    for dep in sorted(deps):
        if not tree.has(f"{dep}/library.json"):
            draft.skip(dep, _("a library the content needs is not in the file"))
    title = str(meta.get("title") or stem)
    draft.add_resource(
        draft.section(title, "h5p"), "interactive", title,
        [draft.entry(f"{folder}/h5p.json", "main")],
        base_id=stem, url=launch_url("h5p", folder),
        description={language: _("Interactive H5P content ({type}).").format(type=main)},
    )
    authors = [{"name": str(a["name"])} for a in meta.get("authors") or []
               if isinstance(a, dict) and a.get("name")]
    attribution = "; ".join(
        part for part in (
            title,
            ", ".join(a["name"] for a in authors),
            str(meta.get("source") or ""),
            str(meta.get("yearFrom") or ""),
        ) if part
    )
    fields = {
        "id": pack_id("h5p", stem),
        "title": {language: title},
        "license": licence(meta),
        "attribution": attribution or title,
        "authors": authors,
        "source": path.name,
    }
    return finish(library, draft, fields, path, reporter)

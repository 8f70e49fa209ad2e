"""What every converter shares: a draft pack that collects files, sections and resources,
the report of what could not be converted, and the step that writes and imports the pack.

A converter never touches the library itself. It fills a :class:`PackDraft`; :func:`finish`
turns the draft into a manifest, checks it against the pack schema, writes a temporary
``.ujpack`` with :func:`~app.packs.archive.write_pack` and hands it to
:func:`~app.packs.importer.import_pack`. So an import from any format is exactly as atomic
and verified as a ``.ujpack`` import, and a failure anywhere leaves the library unchanged.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from app.errors import ManifestError, PackError
from app.formatting import size
from app.i18n import _
from app.library import Library
from app.packs.archive import manifest_bytes, write_pack
from app.packs.importer import ImportResult, import_pack
from app.packs.importers.html import document, text_of
from app.packs.manifest import (
    MAX_MANIFEST_BYTES,
    QUIZ_MIME,
    UNSAFE_PATH_CHARACTERS,
    Manifest,
    is_link_address,
    validate_manifest,
    validate_quiz,
)
from app.packs.rules import (
    DEFAULT_VERSION,
    MARKDOWN_EXTS,
    count_words,
    extension,
    next_patch,
    reading_seconds,
    slugify,
)
from app.packs.rules import kind_for as kind_of
from app.packs.rules import language_tag as language_tag
from app.packs.rules import mime_for as mime_for
from app.packs.rules import unique as unique
from app.tasks import Reporter

NOASSERTION = "NOASSERTION"


def licence_label(licence: str | None) -> str:
    """A pack's licence as a learner reads it: "Licence: CC-BY-SA-4.0", or "Licence not
    stated" for ``NOASSERTION`` (an import that found no licence) and for none at all."""
    if not licence or licence.strip().upper() == NOASSERTION:
        return _("Licence not stated")
    return _("Licence: {license}").format(license=licence)


def licence_stated(licence: str | None) -> bool:
    """Whether the pack says how it may be shared (a trainer is warned before sharing one
    that does not)."""
    return bool(licence) and str(licence).strip().upper() != NOASSERTION
ZIM_MIME = "application/x-zim"


def kind_for(name: str) -> str | None:
    """The kind of a file a converter keeps as a resource as it is (an HTML page, media, a
    PDF, an image): a web package's Markdown and quiz files are not in our formats."""
    kind = kind_of(name)
    return None if kind == "quiz" or extension(name) in MARKDOWN_EXTS else kind


def pack_path(name: str) -> str:
    """``name`` made acceptable as a path inside a pack (no control characters, text
    direction marks or ``: * ? " < > | \\``, no empty, ``.`` or ``..`` parts, at most 500
    characters)."""
    parts = []
    for part in name.replace("\\", "/").split("/"):
        part = UNSAFE_PATH_CHARACTERS.sub("_", part).strip()
        if part in ("", ".", ".."):
            continue
        parts.append(part)
    path = "/".join(parts) or "file"
    if len(path) > 500:
        stem = hashlib.sha256(path.encode()).hexdigest()[:16]
        path = f"long/{stem}{PurePosixPath(path).suffix[:20]}"
    return path


def is_storable(name: str) -> bool:
    """Whether a package's file name can be kept as it is (interactive packages refer to their
    files by name, so they cannot be renamed)."""
    return pack_path(name) == name


_CC = re.compile(
    r"creativecommons\.org/licen[cs]es/(by(?:-nc)?(?:-nd|-sa)?)/(\d\.\d)", re.IGNORECASE
)
_CC_WORDS = re.compile(
    r"\bCC[ -]?(BY(?:[ -]NC)?(?:[ -](?:ND|SA))?)\b[ -]*(\d\.\d)?", re.IGNORECASE
)


def spdx_licence(text: str | None) -> str | None:
    """An SPDX identifier for a licence as sources write it ("CC Attribution Share Alike -
    http://creativecommons.org/licenses/by-sa/4.0", "CC BY-SA 3.0", "Public Domain"), or
    None when the text names no licence we can be sure of."""
    if not text:
        return None
    if re.search(r"publicdomain/zero|\bCC0\b", text, re.IGNORECASE):
        return "CC0-1.0"
    match = _CC.search(text)
    if match:
        return f"CC-{match.group(1).upper()}-{match.group(2)}"
    words = text.lower()
    if "attribution" in words and ("creative commons" in words or "cc " in words + " "):
        parts = ["BY"]
        if "noncommercial" in words or "non-commercial" in words:
            parts.append("NC")
        if "share alike" in words or "sharealike" in words or "share-alike" in words:
            parts.append("SA")
        elif "noderiv" in words or "no deriv" in words:
            parts.append("ND")
        version = re.search(r"(\d\.\d)", text)
        if version:
            return "CC-" + "-".join(parts) + "-" + version.group(1)
    match = _CC_WORDS.search(text)
    if match and match.group(2):
        return "CC-" + re.sub(r"[ -]+", "-", match.group(1).upper()) + "-" + match.group(2)
    if re.search(r"\bpublic domain\b", text, re.IGNORECASE):
        return "LicenseRef-PublicDomain"
    return None


@dataclass(frozen=True)
class Skipped:
    """Something in the source that did not make it into the pack, and why."""

    item: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"item": self.item, "reason": self.reason}


@dataclass
class ImportReport:
    """What ``import_any`` did: the pack import's result, the source format, and the list of
    what could not be converted (empty for ``.ujpack`` files)."""

    path: str
    format: str
    result: ImportResult
    skipped: list[Skipped] = field(default_factory=list)
    resources: int = 0
    sections: int = 0

    @property
    def pack_id(self) -> str:
        return self.result.pack_id

    @property
    def version(self) -> str:
        return self.result.version

    @property
    def status(self) -> str:
        return self.result.status

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.result.as_dict(),
            "path": self.path,
            "format": self.format,
            "resources": self.resources,
            "sections": self.sections,
            "skipped": [item.as_dict() for item in self.skipped],
        }


@dataclass
class _StagedFile:
    disk: list[Path]  # one file, or the parts of a split file read one after another
    sha256: str
    size: int
    mime: str
    external: bool


class PackDraft:
    """A pack being converted: files by pack path, sections and resources in order."""

    def __init__(self, fmt: str, staging: Path, language: str = "en") -> None:
        self.format = fmt
        self.staging = staging
        self.language = language
        self.files: dict[str, _StagedFile] = {}
        self.sections: list[dict[str, Any]] = []
        self.resources: list[dict[str, Any]] = []
        self.pack_files: list[dict[str, Any]] = []
        self.skipped: list[Skipped] = []
        self._resource_ids: set[str] = set()
        self._section_ids: set[str] = set()
        self._pack_file_paths: set[str] = set()
        self._counter = 0

    # -- files ------------------------------------------------------------------------------

    def add_bytes(self, path: str, data: bytes, mime: str | None = None) -> str:
        """Stage ``data`` at pack path ``path`` (made safe); return the path used. The same
        path with the same bytes is staged once; different bytes get a new name."""
        path = pack_path(path)
        sha256 = hashlib.sha256(data).hexdigest()
        path = self._free_path(path, sha256)
        if path not in self.files:
            self._counter += 1
            disk = self.staging / "files" / f"{self._counter:06d}"
            disk.parent.mkdir(parents=True, exist_ok=True)
            disk.write_bytes(data)
            self.files[path] = _StagedFile([disk], sha256, len(data), mime or mime_for(path),
                                           False)
        return path

    def add_text(self, path: str, text: str, mime: str | None = None) -> str:
        return self.add_bytes(path, text.encode("utf-8"), mime)

    def add_disk(self, path: str, parts: list[Path], mime: str | None = None,
                 external: bool = False, reporter: Reporter | None = None) -> str:
        """Stage a file already on disk (hashed in place, not copied). ``external`` files are
        streamed into the library by the import itself instead of through the temporary pack
        (for huge files such as ZIMs)."""
        path = pack_path(path)
        digest, size = hashlib.sha256(), 0
        total = sum(part.stat().st_size for part in parts)
        for part in parts:
            with open(part, "rb") as stream:
                while block := stream.read(4 * 1024 * 1024):
                    digest.update(block)
                    size += len(block)
                    if reporter is not None:
                        reporter.report("read", size, total, path)
        sha256 = digest.hexdigest()
        path = self._free_path(path, sha256)
        if path not in self.files:
            self.files[path] = _StagedFile(list(parts), sha256, size, mime or mime_for(path),
                                           external)
        return path

    def _free_path(self, path: str, sha256: str) -> str:
        candidate, number = path, 1
        while candidate in self.files and self.files[candidate].sha256 != sha256:
            number += 1
            stem = PurePosixPath(path)
            candidate = str(stem.with_name(f"{stem.stem}-{number}{stem.suffix}"))
        return candidate

    def entry(self, path: str, role: str = "main", lang: str | None = None) -> dict[str, Any]:
        staged = self.files[path]
        entry: dict[str, Any] = {"path": path, "sha256": staged.sha256, "size": staged.size,
                                 "mime": staged.mime, "role": role}
        if lang:
            entry["lang"] = lang
        return entry

    def attach(self, path: str, role: str = "attachment") -> None:
        """List a staged file at pack level (assets that articles or packages refer to)."""
        if path not in self._pack_file_paths:
            self._pack_file_paths.add(path)
            self.pack_files.append(self.entry(path, role))

    def set_cover(self, path: str) -> None:
        """Make a staged file the pack's cover (role ``cover`` at pack level)."""
        self.pack_files = [f for f in self.pack_files if f["path"] != path]
        self._pack_file_paths.add(path)
        self.pack_files.insert(0, self.entry(path, "cover"))

    # -- structure --------------------------------------------------------------------------

    def section(self, title: str, base: str = "") -> dict[str, Any]:
        section_id = unique(slugify(base or title, 100) or "section", self._section_ids)
        section: dict[str, Any] = {"id": section_id, "title": {self.language: title or
                                                                section_id},
                                   "resources": []}
        self.sections.append(section)
        return section

    def resource_id(self, base: str) -> str:
        return unique(slugify(base, 100) or "item", self._resource_ids)

    def add_resource(
        self,
        section: dict[str, Any] | None,
        kind: str,
        title: str,
        files: list[dict[str, Any]],
        *,
        base_id: str | None = None,
        lang: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        resource: dict[str, Any] = {
            "id": self.resource_id(base_id or title),
            "kind": kind,
            "lang": lang or self.language,
            "title": {lang or self.language: title.strip() or kind},
        }
        for key in ("description", "duration", "url", "translations"):
            if extra.get(key) not in (None, {}, ""):
                resource[key] = extra[key]
        resource["files"] = files
        self.resources.append(resource)
        if section is not None:
            section["resources"].append(resource["id"])
        return resource

    def add_article(self, section: dict[str, Any] | None, path: str, title: str, body: str,
                    *, base_id: str | None = None, lang: str | None = None,
                    **extra: Any) -> dict[str, Any]:
        """An HTML article: sanitised page at ``path``, reading time from its words."""
        page = document(title, body, lang or self.language)
        stored = self.add_text(path, page, "text/html")
        words = count_words(text_of(page))
        extra.setdefault("duration", reading_seconds(words))
        return self.add_resource(section, "article", title,
                                 [self.entry(stored, "main", lang or self.language)],
                                 base_id=base_id, lang=lang, **extra)

    def add_quiz(self, section: dict[str, Any] | None, path: str, title: str,
                 quiz: dict[str, Any], *, base_id: str | None = None, lang: str | None = None,
                 **extra: Any) -> dict[str, Any]:
        """A quiz resource; ``quiz`` must pass :func:`validate_quiz` (callers check first)."""
        quiz = {"format": "ujuzi-quiz", **quiz}
        validate_quiz(quiz)
        data = (json.dumps(quiz, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        stored = self.add_bytes(path, data, QUIZ_MIME)
        return self.add_resource(section, "quiz", title,
                                 [self.entry(stored, "main", lang or self.language)],
                                 base_id=base_id, lang=lang, **extra)

    def skip(self, item: str, reason: str) -> None:
        self.skipped.append(Skipped(item, reason))

    # -- the manifest -----------------------------------------------------------------------

    def _leave_out_unusable_links(self) -> None:
        """Links to anything but a web or mail address (a path with no site, a local file, a
        script) are left out with the reason, as the manifest rules refuse them."""
        kept = []
        for resource in self.resources:
            if resource["kind"] == "link" and not is_link_address(resource.get("url")):
                self.skip(
                    next(iter(resource["title"].values())),
                    _("the link's address {url} is not a web or mail address")
                    .format(url=ascii(resource.get("url"))),
                )
                for section in self.sections:
                    if resource["id"] in section["resources"]:
                        section["resources"].remove(resource["id"])
            else:
                kept.append(resource)
        self.resources = kept

    def manifest(self, fields: dict[str, Any]) -> Manifest:
        self._leave_out_unusable_links()
        if not self.resources:
            raise PackError(
                _("Nothing in it could be converted into a pack resource.")
                + (" " + self.skipped[0].reason if self.skipped else "")
            )
        languages = [self.language]
        for resource in self.resources:
            lang = resource.get("lang")
            if lang and lang not in languages:
                languages.append(lang)
        manifest: dict[str, Any] = {
            "format": "ujuzi-pack",
            "format_version": 1,
            "id": fields["id"],
            "version": fields.get("version", DEFAULT_VERSION),
            "title": fields["title"],
        }
        if fields.get("description"):
            manifest["description"] = fields["description"]
        manifest["languages"] = languages
        manifest["license"] = fields.get("license") or NOASSERTION
        manifest["attribution"] = (fields.get("attribution") or "")[:4000] or _(
            "Imported from {source}").format(source=fields.get("source", "?"))
        for key in ("authors", "audience", "level", "estimated_minutes", "created"):
            if fields.get(key) not in (None, [], ""):
                manifest[key] = fields[key]
        total = sum(float(r.get("duration", 0)) for r in self.resources)
        if "estimated_minutes" not in manifest and total:
            manifest["estimated_minutes"] = int(-(-total // 60))
        if fields.get("cover"):
            manifest["cover"] = fields["cover"]
        manifest["sections"] = [s for s in self.sections if s["resources"]]
        manifest["resources"] = self.resources
        if self.pack_files:
            manifest["files"] = self.pack_files
        try:
            validate_manifest(manifest)
        except ManifestError as exc:
            raise PackError(
                _("The converted pack is not valid ({error}); please report this.")
                .format(error=exc)
            ) from None
        return manifest


def pack_id(*parts: str) -> str:
    """A pack id (``[a-z0-9.-]``) from parts such as a format prefix and a source's own id."""
    cleaned = []
    for part in parts:
        slug = slugify(part.replace(".", "-").replace("_", "-"), 60).replace("_", "-")
        if slug:
            cleaned.append(slug)
    value = ".".join(cleaned)[:100].strip(".-") or "imported"
    return value


def _choose_version(library: Library, manifest: Manifest) -> None:
    """Converted sources have no version of their own: the first import is 1.0.0, an
    unchanged re-import keeps the installed version (nothing to do), and a changed source
    becomes the next patch version, so it updates the pack and keeps the learner's progress."""
    row = library.db.execute(
        "SELECT version, manifest FROM packs WHERE id = ?", (manifest["id"],)
    ).fetchone()
    if row is None:
        return
    installed = json.loads(row[1])
    same = {**installed, "version": ""} == {**manifest, "version": ""}
    manifest["version"] = row[0] if same else next_patch(row[0])


def finish(
    library: Library,
    draft: PackDraft,
    fields: dict[str, Any],
    path: Path,
    reporter: Reporter,
) -> ImportReport:
    """Write the draft as a temporary ``.ujpack`` and import it atomically."""
    manifest = draft.manifest(fields)
    _choose_version(library, manifest)
    data = manifest_bytes(manifest)
    if len(data) > MAX_MANIFEST_BYTES:
        raise PackError(
            _("{name} has too many files for one pack: their list would take {size}, and a "
              "pack's manifest may take {limit}. Split it into smaller packages.").format(
                name=path.name, size=size(len(data)), limit=size(MAX_MANIFEST_BYTES))
        )
    # Files imported straight from disk are listed in the manifest but not written into
    # the temporary zip.
    external = {p: staged.disk for p, staged in draft.files.items() if staged.external}
    listed = {"resources": [{"files": [e for e in r["files"] if e["path"] not in external]}
                            for r in manifest["resources"]],
              "files": [e for e in manifest.get("files", []) if e["path"] not in external]}
    sources = {p: staged.disk[0] for p, staged in draft.files.items() if not staged.external}
    out = draft.staging / "converted.ujpack"
    reporter.checkpoint()
    write_pack(out, data, listed, sources, on_bytes=library.blobs.check_still_free)
    _release_staged_copies(draft.staging, out, external)
    result = import_pack(library, out, reporter, source=draft.format, external=external)
    return ImportReport(
        path=str(path), format=draft.format, result=result, skipped=list(draft.skipped),
        resources=len(manifest["resources"]),
        sections=len(manifest["sections"]),
    )


def _release_staged_copies(staging: Path, keep: Path,
                           external: dict[str, list[Path]]) -> None:
    """Delete what the scratch folder holds besides the converted pack (unpacked sources,
    staged files), now that the pack holds them: the disk then never carries more than two
    copies (a working copy and the library's). Files imported from outside the pack stay."""
    outside = {part.resolve() for parts in external.values() for part in parts}
    for item in staging.iterdir():
        if item == keep or item.name.startswith("."):
            continue
        resolved = item.resolve()
        if any(resolved == part or resolved in part.parents for part in outside):
            continue
        if item.is_dir() and not item.is_symlink():
            shutil.rmtree(item, ignore_errors=True)
        else:
            item.unlink(missing_ok=True)

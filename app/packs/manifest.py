"""The pack manifest (``pack.json``): schema validation and the rules a schema cannot state.

The JSON Schema in ``pack-schema.json`` is the written contract (see docs/pack-format.md);
:func:`validate_manifest` applies it and then checks cross-references: unique ids, sections
that name existing resources, translations that point at resources of the stated language,
links that point at web or mail addresses.

Every pattern in the schemas ends in ``$(?!\\n)``: jsonschema applies patterns with Python's
``re.search``, where ``$`` also matches before a final newline, so ``evilpack\\n`` would pass
as a pack id. Ids, paths, languages, versions, mime types and urls never hold control
characters (C0, DEL, C1) or the invisible marks that reorder text (:data:`UNSAFE_CHARACTERS`).
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources as importlib_resources
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from app.errors import ManifestError
from app.i18n import _
from app.languages import negotiate

MANIFEST_NAME = "pack.json"
PACK_SUFFIX = ".ujpack"
QUIZ_MIME = "application/vnd.ujuzi.quiz+json"
MAX_MANIFEST_BYTES = 32 * 1024 * 1024
LINK_SCHEMES = ("http", "https", "mailto")

#: Control characters and text direction marks (bidi embeddings, overrides, isolates and the
#: LRM, RLM and ALM marks): the schemas refuse them in every id, path, language, version, mime
#: type and url, where they would fake names in a terminal or reach an HTTP header.
_UNSAFE = "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
UNSAFE_CHARACTERS = re.compile(f"[{_UNSAFE}]")
#: What a path inside a pack may not hold, as the schema says: those, and ``: * ? " < > | \``.
UNSAFE_PATH_CHARACTERS = re.compile(f'[{_UNSAFE}:*?"<>|\\\\]')

if TYPE_CHECKING:
    import jsonschema

Manifest = dict[str, Any]


@cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    # Imported when first needed: jsonschema takes longer to import than the window takes
    # to appear, and only importing and building validate.
    import jsonschema

    text = importlib_resources.files("app.packs").joinpath(name).read_text(encoding="utf-8")
    schema = json.loads(text)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _first_error(validator: jsonschema.protocols.Validator, document: Any) -> str | None:
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    error = errors[0]
    where = "/".join(str(part) for part in error.absolute_path) or "(top level)"
    if (
        error.validator == "pattern"
        and isinstance(error.instance, str)
        and UNSAFE_CHARACTERS.search(error.instance)
    ):
        return _("{where}: {value} contains a control character or a text direction mark.").format(
            where=where, value=ascii(error.instance)[:200]
        )
    message = error.message
    if len(message) > 200:
        message = message[:200] + "…"
    return f"{where}: {message}"


def parse_manifest(raw: bytes) -> Manifest:
    """Decode and validate manifest bytes; raise :class:`ManifestError` with one clear line."""
    if len(raw) > MAX_MANIFEST_BYTES:
        raise ManifestError(_("The pack manifest is too large."))
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ManifestError(
            _("The pack manifest is not valid JSON: {error}").format(error=exc)
        ) from None
    validate_manifest(document)
    return document  # type: ignore[no-any-return]


def validate_manifest(document: Any) -> None:
    problem = _first_error(_validator("pack-schema.json"), document)
    if problem:
        raise ManifestError(_("The pack manifest is invalid at {problem}").format(problem=problem))
    resources = document["resources"]
    ids: set[str] = set()
    for resource in resources:
        if resource["id"] in ids:
            raise ManifestError(
                _("The pack manifest lists resource {id} twice.").format(id=resource["id"])
            )
        ids.add(resource["id"])
    section_ids: set[str] = set()
    placed: set[str] = set()
    for section in document["sections"]:
        if section["id"] in section_ids:
            raise ManifestError(
                _("The pack manifest lists section {id} twice.").format(id=section["id"])
            )
        section_ids.add(section["id"])
        for resource_id in section["resources"]:
            if resource_id not in ids:
                raise ManifestError(
                    _("Section {section} names resource {id}, which the pack does not have.")
                    .format(section=section["id"], id=resource_id)
                )
            if resource_id in placed:
                raise ManifestError(
                    _("Resource {id} appears in more than one section.").format(id=resource_id)
                )
            placed.add(resource_id)
    by_id = {resource["id"]: resource for resource in resources}
    for resource in resources:
        for lang, other in resource.get("translations", {}).items():
            target = by_id.get(other)
            if target is None:
                raise ManifestError(
                    _("Resource {id} names translation {other}, which the pack does not have.")
                    .format(id=resource["id"], other=other)
                )
            if target.get("lang") not in (None, lang):
                raise ManifestError(
                    _("Resource {other} is not in {lang}, as resource {id} says.")
                    .format(other=other, lang=lang, id=resource["id"])
                )
    paths: dict[str, str] = {}
    for entry in all_files(document):
        known = paths.setdefault(entry["path"], entry["sha256"])
        if known != entry["sha256"]:
            raise ManifestError(
                _("The pack manifest lists {path} twice with different contents.")
                .format(path=entry["path"])
            )
    cover = document.get("cover")
    if cover is not None and cover not in paths:
        raise ManifestError(
            _("The pack's cover {path} is not among its files.").format(path=cover)
        )
    for resource in resources:
        if resource["kind"] == "link" and not is_link_address(resource.get("url")):
            raise ManifestError(
                _("Link {id} must point at an http, https or mailto address, not {url}.")
                .format(id=resource["id"], url=ascii(resource.get("url"))[:200])
            )


def is_link_address(url: Any) -> bool:
    """Whether ``url`` is an address a link resource may open: http or https with a host, or
    mailto with an address; nothing that runs, reads local files or reaches other protocols."""
    if not isinstance(url, str) or url != url.strip() or UNSAFE_CHARACTERS.search(url):
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        return bool(host)
    return scheme == "mailto" and bool(parts.path)


def all_files(manifest: Manifest) -> list[dict[str, Any]]:
    """Every file entry of the pack, pack-level first, in manifest order."""
    entries: list[dict[str, Any]] = list(manifest.get("files", []))
    for resource in manifest["resources"]:
        entries.extend(resource["files"])
    return entries


def unique_files(manifest: Manifest) -> list[dict[str, Any]]:
    """File entries with each path once (a file may serve two resources)."""
    seen: set[str] = set()
    result = []
    for entry in all_files(manifest):
        if entry["path"] not in seen:
            seen.add(entry["path"])
            result.append(entry)
    return result


def validate_quiz(document: Any) -> None:
    """Check a quiz file's content; the builder and the quiz viewer both rely on it."""
    problem = _first_error(_validator("quiz-schema.json"), document)
    if problem:
        raise ManifestError(_("The quiz is invalid at {problem}").format(problem=problem))
    for question in document["questions"]:
        kind = question["type"]
        if kind in ("single", "multiple"):
            choices = question.get("choices") or []
            correct = [choice for choice in choices if choice.get("correct")]
            if len(choices) < 2 or not correct or (kind == "single" and len(correct) != 1):
                raise ManifestError(
                    _("Quiz question {id} needs choices with the right number of correct ones.")
                    .format(id=question["id"])
                )
        elif "answer" not in question:
            raise ManifestError(
                _("Quiz question {id} has no answer.").format(id=question["id"])
            )


def localized(text: dict[str, str] | None, languages: list[str] | tuple[str, ...]) -> str:
    """Pick the best string from a per-language map: the wanted languages in order, then
    English (negotiated by :func:`app.languages.negotiate`), then whatever the pack has (so
    nothing ever shows blank)."""
    if not text:
        return ""
    keys = list(text)
    index = negotiate((*languages, "en"), keys)
    return text[keys[0 if index is None else index]]

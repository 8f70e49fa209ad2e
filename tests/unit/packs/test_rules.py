"""One set of pack rules (app/packs/rules.py) for the schema, the builder and the importers."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from app.errors import ManifestError, PackError
from app.packs import rules
from app.packs.build import build_pack
from app.packs.importer import version_key
from app.packs.importers.common import kind_for, language_tag, mime_for
from app.packs.manifest import validate_manifest

LICENCE = "license: CC-BY-SA-4.0\nattribution: The tests\n"


def _schema() -> dict[str, object]:
    text = resources.files("app.packs").joinpath("pack-schema.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def test_the_schema_states_the_modules_patterns() -> None:
    schema = _schema()
    defs = schema["$defs"]
    assert isinstance(defs, dict)
    properties = schema["properties"]
    assert isinstance(properties, dict)
    assert defs["lang"]["pattern"] == rules.schema_pattern(rules.LANGUAGE_PATTERN)
    assert defs["packId"]["pattern"] == rules.schema_pattern(rules.PACK_ID_PATTERN)
    assert defs["slug"]["pattern"] == rules.schema_pattern(rules.SLUG_PATTERN)
    assert properties["version"]["pattern"] == rules.schema_pattern(rules.VERSION_PATTERN)


MANIFEST = {
    "format": "ujuzi-pack", "format_version": 1, "id": "org.test.rules", "version": "1.0.0",
    "title": {"en": "Rules"}, "languages": ["en"], "license": "CC0-1.0", "attribution": "t",
    "sections": [], "resources": [],
}


@pytest.mark.parametrize("version", ["1.0.0", "0.9.12", "1.0.0-beta.2", "2.0.0-rc-1",
                                     "01.0.0", "1.0.0-01", "1.0.0-a..b", "1.0.0+build", "1.0"])
def test_the_schema_and_the_importer_accept_the_same_versions(version: str) -> None:
    try:
        validate_manifest({**MANIFEST, "version": version})
        schema_accepts = True
    except ManifestError:
        schema_accepts = False
    try:
        version_key(version)
        importer_accepts = True
    except PackError:
        importer_accepts = False
    assert schema_accepts == importer_accepts


def test_pre_releases_sort_before_their_release() -> None:
    order = ["1.0.0-1", "1.0.0-alpha", "1.0.0-alpha.2", "1.0.0-alpha.10", "1.0.0", "1.0.1"]
    assert sorted(reversed(order), key=version_key) == order
    assert rules.next_patch("1.2.3") == rules.next_patch("1.2.3-beta") == "1.2.4"
    assert rules.next_patch("not a version") == rules.DEFAULT_VERSION


def _write(folder: Path, path: str, data: bytes = b"text\n") -> None:
    (folder / path).parent.mkdir(parents=True, exist_ok=True)
    (folder / path).write_bytes(data)


def test_builder_and_importers_agree_on_kinds_and_languages(tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    _write(folder, "pack.yaml", LICENCE.encode())
    _write(folder, "talk.m4v", b"not really a video")
    _write(folder, "intro.md", b"# Intro\n")
    _write(folder, "intro.zh-Hant-TW.md", b"# Intro\n")
    manifest = build_pack(folder, tmp_path / "p.ujpack").manifest
    built = {r["files"][0]["path"]: (r["kind"], r["lang"], r["files"][0]["mime"])
             for r in manifest["resources"]}
    assert built["talk.m4v"] == (kind_for("talk.m4v"), "en", mime_for("talk.m4v"))
    assert built["talk.m4v"][0] == "video"
    assert built["intro.zh-Hant-TW.md"][1] == language_tag("zh-Hant-TW") == "zh-Hant-TW"

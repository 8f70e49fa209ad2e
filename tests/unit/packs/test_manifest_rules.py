"""Manifest rules on ids, paths, languages, versions, mime types and link addresses: every
pattern matches the whole value (a trailing newline is not "the end"), control characters
and text direction overrides are refused with a message that says so, and a link resource
may only point at http, https or mailto addresses."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.errors import ManifestError, NotFoundError
from app.library import Library
from app.packs.importer import import_pack
from app.packs.manifest import validate_manifest, validate_quiz
from tests.packs import make_pack, rewrite_manifest

SHA = "0" * 64

BASE: dict[str, Any] = {
    "format": "ujuzi-pack", "format_version": 1, "id": "org.test.rules", "version": "1.2.3",
    "title": {"en": "Rules"}, "languages": ["en", "sw"], "license": "CC0-1.0",
    "attribution": "The tests", "skills": ["editing"], "cover": "cover.png",
    "sections": [{"id": "main", "title": {"en": "Main"}, "resources": ["intro", "intro-sw"]}],
    "resources": [
        {"id": "intro", "kind": "article", "lang": "en", "title": {"en": "Intro"},
         "translations": {"sw": "intro-sw"},
         "files": [{"path": "articles/intro.md", "sha256": SHA, "size": 1,
                    "mime": "text/markdown", "role": "main", "lang": "en"}]},
        {"id": "intro-sw", "kind": "article", "lang": "sw", "title": {"sw": "Utangulizi"},
         "files": [{"path": "articles/intro.sw.md", "sha256": SHA, "size": 1,
                    "mime": "text/markdown", "role": "main"}]},
        {"id": "site", "kind": "link", "title": {"en": "Site"}, "url": "https://example.org/",
         "files": []},
    ],
    "files": [{"path": "cover.png", "sha256": SHA, "size": 1, "mime": "image/png",
               "role": "cover"}],
}


def _set(path: tuple[Any, ...]) -> Callable[[dict[str, Any], Callable[[str], str]], None]:
    """A change that passes the value at ``path`` through a function."""
    def change(document: dict[str, Any], spoil: Callable[[str], str]) -> None:
        *parents, last = path
        target: Any = document
        for key in parents:
            target = target[key]
        target[last] = spoil(target[last])
    return change


def _rename_key(path: tuple[Any, ...], key: str) -> Callable[[dict[str, Any],
                                                                Callable[[str], str]], None]:
    """A change that renames a map key (a language code used as a key)."""
    def change(document: dict[str, Any], spoil: Callable[[str], str]) -> None:
        target: Any = document
        for part in path:
            target = target[part]
        target[spoil(key)] = target.pop(key)
    return change


FIELDS = {
    "pack id": _set(("id",)),
    "version": _set(("version",)),
    "languages": _set(("languages", 0)),
    "title language": _rename_key(("title",), "en"),
    "skill": _set(("skills", 0)),
    "cover": _set(("cover",)),
    "section id": _set(("sections", 0, "id")),
    "section resource": _set(("sections", 0, "resources", 0)),
    "resource id": _set(("resources", 0, "id")),
    "resource lang": _set(("resources", 0, "lang")),
    "translation language": _rename_key(("resources", 0, "translations"), "sw"),
    "translation target": _set(("resources", 0, "translations", "sw")),
    "file path": _set(("resources", 0, "files", 0, "path")),
    "file mime": _set(("resources", 0, "files", 0, "mime")),
    "file lang": _set(("resources", 0, "files", 0, "lang")),
    "pack file path": _set(("files", 0, "path")),
    "pack file mime": _set(("files", 0, "mime")),
}

SPOILERS = {
    "trailing newline": lambda value: value + "\n",
    "embedded CR": lambda value: value[:1] + "\r" + value[1:],
    "embedded ESC": lambda value: value[:1] + "\x1b" + value[1:],
    "DEL": lambda value: value + "\x7f",
    "C1 CSI": lambda value: value[:1] + "\x9b" + value[1:],
    "right-to-left override": lambda value: value[:1] + "\u202e" + value[1:],
}


def test_the_base_manifest_is_valid() -> None:
    validate_manifest(copy.deepcopy(BASE))


@pytest.mark.parametrize("spoiler", SPOILERS)
@pytest.mark.parametrize("field", FIELDS)
def test_control_characters_are_refused_in_every_token_field(field: str, spoiler: str) -> None:
    document = copy.deepcopy(BASE)
    FIELDS[field](document, SPOILERS[spoiler])
    with pytest.raises(ManifestError, match="control character") as caught:
        validate_manifest(document)
    message = str(caught.value)
    assert "\n" not in message and "\r" not in message and "\x1b" not in message
    assert "\u202e" not in message


@pytest.mark.parametrize("value", ["a\n", "a\r", "a\x1b", "\u202ea"])
def test_quiz_ids_refuse_control_characters(value: str) -> None:
    quiz = {"questions": [{"id": value, "type": "true_false", "prompt": "Sure?",
                           "answer": True}]}
    with pytest.raises(ManifestError, match="control character"):
        validate_quiz(quiz)


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "javascript:alert(1)", "data:text/html,hi", "ftp://example.org/x",
    "smb://server/share", "https://", "http:/etc/passwd", "mailto:", "example.org",
    "https://example.org/\n", " https://example.org/", "https://exa\x1bmple.org/",
    "https://example.org/\u202e",
])
def test_links_accept_only_web_and_mail_addresses(url: str) -> None:
    document = copy.deepcopy(BASE)
    document["resources"][2]["url"] = url
    with pytest.raises(ManifestError, match=r"site|resources/2/url") as caught:
        validate_manifest(document)
    assert not any(char in str(caught.value) for char in "\n\r\x1b\u202e")


@pytest.mark.parametrize("url", [
    "https://example.org/a?b=c#d", "http://example.org", "HTTPS://EXAMPLE.ORG/",
    "mailto:someone@example.org",
])
def test_links_to_web_and_mail_addresses_are_kept(url: str) -> None:
    document = copy.deepcopy(BASE)
    document["resources"][2]["url"] = url
    validate_manifest(document)


def test_a_link_needs_an_address() -> None:
    document = copy.deepcopy(BASE)
    del document["resources"][2]["url"]
    with pytest.raises(ManifestError, match="site"):
        validate_manifest(document)


def test_other_kinds_keep_their_own_urls() -> None:
    """Interactive and ZIM resources use url for their launch, not a web address."""
    document = copy.deepcopy(BASE)
    document["resources"][0]["url"] = "zim://A/Foo"
    validate_manifest(document)


def test_a_pack_id_with_a_trailing_newline_is_not_installed(tmp_path: Path) -> None:
    """Before, ``evilpack\\n`` installed beside ``evilpack`` and could not be removed."""
    good = tmp_path / "good.ujpack"
    make_pack(good, pack_id="evilpack")
    evil = tmp_path / "evil.ujpack"
    rewrite_manifest(good, evil, lambda manifest: manifest.update(id="evilpack\n"))
    with Library(tmp_path / "home") as library:
        import_pack(library, good)
        with pytest.raises(ManifestError, match="control character"):
            import_pack(library, evil)
        assert [pack["id"] for pack in library.packs()] == ["evilpack"]
        library.remove_pack("evilpack")
        with pytest.raises(NotFoundError):
            library.remove_pack("evilpack")

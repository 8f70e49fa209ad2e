"""Catalogs compile on first use (a fresh clone run without make), and languages switch."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import i18n

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def back_to_english() -> Iterator[None]:
    yield
    i18n.set_language("en")


def _copy_catalog(tmp_path: Path, lang: str) -> Path:
    source = REPO / "translations" / lang / "LC_MESSAGES" / "ujuzi.po"
    target = tmp_path / lang / "LC_MESSAGES" / "ujuzi.po"
    target.parent.mkdir(parents=True)
    shutil.copy(source, target)
    return target


def test_a_missing_mo_is_compiled_beside_the_po(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    po = _copy_catalog(tmp_path, "sw")
    monkeypatch.setattr(i18n, "translations_dir", lambda: tmp_path)
    assert i18n.set_language("sw") == "sw"
    assert i18n._("Library") == "Maktaba"
    assert po.with_suffix(".mo").exists()
    assert i18n.available_languages() == ["en", "sw"]


def test_a_read_only_folder_compiles_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An installed app may not write beside its catalogs: it compiles them in memory."""
    _copy_catalog(tmp_path, "fr")
    monkeypatch.setattr(i18n, "translations_dir", lambda: tmp_path)
    monkeypatch.setattr(Path, "write_bytes", _refuse)
    i18n.set_language("fr")
    assert i18n._("Library") == "Bibliothèque"
    assert i18n.ngettext("{n} pack", "{n} packs", 2) == "{n} paquets"
    assert not (tmp_path / "fr" / "LC_MESSAGES" / "ujuzi.mo").exists()


def _refuse(self: Path, data: bytes) -> int:
    raise PermissionError(13, "read-only", str(self))


def test_unknown_language_falls_back_to_english() -> None:
    assert i18n.set_language("xx") == "xx"
    assert i18n._("Library") == "Library"

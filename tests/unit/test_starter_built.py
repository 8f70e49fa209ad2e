"""The starter packs are built at setup (``python -m app.starter``) and shipped built: a first
run imports them without building, and a changed folder is built again."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from app import starter
from app.library import Library
from app.paths import starter_packs_dir


@pytest.fixture
def starter_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "starter"
    shutil.copytree(starter_packs_dir(), root,
                    ignore=shutil.ignore_patterns("*.ujpack", "*.part"))
    monkeypatch.setattr(starter, "starter_packs_dir", lambda: root)
    return root


def test_built_once_and_again_when_a_source_changes(starter_root: Path) -> None:
    made = starter.build_starter_packs()
    assert sorted(p.name for p in made) == ["newcomers.ujpack", "organisations.ujpack",
                                            "sustainability.ujpack"]
    assert all(p.parent == starter_root for p in made)
    assert starter.build_starter_packs() == []  # up to date
    changed = starter_root / "organisations" / "pack.yaml"
    later = (starter_root / "organisations.ujpack").stat().st_mtime_ns + 1_000_000_000
    os.utime(changed, ns=(later, later))
    assert [p.name for p in starter.build_starter_packs()] == ["organisations.ujpack"]


def test_a_first_run_imports_the_built_packs_without_building(
        starter_root: Path, library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    starter.build_starter_packs()

    def no_building(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the starter packs were built again at the first run")

    monkeypatch.setattr("app.packs.build.build_pack", no_building)
    results = starter.seed_starter_packs(library)
    assert [r.status for r in results] == ["imported"] * 3
    assert len(library.packs()) == 3

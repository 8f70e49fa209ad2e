"""``ujuzi stick make`` and ``ujuzi stick import``: a stick holds the chosen packs, a README in
the learners' languages and (with --bundle) the app; a stick pulled out while being written is
finished by running the command again; another library imports the stick's packs; a bundle
started from a stick finds it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import paths
from app.errors import NotFoundError
from app.library import Library
from app.packs.importer import import_pack
from app.stick import MANIFEST, import_stick, make_stick, read_stick, running_stick
from tests.packs import make_pack


def ujuzi(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "UJUZI_LANG": "en"}
    return subprocess.run([sys.executable, "-m", "app", "--home", str(home), *args], env=env,
                          capture_output=True, text=True, check=False, timeout=300)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A library with two packs, one with Swahili in it."""
    home = tmp_path / "trainer"
    make_pack(tmp_path / "a.ujpack", pack_id="org.test.a",
              extra={"languages": ["en", "sw"]})
    make_pack(tmp_path / "b.ujpack", pack_id="org.test.b", version="2.0.0")
    with Library(home) as library:
        import_pack(library, tmp_path / "a.ujpack")
        import_pack(library, tmp_path / "b.ujpack")
    return home


def test_the_command_writes_the_chosen_packs_and_readmes(source: Path, tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    done = ujuzi("stick", "make", str(stick), "--packs", "org.test.a", "--json", home=source)
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    assert [p["id"] for p in listed["packs"]] == ["org.test.a"]
    assert (stick / "packs" / "org.test.a-1.0.0.ujpack").is_file()
    assert not (stick / "packs" / "org.test.b-2.0.0.ujpack").exists()
    assert (stick / "README.txt").read_text().startswith("Ujuzi")
    # Swahili (a language of the pack) has a README when its catalog translates it, and is
    # named to the trainer as waiting for a translation otherwise.
    assert listed["languages"][0] == "en" and set(listed["languages"]) <= {"en", "sw"}
    assert (stick / "README.sw.txt").is_file() == ("sw" in listed["languages"])
    assert ("sw" in listed["languages"]) != ("sw" in listed["readme_untranslated"])
    assert not list(stick.rglob("*.part"))


def catalog(folder: Path, language: str, translations: dict[str, str]) -> None:
    """A translations folder's catalog for ``language`` (a .po; the app compiles it)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    made = Catalog(locale=language, domain="ujuzi")
    for source, target in translations.items():
        made.add(source, target)
    out = folder / language / "LC_MESSAGES" / "ujuzi.po"
    out.parent.mkdir(parents=True)
    with open(out, "wb") as po:
        write_po(po, made)


@pytest.fixture
def catalogs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Catalogs made here: Swahili translates the README, French has a catalog that does not
    (yet), Arabic translates one sentence of it."""
    from app import i18n
    from app.stick import readme_text

    previous = i18n.active_language()
    i18n.set_language("en")
    english = readme_text().splitlines()
    i18n.set_language(previous)
    sentences = [line for line in english if line]
    folder = tmp_path / "translations"
    catalog(folder, "sw", {text: f"[sw] {text}" for text in sentences})
    catalog(folder, "fr", {"Unknown language": "Langue inconnue"})
    catalog(folder, "ar", {sentences[0]: "[ar] " + sentences[0]})
    monkeypatch.setattr(i18n, "translations_dir", lambda: folder)
    return folder


@pytest.mark.usefixtures("catalogs")
def test_each_readme_is_in_its_language(source: Path, tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    with Library(source) as library:
        made = make_stick(library, stick, languages=["sw-KE", "fr", "ar", "de"])
    assert made.languages == ["en", "sw", "ar"]
    assert made.readme_untranslated == ["fr", "de"]
    swahili = (stick / "README.sw.txt").read_text(encoding="utf-8").splitlines()
    assert swahili[0].startswith("[sw] Ujuzi") and all(
        line.startswith("[sw] ") for line in swahili if line)
    assert (stick / "README.ar.txt").read_text(encoding="utf-8").startswith("[ar] ")
    assert not (stick / "README.fr.txt").exists() and not (stick / "README.de.txt").exists()
    english = (stick / "README.txt").read_text(encoding="utf-8")
    assert english.startswith("Ujuzi") and "[sw]" not in english
    assert read_stick(stick).languages == ["en", "sw", "ar"]


@pytest.mark.usefixtures("catalogs")
def test_the_packs_languages_are_the_default(source: Path, tmp_path: Path) -> None:
    with Library(source) as library:
        made = make_stick(library, tmp_path / "stick", ["org.test.a"])
    assert made.languages == ["en", "sw"] and made.readme_untranslated == []


def test_the_command_takes_the_learners_languages(source: Path, tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    done = ujuzi("stick", "make", str(stick), "--packs", "org.test.b", "--languages", "xx-!!",
                 home=source)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "ujuzi: error: xx-!! is not a language tag (for example sw or pt-BR)."]
    done = ujuzi("stick", "make", str(stick), "--packs", "org.test.b", "--languages", "de",
                 home=source)
    assert done.returncode == 0, done.stderr
    assert "de" in done.stdout.splitlines()[-1]  # told it is not translated into German yet
    assert not (stick / "README.de.txt").exists()


def test_an_unknown_pack_is_one_line_and_a_non_zero_exit(source: Path, tmp_path: Path) -> None:
    done = ujuzi("stick", "make", str(tmp_path / "stick"), "--packs", "org.test.nope",
                 home=source)
    assert done.returncode == NotFoundError.exit_code
    assert done.stderr.strip().splitlines() == ["ujuzi: error: No pack with id org.test.nope."]


def test_a_stick_pulled_out_is_finished_by_making_it_again(source: Path, tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    with Library(source) as library:
        make_stick(library, stick)
        whole = (stick / "packs" / "org.test.b-2.0.0.ujpack").read_bytes()
        # A cut while the second pack was written: a half file under its .part name, and a
        # damaged copy of the first (the stick was pulled out mid-rename on another run).
        (stick / "packs" / "org.test.b-2.0.0.ujpack").unlink()
        (stick / "packs" / "org.test.b-2.0.0.ujpack.part").write_bytes(whole[:100])
        (stick / "packs" / "org.test.a-1.0.0.ujpack").write_bytes(b"broken")
        make_stick(library, stick)
    assert (stick / "packs" / "org.test.b-2.0.0.ujpack").read_bytes() == whole
    listed = read_stick(stick)
    for pack in listed.packs:
        assert (stick / "packs" / pack.file).stat().st_size == pack.size
    with Library(tmp_path / "learner") as learner:
        assert [r.status for r in import_stick(learner, listed)] == ["imported", "imported"]
        assert import_stick(learner, listed) == []  # nothing left to import


def test_another_library_imports_the_stick(source: Path, tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    assert ujuzi("stick", "make", str(stick), home=source).returncode == 0
    done = ujuzi("stick", "import", str(stick), home=tmp_path / "learner")
    assert done.returncode == 0, done.stderr
    listed = ujuzi("list", "--json", home=tmp_path / "learner")
    assert sorted(p["id"] for p in json.loads(listed.stdout)) == ["org.test.a", "org.test.b"]


def test_a_bundle_started_from_a_stick_finds_it(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bundle is a folder with an executable named ujuzi (here a copy of this Python, as
    the frozen program's sys.executable would be)."""
    fake_bundle = tmp_path / "built" / "ujuzi"
    fake_bundle.mkdir(parents=True)
    (fake_bundle / "ujuzi").write_bytes(b"#!/bin/sh\n")
    (fake_bundle / "ujuzi").chmod(0o755)
    stick = tmp_path / "stick"
    with Library(source) as library:
        made = make_stick(library, stick, ["org.test.b"], bundle=fake_bundle)
    assert made.bundle and (stick / "ujuzi" / "ujuzi").is_file()
    assert running_stick() is None  # not frozen: never a stick
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(stick / "ujuzi" / "ujuzi"))
    found = running_stick()
    assert found is not None and found.root == stick and paths.install_root() == stick / "ujuzi"
    assert [p.id for p in found.packs] == ["org.test.b"]
    (stick / MANIFEST).unlink()
    assert running_stick() is None

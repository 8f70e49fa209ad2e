"""The bundle's trimmed babel data (packaging/bundle_trim.py) shows the window exactly as the
whole data does: every language's name in every language the window offers, numbers, sizes,
dates and durations in those languages, the same set of known languages, each locale's
writing direction; and it is a small part of the whole. Qt's translations keep what the
window loads."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import babel

from app.paths import SOURCE_ROOT

# packaging/ is not a package (the name is PyPI's "packaging"): load the module by its path.
_spec = importlib.util.spec_from_file_location(
    "bundle_trim", SOURCE_ROOT / "packaging" / "bundle_trim.py")
assert _spec is not None and _spec.loader is not None
bundle_trim = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bundle_trim)

BABEL_DATA = Path(babel.__file__).parent / "locale-data"

SHOW = """
import json, sys
import babel.localedata
if len(sys.argv) > 1:
    babel.localedata._dirname = sys.argv[1]
from babel import Locale
from app import formatting, i18n
from app.packs import rules
codes = sorted(babel.localedata.locale_identifiers())
tags = [code.replace("_", "-") for code in codes] + ["pt-BR", "sw-KE", "zh-Hant", "und", "xx"]
shown = {"known": [tag for tag in tags if rules.is_language(tag)],
         "direction": {code: Locale.parse(code).character_order for code in codes}}
for ui in json.loads(sys.stdin.read()):
    i18n.set_language(ui)
    shown[ui] = {
        "names": [formatting.language_name(tag) for tag in tags],
        "own name": formatting.language_name(ui, ui),
        "formats": [formatting.number(1234567.891, 2), formatting.percent(0.256),
                    formatting.size(123456789), formatting.duration(3725),
                    formatting.day("2026-12-07"), formatting.moment("2026-12-07T10:30:00Z"),
                    formatting.clock(3725)],
    }
print(json.dumps(shown, ensure_ascii=False, sort_keys=True))
"""


def show(languages: list[str], data: Path | None = None) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", SHOW, *([str(data)] if data else [])],
                          input=json.dumps(languages), capture_output=True, text=True,
                          check=True, cwd=SOURCE_ROOT, env={"PATH": "/usr/bin:/bin",
                                                           "UJUZI_LANG": "en"})
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_the_trimmed_babel_data_shows_the_window_as_the_whole_data(tmp_path: Path) -> None:
    languages = sorted(bundle_trim.ui_languages())
    assert {"en", "fr", "sw"} <= set(languages)
    trimmed = tmp_path / "locale-data"
    kept = bundle_trim.trimmed_babel_data(BABEL_DATA, trimmed, languages)
    assert {"root", "en", "en_001", "en_GB", "fr", "fr_CA", "sw", "es_419"} <= kept
    assert "de" not in kept and "pt_BR" not in kept

    assert show(languages, trimmed) == show(languages)

    whole = sum(path.stat().st_size for path in BABEL_DATA.glob("*.dat"))
    left = sum(path.stat().st_size for path in trimmed.glob("*.dat"))
    assert sorted(p.name for p in trimmed.iterdir()) == sorted(p.name for p in
                                                                BABEL_DATA.iterdir()
                                                                if p.suffix == ".dat")
    assert left < whole / 5, (left, whole)


def test_a_right_to_left_language_without_a_catalog_keeps_its_direction(
    tmp_path: Path
) -> None:
    trimmed = tmp_path / "locale-data"
    bundle_trim.trimmed_babel_data(BABEL_DATA, trimmed, ["en"])
    shown = show([], trimmed)["direction"]
    assert isinstance(shown, dict)
    assert shown["fa"] == shown["he"] == shown["ar_EG"] == "right-to-left"
    assert shown["de"] == "left-to-right"


def test_qt_translations_keep_qtbase_of_the_window_languages() -> None:
    languages = ["en", "fr", "sw", "ar"]
    assert bundle_trim.qt_translation_kept("qtbase_fr.qm", languages)
    assert bundle_trim.qt_translation_kept("qtbase_ar.qm", languages)
    assert not bundle_trim.qt_translation_kept("qtbase_de.qm", languages)
    assert not bundle_trim.qt_translation_kept("qt_fr.qm", languages)
    assert not bundle_trim.qt_translation_kept("qtmultimedia_fr.qm", languages)


def test_the_libraries_of_repaired_wheels_keep_their_symbols_and_load(tmp_path: Path) -> None:
    """numpy's OpenBLAS (auditwheel moved it into numpy.libs and patchelf rewrote it) is left
    as it is, and still loads (stripped, it did not: the standard bundle's cohort matching
    failed); a library of another wheel loses its symbols and still loads."""
    import ctypes

    import charset_normalizer
    import numpy

    site = Path(numpy.__file__).parent.parent
    [openblas] = (site / "numpy.libs").glob("libscipy_openblas*.so")
    entry = (f"numpy.libs/{openblas.name}", str(openblas), "BINARY")
    _dest, source, _kind = bundle_trim.stripped(entry, tmp_path / "stripped")
    ctypes.CDLL(source)
    assert not bundle_trim.strippable(next((site / "numpy").rglob("_multiarray_umath*.so")))

    [other] = Path(charset_normalizer.__file__).parent.glob("md.*.so")  # has its symbols
    entry = (f"charset_normalizer/{other.name}", str(other), "BINARY")
    _dest, source, _kind = bundle_trim.stripped(entry, tmp_path / "stripped")
    assert Path(source).is_relative_to(tmp_path)
    assert Path(source).stat().st_size < other.stat().st_size
    ctypes.CDLL(source)

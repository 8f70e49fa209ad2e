"""What the bundle (packaging/ujuzi.spec) keeps of babel's locale data and Qt's translations.

The window speaks the languages that have a catalog in ``translations/`` (and English); those
are the only languages it formats numbers and dates in, and names other languages in. The
bundle keeps babel's data whole for them (their regional variants and every locale they
inherit from, ``root`` included). Every other locale keeps a file of its name, so that babel
still knows it (a pack's ``pt-BR`` is still a language, and is still called "Portuguese
(Brazil)") but holds only its writing direction: its names, numbers and dates would only be
read to show the window in that language, which the window does not offer. That is about 30
of babel's 32 MiB.

Of Qt's own translations the window loads ``qtbase_<language>.qm`` (app/ui/context.py): the
others (Qt's tools, Qt Multimedia's, the ``qt_`` meta catalogs) stay out.

On Linux the libraries lose their symbols (about 40 MiB), except those of wheels that
auditwheel repaired (a ``<package>.libs`` folder beside the package: numpy, OR-Tools,
psycopg): patchelf rewrote their program headers, and ``strip`` leaves them unloadable
("ELF load command address/offset not page-aligned"), which broke the cohort matching of
the standard bundle.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: What a stub keeps of a locale's own data: how its text runs.
STUB_KEYS = ("character_order",)


def ui_languages(root: Path = ROOT) -> set[str]:
    """English and every language with a catalog (``translations/<lang>/LC_MESSAGES``)."""
    found = {"en"}
    for po in (root / "translations").glob("*/LC_MESSAGES/ujuzi.po"):
        found.add(po.parent.parent.name.replace("-", "_"))
    return found


def _parent(name: str, exceptions: dict[str, str]) -> str | None:
    if name == "root":
        return None
    if name in exceptions:
        return exceptions[name]
    parts = name.split("_")
    return "root" if len(parts) == 1 else "_".join(parts[:-1])


def babel_kept(locales: Iterable[str], languages: Iterable[str]) -> set[str]:
    """The locales (babel's file names without ``.dat``) kept whole: those of ``languages``
    (``en`` keeps ``en``, ``en_GB``, ``en_001``...) and every locale they inherit from."""
    from babel.core import get_global

    exceptions = dict(get_global("parent_exceptions"))
    wanted = {language.split("_")[0] for language in languages}
    kept = {"root"} | {name for name in locales if name.split("_")[0] in wanted}
    for name in list(kept):
        parent = _parent(name, exceptions)
        while parent is not None and parent not in kept:
            kept.add(parent)
            parent = _parent(parent, exceptions)
    return kept


def write_babel_stub(source: Path, target: Path) -> None:
    """A locale file that keeps the locale known to babel and only its writing direction."""
    with open(source, "rb") as data:
        own = pickle.load(data)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as out:
        pickle.dump({key: own[key] for key in STUB_KEYS if key in own}, out, protocol=4)


def trimmed_babel_data(source: Path, target: Path, languages: Iterable[str]) -> set[str]:
    """Write babel's ``locale-data`` folder ``source`` trimmed into ``target``; return the
    locales kept whole."""
    import shutil

    names = [path.stem for path in source.glob("*.dat")]
    kept = babel_kept(names, languages)
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        if name in kept:
            shutil.copyfile(source / f"{name}.dat", target / f"{name}.dat")
        else:
            write_babel_stub(source / f"{name}.dat", target / f"{name}.dat")
    return kept


def _site_packages(path: Path) -> Path | None:
    for parent in path.parents:
        if parent.name in ("site-packages", "dist-packages"):
            return parent
    return None


def strippable(source: str | Path) -> bool:
    """Whether the library ``source`` may lose its symbols: not one of a wheel that
    auditwheel repaired (its package has a ``<package>.libs`` or ``<package>/.libs`` folder),
    nor one of those ``.libs`` folders."""
    path = Path(source).resolve()
    site = _site_packages(path)
    if site is None:
        return True
    package = path.relative_to(site).parts[0].removesuffix(".libs")
    return not ((site / f"{package}.libs").is_dir() or (site / package / ".libs").is_dir())


def stripped(entry: tuple[str, str, str], scratch: Path) -> tuple[str, str, str]:
    """A PyInstaller binary ``(dest, source, kind)`` whose library lost its symbols (a copy
    in ``scratch``), or ``entry`` itself when it is not :func:`strippable` or ``strip``
    cannot handle it."""
    import shutil
    import subprocess

    dest, source, kind = entry
    if not strippable(source):
        return entry
    out = scratch / dest
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, out)
    done = subprocess.run(["strip", str(out)], capture_output=True, check=False)
    if done.returncode != 0:
        out.unlink()
        return entry
    return (dest, str(out), kind)


def qt_translation_kept(file_name: str, languages: Iterable[str]) -> bool:
    """Whether Qt's translation ``file_name`` (``qtbase_fr.qm``) is one the window loads."""
    stem = file_name.removesuffix(".qm")
    if not stem.startswith("qtbase_"):
        return False
    return stem.removeprefix("qtbase_").split("_")[0] in {
        language.split("_")[0] for language in languages}

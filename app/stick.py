"""A workshop stick: a folder (on a USB stick) holding the app's bundle, chosen packs and a
short README in the learners' languages, written by ``ujuzi stick make DIR``.

Layout of the folder::

    DIR/ujuzi-stick.json        what the stick holds (packs with version, size and sha256)
    DIR/README.txt              how to start, in English; README.<lang>.txt in each learner's
                                language whose catalog translates it (the packs' languages,
                                or those given with --languages)
    DIR/packs/<id>-<version>.ujpack
    DIR/ujuzi/                  the one-folder bundle (with --bundle)

Writing is resumable: each file goes to ``<name>.part`` and is renamed when whole, and a pack
already on the stick with the listed size and checksum is not written again, so a stick that
was pulled out is finished by running the command again. Importing from a stick goes through
the normal import, which is atomic. :func:`running_stick` tells the program that it was
started from a stick's bundle, so that it can offer to install itself and import the packs.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import NotFoundError, UjuziError
from app.i18n import _, active_language, available_languages, ngettext, set_language
from app.paths import APP_NAME, PORTABLE_MARKERS, SOURCE_ROOT, install_root, is_frozen
from app.tasks import Reporter

if TYPE_CHECKING:
    from app.library import Library
    from app.packs.importer import ImportResult

MANIFEST = "ujuzi-stick.json"
PACKS_FOLDER = "packs"
BUNDLE_FOLDER = "ujuzi"
FORMAT = 1
#: The desktop entry and AppStream id (packaging/linux/).
APP_ID = "org.ujuzi.Ujuzi"
_CHUNK = 1024 * 1024


@dataclass
class StickPack:
    id: str
    version: str
    file: str
    size: int
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "version": self.version, "file": self.file, "size": self.size,
                "sha256": self.sha256}


@dataclass
class Stick:
    """A stick folder and what its manifest lists."""

    root: Path
    packs: list[StickPack] = field(default_factory=list)
    #: The languages of its READMEs, English first.
    languages: list[str] = field(default_factory=list)
    bundle: bool = False
    #: The learners' languages asked for whose catalog does not translate the README yet.
    readme_untranslated: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "packs": [pack.as_dict() for pack in self.packs],
                "languages": self.languages, "bundle": self.bundle,
                "readme_untranslated": self.readme_untranslated}


def read_stick(root: Path) -> Stick:
    """The stick at ``root``; a :class:`UjuziError` in words when it is not one."""
    path = root / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        packs = [StickPack(str(p["id"]), str(p["version"]), str(p["file"]), int(p["size"]),
                           str(p["sha256"])) for p in data["packs"]]
        if any(Path(p.file).name != p.file for p in packs):
            raise ValueError("a pack file outside the packs folder")
    except FileNotFoundError:
        raise NotFoundError(_("{path} is not a Ujuzi stick (no {name}).").format(
            path=root, name=MANIFEST)) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UjuziError(_("The stick's list of packs {path} cannot be read: {error}").format(
            path=path, error=exc)) from None
    return Stick(root, packs, [str(lang) for lang in data.get("languages", [])],
                 bool(data.get("bundle")),
                 [str(lang) for lang in data.get("readme_untranslated", [])])


def running_stick() -> Stick | None:
    """The stick this program was started from (its bundle folder sits in a stick folder),
    or None."""
    if not is_frozen():
        return None
    root = install_root().parent
    if not (root / MANIFEST).is_file():
        return None
    try:
        return read_stick(root)
    except UjuziError:
        return None


def default_bundle() -> Path | None:
    """The bundle to copy: the running one, else the one ``make dist`` built in a checkout."""
    if is_frozen():
        return install_root()
    built = SOURCE_ROOT / "dist" / "ujuzi" / "ujuzi"
    return built if (built / "ujuzi").is_file() else None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_file(source: Path, target: Path) -> None:
    """Copy through ``<target>.part`` and a rename, so a cut leaves no half file."""
    part = target.with_name(target.name + ".part")
    shutil.copyfile(source, part)
    os.replace(part, target)


def _copy_tree(source: Path, target: Path, reporter: Reporter) -> None:
    """Copy a folder file by file, keeping files already there with the same size (a stick
    pulled out mid-copy is finished by copying again)."""
    files = [path for path in sorted(source.rglob("*")) if path.is_file() or path.is_symlink()]
    for done, path in enumerate(files, 1):
        out = target / path.relative_to(source)
        out.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink():
            if not out.is_symlink():
                out.unlink(missing_ok=True)
                out.symlink_to(os.readlink(path))
        elif not (out.is_file() and out.stat().st_size == path.stat().st_size):
            _copy_file(path, out)
            shutil.copymode(path, out)
        reporter.report("bundle", done, len(files), path.name)


def readme_text() -> str:
    """The README of a stick in the active language."""
    return "\n".join([
        _("Ujuzi: offline learning packs"),
        "",
        _("This stick holds the Ujuzi app and learning packs. Nothing here needs the "
          "internet."),
        "",
        _("To start Ujuzi: open the folder ujuzi and run the program ujuzi (on Windows, "
          "ujuzi.exe). It offers to import the packs from this stick."),
        _("To keep everything on the stick instead of the computer, put an empty file named "
          "portable in the folder ujuzi before starting it."),
        _("To import the packs into Ujuzi already installed on a computer: "
          "ujuzi stick import FOLDER, or Library > Import and choose the files in the folder "
          "packs."),
        "",
    ])


def _catalog_for(language: str, catalogs: Sequence[str]) -> str | None:
    """The catalog that serves ``language`` (``sw-KE`` -> ``sw``), or None."""
    tag = language.replace("_", "-")
    for candidate in (tag, tag.split("-")[0]):
        for catalog in catalogs:
            if catalog.replace("_", "-").lower() == candidate.lower():
                return catalog
    return None


def _write_readmes(root: Path, languages: Sequence[str]) -> tuple[list[str], list[str]]:
    """README.txt in English and README.<lang>.txt in each of ``languages`` whose catalog
    translates the README (a sentence not translated yet stays in English, as everywhere in
    the app); return the languages written and those asked for with no translation yet."""
    previous = active_language()
    written, untranslated = ["en"], []
    try:
        set_language("en")
        english = readme_text()
        (root / "README.txt").write_text(english, encoding="utf-8")
        catalogs = available_languages()
        for language in languages:
            catalog = _catalog_for(language, catalogs)
            if catalog in written:
                continue
            if catalog is not None:
                set_language(catalog)
                text = readme_text()
            if catalog is None or text == english:
                if language not in untranslated:
                    untranslated.append(language)
                continue
            (root / f"README.{catalog}.txt").write_text(text, encoding="utf-8")
            written.append(catalog)
    finally:
        set_language(previous)
    return written, untranslated


def check_languages(languages: Sequence[str]) -> list[str]:
    """``languages`` as given for the READMEs; a :class:`UjuziError` for one that is not a
    language tag."""
    from app.packs.rules import is_language

    for language in languages:
        if not is_language(language.replace("_", "-")):
            raise UjuziError(_("{code} is not a language tag (for example sw or pt-BR).")
                             .format(code=language))
    return list(languages)


def make_stick(
    library: Library,
    root: Path,
    pack_ids: Sequence[str] | None = None,
    bundle: Path | None = None,
    reporter: Reporter | None = None,
    languages: Sequence[str] | None = None,
) -> Stick:
    """Write a stick at ``root`` with the packs ``pack_ids`` (all installed packs when None),
    when given the one-folder ``bundle``, and a README in English and in each of the learners'
    ``languages`` (the packs' languages when None) that has a translation of it."""
    from app.packs.exporter import export_pack

    reporter = reporter or Reporter()
    installed = {pack["id"]: pack for pack in library.packs()}
    chosen = list(pack_ids) if pack_ids else sorted(installed)
    for pack_id in chosen:
        if pack_id not in installed:
            raise NotFoundError(_("No pack with id {id}.").format(id=pack_id))
    if bundle is not None and not (bundle / ("ujuzi.exe" if os.name == "nt" else "ujuzi")
                                   ).is_file():
        raise UjuziError(_("{path} is not a Ujuzi bundle folder.").format(path=bundle))
    wanted = check_languages(languages) if languages is not None else None
    packs_folder = root / PACKS_FOLDER
    try:
        packs_folder.mkdir(parents=True, exist_ok=True)
        previous = read_stick(root) if (root / MANIFEST).is_file() else Stick(root)
    except OSError as exc:
        raise UjuziError(_("Cannot write the stick {path}: {error}").format(
            path=root, error=exc.strerror)) from None
    known = {(pack.id, pack.version): pack for pack in previous.packs}
    stick = Stick(root, bundle=bundle is not None)
    packs_languages: list[str] = []
    for done, pack_id in enumerate(chosen, 1):
        pack = installed[pack_id]
        name = f"{pack_id}-{pack['version']}.ujpack"
        target = packs_folder / name
        kept = known.get((pack_id, pack["version"]))
        if not (kept and target.is_file() and target.stat().st_size == kept.size
                and _sha256(target) == kept.sha256):
            part = packs_folder / (name + ".part")
            export_pack(library, pack_id, part)
            os.replace(part, target)
        stick.packs.append(StickPack(pack_id, str(pack["version"]), name,
                                     target.stat().st_size, _sha256(target)))
        packs_languages.extend(lang for lang in pack.get("languages") or []
                               if lang not in packs_languages)
        reporter.report("packs", done, len(chosen), pack_id)
    if bundle is not None:
        _copy_tree(bundle, root / BUNDLE_FOLDER, reporter)
    stick.languages, stick.readme_untranslated = _write_readmes(
        root, wanted if wanted is not None else packs_languages)
    manifest = root / MANIFEST
    part = manifest.with_name(MANIFEST + ".part")
    part.write_text(json.dumps(stick.as_dict(), indent=2) + "\n", encoding="utf-8")
    os.replace(part, manifest)
    return stick


def missing_packs(library: Library, stick: Stick) -> list[StickPack]:
    """The stick's packs the library does not have in that version or a newer one."""
    from semver import Version

    have = {pack["id"]: str(pack["version"]) for pack in library.packs()}
    missing = []
    for pack in stick.packs:
        current = have.get(pack.id)
        try:
            newer = current is not None and Version.parse(current) >= Version.parse(pack.version)
        except ValueError:
            newer = current == pack.version
        if not newer:
            missing.append(pack)
    return missing


def import_stick(library: Library, stick: Stick,
                 reporter: Reporter | None = None) -> list[ImportResult]:
    """Import the stick's packs the library lacks, one atomic import each (a stick pulled out
    leaves the packs already imported in place; importing again does the rest)."""
    from app.packs.importer import import_pack

    results = []
    for pack in missing_packs(library, stick):
        path = stick.root / PACKS_FOLDER / pack.file
        if not path.is_file():
            raise UjuziError(_("The stick lacks {file}: plug it in again, or make it "
                               "again.").format(file=pack.file))
        results.append(import_pack(library, path, reporter, source="stick"))
    return results


def installed_app_folder() -> Path:
    """Where a stick's app is installed on the computer: ``app/`` in the per-user data
    folder of the platform (not the library's data folder, which may be elsewhere)."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "app"


def install_from_stick(stick: Stick, target: Path | None = None,
                       reporter: Reporter | None = None) -> Path:
    """Copy the stick's bundle to ``target`` (default :func:`installed_app_folder`) and, on
    Linux, add a menu entry for it; return the installed program. A copy cut short (the
    stick pulled out) is finished by installing again: files already copied are kept."""
    reporter = reporter or Reporter()
    source = stick.root / BUNDLE_FOLDER
    program = "ujuzi.exe" if os.name == "nt" else "ujuzi"
    if not (source / program).is_file():
        raise UjuziError(_("The stick {path} holds no copy of the app.").format(
            path=stick.root))
    target = target or installed_app_folder()
    try:
        _copy_tree(source, target, reporter)
        for marker in PORTABLE_MARKERS:  # the installed copy keeps its data on the computer
            (target / marker).unlink(missing_ok=True)
        if sys.platform.startswith("linux"):
            _write_menu_entry(target / program)
    except OSError as exc:
        raise UjuziError(_("Cannot install the app in {path}: {error}").format(
            path=target, error=exc.strerror or exc)) from None
    return target / program


def _write_menu_entry(program: Path) -> None:
    """A desktop entry for the installed program in the user's applications folder."""
    data = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    icon = program.parent / "_internal" / "app" / "data" / "resources" / "icons" / "ujuzi.svg"
    entry = data / "applications" / f"{APP_ID}.desktop"
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_text(
        "[Desktop Entry]\nType=Application\nName=Ujuzi\n"
        "Comment=Learning packs, search, media and mentorship that work without a network\n"
        f'Exec="{program}" gui\nIcon={icon}\nTerminal=false\nCategories=Education;\n',
        encoding="utf-8")


def stick_for_command(folder: str | None) -> Stick:
    """The stick a command names, else the one this program runs from."""
    if folder:
        return read_stick(Path(folder).expanduser().resolve())
    stick = running_stick()
    if stick is None:
        raise UjuziError(_("Name the stick's folder: this program was not started from a "
                           "stick."))
    return stick


def bundle_for_command(wanted: bool, given: str | None) -> Path | None:
    if given:
        return Path(given).expanduser().resolve()
    if not wanted:
        return None
    found = default_bundle()
    if found is None:
        raise UjuziError(_("No bundle to copy: build one with make dist, or name its folder "
                           "with --bundle-from."))
    return found


# -- the command line: ``ujuzi stick make`` and ``ujuzi stick import`` --------------------


def add_commands(commands: Any) -> None:
    """Add ``ujuzi stick ...`` to the command line's subcommands."""
    stick = commands.add_parser("stick", help=_("prepare a workshop USB stick"))
    sub = stick.add_subparsers(dest="stick_command", metavar="SUBCOMMAND", required=True)
    make = sub.add_parser("make", help=_("write the app, packs and a README to a folder"))
    make.add_argument("folder", metavar="DIR")
    make.add_argument("--packs", nargs="+", metavar="ID",
                      help=_("the packs to put on it (default: every installed pack)"))
    make.add_argument("--bundle", action="store_true",
                      help=_("also copy the app itself (this program's bundle)"))
    make.add_argument("--bundle-from", metavar="FOLDER",
                      help=_("the bundle folder to copy (default: the running one)"))
    make.add_argument("--languages", nargs="+", metavar="LANG",
                      help=_("the learners' languages, for the README (default: the "
                             "languages of the packs)"))
    make.add_argument("--json", action="store_true", help=_("print JSON for scripts"))
    imp = sub.add_parser("import", help=_("import the packs of a stick"))
    imp.add_argument("folder", metavar="DIR", nargs="?",
                     help=_("the stick's folder (default: the stick this program runs from)"))
    imp.add_argument("--json", action="store_true", help=_("print JSON for scripts"))
    install = sub.add_parser(
        "install", help=_("install the app from a stick on this computer and import its packs"))
    install.add_argument("folder", metavar="DIR", nargs="?",
                         help=_("the stick's folder (default: the stick this program runs "
                                "from)"))


def cmd_stick(args: Any, library: Library) -> int:
    from app.terminal import ProgressPrinter, json_text

    reporter = Reporter(ProgressPrinter(sys.stderr))
    if args.stick_command == "make":
        bundle = bundle_for_command(args.bundle, args.bundle_from)
        stick = make_stick(library, Path(args.folder).expanduser().resolve(), args.packs,
                           bundle, reporter, args.languages)
        if args.json:
            print(json_text(stick.as_dict()))
        else:
            print(ngettext("The stick {path} holds {count} pack{bundle}; README in: {languages}.",
                           "The stick {path} holds {count} packs{bundle}; README in: {languages}.",
                           len(stick.packs))
                  .format(path=stick.root, count=len(stick.packs),
                          bundle=_(" and the app") if stick.bundle else "",
                          languages=", ".join(stick.languages)))
            if stick.readme_untranslated:
                print(_("The README is not translated into {languages} yet: learners there "
                        "read the English one.").format(
                            languages=", ".join(stick.readme_untranslated)))
        return 0
    stick = stick_for_command(args.folder)
    if args.stick_command == "install":
        program = install_from_stick(stick, reporter=reporter)
        print(_("Installed the app: {path}").format(path=program))
    results = import_stick(library, stick, reporter)
    if args.stick_command == "install":
        args.json = False
    if args.json:
        print(json_text([{"pack_id": r.pack_id, "version": r.version, "status": r.status}
                         for r in results]))
    else:
        print(ngettext("Imported {count} pack from the stick {path}.",
                       "Imported {count} packs from the stick {path}.", len(results)).format(
            count=len(results), path=stick.root))
    return 0

"""Importing the formats learning content already lives in, each converted into a pack.

``import_any(library, path)`` looks at ``path``, decides which format it is (see
:func:`detect_format`), and either imports a ``.ujpack`` as it is or runs the converter of
that format. Converters are one module each:

============  ==============================================================  ===========
format        what is accepted                                                 module
============  ==============================================================  ===========
ujpack        a ``.ujpack`` (or any zip with ``pack.json`` at the top)          importer
olx           Open edX course or library export: folder, ``.tar.gz``, zip        olx
scorm         SCORM 1.2 / 2004 package: zip or folder with ``imsmanifest.xml``   scorm
imscc         IMS Common Cartridge: ``.imscc`` zip or folder                     imscc
zim           Kiwix ZIM file, or the first part of a split set (``.zimaa``)      zim
h5p           ``.h5p`` file, or an unpacked one (``h5p.json``)                   h5p
wikiedu       Wiki Education Dashboard ``training_content`` folder               wikiedu
mediawiki     ``Special:Export`` XML, or wikitext files (``.mw``, ``.wiki``)     mediawiki
============  ==============================================================  ===========

Every converter keeps the source's licence and attribution, lists what it could not convert
in the report instead of failing, and leaves the library unchanged when the input as a whole
is unusable (a clear one-line :class:`~app.errors.PackError`).
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from app.errors import PackError
from app.i18n import _, ngettext
from app.library import Library
from app.packs.importers.common import ImportReport, Skipped
from app.packs.importers.sources import FolderTree, SourceTree, ZipTree, extract_tar
from app.packs.manifest import MANIFEST_NAME, PACK_SUFFIX
from app.store.blobs import is_disk_full
from app.tasks import Reporter

__all__ = ["FORMATS", "SUFFIXES", "ImportReport", "Skipped", "detect_format", "import_any",
           "is_folder_of_files", "skipped_summary", "source_path"]

FORMATS = ("ujpack", "olx", "scorm", "imscc", "zim", "h5p", "wikiedu", "mediawiki")
#: File name endings an import dialog offers (folders are accepted too).
SUFFIXES = (".ujpack", ".zip", ".imscc", ".h5p", ".zim", ".zimaa", ".tar.gz", ".tgz", ".xml",
            ".mw", ".wiki", ".wikitext")

_ZIM_MAGIC = b"ZIM\x04"
_WIKITEXT_EXTS = (".mw", ".wiki", ".wikitext", ".mediawiki")
_TAR_EXTS = (".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tar.xz")
_AICC_EXTS = (".au", ".crs", ".cst", ".des")


def _is_cc_manifest(head: bytes) -> bool:
    text = head.decode("utf-8", "replace")
    return "imsccv1p" in text or "IMS Common Cartridge" in text or "imscc_v1p" in text


def classify_tree(tree: SourceTree) -> tuple[str, str]:
    """The format of an unpacked source, and the folder inside ``tree`` where it starts
    (``""`` for the top). Raises :class:`PackError` naming what was looked for."""
    names = set(tree.names())
    candidates = [""]
    top = tree.top_folder()
    if top is not None:
        candidates.append(top)
    for root in candidates:
        prefix = f"{root}/" if root else ""
        if f"{prefix}{MANIFEST_NAME}" in names and not root:
            return "ujpack", root
        if f"{prefix}imsmanifest.xml" in names:
            head = tree.read(f"{prefix}imsmanifest.xml", 256 * 1024)
            return ("imscc" if _is_cc_manifest(head) else "scorm"), root
        if f"{prefix}h5p.json" in names:
            return "h5p", root
        if f"{prefix}course.xml" in names or f"{prefix}library.xml" in names:
            return "olx", root
        if f"{prefix}cmi5.xml" in names:
            raise PackError(_("cmi5 packages are not supported yet; export the course as "
                              "SCORM 2004 instead."))
        if any(n.startswith(prefix) and n.lower().endswith(_AICC_EXTS) for n in names):
            raise PackError(_("AICC packages are not supported; export the course as SCORM "
                              "instead."))
        if _wikiedu_root(names, prefix) is not None:
            return "wikiedu", root
        if any(n.startswith(prefix) and n.lower().endswith(_WIKITEXT_EXTS) for n in names):
            return "mediawiki", root
    nested = sorted(n for n in names if n.endswith("/imsmanifest.xml"))
    if nested:
        raise PackError(
            _("imsmanifest.xml must be at the top of the package, but it is in {folder}/.")
            .format(folder=nested[0].rsplit("/", 1)[0])
        )
    raise PackError(_("{name} is not a format Ujuzi can import (looked for a SCORM or Common "
                      "Cartridge manifest, an Open edX course.xml, h5p.json, Wiki Education "
                      "training YAML or wikitext files).").format(name=tree.label))


def _wikiedu_root(names: set[str], prefix: str) -> str | None:
    for name in sorted(names):
        if not name.startswith(prefix):
            continue
        parts = name[len(prefix):].split("/")
        for index in range(len(parts) - 1):
            if parts[index] in ("modules", "libraries") and name.endswith((".yml", ".yaml")):
                return "/".join(parts[:index])
    return None


#: Files that stand for the unpacked export they head: choosing one imports its folder.
_HEAD_FILES = ("course.xml", "library.xml", "h5p.json")


def source_path(path: Path) -> Path:
    """What to import when ``path`` is chosen: the folder of an unpacked export when
    ``path`` is the file at its top (``course.xml`` of an Open edX export, ``library.xml``,
    ``h5p.json``), else ``path`` itself."""
    path = Path(path)
    if path.name.lower() in _HEAD_FILES and path.is_file():
        return path.parent
    return path


def is_folder_of_files(path: Path) -> bool:
    """True for a folder that is none of the formats an import converts (a folder of
    articles, videos, PDFs...): it becomes a pack by building it (``ujuzi pack build``)."""
    path = Path(path)
    if not path.is_dir():
        return False
    try:
        detect_format(path)
    except PackError:
        return True
    return False


def detect_format(path: Path) -> str:
    """The format of ``path`` (one of :data:`FORMATS`), looking at content, not only at names.
    Raises :class:`PackError` when it is none of them."""
    path = source_path(path)
    if not path.exists():
        raise PackError(_("No such file: {path}").format(path=path))
    if path.is_dir():
        return classify_tree(FolderTree(path, 2**62))[0]
    name = path.name.lower()
    try:
        with open(path, "rb") as stream:
            head = stream.read(4096)
    except OSError as exc:
        raise PackError(_("Cannot read {path}: {error}").format(path=path, error=exc.strerror)
                        ) from None
    if head.startswith(_ZIM_MAGIC) or name.endswith((".zim", ".zimaa")):
        return "zim"
    if name.endswith(_TAR_EXTS) or head[257:262] == b"ustar" or head[:2] == b"\x1f\x8b":
        return "olx"
    if name == "imsmanifest.xml":
        return classify_tree(FolderTree(path.parent, 2**62))[0]
    if name.endswith(_WIKITEXT_EXTS):
        return "mediawiki"
    if head.lstrip().startswith(b"<") and b"<mediawiki" in head:
        return "mediawiki"
    if zipfile.is_zipfile(path):
        if name.endswith(PACK_SUFFIX):
            return "ujpack"
        with ZipTree(path, 2**62) as archive:
            return classify_tree(archive)[0]
    if name.endswith(PACK_SUFFIX):
        return "ujpack"  # the pack importer explains what is wrong with it
    raise PackError(_("{name} is not a format Ujuzi can import.").format(name=path.name))


Converter = Callable[[Library, Path, SourceTree | None, Path, Reporter], ImportReport]


def _converter(fmt: str) -> Converter:
    import importlib

    module = importlib.import_module(f"app.packs.importers.{fmt}")
    convert: Converter = module.convert
    return convert


def import_any(library: Library, path: Path, reporter: Reporter | None = None) -> ImportReport:
    """Import ``path`` whatever its format; see the module docstring. A finished import is
    kept in the import history with its report (:mod:`app.packs.importers.history`)."""
    from app.packs.importers.history import record_import

    report = _import_any(library, path, reporter)
    record_import(library, report)
    return report


def _import_any(library: Library, path: Path, reporter: Reporter | None) -> ImportReport:
    from app.packs.importer import import_pack

    reporter = reporter or Reporter()
    path = source_path(path)
    fmt = detect_format(path)
    if fmt == "ujpack":
        result = import_pack(library, path, reporter)
        return ImportReport(str(path), "ujpack", result)
    max_bytes = int(library.settings.get("max_pack_bytes"))
    # What the import will write, as far as it is known before it starts: the unpacked
    # source (or the converted pack, for sources read in place) and the library's copy.
    # A ZIM goes into the library without a working copy.
    planned = (1 if fmt == "zim" else 2) * (path.stat().st_size if path.is_file() else 0)
    unpacked = _is_tar(path)
    try:
        with library.scratch_folder() as staging:
            if fmt == "zim" or (fmt == "mediawiki" and path.is_file()):
                if fmt == "mediawiki":
                    library.blobs.ensure_space(planned, path.name)
                return _converter(fmt)(library, path, None, staging, reporter)
            if unpacked:  # a lower bound: a tar tells its size only as it is read
                library.blobs.ensure_space(planned, path.name)
            tree = _open_tree(path, staging, max_bytes, library.blobs.check_still_free)
            with tree:
                total = sum(tree.size(name) for name in tree.names())
                planned = max(planned, 2 * total)
                # An unpacked tar already holds its working copy.
                library.blobs.ensure_space(total if unpacked else planned, path.name)
                found, root = classify_tree(tree)
                if found != fmt:  # pragma: no cover - detect_format used the same rules
                    raise PackError(_("{name} changed while it was read.")
                                    .format(name=path.name))
                source = tree.subtree(root) if root else tree
                return _converter(fmt)(library, path, source, staging, reporter)
    except OSError as exc:
        if not is_disk_full(exc):
            raise
        # Raised once the scratch folder is gone, so free space is what a retry finds.
        raise library.blobs.disk_full_error(planned) from None


def _is_tar(path: Path) -> bool:
    return path.is_file() and (
        path.name.lower().endswith(_TAR_EXTS) or not zipfile.is_zipfile(path)
    )


def _open_tree(path: Path, staging: Path, max_bytes: int,
               on_bytes: Callable[[int], None]) -> SourceTree:
    """The source as a tree; what is unpacked is counted and watched by ``on_bytes``."""
    if path.is_dir():
        return FolderTree(path, max_bytes)
    if _is_tar(path):
        return extract_tar(path, staging / "source", max_bytes, on_bytes)
    return ZipTree(path, max_bytes, on_bytes)


def skipped_summary(report: ImportReport, limit: int = 50) -> list[str]:
    """Lines telling what could not be converted (the CLI prints them; the window shows
    them in its import report)."""
    count = len(report.skipped)
    if not count:
        return []
    lines = [ngettext("{count} item could not be converted:",
                      "{count} items could not be converted:", count).format(count=count)]
    lines += [f"  - {item.item}: {item.reason}" for item in report.skipped[:limit]]
    if count > limit:
        lines.append(_("  … and {count} more (the --json output lists them all)")
                     .format(count=count - limit))
    return lines

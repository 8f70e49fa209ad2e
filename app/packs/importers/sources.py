"""Reading an importer's input safely: a folder, a zip or a tar, seen as one tree of files.

Every format arrives either unpacked (a folder) or packed (``.zip``, ``.imscc``, ``.h5p``,
``.tar.gz``). Converters read through :class:`SourceTree` so they never care which, and so
the safety rules of :mod:`app.packs.archive` apply to all of them in one place: no absolute
paths or ``..``, no links, no devices, no name that is a file and a folder, a member count
and a total size within the library's limit, and no zip or tar bombs. Every byte unpacked
into the scratch folder goes through one :class:`~app.packs.archive.ExpansionBudget`, which
counts it and checks free space as it is written. Folders are read without following links
out of the folder. Finder's AppleDouble files (``._name``), ``__MACOSX/`` and ``.DS_Store``
are not content and are left out.
"""

from __future__ import annotations

import os
import shutil
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO
from urllib.parse import unquote

from app.errors import PackError, UnsafeArchiveError
from app.formatting import size
from app.i18n import _
from app.packs.archive import (
    MAX_MEMBERS,
    ExpansionBudget,
    check_file_or_folder,
    check_zip_members,
    expansion_error,
    expansion_limit,
    is_unsafe_name,
    open_zip,
    too_many_files,
)
from app.store.blobs import is_disk_full

OnBytes = Callable[[int], None]

#: Metadata files some systems add to archives; never content.
_JUNK_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


def is_junk(name: str) -> bool:
    parts = name.split("/")
    return (
        parts[-1] in _JUNK_NAMES
        or parts[-1].startswith("._")
        or "__MACOSX" in parts
    )


def normalize_ref(ref: str, base: str = "") -> str | None:
    """A reference found in content (``../img/a%20b.png``, ``./x.html?y#z``) as a path of the
    tree, relative to the folder ``base``; None when it leaves the tree or is a URL."""
    ref = ref.strip()
    if not ref or ref.startswith(("#", "//")) or ":" in ref.split("/")[0]:
        return None
    ref = ref.split("#", 1)[0].split("?", 1)[0]
    ref = unquote(ref).replace("\\", "/")
    if ref.startswith("/"):
        parts: list[str] = []
        ref = ref.lstrip("/")
    else:
        parts = [p for p in base.split("/") if p]
    for part in ref.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts) or None


class SourceTree:
    """Files of an importer's input by posix path. Subclasses fill ``_files``."""

    def __init__(self, label: str) -> None:
        self.label = label
        self._lower: dict[str, str] | None = None
        self._names_cache: set[str] | None = None
        #: Counts what :meth:`copy_to` unpacks (packed trees set one).
        self.budget: ExpansionBudget | None = None
        self._copies: dict[str, Path] = {}

    # -- what subclasses provide --------------------------------------------------------

    def names(self) -> list[str]:
        raise NotImplementedError

    def size(self, name: str) -> int:
        raise NotImplementedError

    @contextmanager
    def open(self, name: str) -> Iterator[IO[bytes]]:
        raise NotImplementedError
        yield  # pragma: no cover

    def disk_path(self, name: str) -> Path | None:
        """The file on disk when the tree is a folder (so big files need no copy)."""
        return None

    def close(self) -> None:
        """Release the archive; folder trees have nothing to release."""

    # -- shared -----------------------------------------------------------------------------

    def __enter__(self) -> SourceTree:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def has(self, name: str) -> bool:
        return self.resolve(name) is not None

    def resolve(self, name: str | None) -> str | None:
        """The stored name for ``name``, matching case-insensitively when there is no exact
        match (packages authored on Windows often differ in case from their manifests)."""
        if not name:
            return None
        names = self._name_set()
        if name in names:
            return name
        if self._lower is None:
            self._lower = {}
            for stored in sorted(names):
                self._lower.setdefault(stored.lower(), stored)
        return self._lower.get(name.lower())

    def _name_set(self) -> set[str]:
        if self._names_cache is None:
            self._names_cache = set(self.names())
        return self._names_cache

    def read(self, name: str, limit: int = 64 * 1024 * 1024) -> bytes:
        stored = self.resolve(name)
        if stored is None:
            raise PackError(_("{label} has no file {name}.").format(label=self.label, name=name))
        if self.size(stored) > limit:
            raise PackError(
                _("{name} in {label} is too large to read.").format(name=name, label=self.label)
            )
        with self.open(stored) as stream:
            return stream.read(limit + 1)[:limit]

    def read_text(self, name: str) -> str:
        data = self.read(name)
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
        return data.decode("latin-1")

    def copy_to(self, name: str, target: Path) -> Path:
        """Copy a member to ``target`` (unless the tree is a folder: then return its path);
        a member copied before is not copied again: its first copy's path is returned."""
        stored = self.resolve(name)
        if stored is None:
            raise PackError(_("{label} has no file {name}.").format(label=self.label, name=name))
        disk = self.disk_path(stored)
        if disk is not None:
            return disk
        if stored in self._copies:  # unpacked once, counted once
            return self._copies[stored]
        target.parent.mkdir(parents=True, exist_ok=True)
        with self.open(stored) as source, open(target, "wb") as out:
            if self.budget is None:
                shutil.copyfileobj(source, out, 1024 * 1024)
            else:
                self.budget.copy(source, out, self.size(stored), stored)
        self._copies[stored] = target
        return target

    def top_folder(self) -> str | None:
        """The single folder every file is inside, if there is one (``course/`` of an OLX
        export, ``./library/`` of a tar)."""
        tops = {name.split("/", 1)[0] for name in self._name_set()}
        if len(tops) == 1:
            top = next(iter(tops))
            if all("/" in name for name in self._name_set()):
                return top
        return None

    def subtree(self, prefix: str) -> SourceTree:
        return _SubTree(self, prefix.strip("/"))


class _SubTree(SourceTree):
    def __init__(self, parent: SourceTree, prefix: str) -> None:
        super().__init__(f"{parent.label}/{prefix}")
        self.parent = parent
        self.prefix = prefix + "/"
        self.budget = parent.budget

    def names(self) -> list[str]:
        return [n[len(self.prefix):] for n in self.parent.names() if n.startswith(self.prefix)]

    def size(self, name: str) -> int:
        return self.parent.size(self.prefix + name)

    @contextmanager
    def open(self, name: str) -> Iterator[IO[bytes]]:
        with self.parent.open(self.prefix + name) as stream:
            yield stream

    def disk_path(self, name: str) -> Path | None:
        return self.parent.disk_path(self.prefix + name)


class FolderTree(SourceTree):
    """A folder on disk. Links are not followed (a link could point anywhere)."""

    def __init__(self, root: Path, max_total_bytes: int) -> None:
        super().__init__(root.name)
        self.root = root
        self._sizes: dict[str, int] = {}
        total = 0
        for directory, dirs, files in os.walk(root, followlinks=False):
            rel_dir = Path(directory).relative_to(root).as_posix()
            dirs[:] = sorted(d for d in dirs if not (Path(directory) / d).is_symlink())
            for file_name in sorted(files):
                path = Path(directory) / file_name
                info = path.lstat()
                if not stat.S_ISREG(info.st_mode):
                    continue  # links, sockets, devices
                name = file_name if rel_dir == "." else f"{rel_dir}/{file_name}"
                if is_junk(name):
                    continue
                total += info.st_size
                if total > max_total_bytes:
                    raise UnsafeArchiveError(
                        _("{path} holds more than {limit}, past the size limit.")
                        .format(path=root, limit=size(max_total_bytes))
                    )
                self._sizes[name] = info.st_size
                if len(self._sizes) > MAX_MEMBERS:
                    raise too_many_files(str(root), MAX_MEMBERS, exact=False)

    def names(self) -> list[str]:
        return list(self._sizes)

    def size(self, name: str) -> int:
        return self._sizes[name]

    @contextmanager
    def open(self, name: str) -> Iterator[IO[bytes]]:
        if name not in self._sizes:
            raise PackError(_("{label} has no file {name}.").format(label=self.label, name=name))
        with open(self.root / name, "rb") as stream:
            yield stream

    def disk_path(self, name: str) -> Path | None:
        return self.root / name if name in self._sizes else None


class ZipTree(SourceTree):
    """A zip archive whose members passed the same checks as a ``.ujpack``'s. What
    :meth:`copy_to` unpacks is counted against the members' declared total; ``on_bytes``
    hears of every block written."""

    def __init__(self, path: Path, max_total_bytes: int,
                 on_bytes: OnBytes | None = None) -> None:
        super().__init__(path.name)
        try:
            self._zip = open_zip(path)
        except (zipfile.BadZipFile, OSError, ValueError):
            raise PackError(
                _("{name} is not a zip archive, or it is truncated.").format(name=path.name)
            ) from None
        try:
            self._members = check_zip_members(self._zip, max_total_bytes, self.label, is_junk)
        except BaseException:
            self._zip.close()
            raise
        self.budget = ExpansionBudget(
            self.label, sum(info.file_size for info in self._members.values()), on_bytes
        )

    def names(self) -> list[str]:
        return list(self._members)

    def size(self, name: str) -> int:
        return self._members[name].file_size

    @contextmanager
    def open(self, name: str) -> Iterator[IO[bytes]]:
        info = self._members.get(name)
        if info is None:
            raise PackError(_("{label} has no file {name}.").format(label=self.label, name=name))
        try:
            with self._zip.open(info) as stream:
                yield stream
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            if isinstance(exc, PackError) or is_disk_full(exc):
                raise  # a full disk while writing what was read is not damage
            raise PackError(
                _("{label} is damaged or truncated (in {name}).")
                .format(label=self.label, name=name)
            ) from None

    def close(self) -> None:
        self._zip.close()


def extract_tar(path: Path, target: Path, max_total_bytes: int,
                on_bytes: OnBytes | None = None) -> FolderTree:
    """Unpack a (compressed) tar into ``target`` after checking each member, and return it as
    a folder: a ``.tar.gz`` can only be read front to back, so random access needs a copy.
    Pax headers (macOS ``LIBARCHIVE.xattr``) are metadata and are skipped by tarfile. The
    declared sizes are held to the same expansion ratio as a zip's as the headers arrive, and
    the bytes written to the same budget; ``on_bytes`` hears of every block written."""
    try:
        archive = tarfile.open(path, "r:*")  # noqa: SIM115 - closed by the with below
    except (tarfile.TarError, OSError, EOFError):
        raise PackError(
            _("{name} is not a tar archive, or it is damaged.").format(name=path.name)
        ) from None
    archive_bytes = path.stat().st_size
    budget = ExpansionBudget(path.name, expansion_limit(archive_bytes, max_total_bytes),
                             on_bytes)
    files: set[str] = set()
    folders: set[str] = set()
    total = 0
    count = 0
    try:
        with archive:
            for member in archive:
                name = member.name
                while name.startswith("./"):
                    name = name[2:]
                if not name or name == ".":
                    continue
                if is_unsafe_name(name):
                    raise UnsafeArchiveError(
                        _("{label} contains an unsafe path: {name}")
                        .format(label=path.name, name=name[:200])
                    )
                if member.isdir() or is_junk(name):
                    continue
                if not member.isfile():
                    raise UnsafeArchiveError(
                        _("{label} contains a link or device, which is not allowed: {name}")
                        .format(label=path.name, name=name)
                    )
                check_file_or_folder(name, files, folders, path.name)
                count += 1
                total += member.size
                if count > MAX_MEMBERS:
                    raise too_many_files(path.name, MAX_MEMBERS, exact=False)
                if total > max_total_bytes:
                    raise UnsafeArchiveError(
                        _("{label} expands to more than {limit}, past the size limit.")
                        .format(label=path.name, limit=size(max_total_bytes))
                    )
                if total > budget.limit:
                    raise expansion_error(path.name, total, archive_bytes)
                source = archive.extractfile(member)
                if source is None:
                    continue
                out = target / PurePosixPath(name)
                out.parent.mkdir(parents=True, exist_ok=True)
                with source, open(out, "wb") as sink:
                    budget.copy(source, sink, member.size, name)
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        raise PackError(
            _("{name} is damaged or truncated: {error}").format(name=path.name, error=exc)
        ) from None
    tree = FolderTree(target, max_total_bytes)
    tree.label = path.name
    return tree


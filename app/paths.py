"""Where Ujuzi keeps its data: the only module that decides file locations.

The data directory is, in order of precedence: an explicit ``--home`` (passed to
:func:`data_home`), the ``UJUZI_HOME`` environment variable, a ``portable`` (or
``ujuzi-portable.toml``) marker file beside the program (portable mode on a USB stick: the
data folder ``ujuzi-data`` sits beside it), or the per-user data directory from platformdirs.
"Beside the program" is the folder of the executable in a bundle, the repository root in a
source checkout (:func:`install_root`).

Read-only files the program ships (starter packs, the mentorship skills, the app icon,
compiled translations, the H5P player) come from ``app/data/`` inside the package when a wheel
or a bundle put them there (:data:`PACKAGE_DATA`), else from the source checkout.

The data directory holds a learner's notes, progress and profiles: it is private to its user.
Its folders are made 0700 and its files 0600 when created (:func:`private_opener` for the
files this program writes, the database created before SQLite opens it so that its -wal
and -shm files copy that mode), and :meth:`Layout.ensure` repairs wider modes at every
start. A file system without modes (FAT on a USB stick) keeps what it has.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from app import filelock

APP_NAME = "ujuzi"
#: A file of this name beside the program makes it portable (:func:`portable_root`).
PORTABLE_MARKER = "portable"
#: The other names the marker may have (a TOML file, so it may carry settings later).
PORTABLE_MARKERS = (PORTABLE_MARKER, "ujuzi-portable.toml", "ujuzi-portable")
#: The data folder of a portable install, beside the marker.
PORTABLE_DATA = "ujuzi-data"
#: Scratch folders of importers in the data directory: ``.import-<random>``.
STAGING_PREFIX = ".import-"

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600

#: The root of a source checkout: ``resources/``, ``translations/`` and ``packaging/`` beside
#: ``app/``. Only used when :data:`PACKAGE_DATA` is absent (running from a checkout).
SOURCE_ROOT = Path(__file__).resolve().parent.parent
#: The read-only data a wheel or a bundle carries inside the package (written by setup.py's
#: build step and by packaging/ujuzi.spec; absent in a checkout).
PACKAGE_DATA = Path(__file__).resolve().parent / "data"


def is_frozen() -> bool:
    """Whether this is a bundle (PyInstaller) rather than Python running the package."""
    return bool(getattr(sys, "frozen", False))


def install_root() -> Path:
    """The folder beside the program, where a portable marker goes: the executable's folder
    in a bundle, the repository root in a checkout."""
    if is_frozen():
        return Path(sys.executable).resolve().parent
    return SOURCE_ROOT


def portable_root() -> Path | None:
    """The folder holding a portable marker beside the program, or None."""
    root = install_root()
    if any((root / name).is_file() for name in PORTABLE_MARKERS):
        return root
    return None


def data_home(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Return the data directory, without creating it."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get("UJUZI_HOME")
    if env:
        return Path(env).expanduser().resolve()
    portable = portable_root()
    if portable is not None:
        return portable / PORTABLE_DATA
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def keep_inside_portable_folder() -> None:
    """In portable mode, point the per-user cache and configuration folders that libraries
    write (fontconfig's cache, Qt's, libvlc's) and the temporary folder (the window's icon
    cache) into the data folder, so that the program leaves nothing on the laptop it ran on.
    Call before those libraries start."""
    portable = portable_root()
    if portable is None or os.environ.get("UJUZI_HOME"):
        return
    data = portable / PORTABLE_DATA
    for variable, folder in (("XDG_CACHE_HOME", "cache"), ("XDG_CONFIG_HOME", "config"),
                             ("XDG_STATE_HOME", "state"), ("XDG_DATA_HOME", "local")):
        os.environ[variable] = str(data / folder)
    scratch = data / "tmp"
    try:
        scratch.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    except OSError:
        return  # a read-only stick: the start-up check of the data folder says so
    os.environ["TMPDIR"] = str(scratch)
    tempfile.tempdir = None  # computed again from TMPDIR on next use


def _shipped(name: str) -> Path:
    """A read-only folder the program ships: inside the package when installed or bundled,
    in the checkout otherwise."""
    if PACKAGE_DATA.is_dir():
        return PACKAGE_DATA / name
    return SOURCE_ROOT / name


def resources_dir() -> Path:
    """Bundled read-only resources (starter packs, mentorship skills, the app icon)."""
    return _shipped("resources")


def starter_packs_dir() -> Path:
    return resources_dir() / "starter"


def h5p_player_dir() -> Path:
    """The H5P player (h5p-standalone from npm): in a checkout, installed at setup by
    ``packaging/install-h5p-player.sh`` and never committed; a wheel or bundle carries it."""
    if PACKAGE_DATA.is_dir():
        return PACKAGE_DATA / "h5p-player"
    return SOURCE_ROOT / "packaging" / "h5p-player" / "node_modules" / "h5p-standalone" / "dist"


def translations_dir() -> Path:
    return _shipped("translations")


@dataclass(frozen=True)
class Layout:
    """Every path inside one data directory."""

    home: Path

    @property
    def database(self) -> Path:
        return self.home / "library.sqlite3"

    @property
    def database_files(self) -> tuple[Path, ...]:
        """The database and SQLite's write-ahead log and shared-memory files beside it."""
        database = self.database
        return tuple(database.with_name(database.name + suffix)
                     for suffix in ("", "-wal", "-shm"))

    @property
    def database_setup_lock(self) -> Path:
        """Held while a process sets the database up (WAL, migrations)."""
        return self.home / "library.sqlite3.open-lock"

    @property
    def writers_lock(self) -> Path:
        """Held by imports, removals and garbage collection (:meth:`Library.write_lock`)."""
        return self.home / "library.lock"

    @property
    def write_probe(self) -> Path:
        """Written and removed at start to prove the folder is writable (app/datafolder.py)."""
        return self.home / ".write-check"

    @property
    def blobs(self) -> Path:
        return self.home / "blobs"

    @property
    def blob_tmp(self) -> Path:
        # Inside the blob directory so that the final rename never crosses file systems.
        return self.blobs / "tmp"

    @property
    def settings(self) -> Path:
        return self.home / "settings.json"

    @property
    def settings_lock(self) -> Path:
        """Held while the settings file is read, changed and written again."""
        return self.home / "settings.json.lock"

    @property
    def settings_draft(self) -> Path:
        """Where a new settings file is written before it replaces the old one."""
        return self.home / "settings.json.tmp"

    @property
    def backups(self) -> Path:
        return self.home / "backups"

    def backup(self, version: int, stamp: str) -> Path:
        """The copy of the database at schema ``version``, taken at ``stamp``."""
        database = self.database
        return self.backups / f"{database.stem}-v{version}-{stamp}{database.suffix}"

    def staging_folders(self) -> list[Path]:
        """The importers' scratch folders (of running imports, or left by killed ones)."""
        try:
            return sorted(path for path in self.home.iterdir()
                          if path.name.startswith(STAGING_PREFIX))
        except FileNotFoundError:
            return []

    def new_staging_folder(self) -> Path:
        """Create an importer's scratch folder (private: ``mkdtemp`` makes it 0700)."""
        return Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.home))

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    @property
    def log_file(self) -> Path:
        """The log; rotated copies sit beside it as ``ujuzi.log.1``, ``.2``..."""
        return self.logs / "ujuzi.log"

    @property
    def downloads(self) -> Path:
        """Pack files coming from a hub. Beside the blob store on the same disk, so that a
        verified download enters the store by a rename."""
        return self.home / "downloads"

    def download_part(self, sha256: str) -> Path:
        """The bytes of one file received so far; a cut leaves it for the next request."""
        return self.downloads / f"{sha256}.part"

    def download_done(self, sha256: str) -> Path:
        """A file received whole and verified against its sha256, waiting to be installed."""
        return self.downloads / sha256

    @property
    def hub(self) -> HubLayout:
        """The hub's files, when this data directory also runs a hub (``ujuzi hub serve``)."""
        return HubLayout(self.home / "hub")

    @property
    def folders(self) -> tuple[Path, ...]:
        return (self.home, self.blobs, self.blob_tmp, self.backups, self.logs, self.downloads)

    def ensure(self) -> None:
        """Create the folders, private to the user, and make private what is not."""
        for directory in self.folders:
            directory.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
        self.make_private()

    def make_private(self) -> None:
        for directory in self.folders:
            set_mode(directory, PRIVATE_FOLDER)
        files = [*self.database_files, self.settings]
        with contextlib.suppress(OSError):
            files.extend(path for path in self.backups.iterdir() if path.is_file())
        for path in files:
            set_mode(path, PRIVATE_FILE)


@dataclass(frozen=True)
class HubLayout:
    """Every path of a hub, in ``hub/`` of its data directory (so a trainer's laptop can run
    the app and a hub from one data directory)."""

    root: Path

    @property
    def database(self) -> Path:
        """The hub's SQLite database (when no ``--database`` URL names another)."""
        return self.root / "hub.sqlite3"

    @property
    def setup_lock(self) -> Path:
        """Held while one process creates the key or migrates the database."""
        return self.root / "hub.lock"

    @property
    def keys(self) -> Path:
        return self.root / "keys"

    @property
    def signing_key(self) -> Path:
        """The current Ed25519 key (PEM, 0600)."""
        return self.keys / "signing-key.pem"

    @property
    def next_signing_key(self) -> Path:
        """The new key while ``ujuzi hub key rotate`` records it (see app/hub/keys.py)."""
        return self.keys / "signing-key.pem.next"

    def retired_key(self, number: int) -> Path:
        """A key replaced by ``ujuzi hub key rotate``, kept to endorse its successor."""
        return self.keys / f"retired-{number}.pem"

    @property
    def blobs(self) -> Path:
        """Files of published packs, ``blobs/<aa>/<bb>/<sha256>``: what a static server or a
        CDN may serve (docs/hub.md)."""
        return self.root / "blobs"

    @property
    def blob_tmp(self) -> Path:
        return self.blobs / "tmp"

    @property
    def submissions(self) -> Path:
        """Uploaded packs waiting for review, one ``<id>.ujpack`` each; never served to
        learners."""
        return self.root / "submissions"

    def submission(self, submission_id: int) -> Path:
        return self.submissions / f"{submission_id}.ujpack"

    @property
    def uploads(self) -> Path:
        """Uploads being received (removed when they fail or are complete)."""
        return self.submissions / "tmp"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def log_file(self) -> Path:
        """Structured (JSON lines) log of the hub."""
        return self.logs / "hub.log"

    @property
    def folders(self) -> tuple[Path, ...]:
        return (self.root, self.keys, self.blobs, self.blob_tmp, self.submissions,
                self.uploads, self.logs)

    def ensure(self) -> None:
        for directory in self.folders:
            directory.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
            set_mode(directory, PRIVATE_FOLDER)


def set_mode(path: Path, mode: int) -> None:
    """Give ``path`` exactly ``mode`` when it exists with another one; nothing when it is
    missing or its file system keeps no modes (the data is then as private as that allows)."""
    try:
        if stat.S_IMODE(path.stat().st_mode) != mode:
            path.chmod(mode)
    except OSError:
        pass


def private_opener(path: str, flags: int) -> int:
    """An ``opener`` for :func:`open` that creates the file 0600 (or makes it 0600)."""
    descriptor = os.open(path, flags, PRIVATE_FILE)
    if not hasattr(os, "fchmod"):  # Windows before Python 3.13: its files keep no such modes
        return descriptor
    try:
        if stat.S_IMODE(os.fstat(descriptor).st_mode) != PRIVATE_FILE:
            os.fchmod(descriptor, PRIVATE_FILE)
    except OSError:
        pass
    return descriptor


@contextlib.contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Hold the exclusive lock (:mod:`app.filelock`) of the lock file ``path`` (created
    0600) while the block runs, waiting for any other process that holds it."""
    with open(path, "a+b", opener=private_opener) as handle:
        filelock.lock(handle)
        try:
            yield
        finally:
            filelock.unlock(handle)


def create_private_file(path: Path) -> None:
    """Create ``path`` empty and 0600 if it does not exist yet."""
    with open(path, "ab", opener=private_opener):
        pass


def layout(explicit: str | os.PathLike[str] | None = None) -> Layout:
    return Layout(data_home(explicit))

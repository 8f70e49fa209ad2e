"""Where Ujuzi keeps its data: the only module that decides file locations.

The data directory is, in order of precedence: an explicit ``--home`` (passed to
:func:`data_home`), the ``UJUZI_HOME`` environment variable, a ``ujuzi-portable`` marker
file beside the installed package (portable mode on a USB stick), or the per-user data
directory from platformdirs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "ujuzi"
PORTABLE_MARKER = "ujuzi-portable"

#: The repository / installation root, where ``resources/`` lives.
SOURCE_ROOT = Path(__file__).resolve().parent.parent


def data_home(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Return the data directory, without creating it."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get("UJUZI_HOME")
    if env:
        return Path(env).expanduser().resolve()
    marker = SOURCE_ROOT / PORTABLE_MARKER
    if marker.exists():
        return SOURCE_ROOT / "ujuzi-data"
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def resources_dir() -> Path:
    """Bundled read-only resources (starter packs, icons)."""
    return SOURCE_ROOT / "resources"


def starter_packs_dir() -> Path:
    return resources_dir() / "starter"


def h5p_player_dir() -> Path:
    """The H5P player (h5p-standalone from npm), installed at setup by
    ``packaging/install-h5p-player.sh``; never committed."""
    return SOURCE_ROOT / "packaging" / "h5p-player" / "node_modules" / "h5p-standalone" / "dist"


def translations_dir() -> Path:
    return SOURCE_ROOT / "translations"


@dataclass(frozen=True)
class Layout:
    """Every path inside one data directory."""

    home: Path

    @property
    def database(self) -> Path:
        return self.home / "library.sqlite3"

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
    def backups(self) -> Path:
        return self.home / "backups"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    def ensure(self) -> None:
        for directory in (self.home, self.blobs, self.blob_tmp, self.backups, self.logs):
            directory.mkdir(parents=True, exist_ok=True)


def layout(explicit: str | os.PathLike[str] | None = None) -> Layout:
    return Layout(data_home(explicit))

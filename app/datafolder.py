"""The check made at start that the data folder can be written and has room.

A library on a read-only USB stick or a full disk would otherwise fail later, in the middle
of something, with an error from SQLite. Both the command line and the window call
:func:`check_data_folder` before they open the library, and say the problem in one line.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

from app.errors import DiskSpaceError, UjuziError
from app.formatting import size
from app.i18n import _
from app.paths import Layout
from app.store.blobs import MIN_FREE_BYTES, free_bytes

_READ_ONLY = (errno.EROFS, errno.EACCES, errno.EPERM)


def _read_only(home: Path) -> UjuziError:
    return UjuziError(_(
        "The data folder {path} cannot be written (a read-only disk or folder): copy Ujuzi "
        "to a writable place, or choose another data folder with --home."
    ).format(path=home))


def _full(home: Path, free: int) -> DiskSpaceError:
    return DiskSpaceError(_(
        "The disk holding the data folder {path} is full ({free} free): free some space, "
        "or choose another data folder with --home."
    ).format(path=home, free=size(free)))


def _explain(home: Path, exc: OSError, free_space: Callable[[Path], int]) -> UjuziError:
    if exc.errno in _READ_ONLY:
        return _read_only(home)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        try:
            free = free_space(home if home.exists() else home.parent)
        except OSError:
            free = 0
        return _full(home, free)
    return UjuziError(_("Cannot create the data directory {path}: {error}").format(
        path=home, error=exc.strerror))


def check_data_folder(layout: Layout, free_space: Callable[[Path], int] = free_bytes) -> None:
    """Create the data folder if needed and prove it is writable and has room; raise a
    :class:`UjuziError` that says which, in words, when not."""
    home = layout.home
    try:
        layout.ensure()
        probe = layout.write_probe
        descriptor = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(descriptor, b"\0")
        finally:
            os.close(descriptor)
            probe.unlink(missing_ok=True)
    except OSError as exc:
        raise _explain(home, exc, free_space) from None
    free = free_space(home)
    if free < MIN_FREE_BYTES:
        raise _full(home, free)

"""Exclusive locks on files between processes, the same on Linux, macOS and Windows: the one
module that takes them (``fcntl.flock`` on POSIX systems, ``msvcrt.locking`` on Windows).

A lock belongs to the open file (a ``with open(...)`` block or a descriptor), not to the
process: two opens of the same file exclude each other, even in one process, and closing the
file releases its lock. On Windows the lock is on the file's first byte (a file may be locked
beyond its end), which other processes then cannot read or write through another handle: the
files locked here are lock files, or files only their owner writes.

:func:`lock` waits for the holder unless ``blocking`` is false; then it raises
:class:`BlockingIOError` at once, as ``flock`` with ``LOCK_NB`` does.
"""

from __future__ import annotations

import errno
import os
import sys
from typing import Any, Protocol

_fcntl: Any = None
_msvcrt: Any = None
if sys.platform == "win32":
    import msvcrt as _msvcrt
else:
    import fcntl as _fcntl

#: What ``msvcrt.locking`` raises while another handle holds the byte.
_BUSY = {errno.EACCES, errno.EAGAIN, errno.EDEADLK, getattr(errno, "EDEADLOCK", errno.EDEADLK)}


class _HasFileno(Protocol):
    def fileno(self) -> int: ...


LockTarget = int | _HasFileno


def _descriptor(target: LockTarget) -> int:
    return target if isinstance(target, int) else target.fileno()


def lock(target: LockTarget, *, blocking: bool = True) -> None:
    """Take the exclusive lock of the open file ``target`` (a file object or a descriptor),
    waiting for its holder; without ``blocking``, :class:`BlockingIOError` when it is held."""
    descriptor = _descriptor(target)
    if _fcntl is not None:
        _fcntl.flock(descriptor, _fcntl.LOCK_EX | (0 if blocking else _fcntl.LOCK_NB))
        return
    windows = _msvcrt
    mode = windows.LK_LOCK if blocking else windows.LK_NBLCK
    while True:
        _at_first_byte(descriptor)
        try:
            windows.locking(descriptor, mode, 1)
            return
        except OSError as exc:
            if exc.errno not in _BUSY:
                raise
            if not blocking:
                raise BlockingIOError(errno.EAGAIN, os.strerror(errno.EAGAIN)) from None
            # LK_LOCK gives up after ten tries a second apart: wait on.


def unlock(target: LockTarget) -> None:
    """Release the lock of ``target`` taken by :func:`lock` (closing the file does too)."""
    descriptor = _descriptor(target)
    if _fcntl is not None:
        _fcntl.flock(descriptor, _fcntl.LOCK_UN)
        return
    windows = _msvcrt
    _at_first_byte(descriptor)
    windows.locking(descriptor, windows.LK_UNLCK, 1)


def _at_first_byte(descriptor: int) -> None:
    """``msvcrt.locking`` locks from the file's position: put it at the first byte (writes of
    a file opened for appending still go to its end)."""
    os.lseek(descriptor, 0, os.SEEK_SET)

"""None, True and False outlive any reference-count slip of a compiled extension.

CPython before 3.12 frees None, True and False like any object when their reference count
reaches zero, and aborts ("Fatal Python error: none_dealloc"). PySide6 6.12.0 drops one
reference to None on every call of a Qt method that returns nothing: a thousand
``QLabel.setText`` calls lower it by a thousand, so a long session of the window, or the test
suite, ended in that abort at a random allocation. Python 3.12 made these objects immortal
(PEP 683); :func:`keep_alive` gives them the same protection on older versions: a reserve of
references no program can spend. It changes nothing where they are immortal already.
"""

from __future__ import annotations

import sys

#: References added to each singleton: at a million slips a second, enough for nine years.
RESERVE = 1 << 48
_SINGLETONS = (None, True, False)
_kept = False


def keep_alive() -> bool:
    """Give None, True and False their reserve once; True if it was given (or already was)."""
    global _kept
    if _kept:
        return True
    # Only CPython counts references in the object's first word, and only in a release build
    # (a debug build's objects start with the trace list's links).
    if (sys.implementation.name != "cpython" or sys.version_info >= (3, 12)
            or hasattr(sys, "gettotalrefcount")):
        return False
    import ctypes

    for singleton in _SINGLETONS:
        before = sys.getrefcount(singleton)
        count = ctypes.c_ssize_t.from_address(id(singleton))
        count.value += RESERVE
        # Not the layout we know (the count barely moved): undo. Objects made meanwhile may
        # hold a few references of their own, hence the margin.
        if abs(sys.getrefcount(singleton) - before - RESERVE) > 1_000:
            count.value -= RESERVE
            return False
    _kept = True
    return True

"""PyInstaller runtime hook of the bundle (packaging/ujuzi.spec): give the programs the app
starts (the system browser that shows interactive content without Qt WebEngine, a file
manager) the library path the user had, not the bundle's.

On Linux the bootloader puts the bundle's folder in ``LD_LIBRARY_PATH`` (keeping the user's in
``LD_LIBRARY_PATH_ORIG``); the dynamic loader of this process read it at start, so taking it
out of the environment only changes what child processes inherit. A browser that loaded the
bundle's copies of libstdc++, GLib or libX11 could fail to start."""

import os
import sys

if sys.platform.startswith("linux"):
    _original = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if _original is not None:
        os.environ["LD_LIBRARY_PATH"] = _original
    else:
        os.environ.pop("LD_LIBRARY_PATH", None)

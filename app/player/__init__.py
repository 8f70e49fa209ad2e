"""Media playback: one small interface (:mod:`app.player.base`), two backends.

* ``vlc``: libvlc through python-vlc (:mod:`app.player.vlc_backend`), the default: it plays
  what VLC plays, drawing into a native window.
* ``qt``: Qt Multimedia (:mod:`app.player.qt_multimedia`), used when libvlc is missing so
  the app still plays media.

``UJUZI_PLAYER=vlc`` or ``UJUZI_PLAYER=qt`` forces one (the tests run the same tests on
both). Nothing here imports Qt or libvlc until a backend is asked for.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from app.errors import UjuziError
from app.i18n import _
from app.singletons import keep_alive

# The Qt surfaces (qt_*.py) call PySide6, which spends a reference to None on each call of a
# method that returns nothing (see app.singletons).
keep_alive()

BACKENDS = ("vlc", "qt")
ENV_VAR = "UJUZI_PLAYER"


def qt_multimedia_available() -> bool:
    """Whether PySide6's QtMultimedia module is installed (checked without importing Qt)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return False
    return any(
        any(Path(location).glob("QtMultimedia.*")) for location in spec.submodule_search_locations
    )


def available_backends() -> list[str]:
    """The backends that work on this machine, best first."""
    from app.player.vlc_backend import vlc_available

    found = []
    if vlc_available():
        found.append("vlc")
    if qt_multimedia_available():
        found.append("qt")
    return found


def choose_backend(wanted: str | None = None) -> str:
    """``wanted``, else ``$UJUZI_PLAYER``, else the best available backend."""
    wanted = wanted or os.environ.get(ENV_VAR) or None
    if wanted is not None and wanted not in BACKENDS:
        raise UjuziError(
            _("Unknown media player {name}; use one of: {names}.").format(
                name=wanted, names=", ".join(BACKENDS)
            )
        )
    available = available_backends()
    if wanted is not None:
        if wanted not in available:
            raise UjuziError(
                _("The media player {name} is not available on this computer.").format(
                    name=wanted
                )
            )
        return wanted
    if not available:
        raise UjuziError(
            _(
                "No media player is available: install VLC (on Debian: libvlc5 and "
                "vlc-plugin-base) to play videos and audio."
            )
        )
    return available[0]


def backend_label(name: str) -> str:
    """How Settings and About name a backend, with its version."""
    if name == "vlc":
        from app.player.vlc_backend import vlc_version

        version = vlc_version()
        return _("VLC {version}").format(version=version) if version else _("VLC (missing)")
    if name == "qt":
        version = ""
        spec = importlib.util.find_spec("PySide6")
        if spec is not None and qt_multimedia_available():
            from importlib.metadata import PackageNotFoundError
            from importlib.metadata import version as package_version

            try:
                version = package_version("PySide6-Addons")
            except PackageNotFoundError:
                version = ""
        return _("Qt Multimedia {version}").format(version=version).strip()
    return name


def wants_x11(environ: dict[str, str] | None = None) -> bool:
    """Whether the app should run Qt on X11 (XWayland) on this Linux desktop: libvlc draws
    video into an X11 window, which a native Wayland window cannot give it. Only when
    nothing chose a Qt platform, an X server is reachable and libvlc is not ruled out;
    checked without loading libvlc, so start-up stays fast."""
    import sys

    env = os.environ if environ is None else environ
    return (
        sys.platform.startswith("linux")
        and bool(env.get("WAYLAND_DISPLAY"))
        and bool(env.get("DISPLAY"))
        and not env.get("QT_QPA_PLATFORM")
        and env.get(ENV_VAR) != "qt"
    )

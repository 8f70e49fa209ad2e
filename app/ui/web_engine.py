"""Qt WebEngine, the optional component behind the sandboxed view of interactive content:
whether it is installed, and the Chromium flags it must start with. Importing this module
loads no part of WebEngine."""

from __future__ import annotations

import os

#: What Chromium must do for interactive content: WebRTC only through a proxy, of which
#: there is none, so no UDP at all (no STUN to anywhere, no local addresses revealed).
CHROMIUM_FLAGS = ("--force-webrtc-ip-handling-policy=disable_non_proxied_udp",)
FLAGS_ENV = "QTWEBENGINE_CHROMIUM_FLAGS"


def chromium_flags(existing: str, as_root: bool) -> str:
    """``existing`` flags with ours added (ours win over the same flag with another value);
    as root, Chromium's sandbox cannot start, so it also gets ``--no-sandbox``."""
    ours = CHROMIUM_FLAGS + (("--no-sandbox",) if as_root else ())
    names = {flag.split("=", 1)[0] for flag in ours}
    kept = [flag for flag in existing.split() if flag.split("=", 1)[0] not in names]
    return " ".join([*kept, *ours])


def configure_web_engine() -> None:
    """Put :data:`CHROMIUM_FLAGS` in the environment. Qt WebEngine reads them once, when its
    first profile is made: the application calls this before anything else, and every
    sandboxed view calls it again before making its profile."""
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    os.environ[FLAGS_ENV] = chromium_flags(os.environ.get(FLAGS_ENV, ""), as_root)


def web_engine_available() -> bool:
    try:
        import PySide6.QtWebEngineWidgets  # noqa: F401
    except ImportError:
        return False
    return True

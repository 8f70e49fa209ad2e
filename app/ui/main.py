"""Entry point of the window (``ujuzi gui``): see :mod:`app.ui.app` for start-up and
screenshots, :mod:`app.ui.window` for the window and ``docs/ui.md`` for the structure."""

from __future__ import annotations


def run_gui(
    home: str | None = None,
    profile: str | None = None,
    screenshot: str | None = None,
    open_id: str | None = None,
    language: str | None = None,
) -> int:
    """Open the window; with ``screenshot``, save a PNG of it once it has loaded (and the
    resource asked for with ``open_id`` is shown, media playing) and exit."""
    from app.ui.app import run

    return run(home, profile, screenshot, open_id, language)

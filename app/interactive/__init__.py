"""Interactive resources (SCORM SCOs, H5P content): how a resource says what runs it, and the
loopback server that runs it (:mod:`app.interactive.server`).

An interactive resource's ``url`` names its runtime and what to launch, relative to the
pack's files:

- ``scorm-1.2:<path>[?query]`` and ``scorm-2004:<path>[?query]``: a SCORM SCO (or asset)
  whose launch page is the pack file ``<path>``; the runtime provides the SCORM API of that
  version (``window.API`` or ``window.API_1484_11``) to the page;
- ``h5p:<folder>``: an H5P package unpacked in the pack under ``<folder>`` (its
  ``h5p.json``, ``content/`` and library folders), played by the bundled H5P player.
"""

from __future__ import annotations

from dataclasses import dataclass

RUNTIMES = ("scorm-1.2", "scorm-2004", "h5p")


@dataclass(frozen=True)
class Launch:
    runtime: str
    path: str
    query: str = ""


def launch_url(runtime: str, path: str, query: str = "") -> str:
    if runtime not in RUNTIMES:
        raise ValueError(runtime)
    query = query.lstrip("?")
    return f"{runtime}:{path}" + (f"?{query}" if query else "")


def parse_launch(url: str | None) -> Launch | None:
    """The launch described by a resource url, or None when it is not an interactive one."""
    if not url:
        return None
    runtime, sep, rest = url.partition(":")
    if not sep or runtime not in RUNTIMES:
        return None
    path, _sep, query = rest.partition("?")
    return Launch(runtime, path, query)

"""User settings, declared once with type, default and description; stored as JSON.

Only this module reads or writes ``settings.json``. Unknown keys in the file are kept (a newer
version may have written them); values of the wrong type fall back to the default.

Several ``Settings`` objects may look at one file at once (each worker thread opens its own
``Library``, and the CLI may run beside the window). Every change is therefore one serialised
read-modify-write: under a lock shared by the threads of this process and by other processes,
the file is read again, the one changed value applied and the whole written atomically, so two
quick changes made through different objects are both kept.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.errors import UjuziError
from app.i18n import _
from app.paths import Layout, exclusive_lock, private_opener


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: Any
    description: str


SETTINGS: tuple[Setting, ...] = (
    Setting("ui_language", str, "en", "Language of the interface."),
    Setting("content_languages", list, ["en"], "Preferred content languages, in order."),
    Setting("font_size", int, 11, "Base font size in points."),
    Setting("theme", str, "light", "light, dark or high-contrast."),
    Setting("profile", str, "default", "The learner profile used when none is given."),
    Setting("last_learner", str, "",
            "The learner chosen last in the window on this device: preselected when it asks "
            "who is learning."),
    Setting("playback_rate", float, 1.0, "Playback speed of videos and audio, as chosen last."),
    Setting("subtitle_language", str, "",
            "Subtitles as chosen last: a language code, 'off', or empty for the first of "
            "the content languages."),
    Setting(
        "max_pack_bytes",
        int,
        64 * 1024**3,
        "Largest total uncompressed size accepted when importing a pack.",
    ),
    # The hub account (the token itself is kept in the OS keyring, never here).
    Setting("hub_url", str, "", "The hub this library signs in to; empty when none."),
    Setting("hub_user", str, "", "The account name on the hub."),
    Setting("hub_key", str, "", "The hub's public key, pinned at the first login (base64)."),
    Setting("bandwidth_limit_kbps", int, 0, "Download speed cap in KiB/s; 0 for none."),
    Setting("metered_connection", bool, False,
            "The connection is metered: ask before downloads larger than metered_ask_bytes."),
    Setting("metered_ask_bytes", int, 50 * 1024**2,
            "On a metered connection, downloads larger than this ask first."),
)

_BY_NAME = {setting.name: setting for setting in SETTINGS}

def _read(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


class Settings:
    """Typed access to ``settings.json`` in one data directory."""

    def __init__(self, layout: Layout) -> None:
        self.path = layout.settings
        self._lock_path = layout.settings_lock
        self._draft = layout.settings_draft
        self._values: dict[str, Any] = _read(self.path)

    def get(self, name: str) -> Any:
        setting = _BY_NAME[name]
        value = self._values.get(name, setting.default)
        if not isinstance(value, setting.type) or isinstance(value, bool) != (
            setting.type is bool
        ):
            return setting.default
        return value

    def set(self, name: str, value: Any) -> None:
        setting = _BY_NAME.get(name)
        if setting is None:
            raise UjuziError(_("Unknown setting: {name}").format(name=name))
        if not isinstance(value, setting.type):
            raise UjuziError(
                _("Setting {name} must be of type {type}").format(
                    name=name, type=setting.type.__name__
                )
            )
        with self._writing():
            values = _read(self.path)
            values[name] = value
            self._write(values)
            self._values = values

    def reload(self) -> None:
        """Read the file again (another object or process may have changed it)."""
        self._values = _read(self.path)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        # flock conflicts between separate opens of the lock file, so the one lock
        # serialises the threads of this process as well as other processes.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with exclusive_lock(self._lock_path):
            yield

    def _write(self, values: dict[str, Any]) -> None:
        tmp = self._draft
        with open(tmp, "w", encoding="utf-8", opener=private_opener) as handle:
            handle.write(json.dumps(values, indent=2, sort_keys=True))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)

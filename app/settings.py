"""User settings, declared once with type, default and description; stored as JSON.

Only this module reads or writes ``settings.json``. Unknown keys in the file are kept (a newer
version may have written them); values of the wrong type fall back to the default.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.errors import UjuziError
from app.i18n import _


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
    Setting(
        "max_pack_bytes",
        int,
        64 * 1024**3,
        "Largest total uncompressed size accepted when importing a pack.",
    ),
)

_BY_NAME = {setting.name: setting for setting in SETTINGS}


class Settings:
    """Typed access to ``settings.json`` in one data directory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._values: dict[str, Any] = {}
        if path.exists():
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                loaded = {}
            if isinstance(loaded, dict):
                self._values = loaded

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
        self._values[name] = value
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(self._values, indent=2, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.path)

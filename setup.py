"""Build step that puts the read-only data the program ships inside the package.

``pyproject.toml`` holds the metadata; this file only adds ``app/data/`` to a wheel (see
packaging/shipped_data.py for what it holds). An editable install keeps reading the data from
the checkout.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

_spec = importlib.util.spec_from_file_location(
    "shipped_data", Path(__file__).resolve().parent / "packaging" / "shipped_data.py")
assert _spec is not None and _spec.loader is not None
shipped_data = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(shipped_data)


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        if not getattr(self, "editable_mode", False):
            shipped_data.copy_shipped_data(Path(self.build_lib) / "app" / "data")


setup(cmdclass={"build_py": BuildWithData})

"""The bundle's runtime hook (packaging/bundle_environment.py) gives child processes (the
system browser for interactive content) the user's library path, not the bundle's. Run here
in a plain Python with the environment the bootloader makes; the bundle itself runs it
before the app (packaging/ujuzi.spec)."""

from __future__ import annotations

import os
import subprocess
import sys

from app.paths import SOURCE_ROOT

HOOK = SOURCE_ROOT / "packaging" / "bundle_environment.py"
CHILD = ("import runpy, subprocess, sys; runpy.run_path(sys.argv[1]); "
         "print(subprocess.run(['env'], capture_output=True, text=True).stdout)")


def child_environment(extra: dict[str, str]) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("LD_")}
    done = subprocess.run([sys.executable, "-c", CHILD, str(HOOK)], env={**env, **extra},
                          capture_output=True, text=True, check=True)
    return dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)


def test_the_bundle_folder_is_not_passed_on() -> None:
    seen = child_environment({"LD_LIBRARY_PATH": "/opt/bundle/_internal"})
    assert "LD_LIBRARY_PATH" not in seen


def test_the_users_own_library_path_is_given_back() -> None:
    seen = child_environment({"LD_LIBRARY_PATH": "/opt/bundle/_internal",
                              "LD_LIBRARY_PATH_ORIG": "/home/me/lib"})
    assert seen["LD_LIBRARY_PATH"] == "/home/me/lib" and "LD_LIBRARY_PATH_ORIG" not in seen

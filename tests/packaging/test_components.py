"""A bundle that leaves the hub and the cohort matching out (the learner bundle): the commands
it keeps work without their libraries, and the commands that need them say so in one line,
with no traceback (app/components.py).

The libraries are installed in the test environment; :func:`app.components.guard` hides them
here exactly as the bundle's runtime hook does where they are absent, so these run in
seconds. tests/packaging/test_bundle.py checks the built learner bundle itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import components
from app.errors import UjuziError
from app.paths import SOURCE_ROOT
from tests.unit.mentorship.cohorts import mentee, mentor

RUN = """
import sys
from app import components
components.guard(["hub", "matching"])
from app.cli import main
code = main(sys.argv[1:])
hidden = [name for name in ("fastapi", "sqlalchemy", "uvicorn", "ortools", "numpy")
          if name in sys.modules]
assert not hidden, hidden
sys.exit(code)
"""


def learner(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "UJUZI_LANG": "en", "QT_QPA_PLATFORM": "offscreen"}
    env.pop("UJUZI_DEBUG", None)
    return subprocess.run([sys.executable, "-c", RUN, "--home", str(home), *args],
                          cwd=SOURCE_ROOT, capture_output=True, text=True, check=False,
                          env=env, timeout=300)


def test_the_hub_commands_say_which_bundle_has_the_hub(tmp_path: Path) -> None:
    for args in (["hub", "serve"], ["hub", "user", "add", "amina", "--role", "learner"],
                 ["hub", "publish", str(tmp_path / "x.ujpack")]):
        done = learner(*args, home=tmp_path / "hub")
        assert done.returncode == 1, (args, done.stderr)
        assert done.stderr.count("\n") == 1, done.stderr
        assert "does not include the hub" in done.stderr
        assert "standard" in done.stderr and "full" in done.stderr
        assert "Traceback" not in done.stderr


def test_cohort_matching_says_which_bundle_has_it(tmp_path: Path) -> None:
    cohort = tmp_path / "cohort.json"
    cohort.write_text(json.dumps({"mentors": [mentor("m1", ["wiki-editing"])],
                                  "mentees": [mentee("e1", ["wiki-editing"])]}),
                      encoding="utf-8")
    done = learner("mentor", "match", "--cohort", str(cohort), home=tmp_path / "home")
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert "does not include the cohort matching" in done.stderr


def test_the_learner_commands_work_without_the_hub_and_the_matching(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for args in (["starter"], ["list", "--json"], ["search", "citations"],
                 ["stick", "make", str(tmp_path / "stick")], ["verify"],
                 ["mentor", "profile", "show"], ["catalog"],
                 ["gui", "--screenshot", str(tmp_path / "shot.png")]):
        done = learner(*args, home=home)
        assert "does not include" not in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr and "internal error" not in done.stderr, (
            args, done.stderr)
        if args[0] not in ("mentor", "catalog"):  # these need a hub to log in to
            assert done.returncode == 0, (args, done.stderr)
    assert (tmp_path / "shot.png").stat().st_size > 10_000


def test_an_import_the_guard_stops_is_still_an_import_error() -> None:
    """Libraries that try an optional import (``except ImportError``) go on without it."""
    error = components.MissingComponentError("hub", "fastapi")
    assert isinstance(error, ImportError) and isinstance(error, UjuziError)
    assert error.name == "fastapi"


def test_the_bundle_manifest_names_what_was_left_out(tmp_path: Path) -> None:
    assert components.left_out(tmp_path / "absent.json") == []
    manifest = tmp_path / "bundle.json"
    manifest.write_text(json.dumps({"variant": "learner", "left_out": ["hub", "matching"]}))
    assert components.left_out(manifest) == ["hub", "matching"]
    manifest.write_text(json.dumps({"variant": "learner", "left_out": ["hub", "nonsense"]}))
    assert components.left_out(manifest) == ["hub"]


@pytest.mark.parametrize("component", sorted(components.COMPONENTS))
def test_every_component_has_its_line(component: str) -> None:
    assert components.message(component)

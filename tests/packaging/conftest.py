"""Fixtures of the packaging tests: the wheel and the bundle, each built once per session in a
temporary folder from this checkout, with no network (``--no-isolation`` uses the build tools
of the development virtualenv, as ``make dist`` does)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.paths import SOURCE_ROOT


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from the sdist (as ``make dist`` builds it): what the sdist lacks, the
    wheel lacks, and a stale ``build/`` folder in the checkout cannot leak into it."""
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out),
         str(SOURCE_ROOT)],
        capture_output=True, text=True, check=False, timeout=600,
        env={**os.environ, "PIP_NO_INDEX": "1"})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (wheel,) = out.glob("ujuzi-*.whl")
    return wheel


@pytest.fixture(scope="session")
def built_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The learner bundle (the default: no hub, no cohort matching, no Qt WebEngine), built
    by packaging/build_dist.py. ``UJUZI_TEST_BUNDLE`` may name a bundle folder built already
    (``dist/ujuzi/ujuzi`` after ``make dist``) to spare the build."""
    given = os.environ.get("UJUZI_TEST_BUNDLE")
    if given:
        return Path(given)
    out = tmp_path_factory.mktemp("bundle")
    done = subprocess.run(
        [sys.executable, str(SOURCE_ROOT / "packaging" / "build_dist.py"), "bundle",
         "--variant", "learner", "--dist", str(out)],
        capture_output=True, text=True, check=False, timeout=1200)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    folder = out / "ujuzi" / "ujuzi"
    assert (folder / "ujuzi").is_file(), list(out.rglob("ujuzi"))
    return folder

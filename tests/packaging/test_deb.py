"""The .deb's layout and metadata (packaging/build_dist.py), on a small stand-in for the
bundle folder so that it builds in a second; the desktop entry and the AppStream metadata
pass their validators; libvlc is a declared dependency."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import tarfile
from pathlib import Path
from types import ModuleType

import pytest

from app.paths import SOURCE_ROOT
from tests.conftest import unavailable


def build_dist() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_dist", SOURCE_ROOT / "packaging" / "build_dist.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    folder = tmp_path / "dist" / "ujuzi" / "ujuzi"
    (folder / "_internal").mkdir(parents=True)
    (folder / "ujuzi").write_bytes(b"\x7fELF stand-in")
    (folder / "ujuzi").chmod(0o755)
    (folder / "_internal" / "libpython3.11.so.1.0").write_bytes(bytes(4096))
    return folder


def test_the_metadata_passes_its_validators() -> None:
    for tool in ("desktop-file-validate", "appstreamcli"):
        if shutil.which(tool) is None:
            unavailable(f"{tool} is not installed (make setup installs it)")
    build_dist().validate_metadata()


def test_the_deb_installs_the_app_its_entry_icon_and_metadata(
    bundle: Path, tmp_path: Path
) -> None:
    if shutil.which("dpkg-deb") is None:
        unavailable("dpkg-deb is not installed")
    module = build_dist()
    deb = module.build_deb(bundle, tmp_path / "ujuzi_0.1.0_amd64.deb", "ujuzi")
    fields = subprocess.run(["dpkg-deb", "--field", str(deb)], capture_output=True, text=True,
                            check=True).stdout
    assert "Package: ujuzi" in fields and "libvlc5" in fields and "vlc-plugin-base" in fields
    listing = subprocess.run(["dpkg-deb", "--contents", str(deb)], capture_output=True,
                             text=True, check=True).stdout
    for path in ("./usr/lib/ujuzi/ujuzi", "./usr/bin/ujuzi -> ../lib/ujuzi/ujuzi",
                 "./usr/share/applications/org.ujuzi.Ujuzi.desktop",
                 "./usr/share/metainfo/org.ujuzi.Ujuzi.metainfo.xml",
                 "./usr/share/icons/hicolor/scalable/apps/org.ujuzi.Ujuzi.svg"):
        assert path in listing, path
    assert "root/root" in listing

    tar = module.build_tar(bundle, tmp_path / "ujuzi.tar.gz")
    with tarfile.open(tar) as archive:
        assert "ujuzi-0.1.0/ujuzi" in archive.getnames()

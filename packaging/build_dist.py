"""Build what ``make dist`` ships, with no network (the build tools come from the virtualenv).

    python packaging/build_dist.py all [--dist DIR]      # everything below, then the sizes
    python packaging/build_dist.py wheel                 # the sdist and the wheel
    python packaging/build_dist.py bundle --variant learner|standard|full
    python packaging/build_dist.py archives --variant learner|standard|full  # .tar.gz, .deb
    python packaging/build_dist.py sizes                 # the sizes of what dist/ holds

The bundle is PyInstaller's one-folder build of packaging/ujuzi.spec, in three variants:
"learner" (the default: the app a learner's laptop needs, without the hub server and the
cohort matching, whose commands then say which bundle has them), "standard" (with them: a
trainer's laptop that runs a workshop hub) and "full" (with Qt WebEngine too, which shows
interactive content inside the window; the others open it in the system browser through
the app's loopback server). The ``.deb`` installs the bundle in /usr/lib/ujuzi, the ``ujuzi``
command, a ``.desktop`` entry, the icon and AppStream metadata (both validated) and declares
libvlc as a dependency: the distribution's libvlc and its plugins bring some ninety codec
libraries that a bundle would have to carry and keep patched.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINUX = ROOT / "packaging" / "linux"
APP_ID = "org.ujuzi.Ujuzi"
MIB = 1024 * 1024
#: Installed sizes of the peers the bundle is measured against (MiB).
ANCHORS = {"Kiwix": 252, "Kolibri": 375, "Anki": 620}
TARGET_MIB = 250
#: The variants, the default first; each one's package (and folder) name.
VARIANTS = ("learner", "standard", "full")
PACKAGES = {"learner": "ujuzi", "standard": "ujuzi-standard", "full": "ujuzi-full"}
#: The end of each package's long description (after the common first line).
DESCRIPTIONS = {
    "ujuzi": " in a library that works with no network and records progress and notes.\n"
             " This is the learner's app: it syncs with a hub but does not run one.\n",
    "ujuzi-standard": " in a library that works with no network, records progress and notes,\n"
                      " and runs a workshop hub on a trainer's laptop.\n",
    "ujuzi-full": " in a library that works with no network, records progress and notes,\n"
                  " and runs a workshop hub on a trainer's laptop. It shows interactive\n"
                  " content (H5P, SCORM) inside its window.\n",
}

#: What the .deb needs from the system: libvlc (declared, not bundled), and the few libraries
#: Qt loads that a desktop always has (OpenGL/EGL, fontconfig, the X keyboard and cursor).
DEB_DEPENDS = ("libc6 (>= 2.28), libvlc5, vlc-plugin-base, libgl1, libegl1, libfontconfig1, "
               "libxkbcommon-x11-0, libxcb-cursor0")
DEB_RECOMMENDS = "vlc-plugin-video-output, xdg-utils"


def version() -> str:
    sys.path.insert(0, str(ROOT))
    from app import __version__

    return __version__


def run(command: list[str], **kwargs: object) -> None:
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, **kwargs)  # type: ignore[call-overload]


def tree_bytes(folder: Path) -> int:
    """The bytes of the files under ``folder`` (what an install puts on the disk, before
    block rounding)."""
    return sum(path.stat().st_size for path in folder.rglob("*")
               if path.is_file() and not path.is_symlink())


def bundle_folder(dist: Path, variant: str) -> Path:
    """``dist/ujuzi/ujuzi`` for the learner bundle (the one a stick carries by default),
    ``dist/ujuzi-standard/ujuzi`` and ``dist/ujuzi-full/ujuzi`` for the others."""
    return dist / PACKAGES[variant] / "ujuzi"


def tar_path(dist: Path, variant: str) -> Path:
    return dist / f"{PACKAGES[variant]}-{version()}-linux-x86_64.tar.gz"


def deb_path(dist: Path, variant: str) -> Path:
    return dist / f"{PACKAGES[variant]}_{version()}_amd64.deb"


def build_wheel(dist: Path) -> None:
    run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(ROOT)])


def build_bundle(dist: Path, variant: str) -> Path:
    folder = bundle_folder(dist, variant)
    work = dist / f".work-{variant}"
    env = {**os.environ, "UJUZI_BUNDLE_VARIANT": variant}
    run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(folder.parent), "--workpath", str(work),
         str(ROOT / "packaging" / "ujuzi.spec")], env=env)
    shutil.rmtree(work, ignore_errors=True)
    return folder


def validate_metadata() -> None:
    run(["desktop-file-validate", str(LINUX / f"{APP_ID}.desktop")])
    run(["appstreamcli", "validate", "--no-net", str(LINUX / f"{APP_ID}.metainfo.xml")])


def build_tar(folder: Path, out: Path) -> Path:
    with tarfile.open(out, "w:gz", compresslevel=6) as archive:
        archive.add(folder, arcname=f"ujuzi-{version()}")
    return out


def build_deb(folder: Path, out: Path, package: str) -> Path:
    stage = out.parent / f".deb-{package}"
    shutil.rmtree(stage, ignore_errors=True)
    lib = stage / "usr" / "lib" / "ujuzi"
    shutil.copytree(folder, lib, symlinks=True)
    (stage / "usr" / "bin").mkdir(parents=True)
    (stage / "usr" / "bin" / "ujuzi").symlink_to("../lib/ujuzi/ujuzi")
    share = stage / "usr" / "share"
    for source, target in (
        (LINUX / f"{APP_ID}.desktop", share / "applications" / f"{APP_ID}.desktop"),
        (LINUX / f"{APP_ID}.metainfo.xml", share / "metainfo" / f"{APP_ID}.metainfo.xml"),
        (ROOT / "resources" / "icons" / "ujuzi.svg",
         share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"),
    ):
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    installed_kib = (tree_bytes(stage) + 1023) // 1024
    control = stage / "DEBIAN" / "control"
    control.parent.mkdir()
    conflicts = ", ".join(name for name in PACKAGES.values() if name != package)
    control.write_text(
        f"Package: {package}\n"
        f"Version: {version()}\n"
        "Section: education\n"
        "Priority: optional\n"
        "Architecture: amd64\n"
        f"Installed-Size: {installed_kib}\n"
        f"Depends: {DEB_DEPENDS}\n"
        f"Recommends: {DEB_RECOMMENDS}\n"
        f"Conflicts: {conflicts}\n"
        "Maintainer: Ujuzi contributors <ujuzi@example.org>\n"
        "Homepage: https://example.org/ujuzi\n"
        "Description: offline multimedia learning and peer mentorship\n"
        " Ujuzi keeps learning packs (articles, videos, audio, PDFs, images and quizzes)\n"
        f"{DESCRIPTIONS[package]}",
        encoding="utf-8")
    run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(stage), str(out)])
    shutil.rmtree(stage)
    return out


def build_archives(dist: Path, variant: str) -> list[Path]:
    folder = bundle_folder(dist, variant)
    validate_metadata()
    tar = build_tar(folder, tar_path(dist, variant))
    deb = build_deb(folder, deb_path(dist, variant), PACKAGES[variant])
    return [tar, deb]


def report(dist: Path) -> str:
    """The sizes of what was built, installed and compressed, against the anchors."""
    lines = ["", "Sizes (MiB; installed = the files of the bundle, compressed = the download):"]
    for variant in VARIANTS:
        folder = bundle_folder(dist, variant)
        if not folder.is_dir():
            continue
        installed = tree_bytes(folder) / MIB
        sizes = [f"{variant:9} installed {installed:6.1f}"]
        for label, path in (("tar.gz", tar_path(dist, variant)),
                            (".deb", deb_path(dist, variant))):
            if path.exists():
                sizes.append(f"{label} {path.stat().st_size / MIB:6.1f}")
        if variant == VARIANTS[0]:  # the target is the default bundle's
            verdict = "under" if installed < TARGET_MIB else "over"
            sizes.append(f"({verdict} the {TARGET_MIB} MiB target)")
        lines.append("  " + "  ".join(sizes))
    for wheel in sorted(dist.glob("ujuzi-*.whl")):
        lines.append(f"  wheel     {wheel.stat().st_size / MIB:6.1f}  {wheel.name}")
    lines.append("  anchors installed: " + ", ".join(f"{name} {size}"
                                                     for name, size in ANCHORS.items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["all", "wheel", "bundle", "archives", "sizes"])
    parser.add_argument("--variant", choices=VARIANTS, default=VARIANTS[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--standard-only", action="store_true",
                        help="with all: build the learner and standard bundles only "
                             "(no Qt WebEngine)")
    args = parser.parse_args(argv)
    dist: Path = args.dist.resolve()
    dist.mkdir(parents=True, exist_ok=True)
    if args.step in ("wheel", "all"):
        build_wheel(dist)
    variants = [args.variant] if args.step != "all" else (
        ["learner", "standard"] if args.standard_only else list(VARIANTS))
    for variant in variants:
        if args.step in ("bundle", "all"):
            build_bundle(dist, variant)
        if args.step in ("archives", "all"):
            build_archives(dist, variant)
    if args.step in ("all", "sizes", "archives"):
        print(report(dist))
    return 0


if __name__ == "__main__":
    sys.exit(main())

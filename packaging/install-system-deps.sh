#!/usr/bin/env bash
# Installs the system packages Ujuzi needs on Debian/Ubuntu: libvlc and its plugins (media
# playback and reading media durations), the X11 libraries Qt loads, fonts for Arabic, Indic and
# CJK scripts, Xvfb for UI tests, ffmpeg for generated test media, espeak-ng for the starter
# video script, python3-xapian for the search benchmark's Xapian peer (run with
# /usr/bin/python3) and PostgreSQL, whose server the hub's tests start in a temporary
# folder; desktop-file-utils and appstream validate the .deb's desktop entry and metadata
# (make dist). Safe to run again: it installs only what is missing.
set -euo pipefail

PACKAGES=(
  libvlc5 libvlc-bin vlc-plugin-base vlc-plugin-video-output
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxcb-randr0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0
  libxkbcommon0 libegl1 libgl1 libfontconfig1 libdbus-1-3 libpulse0 libglib2.0-0
  fonts-noto-core fonts-wqy-microhei fonts-dejavu-core
  xvfb xauth ffmpeg espeak-ng
  python3-xapian
  postgresql-15
  desktop-file-utils appstream
)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
else
  echo "ujuzi: this is not a Debian-based system; install the equivalents of these packages" >&2
  echo "       with your package manager: ${PACKAGES[*]}" >&2
  exit 0
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=sudo
  else
    echo "ujuzi: these system packages are missing: ${missing[*]}" >&2
    echo "       run as root: apt-get install ${missing[*]}" >&2
    echo "       (or run 'sudo packaging/install-system-deps.sh'); continuing without them." >&2
    exit 0
  fi
else
  SUDO=
fi

echo "ujuzi: installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"

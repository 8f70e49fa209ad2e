#!/usr/bin/env bash
# Installs the H5P player (h5p-standalone, MIT, from the npm registry at the version pinned in
# packaging/h5p-player/package-lock.json) that Ujuzi serves to run .h5p activities offline.
# Without npm, H5P activities say the player is missing; everything else works.
set -euo pipefail
cd "$(dirname "$0")/h5p-player"
if [ -f node_modules/h5p-standalone/dist/main.bundle.js ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "ujuzi: npm is not installed; H5P activities will not run until it is and 'make setup' runs again." >&2
  exit 0
fi
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

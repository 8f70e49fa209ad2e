#!/bin/sh
# Makes the screenshots in docs/screenshots/ with `ujuzi gui --screenshot`, on a fresh data
# directory holding the starter packs and a little learning history. The video one runs under
# Xvfb, so that the picture includes the frame libvlc draws; the others run offscreen.
set -eu
cd "$(dirname "$0")/.."
UJUZI=.venv/bin/ujuzi
OUT=docs/screenshots
HOME_DIR=$(mktemp -d /tmp/ujuzi-screens-XXXXXX)
trap 'rm -rf "$HOME_DIR"' EXIT
N=org.ujuzi.starter.newcomers
$UJUZI --home "$HOME_DIR" starter >/dev/null
.venv/bin/python - "$HOME_DIR" <<'PY'
import sys, time
from app import learning
from app.library import Library

N = "org.ujuzi.starter.newcomers"
with Library(sys.argv[1]) as lib:
    for rid in ("what-are-the-projects", "a-tour-of-the-projects", "your-account-and-talk-pages"):
        learning.mark_opened(lib, f"{N}/{rid}")
        lib.record_progress(f"{N}/{rid}", complete=True)
        time.sleep(0.01)
    learning.mark_opened(lib, f"{N}/your-first-edit")
    lib.record_progress(f"{N}/your-first-edit", position=0.35)
    lib.add_note(f"{N}/a-tour-of-the-projects", "Commons holds the photos every Wikipedia can use.",
                 at_seconds=21)
    lib.add_note(f"{N}/your-first-edit", "Always write an edit summary.")
    learning.mark_opened(lib, "org.ujuzi.starter.organisations/what-are-affiliates")
    lib.record_progress("org.ujuzi.starter.organisations/what-are-affiliates", position=0.6)
PY
shot() {
  name=$1
  shift
  QT_QPA_PLATFORM=offscreen $UJUZI --home "$HOME_DIR" gui --screenshot "$OUT/$name.png" "$@"
}
shot home --lang en
shot arabic --lang ar
shot library --open page:library --lang en
shot pack --open $N --lang en
shot article --open $N/your-first-edit --lang en
shot quiz --open $N/check --lang en
shot search --open "search:reliable sources" --lang en
xvfb-run -a -s "-screen 0 1280x800x24" \
  $UJUZI --home "$HOME_DIR" gui --screenshot "$OUT/video.png" --open $N/a-tour-of-the-projects \
  --lang en 2>/dev/null
ls -l "$OUT"

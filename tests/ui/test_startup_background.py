"""The work the window starts once its first complete page is on screen (``settled``): the
watch for packs another process adds, the sync state and the hub service. Started late,
none of it misses what happened since the window loaded its packs."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.library import Library
from app.packs.importer import import_pack
from app.ui.hub import hub_of
from app.ui.library_watch import watch_library
from tests.packs import make_pack
from tests.ui.conftest import OpenWindow

WAIT = 30_000


def test_a_watch_started_late_announces_a_pack_added_since_the_packs_were_loaded(
        qtbot: QtBot, filled: Library, open_window: OpenWindow, tmp_path: Path) -> None:
    ctx, window = open_window()
    assert [p["id"] for p in ctx.packs or []] == ["org.test.kinds"]
    # Another connection (as another process would) adds a pack before any watch looks.
    make_pack(tmp_path / "late.ujpack", pack_id="org.test.late")
    with Library(filled.layout.home) as other:
        import_pack(other, tmp_path / "late.ujpack")
    with qtbot.waitSignal(ctx.library_changed, timeout=WAIT):
        watcher = watch_library(ctx, window)
    qtbot.waitUntil(lambda: "org.test.late" in [p["id"] for p in ctx.packs or []],
                    timeout=WAIT)
    watcher.stop()


def test_the_background_work_starts_once_the_window_has_settled(
        qtbot: QtBot, filled: Library, open_window: OpenWindow) -> None:
    ctx, window = open_window()
    qtbot.waitUntil(lambda: window.library_watch is not None, timeout=WAIT)
    service = hub_of(ctx)
    qtbot.waitUntil(lambda: service.account is not None and window.sync.status is not None,
                    timeout=WAIT)
    assert window.library_watch is not None and window.library_watch.timer.isActive()


def test_a_window_closed_before_it_settles_starts_no_background_work(
        qtbot: QtBot, filled: Library, home: Path) -> None:
    from app.ui.app import create_window

    ctx, window = create_window(str(home), None, None, "en")
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.ready, timeout=WAIT):
        window.show()
        window.start()
    window.close()  # before the posted settle event is handled
    settled: list[bool] = []
    window.settled.connect(lambda: settled.append(True))
    qtbot.wait(50)
    ctx.runner.wait()
    assert settled == [] and window.library_watch is None
    assert getattr(ctx, "_hub_service", None) is None
    ctx.collector.stop()

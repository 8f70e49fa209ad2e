"""Cyclic garbage is collected on the GUI thread while a window's context lives
(app/ui/collector.py): a worker that allocates never runs the collector, so it never destroys
a Qt object (which crashed the process: "Segmentation fault ... Garbage-collecting")."""

from __future__ import annotations

import gc
import threading
from pathlib import Path
from typing import ClassVar

from pytestqt.qtbot import QtBot

from app.ui.context import AppContext


class Cycle:
    """An object in a reference cycle that records the thread that collects it."""

    collected_on: ClassVar[list[str]] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        Cycle.collected_on.append(threading.current_thread().name)


def test_a_worker_that_allocates_leaves_the_collection_to_the_gui_thread(
        qtbot: QtBot, home: Path) -> None:
    ctx = AppContext(str(home), None)
    try:
        assert not gc.isenabled()
        Cycle.collected_on.clear()

        kept: list[list[int]] = []

        def work() -> None:
            Cycle()  # unreachable at once, freed only by the cyclic collector
            # Far past the first generation's threshold: Python would collect here.
            kept.extend([index] for index in range(gc.get_threshold()[0] * 20))

        worker = threading.Thread(target=work, name="worker")
        worker.start()
        worker.join()
        assert Cycle.collected_on == []  # not collected by the worker
        qtbot.waitUntil(lambda: bool(Cycle.collected_on), timeout=5_000)
        assert Cycle.collected_on == [threading.main_thread().name]
    finally:
        ctx.collector.stop()
    assert gc.isenabled()

"""Python's cyclic garbage collector, run on the GUI thread only.

A Qt object caught in a reference cycle (a widget and a lambda connected to its signal, say)
is destroyed by whichever thread happens to run the collector. When that is a worker of the
task runner, Qt deletes a GUI object off the GUI thread and the process crashes (seen as
"Fatal Python error: Segmentation fault ... Garbage-collecting" in a worker). So while the
window runs, the automatic collector is off and a timer on the GUI thread does its work at
the same thresholds. Reference counting, which frees almost everything, is unchanged.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

#: How often the GUI thread looks at the collector's counts.
INTERVAL_MS = 250


class GuiThreadCollector(QObject):
    """Owns the collector while it exists; :meth:`stop` hands it back to Python."""

    _active = 0  # collectors running in this process
    _was_enabled = True

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        if GuiThreadCollector._active == 0:
            GuiThreadCollector._was_enabled = gc.isenabled()
            gc.disable()
        GuiThreadCollector._active += 1
        self._running = True
        self._thresholds = gc.get_threshold()
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.collect)
        self._timer.start()

    def collect(self) -> None:
        """Collect the generations whose counts passed their thresholds, as Python would."""
        counts = gc.get_count()
        generation = -1
        for level in range(3):
            if counts[level] > self._thresholds[level]:
                generation = level
        if generation >= 0:
            gc.collect(generation)

    def stop(self) -> None:
        """Collect once more here and give the collector back to Python."""
        if not self._running:
            return
        self._running = False
        self._timer.stop()
        GuiThreadCollector._active = max(0, GuiThreadCollector._active - 1)
        gc.collect()
        if GuiThreadCollector._active == 0 and GuiThreadCollector._was_enabled:
            gc.enable()

    @classmethod
    def reset(cls) -> None:
        """Give the collector back to Python whatever collectors are left (tests, between
        windows)."""
        if cls._active:
            cls._active = 0
            gc.collect()
            if cls._was_enabled:
                gc.enable()

"""The window's task runner (app/ui/tasks.py) never hands a result to a receiver whose owner
is gone: a widget deleted, or a window closed, while its work was running. The work still
runs to its end; only its result is dropped. Real widgets, a real runner and real threads:
each work waits on an event that the test sets once the owner is gone, so the result always
arrives after that."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import pytest
import shiboken6
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.tasks import Reporter
from app.ui.tasks import TaskRunner
from tests.ui.conftest import OpenWindow, wait_loaded


class Gate:
    """Work that waits until the test opens the gate, then returns ``value``."""

    made: ClassVar[list[Gate]] = []

    def __init__(self, value: Any = "result") -> None:
        self.open = threading.Event()
        self.ran = threading.Event()
        self.value = value
        Gate.made.append(self)

    def work(self, _reporter: Reporter) -> Any:
        self.open.wait()
        self.ran.set()
        return self.value


@pytest.fixture(autouse=True)
def gates_opened() -> Iterator[None]:
    """Every gate is open when a test ends, passed or failed: no work waits forever."""
    yield
    for gate in Gate.made:
        gate.open.set()
    Gate.made.clear()


def _delete(*objects: QObject) -> None:
    for obj in objects:
        obj.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not any(shiboken6.isValid(obj) for obj in objects)


def _finish(runner: TaskRunner, *gates: Gate) -> None:
    """Let the works end and their results reach the GUI thread's queue, then deliver them."""
    for gate in gates:
        gate.open.set()
    runner.wait()
    assert all(gate.ran.is_set() for gate in gates)
    QApplication.processEvents()
    QApplication.processEvents()


class Shown(QWidget):
    """A window with a label, recording the results handed to it."""

    def __init__(self) -> None:
        super().__init__()
        self.label = QLabel("waiting", self)
        QVBoxLayout(self).addWidget(self.label)
        self.results: list[Any] = []

    def arrived(self, result: Any) -> None:
        self.results.append(result)
        self.label.setText(str(result))


def _runner(_qtbot: QtBot) -> TaskRunner:
    return TaskRunner()


def _ignore(_error: BaseException) -> None:
    raise AssertionError("no task here fails")


def test_a_result_for_a_deleted_widget_is_dropped(qtbot: QtBot) -> None:
    runner = _runner(qtbot)
    calls: list[Any] = []
    label = QLabel("before")  # deleted below: not for qtbot to close

    def done(result: Any) -> None:  # closes over the label, as pages' callbacks do
        calls.append(result)
        label.setText(str(result))

    gate, bound_gate = Gate(), Gate()
    runner.run(gate.work, done, _ignore)
    window = Shown()
    runner.run(bound_gate.work, window.arrived, _ignore)
    _delete(label, window)
    _finish(runner, gate, bound_gate)
    assert calls == []


def test_a_result_for_a_closed_window_is_dropped_and_one_for_an_open_window_arrives(
        qtbot: QtBot) -> None:
    runner = _runner(qtbot)
    closed, kept = Shown(), Shown()
    for window in (closed, kept):
        qtbot.addWidget(window)
        window.show()
    # a child's callback is tied to its window: a closure over the label of each
    gates = {name: Gate(name) for name in ("closed", "kept")}
    for name, window in (("closed", closed), ("kept", kept)):
        label = window.label
        runner.run(gates[name].work, lambda result, label=label: label.setText(result),
                   _ignore)
        runner.run(gates[name].work, window.arrived, _ignore)
    closed.close()
    assert shiboken6.isValid(closed)  # closed, not deleted
    _finish(runner, *gates.values())
    assert closed.results == [] and closed.label.text() == "waiting"
    assert kept.results == ["kept"] and kept.label.text() == "kept"


def test_a_window_shown_again_after_closing_gets_its_results(qtbot: QtBot) -> None:
    runner = _runner(qtbot)
    window = Shown()
    qtbot.addWidget(window)
    window.show()
    window.close()
    window.show()
    gate = Gate()
    runner.run(gate.work, window.arrived, _ignore)
    _finish(runner, gate)
    assert window.results == ["result"]


def test_hidden_widgets_and_plain_objects_still_get_results(qtbot: QtBot) -> None:
    """A page not shown now (its window open) and a window not shown yet still get their
    results; so do callbacks tied to no widget."""
    runner = _runner(qtbot)
    window = Shown()
    qtbot.addWidget(window)
    window.show()
    window.label.hide()
    unshown = Shown()
    qtbot.addWidget(unshown)
    keeper = QObject()
    got: list[Any] = []
    gates = [Gate(n) for n in range(4)]
    label = window.label
    callbacks: list[Callable[[Any], None]] = [
        lambda result: label.setText(str(result)),
        unshown.arrived,
        lambda result: got.append((keeper.objectName(), result)),
        got.append,
    ]
    for gate, callback in zip(gates, callbacks, strict=True):
        runner.run(gate.work, callback, _ignore)
    _finish(runner, *gates)
    assert label.text() == "0"
    assert unshown.results == [1]
    assert got == [("", 2), 3]


def test_failures_and_progress_for_a_gone_owner_are_dropped_too(qtbot: QtBot) -> None:
    runner = _runner(qtbot)
    window = Shown()
    qtbot.addWidget(window)
    window.show()
    seen: list[str] = []
    opened = threading.Event()

    def work(reporter: Reporter) -> Any:
        opened.wait()
        reporter.report("half", 1, 2)
        raise OSError("disk gone")

    def failed(error: BaseException) -> None:
        seen.append(f"failed {error}")
        window.label.setText("failed")

    def progress(_progress: Any) -> None:
        seen.append("progress")
        window.label.setText("progress")

    runner.run(work, window.arrived, failed, progress)
    window.close()
    opened.set()
    runner.wait()
    QApplication.processEvents()
    QApplication.processEvents()
    assert seen == [] and window.label.text() == "waiting"


def test_a_closed_windows_pending_search_never_reaches_its_page(
        qtbot: QtBot, filled: Any, open_window: OpenWindow) -> None:
    """The real window: a search still running when the window closes does not fill the
    closed window's results (nor fail on its deleted list)."""
    ctx, window = open_window()
    search = wait_loaded(qtbot, window, "search", query="cit")
    results = search.results
    assert results is not None and results["hits"]
    # both of the pool's threads busy: the next search waits behind them until the window
    # closes (its closeEvent waits for the pool, so they are let go as the close begins)
    gates = [Gate(), Gate()]
    for gate in gates:
        ctx.runner.run(gate.work, lambda _r: None, _ignore)
    search.set_query("second", immediate=True)
    opener = OpenOnClose(gates)
    window.installEventFilter(opener)
    window.close()
    _finish(ctx.runner, *gates)
    assert search.results is results


class OpenOnClose(QObject):
    """Opens the gates when its window gets its close event."""

    def __init__(self, gates: list[Gate]) -> None:
        super().__init__()
        self.gates = gates

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close:
            for gate in self.gates:
                gate.open.set()
        return False

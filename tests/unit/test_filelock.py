"""The one cross-platform file lock (app/filelock.py): exclusive between processes, a
non-blocking attempt fails while another holds it, closing the file releases it; and no other
module of the app takes locks with ``fcntl``, which Windows lacks.

The Windows branch (``msvcrt.locking``) cannot run here; one test drives it with a stand-in
for ``msvcrt`` that keeps byte-range locks as Windows does (per handle, mandatory, a blocking
attempt gives up after ten tries), and says so."""

from __future__ import annotations

import ast
import errno
import subprocess
import sys
from pathlib import Path

import pytest

from app import filelock
from app.paths import SOURCE_ROOT

HOLD = """
import sys
from app import filelock
handle = open(sys.argv[1], "a+b")
filelock.lock(handle)
print("held", flush=True)
sys.stdin.readline()
handle.close()
print("closed", flush=True)
sys.stdin.readline()
"""

TRY = """
import sys
from app import filelock
with open(sys.argv[1], "a+b") as handle:
    try:
        filelock.lock(handle, blocking=False)
    except BlockingIOError:
        sys.exit(3)
sys.exit(0)
"""

WAIT = """
import sys
from pathlib import Path
from app import filelock
with open(sys.argv[1], "a+b") as handle:
    print("waiting", flush=True)
    filelock.lock(handle)
    print(Path(sys.argv[2]).read_text(), flush=True)
"""


def _python(code: str, *args: str, **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=SOURCE_ROOT, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, **kwargs)  # type: ignore[call-overload]


def _try(path: Path) -> int:
    return subprocess.run([sys.executable, "-c", TRY, str(path)], cwd=SOURCE_ROOT,
                          check=False).returncode


def test_a_held_lock_excludes_other_processes_until_closed(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    holder = _python(HOLD, str(path))
    assert holder.stdout is not None and holder.stdin is not None
    try:
        assert holder.stdout.readline().strip() == "held"
        assert _try(path) == 3  # non-blocking: fails at once while held
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "closed"
        assert _try(path) == 0  # closing the file released it
    finally:
        holder.kill()
        holder.communicate()


def test_a_blocking_lock_waits_for_the_holder(tmp_path: Path) -> None:
    path, note = tmp_path / "lock", tmp_path / "note"
    note.write_text("before")
    with open(path, "a+b") as handle:
        filelock.lock(handle)
        waiter = _python(WAIT, str(path), str(note))
        assert waiter.stdout is not None
        assert waiter.stdout.readline().strip() == "waiting"
        note.write_text("after the holder let go")  # written while the lock is held
        filelock.unlock(handle)
        out, _ = waiter.communicate()
    assert waiter.returncode == 0
    assert out.strip() == "after the holder let go"


def test_two_handles_in_one_process_exclude_each_other(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    with open(path, "a+b") as first, open(path, "a+b") as second:
        filelock.lock(first, blocking=False)
        with pytest.raises(BlockingIOError):
            filelock.lock(second, blocking=False)
        filelock.unlock(first)
        filelock.lock(second, blocking=False)
        filelock.unlock(second)


def test_a_descriptor_works_as_a_file(tmp_path: Path) -> None:
    import os

    descriptor = os.open(tmp_path / "lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        filelock.lock(descriptor)
        assert _try(tmp_path / "lock") == 3
        filelock.unlock(descriptor)
        assert _try(tmp_path / "lock") == 0
    finally:
        os.close(descriptor)


def test_no_other_module_of_the_app_imports_fcntl() -> None:
    found = []
    for path in sorted((SOURCE_ROOT / "app").rglob("*.py")):
        if path == SOURCE_ROOT / "app" / "filelock.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(name.split(".")[0] in ("fcntl", "msvcrt") for name in names):
                found.append(str(path.relative_to(SOURCE_ROOT)))
    assert found == []


class _WindowsLocks:
    """A stand-in for ``msvcrt`` (not available here): byte-range locks per handle, as
    ``msvcrt.locking`` keeps them; LK_LOCK gives up with EDEADLOCK after its ten tries."""

    LK_UNLCK, LK_LOCK, LK_NBLCK = 0, 1, 2

    def __init__(self, busy_tries: int = 0) -> None:
        self.held: dict[int, int] = {}  # offset -> descriptor
        self.busy_tries = busy_tries
        self.calls: list[tuple[int, int, int]] = []

    def locking(self, descriptor: int, mode: int, nbytes: int) -> None:
        import os

        offset = os.lseek(descriptor, 0, os.SEEK_CUR)
        self.calls.append((mode, offset, nbytes))
        if mode == self.LK_UNLCK:
            if self.held.get(offset) != descriptor:
                raise PermissionError(errno.EACCES, "not locked")
            del self.held[offset]
            return
        if self.busy_tries:
            self.busy_tries -= 1
            raise OSError(errno.EDEADLK, "Resource deadlock avoided")
        if offset in self.held:
            raise PermissionError(errno.EACCES, "Permission denied")
        self.held[offset] = descriptor


def test_the_windows_branch_locks_byte_zero_and_retries_a_blocking_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    windows = _WindowsLocks()
    monkeypatch.setattr(filelock, "_msvcrt", windows)
    monkeypatch.setattr(filelock, "_fcntl", None)
    path = tmp_path / "lock"
    with open(path, "a+b") as first, open(path, "a+b") as second:
        first.write(b"12345")  # the position moves; the lock is still taken at byte 0
        first.flush()
        filelock.lock(first)
        with pytest.raises(BlockingIOError):
            filelock.lock(second, blocking=False)
        filelock.unlock(first)
        windows.busy_tries = 2  # LK_LOCK gave up twice (twenty seconds) before it was free
        filelock.lock(second)
        assert windows.held == {0: second.fileno()}
        assert all(offset == 0 and nbytes == 1 for _, offset, nbytes in windows.calls)
        filelock.unlock(second)
    assert windows.held == {}

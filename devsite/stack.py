"""``make up`` / ``make down``: the whole pipeline on this machine, as an operator meets it.

One command starts SeaweedFS (the S3 store), the bundled wire site (optionally
with faults) and ``airflow standalone`` (API server and UI, scheduler, DAG
processor, triggerer) over this checkout's DAGs, with the S3 connection in
Airflow's metadata database, a site pool per host and the sources aimed at the
wire site. The schedules start and end on the days the bundled site has stories
for, with catchup on, so unpausing a DAG gives one green run per day.

``up`` starts a supervisor (``python -m devsite.stack serve``) in a session of
its own, waits until the UI answers and the DAGs are known, prints how to reach
everything and returns; the supervisor owns every server and stops them all
when ``down`` sends it SIGTERM. Everything lives under ``var/stack`` (data,
logs, the Airflow home), so a second ``up`` finds the store and the runs of the
first. Every server binds 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = REPO_ROOT / "var" / "stack"
BUCKET = "wiredesk"
#: Where the stack's runs publish: a prefix in the stack's bucket.
STORAGE_URL = f"s3://{BUCKET}/news"
#: The days the bundled site has stories for: the stack's schedules cover exactly these.
FIRST_DAY, LAST_DAY = "2025-03-10", "2025-03-12"
USER = "admin"
READY_TIMEOUT = 420.0


@dataclass
class StackState:
    """What ``up`` prints and ``down`` needs, written by the supervisor as ``stack.json``."""

    supervisor_pid: int
    ui_url: str
    user: str
    password: str
    airflow_home: str
    storage_url: str
    s3_endpoint: str
    access_key: str
    secret_key: str
    wire_site: dict[str, str]
    faults: list[str]
    process_groups: list[int] = field(default_factory=list)
    ready: bool = False
    error: str | None = None

    def token(self, password: str | None = None) -> str:
        """A bearer token for Airflow's REST API, logged in as the stack's user (``auth/token``)."""
        body = json.dumps({"username": self.user, "password": self.password if password is None else password})
        request = urllib.request.Request(self.ui_url + "auth/token", data=body.encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())["access_token"]

    def api(self, token: str, path: str) -> dict:
        """GET ``/api/v2/<path>`` of the stack's Airflow."""
        request = urllib.request.Request(self.ui_url + "api/v2/" + path, headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())

    def describe(self) -> str:
        """The lines ``make up`` prints: where everything is and how to use it."""
        site = "\n".join(f"                 {source:<10} {url}" for source, url in sorted(self.wire_site.items()))
        return "\n".join([
            "wiredesk stack is up (everything on 127.0.0.1; data, logs and the Airflow home in "
            f"{Path(self.airflow_home).parent})",
            f"  Airflow UI     {self.ui_url}",
            f"  log in as      {self.user} / {self.password}",
            f"  CLI            export AIRFLOW_HOME={self.airflow_home}",
            f"  articles       {self.storage_url}  (SeaweedFS S3 at {self.s3_endpoint}, Airflow connection "
            "wiredesk_s3)",
            f"  wire site      faults: {', '.join(self.faults) or 'none'}",
            site,
            f"  schedules      {FIRST_DAY} to {LAST_DAY}, the days the wire site has stories for: "
            "unpause a news_* DAG and each day runs",
            "  trigger a day  wiredesk trigger yonhap_en --date 2025-03-12 --airflow-home "
            f"{self.airflow_home}",
            "  stop           make down",
        ])


def state_file(workdir: Path) -> Path:
    return workdir / "stack.json"


def read_state(workdir: Path) -> StackState | None:
    try:
        return StackState(**json.loads(state_file(workdir).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def _write_state(workdir: Path, state: StackState) -> None:
    path = state_file(workdir)
    tmp = path.with_suffix(".json.new")
    tmp.write_text(json.dumps(asdict(state), indent=2), encoding="utf-8")
    os.chmod(tmp, 0o600)  # it holds the store's secret and the UI password
    tmp.replace(path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _secret(path: Path, make) -> str:
    """A secret kept in ``path`` across restarts (the store's data outlives one ``up``)."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    path.write_text(value + "\n", encoding="utf-8")
    os.chmod(path, 0o600)
    return value


# -- the supervisor --------------------------------------------------------------------------------

def serve(workdir: Path, port: int, faults: list[str]) -> int:
    """Start and own every server until SIGTERM; the process ``up`` leaves running."""
    from devsite.localsite import local_sources_file
    from devsite.seaweed import SeaweedServer
    from devsite.server import WireSite
    from wiredesk.local_airflow import LocalAirflow, stop_process

    signal.signal(signal.SIGTERM, _raise_interrupt)
    workdir.mkdir(parents=True, exist_ok=True)
    secrets_dir = workdir / "secrets"
    access_key = _secret(secrets_dir / "s3-access-key", lambda: "WD" + secrets.token_hex(9).upper())
    secret_key = _secret(secrets_dir / "s3-secret-key", lambda: secrets.token_urlsafe(24))
    home = workdir / "airflow"
    home.mkdir(parents=True, exist_ok=True)
    password = _ui_password(home)
    state = StackState(
        supervisor_pid=os.getpid(), ui_url=f"http://127.0.0.1:{port}/", user=USER, password=password,
        airflow_home=str(home), storage_url=STORAGE_URL, s3_endpoint="", access_key=access_key,
        secret_key=secret_key, wire_site={}, faults=sorted(faults),
    )
    try:
        with contextlib.ExitStack() as stack:
            seaweed = SeaweedServer(workdir / "seaweed", access_key=access_key, secret_key=secret_key,
                                    buckets=(BUCKET,))
            seaweed.start(timeout=60)
            stack.callback(seaweed.stop)
            state.s3_endpoint = seaweed.endpoint_url
            state.process_groups.append(seaweed.process.pid)
            site = stack.enter_context(WireSite(faults=faults))
            state.wire_site = dict(site.base_urls)
            sources = local_sources_file(site.base_urls, workdir / "sources.yaml")
            airflow = LocalAirflow(home=home, env_overrides=stack_env(sources, port))
            _write_airflow_cfg(home, port, secrets_dir)
            airflow.ensure_db()
            _ensure_connection(airflow, seaweed)
            proc = airflow.standalone(port, log_file=workdir / "airflow-standalone.log")
            stack.callback(stop_process, proc)
            state.process_groups.append(proc.pid)
            _write_state(workdir, state)
            _wait_ready(state, airflow, proc)
            state.ready = True
            _write_state(workdir, state)
            print("ready", flush=True)
            while proc.poll() is None:
                time.sleep(1)
            state.error = f"airflow standalone exited with {proc.returncode}; see {workdir / 'airflow-standalone.log'}"
            _write_state(workdir, state)
            return 1
    except KeyboardInterrupt:
        return 0
    except Exception as exc:  # the supervisor reports why it gave up through the state file
        state.error = f"{type(exc).__name__}: {exc}"
        _write_state(workdir, state)
        raise


def stack_env(sources: Path, port: int) -> dict[str, str]:
    """The environment every Airflow process of the stack gets (DAG settings, auth, retries)."""
    return {
        "WIREDESK_STORAGE_URL": STORAGE_URL,
        "WIREDESK_SOURCES": str(sources),
        "WIREDESK_START_DATE": FIRST_DAY,
        "WIREDESK_END_DATE": LAST_DAY,
        "WIREDESK_CATCHUP": "true",
        # A blip of the local site is retried once, quickly; the real defaults wait minutes.
        "WIREDESK_TASK_RETRIES": "1",
        "WIREDESK_RETRY_DELAY_SECONDS": "10",
        # A login like a shared deployment's; LocalAirflow.ui_env's no-login mode is for `airflow-ui`.
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:admin",
    }


def _ui_password(home: Path) -> str:
    """The UI password, in the file where Airflow's simple auth manager keeps its users' passwords."""
    path = home / "simple_auth_manager_passwords.json.generated"
    with contextlib.suppress(OSError, ValueError):
        known = json.loads(path.read_text(encoding="utf-8"))
        if known.get(USER):
            return known[USER]
    password = secrets.token_urlsafe(12)
    path.write_text(json.dumps({USER: password}) + "\n", encoding="utf-8")
    os.chmod(path, 0o600)
    return password


def _write_airflow_cfg(home: Path, port: int, secrets_dir: Path) -> None:
    """The settings an operator's shell needs with only ``AIRFLOW_HOME`` exported.

    The stack's own processes get them as environment variables too; this file
    is what ``airflow dags list``, ``airflow dags trigger`` and ``airflow
    backfill create`` read in a shell that has nothing else set. Airflow fills
    the secrets below with random values only when it writes a default
    ``airflow.cfg`` itself; written here, they must be set, or the scheduler
    and the API server each make up their own and task tokens fail to verify.
    """
    from cryptography.fernet import Fernet

    from wiredesk.local_airflow import DAGS_FOLDER

    jwt_secret = _secret(secrets_dir / "airflow-jwt-secret", lambda: secrets.token_urlsafe(32))
    api_secret = _secret(secrets_dir / "airflow-api-secret", lambda: secrets.token_urlsafe(32))
    fernet_key = _secret(secrets_dir / "airflow-fernet-key", lambda: Fernet.generate_key().decode())

    cfg = home / "airflow.cfg"
    cfg.write_text(
        "# Written by `make up`: the local stack's Airflow (see devsite/stack.py).\n"
        "[core]\n"
        f"dags_folder = {DAGS_FOLDER}\n"
        "load_examples = False\n"
        f"simple_auth_manager_users = {USER}:admin\n"
        f"execution_api_server_url = http://127.0.0.1:{port}/execution/\n"
        f"fernet_key = {fernet_key}\n"
        "[database]\n"
        f"sql_alchemy_conn = sqlite:///{home / 'airflow.db'}\n"
        "[api]\n"
        "host = 127.0.0.1\n"
        f"port = {port}\n"
        f"base_url = http://127.0.0.1:{port}/\n"
        f"secret_key = {api_secret}\n"
        "[api_auth]\n"
        f"jwt_secret = {jwt_secret}\n",
        encoding="utf-8",
    )
    os.chmod(cfg, 0o600)


def _ensure_connection(airflow, seaweed) -> None:
    """The S3 connection the DAGs' tasks read their store credentials from (``wiredesk_s3``)."""
    extra = json.dumps({"endpoint_url": seaweed.endpoint_url, "region_name": "us-east-1",
                        "addressing_style": "path"})
    airflow.cli("connections", "delete", "wiredesk_s3", check=False)
    result = airflow.cli("connections", "add", "wiredesk_s3", "--conn-type", "aws",
                          "--conn-login", seaweed.access_key, "--conn-password", seaweed.secret_key,
                          "--conn-extra", extra, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"airflow connections add failed: {result.stderr.strip()[-800:]}")


def _wait_ready(state: StackState, airflow, proc: subprocess.Popen) -> None:
    """Ready when the API server answers, the scheduler is healthy and the news DAGs are parsed."""
    deadline = time.monotonic() + READY_TIMEOUT
    health = state.ui_url + "api/v2/monitor/health"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"airflow standalone exited with {proc.returncode} while starting")
        try:
            with urllib.request.urlopen(health, timeout=5) as answer:
                body = json.loads(answer.read())
            if (body.get("scheduler", {}).get("status") == "healthy"
                    and airflow.dag_known("news_yonhap")):
                return
        except (OSError, ValueError):
            pass
        time.sleep(2)
    raise TimeoutError(f"Airflow not ready after {READY_TIMEOUT:.0f} s")


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


# -- up / down / status ----------------------------------------------------------------------------

def up(workdir: Path, port: int, faults: list[str]) -> int:
    state = read_state(workdir)
    if state and _alive(state.supervisor_pid):
        if state.ready:
            print(state.describe())
            return 0
        print(f"error: the stack in {workdir} is still starting (pid {state.supervisor_pid}); "
              "wait, or 'make down' first", file=sys.stderr)
        return 1
    _port_free_or_exit(port)
    workdir.mkdir(parents=True, exist_ok=True)
    state_file(workdir).unlink(missing_ok=True)
    log = workdir / "stack.log"
    with open(log, "ab") as out:
        supervisor = subprocess.Popen(
            [sys.executable, "-m", "devsite.stack", "serve", "--workdir", str(workdir), "--port", str(port),
             "--faults", ",".join(faults)],
            cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, env=_child_env(),
        )
    print(f"starting SeaweedFS, the wire site and Airflow (about a minute; log {log}) ...", flush=True)
    deadline = time.monotonic() + READY_TIMEOUT + 90
    while time.monotonic() < deadline:
        state = read_state(workdir)
        if state and state.error:
            down(workdir, quiet=True)
            print(f"error: the stack did not start: {state.error} (see {log})", file=sys.stderr)
            return 1
        if state and state.ready:
            print(state.describe())
            return 0
        if supervisor.poll() is not None:
            print(f"error: the stack's supervisor exited with {supervisor.returncode} (see {log})", file=sys.stderr)
            return 1
        time.sleep(1)
    down(workdir, quiet=True)
    print(f"error: the stack was not ready in {READY_TIMEOUT + 90:.0f} s (see {log})", file=sys.stderr)
    return 1


def down(workdir: Path, *, quiet: bool = False) -> int:
    """Stop the supervisor (which stops its servers); kill what is left of any of them."""
    state = read_state(workdir)
    if state is None:
        if not quiet:
            print(f"no stack running from {workdir}")
        return 0
    if _alive(state.supervisor_pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(state.supervisor_pid, signal.SIGTERM)
        deadline = time.monotonic() + 90
        while _alive(state.supervisor_pid) and time.monotonic() < deadline:
            time.sleep(0.5)
    for group in [state.supervisor_pid, *state.process_groups]:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, signal.SIGKILL)
    state_file(workdir).unlink(missing_ok=True)
    if not quiet:
        print(f"stack stopped (data kept in {workdir}; 'rm -rf {workdir}' forgets it)")
    return 0


def status(workdir: Path) -> int:
    state = read_state(workdir)
    if state is None or not _alive(state.supervisor_pid):
        print(f"no stack running from {workdir}")
        return 1
    print(state.describe() if state.ready else f"starting (pid {state.supervisor_pid})")
    return 0


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def _port_free_or_exit(port: int) -> None:
    from devsite.seaweed import port_free

    if not port_free(port):
        raise SystemExit(f"error: port {port} on 127.0.0.1 is in use (another 'make up' or Airflow?); "
                         f"'make down', or 'make up PORT=<another>'")


def main(argv: list[str] | None = None) -> int:
    from devsite.faults import FAULTS

    parser = argparse.ArgumentParser(prog="python -m devsite.stack", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("up", "down", "status", "serve"))
    parser.add_argument("--workdir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--port", type=int, default=8080, help="Airflow UI port on 127.0.0.1 (default 8080)")
    parser.add_argument("--faults", default="",
                        help="wire-site faults, comma-separated, or 'all': " + ", ".join(FAULTS))
    args = parser.parse_args(argv)
    faults = list(FAULTS) if args.faults == "all" else [f for f in args.faults.split(",") if f]
    unknown = sorted(set(faults) - set(FAULTS))
    if unknown:
        parser.error(f"unknown faults {', '.join(unknown)}; known: {', '.join(FAULTS)}")
    workdir = args.workdir.resolve()
    if args.command == "serve":
        return serve(workdir, args.port, faults)
    if args.command == "up":
        return up(workdir, args.port, faults)
    if args.command == "down":
        return down(workdir)
    return status(workdir)


if __name__ == "__main__":
    sys.exit(main())

"""``make up`` / ``make down``: the local stack an operator starts, used the way the README says.

One stack for the module (about a minute to start on two cores): SeaweedFS, the
wire site and ``airflow standalone`` started by ``python -m devsite.stack up``
in a temporary folder, stopped by ``down`` at the end.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
from pathlib import Path

import pytest

from devsite.seaweed import free_ports
from devsite.stack import read_state

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

REPO = Path(__file__).resolve().parents[2]


def _stack(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "devsite.stack", *args, "--workdir", str(workdir)],
                          cwd=REPO, capture_output=True, text=True, timeout=700)


def _operator_shell(home: str) -> dict[str, str]:
    """A shell with only ``export AIRFLOW_HOME=…`` done: no AIRFLOW__* or WIREDESK_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "WIREDESK_"))}
    env["AIRFLOW_HOME"] = home
    return env


def _airflow(home: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).with_name("airflow")), *args], env=_operator_shell(home),
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("stack")
    port = free_ports(1)[0]
    up = _stack(workdir, "up", "--port", str(port))
    try:
        assert up.returncode == 0, up.stdout[-2000:] + up.stderr[-3000:]
        yield workdir, port, up.stdout
    finally:
        down = _stack(workdir, "down")
        assert down.returncode == 0, down.stderr


def test_up_prints_the_ui_the_login_and_the_airflow_home_export(stack):
    workdir, port, printed = stack
    state = read_state(workdir)
    assert state is not None and state.ready
    assert f"Airflow UI     http://127.0.0.1:{port}/" in printed
    assert f"log in as      admin / {state.password}" in printed
    assert f"export AIRFLOW_HOME={workdir / 'airflow'}" in printed
    assert "s3://wiredesk/news" in printed and "make down" in printed
    # The printed login works; a wrong password does not.
    assert state.user == "admin" and state.token()
    with pytest.raises(urllib.error.HTTPError) as refused:
        state.token(password=state.password + "x")
    assert refused.value.code == 401
    # A second `up` finds the running stack and prints the same, starting nothing.
    again = _stack(workdir, "up", "--port", str(port))
    assert again.returncode == 0 and f"log in as      admin / {state.password}" in again.stdout
    assert read_state(workdir).supervisor_pid == state.supervisor_pid


def test_the_exported_airflow_home_is_enough_for_the_cli(stack):
    workdir, _, _ = stack
    home = str(workdir / "airflow")
    listed = _airflow(home, "dags", "list", "--output", "json")
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert {"news_yonhap", "news_yonhap_ko", "news_apnews", "news_reparse"} <= set(re.findall(r'"dag_id": "(\w+)"',
                                                                                            listed.stdout))
    conn = _airflow(home, "connections", "get", "wiredesk_s3", "--output", "json")
    assert conn.returncode == 0 and read_state(workdir).s3_endpoint in conn.stdout
    pools = _airflow(home, "pools", "list", "--output", "json")
    assert "wiredesk_127_0_0_1" in pools.stdout


def test_unpausing_a_dag_runs_the_sites_days_green_into_the_stacks_bucket(stack):
    workdir, _, _ = stack
    state = read_state(workdir)
    unpaused = _airflow(state.airflow_home, "dags", "unpause", "news_apnews")
    assert unpaused.returncode == 0, unpaused.stderr[-2000:]
    token, deadline, runs = state.token(), time.monotonic() + 480, []
    while time.monotonic() < deadline:
        runs = state.api(token, "dags/news_apnews/dagRuns?limit=50")["dag_runs"]
        if len(runs) == 3 and all(r["state"] in ("success", "failed") for r in runs):
            break
        time.sleep(3)
    assert sorted((r["dag_run_id"], r["state"]) for r in runs) == [
        (f"scheduled__apnews__2025-03-{day}", "success") for day in (10, 11, 12)]

    from storage import open_store
    from storage.read import list_partitions

    store = open_store(state.storage_url, endpoint_url=state.s3_endpoint, region="us-east-1",
                       addressing_style="path", credentials={"aws_access_key_id": state.access_key,
                                                             "aws_secret_access_key": state.secret_key})
    dates = sorted(str(p.date) for p in list_partitions(store, "apnews"))
    assert dates == ["2025-03-10", "2025-03-11", "2025-03-12"]


def test_down_stops_every_process_of_the_stack(tmp_path):
    # A stack of its own, so the module's stack stays up for the other tests.
    workdir = tmp_path / "stack"
    up = _stack(workdir, "up", "--port", str(free_ports(1)[0]))
    assert up.returncode == 0, up.stderr[-3000:]
    state = read_state(workdir)
    pids = [state.supervisor_pid, *state.process_groups]
    assert _stack(workdir, "down").returncode == 0
    assert read_state(workdir) is None
    left = subprocess.run(["pgrep", "-f", str(workdir)], capture_output=True, text=True)
    assert left.stdout.strip() == ""
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_unknown_faults_are_refused_before_anything_starts(tmp_path):
    done = _stack(tmp_path / "stack", "up", "--faults", "no_such_fault")
    assert done.returncode == 2 and "unknown faults no_such_fault" in done.stderr
    assert not (tmp_path / "stack").exists()

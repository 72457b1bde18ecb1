"""``make ui-check``: the operator's view, checked in a real browser.

Starts the local stack (:mod:`devsite.stack`) in a folder of its own, triggers
one day of ``news_yonhap`` the way the README says (``wiredesk trigger``),
unpauses the DAG, waits for the run, then drives headless Chromium through the
UI: log in, the DAG's grid (every task of the run green, the run id naming
source and day), the run's page, and the ``report`` task's XCom (the day's
counts, compared with what the API returns). Screenshots land in
``var/ui-check/screenshots``; the stack is stopped whatever happens.

Chromium is Debian's ``chromium`` (installed here with apt when missing and
running as root); Playwright drives it through ``executable_path``, so no
browser is downloaded.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from devsite.stack import REPO_ROOT, StackState, read_state

CHROMIUM = Path("/usr/bin/chromium")
WORKDIR = REPO_ROOT / "var" / "ui-check"
SOURCE, DAG_ID, DAY = "yonhap_en", "news_yonhap", "2025-03-12"
TASKS = ("crawl", "validate", "publish", "report")
RUN_TIMEOUT = 600.0
#: A badge's colour as rendered pixels (CSS may say rgb(), oklch() ...): [r, g, b].
_RENDERED_RGB = """el => {
  const canvas = document.createElement('canvas'); canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d'); ctx.fillStyle = getComputedStyle(el).backgroundColor;
  ctx.fillRect(0, 0, 1, 1); return Array.from(ctx.getImageData(0, 0, 1, 1).data.slice(0, 3));
}"""


class CheckFailed(Exception):
    """What the operator would see as wrong; printed as the one error line."""


def ensure_chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() != 0:
        raise CheckFailed(f"{CHROMIUM} is missing; install Debian's chromium (sudo apt-get install chromium)")
    print("installing Debian's chromium ...", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    quiet = {"stdout": subprocess.DEVNULL, "env": env}
    if subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], check=False, **quiet).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], check=False, **quiet)
        subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], check=True, **quiet)
    return CHROMIUM


def _stack(command: str, port: int | None = None) -> subprocess.CompletedProcess:
    args = [sys.executable, "-m", "devsite.stack", command, "--workdir", str(WORKDIR)]
    if port:
        args += ["--port", str(port)]
    return subprocess.run(args, cwd=REPO_ROOT, check=False, text=True, capture_output=True)


def _airflow_env(state: StackState) -> dict[str, str]:
    return dict(os.environ, AIRFLOW_HOME=state.airflow_home)


def trigger_day(state: StackState) -> str:
    """``wiredesk trigger`` the day, unpause the DAG; returns the run id."""
    wiredesk = Path(sys.executable).with_name("wiredesk")
    done = subprocess.run([str(wiredesk), "trigger", SOURCE, "--date", DAY, "--airflow-home", state.airflow_home],
                          env=_airflow_env(state), check=False, text=True, capture_output=True)
    print(done.stdout.strip())
    found = re.search(r"run (manual__\S+?),", done.stdout)
    if done.returncode != 0 or not found:
        raise CheckFailed(f"wiredesk trigger failed: {(done.stderr or done.stdout).strip()[-600:]}")
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([str(airflow), "dags", "unpause", DAG_ID], env=_airflow_env(state), check=True,
                   capture_output=True)
    return found.group(1)


def wait_for_run(state: StackState, run_id: str) -> dict:
    deadline = time.monotonic() + RUN_TIMEOUT
    token, last = state.token(), None
    while time.monotonic() < deadline:
        run = state.api(token, f"dags/{DAG_ID}/dagRuns/{run_id}")
        if run["state"] != last:
            print(f"run {run_id}: {run['state']}", flush=True)
            last = run["state"]
        if run["state"] == "success":
            _wait_for_schedule(state, token, deadline)
            return state.api(token, f"dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/report/xcomEntries/return_value")
        if run["state"] == "failed":
            raise CheckFailed(f"run {run_id} failed; see {WORKDIR / 'airflow' / 'logs'}")
        time.sleep(3)
    raise CheckFailed(f"run {run_id} not finished after {RUN_TIMEOUT:.0f} s")


def _wait_for_schedule(state: StackState, token: str, deadline: float) -> None:
    """Unpausing scheduled the site's other days (catchup): they must end green too."""
    while time.monotonic() < deadline:
        runs = state.api(token, f"dags/{DAG_ID}/dagRuns?limit=50")["dag_runs"]
        scheduled = [r for r in runs if r["run_type"] == "scheduled"]
        failed = [r["dag_run_id"] for r in runs if r["state"] == "failed"]
        if failed:
            raise CheckFailed(f"runs failed after unpausing: {', '.join(failed)}")
        if scheduled and all(r["state"] == "success" for r in runs):
            print(f"scheduled runs green: {', '.join(sorted(r['dag_run_id'] for r in scheduled))}", flush=True)
            return
        time.sleep(3)
    raise CheckFailed("the scheduled runs of the unpaused DAG did not finish in time")


def drive_browser(state: StackState, run_id: str, counts: dict, shots: Path) -> list[Path]:
    """Log in and look at the grid, the run and its counts as an operator would."""
    from playwright.sync_api import sync_playwright

    shots.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with sync_playwright() as playwright:
        # --no-sandbox: Chromium's sandbox refuses to start as root (CI machines run as root).
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(state.ui_url)
            page.locator("input[name=username]").fill(state.user)
            page.locator("input[name=password]").fill(state.password)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(re.compile(r"^(?!.*/auth/login).*$"), timeout=60_000)

            page.goto(f"{state.ui_url}dags/{DAG_ID}")
            for task_id in TASKS:
                cell = page.get_by_test_id(f"grid-{run_id}-{task_id}")
                cell.wait_for(timeout=60_000)
                red, green, blue = cell.get_by_test_id("task-state-badge").evaluate(_RENDERED_RGB)
                if not (green > 90 and green > 1.5 * max(red, blue)):
                    raise CheckFailed(f"grid: {task_id} of {run_id} is rgb({red}, {green}, {blue}), not green")
            page.get_by_test_id(f"grid-{run_id}-report").hover()
            page.wait_for_timeout(1000)
            saved.append(_shot(page, shots / "grid.png"))

            page.goto(f"{state.ui_url}dags/{DAG_ID}/runs/{run_id}")
            page.get_by_text(run_id).first.wait_for(timeout=60_000)
            if DAY not in page.inner_text("body"):
                raise CheckFailed(f"the run's page does not show the day {DAY}")
            saved.append(_shot(page, shots / "run.png"))

            page.goto(f"{state.ui_url}dags/{DAG_ID}/runs/{run_id}/tasks/report/xcom")
            page.get_by_text("return_value").first.wait_for(timeout=60_000)
            expand = page.get_by_role("button", name=re.compile("expand", re.IGNORECASE))
            if expand.count():
                expand.first.click()
            page.wait_for_timeout(1500)
            text = page.inner_text("body")
            value = counts.get("value", counts)
            value = json.loads(value) if isinstance(value, str) else value
            published = (value.get("counts") or {}).get("published")
            if value.get("date") != DAY or DAY not in text:
                raise CheckFailed(f"the report's XCom page does not show the day {DAY}")
            if published is None or not re.search(rf"published\W+{published}\b", text):
                raise CheckFailed(f"the report's XCom page does not show published = {published}")
            saved.append(_shot(page, shots / "counts.png"))
        finally:
            browser.close()
    return saved


def _shot(page, path: Path) -> Path:
    page.screenshot(path=str(path), full_page=False)
    return path


def main() -> int:
    started = time.monotonic()
    try:
        ensure_chromium()
        shutil.rmtree(WORKDIR, ignore_errors=True)
        from devsite.seaweed import free_ports

        up = _stack("up", port=free_ports(1)[0])
        print(up.stdout.strip())
        state = read_state(WORKDIR)
        if up.returncode != 0 or state is None:
            raise CheckFailed(f"the stack did not start: {up.stderr.strip()[-600:]}")
        try:
            run_id = trigger_day(state)
            counts = wait_for_run(state, run_id)
            saved = drive_browser(state, run_id, counts, WORKDIR / "screenshots")
        finally:
            _stack("down")
    except CheckFailed as exc:
        print(f"error: ui-check: {exc}", file=sys.stderr)
        return 1
    print(f"ui-check passed in {time.monotonic() - started:.0f} s: run {run_id} green in the grid, "
          "its day and counts on its pages")
    for path in saved:
        print(f"  screenshot {path.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A stopped or timed-out crawl leaves nothing behind: no process of its group, no temporary folder.

Airflow stops a task by sending SIGTERM to the task process; the crawl child
runs in its own session, so without the runner's handler it would keep
crawling, re-parented to PID 1.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawlers import runner
from devsite import WireSite
from devsite.localsite import local_sources_file

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]

#: Slow enough that the crawl is still running when the signal comes (one page every 2 s).
SLOW = {"DOWNLOAD_DELAY": 2, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "DOWNLOAD_TIMEOUT": 60}

_CRAWL = r"""
import json, sys
from datetime import date
from wiredesk.run import crawl_step
crawl_step("yonhap_en", date(2025, 3, 12), storage_url=sys.argv[1], sources_file=sys.argv[2], timeout=300)
"""


def group_members(pgid: int) -> list[int]:
    """Pids of live processes (not zombies) whose process group is ``pgid``, read from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid and fields[0] != "Z":  # state, ppid, pgrp, ...
            members.append(int(entry.name))
    return members


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def assert_group_gone(pgid: int) -> None:
    with pytest.raises(ProcessLookupError):
        os.killpg(pgid, 0)  # not even a zombie: the task process reaped its crawl
    assert group_members(pgid) == []


def test_sigterm_to_the_task_process_ends_the_crawl_group_and_removes_its_temp_folder(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    with WireSite() as site:
        sources = local_sources_file(site.base_urls, tmp_path / "sources.yaml")
        # The slow politeness comes from the sources file, as an operator would write it.
        overrides = {"yonhap_en": {"base_url": site.base_urls["yonhap_en"],
                                   "politeness": {"download_delay": SLOW["DOWNLOAD_DELAY"],
                                                  "concurrency_per_domain": 1, "autothrottle": False}}}
        sources.write_text(json.dumps({"sources": overrides}))
        env = dict(os.environ, TMPDIR=str(tmp), PYTHONPATH=str(REPO))
        task = subprocess.Popen([sys.executable, "-c", _CRAWL, (tmp_path / "store").as_uri(), str(sources)],
                                cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            crawl_pid = _wait_for_crawl(task, site)
            assert list(tmp.glob("wiredesk-crawl-*")), "the crawl's temp folder exists while it runs"
            task.send_signal(signal.SIGTERM)
            _out, err = task.communicate(timeout=30)
        finally:
            if task.poll() is None:
                task.kill()
                task.wait()
    assert task.returncode != 0
    assert "stopped by SIGTERM" in err.decode()
    assert_group_gone(crawl_pid)  # the crawl leads its own group: pgid == its pid
    assert not list(tmp.glob("wiredesk-crawl-*"))
    assert not (tmp_path / "store").joinpath("articles").exists()


def _wait_for_crawl(task: subprocess.Popen, site: WireSite, limit: float = 60) -> int:
    """The crawl child's pid, once it has fetched something from the site."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        assert task.poll() is None, task.communicate()[1].decode()[-3000:]
        children = children_of(task.pid)
        if children and any(path.startswith("/view/") for _, path, _ in site.requests):
            return children[0]
        time.sleep(0.1)
    raise AssertionError("the crawl did not start fetching articles in time")


def test_a_timed_out_crawl_ends_everything_its_process_started(tmp_path):
    # The child starts a grandchild in its group, then both sleep past the timeout.
    pidfile = tmp_path / "pid"
    script = (f"import os, time\nopen({str(pidfile)!r}, 'w').write(str(os.getpid()))\n"
              "os.fork()\ntime.sleep(60)\n")
    started = time.monotonic()
    with pytest.raises(runner.CrawlError, match="timed out after") as failure:
        runner.run_process([sys.executable, "-c", script], source="slowpoke", timeout=1, cwd=tmp_path)
    assert time.monotonic() - started < 15
    assert failure.value.returncode is None
    pgid = int(pidfile.read_text())
    assert group_members(pgid) == []  # neither the child nor the process it forked is left


def test_sigterm_handler_is_installed_only_while_the_crawl_runs(tmp_path):
    before = signal.getsignal(signal.SIGTERM)
    seen = []
    script = "import time; time.sleep(0.2)"

    def spy(*args, **kwargs):
        seen.append(signal.getsignal(signal.SIGTERM))
        return real_wait(*args, **kwargs)

    real_wait = subprocess.Popen.wait
    subprocess.Popen.wait = spy
    try:
        runner.run_process([sys.executable, "-c", script], source="quick", cwd=tmp_path)
    finally:
        subprocess.Popen.wait = real_wait
    assert seen and seen[0] is not before  # the runner's handler while the child ran
    assert signal.getsignal(signal.SIGTERM) is before  # and the previous one after

"""``devsite.processes``: the wait and stop every local server shares."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from devsite.processes import stop_group, wait_until


def _sleeper(seconds: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", f"import time; time.sleep({seconds})"],
                            start_new_session=True)


def test_wait_until_returns_once_the_probe_succeeds(tmp_path):
    process = _sleeper(30)
    flag = tmp_path / "ready"
    calls = []

    def probe() -> None:
        calls.append(1)
        if len(calls) == 3:
            flag.write_text("up")
        if not flag.exists():
            raise ConnectionRefusedError("not yet")

    try:
        wait_until(probe, process, what="sleeper", timeout=10, interval=0.01)
    finally:
        stop_group(process)
    assert len(calls) == 3
    assert process.poll() is not None


def test_a_server_that_dies_while_starting_fails_at_once_with_its_log():
    process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"], start_new_session=True)
    process.wait(timeout=10)
    started = time.monotonic()
    with pytest.raises(RuntimeError, match=r"sleeper exited early; see /var/log/x"):
        wait_until(lambda: None, process, what="sleeper", timeout=30, exited=lambda: "; see /var/log/x")
    assert time.monotonic() - started < 5


def test_a_probe_that_never_succeeds_times_out_naming_the_last_error():
    process = _sleeper(30)

    def probe() -> None:
        raise ConnectionRefusedError("port closed")

    try:
        with pytest.raises(TimeoutError, match="sleeper not ready after 0.3s: ConnectionRefusedError"):
            wait_until(probe, process, what="sleeper", timeout=0.3, interval=0.05)
    finally:
        stop_group(process)

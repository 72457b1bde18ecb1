"""Waiting for and stopping the local servers (SeaweedFS, PostgreSQL, Redis), each in a process group of its own.

Each server is started with ``start_new_session=True`` so that it and every
process it forks share one group; stopping sends the server's own shutdown
signal, waits, and kills the whole group if it lingers, so nothing outlives
the test or the stack that started it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable


def stop_group(process: subprocess.Popen | None, first: int = signal.SIGTERM, timeout: float = 10.0,
               *, leader_only: bool = False) -> None:
    """Send ``first`` (to the leader alone, or the group), wait ``timeout`` s, then SIGKILL the group.

    ``leader_only`` is for servers whose children must hear from their parent
    rather than the signal (PostgreSQL's postmaster shuts its backends down in
    order); whatever is left of the group is killed afterwards either way.
    Safe to call with a process that has already exited, or with None.
    """
    if process is None:
        return
    if process.poll() is None:
        try:
            if leader_only:
                os.kill(process.pid, first)
            else:
                os.killpg(process.pid, first)
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        except ProcessLookupError:
            return
    try:  # children left behind by a leader that exited or was killed share its group
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if process.poll() is None:
        process.wait(timeout=10)


def wait_until(
    ready: Callable[[], object],
    process: subprocess.Popen | None,
    *,
    what: str,
    timeout: float,
    exited: Callable[[], str] = lambda: "",
    interval: float = 0.2,
) -> None:
    """Poll ``ready()`` until it returns without raising; fail fast if the server died.

    Every local server is "up" only when a real request works (a ping, a
    connection, an object round trip), not when its port opens; a server
    that exits while starting raises ``RuntimeError`` at once with
    ``exited()`` (where its log is) instead of waiting out ``timeout``.
    """
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if process is None or process.poll() is not None:
            raise RuntimeError(f"{what} exited early{exited()}")
        try:
            ready()
            return
        except Exception as exc:  # noqa: BLE001 - not ready yet: keep polling until the deadline
            last = exc
        time.sleep(interval)
    raise TimeoutError(f"{what} not ready after {timeout}s: {last!r}{exited()}")

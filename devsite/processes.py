"""Stopping the local servers (SeaweedFS, PostgreSQL, Redis) that run in process groups of their own.

Each server is started with ``start_new_session=True`` so that it and every
process it forks share one group; stopping sends the server's own shutdown
signal, waits, and kills the whole group if it lingers, so nothing outlives
the test or the stack that started it.
"""

from __future__ import annotations

import os
import signal
import subprocess


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

"""``[core] hostname_callable`` for several Celery workers on one machine.

Airflow records on each task instance the hostname of the worker that ran it.
Workers on separate hosts differ by their host names; the test cluster's
workers share one machine, so each one adds its name from
``$WIREDESK_WORKER_NAME``. Kept free of imports beyond the standard library:
every task process of a worker imports it.
"""

from __future__ import annotations

import os
import socket

#: The environment variable naming a worker.
WORKER_NAME_VAR = "WIREDESK_WORKER_NAME"


def worker_hostname() -> str:
    """``<worker name>@<host>``, or the host alone outside a named worker."""
    name = os.environ.get(WORKER_NAME_VAR)
    host = socket.getfqdn()
    return f"{name}@{host}" if name else host

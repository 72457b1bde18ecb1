"""Parse one DAG file in a fresh interpreter, as the DAG processor would, and report on it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def probe_dag_file(script: str, dag_file: str, home: Path) -> dict[str, Any]:
    """Run ``script`` (which prints one JSON line) on ``dags/<dag_file>`` with an empty
    Airflow home and no source registry override; returns that JSON."""
    env = dict(os.environ, AIRFLOW_HOME=str(home), AIRFLOW__CORE__LOAD_EXAMPLES="False")
    env.pop("WIREDESK_SOURCES", None)
    out = subprocess.run([sys.executable, "-c", script, str(REPO / "dags" / dag_file)],
                         env=env, cwd=REPO, capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])

"""The ``wiredesk_maintenance`` DAG: parses fast and light; a real Airflow run vacuums the table.

``airflow dags test`` runs the DAG in one process (SQLite metadata) against a
file:// store holding a day that was re-published with changes. The store is
aged first: the table log's removal times are moved two hours back, as if the
re-publish had happened then, so that a one-hour retention lets the replaced
file go (and a file a killed publish left, aged alike) while the files the table
uses stay.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from tests.dags.probe import probe_dag_file

_PROBE = r"""
import json, sys
import airflow.sdk
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
dag = bag.dags["wiredesk_maintenance"]
heavy = sorted(m for m in ("scrapy", "trafilatura", "boto3", "lxml", "storage", "parsers", "deltalake",
                          "pyarrow") if m in sys.modules)
print(json.dumps({
    "errors": {k: str(v) for k, v in bag.import_errors.items()},
    "seconds": [s.duration.total_seconds() for s in bag.dagbag_stats],
    "heavy": heavy,
    "tasks": sorted(t.task_id for t in dag.tasks),
    "timetable": type(dag.timetable).__name__,
    "schedule": dag.timetable.expression,
    "params": {k: dag.params[k] for k in sorted(dag.params)},
    "catchup": dag.catchup,
}))
"""


def test_the_maintenance_dag_file_parses_in_under_a_second_without_the_storage_stack(tmp_path):
    found = probe_dag_file(_PROBE, "wiredesk_maintenance.py", tmp_path)
    assert found["errors"] == {}
    assert len(found["seconds"]) == 1 and found["seconds"][0] < 1.0
    assert found["heavy"] == []
    assert found["tasks"] == ["vacuum"]
    assert found["timetable"] == "CronTriggerTimetable" and found["catchup"] is False
    assert found["schedule"] == "0 0 * * 0"  # @weekly
    assert found["params"] == {"dry_run": False, "retain_hours": 168}


def _age_removals(table_dir: Path, hours: float) -> int:
    """Move every removal time in the table's log ``hours`` back; returns how many."""
    stamp = int((time.time() - hours * 3600) * 1000)
    moved = 0
    for entry in sorted((table_dir / "_delta_log").glob("*.json")):
        text, count = re.subn(r'"deletionTimestamp":\d+', f'"deletionTimestamp":{stamp}',
                              entry.read_text())
        entry.write_text(text)
        moved += count
    return moved


@pytest.mark.integration
def test_airflow_vacuums_the_files_a_republished_day_replaced(tmp_path):
    import pyarrow as pa
    from deltalake import DeltaTable

    import storage
    from storage.table import TABLE_PREFIX
    from tests.storage.factories import make_record, write_run_dir
    from wiredesk.local_airflow import LocalAirflow, airflow_bin

    store_url = (tmp_path / "store").as_uri()
    store = storage.open_store(store_url)
    for run_id, title in (("r1", "Story"), ("r2", "Changed story")):
        records = [make_record(i, title=f"{title} {i}") for i in range(3)]
        local = write_run_dir(tmp_path / run_id, records, run_id=run_id)
        storage.upload_staging(store, "testwire", "2026-11-20", run_id, local)
        storage.publish_run(store, "testwire", "2026-11-20", run_id)
    table_dir = tmp_path / "store" / TABLE_PREFIX
    used = set(pa.table(DeltaTable(str(table_dir)).get_add_actions()).column("path").to_pylist())
    data = {str(p.relative_to(table_dir)) for p in table_dir.glob("source=*/**/*.parquet")}
    replaced = data - used
    assert replaced
    assert _age_removals(table_dir, hours=2) > 0
    # a publish killed while writing the table two hours ago left a file no version lists
    orphan = table_dir / "source=testwire" / "date=2026-11-20" / "part-00000-killed-c000.snappy.parquet"
    orphan.write_bytes(b"PAR1 cut short")
    two_hours_ago = time.time() - 7200
    os.utime(orphan, (two_hours_ago, two_hours_ago))
    replaced.add(str(orphan.relative_to(table_dir)))

    airflow = LocalAirflow(home=tmp_path / "airflow", env_overrides={"WIREDESK_STORAGE_URL": store_url})
    airflow.ensure_db()

    def run(conf: dict) -> str:
        result = subprocess.run(
            [airflow_bin(), "dags", "test", "wiredesk_maintenance", "--conf", json.dumps(conf)],
            env=airflow.env(), capture_output=True, text=True, timeout=600)
        log = result.stdout + result.stderr
        assert result.returncode == 0, log[-6000:]
        return log

    assert "vacuum: would delete" in run({"retain_hours": 1, "dry_run": True})
    assert all((table_dir / path).exists() for path in replaced)
    log = run({"retain_hours": 1})
    deleted = int(re.search(r"vacuum: deleted (\d+) file\(s\)", log).group(1))
    assert deleted >= len(replaced)
    assert not any((table_dir / path).exists() for path in replaced)
    assert all((table_dir / path).exists() for path in used)
    rows = DeltaTable(str(table_dir)).to_pyarrow_table(columns=["title"]).column("title").to_pylist()
    assert sorted(rows) == [f"Changed story {i}" for i in range(3)]

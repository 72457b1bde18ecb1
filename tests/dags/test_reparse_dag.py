"""The ``news_reparse`` DAG: parses fast and light; a real Airflow run re-parses a day range.

``airflow dags test`` runs the DAG in one process (SQLite metadata): ``days``
expands the range, one mapped ``reparse`` task per day rebuilds that day from
its WARC pages into a file:// store, and the wire site that served the
crawl sees no request meanwhile.
"""

from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path

import pytest

from tests.dags.probe import probe_dag_file

SOURCE = "yonhap_en"
DAYS = ("2025-03-11", "2025-03-12")

_PROBE = r"""
import json, sys
import airflow.sdk  # Airflow's own import is not the DAG file's parse time
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
dag = bag.dags["news_reparse"]
heavy = sorted(m for m in ("scrapy", "twisted.internet.reactor", "trafilatura", "boto3", "lxml", "storage",
                          "parsers", "crawlers.runner", "crawlers.spiders", "wiredesk.reparse") if m in sys.modules)
print(json.dumps({
    "errors": {k: str(v) for k, v in bag.import_errors.items()},
    "seconds": [s.duration.total_seconds() for s in bag.dagbag_stats],
    "heavy": heavy,
    "tasks": sorted(t.task_id for t in dag.tasks),
    "edges": sorted([t.task_id, d] for t in dag.tasks for d in t.downstream_task_ids),
    "timetable": type(dag.timetable).__name__,
    "params": sorted(dag.params),
    "doc": dag.doc_md or "",
}))
"""


def test_the_reparse_dag_file_parses_in_under_a_second_without_the_crawl_stack(tmp_path):
    found = probe_dag_file(_PROBE, "news_reparse.py", tmp_path)
    assert found["errors"] == {}
    assert len(found["seconds"]) == 1 and found["seconds"][0] < 1.0
    assert found["heavy"] == []
    assert found["tasks"] == ["days", "reparse", "report"]
    assert found["edges"] == [["days", "reparse"], ["reparse", "report"]]
    assert found["timetable"] == "NullTimetable"  # manual only
    assert found["params"] == ["from", "source", "to"]
    assert "Nothing is fetched" in found["doc"] and "wiredesk reparse" in found["doc"]


@pytest.mark.integration
def test_airflow_reparses_a_two_day_range_in_mapped_tasks_without_a_request(tmp_path, wiresite):
    from devsite.localsite import local_sources_file
    from storage import open_store, read_articles
    from storage.counts import Counts
    from storage.read import read_manifest
    from wiredesk.local_airflow import LocalAirflow
    from wiredesk.run import run_source

    store_url = (tmp_path / "store").as_uri()
    sources = local_sources_file(wiresite.base_urls, tmp_path / "sources.yaml")
    crawled = {}
    for day in DAYS:
        crawled[day] = run_source(SOURCE, date.fromisoformat(day), storage_url=store_url,
                                  sources_file=str(sources))
    requests = len(wiresite.requests)
    before = {day: sorted(r["id"] for r in read_articles(store_url, source=SOURCE, start=day, end=day))
              for day in DAYS}

    airflow = LocalAirflow(home=tmp_path / "airflow", env_overrides={
        "WIREDESK_STORAGE_URL": store_url, "WIREDESK_SOURCES": str(sources)})
    airflow.ensure_db()
    conf = {"source": SOURCE, "from": DAYS[0], "to": DAYS[1]}
    result = subprocess.run(
        [*airflow_cmd(), "dags", "test", "news_reparse", "--conf", json.dumps(conf)],
        env=airflow.env(), capture_output=True, text=True, timeout=600)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-6000:]

    assert len(wiresite.requests) == requests  # the re-parse fetched nothing
    store = open_store(store_url)
    for day in DAYS:
        manifest = read_manifest(store, SOURCE, day)
        assert manifest["run_id"].startswith("reparse-"), day
        assert manifest["raw"] == crawled[day]["raw"]
        Counts.from_dict(manifest["counts"]).check()
        assert manifest["counts"] == crawled[day]["counts"]  # same parsers: same outcomes
        assert f"reparse {SOURCE} {day}: run {manifest['run_id']}: discovered=" in log
        after = sorted(r["id"] for r in read_articles(store_url, source=SOURCE, start=day, end=day))
        assert after == before[day]
    # One mapped task instance per day, named by its day in the grid.
    assert _mapped_instances(airflow.home) == [(0, DAYS[0]), (1, DAYS[1])]


def airflow_cmd() -> list[str]:
    from wiredesk.local_airflow import airflow_bin

    return [airflow_bin()]


def _mapped_instances(home: Path) -> list[tuple[int, str]]:
    import sqlite3

    with sqlite3.connect(home / "airflow.db") as db:
        rows = db.execute("SELECT map_index, rendered_map_index, state FROM task_instance "
                          "WHERE dag_id = 'news_reparse' AND task_id = 'reparse' "
                          "ORDER BY map_index").fetchall()
    assert {state for *_, state in rows} == {"success"}, rows
    return [(index, name) for index, name, _state in rows]

"""The DAG files parse fast, stay light, and wire one crawl→validate→publish→report DAG per source."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

_PROBE = r"""
import json, sys, time
import airflow.sdk  # Airflow's own import is not the DAG files' parse time
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
parse_seconds = {stat.file: stat.duration.total_seconds() for stat in bag.dagbag_stats}
heavy = sorted(m for m in ("scrapy", "twisted.internet.reactor", "trafilatura", "boto3", "lxml", "storage", "parsers",
                          "crawlers.runner", "crawlers.spiders") if m in sys.modules)
from crawlers.sources import load_sources
from wiredesk.settings import dag_id_for
registry = sorted(dag_id_for(source_id) for source_id in load_sources())
import pendulum
from airflow.serialization.serialized_objects import DagSerialization
from airflow.serialization.decoders import decode_timetable
from airflow.serialization.encoders import encode_timetable

def covered(dag, run_after):
    # What the scheduler's own timetable says a run triggered at run_after covers.
    interval = decode_timetable(encode_timetable(dag.timetable)).infer_manual_data_interval(
        run_after=pendulum.parse(run_after))
    zone = str(dag.timetable.timezone)
    return [interval.start.in_timezone(zone).isoformat(), interval.end.in_timezone(zone).isoformat()]

def run_ids(dag):
    # The ids the scheduler, a backfill and the trigger form get from the serialized timetable.
    from airflow.utils.types import DagRunType
    timetable = decode_timetable(encode_timetable(dag.timetable))
    zone = str(dag.timetable.timezone)
    day = pendulum.datetime(2025, 3, 12, tz=zone)
    interval = timetable.infer_manual_data_interval(run_after=day.add(days=1))
    ids = {kind.value: timetable.generate_run_id(run_type=kind, run_after=interval.end, data_interval=interval)
           for kind in (DagRunType.SCHEDULED, DagRunType.BACKFILL_JOB)}
    ids["manual_midnight"] = timetable.generate_run_id(
        run_type=DagRunType.MANUAL, run_after=day, data_interval=timetable.infer_manual_data_interval(run_after=day))
    later = pendulum.datetime(2025, 3, 13, 9, 30, tz=zone)
    ids["manual_now"] = timetable.generate_run_id(
        run_type=DagRunType.MANUAL, run_after=later,
        data_interval=timetable.infer_manual_data_interval(run_after=later))
    return ids

dags = {
    dag_id: {
        "tasks": sorted(t.task_id for t in dag.tasks),
        "edges": sorted([t.task_id, d] for t in dag.tasks for d in t.downstream_task_ids),
        "timetable": [type(dag.timetable).__name__, dag.timetable.expression, str(dag.timetable.timezone)],
        "run_ids": run_ids(dag),
        "covers": covered(dag, "2025-03-13T09:30:00+09:00"),
        "outlets": sorted(str(o.uri) for t in dag.tasks for o in getattr(t, "outlets", [])),
        "doc": dag.doc_md or "",
        "task_docs": {t.task_id: t.doc_md or "" for t in dag.tasks},
        "display_name": dag.dag_display_name,
        "params": {k: dag.params.get_param(k).resolve() for k in dag.params},
        "modes": list(dag.params.get_param("mode").schema.get("enum", [])),
        "retries": sorted({t.retries for t in dag.tasks}),
        "retry_delay": sorted({t.retry_delay.total_seconds() for t in dag.tasks}),
        "pools": {t.task_id: t.pool for t in dag.tasks},
        "timeouts": {t.task_id: t.execution_timeout.total_seconds() if t.execution_timeout else None
                     for t in dag.tasks},
        "start_date": dag.start_date.isoformat(),
        "dag_timezone": str(dag.timezone),
        "deadline": [{"reference": type(d.reference).__name__, "seconds": d.interval.total_seconds(),
                      "callback": [type(d.callback).__name__, d.callback.path, d.callback.kwargs], "name": d.name}
                     for d in (dag.deadline or [])],
        "failure_callbacks": sorted({type(cb).__name__ for t in dag.tasks
                                     for cb in (t.on_failure_callback if isinstance(t.on_failure_callback, list)
                                                else [t.on_failure_callback]) if cb}),
        "serialized_deadline": bool(DagSerialization.serialize_dag(dag).get("deadline")),
    }
    for dag_id, dag in bag.dags.items() if dag_id in registry  # other DAG files (re-parse) have their own tests
}
print(json.dumps({"errors": {k: str(v) for k, v in bag.import_errors.items()}, "dags": dags, "heavy": heavy,
                  "registry": registry, "parse_seconds": parse_seconds}))
"""


def _probe(tmp_path_factory, **overrides: str) -> dict:
    home = tmp_path_factory.mktemp("airflow-home")
    env = dict(os.environ, AIRFLOW_HOME=str(home), AIRFLOW__CORE__LOAD_EXAMPLES="False",
               WIREDESK_STORAGE_URL="s3://downstream-bucket/news")
    for name in list(env):
        if name.startswith("WIREDESK_") and name != "WIREDESK_STORAGE_URL":
            env.pop(name)
    env.update(overrides)
    out = subprocess.run([sys.executable, "-c", _PROBE, str(REPO / "dags")], env=env, cwd=REPO,
                         capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory) -> dict:
    return _probe(tmp_path_factory)


@pytest.fixture(scope="module")
def configured(tmp_path_factory) -> dict:
    """The DAGs as parsed with every scheduling setting given in the environment."""
    return _probe(tmp_path_factory, WIREDESK_START_DATE="2025-03-01", WIREDESK_TASK_RETRIES="4",
                  WIREDESK_RETRY_DELAY_SECONDS="90", WIREDESK_CRAWL_TIMEOUT_SECONDS="600",
                  WIREDESK_GATE_MIN_ARTICLES="12", WIREDESK_PUBLISH_DEADLINE_HOURS="2")


def test_dag_files_import_without_errors(dagbag):
    assert dagbag["errors"] == {}


def test_every_dag_file_parses_in_under_a_second(dagbag):
    files = sorted(path.name for path in (REPO / "dags").glob("*.py"))
    assert sorted(dagbag["parse_seconds"]) == files
    assert {name: seconds for name, seconds in dagbag["parse_seconds"].items() if seconds >= 1.0} == {}


def test_one_dag_per_registered_source_with_four_stages_in_a_row(dagbag):
    assert {"news_yonhap", "news_yonhap_ko", "news_apnews"} <= set(dagbag["dags"])
    assert sorted(dagbag["dags"]) == dagbag["registry"]
    for dag in dagbag["dags"].values():
        assert dag["tasks"] == ["crawl", "publish", "report", "validate"]
        assert dag["edges"] == [["crawl", "validate"], ["publish", "report"], ["validate", "publish"]]
        assert dag["timetable"][:2] == ["SourceDayTimetable", "0 0 * * *"]


def test_a_run_covers_the_whole_previous_day_in_the_source_time_zone(dagbag):
    # Triggered at 09:30 Seoul time on the 13th: the run is for the 12th, Seoul midnight to midnight.
    yonhap = dagbag["dags"]["news_yonhap"]
    assert yonhap["timetable"][2] == "Asia/Seoul"
    assert yonhap["covers"] == ["2025-03-12T00:00:00+09:00", "2025-03-13T00:00:00+09:00"]


def test_every_way_of_starting_a_run_names_source_and_day_in_its_id(dagbag):
    # The scheduler, `airflow backfill create`, the trigger form and `airflow dags trigger` all take the
    # run id from the DAG's (deserialized) timetable; a midnight logical date names that day, a trigger
    # without one names the day before it, as the tasks resolve it.
    for dag_id, source in (("news_yonhap", "yonhap_en"), ("news_apnews", "apnews")):
        ids = dagbag["dags"][dag_id]["run_ids"]
        assert ids["scheduled"] == f"scheduled__{source}__2025-03-12"
        assert re.fullmatch(rf"backfill__{source}__2025-03-12__\d{{8}}T\d{{6}}Z", ids["backfill"])
        assert re.fullmatch(rf"manual__{source}__2025-03-12__\d{{8}}T\d{{6}}Z", ids["manual_midnight"])
        assert re.fullmatch(rf"manual__{source}__2025-03-12__\d{{8}}T\d{{6}}Z", ids["manual_now"])


def test_the_ui_tells_the_operator_how_to_read_rerun_and_backfill_a_day(dagbag):
    yonhap = dagbag["dags"]["news_yonhap"]
    assert yonhap["display_name"] == "news_yonhap · Yonhap News Agency (English)"
    doc = yonhap["doc"]
    assert "Asia/Seoul" in doc and "`yonhap_en`" in doc
    assert "replaces" in doc and "airflow backfill create --dag-id news_yonhap" in doc
    assert "discovered = filtered + duplicate + fetch_failed + quarantined + published" in doc
    assert "quarantine/source=yonhap_en/date=D/" in doc and "raw/source=yonhap_en/date=D/" in doc
    assert "s3://downstream-bucket/news" in doc
    assert "discovered 0 URLs" in yonhap["task_docs"]["crawl"]
    assert "re-publishes" in yonhap["task_docs"]["publish"]
    assert "at least 1 parsed records" in doc and "wiredesk_en_yna_co_kr" in doc
    for gate in ("min_articles", "max_quarantined_share", "boilerplate", "drift"):
        assert gate in yonhap["task_docs"]["validate"]
    assert "fetch_failed" in yonhap["task_docs"]["report"]


def test_report_emits_the_source_asset_under_the_storage_url(dagbag):
    yonhap = dagbag["dags"]["news_yonhap"]
    assert yonhap["outlets"] == ["s3://downstream-bucket/news/articles/v1/source=yonhap_en"]


def test_parsing_dag_files_does_not_import_the_crawl_stack(dagbag):
    # The scheduler parses DAG files often; the crawl, parse and storage stacks load inside tasks only.
    assert dagbag["heavy"] == []


def test_scheduled_tasks_retry_by_default(dagbag):
    # Only local runs (demo, tests) turn retries off, through WIREDESK_TASK_RETRIES.
    assert {dag_id: dag["retries"] for dag_id, dag in dagbag["dags"].items()} == {
        dag_id: [2] for dag_id in dagbag["registry"]
    }


def test_trigger_form_offers_date_and_every_crawl_mode(dagbag):
    from crawlers.spiders.wire import MODES

    yonhap = dagbag["dags"]["news_yonhap"]
    assert yonhap["params"] == {"date": None, "mode": "incremental"}
    assert yonhap["modes"] == list(MODES)


def test_each_crawl_runs_in_its_site_pool_with_a_bounded_time(dagbag):
    pools = {dag_id: dag["pools"]["crawl"] for dag_id, dag in dagbag["dags"].items()}
    assert pools == {"news_yonhap": "wiredesk_en_yna_co_kr", "news_yonhap_ko": "wiredesk_www_yna_co_kr",
                     "news_apnews": "wiredesk_apnews_com"}
    yonhap = dagbag["dags"]["news_yonhap"]
    assert {task: pool for task, pool in yonhap["pools"].items() if task != "crawl"} == dict.fromkeys(
        ("publish", "report", "validate"), "default_pool")
    assert yonhap["timeouts"]["crawl"] == 7200 + 900  # the crawl's own timeout plus time to stage


def test_scheduling_settings_come_from_the_environment(dagbag, configured):
    default, changed = dagbag["dags"]["news_yonhap"], configured["dags"]["news_yonhap"]
    from datetime import datetime

    def start(dag):  # midnight in the source's zone, as Airflow keeps it (UTC)
        return datetime.fromisoformat(dag["start_date"])

    assert start(default) == datetime.fromisoformat("2025-01-01T00:00:00+09:00")
    assert start(changed) == datetime.fromisoformat("2025-03-01T00:00:00+09:00")
    assert (default["retry_delay"], changed["retry_delay"]) == ([300.0], [90.0])
    assert changed["retries"] == [4]
    assert changed["timeouts"]["crawl"] == 600 + 900
    assert "at least 12 parsed records" in changed["doc"]


def test_dag_details_show_the_source_time_zone(dagbag):
    zones = {dag_id: dag["dag_timezone"] for dag_id, dag in dagbag["dags"].items()}
    assert zones["news_yonhap"] == "Asia/Seoul" and zones["news_apnews"] == "America/New_York"


def test_every_task_alerts_through_the_notifier_on_failure(dagbag):
    for dag in dagbag["dags"].values():
        assert dag["failure_callbacks"] == ["WiredeskNotifier"]
    assert "wiredesk alert:" in dagbag["dags"]["news_yonhap"]["doc"]


def test_a_deadline_alert_fires_when_a_day_is_not_published_in_time(dagbag, configured):
    (alert,) = dagbag["dags"]["news_yonhap"]["deadline"]
    assert alert["reference"] == "DagRunQueuedAtDeadline"  # a scheduled run is queued when D ends
    assert alert["seconds"] == 6 * 3600
    assert alert["callback"] == ["AsyncCallback", "wiredesk.airflow_support.WiredeskNotifier",
                                 {"kind": "deadline", "source": "yonhap_en", "timezone": "Asia/Seoul", "hours": 6.0}]
    assert dagbag["dags"]["news_yonhap"]["serialized_deadline"]  # the scheduler gets it
    assert configured["dags"]["news_yonhap"]["deadline"][0]["seconds"] == 2 * 3600
    assert configured["dags"]["news_yonhap"]["failure_callbacks"] == ["WiredeskNotifier"]


def test_a_task_process_builds_only_its_own_dag():
    # Airflow's task runner names the task's DAG in the parsing context; the file builds that one alone.
    probe = (
        "import runpy, json\n"
        "from airflow.sdk import DAG\n"
        "found = runpy.run_path('dags/news_sources.py')\n"
        "print(json.dumps(sorted(k for k, v in found.items() if isinstance(v, DAG))))\n"
    )
    env = {**os.environ, "_AIRFLOW_PARSING_CONTEXT_DAG_ID": "news_apnews"}
    only = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)
    assert only.returncode == 0, only.stderr[-2000:]
    assert json.loads(only.stdout.strip().splitlines()[-1]) == ["news_apnews"]
    env.pop("_AIRFLOW_PARSING_CONTEXT_DAG_ID")
    every = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=env, capture_output=True, text=True,
                           timeout=120)
    assert {"news_apnews", "news_yonhap", "news_yonhap_ko"} <= set(json.loads(every.stdout.strip().splitlines()[-1]))

"""One daily DAG per news source in the registry.

This file only wires tasks to :mod:`wiredesk.run`; all work happens inside
the tasks, and nothing slow runs when the scheduler parses this file (the
registry is a small YAML/dict read; Scrapy, parsers and boto3 are imported
inside the tasks).

Each DAG ``news_<source>`` for the day ``D`` (the run's data interval start in
the source's own time zone, or ``params.date`` for a manual run/backfill):

1. ``crawl``: discover and fetch the day's article pages in a separate
   process, archive every response to WARC, parse, and stage the results in
   the object store.
2. ``publish``: dedup against earlier days, validate, write the day's
   partition and its manifest last, and emit the source's Asset.

Both tasks are idempotent for a given day: a re-run replaces the partition.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import Asset, Param, dag, get_current_context, task

from wiredesk.settings import dag_id_for, storage_url_from_env

#: Start of the schedule; catchup is off, backfills go through ``airflow backfill``.
START = pendulum.datetime(2025, 1, 1)

DEFAULT_ARGS = {
    "owner": "wiredesk",
    # Local runs (demo, tests) set 0: `airflow dags test` waits out retry delays.
    "retries": int(os.environ.get("WIREDESK_TASK_RETRIES", "2")),
    "retry_delay": pendulum.duration(minutes=5),
    "retry_exponential_backoff": True,
}


def _source_timezones() -> dict[str, str]:
    """Source ids and their time zones, read from the registry (cheap: no Scrapy)."""
    from crawlers.sources import load_sources

    return {sid: spec.timezone for sid, spec in load_sources(os.environ.get("WIREDESK_SOURCES")).items()}


def build_dag(source_id: str, timezone: str):
    """Build the DAG for one source; called once per registry entry below."""
    articles = Asset(
        name=f"articles_{source_id}",
        uri=f"{storage_url_from_env().rstrip('/')}/articles/v1/source={source_id}",
    )

    @dag(
        dag_id=dag_id_for(source_id),
        schedule="@daily",
        start_date=START.in_timezone(timezone),
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["wiredesk", "news", source_id],
        params={"date": Param(None, type=["null", "string"], format="date",
                              description="Day to crawl (YYYY-MM-DD); default: the data interval.")},
        doc_md=__doc__,
    )
    def news_source():
        @task(execution_timeout=pendulum.duration(hours=2))
        def crawl() -> dict:
            """Discover, fetch, archive and parse the day's pages; stage them in the store."""
            from wiredesk import run

            context = get_current_context()
            day = run.resolve_day(context["params"].get("date"), context["data_interval_start"], timezone)
            return run.crawl_step(source_id, day, storage_url=_storage_url(), **_storage_options())

        @task(outlets=[articles])
        def publish(crawled: dict) -> dict:
            """Dedup, validate and publish the staged run; the manifest is written last."""
            from wiredesk import run

            manifest = run.publish_step(crawled, storage_url=_storage_url(), **_storage_options())
            get_current_context()["outlet_events"][articles].extra = run.asset_extra(manifest)
            return run.summarize(manifest)

        publish(crawl())

    return news_source()


def _storage_url() -> str:
    return storage_url_from_env()


def _storage_options() -> dict:
    """Object-store credentials from the Airflow connection, if one is configured."""
    from wiredesk.airflow_support import storage_options_from_connection

    return storage_options_from_connection()


for _source_id, _timezone in _source_timezones().items():
    globals()[dag_id_for(_source_id)] = build_dag(_source_id, _timezone)

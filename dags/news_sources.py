"""One daily DAG per news source in the registry.

This file only wires tasks to :mod:`wiredesk.run`; all work happens inside
the tasks, and nothing slow runs when the scheduler parses this file (the
registry is a small YAML/dict read; Scrapy, parsers and boto3 are imported
inside the tasks).

Each DAG ``news_<source>`` covers one day ``D`` per run: the data interval
``[D, D+1)`` in the source's own time zone (the run starts when that day has
ended there), or ``params.date`` for a manual run. ``crawl`` discovers,
fetches, archives, parses and stages; ``publish`` dedups, validates, writes
the day's partition with its manifest last and emits the source's Asset.
Both are idempotent for a given day: a re-run replaces the partition.

What an operator reads in the UI (DAG docs, task docs) is :data:`DAG_DOC` and
:data:`TASK_DOCS`; ``docs/operators.md`` is the long form.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Asset, CronDataIntervalTimetable, Param, dag, get_current_context, task

from crawlers.sources import CRAWL_MODES, load_sources
from wiredesk.settings import dag_id_for, storage_url_from_env, task_retries_from_env

#: First day of the schedule (midnight in each source's zone); catchup is off, earlier days go through backfills.
START = (2025, 1, 1)


DEFAULT_ARGS = {
    "owner": "wiredesk",
    "retries": task_retries_from_env(),
    "retry_delay": pendulum.duration(minutes=5),
    "retry_exponential_backoff": True,
}

DAG_DOC = """\
### {name} (`{source}`)

One run = one day **D** of `{source}`: midnight to midnight in **{timezone}**.
Scheduled runs start when D has ended there; a manual run takes `date` from its
params (`YYYY-MM-DD`), else the day before it was triggered.

- **crawl** discovers the day's article URLs (feeds, sitemaps, listings), fetches
  them, archives every response to WARC, parses and stages the run. Fails when no
  URL was found for D, or the crawl process crashed or timed out.
- **publish** dedups against earlier days, validates, writes the day's partition
  with its manifest last and emits the Asset. Fails when the staged run is missing,
  its counts do not add up, or the store is unreachable.

**Read a run**: the last lines of each task log start with `crawl {source} D:` /
`publish {source} D:` and give the counts with reasons; the `publish` XCom
`return_value` has the same as a small dict. Counts add up:
`discovered = filtered + duplicate + fetch_failed + quarantined + published`.

**Re-run a day** (safe at any time): *Clear* the run's `crawl` task with its
downstream, or trigger the DAG with `{{"date": "D"}}`. The new run replaces
the day's partition in one step (manifest written last); readers never see
half a day. *Clear* only `publish` to re-publish the already staged crawl.

**Backfill days**: `airflow backfill create --dag-id {dag_id} --from-date A
--to-date B --reprocess-behavior completed --max-active-runs 1`, with A and B
written as midnight in {timezone} (e.g. `2025-03-10T00:00:00+09:00` for Seoul);
days older than the feeds reach need `--dag-run-conf '{{"mode": "backfill"}}'`.
See docs/operators.md.

**Where things are** (under `{storage}`):
`articles/v1/source={source}/date=D/` the published partition,
`quarantine/source={source}/date=D/` pages that could not be parsed, with reasons,
`raw/source={source}/date=D/` every response as WARC,
`staging/source={source}/date=D/run=R/` the crawl handed to publish.
"""

TASK_DOCS = {
    "crawl": """\
Discover, fetch, archive and parse day D; stage the result in the store.

The log's last `crawl <source> D: discovered=… parsed=… filtered=… fetch_failed=… quarantined=…`
line is the outcome, with reasons in brackets; lines from the crawl process are
under the `crawl.*` sources. It fails with *discovered 0 URLs* when no feed,
sitemap or listing gave a URL for D: the message lists the feeds that could not
be read and what to check. Re-running is safe: each attempt is a new staged run.
""",
    "publish": """\
Dedup, validate and publish the staged crawl as day D's partition.

The log's `publish <source> D: discovered=… published=… duplicate=… …` line is
the final outcome; the XCom `return_value` has the counts, the partition
prefix, and the quarantine and raw WARC keys. The partition is replaced in one
step: clearing this task re-publishes the same staged crawl.
""",
}


def _sources() -> dict:
    """The registry's sources, with ``$WIREDESK_SOURCES`` applied (cheap: YAML and pydantic, no Scrapy)."""
    return load_sources()


def build_dag(source_id: str, timezone: str, name: str | None = None):
    """Build the DAG for one source; called once per registry entry below."""
    # The tasks write where the Asset and the docs point: workers parse this file too.
    storage_url = storage_url_from_env()
    store_root = storage_url.rstrip("/")
    dag_id = dag_id_for(source_id)
    articles = Asset(name=f"articles_{source_id}", uri=f"{store_root}/articles/v1/source={source_id}")

    @dag(
        dag_id=dag_id,
        dag_display_name=f"{dag_id} · {name}" if name else dag_id,
        description=f"{name or source_id}: one day per run, midnight to midnight {timezone}",
        # Data intervals, not trigger times: a run's interval is the whole day
        # it covers, [D 00:00, D+1 00:00) in the source's zone, and it starts
        # once that day is over. (A bare "@daily" in Airflow 3 means a trigger
        # with an empty interval at midnight, i.e. the day that has just begun.)
        schedule=CronDataIntervalTimetable("0 0 * * *", timezone=timezone),
        start_date=pendulum.datetime(*START, tz=timezone),
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["wiredesk", "news", source_id],
        params={
            "date": Param(None, type=["null", "string"], format="date",
                          description="Day to crawl (YYYY-MM-DD). Empty: the run's data "
                                      f"interval, else the day before the trigger, in {timezone}."),
            "mode": Param("incremental", enum=list(CRAWL_MODES),
                          description="incremental: feeds and sitemaps (recent days); backfill: "
                                      "section listings back to the day (older days); all: both."),
        },
        doc_md=DAG_DOC.format(name=name or source_id, source=source_id, timezone=timezone,
                              dag_id=dag_id, storage=store_root),
    )
    def news_source():
        @task(execution_timeout=pendulum.duration(hours=2), doc_md=TASK_DOCS["crawl"])
        def crawl() -> dict:
            from wiredesk import run

            context = get_current_context()
            dag_run = context.get("dag_run")
            day = run.resolve_day(
                context["params"].get("date"),
                context.get("data_interval_start"),  # absent on runs triggered without a logical date
                timezone,
                run_after=getattr(dag_run, "run_after", None),
            )
            return run.crawl_step(source_id, day, storage_url=storage_url, log_child_output=True,
                                  mode=context["params"].get("mode") or "incremental", **_storage_options())

        @task(outlets=[articles], doc_md=TASK_DOCS["publish"])
        def publish(crawled: dict) -> dict:
            from wiredesk import run

            manifest = run.publish_step(crawled, storage_url=storage_url, **_storage_options())
            get_current_context()["outlet_events"][articles].extra = run.asset_extra(manifest)
            return run.summarize(manifest)

        publish(crawl())

    return news_source()


def _storage_options() -> dict:
    """Object-store credentials from the Airflow connection, if one is configured."""
    from wiredesk.airflow_support import storage_options_from_connection

    return storage_options_from_connection()


for _source_id, _spec in _sources().items():
    globals()[dag_id_for(_source_id)] = build_dag(_source_id, _spec.timezone, _spec.name)

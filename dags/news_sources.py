"""One daily DAG per news source in the registry.

This file only wires tasks to :mod:`wiredesk.run`; all work happens inside
the tasks, and nothing slow runs when the scheduler parses this file (the
registry is a small YAML/dict read; Scrapy, parsers and boto3 are imported
inside the tasks).

Each DAG ``news_<source>`` covers one day ``D`` per run: the data interval
``[D, D+1)`` in the source's own time zone (the run starts when that day has
ended there), or ``params.date`` for a manual run. Four tasks in a row:
``crawl`` discovers, fetches, archives, parses and stages; ``validate``
applies the source's quality gates; ``publish`` dedups, writes the day's
partition with its manifest last; ``report`` logs every count with its
reasons and emits the source's Asset. A re-run replaces the day's partition.

Start date, retries, retry delay, the crawl timeout, pool slots and gate
defaults come from :mod:`wiredesk.settings` (``WIREDESK_*`` variables), read
here at parse time without touching the metadata database; the crawl timeout
may also be set at run time by the Airflow Variable
``wiredesk_crawl_timeout_seconds``. Each crawl task runs in its site's pool
(``wiredesk_<host>``), so runs of one site never crawl it more often at once
than the pool has slots.

What an operator reads in the UI (DAG docs, task docs) is :data:`DAG_DOC` and
:data:`TASK_DOCS`; ``docs/operators.md`` is the long form.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import (
    Asset,
    AsyncCallback,
    DeadlineAlert,
    DeadlineReference,
    Param,
    dag,
    get_current_context,
    get_parsing_context,
    task,
)

from crawlers.sources import CRAWL_MODES, load_sources
from wiredesk import settings
from wiredesk.airflow_support import WiredeskNotifier
from wiredesk.timetable import SourceDayTimetable

#: the source DAGs' retries wait longer each time (a site that throttles or is down needs longer)
DEFAULT_ARGS = {**settings.task_defaults(), "retry_exponential_backoff": True}
#: Airflow Variable read by the crawl task when it runs (never at parse time).
CRAWL_TIMEOUT_VARIABLE = "wiredesk_crawl_timeout_seconds"

DAG_DOC = """\
### {name} (`{source}`)

One run = one day **D** of `{source}`: midnight to midnight in **{timezone}**;
its logical date is D 00:00 there. Scheduled runs start when D has ended there.
**Trigger a day**: `wiredesk trigger {source} --date D` (logical date D 00:00
{timezone}, run id `manual__{source}__D__<time>`, `date` = D), or the form with
`date` = D, Logical date = D 00:00 in {timezone} and Run ID `manual__{source}__D`.
Without `date`, a logical date at that midnight names D; otherwise the day before it.
**Alerts**: a failed task logs a `wiredesk alert:` line (and sends it through the
connection `$WIREDESK_ALERT_CONN_ID`); a run not finished {deadline_hours:g} h
after it was queued raises the Deadline Alert through the same notifier.

- **crawl** discovers the day's article URLs (feeds, sitemaps, listings), fetches
  them, archives every response to WARC, parses and stages the run. Runs in pool
  `{pool}` (one per site). Fails when no URL was found for D, or the crawl process
  crashed or timed out (after {timeout}s); a killed crawl task ends its crawl process.
- **validate** applies the quality gates: at least {min_articles} parsed records,
  at most {max_quarantined_share:.0%} of fetched pages quarantined, no boilerplate
  phrase in any body, no drift in the share of records without authors, dates or
  sections against the last {drift_days} published days. A failed gate fails with
  one line naming the gate, the measured value and the limit; nothing is published.
- **publish** dedups against earlier days, validates every record against the schema
  and writes the day's partition with its manifest last. Fails when the staged run
  is missing, its counts do not add up, or the store is unreachable.
- **report** logs every count with its reasons as a table, returns it as XCom and
  emits the Asset `articles_{source}` with the counts in its event's `extra`.

**Read a run**: the `report` log's table (or its XCom `return_value`, or the
Asset event); each task's last lines start with `crawl {source} D:` /
`validate {source} D:` / `publish {source} D:`. Counts add up:
`discovered = filtered + duplicate + fetch_failed + quarantined + published`.

**Re-run a day** (safe at any time): *Clear* the run's `crawl` task with its
downstream, or trigger the DAG with `{{"date": "D"}}`. The new run replaces
the day's partition in one step (manifest written last); readers never see
half a day. *Clear* only `validate` (with downstream) after changing a gate in
the sources YAML: it re-checks and publishes the already staged crawl.

**Backfill days**: `airflow backfill create --dag-id {dag_id} --from-date A
--to-date B --reprocess-behavior completed --max-active-runs 1`, with A and B
written as midnight in {timezone} (e.g. `2025-03-10T00:00:00+09:00` for Seoul);
days older than the feeds reach need `--dag-run-conf '{{"mode": "backfill"}}'`.
See docs/operators.md.

**Where things are** (under `{storage}`):
`articles/v1/source={source}/date=D/` the published partition,
`quarantine/source={source}/date=D/` pages that could not be parsed, with reasons,
`raw/source={source}/date=D/` every response as WARC,
`staging/source={source}/date=D/run=R/` the crawl handed to validate and publish.
"""

TASK_DOCS = {
    "crawl": """\
Discover, fetch, archive and parse day D; stage the result in the store.

The log's last `crawl <source> D: discovered=… parsed=… filtered=… fetch_failed=… quarantined=…`
line is the outcome, with reasons in brackets; lines from the crawl process are
under the `crawl.*` sources. It fails with *discovered 0 URLs* when no feed,
sitemap or listing gave a URL for D: the message lists the feeds that could not
be read and what to check. Runs in the site's pool; the crawl process is killed
after `WIREDESK_CRAWL_TIMEOUT_SECONDS` (or the Variable `wiredesk_crawl_timeout_seconds`).
Stopping the task (mark failed, timeout) ends the crawl process group and removes its
temporary files. Re-running is safe: each attempt is a new staged run.
""",
    "validate": """\
Apply the source's quality gates to the staged crawl; publish nothing when one fails.

One `validate <source> D: gate <name> passed|FAILED|skipped: <measured> (limit <limit>)`
line per gate: `min_articles`, `max_quarantined_share`, `boilerplate`, `drift`.
A failure's first line names the gate, the measured value and the limit. Limits:
the source's `gates` in the registry or the sources YAML, else `WIREDESK_GATE_*`.
The XCom is the crawl's, with the verdicts under `gates`.
""",
    "publish": """\
Dedup, validate against the schema and publish the staged crawl as day D's partition.

The log's `publish <source> D: discovered=… published=… duplicate=… …` line is
the final outcome; the XCom `return_value` has the counts, the partition
prefix, and the quarantine and raw WARC keys. The partition is replaced in one
step: clearing this task re-publishes the same staged crawl.
""",
    "report": """\
The day's scoreboard: every count with its reasons as a table in the log.

The XCom `return_value` holds the same (`counts`, `reasons`, `gates`, `table`) and
the Asset event's `extra` has discovered, fetched, filtered, fetch_failed,
quarantined, duplicate, published, records, run_id and date.
""",
}


def _sources() -> dict:
    """The registry's sources, with ``$WIREDESK_SOURCES`` applied (cheap: YAML and pydantic, no Scrapy)."""
    return load_sources()


def build_dag(source_id: str, spec):
    """Build the DAG for one source; called once per registry entry below."""
    timezone, name = spec.timezone, spec.name
    # The tasks write where the Asset and the docs point: workers parse this file too.
    storage_url = settings.storage_url_from_env()
    store_root = storage_url.rstrip("/")
    dag_id = settings.dag_id_for(source_id)
    articles = Asset(name=f"articles_{source_id}", uri=f"{store_root}/articles/v1/source={source_id}")
    pool = settings.pool_for(spec.allowed_domains[0])
    crawl_timeout = settings.crawl_timeout_seconds_from_env()
    gates = {**settings.gate_defaults_from_env(),
             **{k: v for k, v in spec.gates.model_dump().items() if v is not None}}
    start, end = settings.start_date_from_env(), settings.end_date_from_env()
    deadline_hours = settings.publish_deadline_hours_from_env()
    # Every failed task alerts: its log always, the connection $WIREDESK_ALERT_CONN_ID when set.
    default_args = {**DEFAULT_ARGS,
                    "on_failure_callback": WiredeskNotifier(source=source_id, timezone=timezone)}
    # A day not published (run not finished) within N hours of its run being queued alerts through
    # the same notifier, awaited by the triggerer. A scheduled run is queued when D ends in the
    # source's zone, so the deadline is the data interval's end plus N hours.
    deadline = DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=timedelta(hours=deadline_hours),
        callback=AsyncCallback(WiredeskNotifier, kwargs={"kind": "deadline", "source": source_id,
                                                         "timezone": timezone, "hours": deadline_hours}),
        name=f"{source_id} published within {deadline_hours:g} h",
    ) if deadline_hours > 0 else None

    @dag(
        dag_id=dag_id,
        dag_display_name=f"{dag_id} · {name}" if name else dag_id,
        description=f"{name or source_id}: one day per run, midnight to midnight {timezone}",
        # Data intervals, not trigger times: a run's interval is the whole day
        # it covers, [D 00:00, D+1 00:00) in the source's zone, and it starts
        # once that day is over. (A bare "@daily" in Airflow 3 means a trigger
        # with an empty interval at midnight, i.e. the day that has just begun.)
        # Run ids name the source and D whatever starts the run (wiredesk/timetable.py).
        schedule=SourceDayTimetable(source_id, timezone),
        # In the source's zone: DAG Details shows it, and the schedule's midnights are its midnights.
        start_date=pendulum.datetime(start.year, start.month, start.day, tz=timezone),
        end_date=pendulum.datetime(end.year, end.month, end.day, tz=timezone) if end else None,
        catchup=settings.catchup_from_env(),
        max_active_runs=1,
        default_args=default_args,
        deadline=deadline,
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
                              dag_id=dag_id, storage=store_root, pool=pool, timeout=crawl_timeout,
                              deadline_hours=deadline_hours, **gates),
    )
    def news_source():
        @task(execution_timeout=pendulum.duration(
                  seconds=crawl_timeout + settings.CRAWL_TASK_MARGIN_SECONDS),
              pool=pool, doc_md=TASK_DOCS["crawl"])
        def crawl() -> dict:
            from airflow.sdk import Variable

            from wiredesk import run

            context = get_current_context()
            dag_run = context.get("dag_run")
            day = run.resolve_day(
                context["params"].get("date"),
                context.get("data_interval_start"),  # absent on runs triggered without a logical date
                timezone,
                run_after=getattr(dag_run, "run_after", None),
                logical_date=context.get("logical_date"),
            )
            timeout = Variable.get(CRAWL_TIMEOUT_VARIABLE, default=None) or crawl_timeout
            return run.crawl_step(source_id, day, storage_url=storage_url, log_child_output=True,
                                  mode=context["params"].get("mode") or "incremental",
                                  timeout=float(timeout), **_storage_options())

        @task(doc_md=TASK_DOCS["validate"])
        def validate(crawled: dict) -> dict:
            from wiredesk import run

            return run.validate_step(crawled, storage_url=storage_url, **_storage_options())

        @task(doc_md=TASK_DOCS["publish"])
        def publish(checked: dict) -> dict:
            from wiredesk import run

            manifest = run.publish_step(checked, storage_url=storage_url, **_storage_options())
            return {**run.summarize(manifest), "gates": checked.get("gates", [])}

        @task(outlets=[articles], doc_md=TASK_DOCS["report"])
        def report(published: dict) -> dict:
            from wiredesk import run

            scoreboard = run.report_step(published)
            get_current_context()["outlet_events"][articles].extra = scoreboard["extra"]
            return scoreboard

        report(publish(validate(crawl())))

    return news_source()


def _storage_options() -> dict:
    """Object-store credentials from the Airflow connection, if one is configured."""
    from wiredesk.airflow_support import storage_options_from_connection

    return storage_options_from_connection()


# A task process parses this file only to find its own DAG: Airflow names it in the parsing
# context, so the other sources' DAGs are not built (with 1,000 sources, about 9 s a task).
_only = get_parsing_context().dag_id
for _source_id, _spec in _sources().items():
    if _only and _only != settings.dag_id_for(_source_id):
        continue
    globals()[settings.dag_id_for(_source_id)] = build_dag(_source_id, _spec)

"""Process-wide defaults, in one place: read from the environment, else the values below.

Environment variables (all optional):

``WIREDESK_STORAGE_URL``       where runs publish: ``file:///abs/path`` or ``s3://bucket/prefix``
                               (default: ``file://<cwd>/var/store``)
``WIREDESK_SOURCES``           a YAML file adding or overriding sources
``WIREDESK_S3_CONN_ID``        Airflow connection holding S3 credentials (default ``wiredesk_s3``)

Scheduling (read by the DAG file at parse time: cheap, no I/O beyond the
environment; only the crawl timeout can also come from an Airflow Variable,
``wiredesk_crawl_timeout_seconds``, read by the crawl task when it runs):

``WIREDESK_START_DATE``            first scheduled day, ``YYYY-MM-DD``, midnight in each
                                   source's zone (default 2025-01-01)
``WIREDESK_END_DATE``              last scheduled day, ``YYYY-MM-DD`` (default: none)
``WIREDESK_CATCHUP``               ``true``: unpausing schedules every missed day from the
                                   start date (default false: only the latest day; older
                                   days are backfills). ``make up`` sets start, end and
                                   catchup to the days the bundled site has stories for.
``WIREDESK_TASK_RETRIES``          retries of each DAG task (default 2; local runs set 0)
``WIREDESK_RETRY_DELAY_SECONDS``   first retry delay, doubling after (default 300)
``WIREDESK_CRAWL_TIMEOUT_SECONDS`` the crawl process is killed after this long (default 7200);
                                   the crawl task's own timeout is this plus
                                   :data:`CRAWL_TASK_MARGIN_SECONDS` for staging
``WIREDESK_CRAWL_MEMORY_MB``       the crawl process stops and fails above this resident size
                                   (default 2048; read by the crawl process, crawlers/settings.py)
``WIREDESK_POOL_SLOTS``            slots of each site's Airflow pool (default 1: one crawl
                                   per site at a time, whatever the number of active runs)

Alerts (see :mod:`wiredesk.airflow_support`):

``WIREDESK_ALERT_CONN_ID``           Airflow connection that alerts go to besides the task log:
                                     type ``smtp`` (mail, extra ``to``/``from_email``) or ``http``
                                     (a JSON POST to the connection's URL); unset: the log only
``WIREDESK_PUBLISH_DEADLINE_HOURS``  hours after a run is queued (for a scheduled run: the end of
                                     its day) by which the day must be published; later, the
                                     Deadline Alert fires (default 6; 0 turns it off)

Quality gates (defaults for every source; a source's ``gates`` in the registry
or the sources YAML wins, see :mod:`wiredesk.gates`):

``WIREDESK_GATE_MIN_ARTICLES``          parsed records a day needs (default 1)
``WIREDESK_GATE_MAX_QUARANTINED_SHARE`` quarantined / fetched pages allowed (default 0.3)
``WIREDESK_GATE_MAX_DRIFT``             allowed rise of a field's missing share over the
                                        recent days' mean, in absolute terms (default 0.3)
``WIREDESK_GATE_DRIFT_DAYS``            published days the drift gate compares with (default 7)
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

#: DAG ids that differ from ``news_<source id>``: the flagship English Yonhap
#: source keeps the short id that operators know it by.
DAG_IDS = {"yonhap_en": "news_yonhap"}

#: Defaults of the scheduling settings above.
START_DATE = "2025-01-01"
TASK_RETRIES = 2
RETRY_DELAY_SECONDS = 300
CRAWL_TIMEOUT_SECONDS = 7200
#: Time the crawl task has beyond the crawl process's timeout, to stage the run.
CRAWL_TASK_MARGIN_SECONDS = 900
POOL_SLOTS = 1
POOL_PREFIX = "wiredesk_"
PUBLISH_DEADLINE_HOURS = 6.0

#: Phrases that never belong in an article body: page furniture and wire
#: end marks that a parser should have removed. A source's ``gates.boilerplate``
#: replaces the list.
BOILERPLATE = ("(END)", "Latest News", "Most Viewed", "Most Liked", "All rights reserved", "Home >")

#: Default quality gates (names as in :class:`crawlers.sources.Gates`).
GATES = {
    "min_articles": 1,
    "max_quarantined_share": 0.3,
    "max_drift": 0.3,
    "drift_days": 7,
    #: fewer published days than this before D: the drift gate is skipped, and says so
    "drift_min_days": 3,
    #: records read per earlier day (the first ones of its first parts) and needed on D
    "drift_sample": 200,
    "drift_min_records": 10,
    "boilerplate": list(BOILERPLATE),
}
_GATE_ENV = {
    "min_articles": ("WIREDESK_GATE_MIN_ARTICLES", int),
    "max_quarantined_share": ("WIREDESK_GATE_MAX_QUARANTINED_SHARE", float),
    "max_drift": ("WIREDESK_GATE_MAX_DRIFT", float),
    "drift_days": ("WIREDESK_GATE_DRIFT_DAYS", int),
}


def dag_id_for(source_id: str) -> str:
    return DAG_IDS.get(source_id, f"news_{source_id}")


def storage_url_from_env() -> str:
    """The same rule as :func:`storage.default_storage_url`, without importing ``storage``.

    DAG files call this at parse time, where loading the storage package (its
    schema validators) would slow every scheduler parse; a test keeps the two equal.
    """
    return os.environ.get("WIREDESK_STORAGE_URL") or (Path.cwd() / "var" / "store").resolve().as_uri()


def sources_file_from_env() -> str | None:
    return os.environ.get("WIREDESK_SOURCES") or None


def s3_conn_id_from_env() -> str:
    return os.environ.get("WIREDESK_S3_CONN_ID") or "wiredesk_s3"


def _env(name: str, default, kind):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return kind(raw.strip())
    except ValueError:
        raise ValueError(f"${name} must be {kind.__name__}, got {raw!r}") from None


def task_retries_from_env() -> int:
    """Retries of each DAG task; ``airflow dags test`` waits out retry delays, so local runs set 0."""
    return _env("WIREDESK_TASK_RETRIES", TASK_RETRIES, int)


def retry_delay_seconds_from_env() -> int:
    return _env("WIREDESK_RETRY_DELAY_SECONDS", RETRY_DELAY_SECONDS, int)


def task_defaults() -> dict:
    """``default_args`` every wiredesk DAG shares: one place sets how tasks retry."""
    return {
        "owner": "wiredesk",
        "retries": task_retries_from_env(),
        "retry_delay": timedelta(seconds=retry_delay_seconds_from_env()),
    }


def crawl_timeout_seconds_from_env() -> int:
    """How long the crawl process may run before it is killed (its whole process group)."""
    return _env("WIREDESK_CRAWL_TIMEOUT_SECONDS", CRAWL_TIMEOUT_SECONDS, int)


def pool_slots_from_env() -> int:
    return _env("WIREDESK_POOL_SLOTS", POOL_SLOTS, int)


def start_date_from_env() -> date:
    raw = os.environ.get("WIREDESK_START_DATE") or START_DATE
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"$WIREDESK_START_DATE must be YYYY-MM-DD, got {raw!r}") from None


def end_date_from_env() -> date | None:
    raw = os.environ.get("WIREDESK_END_DATE")
    if not raw or not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError(f"$WIREDESK_END_DATE must be YYYY-MM-DD, got {raw!r}") from None


def catchup_from_env() -> bool:
    raw = (os.environ.get("WIREDESK_CATCHUP") or "false").strip().lower()
    if raw not in ("true", "false", "1", "0", "yes", "no"):
        raise ValueError(f"$WIREDESK_CATCHUP must be true or false, got {raw!r}")
    return raw in ("true", "1", "yes")


def gate_defaults_from_env() -> dict:
    """:data:`GATES` with the ``WIREDESK_GATE_*`` variables applied."""
    gates = {**GATES, "boilerplate": list(GATES["boilerplate"])}
    for name, (env, kind) in _GATE_ENV.items():
        gates[name] = _env(env, gates[name], kind)
    return gates


def pool_for(site: str) -> str:
    """The Airflow pool of one site (a host name): ``wiredesk_en_yna_co_kr``.

    One pool per site, not per source: sources on one host share its limits.
    """
    return POOL_PREFIX + re.sub(r"[^a-z0-9]+", "_", site.lower()).strip("_")


def alert_conn_id_from_env() -> str | None:
    """The Airflow connection alerts are sent to, besides the task log (``None``: log only)."""
    return (os.environ.get("WIREDESK_ALERT_CONN_ID") or "").strip() or None


def publish_deadline_hours_from_env() -> float:
    return _env("WIREDESK_PUBLISH_DEADLINE_HOURS", PUBLISH_DEADLINE_HOURS, float)


def day_start(day: date, timezone: str) -> datetime:
    """Midnight starting ``day`` in ``timezone``: the logical date of the run for that day."""
    return datetime.combine(day, time(), ZoneInfo(timezone))


def run_id_for(source_id: str, day: date, run_type: str = "manual", at: datetime | None = None) -> str:
    """A run id naming source and day: ``manual__yonhap_en__2025-03-12__20250313T010203Z``.

    Airflow accepts run ids matching ``^[A-Za-z0-9_.~:+-]+$`` (``[scheduler] allowed_run_id_pattern``);
    the trigger time at the end keeps several runs of one day apart.
    """
    at = (at or datetime.now(UTC)).astimezone(UTC)
    return f"{run_type}__{source_id}__{day.isoformat()}__{at:%Y%m%dT%H%M%SZ}"

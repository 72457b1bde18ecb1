"""Run one source for one day: the single code path behind the CLI and the DAGs.

A run is four steps that share nothing but the object store and small
dicts, so that Airflow can retry or place them independently:

``crawl_step``    a crawl in its own process (a Twisted reactor cannot be
                  restarted), staged in the store with its WARC archive;
``validate_step`` the source's quality gates over the staged run
                  (:mod:`wiredesk.gates`); a failed gate stops the run before
                  anything is published;
``publish_step``  dedup, schema validation and the atomic partition write;
``report_step``   every count with its reasons as a table, and the Asset
                  event's ``extra``.

All return small JSON-able dicts, which Airflow keeps as XCom and shows to
operators, and all log summary lines (``crawl yonhap_en 2025-03-12:
discovered=24 parsed=21 ...``) that are the first thing to read in a task log.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta
from typing import Any

log = logging.getLogger(__name__)

#: Discovery errors kept in the crawl task's XCom.
MAX_XCOM_ERRORS = 10


class RunError(RuntimeError):
    """A run that must fail its task, with a message an operator can act on."""


def resolve_day(
    param: str | None,
    interval_start: datetime | None,
    timezone: str,
    run_after: datetime | None = None,
    logical_date: datetime | None = None,
) -> date:
    """The partition day ``D`` of a run, whatever started it.

    In order: ``params.date``; a logical date at midnight in the source's zone
    (scheduled runs, backfills, ``wiredesk trigger``, ``airflow dags trigger
    --logical-date D``T00:00 in the zone, the trigger form with that logical
    date); the data interval (the form with any other logical date: the last
    complete day before it); the day before ``run_after`` (a manual run
    without a logical date, Airflow 3's default: what the schedule would have
    crawled at that moment).

    The logical date comes before the data interval because ``airflow dags
    trigger --logical-date`` infers the interval from the trigger time, not
    from the logical date. Using the source's own zone keeps a Seoul wire
    service's day aligned with the dates printed on its stories, whatever
    zone the scheduler runs in.
    """
    import pendulum

    local_logical = pendulum.instance(logical_date).in_timezone(timezone) if logical_date is not None else None
    if param:
        try:
            day = date.fromisoformat(str(param))
        except ValueError as exc:
            raise RunError(f"params.date must be YYYY-MM-DD, got {param!r}") from exc
        log.info("day %s: from params.date", day)
        if local_logical is not None and local_logical.date() != day:
            log.warning("day %s: params.date differs from the run's logical date %s (%s in %s); the grid "
                        "and run id show the logical date, the partition is params.date's day",
                        day, logical_date, local_logical.date(), timezone)
        return day
    if local_logical is not None and local_logical.time() == datetime.min.time():
        day = local_logical.date()
        log.info("day %s: the logical date %s, midnight in %s", day, logical_date, timezone)
        return day
    if interval_start is not None:
        day = pendulum.instance(interval_start).in_timezone(timezone).date()
        log.info("day %s: the data interval starting %s, in %s", day, interval_start, timezone)
        return day
    if run_after is not None:
        day = pendulum.instance(run_after).in_timezone(timezone).date() - timedelta(days=1)
        log.info("day %s: no params.date and no data interval; the day before %s in %s",
                 day, run_after, timezone)
        return day
    raise RunError("no params.date, no data interval and no trigger time to take the day from")


def crawl_step(
    source_id: str,
    day: date,
    *,
    storage_url: str,
    sources_file: str | None = None,
    mode: str = "incremental",
    run_id: str | None = None,
    min_discovered: int = 1,
    log_child_output: bool = False,
    timeout: float | None = None,
    **storage_options: Any,
) -> dict[str, Any]:
    """Crawl ``source_id`` for ``day`` and stage the result; fail loudly when nothing was found.

    A wire service that yields no URL at all for a day almost always means a
    broken feed or a blocked crawler, not a quiet news day; failing the task
    makes that visible in the Airflow grid instead of publishing an empty day.

    ``log_child_output`` sends the crawl process's log through :mod:`logging`
    at the level each line was written with. Airflow files everything a task
    writes to stderr as an error, which would paint a healthy crawl's log red.

    ``timeout`` (seconds; default ``$WIREDESK_CRAWL_TIMEOUT_SECONDS``) bounds
    the crawl process: past it, its whole process group is killed.
    """
    from crawlers import runner
    from wiredesk.settings import crawl_timeout_seconds_from_env, sources_file_from_env

    output = _child_output_to_logging() if log_child_output else contextlib.nullcontext()
    try:
        _check_store(storage_url, storage_options)  # before any page is fetched
        with output:
            result = runner.crawl(
                source_id,
                day,
                storage_url,
                run_id=run_id,
                sources_file=sources_file or sources_file_from_env(),
                mode=mode,
                storage_options=storage_options or None,
                timeout=timeout if timeout is not None else crawl_timeout_seconds_from_env(),
            )
    except Exception as exc:
        # The runner's errors name the source but not always the day; the
        # operator reading the task log should not have to work it out.
        _log_failure(exc, f"crawl {source_id} {day} (mode {mode}) failed: nothing published by this attempt",
                     "clear the task to re-run the day once the cause is fixed.")
        raise
    counts = result.get("counts", {})
    log.info("crawl %s %s: %s", source_id, day, format_counts(counts))
    for error in result.get("discovery_errors") or []:
        log.warning("crawl %s %s: could not read %s: %s", source_id, day,
                    _describe_discovery_error(error), error.get("message", ""))
    if _total(counts.get("discovered", 0)) < min_discovered:
        raise RunError(nothing_discovered_message(source_id, day, result, min_discovered))
    return compact_crawl_result(result)


def _check_store(storage_url: str, options: Mapping[str, Any]) -> None:
    from storage import open_store

    with open_store(storage_url, **options) as store:
        store.check()


def nothing_discovered_message(
    source_id: str, day: date | str, result: Mapping[str, Any], min_discovered: int = 1
) -> str:
    """Why a crawl that found (almost) nothing fails, and what to check, in a few short lines.

    The first line names source, day and count so it reads on its own in the
    grid's failure summary; the following lines carry the evidence and the
    next steps.
    """
    discovered = _total(result.get("counts", {}).get("discovered", 0))
    lines = [f"crawl {source_id} {day}: discovered {discovered} URLs (minimum {min_discovered}); nothing published."]
    errors = result.get("discovery_errors") or []
    if errors:
        shown = [_describe_discovery_error(e) for e in errors[:5]]
        more = f" (+{len(errors) - 5} more)" if len(errors) > 5 else ""
        lines.append("Feeds/sitemaps that could not be read: " + "; ".join(shown) + more + ".")
        lines.append("Check: is the site up and reachable from the worker, is base_url right "
                     "(registry or $WIREDESK_SOURCES), does robots.txt still allow us?")
    else:
        lines.append("Every feed and sitemap was read but none listed a story for this day.")
        lines.append("Check: is the day in the future, or older than the feeds reach "
                     "(re-run with params mode=backfill)? Did the site change its feed or sitemap URLs?")
    if result.get("raw"):
        lines.append(f"Raw responses of this attempt: {result['raw']}.")
    lines.append("Once fixed, clear the crawl task to re-run the day; a re-run replaces the day's partition.")
    return "\n".join(lines)


def _log_failure(exc: BaseException, context: str, advice: str) -> None:
    """One log line with the error's first line, and the same context plus advice on the traceback."""
    log.error("%s: %s", context, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    exc.add_note(f"{context}; {advice}")


def _describe_discovery_error(error: Mapping[str, Any]) -> str:
    return f"{error.get('url')} ({error.get('reason')})"


def compact_crawl_result(result: Mapping[str, Any]) -> dict[str, Any]:
    """The crawl result as XCom: what ``publish`` needs and an operator reads, nothing local.

    The local run directory is meaningless on another worker, and a source
    with many broken feeds would flood the XCom view: the first
    :data:`MAX_XCOM_ERRORS` discovery errors are kept (all are in the log).
    """
    keep = ("source", "date", "run_id", "mode", "status", "counts", "staging", "raw")
    compact = {key: result[key] for key in keep if key in result}
    compact["discovery_errors"] = list(result.get("discovery_errors") or [])[:MAX_XCOM_ERRORS]
    return compact


class GateError(RunError):
    """A day failed a quality gate (:class:`wiredesk.gates.GateFailed` carries the results)."""


def validate_step(
    crawled: Mapping[str, Any],
    *,
    storage_url: str,
    sources_file: str | None = None,
    **storage_options: Any,
) -> dict[str, Any]:
    """Apply the source's quality gates to a staged crawl; fail before anything is published.

    Returns the crawl's XCom with ``gates`` added (one dict per gate), which
    ``publish`` takes as its input. Each gate's verdict is one log line; a
    failed gate raises :class:`GateError` whose first line names the gate,
    the measured value and the limit.
    """
    from crawlers.sources import get_source
    from storage import open_store
    from wiredesk import gates
    from wiredesk.settings import sources_file_from_env

    source, day = crawled["source"], str(crawled["date"])
    spec = get_source(source, sources_file or sources_file_from_env())
    with open_store(storage_url, **storage_options) as store:
        results = gates.check_staged(store, source, day, crawled["run_id"], spec.gates)
    for result in results:
        log.log(logging.INFO if result.passed else logging.ERROR, "validate %s %s: %s",
                source, day, result.line())
    failed = [r for r in results if not r.passed]
    if failed:
        raise GateError(str(gates.GateFailed(source, day, failed)))
    return {**crawled, "gates": [r.to_dict() for r in results]}


def publish_step(crawled: Mapping[str, Any], *, storage_url: str, **storage_options: Any) -> dict:
    """Publish a staged crawl; returns the partition manifest."""
    from storage import open_store
    from storage.publish import publish_run

    day = date.fromisoformat(str(crawled["date"]))
    try:
        store = open_store(storage_url, **storage_options)
        manifest = publish_run(store, crawled["source"], day, crawled["run_id"])
    except Exception as exc:
        _log_failure(exc, f"publish {crawled['source']} {day} (run {crawled['run_id']}) failed: "
                          "readers still see one complete partition of the day, the old or the new",
                     "clear publish to retry, or crawl with downstream to stage a new run.")
        raise
    if manifest["run_id"] != crawled["run_id"]:
        log.warning("publish %s %s: nothing published by run %s; the day holds run %s, a newer "
                    "crawl, which stays (clearing an older run's tasks is safe)",
                    crawled["source"], day, crawled["run_id"], manifest["run_id"])
    log.info("publish %s %s: %s", crawled["source"], day, format_counts(manifest["counts"]))
    log.info("publish %s %s: %s records in %s part(s) under %s (run %s); quarantine: %s",
             crawled["source"], day, manifest.get("records"), len(manifest.get("parts", [])),
             _partition_prefix(manifest), manifest.get("run_id"),
             ", ".join(manifest.get("quarantine") or []) or "none")
    return manifest


def run_source(
    source_id: str,
    day: date,
    *,
    storage_url: str,
    sources_file: str | None = None,
    mode: str = "incremental",
    **storage_options: Any,
) -> dict:
    """Both steps in this process's order, without Airflow (``wiredesk crawl`` uses the same steps)."""
    crawled = crawl_step(
        source_id, day, storage_url=storage_url, sources_file=sources_file, mode=mode, **storage_options
    )
    return publish_step(crawled, storage_url=storage_url, **storage_options)


def _total(value: Any) -> int:
    return sum(value.values()) if isinstance(value, Mapping) else int(value or 0)


def format_counts(counts: Mapping[str, Any]) -> str:
    """A crawl's or a manifest's counts as one line (:meth:`storage.counts.Counts.format`)."""
    from storage.counts import Counts

    return Counts.from_dict(counts).format()


def _partition_prefix(manifest: Mapping[str, Any]) -> str:
    from storage.layout import partition_prefix

    return partition_prefix(manifest["source"], manifest["date"])


def summarize(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The publish task's XCom: one small dict an operator can read at a glance.

    Counts come as totals (the reasons are in ``reasons`` and in the log);
    locations are store keys, relative to the storage URL.
    """
    from storage.counts import Counts

    counts = Counts.from_dict(manifest.get("counts", {}))
    return {
        "source": manifest.get("source"),
        "date": manifest.get("date"),
        "run_id": manifest.get("run_id"),
        "summary": counts.format(),
        "counts": counts.totals(),
        "reasons": counts.reasons(),
        "records": manifest.get("records"),
        "partition": _partition_prefix(manifest),
        "parts": len(manifest.get("parts", [])),
        "quarantine": list(manifest.get("quarantine") or []),
        "raw": list(manifest.get("raw") or []),
        # The Delta table version holding this day: a downstream DAG reads changes after it.
        "table_version": manifest.get("table_version"),
    }


def asset_extra(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """What downstream DAGs scheduled on the source's Asset learn about the new partition.

    Takes a manifest or its :func:`summarize` form (the ``publish`` XCom):
    every count's total, so the Asset's event list reads as a per-day scoreboard.
    """
    summary = manifest if "summary" in manifest else summarize(manifest)
    totals = summary.get("counts") or {}
    extra: dict[str, Any] = {key: summary.get(key) for key in ("source", "date", "run_id", "records")}
    for name in ("discovered", "fetched", "filtered", "fetch_failed", "quarantined", "duplicate",
                 "published"):
        extra[name] = int(totals.get(name) or 0)
    extra["partition"] = summary.get("partition")
    extra["table_version"] = summary.get("table_version")
    return extra


def report_table(summary: Mapping[str, Any]) -> str:
    """Every count with its reasons, one row each, then the gates' verdicts: the ``report`` log."""
    totals, reasons = summary.get("counts") or {}, summary.get("reasons") or {}
    rows = [("count", "total", "reasons")]
    for name, total in totals.items():
        why = ", ".join(f"{k}: {v}" for k, v in sorted((reasons.get(name) or {}).items()))
        rows.append((name, str(total), why))
    width = max(len(r[0]) for r in rows)
    lines = [f"{name:<{width}}  {total:>6}  {why}".rstrip() for name, total, why in rows]
    lines.insert(1, "-" * len(lines[0]))
    for gate in summary.get("gates") or []:
        verdict = "skipped" if gate.get("skipped") else ("passed" if gate.get("passed") else "FAILED")
        lines.append(f"gate {gate.get('gate')}: {verdict}: {gate.get('measured')} (limit {gate.get('limit')})")
    return "\n".join(lines)


def report_step(summary: Mapping[str, Any]) -> dict[str, Any]:
    """Log the day's counts as a table; return the ``report`` XCom (with the Asset ``extra``)."""
    table = report_table(summary)
    log.info("report %s %s (run %s): %s records under %s\n%s", summary.get("source"), summary.get("date"),
             summary.get("run_id"), summary.get("records"), summary.get("partition"), table)
    return {
        **{key: summary.get(key) for key in ("source", "date", "run_id", "records", "partition")},
        "counts": dict(summary.get("counts") or {}),
        "reasons": dict(summary.get("reasons") or {}),
        "gates": list(summary.get("gates") or []),
        "table": table,
        "extra": asset_extra(summary),
    }


# -- the crawl process's output, as log records ---------------------------------------

#: Scrapy's default log line: ``2025-03-12 10:00:00 [scrapy.core.engine] INFO: Spider opened``.
_LOG_LINE = re.compile(
    r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \[(?P<logger>[^\]]+)\] (?P<level>[A-Z]+): (?P<message>.*)$"
)
CHILD_LOGGER = "crawl"
#: Scrapy's start-up listings (versions, enabled middlewares and add-ons):
#: the same on every run, so they go to DEBUG instead of burying the log.
QUIET_CHILD_LOGGERS = frozenset({"scrapy.utils.log", "scrapy.middleware", "scrapy.addons"})


class ChildLogStream(io.TextIOBase):
    """A text stream that turns the crawl process's log lines into :mod:`logging` records.

    Each line keeps the level and logger it was written with (under the
    ``crawl.`` prefix, so the Airflow log's source filter can tell the crawl
    process apart); continuation lines (tracebacks, the stats dump) take the
    level of the line they continue. Anything unrecognised is INFO.
    """

    def __init__(self, prefix: str = CHILD_LOGGER) -> None:
        super().__init__()
        self._prefix = prefix
        self._pending = ""
        self._level = logging.INFO
        self._logger = logging.getLogger(prefix)

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            self._emit(line)
        return len(text)

    def flush(self) -> None:
        """Lines are emitted as they complete; a partial line waits for its end or :meth:`close`."""

    def close(self) -> None:
        if self._pending:
            self._emit(self._pending)
            self._pending = ""
        super().close()

    def _emit(self, line: str) -> None:
        line = line.rsplit("\r", 1)[-1].rstrip()  # a redrawn progress line keeps its last state
        if not line:
            return
        match = _LOG_LINE.match(line)
        if match:
            level = logging.getLevelName(match["level"])
            self._level = level if isinstance(level, int) else logging.INFO
            if match["logger"] in QUIET_CHILD_LOGGERS:
                self._level = min(self._level, logging.DEBUG)
            self._logger = logging.getLogger(f"{self._prefix}.{match['logger']}")
            line = match["message"]
        self._logger.log(self._level, "%s", line)


@contextlib.contextmanager
def _child_output_to_logging() -> Iterator[ChildLogStream]:
    """Send what the crawl runner forwards to ``sys.stderr`` through :class:`ChildLogStream`."""
    stream = ChildLogStream()
    try:
        with contextlib.redirect_stderr(stream):
            yield stream
    finally:
        stream.close()

"""Run one source for one day: the single code path behind the CLI and the DAGs.

A run is two steps that share nothing but the object store, so that Airflow
can retry or place them independently:

``crawl_step``   a crawl in its own process (a Twisted reactor cannot be
                 restarted), staged in the store with its WARC archive;
``publish_step`` dedup, validation and the atomic partition write.

Both return small JSON-able dicts, which Airflow keeps as XCom and shows to
operators.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

log = logging.getLogger(__name__)


class RunError(RuntimeError):
    """A run that must fail its task, with a message an operator can act on."""


def resolve_day(param: str | None, interval_start: datetime | None, timezone: str) -> date:
    """The partition day: an explicit ``YYYY-MM-DD`` wins, else the interval start in the source's zone.

    Using the source's own time zone keeps a Seoul wire service's day aligned
    with the dates printed on its stories, whatever zone the scheduler runs in.
    """
    if param:
        try:
            return date.fromisoformat(str(param))
        except ValueError as exc:
            raise RunError(f"params.date must be YYYY-MM-DD, got {param!r}") from exc
    if interval_start is None:
        raise RunError("no date given and no data interval to take one from")
    import pendulum

    return pendulum.instance(interval_start).in_timezone(timezone).date()


def crawl_step(
    source_id: str,
    day: date,
    *,
    storage_url: str,
    sources_file: str | None = None,
    mode: str = "incremental",
    run_id: str | None = None,
    min_discovered: int = 1,
    **storage_options: Any,
) -> dict[str, Any]:
    """Crawl ``source_id`` for ``day`` and stage the result; fail loudly when nothing was found.

    A wire service that yields no URL at all for a day almost always means a
    broken feed or a blocked crawler, not a quiet news day; failing the task
    makes that visible in the Airflow grid instead of publishing an empty day.
    """
    from crawlers import runner
    from wiredesk.settings import sources_file_from_env

    result = runner.crawl(
        source_id,
        day,
        storage_url,
        run_id=run_id,
        sources_file=sources_file or sources_file_from_env(),
        mode=mode,
        storage_options=storage_options or None,
    )
    counts = result.get("counts", {})
    log.info("crawl %s %s: %s", source_id, day, format_counts(counts))
    if counts.get("discovered", 0) < min_discovered:
        raise RunError(
            f"{source_id} {day}: discovered {counts.get('discovered', 0)} URLs "
            f"(minimum {min_discovered}); check the source's feeds and sitemaps, and robots.txt"
        )
    return result


def publish_step(crawled: Mapping[str, Any], *, storage_url: str, **storage_options: Any) -> dict:
    """Publish a staged crawl; returns the partition manifest."""
    from storage import open_store
    from storage.publish import publish_run

    store = open_store(storage_url, **storage_options)
    day = date.fromisoformat(str(crawled["date"]))
    manifest = publish_run(store, crawled["source"], day, crawled["run_id"])
    log.info("published %s %s: %s", crawled["source"], day, format_counts(manifest["counts"]))
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
    """``discovered=24 published=20 duplicate=0 filtered=2 fetch_failed=1 quarantined=1``, with reasons."""
    parts = []
    for key in ("discovered", "published", "parsed", "duplicate", "filtered", "fetch_failed", "quarantined"):
        if key not in counts:
            continue
        value = counts[key]
        text = f"{key}={_total(value)}"
        if isinstance(value, Mapping) and value:
            text += "(" + ", ".join(f"{k}: {v}" for k, v in sorted(value.items())) + ")"
        parts.append(text)
    return " ".join(parts)


def summarize(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a manifest an operator wants in the task's XCom."""
    return {
        "source": manifest.get("source"),
        "date": manifest.get("date"),
        "run_id": manifest.get("run_id"),
        "records": manifest.get("records"),
        "parts": [part["key"] for part in manifest.get("parts", [])],
        "counts": manifest.get("counts", {}),
    }


def asset_extra(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """What downstream DAGs scheduled on the source's Asset learn about the new partition."""
    return {
        "date": manifest.get("date"),
        "run_id": manifest.get("run_id"),
        "records": manifest.get("records"),
        "published": _total(manifest.get("counts", {}).get("published", 0)),
    }

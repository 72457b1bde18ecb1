"""Accounting: every discovered URL ends in exactly one outcome, and the sums add up.

An extension in Scrapy's ``corestats`` shape: built in ``from_crawler``,
connected to signals, counting under named stats keys
(``wiredesk/filtered/<rule>``, ``wiredesk/fetch_failed/<reason>``, ...).
It writes the run's ledger (one row per discovered URL) and ``crawl.json``
(the counts and run metadata) through :class:`storage.staging.RunDir`, and
checks the :class:`storage.counts.Counts` at close; a mismatch is logged as
an ERROR and marks the run failed.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from crawlers import signals as wd_signals
from storage.counts import CRAWL_OUTCOMES, Counts, CountsMismatch
from storage.staging import LEDGER, RunDir

logger = logging.getLogger(__name__)

STATS_PREFIX = "wiredesk"


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class Accounting:
    """Counts discoveries and outcomes; writes the ledger and ``crawl.json``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.pending: dict[str, str] = {}  # url -> how it was discovered
        self.counts = Counts.crawl()
        self.discovery_errors: list[dict[str, str]] = []
        self.errors: list[str] = []
        self.started_at = utc_now()
        self._ledger: Any = None
        self.run_dir: RunDir | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Accounting:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.url_discovered, signal=wd_signals.url_discovered)
        crawler.signals.connect(ext.url_outcome, signal=wd_signals.url_outcome)
        crawler.signals.connect(ext.discovery_error, signal=wd_signals.discovery_error)
        crawler.signals.connect(ext.item_error, signal=signals.item_error)
        crawler.signals.connect(ext.spider_error, signal=signals.spider_error)
        return ext

    # -- signal handlers -------------------------------------------------
    def spider_opened(self, spider: Spider) -> None:
        run_dir = getattr(spider, "run_dir", None)
        if run_dir is None:
            return
        self.run_dir = RunDir(run_dir)
        self._ledger = self.run_dir.open(LEDGER)

    def url_discovered(self, url: str, via: str = "unknown") -> None:
        self.pending[url] = via
        self.counts.add("discovered")
        self.stats.inc_value(f"{STATS_PREFIX}/discovered")
        self.stats.inc_value(f"{STATS_PREFIX}/discovered_via/{via}")

    def url_outcome(
        self,
        url: str,
        outcome: str,
        reason: str | None = None,
        status: int | None = None,
        fetched_url: str | None = None,
        item: int | None = None,
    ) -> None:
        """Settle ``url`` (as discovered) and write its ledger row.

        The row is keyed by the discovered URL even when the page was served
        from elsewhere: ``fetched_url`` is where the final response came from
        (after redirects) and ``status`` its HTTP status, both null when no
        final response was received.  ``item`` is the 0-based line of a parsed
        page's record in ``items.jsonl.gz``, so publishing can join the two
        files by position instead of by URL.
        """
        if outcome not in CRAWL_OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        if url not in self.pending:
            # A second outcome for one URL would break the sums; keep the first.
            self.errors.append(f"outcome {outcome}/{reason} for {url} without a pending discovery")
            logger.error("accounting: %s", self.errors[-1])
            return
        del self.pending[url]
        self._count(outcome, reason)
        if self._ledger is not None:
            row = {"url": url, "outcome": outcome, "reason": reason, "status": status,
                   "fetched_url": fetched_url, "item": item}
            self._ledger.write(json.dumps(row, ensure_ascii=False) + "\n")

    def discovery_error(self, url: str, reason: str, message: str) -> None:
        self.discovery_errors.append({"url": url, "reason": reason, "message": message[:500]})
        self.stats.inc_value(f"{STATS_PREFIX}/discovery_errors/{reason}")
        logger.warning("discovery: %s could not be read (%s): %s", url, reason, message[:300])

    def item_error(self, item: Any, failure: Any) -> None:
        """A pipeline raised on a page: quarantined as ``pipeline_error``, not lost."""
        if not isinstance(item, dict):
            return
        url = item.get("url")
        if url in self.pending:
            logger.error("pipeline failed on %s: %s", url, failure.getErrorMessage())
            self.url_outcome(url, "quarantined", "pipeline_error", item.get("status"),
                             item.get("fetched_url"))

    def spider_error(self, failure: Any, response: Any) -> None:
        """An article callback raised: quarantined as ``spider_error``, not lost."""
        url = getattr(response, "meta", {}).get("wiredesk_url")
        if url in self.pending:
            self.url_outcome(url, "quarantined", "spider_error", getattr(response, "status", None),
                             getattr(response, "url", None))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        for url in list(self.pending):
            # Never a silent drop: a URL still open when the crawl stops
            # (shutdown, a request Scrapy discarded) is counted as such.
            self.url_outcome(url, "fetch_failed", f"unfinished_{_safe(reason)}")
        self._check_sums()
        if reason == "memusage_exceeded":
            # Part of a day must never publish as the day: the crawl fails and its retry starts over.
            limit = spider.settings.getint("MEMUSAGE_LIMIT_MB")
            self.errors.append(f"the crawl process went over its memory limit of {limit} MB "
                               "($WIREDESK_CRAWL_MEMORY_MB) and stopped early")
            logger.error("%s", self.errors[-1])
        if self._ledger is not None:
            self._ledger.close()
        if self.run_dir is not None:
            self._write_crawl_json(spider, reason)

    # -- helpers -----------------------------------------------------------
    def _count(self, outcome: str, reason: str | None) -> None:
        self.stats.inc_value(f"{STATS_PREFIX}/{outcome}")
        self.counts.add(outcome, reason)
        if outcome != "parsed":
            self.stats.inc_value(f"{STATS_PREFIX}/{outcome}/{reason or 'unknown'}")

    def _check_sums(self) -> None:
        try:
            self.counts.check()
        except CountsMismatch as exc:
            self.errors.append(f"accounting mismatch: {exc}")
            logger.error("%s", self.errors[-1])

    def _write_crawl_json(self, spider: Spider, reason: str) -> None:
        assert self.run_dir is not None
        day = getattr(spider, "day", None)
        source = getattr(spider, "source", None)
        doc = {
            "run_id": getattr(spider, "run_id", None),
            "source": getattr(source, "id", None),
            "date": day.isoformat() if isinstance(day, date) else day,
            "mode": getattr(spider, "mode", None),
            "started_at": self.started_at,
            # Full precision: of two crawls of one day, the later-finished holds it.
            "finished_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "status": "failed" if self.errors else "ok",
            "finish_reason": reason,
            "errors": self.errors,
            "counts": self.counts.to_dict(),
            "discovery_errors": self.discovery_errors,
            "raw": getattr(spider, "raw_key", None),
            "stats": _jsonable(self.stats.get_stats()),
        }
        self.run_dir.write_crawl(doc)


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in text.lower())[:40] or "unknown"


def _jsonable(stats: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in stats.items():
        if isinstance(value, datetime):
            value = value.isoformat()
        elif not isinstance(value, (int, float, str, bool, type(None))):
            value = str(value)
        out[key] = value
    return out

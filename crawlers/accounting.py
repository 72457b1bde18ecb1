"""Accounting: every discovered URL ends in exactly one outcome, and the sums add up.

An extension in Scrapy's ``corestats`` shape: built in ``from_crawler``,
connected to signals, counting under named stats keys
(``wiredesk/filtered/<rule>``, ``wiredesk/fetch_failed/<reason>``, ...).
It writes the run's ``ledger.jsonl.gz`` (one row per discovered URL) and
``crawl.json`` (the counts and run metadata, docs/architecture.md) and
checks ``discovered == filtered + fetch_failed + quarantined + parsed`` at
close; a mismatch is logged as an ERROR and marks the run failed.
"""

from __future__ import annotations

import gzip
import json
import logging
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from crawlers import signals as wd_signals

logger = logging.getLogger(__name__)

OUTCOMES = ("filtered", "fetch_failed", "quarantined", "parsed")
STATS_PREFIX = "wiredesk"


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class Accounting:
    """Counts discoveries and outcomes; writes the ledger and ``crawl.json``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.pending: dict[str, str] = {}  # url -> how it was discovered
        self.counts: dict[str, Any] = _empty_counts()
        self.discovery_errors: list[dict[str, str]] = []
        self.errors: list[str] = []
        self.started_at = utc_now()
        self._ledger: Any = None
        self.run_dir: Path | None = None

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
        self.run_dir = Path(run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self._ledger = gzip.open(self.run_dir / "ledger.jsonl.gz", "wt", encoding="utf-8")

    def url_discovered(self, url: str, via: str = "unknown") -> None:
        self.pending[url] = via
        self.counts["discovered"] += 1
        self.stats.inc_value(f"{STATS_PREFIX}/discovered")
        self.stats.inc_value(f"{STATS_PREFIX}/discovered_via/{via}")

    def url_outcome(
        self, url: str, outcome: str, reason: str | None = None, status: int | None = None
    ) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        if url not in self.pending:
            # A second outcome for one URL would break the sums; keep the first.
            self.errors.append(f"outcome {outcome}/{reason} for {url} without a pending discovery")
            logger.error("accounting: %s", self.errors[-1])
            return
        del self.pending[url]
        self._count(outcome, reason)
        if self._ledger is not None:
            row = {"url": url, "outcome": outcome, "reason": reason, "status": status}
            self._ledger.write(json.dumps(row, ensure_ascii=False) + "\n")

    def discovery_error(self, url: str, reason: str, message: str) -> None:
        self.discovery_errors.append({"url": url, "reason": reason, "message": message[:500]})
        self.stats.inc_value(f"{STATS_PREFIX}/discovery_errors/{reason}")
        logger.warning("discovery: %s could not be read (%s): %s", url, reason, message[:300])

    def item_error(self, item: Any, failure: Any) -> None:
        """A pipeline raised on a page: quarantined as ``pipeline_error``, not lost."""
        url = item.get("url") if isinstance(item, dict) else None
        if url in self.pending:
            logger.error("pipeline failed on %s: %s", url, failure.getErrorMessage())
            self.url_outcome(url, "quarantined", "pipeline_error")

    def spider_error(self, failure: Any, response: Any) -> None:
        """An article callback raised: quarantined as ``spider_error``, not lost."""
        url = getattr(response, "meta", {}).get("wiredesk_url")
        if url in self.pending:
            self.url_outcome(url, "quarantined", "spider_error", getattr(response, "status", None))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        for url in list(self.pending):
            # Never a silent drop: a URL still open when the crawl stops
            # (shutdown, a request Scrapy discarded) is counted as such.
            self.url_outcome(url, "fetch_failed", f"unfinished_{_safe(reason)}")
        self._check_sums()
        if self._ledger is not None:
            self._ledger.close()
        if self.run_dir is not None:
            self._write_crawl_json(spider, reason)

    # -- helpers -----------------------------------------------------------
    def _count(self, outcome: str, reason: str | None) -> None:
        self.stats.inc_value(f"{STATS_PREFIX}/{outcome}")
        if outcome == "parsed":
            self.counts["parsed"] += 1
            return
        key = reason or "unknown"
        bucket = self.counts[outcome]
        bucket[key] = bucket.get(key, 0) + 1
        self.stats.inc_value(f"{STATS_PREFIX}/{outcome}/{key}")

    def total_outcomes(self) -> int:
        c = self.counts
        return (
            sum(c["filtered"].values())
            + sum(c["fetch_failed"].values())
            + sum(c["quarantined"].values())
            + c["parsed"]
        )

    def _check_sums(self) -> None:
        total = self.total_outcomes()
        if total != self.counts["discovered"]:
            self.errors.append(
                f"accounting mismatch: discovered={self.counts['discovered']} "
                f"but outcomes add up to {total}"
            )
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
            "finished_at": utc_now(),
            "status": "failed" if self.errors else "ok",
            "finish_reason": reason,
            "errors": self.errors,
            "counts": self.counts,
            "discovery_errors": self.discovery_errors,
            "raw": getattr(spider, "raw_key", None),
            "stats": _jsonable(self.stats.get_stats()),
        }
        tmp = self.run_dir / "crawl.json.tmp"
        tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
        tmp.replace(self.run_dir / "crawl.json")


def _empty_counts() -> dict[str, Any]:
    return {"discovered": 0, "filtered": {}, "fetch_failed": {}, "quarantined": {}, "parsed": 0}


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

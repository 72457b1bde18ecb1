"""Item pipelines: parse fetched pages, then write the staged run files.

:class:`ParsePipeline` turns a fetched page (the spider's item) into either
a schema-v1 record or a quarantine row, using :func:`parsers.parse_page`
(the parser decodes the bytes; the HTTP header charset is only a hint).
:class:`RunFilesPipeline` writes ``items.jsonl.gz`` and
``quarantine.jsonl.gz`` into the run directory (docs/architecture.md) and
reports each URL's outcome to the accounting extension.
"""

from __future__ import annotations

import gzip
import inspect
import json
import logging
from datetime import date, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import maybe_deferred_to_future

from crawlers import discovery
from crawlers import signals as wd_signals

logger = logging.getLogger(__name__)


def _parse_page_function() -> Any:
    import parsers

    return parsers.parse_page, parsers.ParseError


class ParsePipeline:
    """Fetched page -> ``{"record": ...}`` or ``{"quarantine": ...}`` (or filtered).

    Parsing runs in Twisted's thread pool when ``WIREDESK_PARSE_IN_THREAD``
    is true, so downloads continue while lxml works.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.in_thread = crawler.settings.getbool("WIREDESK_PARSE_IN_THREAD", True)
        self.parse_page, self.parse_error = _parse_page_function()
        params = inspect.signature(self.parse_page).parameters
        self._accepts_fetched_at = "fetched_at" in params or any(
            p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ParsePipeline:
        return cls(crawler)

    async def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        if self.in_thread:
            from twisted.internet.threads import deferToThread  # not at import: reactor

            return await maybe_deferred_to_future(deferToThread(self._parse, item))
        return self._parse(item)

    def _parse(self, item: dict[str, Any]) -> dict[str, Any]:
        spider = self.crawler.spider
        kwargs: dict[str, Any] = {"encoding": item.get("encoding")}
        if self._accepts_fetched_at:
            kwargs["fetched_at"] = datetime.fromisoformat(item["fetched_at"].replace("Z", "+00:00"))
        try:
            record = self.parse_page(
                item["body"], item["url"], spider.source.parser_id, spider.day, **kwargs
            )
        except self.parse_error as exc:
            row = _quarantine_row(item, exc.reason, exc.message)
            return {"url": item["url"], "quarantine": row}
        except Exception as exc:  # noqa: BLE001 - a parser bug must not stop the crawl
            logger.exception("parser crashed on %s", item["fetched_url"])
            return {
                "url": item["url"],
                "quarantine": _quarantine_row(item, "parser_error", f"{type(exc).__name__}: {exc}"),
            }
        record["fetched_url"] = item["fetched_url"]
        record["fetched_at"] = item["fetched_at"]
        record["raw"] = item["raw"]
        if item.get("check_interval") and _outside(record, spider.day, spider.source.tz):
            return {"url": item["url"], "filtered": "out_of_interval", "status": item.get("status")}
        return {"url": item["url"], "record": record, "status": item.get("status")}


def _outside(record: dict[str, Any], day: date, tz: Any) -> bool:
    published = record.get("published_at")
    if not published:
        return False
    try:
        moment = datetime.fromisoformat(published.replace("Z", "+00:00"))
    except ValueError:
        return False
    return not discovery.in_interval(moment, day, tz)


def _quarantine_row(item: dict[str, Any], reason: str, message: str) -> dict[str, Any]:
    return {
        "url": item["url"],
        "fetched_url": item["fetched_url"],
        "stage": "parse",
        "reason": reason,
        "message": message,
        "status": item.get("status"),
        "fetched_at": item["fetched_at"],
        "raw": item.get("raw"),
    }


class RunFilesPipeline:
    """Write records and quarantine rows into the run dir; report outcomes."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._items: Any = None
        self._quarantine: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunFilesPipeline:
        pipe = cls(crawler)
        crawler.signals.connect(pipe.spider_opened, signal=signals.spider_opened)
        return pipe

    def spider_opened(self) -> None:
        run_dir = Path(self.crawler.spider.run_dir)
        run_dir.mkdir(parents=True, exist_ok=True)
        self._items = gzip.open(run_dir / "items.jsonl.gz", "wt", encoding="utf-8")
        self._quarantine = gzip.open(run_dir / "quarantine.jsonl.gz", "wt", encoding="utf-8")

    def close_spider(self) -> None:
        for handle in (self._items, self._quarantine):
            if handle is not None:
                handle.close()

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        url = item["url"]
        if "record" in item:
            self._items.write(json.dumps(item["record"], ensure_ascii=False) + "\n")
            self._outcome(url, "parsed", None, item.get("status"))
        elif "quarantine" in item:
            row = item["quarantine"]
            self._quarantine.write(json.dumps(row, ensure_ascii=False) + "\n")
            self._outcome(url, "quarantined", row["reason"], row.get("status"))
        else:
            self._outcome(url, "filtered", item.get("filtered", "unknown"), item.get("status"))
        # Keep Scrapy's in-memory item small: the body and record are on disk now.
        return {"url": url}

    def _outcome(
        self, url: str, outcome: str, reason: str | None, status: int | None = None
    ) -> None:
        self.crawler.signals.send_catch_log(
            wd_signals.url_outcome, url=url, outcome=outcome, reason=reason, status=status
        )

"""Item pipelines: parse fetched pages, then write the staged run files.

:class:`ParsePipeline` turns a fetched page (the spider's item) into either
a schema-v1 record or a quarantine row, using :func:`parsers.parse_page`
(the parser decodes the bytes; the HTTP header charset is only a hint).
:class:`RunFilesPipeline` writes the records and quarantine rows into the run
directory (:class:`storage.staging.RunDir`) and
reports each URL's outcome to the accounting extension, with the line of a
parsed page's record so the ledger and ``items.jsonl.gz`` join by position.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import maybe_deferred_to_future

from crawlers import discovery
from crawlers import signals as wd_signals
from storage.staging import ITEMS, QUARANTINE, RunDir

logger = logging.getLogger(__name__)


def parse_one(
    body: bytes,
    url: str,
    parser: str,
    source: str,
    day: date,
    encoding: str | None,
    fetched_at: str,
) -> tuple[str, Any, str | None]:
    """Call the parser; ``("record", record, None)`` or ``("refused", reason, message)``.

    ``parser`` picks the parser, ``source`` is the crawled source the record
    belongs to: a source may reuse another site's parser.  A plain function
    of plain arguments: safe to run in a worker thread.
    """
    import parsers

    moment = datetime.fromisoformat(fetched_at.replace("Z", "+00:00"))
    try:
        record = parsers.parse_page(
            body, url, source, day, parser=parser, encoding=encoding, fetched_at=moment
        )
    except parsers.ParseError as exc:
        return ("refused", exc.reason, exc.message)
    except Exception as exc:  # noqa: BLE001 - a parser bug must not stop the crawl
        logger.exception("parser crashed on %s", url)
        return ("refused", "parser_error", f"{type(exc).__name__}: {exc}")
    return ("record", record, None)


class ParsePipeline:
    """Fetched page -> ``{"record": ...}`` or ``{"quarantine": ...}`` (or filtered).

    Parsing runs in the reactor thread unless ``WIREDESK_PARSE_IN_THREAD`` is
    true, when it runs in Twisted's thread pool.  Inline is the default: the
    parse holds the GIL nearly all the time, so a thread gained no overlap and
    cost GIL hand-offs on every socket call of the reactor (measured 10 %
    slower).  A process pool was measured too: on a 2-core box it was slower
    still, the pickling and the worker's start-up outweighing the gain.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.in_thread = crawler.settings.getbool("WIREDESK_PARSE_IN_THREAD", False)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ParsePipeline:
        return cls(crawler)

    async def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        spider = self.crawler.spider
        args = (item["body"], item["url"], spider.source.parser_id, spider.source.id,
                spider.day, item.get("encoding"), item["fetched_at"])
        if self.in_thread:
            from twisted.internet.threads import deferToThread  # not at import: reactor

            result = await maybe_deferred_to_future(deferToThread(parse_one, *args))
        else:
            result = parse_one(*args)
        return self._finish(item, result)

    def _finish(self, item: dict[str, Any], result: tuple[str, Any, str | None]) -> dict[str, Any]:
        kind, value, message = result
        fetch = {"url": item["url"], "fetched_url": item["fetched_url"],
                 "status": item.get("status")}
        if kind != "record":
            return {**fetch, "quarantine": _quarantine_row(item, value, message or "")}
        record = value
        record["fetched_url"] = item["fetched_url"]
        record["fetched_at"] = item["fetched_at"]
        record["raw"] = item["raw"]
        spider = self.crawler.spider
        if item.get("check_interval") and _outside(record, spider.day, spider.source.tz):
            return {**fetch, "filtered": "out_of_interval"}
        return {**fetch, "record": record}


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
        self._item_lines = 0  # records written so far: the next record's 0-based line

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunFilesPipeline:
        pipe = cls(crawler)
        crawler.signals.connect(pipe.spider_opened, signal=signals.spider_opened)
        return pipe

    def spider_opened(self) -> None:
        run_dir = RunDir(self.crawler.spider.run_dir)
        self._items = run_dir.open(ITEMS)
        self._quarantine = run_dir.open(QUARANTINE)

    def close_spider(self) -> None:
        for handle in (self._items, self._quarantine):
            if handle is not None:
                handle.close()

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        url = item["url"]
        fetch = {"status": item.get("status"), "fetched_url": item.get("fetched_url")}
        if "record" in item:
            # One record a line (json.dumps escapes every line break in a value).
            self._items.write(json.dumps(item["record"], ensure_ascii=False) + "\n")
            line, self._item_lines = self._item_lines, self._item_lines + 1
            wd_signals.send_url_outcome(self.crawler, url, "parsed", None, item=line, **fetch)
        elif "quarantine" in item:
            row = item["quarantine"]
            self._quarantine.write(json.dumps(row, ensure_ascii=False) + "\n")
            wd_signals.send_url_outcome(self.crawler, url, "quarantined", row["reason"], **fetch)
        else:
            wd_signals.send_url_outcome(self.crawler, url, "filtered", item.get("filtered", "unknown"), **fetch)
        # Keep Scrapy's in-memory item small: the body and record are on disk now.
        return {"url": url}


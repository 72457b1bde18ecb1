"""Progress of a crawl: a live line on a terminal, periodic log lines otherwise.

On a TTY the line is redrawn in place every second; elsewhere (Airflow task
logs, CI) one INFO line is logged every ``WIREDESK_PROGRESS_INTERVAL``
seconds, so logs stay readable and grep-able.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from typing import IO

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

logger = logging.getLogger(__name__)


class Progress:
    def __init__(self, crawler: Crawler, stream: IO[str] | None = None) -> None:
        interval = crawler.settings.getfloat("WIREDESK_PROGRESS_INTERVAL", 10.0)
        if interval <= 0:
            raise NotConfigured
        self.crawler = crawler
        self.stream = stream or sys.stderr
        # The runner pipes our stderr; it sets WIREDESK_PROGRESS_TTY when its
        # own stderr is a terminal, so the live line still reaches a person.
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)()) or (
            stream is None and os.environ.get("WIREDESK_PROGRESS_TTY") == "1"
        )
        self.interval = 1.0 if self.tty else interval
        self._loop: task.LoopingCall | None = None
        self._started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> None:
        self._started = time.monotonic()
        self._loop = task.LoopingCall(self.report)
        self._loop.start(self.interval, now=False)

    def spider_closed(self) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.report(final=True)

    def line(self) -> str:
        stats = self.crawler.stats
        get = stats.get_value
        fetched = get("downloader/response_count", 0)
        failed = get("wiredesk/fetch_failed", 0)
        elapsed = max(time.monotonic() - self._started, 1e-6)
        return (
            f"discovered {get('wiredesk/discovered', 0)} | fetched {fetched} | "
            f"parsed {get('wiredesk/parsed', 0)} | quarantined {get('wiredesk/quarantined', 0)} | "
            f"filtered {get('wiredesk/filtered', 0)} | failed {failed} | "
            f"{fetched / elapsed:.1f} pages/s"
        )

    def report(self, final: bool = False) -> None:
        text = self.line()
        if self.tty:
            self.stream.write("\r\x1b[2K" + text + ("\n" if final else ""))
            self.stream.flush()
        else:
            logger.info("progress: %s", text)

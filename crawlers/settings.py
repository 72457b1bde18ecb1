"""Scrapy settings of the wiredesk crawler: every default in one place.

Grouped by prefix like Scrapy's ``default_settings``.  Per-source politeness
(delay, concurrency, AutoThrottle target, contact) is applied on top at
"spider" priority by :class:`crawlers.spiders.wire.WireSpider`; command-line
``-s`` settings (the runner's ``settings=`` argument) win over both.

Adding a setting: give it a default here with a comment saying what it is
for, read it in the component's ``from_crawler``/``__init__``.
"""

from __future__ import annotations

import os

BOT_NAME = "wiredesk"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

# -- identity ---------------------------------------------------------------
#: An honest User-Agent with a contact; env WIREDESK_USER_AGENT replaces it.
USER_AGENT = os.environ.get(
    "WIREDESK_USER_AGENT",
    "wiredesk/0.1 (+https://github.com/wiredesk; contact: ops@example.org)",
)

# -- politeness ---------------------------------------------------------------
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
COOKIES_ENABLED = False

# -- limits -----------------------------------------------------------------
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
DOWNLOAD_FAIL_ON_DATALOSS = True

# -- retries ------------------------------------------------------------------
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
#: Longest wait honoured from a Retry-After header (seconds).
RETRY_AFTER_MAX = 60.0
#: Exponential backoff between retries without Retry-After: base * 2**attempt, capped.
RETRY_BACKOFF_BASE = 0.5
RETRY_BACKOFF_MAX = 30.0

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.RetryAfterMiddleware": 550,
    "crawlers.middlewares.OffsiteRedirectMiddleware": 610,
    "crawlers.middlewares.WarcArchiveMiddleware": 950,
}

# -- outputs ------------------------------------------------------------------
#: Items/requests of one callback's output processed concurrently.  Scrapy
#: starts this many asyncio worker tasks for *every* response's output
#: (default 100); an article callback returns exactly one item, so 100 tasks
#: per page were pure overhead (measured: ~1/4 of the reactor's CPU).
CONCURRENT_ITEMS = 1
ITEM_PIPELINES = {
    "crawlers.pipelines.ParsePipeline": 300,
    "crawlers.pipelines.RunFilesPipeline": 800,
}
EXTENSIONS = {
    "crawlers.accounting.Accounting": 100,
    "crawlers.progress.Progress": 200,
    "scrapy.extensions.telnet.TelnetConsole": None,
}
#: Write the raw WARC archive.
WIREDESK_WARC_ENABLED = True
#: Parse in Twisted's thread pool instead of in the reactor thread.  Off: the
#: parser is Python and lxml holding the GIL, so the threads only added GIL
#: hand-offs (5,000-page crawl: 141 pages/s and 40 s of CPU in threads,
#: 157 pages/s and 32 s inline).
WIREDESK_PARSE_IN_THREAD = False
#: Seconds between progress lines when stderr is not a terminal.
WIREDESK_PROGRESS_INTERVAL = 10.0
#: Largest feed/sitemap document read, after gunzip.
WIREDESK_MAX_XML_BYTES = 20 * 1024 * 1024
#: Most child sitemaps followed from one sitemap index.
WIREDESK_MAX_CHILD_SITEMAPS = 200

# -- logging and runtime --------------------------------------------------------
# The crawl process's own memory bound (Scrapy's memusage extension, checked every few
# seconds): over it, the crawl stops and fails (crawlers/accounting.py), so a retry or a
# bigger worker runs the day again instead of publishing part of it. 0 turns it off.
MEMUSAGE_ENABLED = True
MEMUSAGE_LIMIT_MB = int(os.environ.get("WIREDESK_CRAWL_MEMORY_MB", "2048"))
MEMUSAGE_WARNING_MB = MEMUSAGE_LIMIT_MB * 3 // 4
MEMUSAGE_CHECK_INTERVAL_SECONDS = 5.0

LOG_LEVEL = os.environ.get("WIREDESK_CRAWL_LOG_LEVEL", "INFO")
TELNETCONSOLE_ENABLED = False
#: No control port on a crawl worker.
REMOTE_CONTROL_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"

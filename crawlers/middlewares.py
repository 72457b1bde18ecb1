"""Downloader middlewares: polite retries, offsite redirects, the raw archive.

- :class:`RetryAfterMiddleware` replaces Scrapy's ``RetryMiddleware``: same
  settings and retry accounting, plus a wait before each retry, taken from
  ``Retry-After`` on 429/503 (capped by ``RETRY_AFTER_MAX``) or an
  exponential backoff (``RETRY_BACKOFF_BASE * 2**n``, capped by
  ``RETRY_BACKOFF_MAX``) for other 5xx and network errors.
- :class:`OffsiteRedirectMiddleware` refuses a redirect that leaves the
  source's allowed domains (article requests are ``dont_filter`` because the
  spider dedups them itself, so Scrapy's offsite filter would let it pass).
- :class:`WarcArchiveMiddleware` sits next to the downloader and writes
  every response, and a note for every network error, into the run's WARC.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.response import response_status_message

from crawlers.canon import host_allowed
from crawlers.warc import WarcArchive

logger = logging.getLogger(__name__)


class OffsiteRedirect(IgnoreRequest):
    """A redirect pointing outside the source's allowed domains."""


def parse_retry_after(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date)."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    """``RetryMiddleware`` that waits before retrying (see the module docstring)."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX", 60.0)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 0.5)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 30.0)

    def retry_delay(self, request: Request, response: Response | None = None) -> float:
        """How long to wait before the next attempt of ``request``."""
        if response is not None and response.status in (429, 503):
            header = parse_retry_after(response.headers.get(b"Retry-After"))
            if header is not None:
                return min(header, self.retry_after_max)
        attempt = request.meta.get("retry_times", 0)
        return min(self.backoff_base * (2**attempt), self.backoff_max)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        await self._sleep(self.retry_delay(request, response), request)
        return retry

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:
        if request.meta.get("dont_retry", False) or not isinstance(
            exception, self.exceptions_to_retry
        ):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await self._sleep(self.retry_delay(request), request)
        return retry

    async def _sleep(self, seconds: float, request: Request) -> None:
        if seconds <= 0:
            return
        self.crawler.stats.inc_value("retry/waited_seconds", seconds)
        logger.debug("waiting %.1fs before retrying %s", seconds, request)
        # Imported here: importing the reactor at module level would install
        # the default one before Scrapy installs the asyncio reactor.
        from twisted.internet import reactor
        from twisted.internet.task import deferLater

        await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))


class OffsiteRedirectMiddleware:
    """Raise :class:`OffsiteRedirect` for a 3xx whose target is not an allowed domain."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OffsiteRedirectMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if not (300 <= response.status < 400 and location):
            return response
        domains = getattr(getattr(self.crawler.spider, "source", None), "allowed_domains", None)
        if not domains:
            return response
        target = response.urljoin(location.decode("latin-1"))
        if not host_allowed(target, domains):
            self.crawler.stats.inc_value("wiredesk/offsite_redirects")
            raise OffsiteRedirect(f"redirect to {target} leaves {', '.join(domains)}")
        return response


class WarcArchiveMiddleware:
    """Archive every exchange in ``<run_dir>/<run_id>.warc.gz``; see :mod:`crawlers.warc`.

    The response's pointer is put in ``request.meta["wiredesk_raw"]`` so the
    spider can hand it to the record.  Switched off (``NotConfigured``) by
    ``WIREDESK_WARC_ENABLED = False``.
    """

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("WIREDESK_WARC_ENABLED", True):
            raise NotConfigured
        self.crawler = crawler
        self.archive: WarcArchive | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcArchiveMiddleware:
        mw = cls(crawler)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def spider_opened(self, spider: Spider) -> None:
        run_dir = getattr(spider, "run_dir", None)
        if run_dir is None:
            return
        self.archive = WarcArchive(
            Path(run_dir) / f"{spider.run_id}.warc.gz",
            spider.raw_key,
            software=self.crawler.settings.get("USER_AGENT", "wiredesk"),
        )

    def spider_closed(self, spider: Spider) -> None:
        if self.archive is not None:
            self.crawler.stats.set_value("wiredesk/warc_records", self.archive.records)
            self.archive.close()

    def process_response(self, request: Request, response: Response) -> Response:
        if self.archive is None:
            return response
        pointer = self.archive.write_exchange(
            url=response.url,
            method=request.method,
            request_headers=_header_pairs(request.headers),
            request_body=request.body or b"",
            status=response.status,
            reason=response_status_message(response.status).split(" ", 1)[-1],
            response_headers=_header_pairs(response.headers),
            body=response.body,
            protocol=response.protocol or "HTTP/1.1",
        )
        request.meta["wiredesk_raw"] = pointer
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if self.archive is not None:
            pointer = self.archive.write_error(
                url=request.url, error=type(exception).__name__, detail=str(exception)[:1000]
            )
            request.meta["wiredesk_raw"] = pointer
        return None


def _header_pairs(headers: Any) -> list[tuple[bytes, bytes]]:
    return [(key, value) for key, values in headers.items() for value in values]

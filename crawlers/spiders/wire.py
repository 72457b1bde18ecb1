"""The ``wire`` spider: discover one source's stories of one day and fetch them.

``scrapy crawl wire -a source=yonhap_en -a date=2025-03-10 -a run_dir=DIR
[-a mode=incremental|backfill|all] [-a sources_file=FILE] [-a run_id=R]``

Modes: ``incremental`` reads the feeds (and every feed a "feed directory"
page links) and the news sitemaps; ``backfill`` walks
the section listings page by page back to the start of the day; ``all``
does both.  Every discovered article URL is canonicalised, deduplicated,
announced with :data:`crawlers.signals.url_discovered` and later given
exactly one outcome (:data:`crawlers.signals.url_outcome`): filtered here
(offsite, a deny rule, robots.txt), fetch-failed in :meth:`article_failed`,
quarantined or parsed in the pipelines.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers import discovery
from crawlers import signals as wd_signals
from crawlers.accounting import utc_now
from crawlers.canon import canonicalize, host_allowed
from crawlers.discovery import DiscoveryError, Entry
from crawlers.failures import classify_failure
from crawlers.sources import CRAWL_MODES as MODES
from crawlers.sources import SourceSpec, get_source

_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)


def new_run_id(now: datetime | None = None) -> str:
    """``<UTC yyyymmddThhmmssZ>-<6 hex>``: sortable and unique enough per source-day."""
    now = now or datetime.now(UTC)
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


def raw_key(source_id: str, day: date, run_id: str) -> str:
    from storage.layout import raw_key as layout_raw_key

    return layout_raw_key(source_id, day, run_id)


class WireSpider(Spider):
    name = "wire"

    def __init__(
        self,
        source: str | None = None,
        date: str | None = None,
        run_dir: str | None = None,
        sources_file: str | None = None,
        mode: str = "incremental",
        run_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not source:
            raise ValueError("the wire spider needs -a source=<id or feed URL>")
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.source: SourceSpec = get_source(source, sources_file)
        self.day = _parse_day(date)
        self.mode = mode
        self.run_id = run_id or new_run_id()
        self.run_dir = Path(run_dir) if run_dir else Path("var/runs") / self.run_id
        self.raw_key = raw_key(self.source.id, self.day, self.run_id)
        self.allowed_domains = list(self.source.allowed_domains)
        self.interval = discovery.interval_bounds(self.day, self.source.tz)
        self._seen: set[str] = set()
        self._listing_seen: dict[int, set[str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> WireSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider._apply_politeness(crawler)
        return spider

    def _apply_politeness(self, crawler: Crawler) -> None:
        """The source's manners as spider-priority settings (``-s`` still wins)."""
        p = self.source.politeness
        s = crawler.settings
        s.set("DOWNLOAD_DELAY", p.download_delay, priority="spider")
        s.set("CONCURRENT_REQUESTS_PER_DOMAIN", p.concurrency_per_domain, priority="spider")
        s.set("AUTOTHROTTLE_ENABLED", p.autothrottle, priority="spider")
        s.set("AUTOTHROTTLE_TARGET_CONCURRENCY", p.autothrottle_target, priority="spider")
        if p.contact:
            agent = re.sub(r"contact: [^)]*", f"contact: {p.contact}", s.get("USER_AGENT"))
            s.set("USER_AGENT", agent, priority="spider")

    # -- entry points -------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        for request in self._start_requests():
            yield request

    def _start_requests(self) -> Iterator[Request]:
        if self.mode in ("incremental", "all"):
            for url in self.source.feeds:
                yield self._doc_request(url, self.parse_feed, "feed")
            for url in self.source.feed_directories:
                yield self._doc_request(url, self.parse_feed_directory, "feed_directory")
            for url in self.source.sitemaps:
                yield self._doc_request(url, self.parse_sitemap, "sitemap")
        if self.mode in ("backfill", "all"):
            for index, listing in enumerate(self.source.listings):
                page = listing.first_page
                yield self._doc_request(
                    listing.page_url(page),
                    self.parse_listing,
                    "listing",
                    meta={"listing": index, "page": page},
                )

    def _doc_request(
        self, url: str, callback: Any, kind: str, meta: dict[str, Any] | None = None
    ) -> Request:
        return Request(
            url,
            callback=callback,
            errback=self.document_failed,
            meta={"wiredesk_doc": kind, **(meta or {})},
            dont_filter=True,
            priority=10,  # discovery before fetching: the queue fills sooner
        )

    # -- discovery callbacks ------------------------------------------------
    def parse_feed(self, response: Response) -> Iterator[Request]:
        try:
            entries = discovery.parse_feed(response.body, self.source.tz, max_bytes=self._max_xml_bytes)
        except DiscoveryError as exc:
            self._discovery_error(response.url, exc)
            return
        yield from self._discover_entries(entries, via="feed")

    def parse_feed_directory(self, response: Response) -> Iterator[Request]:
        """An HTML page listing feeds: read every same-site feed it links (once)."""
        try:
            links = discovery.feed_links(
                response.body, response.url, encoding=_header_charset(response)
            )
        except DiscoveryError as exc:
            self._discovery_error(response.url, exc)
            return
        known = set(self.source.feeds)
        for url in links:
            if url not in known and host_allowed(url, self.source.allowed_domains):
                known.add(url)
                yield self._doc_request(url, self.parse_feed, "feed")

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        try:
            doc = discovery.parse_sitemap(response.body, self.source.tz, max_bytes=self._max_xml_bytes)
        except DiscoveryError as exc:
            self._discovery_error(response.url, exc)
            return
        if not doc.is_index:
            yield from self._discover_entries(doc.entries, via="sitemap")
            return
        limit = self.settings.getint("WIREDESK_MAX_CHILD_SITEMAPS", 200)
        start = self.interval[0]
        children = [e for e in doc.entries if e.published is None or e.published >= start]
        if len(children) > limit:
            self.crawler.stats.inc_value("wiredesk/discovery/child_sitemaps_capped")
            self.logger.warning(
                "sitemap index %s lists %d current sitemaps; following the first %d",
                response.url, len(children), limit,
            )
        for child in children[:limit]:
            url = response.urljoin(child.url)
            if host_allowed(url, self.source.allowed_domains):
                yield self._doc_request(url, self.parse_sitemap, "sitemap")

    def parse_listing(self, response: Response) -> Iterator[Request]:
        """One listing page: discover the day's stories, then decide on the next page."""
        try:
            entries = discovery.parse_listing(
                response.body, response.url, self.source.tz, encoding=_header_charset(response)
            )
        except DiscoveryError as exc:
            self._discovery_error(response.url, exc)
            return
        index, page = response.meta["listing"], response.meta["page"]
        # Only stories not seen on an earlier page count: a site that serves
        # page 1 again past the end then ends the walk like an empty page.
        seen = self._listing_seen.setdefault(index, set())
        stories = [e for e in self._listing_stories(entries) if e.url not in seen]
        seen.update(e.url for e in stories)
        yield from self._discover_entries(stories, via="listing")
        start = self.interval[0]
        if not stories or all(e.published is not None and e.published < start for e in stories):
            return  # walked back past the start of the day
        listing = self.source.listings[index]
        if page < listing.first_page + listing.max_pages - 1:
            yield self._doc_request(listing.page_url(page + 1), self.parse_listing, "listing",
                                    meta={"listing": index, "page": page + 1})
        else:
            self.crawler.stats.inc_value("wiredesk/discovery/listing_max_pages_reached")
            self.logger.warning("listing %s: stopped at max_pages=%d",
                                listing.url, listing.max_pages)

    def _listing_stories(self, entries: Iterable[Entry]) -> Iterator[Entry]:
        """The links of a listing page that are stories, canonical and dated.

        Navigation links (offsite, or matching no allow rule) are not
        candidates, so they are not "discovered" at all.  A story without a
        date in its block is dated by its URL (``url_date_pattern``) if it can be.
        """
        rules = self.source.url_filters
        for entry in entries:
            url = self._canonical(entry.url)
            if not host_allowed(url, self.source.allowed_domains):
                continue
            if rules.allow and rules.reject_reason(url) == "not_article":
                continue
            published = entry.published or discovery.date_from_url(
                url, self.source.url_date_pattern, self.source.tz
            )
            yield Entry(url, published)

    def document_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        outcome = classify_failure(failure)
        if (
            request.meta.get("wiredesk_doc") == "listing"
            and outcome.status == 404
            and request.meta["page"] > self.source.listings[request.meta["listing"]].first_page
        ):
            # Past the last page of a listing: the normal end of pagination.
            self.crawler.stats.inc_value("wiredesk/discovery/listing_end_404")
            return
        self._discovery_error(
            request.url,
            DiscoveryError(outcome.reason, f"{request.meta.get('wiredesk_doc')} not fetched: "
                           f"{failure.getErrorMessage()}"),
        )

    # -- articles -----------------------------------------------------------
    def _discover_entries(self, entries: Iterable[Entry], via: str) -> Iterator[Request]:
        kept = 0
        for entry in entries:
            if not entry.belongs_to(self.day, self.source.tz):
                self.crawler.stats.inc_value(f"wiredesk/discovery/{via}_entries_other_days")
                continue
            kept += 1
            request = self._discover(entry.url, via=via, check_date=entry.needs_date_check)
            if request is not None:
                yield request
        self.crawler.stats.inc_value(f"wiredesk/discovery/{via}_entries_in_interval", kept)

    def _canonical(self, url: str) -> str:
        return canonicalize(url, strip_params=self.source.strip_params,
                            allowed_domains=self.source.allowed_domains)

    def _discover(self, url: str, *, via: str, check_date: bool) -> Request | None:
        if via != "listing":  # listing links were canonicalised to match the allow rules
            url = self._canonical(url)
        if url in self._seen:
            self.crawler.stats.inc_value("wiredesk/discovery/duplicate_urls")
            return None
        self._seen.add(url)
        self._signal(wd_signals.url_discovered, url=url, via=via)
        if not host_allowed(url, self.source.allowed_domains):
            wd_signals.send_url_outcome(self.crawler, url, "filtered", "offsite")
            return None
        rule = self.source.url_filters.reject_reason(url)
        if rule:
            wd_signals.send_url_outcome(self.crawler, url, "filtered", rule)
            return None
        return Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            dont_filter=True,  # deduplicated above, by canonical URL
            meta={"wiredesk_url": url, "wiredesk_check_date": check_date},
        )

    def parse_article(self, response: Response) -> dict[str, Any]:
        # ``url`` is the URL as discovered (carried in meta through redirects),
        # ``fetched_url`` the one that answered: the ledger is keyed by the first.
        return {
            "url": response.meta["wiredesk_url"],
            "fetched_url": response.url,
            "status": response.status,
            "body": response.body,
            "encoding": _header_charset(response),
            "fetched_at": utc_now(),
            "raw": response.meta.get("wiredesk_raw"),
            "check_interval": response.meta.get("wiredesk_check_date", True),
        }

    def article_failed(self, failure: Failure) -> None:
        # After a redirect ``failure.request`` is the redirected request: the
        # outcome belongs to the discovered URL its meta carries along.
        request = failure.request  # type: ignore[attr-defined]
        outcome = classify_failure(failure)
        url = request.meta.get("wiredesk_url", request.url)
        if outcome.outcome == "fetch_failed":
            self.logger.info("fetch failed (%s): %s", outcome.reason, request.url)
        response = getattr(failure.value, "response", None)  # an HTTP error's final response
        fetched_url = response.url if isinstance(response, Response) else None
        wd_signals.send_url_outcome(self.crawler, url, outcome.outcome, outcome.reason,
                                    status=outcome.status, fetched_url=fetched_url)

    # -- helpers ------------------------------------------------------------
    @property
    def _max_xml_bytes(self) -> int:
        # One cap for the whole document path: gunzip and parse both honour it.
        return self.settings.getint("WIREDESK_MAX_XML_BYTES", discovery.MAX_XML_BYTES)

    def _discovery_error(self, url: str, exc: DiscoveryError) -> None:
        self._signal(wd_signals.discovery_error, url=url, reason=exc.reason, message=exc.message)

    def _signal(self, signal: object, **kwargs: Any) -> None:
        self.crawler.signals.send_catch_log(signal, **kwargs)


def _parse_day(value: str | None) -> date:
    if not value:
        return (datetime.now(UTC) - timedelta(days=1)).date()
    return date.fromisoformat(value)


def _header_charset(response: Response) -> str | None:
    content_type = response.headers.get(b"Content-Type")
    if not content_type:
        return None
    match = _CHARSET.search(content_type.decode("latin-1"))
    return match.group(1) if match else None

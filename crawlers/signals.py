"""Signals of a wiredesk crawl, sent with ``crawler.signals.send_catch_log``.

They carry every discovered URL to its single outcome, so the accounting
extension can count them without the spider, middlewares and pipelines
knowing about each other (Scrapy's own stats are kept the same way).
"""

from __future__ import annotations

from typing import Any

#: ``url`` (canonical) was discovered; ``via`` names the feed/sitemap/listing kind.
url_discovered = object()

#: ``url`` (as discovered) reached its outcome: ``outcome`` in
#: :data:`crawlers.accounting.OUTCOMES`, ``reason`` a short counter key; optional
#: ``status`` and ``fetched_url``, the HTTP status and URL of the final response
#: (after redirects) if there was one, and ``item``, a parsed page's 0-based line
#: in ``items.jsonl.gz``.
url_outcome = object()


def send_url_outcome(
    crawler: Any,
    url: str,
    outcome: str,
    reason: str | None,
    *,
    status: int | None = None,
    fetched_url: str | None = None,
    item: int | None = None,
) -> None:
    """Send :data:`url_outcome` with every keyword the receivers expect, from any component."""
    crawler.signals.send_catch_log(
        url_outcome, url=url, outcome=outcome, reason=reason, status=status,
        fetched_url=fetched_url, item=item,
    )

#: a feed, sitemap or listing page could not be read: ``url``, ``reason``, ``message``.
discovery_error = object()

"""Feed, sitemap and listing parsing on small inline documents; XML/gzip bombs refused."""

from __future__ import annotations

import gzip
import resource
import time
import zlib
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from crawlers.discovery import (
    DiscoveryError,
    date_from_url,
    in_interval,
    parse_feed,
    parse_listing,
    parse_sitemap,
    xml_body,
)

SEOUL = ZoneInfo("Asia/Seoul")

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>t</title>
<item><title>a</title><link>https://en.yna.co.kr/view/AEN20250310000200315</link>
  <pubDate>Mon, 10 Mar 2025 23:30:00 +0900</pubDate></item>
<item><title>b</title><link>https://en.yna.co.kr/view/AEN20250309000200315</link>
  <pubDate>Sun, 09 Mar 2025 23:59:00 +0900</pubDate></item>
<item><title>no date, guid only</title>
  <guid isPermaLink="true">https://en.yna.co.kr/view/AEN20250310000300315</guid></item>
</channel></rss>"""

ATOM = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<entry><link rel="enclosure" href="https://x.org/a.jpg"/><link href="https://x.org/story-1"/>
<updated>2025-03-10T01:00:00Z</updated></entry></feed>"""

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://en.yna.co.kr/view/AEN20250310000200315</loc>
  <news:news><news:publication><news:name>Yonhap</news:name></news:publication>
  <news:publication_date>2025-03-10T09:00:00+09:00</news:publication_date></news:news></url>
<url><loc>https://en.yna.co.kr/view/AEN20250310000900315</loc><lastmod>2025-03-10</lastmod></url>
</urlset>"""

INDEX = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://en.yna.co.kr/sitemap/news/2025-03-10.xml.gz</loc>
<lastmod>2025-03-10T17:30:00+09:00</lastmod></sitemap></sitemapindex>"""


def test_rss_entries_with_dates_and_guid_links():
    entries = parse_feed(RSS, SEOUL)
    assert [e.url.rsplit("/", 1)[1] for e in entries] == [
        "AEN20250310000200315", "AEN20250309000200315", "AEN20250310000300315",
    ]
    assert entries[0].published == datetime(2025, 3, 10, 23, 30, tzinfo=SEOUL)
    assert entries[2].published is None
    kept = [e for e in entries if e.belongs_to(date(2025, 3, 10), SEOUL)]
    # the 9 March story is out; the undated one is kept for the parsed date to decide
    assert [e.url for e in kept] == [entries[0].url, entries[2].url]


def test_atom_prefers_the_alternate_link():
    (entry,) = parse_feed(ATOM)
    assert entry.url == "https://x.org/story-1"
    assert in_interval(entry.published, date(2025, 3, 10), SEOUL)
    assert not entry.exact and entry.needs_date_check  # <updated> is not a publication date


def test_news_sitemap_reads_nested_publication_date():
    doc = parse_sitemap(NEWS_SITEMAP, SEOUL)
    assert not doc.is_index
    assert doc.entries[0].published == datetime(2025, 3, 10, 9, 0, tzinfo=SEOUL)
    assert doc.entries[0].exact and not doc.entries[0].needs_date_check
    assert doc.entries[1].published == datetime(2025, 3, 10, tzinfo=SEOUL)  # lastmod fallback
    assert not doc.entries[1].exact


def test_gzipped_sitemap_index():
    body = xml_body(gzip.compress(INDEX))
    doc = parse_sitemap(body)
    assert doc.is_index
    assert doc.entries[0].url.endswith("2025-03-10.xml.gz")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<rss><channel><item><link>https://x/1</link>", "malformed_xml"),
        (b"", "empty"),
        (b"<html><body>not a feed</body></html>", "not_a_feed"),
        (b"\x1f\x8b\x08garbage", "bad_gzip"),
    ],
)
def test_broken_feeds_raise_an_explained_error(body, reason):
    with pytest.raises(DiscoveryError) as info:
        parse_feed(xml_body(body))
    assert info.value.reason == reason
    assert info.value.message


def test_xml_entity_bomb_is_refused_quickly():
    levels = "".join(
        f'<!ENTITY l{i} "{"".join(f"&l{i - 1};" for _ in range(10))}">' for i in range(1, 10)
    )
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY l0 "lol">{levels}]>'
        "<rss><channel><item><link>&l9;</link></item></channel></rss>"
    ).encode()
    started = time.monotonic()
    with pytest.raises(DiscoveryError) as info:
        parse_feed(bomb)
    assert info.value.reason == "xml_entities"
    assert time.monotonic() - started < 1.0


def _gzip_bomb(megabytes: int) -> bytes:
    """A gzip stream inflating to ``megabytes`` MB, built without holding them in memory."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip container
    chunk = b" " * (1024 * 1024)
    parts = [packer.compress(b"<")] + [packer.compress(chunk) for _ in range(megabytes)]
    return b"".join(parts) + packer.flush()


def test_gzip_bomb_stops_at_the_cap_with_bounded_memory():
    bomb = _gzip_bomb(200)  # ~200 KB on the wire
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(DiscoveryError) as info:
        xml_body(bomb, max_bytes=2 * 1024 * 1024)
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert info.value.reason == "too_large"
    # stopped while inflating, not refused after a full inflate by the plain size check
    assert "cannot gunzip" in info.value.message
    assert grown_kb < 50 * 1024  # far below the 200 MB the bomb would inflate to


def test_listing_links_dated_by_their_block():
    page = b"""<html><body><ul>
    <li><article><h2><a href="//en.yna.co.kr/view/AEN20250310000200315">A</a></h2>
      <span class="date">2025-03-10 18:10</span></article></li>
    <li><a href="/view/AEN20250309000200315">B</a>
      <time datetime="2025-03-09T08:00:00+09:00">x</time></li>
    </ul><a href="/national/index">nav</a></body></html>"""
    entries = parse_listing(page, "https://en.yna.co.kr/news", SEOUL)
    by_url = {e.url: e.published for e in entries}
    assert by_url["https://en.yna.co.kr/view/AEN20250310000200315"] == datetime(
        2025, 3, 10, 18, 10, tzinfo=SEOUL
    )
    assert by_url["https://en.yna.co.kr/view/AEN20250309000200315"].day == 9
    assert "https://en.yna.co.kr/national/index" in by_url


def test_date_from_url():
    pattern = r"/view/A[A-Z]{2}(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"
    moment = date_from_url("https://en.yna.co.kr/view/AEN20250310000200315", pattern, SEOUL)
    assert moment == datetime(2025, 3, 10, tzinfo=SEOUL)
    assert date_from_url("https://en.yna.co.kr/view/AEN20251399000200315", pattern, SEOUL) is None

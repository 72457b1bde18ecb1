"""The wire spider's discovery, without a network: documents in, requests and outcomes out."""

from __future__ import annotations

from scrapy import Request
from scrapy.http import HtmlResponse, Response, XmlResponse
from scrapy.utils.test import get_crawler

from crawlers import signals as wd_signals
from crawlers.spiders.wire import WireSpider

BASE = "https://en.yna.co.kr"


def _spider(mode="incremental", day="2025-03-10"):
    crawler = get_crawler(WireSpider)
    spider = WireSpider(source="yonhap_en", date=day, mode=mode, run_dir="/nonexistent")
    spider._set_crawler(crawler)  # from_crawler would set politeness on frozen test settings
    crawler.spider = spider
    events = []
    crawler.signals.connect(lambda **kw: events.append(("discovered", kw["url"])),
                            signal=wd_signals.url_discovered, weak=False)
    crawler.signals.connect(lambda **kw: events.append((kw["outcome"], kw["url"], kw["reason"])),
                            signal=wd_signals.url_outcome, weak=False)
    crawler.signals.connect(lambda **kw: events.append(("error", kw["url"], kw["reason"])),
                            signal=wd_signals.discovery_error, weak=False)
    return spider, events


def _item(link, date="Mon, 10 Mar 2025 09:00:00 +0900"):
    return f"<item><link>{link}</link><pubDate>{date}</pubDate></item>"


def test_feed_entries_are_canonicalised_deduplicated_and_filtered():
    spider, events = _spider()
    body = "<rss><channel>" + "".join([
        _item(f"{BASE}/view/AEN20250310000200315?utm_source=rss"),
        _item("https://m-en.yna.co.kr/view/AEN20250310000200315#top"),  # same story
        _item(f"{BASE}/view/PYH20250310000200315"),  # photo: deny rule
        _item("https://elsewhere.example/view/AEN20250310000300315"),  # offsite
        _item(f"{BASE}/view/AEN20250309000200315", "Sun, 09 Mar 2025 09:00:00 +0900"),
    ]) + "</channel></rss>"
    response = XmlResponse(f"{BASE}/RSS/news.xml", body=body.encode())
    requests = list(spider.parse_feed(response))
    assert [r.url for r in requests] == [f"{BASE}/view/AEN20250310000200315"]
    assert requests[0].dont_filter
    assert requests[0].meta["wiredesk_check_date"] is False  # pubDate is a publication date
    assert events == [
        ("discovered", f"{BASE}/view/AEN20250310000200315"),
        ("discovered", f"{BASE}/view/PYH20250310000200315"),
        ("filtered", f"{BASE}/view/PYH20250310000200315", "photo"),
        ("discovered", "https://elsewhere.example/view/AEN20250310000300315"),
        ("filtered", "https://elsewhere.example/view/AEN20250310000300315", "offsite"),
    ]
    stats = spider.crawler.stats
    assert stats.get_value("wiredesk/discovery/duplicate_urls") == 1
    assert stats.get_value("wiredesk/discovery/feed_entries_other_days") == 1


def test_lastmod_only_entries_are_kept_from_the_day_on_and_checked_after_parsing():
    spider, _ = _spider()
    body = f"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <url><loc>{BASE}/view/AEN20250310000400315</loc><lastmod>2025-03-11T09:00:00+09:00</lastmod></url>
    <url><loc>{BASE}/view/AEN20250309000400315</loc><lastmod>2025-03-09T23:00:00+09:00</lastmod></url>
    </urlset>""".encode()
    requests = list(spider.parse_sitemap(XmlResponse(f"{BASE}/sitemap/news/x.xml", body=body)))
    # modified on D+1: may still be D's story; modified before D: cannot be
    assert [r.url for r in requests] == [f"{BASE}/view/AEN20250310000400315"]
    assert requests[0].meta["wiredesk_check_date"] is True


def test_malformed_feed_is_an_explained_discovery_error():
    spider, events = _spider()
    response = XmlResponse(f"{BASE}/RSS/news.xml", body=b"<rss><channel><item>")
    assert list(spider.parse_feed(response)) == []
    assert events == [("error", f"{BASE}/RSS/news.xml", "malformed_xml")]


def test_sitemap_index_follows_only_current_children():
    spider, _ = _spider()
    body = f"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sitemap><loc>{BASE}/sitemap/news/2025-03-09.xml</loc><lastmod>2025-03-09T18:00:00+09:00</lastmod></sitemap>
    <sitemap><loc>{BASE}/sitemap/news/2025-03-10.xml.gz</loc><lastmod>2025-03-10T18:00:00+09:00</lastmod></sitemap>
    <sitemap><loc>https://elsewhere.example/sitemap.xml</loc></sitemap>
    </sitemapindex>""".encode()
    requests = list(spider.parse_sitemap(XmlResponse(f"{BASE}/sitemap/index.xml", body=body)))
    assert [r.url for r in requests] == [f"{BASE}/sitemap/news/2025-03-10.xml.gz"]


def _listing(*stories):
    items = "".join(
        f'<li><a href="/view/{sid}">t</a><span class="date">{when}</span></li>'
        for sid, when in stories
    )
    return f'<html><body><a href="/national/index">nav</a><ul>{items}</ul></body></html>'.encode()


def test_listing_walk_goes_back_to_the_start_of_the_day_and_stops():
    spider, events = _spider(mode="backfill")
    page1 = HtmlResponse(f"{BASE}/news", body=_listing(
        ("AEN20250311000100315", "2025-03-11 08:00"), ("AEN20250310000900315", "2025-03-10 21:00"),
    ), request=Request(f"{BASE}/news", meta={"listing": 0, "page": 1}))
    out = list(spider.parse_listing(page1))
    assert [r.url for r in out] == [f"{BASE}/view/AEN20250310000900315", f"{BASE}/news/2"]
    page2 = HtmlResponse(f"{BASE}/news/2", body=_listing(
        ("AEN20250310000100315", "2025-03-10 00:30"), ("AEN20250309000900315", "2025-03-09 22:00"),
    ), request=Request(f"{BASE}/news/2", meta={"listing": 0, "page": 2}))
    assert [r.url for r in spider.parse_listing(page2)] == [
        f"{BASE}/view/AEN20250310000100315", f"{BASE}/news/3",
    ]
    page3 = HtmlResponse(f"{BASE}/news/3", body=_listing(
        ("AEN20250309000100315", "2025-03-09 10:00"),
    ), request=Request(f"{BASE}/news/3", meta={"listing": 0, "page": 3}))
    assert list(spider.parse_listing(page3)) == []  # only older stories: the walk ends
    assert not any(e[0] == "discovered" and "national" in e[1] for e in events)


def test_listing_that_serves_a_page_again_ends_the_walk():
    spider, events = _spider(mode="backfill")
    body = _listing(("AEN20250310000900315", "2025-03-10 21:00"))
    page1 = HtmlResponse(f"{BASE}/news", body=body,
                         request=Request(f"{BASE}/news", meta={"listing": 0, "page": 1}))
    assert [r.url for r in spider.parse_listing(page1)] == [
        f"{BASE}/view/AEN20250310000900315", f"{BASE}/news/2",
    ]
    # past its end the site answers with page 1 again: nothing new, no page 3
    again = HtmlResponse(f"{BASE}/news/2", body=body,
                         request=Request(f"{BASE}/news/2", meta={"listing": 0, "page": 2}))
    assert list(spider.parse_listing(again)) == []
    assert [e for e in events if e[0] == "discovered"] == [
        ("discovered", f"{BASE}/view/AEN20250310000900315"),
    ]


def test_listing_404_past_the_first_page_ends_pagination_but_not_on_the_first():
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.python.failure import Failure

    spider, events = _spider(mode="backfill")

    def not_found(url, page):
        request = Request(url, meta={"wiredesk_doc": "listing", "listing": 0, "page": page})
        failure = Failure(HttpError(Response(url, status=404, request=request), "404"))
        failure.request = request
        return failure

    spider.document_failed(not_found(f"{BASE}/news/7", 7))
    assert events == []
    assert spider.crawler.stats.get_value("wiredesk/discovery/listing_end_404") == 1
    spider.document_failed(not_found(f"{BASE}/news", 1))
    assert events == [("error", f"{BASE}/news", "http_404")]


def test_a_redirected_article_is_settled_under_its_discovered_url():
    from scrapy.exceptions import IgnoreRequest
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.python.failure import Failure

    spider, _ = _spider()
    outcomes = []
    spider.crawler.signals.connect(lambda **kw: outcomes.append(kw),
                                   signal=wd_signals.url_outcome, weak=False)
    (request,) = spider.parse_feed(XmlResponse(
        f"{BASE}/RSS/news.xml",
        body=("<rss><channel>" + _item(f"{BASE}/view/AEN20250310000200315")
              + "</channel></rss>").encode()))
    # what RedirectMiddleware hands on: the target URL, the original's meta
    moved = request.replace(url=f"{BASE}/view/AEN20250310000201315")
    item = spider.parse_article(HtmlResponse(moved.url, body=b"<html></html>", request=moved))
    assert (item["url"], item["fetched_url"]) == (request.url, moved.url)

    gone = Failure(HttpError(Response(moved.url, status=404, request=moved), "404"))
    gone.request = moved
    spider.article_failed(gone)
    refused = Failure(IgnoreRequest("max redirections reached"))
    refused.request = moved
    spider.article_failed(refused)
    assert [(o["url"], o["fetched_url"], o["status"]) for o in outcomes] == [
        (request.url, moved.url, 404),
        (request.url, None, None),  # no final response: nothing was fetched
    ]


def test_source_politeness_applies_at_spider_priority_and_cmdline_wins(tmp_path):
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings

    import crawlers.settings as project

    sources = tmp_path / "s.yaml"
    sources.write_text("apnews:\n  politeness: {contact: news@example.net}\n", encoding="utf-8")
    settings = Settings()
    settings.setmodule(project, priority="project")
    settings.set("DOWNLOAD_DELAY", 0.1, priority="cmdline")
    crawler = Crawler(WireSpider, settings)
    crawler._create_spider(source="apnews", date="2025-03-10", sources_file=str(sources))
    assert crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1  # from the spec
    assert crawler.settings.getfloat("DOWNLOAD_DELAY") == 0.1  # -s beats the spec's 2.0
    assert crawler.settings.getbool("ROBOTSTXT_OBEY")
    assert "contact: news@example.net" in crawler.settings.get("USER_AGENT")

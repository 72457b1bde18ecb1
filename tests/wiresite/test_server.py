"""The local wire site: pages, feeds, sitemaps, listings, robots.txt, faults,
synthetic mode, host rewriting and a reproducible build."""

from __future__ import annotations

import gzip
import http.client
import json
import re
import urllib.robotparser
import xml.etree.ElementTree as ET
from datetime import date, datetime
from urllib.parse import urlsplit

import pytest

from devsite import WireSite
from devsite.build import render_pages, site_routes
from devsite.content import articles
from devsite.faults import ARTICLE_FAULTS, HUGE_BYTES, OFFSITE_URL

NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
    "atom": "http://www.w3.org/2005/Atom",
}
DAYS = [date(2025, 3, 10), date(2025, 3, 11), date(2025, 3, 12)]
EMBARGOED = "/view/AEN20250311009900315"


def fetch(url: str, method: str = "GET", timeout: float = 5.0):
    """(status, headers, body) without following redirects."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, target)
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def get_ok(url: str) -> bytes:
    status, _, body = fetch(url)
    assert status == 200, url
    return body


def rss_links(body: bytes) -> list[tuple[str, datetime]]:
    from email.utils import parsedate_to_datetime

    return [
        (item.findtext("link"), parsedate_to_datetime(item.findtext("pubDate")))
        for item in ET.fromstring(body).iter("item")
    ]


def sitemap_urls(body: bytes) -> list[tuple[str, str]]:
    root = ET.fromstring(body)
    return [
        (url.findtext("sm:loc", namespaces=NS),
         url.findtext("news:news/news:publication_date", namespaces=NS))
        for url in root.iterfind("sm:url", NS)
    ]


def listing_links(site: WireSite, first_path: str) -> list[str]:
    """Walk a paginated /news-style listing; article paths in page order."""
    found, path, seen_pages = [], first_path, set()
    while path and path not in seen_pages:
        seen_pages.add(path)
        html = get_ok(site.url(path)).decode()
        found += re.findall(r'<h2 class="tit"><a href="//[^/]+(/view/\w+)"', html)
        nxt = re.search(r'<a href="//[^/]+(/[^"]+)" class="next">', html)
        path = nxt.group(1) if nxt else None
    return found


# -- content -----------------------------------------------------------------


def test_content_has_enough_stories_per_day_with_real_id_anatomy():
    stories = articles("yonhap_en", include_embargoed=True)
    assert len(stories) >= 24
    for day in DAYS:
        assert sum(s.published.date() == day for s in stories) >= 8
    for story in stories:
        assert re.fullmatch(r"AEN2025031[012]\d{4}\d{2}\d{3}", story.id)
        assert story.published.utcoffset().total_seconds() == 9 * 3600
    titles = {s.id: s.title for s in stories}
    assert titles["AEN20250312000351320"].startswith("(LEAD) ")
    assert titles["AEN20250311002052315"].startswith("(2nd LD) ")
    assert titles["AEN20250312001200325"].startswith("(URGENT) ")
    assert len(articles("yonhap_ko")) >= 4 and len(articles("apnews")) >= 3


def test_lead_update_changes_the_text_of_its_first_version():
    by_id = {s.id: s for s in articles("yonhap_en")}
    first, lead = by_id["AEN20250312000300320"], by_id["AEN20250312000351320"]
    assert first.id[:15] == lead.id[:15] and lead.id[15:17] == "51"
    assert lead.published > first.published
    assert lead.paragraphs[0] == first.paragraphs[0]
    assert set(lead.paragraphs) - set(first.paragraphs)  # new text in the update
    assert lead.get("attn").startswith("(ATTN: UPDATES")


# -- pages, feeds, sitemaps, listings ----------------------------------------


def test_article_page_has_the_real_markup_and_boilerplate(wiresite):
    html = get_ok(wiresite.url("/view/AEN20250312000351320")).decode()
    for marker in (
        '<link rel="canonical" id="canonical" href="' + wiresite.base_url + "/view/",
        'property="article:published_time" content="2025-03-12T11:05:00+09:00"',
        '<h1 class="tit" data-cid="">(LEAD) Household loans',
        '<article class="story-news">',
        "By Kim Soo-yeon</p>",
        "<p> SEOUL, March 12 (Yonhap) -- ",
        '<p class="txt-desc">',
        "sykim@yna.co.kr<br/>(END)</p>",
        'class="keyword-zone01"', 'id="langMenu"', 'id="tickerWeather"', "Latest News",
        "Most Viewed", "Most Liked", '<footer id="footer">', 'class="path"',
        "CONTENT_DATA = JSON.stringify(",
    ):
        assert marker in html, marker
    assert '"@type": "BreadcrumbList"' in html


def test_story_markup_variants_tables_inline_links_related_and_price_list(wiresite):
    table = get_ok(wiresite.url("/view/AEN20250311006000320")).decode()
    assert '<table class="tbl-type01">' in table and "<td>U.S. dollar</td>" in table
    linked = get_ok(wiresite.url("/view/AEN20250311002052315")).decode()
    assert ('plant<span class="txt-hyper"><a href="' + wiresite.url("/view/AEN20250311002051315")
            + '" target="_blank" title="Opening new web browser window"> caught fire') in linked
    story = linked[linked.index('<article class="story-news">'):linked.index("</article>")]
    assert '<div class="related-group">' in story and "Related Articles" in story
    prices = get_ok(wiresite.url("/view/AEN20250312004700320")).decode()
    assert "<p> Samsung Elec 56,300 UP 700<br/>SK hynix 198,500 DN 2,000<br/>" in prices
    assert "(MORE)</p>" in prices and "(END)" not in prices
    assert "ARTICLE_SLIDE_DATA = {" in prices


def test_rss_lists_recent_articles_of_the_three_days_in_seoul_time(wiresite):
    items = rss_links(get_ok(wiresite.url("/RSS/news.xml")))
    assert len(items) == 20
    assert [when for _, when in items] == sorted((when for _, when in items), reverse=True)
    for link, when in items:
        assert link.startswith(wiresite.base_url + "/view/AEN2025031")
        assert when.utcoffset().total_seconds() == 9 * 3600 and when.date() in DAYS


def test_day_sitemaps_list_exactly_that_days_stories(wiresite):
    index = ET.fromstring(get_ok(wiresite.url("/sitemap/index.xml")))
    locs = [e.text for e in index.iterfind("sm:sitemap/sm:loc", NS)]
    assert len(locs) == 3 and locs[0].endswith("/sitemap/news/2025-03-10.xml.gz")
    stories = articles("yonhap_en", include_embargoed=True)
    for loc, day in zip(locs, DAYS, strict=True):
        body = get_ok(loc)
        if loc.endswith(".gz"):
            body = gzip.decompress(body)
            assert body == get_ok(loc.removesuffix(".gz"))
        urls = sitemap_urls(body)
        expected = {wiresite.base_url + "/view/" + s.id for s in stories
                    if s.published.date() == day}
        assert {u for u, _ in urls} == expected
        assert all(when.startswith(day.isoformat()) for _, when in urls)


def test_listing_backfill_finds_exactly_each_days_stories(wiresite):
    links = listing_links(wiresite, "/news")
    assert len(links) == len(set(links)) == len(articles("yonhap_en", include_embargoed=True))
    html = get_ok(wiresite.url("/news/2")).decode()
    dates = re.findall(r'<span class="date">(\d{4}-\d{2}-\d{2}) ', html)
    assert dates == sorted(dates, reverse=True)
    for day in DAYS:
        on_day = {"/view/" + s.id for s in articles("yonhap_en", include_embargoed=True)
                  if s.published.date() == day}
        assert on_day <= set(links)
    # Section listings are newest first too and only hold their section.
    nk = listing_links(wiresite, "/nk/index")
    assert nk and all(link.endswith("325") for link in nk)


def test_every_linked_page_is_served_and_robots_disallowed_one_never_fetched(wiresite):
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(get_ok(wiresite.url("/robots.txt")).decode().splitlines())
    linked = {urlsplit(link).path for link, _ in rss_links(get_ok(wiresite.url("/RSS/news.xml")))}
    for day in DAYS:
        body = get_ok(wiresite.url(f"/sitemap/news/{day}.xml"))
        linked |= {urlsplit(u).path for u, _ in sitemap_urls(body)}
    linked |= set(listing_links(wiresite, "/news"))
    assert EMBARGOED in linked
    for path in sorted(linked):
        if not robots.can_fetch("wiredesk", wiresite.url(path)):
            continue
        body = get_ok(wiresite.url(path))
        assert b'<article class="story-news">' in body
    assert not robots.can_fetch("wiredesk", wiresite.url(EMBARGOED))
    requested = [path for _, path, _ in wiresite.requests]
    assert EMBARGOED not in requested
    assert all(status == 200 for _, _, status in wiresite.requests)


def test_no_internal_link_on_any_page_is_dead(wiresite):
    """Navigation, footers, sidebars: every same-site link on every page answers 200."""
    for source, served in site_routes().items():
        base = wiresite.base_urls[source]
        host = base.removeprefix("http://")
        robots = urllib.robotparser.RobotFileParser()
        robots.parse(get_ok(base + "/robots.txt").decode().splitlines())
        targets: set[str] = set()
        for path, route in served.items():
            if route.content_type.startswith("text/html"):
                body = get_ok(base + path).decode("euc-kr" if source == "yonhap_ko" else "utf-8")
                targets |= set(re.findall(rf'(?:href|src)="(?:http:)?//{re.escape(host)}(/[^"]*)"',
                                          body))
        assert len(targets) > 20
        for target in sorted(targets):
            target = target.replace("&amp;", "&")
            if robots.can_fetch("wiredesk", base + target):
                assert fetch(base + target)[0] == 200, (source, target)


def test_robots_txt_content(wiresite):
    status, headers, body = fetch(wiresite.url("/robots.txt"))
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    text = body.decode()
    assert "User-agent: *\nDisallow: /private/" in text
    assert f"Disallow: {EMBARGOED}\n" in text
    assert f"Sitemap: {wiresite.base_url}/sitemap/index.xml" in text


def test_head_gives_headers_without_body(wiresite):
    status, headers, body = fetch(wiresite.url("/view/AEN20250310000200315"), method="HEAD")
    assert status == 200 and body == b""
    assert int(headers["Content-Length"]) == len(get_ok(wiresite.url("/view/AEN20250310000200315")))


def test_etag_makes_a_conditional_get_a_304(wiresite):
    url = wiresite.url("/RSS/news.xml")
    _, headers, _ = fetch(url)
    etag = headers["ETag"]
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        conn.request("GET", parts.path, headers={"If-None-Match": etag})
        response = conn.getresponse()
        assert response.status == 304 and response.read() == b""
        conn.request("GET", parts.path, headers={"If-None-Match": '"stale"'})
        assert conn.getresponse().status == 200
    finally:
        conn.close()


def test_unknown_path_is_404_and_photos_resolve_locally(wiresite):
    assert fetch(wiresite.url("/view/AEN20990101000000000"))[0] == 404
    status, headers, body = fetch(wiresite.url("/photo/yna/YH/2025/03/12/X_P4.jpg"))
    assert status == 200 and headers["Content-Type"] == "image/jpeg" and body[:2] == b"\xff\xd8"


def test_addresses_are_rewritten_to_each_servers_own_host():
    with WireSite() as one, WireSite() as two:
        assert one.base_url != two.base_url
        for site in (one, two):
            for path in ("/RSS/news.xml", "/news", "/view/AEN20250311002051315"):
                body = get_ok(site.url(path))
                assert b"{{" not in body
                hosts = set(re.findall(rb"(?:https?:)?//(127\.0\.0\.1:\d+)/", body))
                assert hosts == {site.host.encode()}
            for source, base in site.base_urls.items():
                assert b"{{" not in get_ok(site.url("/robots.txt", source))
                assert base.startswith("http://127.0.0.1:")


def test_korean_pages_are_euc_kr_with_and_without_a_charset(wiresite):
    status, headers, body = fetch(wiresite.url("/view/AKR20250312033700001", "yonhap_ko"))
    assert status == 200 and headers["Content-Type"] == "text/html; charset=euc-kr"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("euc-kr")
    assert "여야, 내달 8일 산불 대응 청문회 개최 합의" in text
    assert 'content="text/html; charset=euc-kr"' in text
    status, headers, body = fetch(wiresite.url("/view/AKR20250312061200005", "yonhap_ko"))
    assert headers["Content-Type"] == "text/html"
    assert b"charset" not in body.lower()
    assert "고려청자" in body.decode("euc-kr")
    feed = rss_links(get_ok(wiresite.url("/rss/news.xml", "yonhap_ko")))
    assert {link.rsplit("/", 1)[1] for link, _ in feed} == {s.id for s in articles("yonhap_ko")}


def test_ap_pages_carry_json_ld_and_paginate(wiresite):
    atom = ET.fromstring(get_ok(wiresite.url("/hub/ap-top-news.atom", "apnews")))
    entries = atom.findall("atom:entry", NS)
    assert len(entries) == len(articles("apnews"))
    link = entries[0].find("atom:link", NS).get("href")
    html = get_ok(link).decode()
    jsonld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>',
                                  html, re.S).group(1))
    assert jsonld["@type"] == "NewsArticle" and jsonld["datePublished"].endswith("-04:00")
    assert jsonld["author"][0]["@type"] == "Person"
    page2 = get_ok(wiresite.url("/hub/ap-top-news?p=2", "apnews")).decode()
    assert "/article/" in page2 and page2 != get_ok(wiresite.url("/hub/ap-top-news", "apnews"))
    assert sitemap_urls(get_ok(wiresite.url("/news-sitemap-content.xml", "apnews")))


# -- faults --------------------------------------------------------------------


def test_fault_urls_are_neither_linked_nor_served_when_off(wiresite):
    feed = get_ok(wiresite.url("/RSS/news.xml")) + get_ok(wiresite.url("/news"))
    feed += get_ok(wiresite.url("/sitemap/news/2025-03-12.xml"))
    for fault in ARTICLE_FAULTS:
        assert fault.path.encode() not in feed
        assert fetch(wiresite.url(fault.path))[0] == 404
    assert b"breaking.xml" not in get_ok(wiresite.url("/channel/index"))
    assert b"bomb.xml" not in get_ok(wiresite.url("/sitemap/index.xml"))


def test_fault_urls_are_linked_from_feed_listing_and_sitemap_when_on(wiresite_faults):
    site = wiresite_faults
    rss = {urlsplit(link).path for link, _ in rss_links(get_ok(site.url("/RSS/news.xml")))}
    listing = set(listing_links(site, "/news"))
    sitemap = {urlsplit(u).path for u, _ in
               sitemap_urls(get_ok(site.url("/sitemap/news/2025-03-12.xml")))}
    for fault in ARTICLE_FAULTS:
        assert fault.path in rss and fault.path in listing and fault.path in sitemap
    assert b"/RSS/breaking.xml" in get_ok(site.url("/channel/index"))
    assert b"/sitemap/news/bomb.xml" in get_ok(site.url("/sitemap/index.xml"))


@pytest.mark.parametrize(("serial", "status", "retry_after"),
                         [(9001, 500, None), (9002, 429, "1"), (9003, 503, "1")])
def test_retry_faults_fail_once_then_serve(wiresite_faults, serial, status, retry_after):
    url = wiresite_faults.url(f"/view/AEN20250312{serial}00315")
    first_status, headers, _ = fetch(url)
    assert (first_status, headers.get("Retry-After")) == (status, retry_after)
    assert b'<article class="story-news">' in get_ok(url)


def test_slow_fault_outlasts_a_short_timeout(wiresite_faults):
    with pytest.raises(TimeoutError):
        fetch(wiresite_faults.url("/view/AEN20250312900400315"), timeout=0.3)


def test_truncated_fault_promises_more_than_it_sends(wiresite_faults):
    with pytest.raises(http.client.IncompleteRead) as caught:
        fetch(wiresite_faults.url("/view/AEN20250312900500315"))
    # The fault sends the first half of the page under the whole page's Content-Length.
    assert len(caught.value.partial) > 1000
    assert abs(caught.value.expected - len(caught.value.partial)) <= 1


def test_redirect_faults(wiresite_faults):
    loop = wiresite_faults.url("/view/AEN20250312900600315")
    status, headers, _ = fetch(loop)
    assert status == 302 and headers["Location"] == loop + "?loop=1"
    status, headers, _ = fetch(loop + "?loop=1")
    assert status == 302 and headers["Location"] == loop
    status, headers, _ = fetch(wiresite_faults.url("/view/AEN20250312900700315"))
    assert status == 302 and headers["Location"] == OFFSITE_URL


def test_charset_faults_send_euc_kr_bytes(wiresite_faults):
    status, headers, body = fetch(wiresite_faults.url("/view/AEN20250312900800315"))
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert "“hallyu” (한류)" in body.decode("euc-kr")
    status, headers, body = fetch(wiresite_faults.url("/view/AEN20250312900900315"))
    assert headers["Content-Type"] == "text/html"
    assert not re.search(rb"<meta[^>]*charset", body, re.I)
    assert "(정)" in body.decode("euc-kr")


def test_not_html_huge_gone_and_no_article_faults(wiresite_faults):
    status, headers, body = fetch(wiresite_faults.url("/view/AEN20250312901000315"))
    assert headers["Content-Type"] == "application/pdf" and body.startswith(b"%PDF-")
    status, headers, body = fetch(wiresite_faults.url("/view/AEN20250312901100315"))
    assert status == 200 and len(body) == int(headers["Content-Length"]) == HUGE_BYTES
    assert body.rstrip().endswith(b"</html>")
    assert fetch(wiresite_faults.url("/view/AEN20250312901200315"))[0] == 404
    status, _, body = fetch(wiresite_faults.url("/view/AEN20250312901300315"))
    assert status == 200 and b'id="nav"' in body
    assert b'class="story-news">\n</article>' in body and b'<h1 class="tit"' not in body


def test_document_faults_are_unparseable(wiresite_faults):
    with pytest.raises(ET.ParseError):
        ET.fromstring(get_ok(wiresite_faults.url("/RSS/breaking.xml")))
    body = get_ok(wiresite_faults.url("/sitemap/news/bomb.xml"))
    assert body.count(b"<!ENTITY") == 10 and b"&lol9;" in body
    import defusedxml.ElementTree as SafeET
    from defusedxml import EntitiesForbidden

    with pytest.raises(EntitiesForbidden):
        SafeET.fromstring(body)


def test_unknown_fault_name_is_an_error():
    with pytest.raises(ValueError, match="unknown faults"):
        WireSite(faults=["no_such_fault"])


# -- synthetic mode and build --------------------------------------------------


def test_synthetic_mode_serves_n_distinct_articles_via_sitemap_and_listing():
    with WireSite(synthetic_articles=250) as site:
        index = get_ok(site.url("/sitemap/index.xml"))
        assert site.url("/sitemap-synthetic.xml").encode() in index
        urls = [u for u, _ in sitemap_urls(get_ok(site.url("/sitemap-synthetic.xml")))]
        assert len(urls) == len(set(urls)) == 250
        assert all(when.startswith("2025-03-12") for _, when in
                   sitemap_urls(get_ok(site.url("/sitemap-synthetic.xml"))))
        listed = listing_links(site, "/synthetic/index")
        assert {site.url(p) for p in listed} == set(urls)
        titles = set()
        for url in urls[:40]:
            html = get_ok(url).decode()
            titles.add(re.search(r'<h1 class="tit" data-cid="">(.*?)</h1>', html).group(1))
        assert len(titles) == 40
        assert get_ok(urls[0]) == get_ok(urls[0])  # deterministic
    with WireSite() as clean:
        assert fetch(clean.url("/sitemap-synthetic.xml"))[0] == 404


def test_the_build_is_reproducible():
    """Two renderings give the same bytes: no clock, randomness or set order in the pages."""
    again = render_pages.__wrapped__()
    first = render_pages()
    assert [(p.path, p.body) for pages in again.values() for p in pages] == [
        (p.path, p.body) for pages in first.values() for p in pages
    ]


def test_write_site_writes_every_page_with_an_index(tmp_path):
    from devsite.build import write_site

    count = write_site(tmp_path / "site")
    index = json.loads((tmp_path / "site" / "routes.json").read_text(encoding="utf-8"))
    assert count == sum(len(pages) for pages in render_pages().values()) == sum(map(len, index.values()))
    story = index["yonhap_en"]["/view/AEN20250310000200315"]
    assert (tmp_path / "site" / story["file"]).read_bytes().lower().startswith(b"<!doctype html>")


def test_a_client_hanging_up_mid_request_prints_no_traceback(capfd) -> None:
    """Crawlers time out on slow fault pages; the server must not fill the log for that."""
    import socket
    import struct
    import time

    with WireSite() as site:
        parts = urlsplit(site.base_url)
        sock = socket.create_connection((parts.hostname, parts.port), timeout=5)
        sock.sendall(b"GET /view/AEN2025")  # no end of line: the server waits in readline
        time.sleep(0.2)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()  # linger 0: a reset, not a clean close
        time.sleep(0.3)
        assert get_ok(site.base_url + "/robots.txt")  # still serving
    assert "Traceback" not in capfd.readouterr().err

"""The local wire site serves its pages, feeds and robots.txt on a free port."""

from __future__ import annotations

import urllib.request
import xml.etree.ElementTree as ET


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


def test_rss_lists_articles_that_are_served(wiresite):
    status, headers, body = _get(wiresite.url("/RSS/news.xml"))
    assert status == 200
    assert headers["Content-Type"].startswith("application/rss+xml")
    links = [item.findtext("link") for item in ET.fromstring(body).iter("item")]
    assert len(links) >= 6
    for link in links:
        assert link.startswith(wiresite.base_url + "/view/AEN2025031")
    status, _, page = _get(links[0])
    assert status == 200
    assert b'class="story-news"' in page

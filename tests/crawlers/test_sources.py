"""The source registry: validation, YAML overrides, base_url rewriting, ad-hoc sources."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from crawlers.sources import BUILTIN_SOURCES, SourceSpec, get_source, load_sources, source_from_feed


def _spec(**changes):
    data = {**BUILTIN_SOURCES["yonhap_en"], **changes}
    return SourceSpec.model_validate(data)


def test_builtins_validate_and_point_at_their_sites():
    specs = load_sources()
    assert {"yonhap_en", "yonhap_ko", "apnews"} <= set(specs)
    en = specs["yonhap_en"]
    assert en.tz.key == "Asia/Seoul"
    assert en.feeds == ["https://en.yna.co.kr/RSS/news.xml"]
    assert en.sitemaps == ["https://en.yna.co.kr/sitemap/index.xml"]
    assert en.listings[0].page_url(1) == "https://en.yna.co.kr/news"
    assert en.listings[0].page_url(3) == "https://en.yna.co.kr/news/3"
    assert specs["yonhap_ko"].allowed_domains == ["www.yna.co.kr"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": "Bad Id"}, "id"),
        ({"timezone": "Mars/Olympus"}, "time zone"),
        ({"feeds": ["ftp://x/feed"]}, "http"),
        ({"allowed_domains": ["https://en.yna.co.kr/"]}, "bare host"),
        ({"feeds": [], "sitemaps": [], "listings": []}, "no feeds"),
        ({"url_filters": {"deny": [{"name": "x", "pattern": "("}]}}, "invalid regex"),
        ({"listings": [{"url": "https://en.yna.co.kr/news"}]}, "{page}"),
        ({"url_date_pattern": r"(?P<y>\d{4})"}, "named groups"),
        ({"unknown_field": 1}, "Extra inputs"),
        ({"parser": "yonhap_english"}, "unknown parser 'yonhap_english'; known parsers: generic"),
    ],
)
def test_invalid_specs_are_refused_with_a_reason(changes, message):
    with pytest.raises(ValidationError, match=message.replace("{", r"\{").replace("}", r"\}")):
        _spec(**changes)


def test_url_rules_name_the_filter():
    en = get_source("yonhap_en")
    assert en.url_filters.reject_reason("https://en.yna.co.kr/view/AEN20250310000200315") is None
    assert en.url_filters.reject_reason("https://en.yna.co.kr/view/PYH20250310000200315") == "photo"
    assert en.url_filters.reject_reason("https://en.yna.co.kr/national/index") == "not_article"


def test_yaml_overrides_single_fields_and_adds_sources(tmp_path, monkeypatch):
    path = tmp_path / "sources.yaml"
    path.write_text(
        "yonhap_en:\n"
        "  politeness: {download_delay: 0.25}\n"
        "  base_url: http://127.0.0.1:8123\n"
        "mysite:\n"
        "  name: My Site\n"
        "  language: en\n"
        "  allowed_domains: [news.example.org]\n"
        "  feeds: [https://news.example.org/rss]\n",
        encoding="utf-8",
    )
    specs = load_sources(path)
    en = specs["yonhap_en"]
    assert en.politeness.download_delay == 0.25
    assert en.politeness.concurrency_per_domain == 2  # untouched field kept
    assert en.feeds == ["http://127.0.0.1:8123/RSS/news.xml"]
    assert en.sitemaps == ["http://127.0.0.1:8123/sitemap/index.xml"]
    assert en.listings[0].page_url(1) == "http://127.0.0.1:8123/news"
    assert en.listings[0].page_url(2) == "http://127.0.0.1:8123/news/2"
    assert en.allowed_domains == ["127.0.0.1"]
    assert specs["mysite"].id == "mysite"
    monkeypatch.setenv("WIREDESK_SOURCES", str(path))
    assert get_source("mysite").name == "My Site"


def test_yaml_errors_name_the_source(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("yonhap_en:\n  timezone: Nowhere/Else\n", encoding="utf-8")
    with pytest.raises(ValueError, match="yonhap_en"):
        load_sources(path)


def test_unknown_source_lists_known_ids():
    with pytest.raises(KeyError, match="yonhap_en"):
        get_source("nope")


def test_source_from_feed_builds_a_generic_spec():
    spec = source_from_feed("https://www.example.com/feeds/all.atom")
    assert spec.id == "example-com"
    assert spec.feeds == ["https://www.example.com/feeds/all.atom"]
    assert spec.allowed_domains == ["www.example.com"]
    sitemap = source_from_feed("https://news.example.net/sitemap-news.xml")
    assert sitemap.sitemaps and not sitemap.feeds
    assert get_source("https://www.example.com/rss").id == "example-com"

"""Bad input always ends as a ParseError with a reason, never another exception."""

from __future__ import annotations

import re
import time

import pytest

import parsers
from parsers import ParseError, parse_page
from tests.parsers.cases import PAGES

EN_URL = "https://en.yna.co.kr/view/AEN20250312004551315"
OTHER_URL = "https://news.example.com/2025/03/12/story"


def _reason(content: bytes | str, url: str | None = OTHER_URL, **kwargs) -> str:
    with pytest.raises(ParseError) as info:
        parse_page(content, url=url, **kwargs)
    return info.value.reason


@pytest.mark.parametrize("url", [EN_URL, OTHER_URL])
def test_empty(url: str) -> None:
    assert _reason(b"", url) == "empty"
    assert _reason(b"  \n\t ", url) == "empty"
    assert _reason("", url) == "empty"


@pytest.mark.parametrize(
    "content",
    [
        bytes(range(256)) * 64,  # arbitrary binary
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        b"\xff\xd8\xff\xe0\x00\x10JFIF",
        b"PK\x03\x04" + b"\x00" * 64,
    ],
    ids=["binary", "pdf", "png", "jpeg", "zip"],
)
def test_not_html(content: bytes) -> None:
    assert _reason(content) == "not_html"
    assert _reason(content, EN_URL) == "not_html"


def test_twenty_megabyte_page_is_too_large_and_refused_fast() -> None:
    page = b"<html><body><p>" + b"word " * (4 * 1024 * 1024) + b"</p></body></html>"
    assert len(page) > 20 * 1024 * 1024
    started = time.monotonic()
    assert _reason(page) == "too_large"
    assert time.monotonic() - started < 1.0


def test_max_bytes_sets_the_limit() -> None:
    page = (PAGES / "yonhap_en_lead.html").read_bytes()
    assert parse_page(page, url=EN_URL, max_bytes=len(page))["title"]
    with pytest.raises(ParseError) as info:
        parse_page(page, url=EN_URL, max_bytes=len(page) - 1)
    assert info.value.reason == "too_large"


@pytest.mark.parametrize("url", [EN_URL, OTHER_URL])
def test_five_thousand_deep_nesting(url: str) -> None:
    page = "<html><body>" + "<div>" * 5000 + "<p>deep text</p>" + "</div>" * 5000 + "</body></html>"
    assert _reason(page, url) == "too_deep"


def test_truncated_page_keeps_what_is_there() -> None:
    html = (PAGES / "yonhap_en_lead.html").read_text(encoding="utf-8")
    cut = html.index("Admission is free") + len("Admission is free")
    record = parse_page(html[:cut], url=EN_URL)
    assert len(record["body"]) == 3
    assert record["body"][-1] == "Admission is free"


def test_page_truncated_before_the_story_has_no_body() -> None:
    html = (PAGES / "yonhap_en_lead.html").read_text(encoding="utf-8")
    cut = html.index('<article class="story-news">')
    assert _reason(html[:cut], EN_URL) == "no_article_body"


SECTION_INDEX = (
    "<html><head><title>National | Yonhap News Agency</title></head><body>"
    "<nav><a href='/'>Home</a><a href='/national'>National</a></nav><ul class='list'>"
    + "".join(
        f"<li><a href='/view/AEN2025031200{i:02d}00315'>Headline number {i} on the index</a>"
        f"<span class='date'>03-12 10:{i:02d}</span></li>"
        for i in range(40)
    )
    + "</ul></body></html>"
)


@pytest.mark.parametrize("url", ["https://en.yna.co.kr/national/index", OTHER_URL])
def test_section_index_has_no_article(url: str) -> None:
    assert _reason(SECTION_INDEX, url) == "no_article_body"


def test_page_with_a_story_but_no_headline() -> None:
    html = (PAGES / "yonhap_en_lead.html").read_text(encoding="utf-8")
    html = re.sub(r"<title>.*?</title>|<meta property=\"og:title\"[^>]*>|<h1.*?</h1>", "", html)
    assert _reason(html, EN_URL) == "no_title"


def test_unexpected_exception_becomes_malformed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A parser bug must still reach the crawler as a counted reason."""

    class Broken:
        name, version = "broken", "0"

        def parse(self, html, *, url, reference_date):
            raise KeyError("boom")

    monkeypatch.setattr(parsers, "site_parser", lambda *a, **k: Broken())
    with pytest.raises(ParseError) as info:
        parse_page("<html><body><p>x</p></body></html>", url=EN_URL)
    assert info.value.reason == "malformed"
    assert "KeyError" in info.value.message


def test_bad_reference_date_is_the_callers_error() -> None:
    with pytest.raises(ValueError):
        parse_page("<p>x</p>", reference_date="yesterday")

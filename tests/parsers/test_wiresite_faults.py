"""Fault pages of the bundled wire site, fetched over HTTP and parsed.

Each page reaches ``parse_page`` as the crawler passes it: the raw bytes and
the charset from the ``Content-Type`` header (a hint that may lie).
"""

from __future__ import annotations

import http.client
import urllib.request

import pytest

from devsite import WireSite
from parsers import ParseError, parse_page

pytestmark = pytest.mark.integration


def _fetch(site: WireSite, path: str) -> tuple[bytes, str | None]:
    with urllib.request.urlopen(site.url(path), timeout=10) as response:
        charset = response.headers.get_content_charset()
        chunks = []
        try:
            while chunk := response.read(65536):
                chunks.append(chunk)
        except http.client.IncompleteRead as exc:  # the truncated fault
            chunks.append(exc.partial)
        return b"".join(chunks), charset


def _parse(site: WireSite, path: str) -> dict:
    body, charset = _fetch(site, path)
    return parse_page(body, url=f"https://en.yna.co.kr{path}", encoding=charset)


@pytest.mark.parametrize(
    "path", ["/view/AEN20250312900800315", "/view/AEN20250312900900315"],
    ids=["euc-kr sent as utf-8", "euc-kr undeclared"],
)
def test_korean_bytes_under_a_wrong_or_missing_charset(
    wiresite_faults: WireSite, path: str
) -> None:
    record = _parse(wiresite_faults, path)
    body = " ".join(record["body"])
    assert any("\uac00" <= c <= "\ud7a3" for c in body), "Hangul lost in decoding"
    assert "\ufffd" not in body
    assert "“" in body  # curly quotes survive the EUC-KR round trip


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/view/AEN20250312901000315", "not_html"),
        ("/view/AEN20250312901100315", "too_large"),
        ("/view/AEN20250312901300315", "no_article_body"),
    ],
    ids=["pdf", "huge", "no article"],
)
def test_document_faults_give_their_reason(
    wiresite_faults: WireSite, path: str, reason: str
) -> None:
    with pytest.raises(ParseError) as info:
        _parse(wiresite_faults, path)
    assert info.value.reason == reason


def test_truncated_page_is_parsed_or_refused_with_a_reason(wiresite_faults: WireSite) -> None:
    try:
        record = _parse(wiresite_faults, "/view/AEN20250312900500315")
    except ParseError as exc:
        assert exc.reason == "no_article_body"
    else:
        assert record["body"]

"""URL canonicalisation: tracking params, fragments, AMP and mobile variants."""

from __future__ import annotations

import pytest

from crawlers.canon import canonicalize, host_allowed

EN = ["en.yna.co.kr"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "https://en.yna.co.kr/view/AEN20250310000200315?utm_source=rss&utm_medium=x#top",
            "https://en.yna.co.kr/view/AEN20250310000200315",
        ),
        (
            "https://m-en.yna.co.kr/view/AEN20250310000200315?section=national/politics",
            "https://en.yna.co.kr/view/AEN20250310000200315",
        ),
        ("//en.yna.co.kr/view/AEN1?b=2&a=1&fbclid=zz", "https://en.yna.co.kr/view/AEN1?a=1&b=2"),
        ("HTTPS://EN.YNA.CO.KR/view/AEN1/amp", "https://en.yna.co.kr/view/AEN1"),
        ("https://en.yna.co.kr/view/AEN1?amp=1", "https://en.yna.co.kr/view/AEN1"),
        ("http://127.0.0.1:8080/view/AEN1?utm_campaign=a", "http://127.0.0.1:8080/view/AEN1"),
    ],
)
def test_canonical_spelling(raw, expected):
    assert canonicalize(raw, strip_params=["section"], allowed_domains=EN) == expected


def test_mobile_host_kept_when_desktop_host_not_allowed():
    assert canonicalize("https://m.other.org/a", allowed_domains=EN) == "https://m.other.org/a"


def test_host_allowed_accepts_subdomains_only():
    assert host_allowed("https://en.yna.co.kr/x", EN)
    assert host_allowed("https://img.en.yna.co.kr/x", EN)
    assert not host_allowed("https://evil-en.yna.co.kr.example/x", EN)
    assert not host_allowed("https://www.yna.co.kr/x", EN)

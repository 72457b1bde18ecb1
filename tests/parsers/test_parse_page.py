"""``parse_page`` routing and the record it returns."""

from __future__ import annotations

import parsers
from parsers import PARSERS, ParseError, available_parsers, parse_page
from tests.parsers.cases import PAGES

GENERIC_PAGE = (
    "<html><head><title>Harbour reopens after storm | Brindle Courier</title></head><body>"
    "<nav><a href='/'>Home</a></nav><article><h1>Harbour reopens after storm</h1>"
    "<p>BRINDLE, March 3 (AP) — The harbour reopened on Monday after a week of storms kept "
    "fishing boats in port and ferries cancelled, the port authority said.</p>"
    "<p>Crews cleared debris from the main channel over the weekend, and the first ferry "
    "left at dawn with a full load of passengers and freight.</p>"
    "<p>Officials said repairs to the outer breakwater would take several months and cost "
    "more than the town's entire annual maintenance budget.</p>"
    "</article></body></html>"
)


def test_exports() -> None:
    assert {"parse_page", "ParseError", "PARSERS", "available_parsers"} <= set(parsers.__all__)
    assert {"yonhap_en", "yonhap_ko"} <= set(PARSERS)
    assert "text" in available_parsers()
    assert issubclass(ParseError, Exception)


def test_known_source_id_picks_the_site_parser_whatever_the_url() -> None:
    html = (PAGES / "yonhap_en_lead.html").read_bytes()
    record = parse_page(html, url="https://mirror.example.org/a", source="yonhap_en")
    assert record["parser"]["name"] == "yonhap_en"
    assert record["source"] == "yonhap_en"


def test_parser_and_source_are_separate() -> None:
    """A source reusing another site's parser keeps its own source and ids."""
    html = (PAGES / "yonhap_en_lead.html").read_bytes()
    record = parse_page(html, url="https://wire.example.org/view/AEN20250312004551315",
                        source="mywire", parser="yonhap_en")
    assert record["source"] == "mywire"
    assert record["id"].startswith("mywire:")
    assert record["parser"]["name"] == "yonhap_en"
    plain = parse_page(html, source="yonhap_en")
    assert record["id"].split(":", 1)[1] == plain["id"].split(":", 1)[1]
    assert record["body"] == plain["body"]


def test_generic_parser_can_be_named_whatever_the_host() -> None:
    html = (PAGES / "yonhap_en_lead.html").read_bytes()
    record = parse_page(html, url="https://en.yna.co.kr/view/AEN20250312004551315",
                        source="yonhap_en", parser="generic")
    assert record["parser"]["name"] == "generic"
    assert record["source"] == "yonhap_en" and record["id"].startswith("yonhap_en:")


def test_unknown_parser_id_is_chosen_like_an_unknown_source() -> None:
    # a source's parser id defaults to its own id, which need not name a parser
    html = (PAGES / "yonhap_en_lead.html").read_bytes()
    url = "https://en.yna.co.kr/view/AEN20250312004551315"
    record = parse_page(html, url=url, source="mywire", parser="mywire")
    assert record["parser"]["name"] == "yonhap_en" and record["source"] == "mywire"
    generic = parse_page(GENERIC_PAGE, url="https://www.brindlecourier.com/x", parser="brindle")
    assert generic["parser"]["name"] == "generic"
    assert generic["source"] == "brindlecourier-com"


def test_host_picks_the_site_parser_and_names_the_source() -> None:
    html = (PAGES / "yonhap_en_lead.html").read_bytes()
    record = parse_page(html, url="https://en.yna.co.kr/view/AEN20250312004551315")
    assert record["parser"]["name"] == "yonhap_en"
    assert record["source"] == "yonhap_en"


def test_unknown_site_goes_generic_and_source_comes_from_the_host() -> None:
    record = parse_page(GENERIC_PAGE, url="https://www.brindlecourier.com/2025/03/03/harbour")
    assert record["parser"]["name"] == "generic"
    assert record["source"] == "brindlecourier-com"
    assert any("breakwater" in p for p in record["body"])


def test_unknown_source_id_is_kept_and_goes_generic() -> None:
    record = parse_page(GENERIC_PAGE, url="https://www.brindlecourier.com/x", source="brindle")
    assert record["source"] == "brindle"
    assert record["id"].startswith("brindle:")


def test_pages_without_url_get_distinct_ids() -> None:
    first = parse_page(GENERIC_PAGE)
    second = parse_page(GENERIC_PAGE.replace("Harbour reopens", "Bridge closes"))
    assert first["url"] is None
    assert first["id"] != second["id"]


def test_crawler_fields_stay_null() -> None:
    record = parse_page((PAGES / "yonhap_en_lead.html").read_bytes(), source="yonhap_en")
    assert record["fetched_url"] is None and record["fetched_at"] is None and record["raw"] is None
    assert record["version"] == 1


def test_non_html_content_goes_to_the_text_parser() -> None:
    text = (PAGES / "ap_style_dump.txt").read_bytes()
    record = parse_page(text, reference_date="2025-03-11")
    assert record["parser"]["name"] == "text"


def test_fetched_at_as_iso_string_selects_a_version_and_dates_datelines() -> None:
    text = (PAGES / "reuters_style_dump.txt").read_bytes()
    record = parse_page(text, fetched_at="2025-03-11T07:00:00Z")
    assert record["parser"]["name"] == "text"
    # a dateline prints no year: the fetch day supplies it, or there is no date at all
    dump = "Home\nPort strike ends after talks\nHAMBURG, March 3 (dpa) - Dock workers returned to work on Monday.\n"
    assert parse_page(dump, fetched_at="2025-03-04T07:00:00Z")["published_at"] == "2025-03-03T00:00:00+00:00"
    assert parse_page(dump)["published_at"] is None
    html = (PAGES / "yonhap_en_lead.html").read_bytes()
    record = parse_page(html, source="yonhap_en", fetched_at="2025-03-12T08:00:00+00:00")
    assert record["parser"] == {"name": "yonhap_en", "version": "1.0"}


def test_without_url_the_pages_canonical_link_picks_the_site_parser() -> None:
    record = parse_page((PAGES / "yonhap_en_lead.html").read_bytes())
    assert record["parser"]["name"] == "yonhap_en"
    assert record["source"] == "yonhap_en"
    assert record["url"] == "https://en.yna.co.kr/view/AEN20250312004551315"

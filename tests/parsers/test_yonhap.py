"""The Yonhap parser: story keys, update flags, what never reaches the body."""

from __future__ import annotations

from datetime import date

import pytest

from parsers import parse_page
from parsers.registry import PARSERS, choose_version, site_parser
from parsers.yonhap import YonhapEnParser, YonhapKoParser, story_key
from tests.parsers.cases import PAGES, yonhap_corpus_cases

EN_URL = "https://en.yna.co.kr/view/AEN20250312004551315"
KO_URL = "https://www.yna.co.kr/view/AKR20250312098751054"


@pytest.fixture(scope="module")
def en_record() -> dict:
    return parse_page((PAGES / "yonhap_en_lead.html").read_bytes(), url=EN_URL)


@pytest.fixture(scope="module")
def ko_record() -> dict:
    return parse_page((PAGES / "yonhap_ko_story.html").read_bytes(), url=KO_URL)


def test_story_key_zeroes_the_update_serial() -> None:
    assert story_key("AEN20230419003851320") == "AEN20230419003800320"
    assert story_key("AEN20230419003800320") == "AEN20230419003800320"
    assert story_key("not-an-id") == "not-an-id"


def test_lead_rewrite_keeps_the_first_versions_id(en_record: dict) -> None:
    assert en_record["id"] == "yonhap_en:AEN20250312004500315"
    assert en_record["update_flag"] == "LEAD"
    assert en_record["title"].startswith("(LEAD) ")  # displayed title keeps its flag


@pytest.mark.corpus
def test_corpus_lead_and_first_version_share_an_id() -> None:
    cases = {c.name.split("/")[-1]: c for c in yonhap_corpus_cases()}
    if not cases:
        pytest.skip("yonhap-dev corpus not available")
    first = cases["AEN20230419003800320"].parse_full()
    lead = cases["AEN20230419003851320"].parse_full()
    assert first["id"] == lead["id"] == "yonhap_en:AEN20230419003800320"
    assert (first["update_flag"], lead["update_flag"]) == (None, "LEAD")
    assert first["content_hash"] != lead["content_hash"]  # the update is a new version
    assert lead["body"][:9] == first["body"]  # LEAD adds the last two paragraphs


def test_body_holds_only_the_story(en_record: dict) -> None:
    body = "\n".join(en_record["body"])
    assert en_record["body"][0].startswith("WANDO, March 12 (Yonhap) -- ")
    assert len(en_record["body"]) == 6
    for junk in ("ATTN", "By Hong", "Visitors look at", "(END)", "@yna.co.kr", "Most Viewed",
                 "Latest News", "#seaweed", "Facebook", "SHARE", "weather", "Copyright"):
        assert junk not in body


def test_fields_from_the_page(en_record: dict) -> None:
    assert en_record["authors"] == ["Hong Gil-dong", "Maria Park"]
    assert en_record["dateline"] == {"city": "WANDO", "agency": "Yonhap"}
    assert en_record["published_at"] == "2025-03-12T16:05:10+09:00"
    assert en_record["updated_at"] == "2025-03-12T16:40:00+09:00"
    assert en_record["section"] == ["National", "Society"]  # menu names of national/national
    assert en_record["keywords"] == ["seaweed", "museum"]
    assert en_record["images"] == [
        {
            "url": "https://img1.yna.co.kr/photo/cms/2025/03/12/00/PCM20250312000000990_P4.jpg",
            "caption": "Visitors look at drying racks at the new seaweed museum in Wando on "
            "March 12, 2025. (Yonhap)",
        }
    ]
    assert en_record["language"] == "en"
    assert en_record["parser"] == {"name": "yonhap_en", "version": "1.0"}


def test_description_that_only_repeats_the_opening_is_no_summary() -> None:
    html = (PAGES / "yonhap_en_lead.html").read_text(encoding="utf-8").replace(
        "A small fishing town on the south coast opened a museum devoted to seaweed farming, "
        "hoping to draw visitors.",
        "(ATTN: ADDS mayor's remarks in paras 5-6)By Hong Gil-dong and Maria Park WANDO, Ma...",
    )
    assert parse_page(html, url=EN_URL)["summary"] is None


def test_korean_page_in_euc_kr(ko_record: dict) -> None:
    assert ko_record["source"] == "yonhap_ko"
    assert ko_record["language"] == "ko"
    assert ko_record["title"] == "해조류 박물관 개관…어촌 경제 살린다(종합)"
    assert ko_record["update_flag"] == "종합"
    assert ko_record["authors"] == ["홍길동"]
    assert ko_record["dateline"] == {"city": "완도", "agency": "Yonhap"}
    assert ko_record["section"] == ["사회", "전국"]
    assert ko_record["id"] == "yonhap_ko:AKR20250312098700054"
    body = "\n".join(ko_record["body"])
    assert len(ko_record["body"]) == 4
    assert "자료사진" not in body and "@yna.co.kr" not in body and "저작권자" not in body


def test_parser_chosen_by_source_then_host() -> None:
    assert isinstance(site_parser("yonhap_en", None), YonhapEnParser)
    assert isinstance(site_parser(None, "https://en.yna.co.kr/view/X"), YonhapEnParser)
    assert isinstance(site_parser(None, "https://www.yna.co.kr/view/X"), YonhapKoParser)
    assert site_parser(None, "https://example.com/a") is None


def test_version_chosen_by_fetch_date() -> None:
    class Old:
        version = "1.0"
        VALID_UNTIL = date(2022, 12, 31)

    class New:
        version = "1.1"
        VALID_UNTIL = None

    assert choose_version((Old, New), date(2022, 6, 1)) is Old
    assert choose_version((Old, New), date(2023, 1, 1)) is New
    assert choose_version((Old, New), None) is New
    assert all(v[-1].VALID_UNTIL is None for v in PARSERS.values())


def test_missing_story_block_is_no_article_body() -> None:
    from parsers import ParseError

    html = (PAGES / "yonhap_en_lead.html").read_text(encoding="utf-8")
    start = html.index('<article class="story-news">')
    end = html.index("</article>", start) + len("</article>")
    with pytest.raises(ParseError) as info:
        parse_page(html[:start] + html[end:], url=EN_URL)
    assert info.value.reason == "no_article_body"


def test_table_rows_read_like_price_rows_in_either_edition() -> None:
    """A table is story text wherever it sits: bare in the story or in a photo-style frame."""
    html = (PAGES / "yonhap_ko_story.html").read_bytes().decode("cp949")
    framed = (
        '<div class="comp-box tbl-group"><table><tr><th>구분</th><th>관람객</th></tr>'
        "<tr><td>3월</td><td>1,200명</td></tr></table>"
        '<p class="txt-desc">박물관 관람객 [완도군 제공]</p></div>'
    )
    bare = "<table><tbody><tr><td>4월</td><td>900명</td></tr></tbody></table>"
    second = "<p>2층 건물에는"
    html = html.replace(second, framed + bare + second, 1)
    record = parse_page(html, url=KO_URL)
    assert record["body"][1:4] == ["구분 관람객", "3월 1,200명", "4월 900명"]
    assert record["body"][4].startswith("2층 건물에는")
    assert not any("완도군 제공" in p for p in record["body"])  # the frame's caption is not kept

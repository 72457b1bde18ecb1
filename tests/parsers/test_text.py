"""Flat text dumps: the story found by its shape among flattened navigation."""

from __future__ import annotations

import pytest

from parsers import ParseError, parse_page
from parsers.text import is_breadcrumb, is_navigation, is_prose
from tests.parsers.cases import PAGES, seed_cases


def _dump(name: str, reference: str = "2025-03-11") -> dict:
    return parse_page((PAGES / name).read_bytes(), reference_date=reference, flat_text=True)


@pytest.mark.corpus
def test_seed_yonhap_dump() -> None:
    cases = seed_cases()
    if not cases:
        pytest.skip("seed corpus not available")
    record = cases[0].parse_full()
    assert record["title"] == "S. Korea, Japan defense chiefs to hold talks in Seoul next week"
    assert record["section"] == ["National", "Politics/Diplomacy"]
    assert record["dateline"] == {"city": "SEOUL", "agency": "Yonhap"}
    assert record["published_at"].startswith("2011-01-04")
    assert len(record["body"]) == 11
    assert record["body"][0].startswith("SEOUL, Jan. 4 (Yonhap) -- Defense ministers")
    body = " ".join(record["body"])
    for navigation in ("select languages", "FocusFocus", "latestnews", "Home >"):
        assert navigation not in body


def test_ap_style_dump() -> None:
    record = _dump("ap_style_dump.txt")
    assert record["title"] == "Town council votes to rebuild historic wooden bridge after flood"
    assert record["authors"] == ["Maria Gonzalez", "Peter Okafor"]
    assert record["dateline"] == {"city": "RIVERTON", "agency": "AP"}
    assert record["updated_at"] == "2025-03-11T15:12:00+00:00"
    assert len(record["body"]) == 5
    assert record["body"][-1].startswith("Construction is expected to begin next spring")
    assert record["language"] == "en"


def test_reuters_style_dump() -> None:
    record = _dump("reuters_style_dump.txt")
    assert record["title"].startswith("UPDATE 1-Ferry operator")
    assert record["update_flag"] == "UPDATE 1"
    assert record["section"] == ["Business", "Autos & Transportation"]
    assert record["authors"] == ["Anna Lindqvist"]
    assert record["published_at"] == "2025-03-10T09:41:00+01:00"
    assert len(record["body"]) == 4
    assert not any("Reporting by" in p or "Trust Principles" in p for p in record["body"])


def test_hard_wrapped_paragraphs_are_joined() -> None:
    text = (
        "Menu\nHome > World\nPort strike ends after three weeks of talks\n"
        "HAMBURG, March 3 (dpa) - Dock workers in the northern port returned to work on\n"
        "Monday after unions and employers agreed on a new wage deal late on Sunday.\n\n"
        "The agreement raises pay by 9 percent over two years, both sides said in a joint\n"
        "statement released after the final round of negotiations.\n"
    )
    record = parse_page(text, reference_date="2025-03-04", flat_text=True)
    assert record["body"] == [
        "HAMBURG, March 3 (dpa) - Dock workers in the northern port returned to work on "
        "Monday after unions and employers agreed on a new wage deal late on Sunday.",
        "The agreement raises pay by 9 percent over two years, both sides said in a joint "
        "statement released after the final round of negotiations.",
    ]
    assert record["published_at"] == "2025-03-03T00:00:00+00:00"


def test_dateline_year_never_after_reference_date() -> None:
    text = (
        "Home\nYear-end rally lifts stocks\nSEOUL, Dec. 30 (Yonhap) -- Stocks rose on the "
        "last trading day of the year, dealers said.\n"
    )
    record = parse_page(text, reference_date="2011-01-02", flat_text=True)
    assert record["published_at"] == "2010-12-30T00:00:00+09:00"


def test_text_without_article_shape_is_refused() -> None:
    with pytest.raises(ParseError) as info:
        parse_page("Home\nMenu\nSearch\nLogin\n", flat_text=True)
    assert info.value.reason == "not_html"


@pytest.mark.parametrize(
    ("line", "navigation"),
    [
        ("select languages", True),
        ("FocusFocus Focus", True),
        ("latestnewslatestnews RSS", True),
        ("Home > National > Politics/Diplomacy", True),
        ("Sign In", True),
        ("S. Korea, Japan defense chiefs to hold talks in Seoul next week", False),
        ("The pact will open a new chapter, he said.", False),
    ],
)
def test_navigation_by_line_shape(line: str, navigation: bool) -> None:
    assert is_navigation(line) is navigation
    if navigation:
        assert not is_prose(line)


def test_breadcrumb_shapes() -> None:
    assert is_breadcrumb("Home > National > Politics/Diplomacy")
    assert is_breadcrumb("Business » Autos & Transportation")
    assert is_breadcrumb("Home / World / Asia")
    assert not is_breadcrumb("U.S. / China trade talks resume")
    assert not is_breadcrumb("News | Sport | Weather")  # a menu
    assert is_navigation("News | Sport | Weather")


def test_korean_dump() -> None:
    text = (
        "전체메뉴\n로그인\n홈 > 사회 > 전국\n해조류 박물관 개관…어촌 경제 살린다(종합)\n"
        "송고시간 2025-03-12 16:05\n"
        "(완도=연합뉴스) 홍길동 기자 = 남해안의 작은 어촌 마을이 "
        "해조류 양식을 주제로 한 박물관을 12일 열었다.\n"
        "2층 건물에는 3대에 걸쳐 쓰인 건조대와 그물, 배가 전시됐다고 군청은 밝혔다.\n"
        "gildong@yna.co.kr\n저작권자(c) 연합뉴스, 무단 전재-재배포 금지\n많이 본 뉴스\n"
    )
    record = parse_page(text.encode("cp949"), flat_text=True, reference_date="2025-03-12")
    assert record["title"] == "해조류 박물관 개관…어촌 경제 살린다(종합)"
    assert record["update_flag"] == "종합"
    assert record["authors"] == ["홍길동"]
    assert record["section"] == ["사회", "전국"]
    assert record["published_at"] == "2025-03-12T16:05:00+09:00"
    assert record["language"] == "ko"
    assert len(record["body"]) == 2


def test_dump_without_dateline_is_found_by_its_prose() -> None:
    text = (
        "Menu\nSearch\nNews | Sport | Weather\nLibrary extends opening hours for exam season\n"
        "Students will be able to use the main reading room until midnight from next week, "
        "the university library announced on Friday.\n"
        "The change follows a petition signed by more than 2,000 students last term.\n"
        "Longer hours\n"
        "The extended hours will run until the end of the exam period in June, and extra "
        "staff will be hired to cover the evening shifts.\n"
        "Share this article\nFacebook\nTwitter\nMore from News\n"
    )
    record = parse_page(text, flat_text=True)
    assert record["title"] == "Library extends opening hours for exam season"
    assert record["dateline"] is None and record["published_at"] is None
    assert record["section"] == []
    assert len(record["body"]) == 4  # the subhead "Longer hours" stays in the story
    assert record["body"][-1].endswith("evening shifts.")


@pytest.mark.parametrize(
    ("title", "words"),
    [("울산 화학공장 화재 진화", 4), ("여야 청문회 개최 합의(종합)", 4), ("고려청자 첫 공개", 3)],
)
def test_short_korean_headline_is_not_navigation(title: str, words: int) -> None:
    """Hangul has no case: a short Korean headline is not an all-lower-case menu label."""
    assert len(title.split()) == words
    text = (
        "연합뉴스\n전체메뉴\n검색\n정치 북한 경제 사회 세계 문화 스포츠\n홈 > 사회 > 전국\n"
        f"{title}\n송고시간 2025-03-11 12:55\n정기영 이하은 기자\n기사 공유\n글자크기\n"
        "(울산=연합뉴스) 정기영 이하은 기자 = 11일 오전 울산 남구의 한 화학공장에서 불이 나 "
        "3시간 만에 꺼졌다.\n"
        "소방당국은 인력 80여 명과 장비 30여 대를 동원해 낮 12시 35분께 불을 완전히 껐다.\n"
        "jky@yna.co.kr\n많이 본 뉴스\n"
    )
    assert is_navigation(title) is False
    record = parse_page(text, flat_text=True, reference_date="2025-03-11")
    assert record["title"] == title
    assert record["authors"] == ["정기영", "이하은"]
    assert record["section"] == ["사회", "전국"]
    assert record["published_at"] == "2025-03-11T12:55:00+09:00"
    assert len(record["body"]) == 2 and record["body"][0].startswith("(울산=연합뉴스)")


@pytest.mark.parametrize(
    "line", ["정치 경제 사회 문화", "많이 본 뉴스", "기사 공유", "select languages"]
)
def test_menu_lines_stay_navigation_in_either_script(line: str) -> None:
    assert is_navigation(line)


@pytest.mark.parametrize(
    ("closing", "after"),
    [
        ("Most Viewed", "Ferry operator cuts night routes as fuel costs climb sharply"),
        ("많이 본 뉴스", "일본서 돌아온 고려청자, 국립중앙박물관서 다음 주 첫 공개"),
        ("Copyright 2025 The Brindle Courier. All rights reserved.",
         "Council approves a new budget for the city's parks and libraries"),
    ],
)
def test_box_heading_or_copyright_ends_the_story(closing: str, after: str) -> None:
    """Headlines listed under "Most Viewed" are prose-shaped but not the story."""
    text = (
        "Home\nMenu\nPort strike ends after talks\n"
        "HAMBURG, March 3 (dpa) - Dock workers in the northern port returned to work on "
        "Monday after unions and employers agreed on a new wage deal.\n"
        "The agreement raises pay by 9 percent over two years, both sides said.\n"
        f"{closing}\n{after}\nSecond listed headline about a completely different story\n"
    )
    record = parse_page(text, flat_text=True, reference_date="2025-03-04")
    assert len(record["body"]) == 2
    assert record["body"][-1].endswith("both sides said.")


def test_korean_portal_time_stamps() -> None:
    """"오후 1:05" is 13:05 KST; a "수정" (edited) line is the update time."""
    text = (
        "홈 > 사회 > 전국\n울산 화학공장 화재 진화\n입력 2025.03.11. 오전 11:40\n"
        "수정 2025.03.11. 오후 1:05\n"
        "(울산=연합뉴스) 정기영 기자 = 11일 오전 울산 남구의 한 화학공장에서 불이 나 "
        "3시간 만에 꺼졌다.\n"
        "소방당국은 인력 80여 명과 장비 30여 대를 동원해 낮 12시 35분께 불을 완전히 껐다.\n"
    )
    record = parse_page(text, flat_text=True, reference_date="2025-03-11")
    assert record["published_at"] == "2025-03-11T11:40:00+09:00"
    assert record["updated_at"] == "2025-03-11T13:05:00+09:00"


def test_article_tool_lines_between_title_and_story_are_not_the_title() -> None:
    text = (
        "select languages\nHome > National > Politics/Diplomacy\n2011/01/04 10:59 KST\n"
        "Gov't to unveil plan for new missile defense system\n"
        "Print this article\nE-mail this article\nFont size\n"
        "SEOUL, Jan. 4 (Yonhap) -- The government will unveil a plan next month to build a new "
        "missile defense system, officials said Tuesday.\n"
        "The plan is expected to cost about 1 trillion won, an official said.\n(END)\n"
        "Related Articles\nS. Korea, U.S. to hold talks on missile guidelines next month\n"
    )
    record = parse_page(text, flat_text=True, reference_date="2011-01-05")
    assert record["title"] == "Gov't to unveil plan for new missile defense system"
    assert record["published_at"] == "2011-01-04T10:59:00+09:00"
    assert len(record["body"]) == 2


def test_breadcrumb_under_the_title_names_the_section() -> None:
    text = (
        "Yonhap News Agency\nGov't to unveil plan for new missile defense system\n"
        "Home > National > Defense\n2011/01/04 10:59 KST\n"
        "SEOUL, Jan. 4 (Yonhap) -- The government will unveil a plan next month to build a new "
        "missile defense system, officials said Tuesday.\n"
    )
    record = parse_page(text, flat_text=True, reference_date="2011-01-05")
    assert record["title"] == "Gov't to unveil plan for new missile defense system"
    assert record["section"] == ["National", "Defense"]

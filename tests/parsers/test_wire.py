"""Wire-copy rules: datelines, bylines, update flags, end marks, e-mail lines."""

from __future__ import annotations

from datetime import date

import pytest

from parsers.base import Dateline
from parsers.wire import (
    clean_paragraphs,
    dateline_date,
    extract_dateline,
    parse_byline,
    split_editorial_notes,
    split_update_flag,
)


@pytest.mark.parametrize(
    ("text", "city", "agency"),
    [
        ("SEOUL, April 19 (Yonhap) -- South Korea plans", "SEOUL", "Yonhap"),
        ("WASHINGTON (AP) — President Joe Biden said", "WASHINGTON", "AP"),
        ("RIO DE JANEIRO, Brazil (AP) — The carnival", "RIO DE JANEIRO", "AP"),
        ("LONDON, March 3 (Reuters) - British inflation", "LONDON", "Reuters"),
        ("NEW YORK (Reuters) - Stocks rose", "NEW YORK", "Reuters"),
        ("PARIS (AFP) - France said", "PARIS", "AFP"),
        ("TOKYO, April 19 Kyodo - Japan's cabinet", "TOKYO", "Kyodo"),
        ("BEIJING, April 19 (Xinhua) -- China will", "BEIJING", "Xinhua"),
        ("ANKARA (AA) - Turkey's parliament", "ANKARA", "Anadolu"),
        ("Berlin (dpa) - Germany's government", "Berlin", "dpa"),
        ("Madrid, Apr 19 (EFE).- Spain's", "Madrid", "EFE"),
        ("(ANSA) - ROME, APR 19 - Italy's", "ROME", "ANSA"),
        ("WASHINGTON, April 19 (UPI) -- The Senate", "WASHINGTON", "UPI"),
        ("KUALA LUMPUR, April 19 (Bernama) -- Malaysia", "KUALA LUMPUR", "Bernama"),
        ("New Delhi, Apr 19 (PTI) The Supreme Court", "New Delhi", "PTI"),
        ("ST. LOUIS (AP) — A jury", "ST. LOUIS", "AP"),
        ("(서울=연합뉴스) 홍길동 기자 = 정부는", "서울", "Yonhap"),
    ],
)
def test_dateline_of_each_agency(text: str, city: str, agency: str) -> None:
    dateline, rest = extract_dateline(text)
    assert dateline == Dateline(city=city, agency=agency)
    assert rest and rest[0] not in "-—–(" and rest in text


@pytest.mark.parametrize(
    "text",
    [
        "The company said Wednesday it will raise prices.",
        "He said (AP) -- nothing",
        "President Yoon (Yonhap) spoke",  # no dash, no date: not a dateline
        "",
    ],
)
def test_not_a_dateline(text: str) -> None:
    assert extract_dateline(text) == (None, text)


def test_dateline_year_comes_from_reference_and_never_lies_ahead() -> None:
    assert dateline_date("SEOUL, Jan. 4 (Yonhap) -- x", date(2011, 1, 5)) == date(2011, 1, 4)
    assert dateline_date("SEOUL, Dec. 31 (Yonhap) -- x", date(2011, 1, 1)) == date(2010, 12, 31)
    assert dateline_date("SEOUL, Jan. 4 (Yonhap) -- x", None) is None
    assert dateline_date("SEOUL (Yonhap) -- x", date(2011, 1, 5)) is None


@pytest.mark.parametrize(
    ("byline", "authors"),
    [
        ("By Lee Haye-ah", ["Lee Haye-ah"]),
        ("By Kim Tong-hyung and Lee Haye-ah", ["Kim Tong-hyung", "Lee Haye-ah"]),
        ("By JOHN DOE, Associated Press", ["John Doe"]),
        ("By Jane Smith (Yonhap)", ["Jane Smith"]),
        ("By Reuters Staff", []),
        ("By AFP", []),
        ("By The Associated Press", []),
        ("(Reporting by John Smith; Editing by Jane Roe)", ["John Smith"]),
        ("홍길동 기자", ["홍길동"]),
        ("", []),
    ],
)
def test_byline(byline: str, authors: list[str]) -> None:
    assert parse_byline(byline) == authors


@pytest.mark.parametrize(
    ("title", "flag", "rest"),
    [
        ("(LEAD) S. Korea to support", "LEAD", "S. Korea to support"),
        ("(2nd LD) N. Korea's Kim orders", "2nd LD", "N. Korea's Kim orders"),
        ("(URGENT) Yoon arrives", "URGENT", "Yoon arrives"),
        ("(News Focus) Why rates rise", "News Focus", "Why rates rise"),
        ("(Yonhap Feature) In the hills", "Yonhap Feature", "In the hills"),
        ("(LEAD) (URGENT) Quake hits", "LEAD, URGENT", "Quake hits"),
        ("UPDATE 2-Oil prices rise", "UPDATE 2", "Oil prices rise"),
        ("[속보] 대통령 귀국", "속보", "대통령 귀국"),
        ("북한 미사일 발사(종합2보)", "종합2보", "북한 미사일 발사"),
        ("(Mayor) says no", None, "(Mayor) says no"),
        ("Plain headline", None, "Plain headline"),
    ],
)
def test_update_flag(title: str, flag: str | None, rest: str) -> None:
    assert split_update_flag(title) == (flag, rest)


def test_end_mark_closes_the_story_and_email_lines_go() -> None:
    assert clean_paragraphs(["One.", "Two. (END)", "After the end."]) == ["One.", "Two."]
    assert clean_paragraphs(["One.", "colin@yna.co.kr", "(END)", "Most Viewed"]) == ["One."]
    assert clean_paragraphs(["One.", "Rows (MORE)"]) == ["One.", "Rows"]
    assert clean_paragraphs(["첫 문단.", "gildong@yna.co.kr", "(끝)"]) == ["첫 문단."]


def test_boilerplate_lines_are_dropped() -> None:
    paragraphs = [
        "(ATTN: UPDATES with quotes in last 2 paras)",
        "By Kang Yoon-seung",
        "SEOUL, April 19 (Yonhap) -- The story starts.",
        "Facebook",
        "Share | Print | Email",
        "Latest News",
        "#farmer #fishermen",
        "A farmer works in a potato field in this file photo. (Yonhap)",
        "Protesters march in Paris. (AP Photo/Jane Doe)",
        "Copyright 2023 Yonhap. All rights reserved.",
        "저작권자(c) 연합뉴스, 무단 전재-재배포 금지",
        "It ends here.",
    ]
    assert clean_paragraphs(paragraphs) == [
        "SEOUL, April 19 (Yonhap) -- The story starts.",
        "It ends here.",
    ]


def test_an_email_inside_prose_stays() -> None:
    text = "Readers can write to the ombudsman at desk@example.org with complaints about coverage."
    assert clean_paragraphs([text]) == [text]


def test_editorial_notes_are_moved_out() -> None:
    notes, rest = split_editorial_notes(["(ATTN: ADDS photo)By Kim Ji-hoon", "Body."])
    assert notes == ["(ATTN: ADDS photo)"]
    assert rest == ["By Kim Ji-hoon", "Body."]


def test_a_story_about_copyright_keeps_its_paragraphs() -> None:
    text = (
        "Copyright holders will be paid under the bill, which lawmakers passed on Thursday "
        "after two years of debate over how streaming platforms share their revenue with "
        "composers, lyricists and performers across the country."
    )
    assert clean_paragraphs(["Lead.", text]) == ["Lead.", text]


def test_calls_to_action_under_a_story_are_dropped() -> None:
    paragraphs = [
        "The vote passed 5-2.",
        "Sign up for our morning newsletter to get the latest news.",
        "Read more: Council approves budget",
        "Subscribers to the service rose 4 percent, the company said.",
    ]
    assert clean_paragraphs(paragraphs) == [
        "The vote passed 5-2.",
        "Subscribers to the service rose 4 percent, the company said.",
    ]


@pytest.mark.parametrize(
    "text", ["(" * 20000, "[" * 20000 + "사진", "x@y.z " * 10000, "By " * 20000, "(LEAD) " * 10000]
)
def test_pathological_paragraphs_are_handled_fast(text: str) -> None:
    import time

    started = time.monotonic()
    clean_paragraphs([text, text])
    extract_dateline(text)
    parse_byline(text)
    split_update_flag(text)
    assert time.monotonic() - started < 2.0

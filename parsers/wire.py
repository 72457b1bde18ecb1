"""Wire-copy rules shared by every parser (site, flat text, generic).

News agencies write stories in a fixed shape: an optional update flag before
the headline, an optional editors' note, a byline, a dateline opening the
first paragraph, the story, the reporter's e-mail and an end mark.  Pages add
captions, share buttons, keyword lists and "Most Viewed" boxes around it.
These functions know that shape so that each parser only has to find the
right region of its page.

Stable API (the generic parser imports it; keep signatures):

``split_update_flag(title) -> (flag | None, title)``
    ``"(LEAD) Yoon to visit ..."`` gives ``("LEAD", "Yoon to visit ...")``.
    Records keep the title as displayed and store the flag separately.
``extract_dateline(text) -> (Dateline | None, rest)``
    ``"SEOUL, April 19 (Yonhap) -- South Korea ..."`` gives
    ``(Dateline("SEOUL", "Yonhap"), "South Korea ...")``.
``dateline_date(text, reference_date) -> date | None``
    The month/day printed in a dateline, with the year taken from the
    reference date and never later than it.
``parse_byline(text) -> list[str]``
    ``"By Lee Haye-ah"`` gives ``["Lee Haye-ah"]``; agencies are never authors.
``clean_paragraphs(paragraphs) -> list[str]``
    Drops end marks, reporter e-mail lines, copyright lines, editors' notes,
    bylines, share-button labels, box headings, hashtag lines and photo
    captions; stops at the end mark.
``split_editorial_notes(paragraphs) -> (notes, rest)``
    Moves ``(ATTN: ...)``/``(CORRECTS ...)`` notes out of the story.
``match_dateline(text) -> DatelineMatch | None``
    The dateline with its printed month/day and, for Korean copy, the
    reporter ("홍길동 기자").
``is_byline``, ``is_caption``, ``is_heading``, ``is_copyright``, ``is_boilerplate``, ``is_agency``
    The single-paragraph predicates ``clean_paragraphs`` is built from.

No third-party extractor knows these conventions (trafilatura keeps
"(END)" and e-mail lines), which is why they are written out here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from parsers.base import Dateline
from parsers.dates import month_number

__all__ = [
    "AGENCIES",
    "DatelineMatch",
    "canonical_agency",
    "clean_paragraphs",
    "dateline_date",
    "extract_dateline",
    "is_agency",
    "is_boilerplate",
    "is_byline",
    "is_caption",
    "is_copyright",
    "is_heading",
    "match_dateline",
    "parse_byline",
    "split_editorial_notes",
    "split_update_flag",
    "title_case",
]

# --------------------------------------------------------------------------
# Agencies
# --------------------------------------------------------------------------

#: Canonical agency name -> spellings seen in datelines and bylines.
AGENCIES: dict[str, tuple[str, ...]] = {
    "Yonhap": ("Yonhap", "Yonhap News Agency", "연합뉴스", "연합"),
    "AP": ("AP", "Associated Press", "The Associated Press"),
    "Reuters": ("Reuters", "Thomson Reuters"),
    "AFP": ("AFP", "Agence France-Presse", "Agence France Presse", "AFP-Jiji"),
    "Kyodo": ("Kyodo", "Kyodo News"),
    "Jiji": ("Jiji", "Jiji Press"),
    "Xinhua": ("Xinhua", "Xinhua News Agency"),
    "Anadolu": ("AA", "Anadolu", "Anadolu Agency"),
    "dpa": ("dpa", "DPA", "dpa-AFX"),
    "EFE": ("EFE",),
    "ANSA": ("ANSA", "ANSAmed"),
    "UPI": ("UPI", "United Press International"),
    "Bernama": ("Bernama", "BERNAMA"),
    "PTI": ("PTI", "Press Trust of India"),
    "IANS": ("IANS",),
    "ANI": ("ANI",),
    "TASS": ("TASS", "Tass", "ITAR-TASS"),
    "Interfax": ("Interfax",),
    "Antara": ("Antara", "ANTARA"),
    "PNA": ("PNA",),
    "KCNA": ("KCNA",),
    "CNA": ("CNA",),
    "Bloomberg": ("Bloomberg",),
    "APA": ("APA",),
    "Belga": ("Belga",),
    "Lusa": ("Lusa",),
    "Europa Press": ("Europa Press",),
    "RIA Novosti": ("RIA Novosti", "RIA"),
    "WAM": ("WAM",),
    "SPA": ("SPA",),
    "IRNA": ("IRNA",),
    "CNS": ("CNS",),
    "Keystone-SDA": ("Keystone-SDA", "SDA", "ATS"),
    "SID": ("SID", "Sport-Informations-Dienst"),
    "KNA": ("KNA",),
    "epd": ("epd",),
    "ANP": ("ANP",),
    "NTB": ("NTB",),
    "Ritzau": ("Ritzau",),
    "STT": ("STT",),
    "PAP": ("PAP",),
    "MTI": ("MTI",),
    "ČTK": ("ČTK", "CTK"),
    "AAP": ("AAP", "Australian Associated Press"),
    "Canadian Press": ("The Canadian Press", "Canadian Press"),
    "PA Media": ("PA Media", "Press Association"),
    "Agerpres": ("Agerpres",),
    "BTA": ("BTA",),
    "HINA": ("HINA",),
    "Tanjug": ("Tanjug",),
    "Ukrinform": ("Ukrinform",),
    "Prensa Latina": ("Prensa Latina",),
}

_ALIAS = {alias.lower(): name for name, aliases in AGENCIES.items() for alias in aliases}
_AGENCY_ALT = "|".join(
    re.escape(a) for a in sorted({a for v in AGENCIES.values() for a in v}, key=len, reverse=True)
)


def is_agency(name: str) -> bool:
    """True when ``name`` is a news agency (or its staff), never a person."""
    cleaned = re.sub(
        r"\b(staff|staff writers?|news service|wire|reporters?|news agency|nachrichtenagentur)\b",
        "", name, flags=re.I,
    )
    cleaned = cleaned.strip(" ,;:/()-").lower()
    cleaned = re.sub(r"^the\s+", "", cleaned)
    return cleaned in _ALIAS or cleaned in {"agencies", "wires", "news agencies", "staff"}


# --------------------------------------------------------------------------
# Update flags
# --------------------------------------------------------------------------

# Words that make a leading bracket a wire flag rather than part of a headline.
_FLAG_WORDS = (
    r"LEAD|\d+(?:st|nd|rd|th)\s+LD|LD|URGENT|UPDATE(?:D)?(?:\s+\d+)?|CORRECT(?:ED|ION)|"
    r"RECAST|REPEAT|REFILE|FLASH|BREAKING|EXCLUSIVE|ALERT|"
    r"News\s+Focus|News\s+Analysis|Yonhap\s+\w+|Feature|Interview|Profile|Explainer|"
    r"Newsmaker|Obituary|Preview|Roundup|Factbox|Fact\s*Check|Q&A|Photo|Graphic|Video|"
    r"EDITORIAL[^)\]]*|Editorial[^)\]]*|LIVE|Live|"
    r"종합\d*보?|\d+보|속보|단독|인터뷰|르포|팩트체크|영상|그래픽|사설|연합시론|게시판|부고|인사|"
    r"이슈\s*\w*|현장\w*|\w+\s*포커스|뉴스\s*분석"
)
_FLAG_RE = re.compile(
    rf"^\s*[(\[【]\s*((?:{_FLAG_WORDS})(?:\s*[,/&]\s*(?:{_FLAG_WORDS}))*)\s*[)\]】]\s*",
    re.IGNORECASE,
)
# Reuters/Bloomberg style "UPDATE 2-Headline", "EXCLUSIVE-Headline", "BREAKING: ..."
_PREFIX_FLAG_RE = re.compile(
    r"^\s*((?:UPDATE\s*\d*|EXCLUSIVE|BREAKING|CORRECTED|REFILE|RPT|URGENT|WRAPUP\s*\d*))\s*[-:–]\s*(?=\S)"
)


# Korean Yonhap puts its flags after the headline: "... 발사(종합2보)"
_TRAILING_FLAG_RE = re.compile(r"\s*[(\[]\s*((?:종합\d*보?|\d+보|속보|1보|상보))\s*[)\]]\s*$")


def split_update_flag(title: str) -> tuple[str | None, str]:
    """Split leading wire flags off a headline.

    Returns ``(flag, title_without_flag)``; several leading flags are joined
    with ", " (``"(LEAD) (URGENT) ..."`` gives ``"LEAD, URGENT"``).  A
    bracket that does not hold a known flag word stays in the title.
    """
    flags: list[str] = []
    rest = title.strip()
    while True:
        match = _FLAG_RE.match(rest) or _PREFIX_FLAG_RE.match(rest)
        if not match:
            break
        flags.append(" ".join(match.group(1).split()))
        rest = rest[match.end():]
    trailing = _TRAILING_FLAG_RE.search(rest)
    if trailing and rest[: trailing.start()].strip():
        flags.append(trailing.group(1))
        rest = rest[: trailing.start()]
    if not flags or not rest.strip():
        return None, title.strip()
    return ", ".join(flags), rest.strip()


# --------------------------------------------------------------------------
# Datelines
# --------------------------------------------------------------------------

_MONTH_RE = r"(?:[A-Z][a-z]{2,8}|[A-Z]{3,9})\.?"
_DATE_RE = rf"(?P<month>{_MONTH_RE})\s+(?P<day>\d{{1,2}})(?:,?\s+(?P<year>\d{{4}}))?"
# City: one to five capitalised words, allowing "S.", "St.", hyphens, slashes
_CITY_RE = r"(?P<city>[A-Z\u00C0-\u024F][\w.'’\-]*(?:[ /][A-Z\u00C0-\u024F][\w.'’\-]*){0,4})"
# "RIO DE JANEIRO, Brazil (AP)": a state or country after the city
_REGION_RE = r"(?:,\s*[A-Z][\w.'’\-]*(?:\s+[A-Z][\w.'’\-]*){0,2}(?=\s*[,(\[]))?"
_DASH = r"(?:--|—|–|-|‒|\.-|:)"

_EN_DATELINE = re.compile(
    rf"^\s*{_CITY_RE}{_REGION_RE}(?:,\s*{_DATE_RE})?\s*"
    # "(PTI) The ..." needs no dash after a bracketed agency; a bare one does
    rf"(?:[(\[](?P<agency>{_AGENCY_ALT})[)\]]\s*(?:{_DASH}\s*)?"
    rf"|(?P<bare>{_AGENCY_ALT})\s*{_DASH}\s*)"
)
# "(ANSA) - ROME, APR 19 - ..." : agency first
_AGENCY_FIRST = re.compile(
    rf"^\s*\((?P<agency>{_AGENCY_ALT})\)\s*{_DASH}\s*{_CITY_RE}(?:,\s*{_DATE_RE})?\s*{_DASH}\s*"
)
# Korean Yonhap: "(서울=연합뉴스) 홍길동 기자 = ..."
_KO_DATELINE = re.compile(
    r"^\s*[(\[]\s*(?P<city>[^=()\[\]]{1,20}?)\s*=\s*(?P<agency>연합뉴스|연합|뉴시스|뉴스1)\s*[)\]]"
    r"\s*(?P<reporters>(?:[^=]{0,60}?(?:기자|특파원|통신원))?)\s*=?\s*"
)


@dataclass(frozen=True)
class DatelineMatch:
    """A dateline found at the start of a paragraph."""

    city: str | None
    agency: str | None
    month: int | None
    day: int | None
    year: int | None
    reporters: str | None
    rest: str

    @property
    def dateline(self) -> Dateline:
        return Dateline(city=self.city, agency=self.agency)


def canonical_agency(name: str) -> str:
    """The agency's one name for any of its spellings ("The Associated Press": "AP");
    anything else unchanged."""
    return _ALIAS.get(name.lower(), name)


def match_dateline(text: str) -> DatelineMatch | None:
    """Find a dateline at the start of ``text``; ``None`` if there is none."""
    match = _KO_DATELINE.match(text)
    if match:
        return DatelineMatch(
            city=match.group("city").strip(),
            agency=canonical_agency(match.group("agency")),
            month=None,
            day=None,
            year=None,
            reporters=match.group("reporters").strip() or None,
            rest=text[match.end():].strip(),
        )
    for pattern in (_EN_DATELINE, _AGENCY_FIRST):
        match = pattern.match(text)
        if not match:
            continue
        month = month_number(match.group("month"))
        if match.group("month") and month is None:
            continue  # "Foo, Bar 3 (AP)" where Bar is not a month: not a dateline
        day = int(match.group("day")) if match.group("day") else None
        year = int(match.group("year")) if match.group("year") else None
        if match.group(0).rstrip().endswith((")", "]")) and not match.group("month"):
            continue  # "Name (AP) text": without a dash, only a dated dateline counts
        agency = match.groupdict().get("agency") or match.groupdict().get("bare")
        return DatelineMatch(
            city=match.group("city").strip().rstrip(","),
            agency=canonical_agency(agency),
            month=month,
            day=day,
            year=year,
            reporters=None,
            rest=text[match.end():].strip(),
        )
    return None


def extract_dateline(text: str) -> tuple[Dateline | None, str]:
    """``(Dateline(city, agency), rest of the paragraph)`` or ``(None, text)``."""
    match = match_dateline(text)
    if match is None:
        return None, text
    return match.dateline, match.rest


def dateline_date(text: str, reference_date: date | None) -> date | None:
    """The calendar day a dateline names.

    Datelines print month and day only; the year comes from the reference
    date (the crawl day) and is moved back one year when the result would lie
    after it (a "Dec. 31" story read on Jan. 1).
    """
    match = match_dateline(text)
    if match is None or match.month is None or match.day is None:
        return None
    year = match.year or (reference_date.year if reference_date else None)
    if year is None:
        return None
    try:
        found = date(year, match.month, match.day)
        if match.year is None and reference_date and found > reference_date:
            found = date(year - 1, match.month, match.day)
    except ValueError:
        return None
    return found


# --------------------------------------------------------------------------
# Bylines
# --------------------------------------------------------------------------

_BYLINE_PREFIX = re.compile(r"^\s*(?:by|written by|reporting by|von|por|par|di)\s*:?\s+", re.I)
_KO_REPORTER = re.compile(r"([가-힣]{2,4})\s*(?:기자|특파원|통신원|선임기자|객원기자)")
# Korean credit line: "홍길동 기자", "홍길동·김철수 기자", "워싱턴=홍길동 특파원"
_KO_BYLINE_LINE = re.compile(
    r"^\s*(?:[가-힣]{1,10}\s*=\s*)?(?:[가-힣]{2,4}\s*(?:[·,]\s*|\s))*[가-힣]{2,4}\s*"
    r"(?:선임기자|객원기자|기자|특파원|통신원)\s*$"
)
# A desk before the names ("정치부 홍길동 기자") is no author.
_KO_DESK = re.compile(r"^[가-힣]{2,3}(?:부|팀)$")
_NAME_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&|/|\|)\s*", re.I)
_NAME_OK = re.compile(r"^[^\W\d_][\w.'’\-]*(?:\s+[^\W\d_][\w.'’\-]*){0,4}$")


def title_case(name: str) -> str:
    """An all-caps name as people write it: "KIM JEONG-UN" gives "Kim Jeong-Un"."""
    return " ".join("-".join(p.capitalize() for p in w.split("-")) for w in name.split())


def _tidy_name(name: str) -> str:
    name = " ".join(name.split()).strip(" .,;:")
    return title_case(name) if name.isupper() and len(name) > 3 else name


def parse_byline(text: str) -> list[str]:
    """People named in a byline, in order.

    Handles "By A", "By A and B", "By A, B and C", "By A, Associated Press",
    "By A (Yonhap)", Korean "홍길동 기자"; agency names and titles such as
    "Staff" are dropped, all-caps names are title-cased.
    """
    text = " ".join(text.split())[:300]  # a byline is short; bound the regex work
    if not text:
        return []
    credit = _EMAIL.sub("", text).strip()
    if _KO_BYLINE_LINE.match(credit):
        # "홍길동·김철수 기자": every name before the title, not only the last one
        names = credit.split("=")[-1]
        names = re.sub(r"\s*(?:선임기자|객원기자|기자|특파원|통신원)\s*$", "", names)
        people = [n for n in re.split(r"[·,\s]+", names) if n and not _KO_DESK.match(n)]
        return list(dict.fromkeys(people))
    korean = _KO_REPORTER.findall(text)
    if korean:
        return list(dict.fromkeys(korean))
    if text[0] in "([" and text[-1] in ")]":
        text = text[1:-1]  # a whole credit line in brackets: "(Reporting by A)"
    text = _BYLINE_PREFIX.sub("", text)
    text = re.sub(r"\S+@\S+", "", text)  # e-mail addresses
    text = re.sub(r"[(\[][^)\]]*[)\]]", "", text)  # "(Yonhap)", "[AP]"
    text = re.sub(r"\b(?:Staff|Correspondent|Reporter|Writer)s?\b.*$", "", text, flags=re.I)
    # Reuters credits: "Reporting by A; Editing by B" -- editors are not authors
    text = re.split(r"[;.]?\s*\b(?:editing|edited|compiled) by\b", text, flags=re.I)[0]
    text = re.sub(r"\b(?:additional )?(?:reporting|writing) by\b", ",", text, flags=re.I)
    names: list[str] = []
    for part in _NAME_SPLIT.split(text):
        part = _tidy_name(part)
        if not part or is_agency(part) or not _NAME_OK.match(part):
            continue
        if part.lower() in {"the", "staff", "editor", "editors", "news"}:
            continue
        names.append(part)
    return list(dict.fromkeys(names))


_BYLINE_LINE = re.compile(
    r"^\s*By\s+[A-Z][\w.'’\-]*(?:\s+[A-Z][\w.'’\-]*){0,3}"
    r"(?:\s*(?:,|and|&)\s*[A-Z][\w.'’\-]*(?:\s+[A-Z][\w.'’\-]*){0,3}){0,4}\s*$"
)


def is_byline(paragraph: str) -> bool:
    """A paragraph that is only a byline: "By A and B", or Korean "홍길동 기자"."""
    if len(paragraph) >= 120:
        return False
    return bool(_BYLINE_LINE.match(paragraph) or _KO_BYLINE_LINE.match(paragraph))


# --------------------------------------------------------------------------
# Paragraph cleaning
# --------------------------------------------------------------------------

_END_MARK = re.compile(
    r"\s*(?:\((?:END|MORE|END OF STORY|ENDS|ENDIT|ENDITEM)\)|/+\s*(?:END|ENDS|ENDITEM)\s*/*|"
    r"\bENDS\b|\(끝\)|<끝>|＜끝＞)\s*$"
)
#: Characters at the end of a paragraph that can hold an end mark ("(END OF STORY)" and spaces).
_END_MARK_SPAN = 40
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_COPYRIGHT = re.compile(
    r"(?:^\s*(?:copyright|©|\(c\)|ⓒ)|all rights reserved|저작권자|무단\s*전재|재배포\s*금지|"
    r"may not be (?:published|reproduced)|unauthorized reproduction|trust principles|"
    r"^\s*our standards\b)",
    re.I,
)
_NOTE = re.compile(
    r"^\s*[(\[]\s*(?:ATTN|EDS?|EDITORS?|CORRECTS?|CORRECTION|CORRECTED|UPDATES?|ADDS?|RECASTS?|"
    r"REPEATS?|REFILES?|NOTE|NOTICE)\b[^)\]]*[)\]]\s*",
    re.I,
)
# Reuters-style credit line closing a story: "(Reporting by A; Editing by B)"
_CREDIT_LINE = re.compile(
    r"^\s*[(\[]?\s*(?:additional\s+)?(?:reporting|writing|editing|compiled)\s+by\b.*[)\]]?\s*$",
    re.I,
)
# Calls to action left under a story: "Sign up for our newsletter", "Read more: ..."
_CALL_TO_ACTION = re.compile(
    r"^\s*(?:sign up|subscribe (?:to|now|for)|follow us|click here|download (?:our|the) app|"
    r"read more\s*:|related\s*:|see also\s*:|watch\s*:|listen\s*:|more on this|"
    r"get the latest|join our|support our journalism)",
    re.I,
)
_SHARE_LABELS = {
    "share", "share this", "share this article", "facebook", "twitter", "x", "pinterest",
    "linkedin", "linked in", "tumblr", "reddit", "facebook messenger", "kakaotalk", "kakao",
    "whatsapp", "telegram", "line", "email", "e-mail", "mail", "print", "like", "save",
    "font size", "copy url", "copy link", "url is copied.", "url is copied", "ok", "close",
    "more", "comments", "abcdefg", "top", "home", "공유", "페이스북", "트위터", "카카오톡",
    "카카오스토리", "링크복사", "url 복사", "인쇄", "글자크기", "스크랩", "댓글",
}
_HEADINGS = {
    "latest news", "most viewed", "most liked", "most saved", "most read", "most popular",
    "related articles", "related news", "related stories", "related", "keywords",
    "issue keywords", "top news", "recommended", "recommended stories", "read more",
    "more stories", "popular", "trending", "editor's picks", "you may also like", "tags",
    "topics", "weather", "today's weather", "advertisement", "sponsored",
    "많이 본 뉴스", "관련 뉴스", "최신 뉴스", "주요 뉴스", "핫뉴스", "오래 머문 뉴스", "키워드",
    "관련기사", "이 시각 헤드라인", "날씨",
}
#: Longer than this, a paragraph is no run of share labels and box headings.
_LABEL_MAX_CHARS = 300
_HASHTAGS = re.compile(r"^(?:keywords?\s*:?\s*)?(?:#\S[^#]*){1,}$", re.I)
_CREDIT = re.compile(
    r"(?:[(\[](?:Yonhap|AP|AFP|Reuters|EPA|Xinhua|Kyodo|Getty Images|Newsis|News1|"
    r"Yonhap Photo|Yonhap file photo|"
    r"(?:AP|AFP|EPA|Reuters|Yonhap|EPA-EFE)\s*(?:Photo|file photo)[^)\]]*|"
    r"Photo courtesy of[^)\]]*|Courtesy of[^)\]]*|Photo by[^)\]]*|"
    r"[^)\]]*(?:사진|제공|자료사진|재판매 및 DB 금지)[^)\]]*)[)\]]|/Yonhap|/AP|/AFP|/Reuters)\s*$",
    re.I,
)


def split_editorial_notes(paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """Move editors' notes (``(ATTN: ...)``, ``(CORRECTS ...)``) out of the story.

    A note may start a paragraph that continues with the byline ("(ATTN:
    ...)By Kang"); only the note is taken, the remainder stays.
    """
    notes: list[str] = []
    rest: list[str] = []
    for paragraph in paragraphs:
        match = _NOTE.match(paragraph)
        while match:
            notes.append(match.group(0).strip())
            paragraph = paragraph[match.end():]
            match = _NOTE.match(paragraph)
        if paragraph.strip():
            rest.append(paragraph)
    return notes, rest


def _is_email_line(paragraph: str) -> bool:
    # the "@" test first: the pattern tries every word start of a long paragraph
    if "@" not in paragraph or not _EMAIL.search(paragraph):
        return False
    without = _EMAIL.sub("", paragraph)
    return len(without.split()) <= 6


def _is_label(paragraph: str) -> bool:
    if len(paragraph) > _LABEL_MAX_CHARS:
        return False  # labels are words, not prose: no need to split a paragraph into them
    key = paragraph.strip().strip(":|·•-").strip().lower()
    if key in _SHARE_LABELS or key in _HEADINGS:
        return True
    words = [w for w in re.split(r"\s*[|/·•]\s*|\s{2,}", key) if w]
    return len(words) > 1 and all(w in _SHARE_LABELS for w in words)


def is_heading(paragraph: str) -> bool:
    """A box heading ("Most Viewed", "Related Articles", "많이 본 뉴스").

    In flattened text what follows such a heading is the box's list of
    links, not more of the story.
    """
    return paragraph.strip().strip(":|·•-").strip().lower() in _HEADINGS


def is_copyright(paragraph: str) -> bool:
    """A copyright or reprint notice: "Copyright 2025 ...", "저작권자(c) 연합뉴스 ..."."""
    # the length test first: searching a long paragraph for every notice costs more
    return len(paragraph.split()) <= 30 and bool(_COPYRIGHT.search(paragraph))


def is_caption(paragraph: str) -> bool:
    """A photo caption or credit line (ends with "(Yonhap)", "(AP Photo/...)")."""
    # credits close a caption; the dateline test (several patterns) only when one does
    return bool(_CREDIT.search(paragraph[-300:])) and not match_dateline(paragraph)


def is_boilerplate(paragraph: str) -> bool:
    """A paragraph no story contains: labels, headings, hashtags, credits, notices."""
    text = paragraph.strip()
    return bool(
        not text
        or _is_label(text)
        or _HASHTAGS.match(text)
        or is_copyright(text)
        or _is_email_line(text)
        or is_caption(text)
        or _END_MARK.fullmatch(text)
        or (_CREDIT_LINE.match(text) and len(text) < 200)
        or (_CALL_TO_ACTION.match(text) and len(text.split()) <= 20)
    )


def clean_paragraphs(paragraphs: list[str]) -> list[str]:
    """The story's paragraphs with wire and page boilerplate removed.

    Whitespace is normalised; editors' notes, bylines, e-mail lines,
    copyright notices, share labels, box headings, hashtag lines and photo
    credit lines are dropped; an end mark ("(END)", "(MORE)", "(끝)") closes
    the story: the mark is removed and nothing after it is kept.
    """
    _, paragraphs = split_editorial_notes([" ".join(p.split()) for p in paragraphs])
    kept: list[str] = []
    for paragraph in paragraphs:
        # an end mark closes the paragraph: searching its last characters is
        # enough (the whole of a long paragraph costs a scan per character)
        tail = paragraph[-_END_MARK_SPAN:]
        mark = _END_MARK.search(tail)
        ended = mark is not None
        text = (paragraph[: len(paragraph) - len(tail) + mark.start()] if mark else paragraph).strip()
        if text and not is_boilerplate(text) and not (is_byline(text) and not kept):
            kept.append(text)
        if ended:
            break
    return kept

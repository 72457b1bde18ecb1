"""Flat text dumps: a page saved as text, navigation and all.

Old archives and some feeds give a story as plain text with the site's menus
flattened into lines around it ("select languages", "FocusFocus Focus",
"Home > National > Politics/Diplomacy").  The story is found by its shape,
not by the site's words:

1. **Anchor.** The first line opening with a wire dateline
   ("SEOUL, Jan. 4 (Yonhap) --"); failing that, the first run of two or more
   prose lines.
2. **Title.** The nearest title-shaped line above the anchor: 3-30 words, not
   navigation, not a byline or a time stamp.
3. **Body.** Lines from the anchor on while they are prose; the first
   navigation-shaped line, box heading ("Most Viewed", "많이 본 뉴스": a
   list of other headlines follows, and headlines can look like prose) or
   copyright notice after the story ends it.  :func:`parsers.wire.clean_paragraphs`
   then removes end marks, e-mail lines and the like.
4. **Section.** A breadcrumb line ("Home > A > B", "Home / A / B", "A » B").

A line is navigation when it is short and made of menu words (English and
Korean), a breadcrumb, short and all in lower case ("select languages"; a
line in a script without case, such as a four-word Korean headline, is not
judged by its case), or holds a token repeated back to back ("FocusFocus",
"latestnewslatestnews": the text of an icon link and its label run
together).  Prose is a line of six or more words, or one ending in sentence
punctuation.  Korean credit lines ("홍길동 기자") are bylines, never titles.

Datelines print month and day only: the year comes from ``reference_date``
(never later than it), and the time is midnight in the agency's home time
zone unless the dump states a time.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

from parsers import wire
from parsers.base import ParsedArticle, ParseError
from parsers.dates import month_number

#: Home time zone of agencies whose datelines print no time.
AGENCY_ZONES = {
    "Yonhap": timezone(timedelta(hours=9)),
    "Kyodo": timezone(timedelta(hours=9)),
    "Jiji": timezone(timedelta(hours=9)),
    "KCNA": timezone(timedelta(hours=9)),
    "Xinhua": timezone(timedelta(hours=8)),
    "CNA": timezone(timedelta(hours=8)),
    "Bernama": timezone(timedelta(hours=8)),
    "PTI": timezone(timedelta(hours=5, minutes=30)),
    "IANS": timezone(timedelta(hours=5, minutes=30)),
    "ANI": timezone(timedelta(hours=5, minutes=30)),
    "Anadolu": timezone(timedelta(hours=3)),
    "TASS": timezone(timedelta(hours=3)),
}

#: Words that make up site menus in many languages' English editions.
MENU_WORDS = frozenset(
    """
    home menu search login log in sign up register subscribe subscription newsletter rss feed
    feeds select choose language languages english edition focus latest news top most read
    popular viewed more all sections section topics topic video videos photo photos image images
    gallery live podcast podcasts opinion world national politics business economy sports sport
    culture entertainment lifestyle science tech technology health weather markets share print
    email e-mail facebook twitter tweet linkedin whatsapp follow us about contact advertise
    careers privacy terms cookies policy skip to content main navigation site map sitemap next
    previous prev back top page related headlines breaking today archive archives editions
    diplomacy defense north korea korea asia world us u.s. europe africa americas middle east
    local city region regions and & the of in for to on a
    this article articles story font size text send friend bookmark comment comments copy link
    url listen save reprint reprints permissions larger smaller
    """.split()
    # Korean portals' menus (Hangul has no case, so only the words can tell a menu)
    + """
    홈 메뉴 전체메뉴 검색 로그인 로그아웃 회원가입 마이페이지 구독 구독하기 알림 설정 닫기 열기 더보기
    전체 기사 전체기사 최신기사 최신 뉴스 속보 많이 본 랭킹 이슈 오피니언 사설 칼럼 포토 사진 영상
    비디오 그래픽 정치 북한 경제 산업 사회 전국 지역 세계 국제 문화 연예 스포츠 생활 건강 과학 it
    날씨 공유 공유하기 인쇄 글자크기 스크랩 댓글 제보 채널 앱 다운로드 english 연합뉴스 tv
    """.split()
)
_REPEATED_TOKEN = re.compile(r"\b(\w{3,})\1", re.IGNORECASE)
_BREADCRUMB = re.compile(r"\s+(?:>|»|›|/|\|)\s+")
_STRONG_CRUMB = re.compile(r"\s+(?:>|»|›)\s+")
# "2025-03-11 12:55", "2025.03.11. 오후 12:55" (Korean portals: 오전 a.m., 오후 p.m.)
_TIMESTAMP = re.compile(
    r"(?P<y>\d{4})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})\.?[ T,]+(?:(?P<half>오전|오후)\s*)?"
    r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::\d{2})?\s*(?P<z>KST|JST|GMT|UTC|Z|[+-]\d{2}:?\d{2})?"
)
# "Updated 3:12 PM UTC, March 11, 2025", "March 10, 2025 9:41 AM GMT+1"
_WORD_DATE = re.compile(
    r"\b(?P<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+"
    r"(?P<day>\d{1,2}),?\s+(?P<year>\d{4})\b"
)
_CLOCK = re.compile(
    r"\b(?P<H>\d{1,2}):(?P<M>\d{2})(?::\d{2})?\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?"
    r"(?:\s*(?P<zone>UTC|GMT|KST|JST|Z)(?P<offset>[+-]\d{1,2}(?::?\d{2})?)?)?"
)
_PROSE_END = re.compile(r"[.!?:;\"'”’)\]]\s*$")
_SPACES = re.compile(r"[\u00a0\u2000-\u200b\u3000\t ]+")


def _lines(text: str) -> list[str]:
    """Non-empty lines with exotic spaces normalised; blank lines kept as ``""``."""
    return [_SPACES.sub(" ", line).strip() for line in text.replace("\r", "\n").split("\n")]


def is_breadcrumb(line: str) -> bool:
    """"Home > A > B", "A » B", or "Home / A / B" (weak separators need "Home" first)."""
    if len(line) >= 120:
        return False
    strong = _STRONG_CRUMB.split(line)
    parts = strong if len(strong) >= 2 else _BREADCRUMB.split(line)
    if not all(0 < len(p.split()) <= 4 for p in parts):
        return False
    if len(strong) >= 2:
        return True
    # "News | Sport | Weather" is a menu, not a path: weak separators need "Home" first
    return len(parts) >= 2 and parts[0].strip().lower() in {"home", "홈"}


def breadcrumb_path(line: str) -> list[str]:
    parts = [p.strip() for p in _BREADCRUMB.split(line)]
    return [p for p in parts if p and p.lower() not in {"home", "main", "홈"}]


def is_timestamp_line(line: str) -> bool:
    """A short line that states a date or time ("Updated 3:12 PM UTC, March 11, 2025")."""
    if len(line.split()) > 14:
        return False
    return bool(_TIMESTAMP.search(line) or _WORD_DATE.search(line) or _CLOCK.search(line))


def is_navigation(line: str) -> bool:
    """Menu-shaped: a breadcrumb, a run-together label, or short menu words only."""
    words = re.findall(r"[\w.&'-]+", line.lower())
    if not words:
        return True
    if is_breadcrumb(line):
        return True
    if len(words) <= 8 and _REPEATED_TOKEN.search(line):
        return True
    if len(words) <= 6 and all(w in MENU_WORDS for w in words):
        return True
    return len(words) <= 4 and not _PROSE_END.search(line) and _lower_case_label(line)


def _lower_case_label(line: str) -> bool:
    """All in lower case, like "select languages": menu labels, never headlines.

    Only letters that have a case count, and they must be most of the line:
    Hangul, kana and Han have no case, so a short Korean headline ("울산
    화학공장 화재 진화") says nothing by its case and is not a menu for it.
    """
    letters = [c for c in line if c.isalpha()]
    cased = [c for c in letters if c.lower() != c.upper()]
    return bool(cased) and len(cased) * 2 > len(letters) and line.lower() == line


def is_prose(line: str) -> bool:
    words = line.split()
    if is_navigation(line):
        return False
    return len(words) >= 6 or (len(words) >= 2 and bool(_PROSE_END.search(line)))


def _is_title(line: str) -> bool:
    words = line.split()
    return (
        3 <= len(words) <= 30
        and len(line) <= 250
        and not is_navigation(line)
        and not is_breadcrumb(line)
        and not wire.is_byline(line)
        and not is_timestamp_line(line)
        and not line.rstrip().endswith(".")
        and not wire.is_boilerplate(line)
    )


def _join_wrapped(lines: list[str]) -> list[str]:
    """Re-join story paragraphs hard-wrapped at a fixed width.

    Only inside the story (after a dateline), only when no blank line
    separates the two lines and the first one stops mid-sentence.
    """
    out: list[str] = []
    in_story = False
    for line in lines:
        previous = out[-1] if out else ""
        starts_story = wire.match_dateline(line) is not None
        if (
            in_story
            and line
            and len(previous) >= 60
            and not _PROSE_END.search(previous)
            and not starts_story
        ):
            out[-1] = f"{previous} {line}"
            continue
        in_story = in_story or starts_story
        out.append(line)
    return out


class TextParser:
    """A story out of a flat text dump of a news page."""

    name = "text"
    version = "1.0"
    VALID_UNTIL: date | None = None

    def parse(
        self, html: str, *, url: str | None = None, reference_date: date | None = None
    ) -> ParsedArticle:
        lines = [line for line in _join_wrapped(_lines(html)) if line]
        anchor = self._anchor(lines)
        if anchor is None:
            raise ParseError(
                "not_html", "text with no article shape: no dateline or prose paragraphs"
            )
        title_at = self._title_index(lines, anchor)
        if title_at is None:
            raise ParseError("no_title", "no headline-shaped line before the story")
        title = lines[title_at]
        header = lines[:title_at]
        between = lines[title_at + 1 : anchor]
        story = self._story_lines(lines, anchor)
        match = wire.match_dateline(lines[anchor])
        flag, _ = wire.split_update_flag(title)
        return ParsedArticle(
            title=title,
            body=wire.clean_paragraphs(story),
            site_article_id=None if url else self._text_id(title, lines[anchor]),
            language=self.language(" ".join(story)),
            update_flag=flag,
            authors=self.authors(between, story),
            dateline=match.dateline if match else None,
            published_at=self.published_at(lines, anchor, match, reference_date),
            updated_at=self.updated_at(lines, anchor, match),
            section=self.section(header + between),  # a breadcrumb may sit under the title
            canonical_url=url,
        )

    # --------------------------------------------------------------- structure

    def _anchor(self, lines: list[str]) -> int | None:
        for index, line in enumerate(lines):
            if wire.match_dateline(line) is not None and len(line.split()) >= 8:
                return index
        for index in range(len(lines) - 1):
            if all(is_prose(x) and len(x.split()) >= 12 for x in lines[index : index + 2]):
                return index
        return None

    def _title_index(self, lines: list[str], anchor: int) -> int | None:
        for index in range(anchor - 1, max(-1, anchor - 8), -1):
            if _is_title(lines[index]):
                return index
        return None

    def _story_lines(self, lines: list[str], anchor: int) -> list[str]:
        story: list[str] = []
        index = anchor
        while index < len(lines):
            line = lines[index]
            if wire.is_heading(line) or wire.is_copyright(line):
                break  # "Most Viewed", "Copyright ...": the page's boxes follow, not the story
            if is_prose(line) or wire.is_boilerplate(line):
                story.append(line)
            elif index + 1 < len(lines) and is_prose(lines[index + 1]) and not is_navigation(line):
                story.append(line)  # a short line inside the story (subhead, sign-off)
            else:
                break
            index += 1
        return story

    # ------------------------------------------------------------------ fields

    @staticmethod
    def _text_id(title: str, opening: str) -> str:
        digest = hashlib.sha256(f"{title}\n{opening}".encode()).hexdigest()[:24]
        return f"text-{digest}"

    def section(self, header: list[str]) -> list[str]:
        for line in reversed(header):
            if is_breadcrumb(line):
                return breadcrumb_path(line)
        return []

    def authors(self, between: list[str], story: list[str]) -> list[str]:
        for line in between + story[:2]:
            if wire.is_byline(line):
                return wire.parse_byline(line)
        if story:
            match = wire.match_dateline(story[0])
            if match and match.reporters:
                return wire.parse_byline(match.reporters)
        return []

    def language(self, text: str) -> str | None:
        letters = [c for c in text if c.isalpha()]
        if not letters:
            return None
        if sum(1 for c in letters if "\uac00" <= c <= "\ud7a3") > len(letters) / 2:
            return "ko"
        words = re.findall(r"[a-z]+", text.lower())
        common = sum(1 for w in words if w in {"the", "and", "of", "to", "in", "a", "is", "on"})
        return "en" if words and common / len(words) > 0.08 else None

    def updated_at(
        self, lines: list[str], anchor: int, match: wire.DatelineMatch | None
    ) -> datetime | None:
        """An "Updated ..." time stamp line above the story."""
        zone = AGENCY_ZONES.get(match.agency if match else "", UTC)
        for line in lines[max(0, anchor - 8) : anchor]:
            if _updated_line(line) and is_timestamp_line(line):
                return _line_datetime(line, zone)
        return None

    def published_at(
        self,
        lines: list[str],
        anchor: int,
        match: wire.DatelineMatch | None,
        reference_date: date | None,
    ) -> datetime | None:
        """A time stamp line above the story (not an "Updated" one), else the dateline's day."""
        zone = AGENCY_ZONES.get(match.agency if match else "", UTC)
        for line in lines[max(0, anchor - 8) : anchor]:
            if not is_timestamp_line(line) or _updated_line(line):
                continue
            found = _line_datetime(line, zone)
            if found is not None:
                return found
        if match is None:
            return None
        day = wire.dateline_date(lines[anchor], reference_date)
        if day is None:
            return None
        return datetime(day.year, day.month, day.day, tzinfo=zone)


def _updated_line(line: str) -> bool:
    return line.lower().startswith(("updated", "last updated", "update:", "수정", "업데이트"))


def _line_datetime(line: str, default_zone: tzinfo) -> datetime | None:
    numeric = _TIMESTAMP.search(line)
    if numeric:
        return _stamp_datetime(numeric, default_zone)
    day = _WORD_DATE.search(line)
    clock = _CLOCK.search(line)
    if not day or not clock:
        return None
    hour, minute = int(clock.group("H")), int(clock.group("M"))
    ampm = (clock.group("ampm") or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    zone = _zone(clock.group("zone"), clock.group("offset"), default_zone)
    try:
        return datetime(
            int(day.group("year")), month_number(day.group("month")) or 0,
            int(day.group("day")), hour, minute, tzinfo=zone,
        )
    except ValueError:
        return None


def _zone(name: str | None, offset: str | None, default: tzinfo) -> tzinfo:
    if offset:
        sign = 1 if offset[0] == "+" else -1
        digits = offset[1:].replace(":", "")
        hours, minutes = int(digits[:2] if len(digits) > 2 else digits), 0
        if len(digits) > 2:
            minutes = int(digits[2:])
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    if name in {"KST", "JST"}:
        return timezone(timedelta(hours=9))
    if name in {"GMT", "UTC", "Z"}:
        return UTC
    return default


def _stamp_datetime(stamp: re.Match[str], default_zone: tzinfo) -> datetime | None:
    name = stamp.group("z")
    offset = name if name and name[0] in "+-" else None
    zone = _zone(None if offset else name, offset, default_zone)
    hour = int(stamp.group("H"))
    if stamp.group("half") == "오후" and hour < 12:
        hour += 12
    elif stamp.group("half") == "오전" and hour == 12:
        hour = 0
    try:
        return datetime(
            int(stamp.group("y")), int(stamp.group("m")), int(stamp.group("d")),
            hour, int(stamp.group("M")), tzinfo=zone,
        )
    except ValueError:
        return None

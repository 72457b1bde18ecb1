"""Load the invented wire stories in ``content/`` into typed records.

Each story is one small text file: ``key: value`` header lines, a ``---`` line,
then the body. Body blocks are separated by blank lines; a block whose lines are
separated by single newlines becomes one paragraph with ``<br/>`` breaks (that is
how Yonhap prints its price lists); a block starting with ``[photo PATH]`` is a
photo with its caption; a block starting with a ``[table]`` line is a table, one
row a line, cells split by ``|``, the first row the header. Inside a paragraph,
``[[words|AEN...]]`` links the words to another story, as Yonhap's inline
"txt-hyper" links do. Keeping stories as plain text (not JSON) lets a reviewer
read and edit them like wire copy.

Times are wall-clock times in the source's time zone (``SOURCES``): Asia/Seoul
(+09:00) for Yonhap, America/New_York for AP.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

KST = timezone(timedelta(hours=9), "KST")
CONTENT_DIR = Path(__file__).with_name("content")
#: Source id -> time zone its pages print (and its content files are written in).
SOURCES: dict[str, ZoneInfo] = {
    "yonhap_en": ZoneInfo("Asia/Seoul"),
    "yonhap_ko": ZoneInfo("Asia/Seoul"),
    "apnews": ZoneInfo("America/New_York"),
}

_PHOTO = re.compile(r"^\[photo (?P<path>\S+)\]\s*(?P<caption>.*)$", re.S)
#: Inline link markup in a paragraph: ``[[words|STORY_ID]]``.
INLINE_LINK = re.compile(r"\[\[(?P<text>[^|\]]+)\|(?P<id>\w+)\]\]")


def plain_text(line: str) -> str:
    """A body line without the inline link markup."""
    return INLINE_LINK.sub(lambda m: m["text"], line)


@dataclass(frozen=True)
class Section:
    """One Yonhap English section: where it sits in the menu and the breadcrumb."""

    code: str  # e.g. "national/politics", as in CONTENT_DATA.SECTION
    depth01: str  # top menu code, e.g. "national"
    name: str  # the name shown in the article header and breadcrumb tail
    genre: str  # the article:section meta value
    crumbs: tuple[tuple[str, str], ...]  # (listing path without slash, name)

    @property
    def listing(self) -> str:
        """Path (no leading slash) of the section's listing page."""
        return self.crumbs[-1][0]


def _sub(top: str, top_name: str, sub: str, name: str, genre: str) -> Section:
    return Section(
        f"{top}/{sub}", top, name, genre, ((f"{top}/index", top_name), (f"{top}/{sub}", name))
    )


def _single(top: str, name: str, genre: str) -> Section:
    return Section(f"{top}/{top}", top, name, genre, ((f"{top}/index", name),))


SECTIONS: dict[str, Section] = {
    s.code: s
    for s in (
        _sub("national", "National", "politics", "Politics", "National Politics"),
        _sub("national", "National", "diplomacy", "Diplomacy", "National Diplomacy"),
        _sub("national", "National", "defense", "Defense", "National Defense"),
        _sub("national", "National", "national", "National", "National Society"),
        _single("nk", "North Korea", "North Korea"),
        _sub("economy-finance", "Economy/Finance", "economy", "Economy", "Economy Business"),
        _sub("economy-finance", "Economy/Finance", "finance", "Finance", "Economy Finance"),
        _sub("economy-finance", "Economy/Finance", "health", "Health", "Economy Health"),
        _sub("k-biz", "BIZ", "corporate", "Corporate Newsroom", "Biz Corporate"),
        _sub("k-biz", "BIZ", "stocks", "Stocks", "Stocks"),
        _sub("culture", "Culture/K-pop", "k-pop", "K-pop", "Culture K-pop"),
        _sub("culture", "Culture/K-pop", "arts-culture", "Arts/Culture", "Art/Culture"),
        _sub("culture", "Culture/K-pop", "movies", "Movies", "Culture Movies"),
        _single("sports", "Sports", "Sports"),
    )
}


@dataclass(frozen=True)
class Block:
    """One body block: a paragraph (lines) or a photo."""

    kind: str  # "p", "photo" or "table"
    lines: tuple[str, ...] = ()
    path: str = ""
    caption: str = ""


@dataclass(frozen=True)
class Story:
    id: str
    site: str  # source id: "yonhap_en", "yonhap_ko" or "apnews"
    title: str
    published: datetime
    blocks: tuple[Block, ...]
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def day(self) -> str:
        return self.published.date().isoformat()

    def get(self, key: str, default: str = "") -> str:
        return self.headers.get(key, default)

    @property
    def embargoed(self) -> bool:
        return self.get("embargoed") == "yes"

    @property
    def keywords(self) -> list[str]:
        return [k.strip() for k in self.get("keywords").split(",") if k.strip()]

    @property
    def section(self) -> Section | None:
        return SECTIONS.get(self.get("section"))

    @property
    def image(self) -> str:
        """Path stem of the first photo, or "" for a story without one."""
        return next((b.path for b in self.blocks if b.kind == "photo"), "")

    @property
    def paragraphs(self) -> list[str]:
        """The text paragraphs (tables and photos left out), link markup removed."""
        return ["\n".join(map(plain_text, b.lines)) for b in self.blocks if b.kind == "p"]

    @property
    def tables(self) -> list[list[list[str]]]:
        """Each table as rows of cells, header row first."""
        return [[row.split("|") for row in b.lines] for b in self.blocks if b.kind == "table"]

    @property
    def summary(self) -> str:
        text = " ".join(self.paragraphs)
        return text if len(text) <= 200 else text[:197].rsplit(" ", 1)[0] + "..."


def parse_story(text: str, site: str, story_id: str) -> Story:
    """Parse one content file (see the module docstring for the format)."""
    head, sep, body = text.partition("\n---\n")
    if not sep:
        raise ValueError(f"{story_id}: missing '---' line between header and body")
    headers: dict[str, str] = {}
    for line in head.strip().splitlines():
        key, colon, value = line.partition(":")
        if not colon:
            raise ValueError(f"{story_id}: bad header line {line!r}")
        headers[key.strip()] = value.strip()
    blocks = []
    for chunk in re.split(r"\n\s*\n", body.strip()):
        match = _PHOTO.match(chunk.strip())
        lines = tuple(ln.strip() for ln in chunk.strip().splitlines())
        if lines[0] == "[table]":
            rows = tuple("|".join(cell.strip() for cell in ln.split("|")) for ln in lines[1:])
            blocks.append(Block("table", lines=rows))
        elif match:
            caption = " ".join(match["caption"].split())
            blocks.append(Block("photo", path=match["path"], caption=caption))
        else:
            blocks.append(Block("p", lines=lines))
    tz = SOURCES.get(site, KST)
    published = datetime.strptime(headers.pop("published"), "%Y-%m-%d %H:%M").replace(tzinfo=tz)
    return Story(story_id, site, headers.pop("title"), published, tuple(blocks), headers)


def load_stories(site: str, content_dir: Path = CONTENT_DIR) -> list[Story]:
    """All stories of one site, newest first (the order listings and feeds use)."""
    stories = [
        parse_story(path.read_text(encoding="utf-8"), site, path.stem)
        for path in sorted((content_dir / site).glob("*.txt"))
    ]
    return sorted(stories, key=lambda s: (s.published, s.id), reverse=True)

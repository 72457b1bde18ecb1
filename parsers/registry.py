"""Which parser reads which page: by source id, else by host, else generic.

The parser contract (shared with ``parsers.generic``): a parser is a class
with class attributes ``name: str``, ``version: str`` (e.g. ``"1.0"``) and
optional ``VALID_UNTIL: date | None``, and a method::

    parse(self, html: str, *, url: str | None, reference_date: date | None)
        -> parsers.base.ParsedArticle      # may raise parsers.ParseError

A site may have several versions after a redesign (fundus style): the old
class gets ``VALID_UNTIL`` (the last day its markup was served) and the new
one takes over; :func:`choose_version` picks by the page's fetch date, so
archived pages re-parse with the parser that matches their markup.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from parsers.base import ParsedArticle
from parsers.yonhap import YonhapEnParser, YonhapKoParser

if TYPE_CHECKING:
    from parsers.generic import GenericParser


class Parser(Protocol):
    name: str
    version: str

    def parse(
        self, html: str, *, url: str | None, reference_date: date | None
    ) -> ParsedArticle: ...


#: Source id -> parser versions, oldest first (the last has VALID_UNTIL None).
PARSERS: dict[str, tuple[type, ...]] = {
    "yonhap_en": (YonhapEnParser,),
    "yonhap_ko": (YonhapKoParser,),
}

#: Host (without "www.") -> source id whose parser reads it.
HOSTS: dict[str, str] = {
    "en.yna.co.kr": "yonhap_en",
    "m-en.yna.co.kr": "yonhap_en",
    "yna.co.kr": "yonhap_ko",
    "m.yna.co.kr": "yonhap_ko",
}


def choose_version(versions: tuple[type, ...], fetched_at: datetime | date | None) -> type:
    """The first version still valid on the fetch day (the newest without one)."""
    if fetched_at is None:
        return versions[-1]
    day = fetched_at.date() if isinstance(fetched_at, datetime) else fetched_at
    for parser_class in versions:
        valid_until = getattr(parser_class, "VALID_UNTIL", None)
        if valid_until is None or day <= valid_until:
            return parser_class
    return versions[-1]


def source_for_host(url: str | None) -> str | None:
    host = (urlsplit(url).hostname or "") if url else ""
    host = host.lower().removeprefix("www.")
    return HOSTS.get(host)


def site_parser(
    source: str | None, url: str | None, fetched_at: datetime | date | None = None
) -> Parser | None:
    """An instance of the site parser for this source/URL, or ``None``."""
    key = source if source in PARSERS else source_for_host(url)
    if key is None:
        return None
    return choose_version(PARSERS[key], fetched_at)()


def generic_parser(*, publisher_table: bool = True) -> GenericParser:
    from parsers.generic import GenericParser

    return GenericParser(publisher_table=publisher_table)


def text_parser() -> Parser:
    from parsers.text import TextParser

    return TextParser()


def available_parsers() -> dict[str, list[str]]:
    """Source id -> versions, for ``wiredesk sources`` and documentation."""
    listing = {key: [c.version for c in versions] for key, versions in PARSERS.items()}
    listing["text"] = [text_parser().version]
    listing["generic"] = [generic_parser().version]
    return listing

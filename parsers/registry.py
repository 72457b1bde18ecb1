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

import logging
from datetime import date, datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from parsers.base import ParsedArticle
from parsers.yonhap import YonhapEnParser, YonhapKoParser

log = logging.getLogger(__name__)


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
) -> Any | None:
    """An instance of the site parser for this source/URL, or ``None``."""
    key = source if source in PARSERS else source_for_host(url)
    if key is None:
        return None
    return choose_version(PARSERS[key], fetched_at)()


def generic_parser() -> Any:
    """``parsers.generic.GenericParser`` when present, else the minimal fallback."""
    try:
        from parsers.generic import GenericParser
    except ImportError as exc:
        log.debug("parsers.generic unavailable (%s); using the fallback", exc)
        return FallbackGenericParser()
    return GenericParser()


class FallbackGenericParser:
    """Minimal trafilatura-based parser, used only while ``parsers.generic`` is absent.

    It keeps ``parse_page`` total for any site; the real generic parser adds
    metadata (JSON-LD, OpenGraph, htmldate) on top of the same idea.
    """

    name = "fallback"
    version = "0.1"
    VALID_UNTIL = None

    def parse(
        self, html: str, *, url: str | None = None, reference_date: date | None = None
    ) -> ParsedArticle:
        import trafilatura

        from parsers import wire
        from parsers.base import ParseError

        document = trafilatura.bare_extraction(html, url=url, with_metadata=True)
        if document is None:
            raise ParseError("no_article_body", "no main text found on the page")
        data = document.as_dict() if hasattr(document, "as_dict") else dict(document)
        lines = [line for line in (data.get("text") or "").split("\n") if line.strip()]
        body = wire.clean_paragraphs(lines)
        dateline = next(
            (d for d, _ in (wire.extract_dateline(line) for line in body[:3]) if d), None
        )
        title = data.get("title") or ""
        flag, _ = wire.split_update_flag(title)
        return ParsedArticle(
            title=title,
            body=body,
            language=data.get("language"),
            update_flag=flag,
            authors=wire.parse_byline(data.get("author") or ""),
            dateline=dateline,
            canonical_url=data.get("url") or url,
            summary=None,
        )


def text_parser() -> Any:
    from parsers.text import TextParser

    return TextParser()


def available_parsers() -> dict[str, list[str]]:
    """Source id -> versions, for ``wiredesk sources`` and documentation."""
    listing = {key: [c.version for c in versions] for key, versions in PARSERS.items()}
    listing["text"] = ["1.0"]
    listing["generic"] = [getattr(generic_parser(), "version", "?")]
    return listing

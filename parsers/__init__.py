"""HTML or flat text in, one schema-v1 article record out.

::

    from parsers import parse_page, ParseError
    record = parse_page(page_bytes, url="https://en.yna.co.kr/view/AEN20230419003851320")

``parse_page`` decodes the bytes (:mod:`parsers.decode`), picks a parser
(:mod:`parsers.registry`: the one named by ``parser``, else the source's site
parser, else one chosen by the URL's host, else the generic one; flat text
dumps go to :mod:`parsers.text`) and assembles the record with
:func:`parsers.base.build_record`.  Parser and source are separate: a source
may reuse another site's parser, and its records still carry its own source
and ids.  It either returns a record or raises :class:`ParseError` whose
``reason`` is one of :data:`parsers.base.REASONS`: no other exception
escapes, so the crawler can count and quarantine every failure by reason.

The parser contract (site parsers here, ``parsers.generic.GenericParser``):
a class with ``name: str``, ``version: str``, optional ``VALID_UNTIL: date |
None`` and ``parse(self, html, *, url, reference_date) -> ParsedArticle``.
Shared wire-copy rules (flags, datelines, bylines, paragraph cleaning) are in
:mod:`parsers.wire`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from parsers.base import (
    REASONS,
    ParsedArticle,
    ParseError,
    build_record,
    content_hash,
    source_from_url,
)
from parsers.decode import DEFAULT_MAX_BYTES, decode_html
from parsers.html import canonical_url, looks_like_html, parse_html
from parsers.registry import (
    PARSERS,
    available_parsers,
    generic_parser,
    site_parser,
    source_for_host,
    text_parser,
)

__all__ = [
    "PARSERS",
    "REASONS",
    "ParseError",
    "ParsedArticle",
    "available_parsers",
    "parse_page",
]


#: The ``parser`` id that always means the generic extractor, whatever the host.
GENERIC = "generic"


def _as_date(value: date | str | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _as_datetime(value: datetime | str | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def parse_page(
    content: bytes | str,
    url: str | None = None,
    source: str | None = None,
    reference_date: date | str | None = None,
    *,
    parser: str | None = None,
    encoding: str | None = None,
    fetched_at: datetime | str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    flat_text: bool = False,
    publisher_table: bool = True,
) -> dict[str, Any]:
    """Parse one page into a schema-v1 record dict, or raise :class:`ParseError`.

    :param content: the response body (bytes) or already-decoded text.
    :param url: the page's URL; chooses the parser when neither ``parser``
        nor ``source`` is a known one (without it, the page's own canonical
        link does) and becomes the record's ``url`` unless the page names a
        canonical one.
    :param source: a source id (``yonhap_en``, ``mywire``, ...); becomes the
        record's ``source`` and the prefix of its ``id``.  Without it the
        source is the site known for the URL's host, else one derived from
        the host name.  Also picks the parser when ``parser`` is not given.
    :param parser: which parser reads an HTML page: a site parser id (a key
        of :data:`PARSERS`) or ``generic``.  Any other id is treated like an
        unknown source, by the URL's host, else generic: a crawl source's
        parser id defaults to its own id, which need not name a parser.
    :param reference_date: the crawl day; completes datelines that print no
        year ("SEOUL, Jan. 4 (Yonhap) --").  Defaults to ``fetched_at``'s day.
    :param encoding: the HTTP header's charset, a hint only.
    :param fetched_at: selects the parser version valid on that day (a
        datetime or an ISO 8601 string such as ``2025-03-12T07:00:00Z``).
    :param max_bytes: size limit (``too_large`` above it).
    :param flat_text: the content is a text dump (a ``.txt`` file): skip HTML
        detection and use the flat-text parser.
    :param publisher_table: let the generic parser read the headline field
        :mod:`parsers.publishers` names for a known publisher; ``False``
        measures the generic rules alone, as on a publisher never seen.
    :raises ValueError: ``reference_date`` or ``fetched_at`` cannot be read as a date.
    """
    fetched_at = _as_datetime(fetched_at)
    reference = _as_date(reference_date) or (fetched_at.date() if fetched_at else None)
    try:
        return _parse(
            content, url, source, parser, reference, encoding, fetched_at, max_bytes, flat_text,
            publisher_table,
        )
    except ParseError:
        raise
    except RecursionError as exc:
        raise ParseError("too_deep", "structure too deeply nested to walk") from exc
    except MemoryError as exc:
        raise ParseError("too_large", "page too large to hold in memory") from exc
    except Exception as exc:  # noqa: BLE001 - the contract: every failure gets a reason
        raise ParseError("malformed", f"{type(exc).__name__}: {exc}") from exc


def _parse(
    content: bytes | str,
    url: str | None,
    source: str | None,
    parser_id: str | None,
    reference: date | None,
    encoding: str | None,
    fetched_at: datetime | None,
    max_bytes: int,
    flat_text: bool,
    publisher_table: bool = True,
) -> dict[str, Any]:
    text = decode_html(content, encoding=encoding, max_bytes=max_bytes)
    if flat_text or not looks_like_html(text):
        parser = text_parser()
        article = parser.parse(text, url=url, reference_date=reference)
    elif parser_id != GENERIC and (
        parser := site_parser(parser_id or source, url or canonical_url(text), fetched_at)
    ) is not None:
        article = parser.parse(text, url=url, reference_date=reference)
    else:
        parser = generic_parser(publisher_table=publisher_table)
        article = parser.parse(text, url=url, reference_date=reference, tree=parse_html(text))
    if not (article.site_article_id or article.canonical_url or url):
        # Without any URL every page would hash to the same id: key on the text instead.
        article.site_article_id = "text-" + content_hash(article.title, article.body)[:24]
    return build_record(
        article,
        parser_name=parser.name,
        parser_version=parser.version,
        url=url,
        source=source
        or source_for_host(url or article.canonical_url)
        or source_from_url(article.canonical_url or url),
    )

"""The parser contract: what every parser returns and how it fails.

Every parser (site-specific, flat text, generic) produces the same
:class:`ParsedArticle`; :func:`build_record` turns it into the JSON-ready
record of ``storage/schemas/article.v1.json``.  Keeping record assembly in
one place means ids, content hashes and empty-field rules cannot drift
between parsers.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

SCHEMA_VERSION = 1

#: Reasons a page can be refused; stable strings, counted in run manifests.
REASONS = frozenset(
    {
        "empty",  # no bytes, or only whitespace
        "not_html",  # binary, PDF, image, or text with no article shape
        "too_large",  # over the size limit before parsing
        "too_deep",  # pathological nesting that a tree parser cannot hold
        "no_article_body",  # a page, but no story on it (index, error page, ...)
        "no_title",  # a body but nothing that could be a headline
        "malformed",  # markup that no parser could read at all
        "undecodable",  # mostly invalid bytes under the charset the page declares
    }
)

_SOURCE_RE = re.compile(r"[^a-z0-9_-]+")


class ParseError(Exception):
    """A page that cannot become an article.

    ``reason`` is a short machine-readable word from :data:`REASONS` (used as a
    quarantine reason and a counter key); ``message`` explains it to a person.
    """

    def __init__(self, reason: str, message: str) -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown parse error reason {reason!r}")
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message


@dataclass
class Dateline:
    city: str | None = None
    agency: str | None = None


@dataclass
class Image:
    url: str
    caption: str | None = None


@dataclass
class ParsedArticle:
    """What a parser extracted, before ids and hashes are added."""

    title: str
    body: list[str]
    site_article_id: str | None = None
    language: str | None = None
    update_flag: str | None = None
    authors: list[str] = field(default_factory=list)
    #: the publication, desk or site credited as author; never people, never news agencies
    author_organisations: list[str] = field(default_factory=list)
    dateline: Dateline | None = None
    published_at: datetime | None = None
    updated_at: datetime | None = None
    section: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    summary: str | None = None
    images: list[Image] = field(default_factory=list)
    canonical_url: str | None = None


def source_from_url(url: str | None) -> str:
    """Derive a source id from a host name when no source was named."""
    host = urlsplit(url).hostname if url else None
    if not host:
        return "unknown"
    host = host.removeprefix("www.")
    return _SOURCE_RE.sub("-", host.lower()).strip("-")[:64] or "unknown"


def content_hash(title: str, body: list[str]) -> str:
    """SHA-256 over the text a reader sees; dedup compares it across days."""
    digest = hashlib.sha256()
    digest.update(title.strip().encode("utf-8"))
    for paragraph in body:
        digest.update(b"\n")
        digest.update(paragraph.strip().encode("utf-8"))
    return digest.hexdigest()


def article_id(source: str, site_article_id: str | None, url: str | None) -> str:
    """``<source>:<site id>``, else ``<source>:<hash of the canonical URL>``."""
    if site_article_id:
        safe = re.sub(r"[^A-Za-z0-9._~-]+", "-", site_article_id).strip("-")[:200]
        if safe:
            return f"{source}:{safe}"
    key = (url or "").encode("utf-8")
    return f"{source}:{hashlib.sha256(key).hexdigest()[:32]}"


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("parsers must return timezone-aware datetimes")
    return value.isoformat()


def _clean_list(values: list[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        value = " ".join(value.split())
        if value and value not in seen:
            seen.append(value)
    return seen


def build_record(
    article: ParsedArticle,
    *,
    parser_name: str,
    parser_version: str,
    url: str | None,
    source: str | None,
) -> dict[str, Any]:
    """Assemble a schema-v1 record; fields known only to the crawler stay null.

    The crawler later fills ``fetched_url``, ``fetched_at`` and ``raw``; the
    publisher sets ``version`` from the dedup index.
    """
    body = [p for p in (" ".join(p.split()) for p in article.body) if p]
    title = " ".join(article.title.split())
    if not title:
        raise ParseError("no_title", "no headline found on the page")
    if not body:
        raise ParseError("no_article_body", "no story paragraphs found on the page")
    canonical = article.canonical_url or url
    source_id = source or source_from_url(canonical)
    dateline = None
    if article.dateline and (article.dateline.city or article.dateline.agency):
        dateline = {"city": article.dateline.city, "agency": article.dateline.agency}
    return {
        "schema_version": SCHEMA_VERSION,
        "id": article_id(source_id, article.site_article_id, canonical),
        "source": source_id,
        "url": canonical,
        "fetched_url": None,
        "fetched_at": None,
        "language": article.language,
        "title": title,
        "update_flag": article.update_flag,
        "authors": _clean_list(article.authors),
        "author_organisations": _clean_list(article.author_organisations),
        "dateline": dateline,
        "published_at": _iso(article.published_at),
        "updated_at": _iso(article.updated_at),
        "section": _clean_list(article.section),
        "keywords": _clean_list(article.keywords),
        "summary": " ".join(article.summary.split()) if article.summary else None,
        "body": body,
        "images": [{"url": i.url, "caption": i.caption or None} for i in article.images],
        "content_hash": content_hash(title, body),
        "version": 1,
        "parser": {"name": parser_name, "version": parser_version},
        "raw": None,
    }

"""Discovery: article links (with their dates) out of feeds, sitemaps and listings.

Pure functions over bytes, so they are unit-tested without a crawl.

Why not ``XMLFeedSpider``: it iterates one node name per spider (``item`` *or*
``entry``) and turns every node into a separate callback, while one source
mixes RSS, Atom and news sitemaps and we must count and explain a malformed
document as a whole.  Why not ``scrapy.utils.sitemap.Sitemap`` alone: it
flattens each ``<url>`` to its direct children and so drops the nested
``<news:publication_date>``; we reuse its safe parser settings
(``resolve_entities=False``) and its gzip reader with a size cap instead.

XML safety: the parser never resolves entities, loads DTDs or touches the
network, and any document that declares entities in a DOCTYPE (the shape of
every "billion laughs" bomb) is refused outright, before its body is walked.
Bodies are capped in size before parsing, gzip included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from lxml import etree, html
from scrapy.utils.gz import gunzip

#: Largest feed/sitemap body parsed (after gunzip); bigger ones are refused.
MAX_XML_BYTES = 20 * 1024 * 1024
_PROLOG_BYTES = 256 * 1024
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)


class DiscoveryError(Exception):
    """A feed, sitemap or listing that could not be read; ``reason`` is a counter key."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Entry:
    """One discovered link and its date, if the document gave one.

    ``exact`` says the date is the publication time (RSS ``pubDate``, Atom
    ``published``, ``news:publication_date``, a listing's time stamp); a
    modification date (``lastmod``, Atom ``updated``) is only an upper bound.
    """

    url: str
    published: datetime | None = None
    exact: bool = True

    def belongs_to(self, day: date, tz: ZoneInfo) -> bool:
        """Whether the story may have been published in ``[D, D+1)``.

        Undated: maybe.  Exact: inside the interval.  Modified-at: not
        modified before the interval (a story changed on D+1 may still be
        from D; the parsed ``published_at`` decides).
        """
        if self.published is None:
            return True
        if self.exact:
            return in_interval(self.published, day, tz)
        return self.published >= interval_bounds(day, tz)[0]

    @property
    def needs_date_check(self) -> bool:
        """True when only the parsed page can say whether the story is from D."""
        return self.published is None or not self.exact


@dataclass(frozen=True)
class SitemapDoc:
    """A parsed sitemap: either child sitemaps (an index) or article entries."""

    is_index: bool
    entries: list[Entry]


def interval_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The data interval ``[D, D+1)`` as aware datetimes in the source's zone."""
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


def in_interval(moment: datetime, day: date, tz: ZoneInfo) -> bool:
    start, end = interval_bounds(day, tz)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return start <= moment < end


def parse_date(text: str | None, tz: ZoneInfo | None = None) -> datetime | None:
    """RFC 822 (RSS), ISO 8601 (Atom, sitemaps) or ``YYYY-MM-DD[ HH:MM]``; naive -> ``tz``."""
    if not text or not text.strip():
        return None
    text = text.strip()
    moment: datetime | None = None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            match = re.search(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?:\D+(\d{1,2}):(\d{2}))?", text)
            if match:
                y, m, d, hh, mm = match.groups()
                try:
                    moment = datetime(int(y), int(m), int(d), int(hh or 0), int(mm or 0))
                except ValueError:
                    moment = None
    if moment is not None and moment.tzinfo is None and tz is not None:
        moment = moment.replace(tzinfo=tz)
    return moment


def xml_body(body: bytes, max_bytes: int = MAX_XML_BYTES) -> bytes:
    """The document's bytes, gunzipped if gzip (``sitemap.xml.gz``), never above ``max_bytes``.

    Scrapy's ``gunzip`` stops as soon as the output passes ``max_size``, so a
    gzip bomb costs at most ``max_bytes`` of memory.
    """
    if body[:2] == b"\x1f\x8b":
        try:
            body = gunzip(body, max_size=max_bytes)
        except Exception as exc:  # noqa: BLE001 - size cap and gzip errors have many types
            reason = "too_large" if "max" in str(exc).lower() else "bad_gzip"
            raise DiscoveryError(reason, f"cannot gunzip: {exc}") from exc
    if len(body) > max_bytes:
        raise DiscoveryError("too_large", f"{len(body)} bytes exceeds the {max_bytes} cap")
    return body


def _xml_root(body: bytes, max_bytes: int = MAX_XML_BYTES) -> etree._Element:
    body = xml_body(body, max_bytes)
    if not body.strip():
        raise DiscoveryError("empty", "empty document")
    # Refuse entity declarations before libxml2 sees them: a bomb is only
    # dangerous when expanded, but refusing is simpler to reason about.
    if _ENTITY_DECL.search(body[:_PROLOG_BYTES]):
        raise DiscoveryError("xml_entities", "document declares XML entities (refused)")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        recover=False,
    )
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise DiscoveryError("malformed_xml", str(exc)) from exc
    if root is None:
        raise DiscoveryError("malformed_xml", "no root element")
    return root


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _child_text(elem: etree._Element, *names: str) -> str | None:
    for child in elem:
        if _local(child.tag) in names and child.text and child.text.strip():
            return child.text.strip()
    return None


def parse_feed(body: bytes, tz: ZoneInfo | None = None, *, max_bytes: int = MAX_XML_BYTES) -> list[Entry]:
    """Entries of an RSS 2.0 / RSS 1.0 / Atom document, in document order."""
    root = _xml_root(body, max_bytes)
    kind = _local(root.tag)
    if kind not in ("rss", "rdf", "feed"):
        raise DiscoveryError("not_a_feed", f"root element <{kind}> is not rss/rdf/feed")
    entries: list[Entry] = []
    for elem in root.iter():
        name = _local(elem.tag)
        if name == "item":
            link = _child_text(elem, "link") or _guid_link(elem)
            when = _child_text(elem, "pubdate", "date", "published", "issued")
            exact = when is not None
            when = when or _child_text(elem, "updated", "modified")
        elif name == "entry":
            link = _atom_link(elem)
            when = _child_text(elem, "published", "issued")
            exact = when is not None
            when = when or _child_text(elem, "updated", "modified")
        else:
            continue
        if link:
            entries.append(Entry(link.strip(), parse_date(when, tz), exact))
    return entries


def _guid_link(item: etree._Element) -> str | None:
    for child in item:
        if _local(child.tag) == "guid" and child.get("isPermaLink", "true") != "false":
            text = (child.text or "").strip()
            if text.startswith(("http://", "https://")):
                return text
    return None


def _atom_link(entry: etree._Element) -> str | None:
    fallback = None
    for child in entry:
        if _local(child.tag) != "link" or not child.get("href"):
            continue
        if child.get("rel", "alternate") == "alternate":
            return child.get("href")
        fallback = fallback or child.get("href")
    return fallback


def parse_sitemap(body: bytes, tz: ZoneInfo | None = None, *, max_bytes: int = MAX_XML_BYTES) -> SitemapDoc:
    """A sitemap index (child sitemaps with ``lastmod``) or a (news) urlset.

    For articles the date is ``news:publication_date``, else ``lastmod``
    (then marked inexact: a modification date).
    """
    root = _xml_root(body, max_bytes)
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise DiscoveryError("not_a_sitemap", f"root element <{kind}> is not urlset/sitemapindex")
    entries: list[Entry] = []
    for elem in root:
        loc = _child_text(elem, "loc")
        if not loc:
            continue
        when = None
        for node in elem.iter():
            if _local(node.tag) == "publication_date" and node.text:
                when = node.text
                break
        exact = when is not None
        when = when or _child_text(elem, "lastmod")
        entries.append(Entry(loc, parse_date(when, tz), exact))
    return SitemapDoc(is_index=kind == "sitemapindex", entries=entries)


def parse_listing(
    body: bytes,
    base_url: str,
    tz: ZoneInfo | None = None,
    *,
    encoding: str | None = None,
) -> list[Entry]:
    """Links of a section listing page, each dated by the nearest date text around it.

    Which links are articles is decided later by the source's URL rules; here
    every ``<a href>`` inside a list item/article block is a candidate, dated
    from a ``<time datetime>`` or date-looking text in that block.
    """
    doc = _html_document(body, base_url, encoding)
    seen: set[str] = set()
    entries: list[Entry] = []
    for anchor in doc.iter("a"):
        href = anchor.get("href")
        if not href or href in seen or not href.startswith(("http://", "https://")):
            continue
        seen.add(href)
        entries.append(Entry(href, _block_date(anchor, tz)))
    return entries


def _html_document(body: bytes, base_url: str, encoding: str | None) -> html.HtmlElement:
    """The page's tree with every link made absolute; ``malformed_html`` if lxml refuses it."""
    try:
        parser = html.HTMLParser(encoding=encoding) if encoding else None
        doc = html.fromstring(body, base_url=base_url, parser=parser)
    except (etree.ParserError, ValueError, LookupError) as exc:
        raise DiscoveryError("malformed_html", str(exc)) from exc
    doc.make_links_absolute(base_url, resolve_base_href=True)
    return doc


_DATE_TEXT = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}(?:\D{1,3}\d{1,2}:\d{2})?")


def _block_date(anchor: html.HtmlElement, tz: ZoneInfo | None) -> datetime | None:
    block = anchor
    for _ in range(4):
        parent = block.getparent()
        if parent is None:
            break
        block = parent
        if block.tag in ("li", "article", "tr", "dd"):
            break
    for node in block.iter("time"):
        moment = parse_date(node.get("datetime") or node.text_content(), tz)
        if moment:
            return moment
    match = _DATE_TEXT.search(block.text_content())
    return parse_date(match.group(0), tz) if match else None


_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
_FEED_PATH = re.compile(r"(\.(rss|atom|xml)$|/(rss|feed|atom)(/|$))", re.IGNORECASE)


def feed_links(body: bytes, base_url: str, *, encoding: str | None = None) -> list[str]:
    """Feed URLs announced by an HTML page: ``<link rel=alternate type=rss>`` and
    ``<a href>`` to feed-looking paths (``*.xml``, ``/rss``, ``/feed``), in page order."""
    doc = _html_document(body, base_url, encoding)
    found: list[str] = []
    for elem in doc.iter("link", "a"):
        href = elem.get("href") or ""
        if not href.startswith(("http://", "https://")):
            continue
        announced = elem.tag == "link" and (elem.get("type") or "").lower() in _FEED_TYPES
        path = href.split("?", 1)[0].split("#", 1)[0]
        looks_like = elem.tag == "a" and _FEED_PATH.search(path) and "sitemap" not in path
        if (announced or looks_like) and href not in found:
            found.append(href)
    return found


def date_from_url(url: str, pattern: str | None, tz: ZoneInfo) -> datetime | None:
    """A story's day from its URL (e.g. Yonhap ids ``AEN20250310...``), start of day."""
    if not pattern:
        return None
    match = re.search(pattern, url)
    if not match:
        return None
    try:
        day = date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None
    return datetime.combine(day, time.min, tzinfo=tz)

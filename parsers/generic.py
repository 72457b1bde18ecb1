"""The parser for every page that has no site parser.

Metadata comes from :mod:`parsers.metadata` (JSON-LD, then ``<meta>`` tags,
then the document); the story text from trafilatura with the settings that
scored best on the development corpus, improved by a few checks of our own;
the wire rules of :mod:`parsers.wire` then split update flags, datelines and
bylines off so wire copy from any site comes out in the same shape as from a
site parser.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from itertools import islice
from typing import Any

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from parsers import wire
from parsers.base import Dateline, Image, ParsedArticle, ParseError
from parsers.byline import story_h1, visible_bylines
from parsers.dates import parse_datetime
from parsers.html import comparable, link_texts, mostly_links, parse_html
from parsers.metadata import (
    PageMetadata,
    agency_credits,
    clean_author_names,
    dom_authors,
    extract_metadata,
    own_offset,
)
from parsers.publishers import publisher_for

#: trafilatura settings, chosen by body F1 on aeb-dev (plain ``extract``):
#: defaults 0.951, ``include_comments=False`` 0.961, plus ``favor_precision``
#: 0.968; adding ``favor_recall`` (0.960) or ``deduplicate`` (0.950) or
#: dropping tables (0.940) lowered it.  The cleanups below bring it to 0.975.
#: ``fast`` skips trafilatura's second opinion from readability/jusText: a
#: quarter of the parser's time, for 0.0002 of aeb-dev body F1 and 0.002 of
#: trafilatura-dev segment F1.
TRAFILATURA_OPTIONS: dict[str, Any] = {
    "favor_precision": True,
    "include_comments": False,
    "include_tables": True,
    "deduplicate": False,
    "with_metadata": False,
    "fast": True,
}

#: A page needs this much story text (characters) to count as an article.
MIN_BODY_CHARS = 120
#: Below this much text (characters) the precision pass is checked against a
#: balanced one, which wins when it finds SHORT_BODY_RATIO times as much.
SHORT_BODY_CHARS = 800
SHORT_BODY_RATIO = 2.0


@dataclass
class _Authors:
    """Author names by where they were found, in order of trust."""

    named: list[str] = field(default_factory=list)
    markup: list[str] = field(default_factory=list)
    publishers: list[str] = field(default_factory=list)
    #: news agencies the byline or metadata credits: never authors, kept in the dateline
    agencies: list[str] = field(default_factory=list)

    def byline(self, raw: list[str]) -> list[str]:
        return clean_author_names(raw, self.publishers)


class GenericParser:
    """Any news page: structured metadata plus trafilatura's main-text extraction."""

    name = "generic"
    #: 1.1: headlines of publishers in :mod:`parsers.publishers` come from their own field;
    #: 1.2: the byline printed beside the headline, agency credits in ``dateline.agency``;
    #: 1.3: the site's logo heading, kickers inside the ``<h1>`` and the part of
    #: ``<title>`` printed as a heading settle the headline, a printed ``<h1>`` a
    #: field rewords outweighs SEO fields; the date the page prints settles
    #: fields days apart, a UTC stamp takes the offset of the local time printed
    #: for it; a short precision find gives way to a far longer balanced one
    version = "1.3"
    VALID_UNTIL: date | None = None

    def __init__(self, *, publisher_table: bool = True) -> None:
        #: read :mod:`parsers.publishers`; off, every page is an unseen publisher's
        self.publisher_table = publisher_table

    def parse(
        self,
        html: str,
        *,
        url: str | None = None,
        reference_date: date | None = None,
        tree: lxml_html.HtmlElement | None = None,
    ) -> ParsedArticle:
        """Parse ``html``; ``tree``, when given, is that same page already parsed.

        Passing the dispatcher's tree saves a second parse of the page (about a
        twentieth of the parser's time).  The tree is modified: scripts other
        than JSON-LD and the other :data:`_INERT_TAGS` are removed and
        ``<span>`` wrappers inside paragraphs unwrapped (their text is kept;
        links and ``<meta>`` are untouched; trafilatura works on its own copy).
        """
        if tree is None:
            if not html or not html.strip():
                raise ParseError("empty", "the page has no content")
            tree = parse_html(html)
        meta = extract_metadata(tree, url)
        authors = self.authors(tree, meta)  # before extraction unwraps inline markup
        # htmldate reads scripts, which the body step removes: ask it first
        published = meta.published_at or self.fallback_date(tree, url)
        if published is not None and _day_span(_timed(meta.published_candidates)) >= 1:
            published = self.settle_date(tree, url, meta) or published
        body = self.body(tree, meta)
        if published is not None and published.utcoffset() == timedelta(0) and _timed([published]):
            published = _printed_offset(published, tree) or published
        day = reference_date or (published.date() if published else None)
        title = self.title(meta, url, day)
        if not body:
            raise ParseError("no_article_body", "no story text found on the page")
        if not title:
            raise ParseError("no_title", "no headline found on the page")
        flag, title = wire.split_update_flag(title)
        dateline, body, byline_authors = _clean_story(body, title)
        if sum(len(p) for p in body) < MIN_BODY_CHARS // 2:
            # the fast pass kept only boilerplate: the full cascade may find the story
            dateline, body, byline_authors = _clean_story(self.body(tree, meta, fast=False), title)
        if sum(len(p) for p in body) < MIN_BODY_CHARS // 2:
            raise ParseError("no_article_body", "only boilerplate left after cleaning")
        if authors.agencies and (dateline is None or not dateline.agency):
            # an agency credited in the byline ("Mara Oakes, AP"): the story's
            # agency, kept apart from the people who wrote it
            dateline = Dateline(city=dateline.city if dateline else None, agency=authors.agencies[0])
        return ParsedArticle(
            title=title,
            body=body,
            site_article_id=meta.site_article_id,
            language=meta.language,
            update_flag=flag,
            authors=authors.named or authors.byline(byline_authors) or authors.markup,
            dateline=dateline,
            published_at=published,
            updated_at=meta.updated_at,
            section=meta.section,
            keywords=meta.keywords,
            summary=meta.description,
            images=[Image(url=meta.image)] if meta.image else [],
            canonical_url=meta.canonical_url or url,
        )

    # -- fields --------------------------------------------------------------

    def title(self, meta: PageMetadata, url: str | None, day: date | None) -> str | None:
        """The publisher's headline field when it is known, else the sources' vote.

        See :mod:`parsers.publishers` for why a vote cannot settle every page.
        """
        if not self.publisher_table:
            return meta.title
        publisher = publisher_for(meta.canonical_url or url, day)
        if publisher is not None and meta.title_sources.get(publisher.title):
            return meta.title_sources[publisher.title]
        return meta.title

    def authors(self, tree: lxml_html.HtmlElement, meta: PageMetadata) -> _Authors:
        """People named by the page: metadata checked against the printed byline.

        The first metadata source that survives cleaning names the authors,
        unless the byline printed beside the headline names other people
        (metadata then holds an editor, a login handle or a stale name); with
        no metadata the printed byline names them.  A "By ..." paragraph of
        the story, found later, and author markup elsewhere rank after.
        """
        publishers = meta.publisher_names
        named: list[str] = []
        for raw in meta.author_sources:
            named = clean_author_names(raw, publishers)
            if named:
                break
        lines = visible_bylines(tree, story_h1(tree))
        printed: list[str] = []
        for line in lines:
            printed = clean_author_names([line], publishers)
            if printed:
                break
        credited = [v for raw in meta.author_sources for v in raw] + meta.organisation_authors
        agencies = agency_credits(credited + lines[:3])
        if named and printed and not _agree(named, printed) and not _visible(named, tree):
            named = printed  # metadata names someone the page never shows
        if named or printed:
            return _Authors(named=named or printed, publishers=publishers, agencies=agencies)
        markup = clean_author_names(dom_authors(tree), publishers)
        return _Authors(markup=markup, publishers=publishers, agencies=agencies)

    def body(
        self, tree: lxml_html.HtmlElement, meta: PageMetadata, *, fast: bool = True
    ) -> list[str]:
        """Story paragraphs: trafilatura's, or JSON-LD ``articleBody`` when that is richer."""
        paragraphs = _trafilatura_paragraphs(tree, fast)
        if mostly_links(paragraphs, link_texts(tree)):
            paragraphs = []  # a listing: headlines linking elsewhere, not a story
        extracted = sum(len(p) for p in paragraphs)
        declared = meta.article_body
        if (
            declared
            and len(declared) >= MIN_BODY_CHARS
            and len(declared) > 1.5 * extracted
            and _shown_on_page(declared, tree)
        ):
            # the page's own declaration of its story beats a failed extraction,
            # as long as the reader sees it too (not a teaser or another story)
            return [p for p in re.split(r"\s*\n\s*", declared) if p.strip()]
        if extracted < MIN_BODY_CHARS:
            return []
        return paragraphs

    def settle_date(
        self, tree: lxml_html.HtmlElement, url: str | None, meta: PageMetadata
    ) -> datetime | None:
        """The publication time the page prints, when its fields name days far apart.

        CMSs keep a first-draft or migration date in one field and the date
        the story went out in another ("datePublished" 2021-12-06,
        "article:published_time" 2022-12-15).  The field whose day alone is
        printed in the page's text (or its URL) is taken, in the page's own
        offset when another field states one; when none or several are
        printed, the first field stands.  Only fields with a time of day take
        part: a bare day is often a print edition's date.
        """
        timed = _timed(meta.published_candidates)
        text = " ".join(tree.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]"))
        text = " ".join(text.split()).casefold() + " " + (url or "")
        shown = {c.date() for c in timed if _day_printed(c.date(), text)}
        if len(shown) != 1:
            return None
        day = shown.pop()
        return own_offset([c for c in timed if c.date() == day])

    def fallback_date(self, tree: lxml_html.HtmlElement, url: str | None) -> datetime | None:
        """htmldate's best guess (URL, visible dates) when the metadata names none.

        htmldate returns a day without time or offset: it becomes midnight UTC.
        """
        from htmldate import find_date

        try:
            found = find_date(tree, extensive_search=True, original_date=True, url=url)
        except Exception:  # noqa: BLE001 - htmldate raises many types on odd pages
            return None
        return parse_datetime(found) if found else None


# -- helpers -----------------------------------------------------------------


_NAME_TOKEN_RE = re.compile(r"[^\W\d_]{3,}")


def _timed(candidates: list[datetime]) -> list[datetime]:
    """The candidates that state a time of day: a bare day (an edition's date) settles nothing."""
    return [c for c in candidates if (c.hour, c.minute, c.second) != (0, 0, 0)]


#: Month names (and common abbreviations) of the languages news pages are most
#: often written in, by month number.
_MONTHS: dict[int, tuple[str, ...]] = {
    1: ("january", "jan", "januar", "jänner", "janvier", "enero", "janeiro", "gennaio", "januari"),
    2: ("february", "feb", "februar", "février", "febrero", "fevereiro", "febbraio", "februari"),
    3: ("march", "mar", "märz", "mars", "marzo", "março", "maart"),
    4: ("april", "apr", "avril", "abril", "aprile"),
    5: ("may", "mai", "mayo", "maio", "maggio", "mei"),
    6: ("june", "jun", "juni", "juin", "junio", "junho", "giugno"),
    7: ("july", "jul", "juli", "juillet", "julio", "julho", "luglio"),
    8: ("august", "aug", "août", "agosto", "augustus"),
    9: ("september", "sep", "sept", "septembre", "septiembre", "setembro", "settembre"),
    10: ("october", "oct", "oktober", "okt", "octobre", "octubre", "outubro", "ottobre"),
    11: ("november", "nov", "novembre", "noviembre", "novembro"),
    12: ("december", "dec", "dezember", "dez", "décembre", "diciembre", "dezembro", "dicembre"),
}


def _day_printed(day: date, text: str) -> bool:
    """``day`` is written in ``text`` (case-folded) as numbers or with its month's name."""
    return _day_pattern(day).search(text) is not None


@functools.lru_cache(maxsize=64)
def _day_pattern(day: date) -> re.Pattern[str]:
    d, m, y = day.day, day.month, day.year
    numeric = "|".join(
        re.escape(n)
        for n in (
            f"{y}-{m:02d}-{d:02d}", f"{y}/{m:02d}/{d:02d}", f"{y}/{m}/{d}/",
            f"{d}.{m}.{y}", f"{d:02d}.{m:02d}.{y}", f"{d:02d}/{m:02d}/{y}", f"{m:02d}/{d:02d}/{y}",
        )
    )
    names = "|".join(re.escape(n) for n in _MONTHS[m])
    return re.compile(
        rf"(?<![\d.])(?:{numeric})(?!\d)"
        rf"|(?<!\d){d}\.?\s*(?:de\s+)?(?:{names})\.?\s*(?:de\s+)?,?\s*{y}\b"
        rf"|(?:{names})\.?\s+{d},?\s+{y}\b"  # no word start: flat text runs blocks together
    )


#: The UTC offsets in use, in minutes: whole hours, and the zones on a half
#: or three-quarter hour (India +05:30, Nepal +05:45, Newfoundland -03:30 ...).
_OFFSETS = frozenset(
    [60 * h for h in range(-12, 15)]
    + [-570, -210, 210, 270, 330, 390, 570, 630, 345, 525, 765]
)
#: A clock time as pages print it ("21:25", "9:25pm", "9:25 p.m.").
_CLOCK_RE = re.compile(r"(?<![\d:.])(\d{1,2}):(\d{2})(?![\d:])(?:\s*([ap])\.?\s?m\b\.?)?", re.I)


#: How much of the page's text (characters) is searched for the printed stamp.
_STAMP_TEXT_CHARS = 30000
#: The page's text nodes (JSON-LD scripts are the only scripts left by then).
_BODY_TEXT = etree.XPath("//body//text()[not(parent::script)]")


def _printed_offset(published: datetime, tree: lxml_html.HtmlElement) -> datetime | None:
    """``published`` (a UTC stamp) in the offset of the local time the page prints for it.

    Many CMSs write their fields in UTC and print the story's local date and
    time ("3 de mayo de 2022 21:25" for 2022-05-04T00:25Z): the printed
    minute matching the stamp's, on the stamp's day or the day either side,
    gives the page's own offset.  Only the first few clock times printed on the
    page are read (comment threads below print many).  The instant stays the
    same; only its day and time are written as the publisher wrote them.
    """
    # text nodes apart (flat text runs a date into the time after it); the
    # story's stamp sits by its headline, not at the foot of the page
    text = " ".join(_BODY_TEXT(tree))[:_STAMP_TEXT_CHARS]
    instant = published.replace(second=0, microsecond=0, tzinfo=None)
    days = [instant.date() + timedelta(days=k) for k in (0, -1, 1)]
    # the story's own stamp comes first; comment threads further down print many
    for clock in islice(_CLOCK_RE.finditer(text), 5):
        hour, minute = int(clock.group(1)), int(clock.group(2))
        if clock.group(3):
            if not 1 <= hour <= 12:
                continue
            hour = hour % 12 + (12 if clock.group(3).lower() == "p" else 0)
        if hour > 23 or minute > 59:
            continue
        window = " ".join(text[max(0, clock.start() - 120) : clock.start()].split())[-40:].casefold()
        for day in days:
            if not _day_printed(day, window):
                continue
            shift = datetime(day.year, day.month, day.day, hour, minute) - instant
            minutes = shift.total_seconds() / 60
            if shift and minutes in _OFFSETS:
                return published.astimezone(timezone(shift))
    return None


def _day_span(candidates: list[datetime]) -> int:
    """Days between the earliest and the latest of ``candidates`` (0 for none).

    Fields a day apart are usually one moment written in two time zones; two
    days or more apart they name different events (a draft, a migration, the
    day the story went out).
    """
    days = [c.date() for c in candidates]
    return (max(days) - min(days)).days if days else 0


def _agree(named: list[str], printed: list[str]) -> bool:
    """A metadata name shares a word with a printed one ("Jane Q. ROE" and "Jane Roe")."""
    seen = {t.casefold() for n in printed for t in _NAME_TOKEN_RE.findall(n)}
    return any(t.casefold() in seen for n in named for t in _NAME_TOKEN_RE.findall(n))


def _visible(names: list[str], tree: lxml_html.HtmlElement) -> bool:
    """Some of ``names`` is printed in the page's text (not only in scripts or tags)."""
    text = _comparable(" ".join(tree.xpath("//body//text()[not(ancestor::script)]")))
    return any(_comparable(name) in text for name in names)


def _trafilatura_paragraphs(tree: lxml_html.HtmlElement, fast: bool = True) -> list[str]:
    """Precision-mode paragraphs; recall mode only when precision finds too little.

    Precision mode scores best on average but can discard a whole story told
    in unusual markup; a second, recall-minded pass on those pages trades a
    little boilerplate for not refusing a real article.
    """
    _prune_inert(tree)
    paragraphs = _extract(tree, {**TRAFILATURA_OPTIONS, "fast": fast}) if fast else []
    found = sum(len(p) for p in paragraphs)
    if found >= MIN_BODY_CHARS and not _mostly_short(paragraphs):
        if found >= SHORT_BODY_CHARS:
            return paragraphs
        # a short find may be a box beside the story (a notice, a newsletter
        # call): a balanced pass that finds far more text has found the story
        balanced = _extract(tree, {**TRAFILATURA_OPTIONS, "favor_precision": False})
        if sum(len(p) for p in balanced) >= SHORT_BODY_RATIO * found:
            return balanced
        return paragraphs
    # the fast pass found little: ask trafilatura's external extractors too
    paragraphs = _extract(tree, {**TRAFILATURA_OPTIONS, "fast": False})
    if sum(len(p) for p in paragraphs) >= MIN_BODY_CHARS:
        return paragraphs
    retry = {**TRAFILATURA_OPTIONS, "fast": False, "favor_precision": False, "favor_recall": True}
    return _extract(tree, retry)


def _mostly_short(paragraphs: list[str]) -> bool:
    """Lines too short to be prose (labels, link lists): no paragraph of 80+ characters."""
    return not any(len(p) >= 80 for p in paragraphs)


#: Elements that never hold story text (code, styling, graphics, embedded
#: media and form controls) and that trafilatura's own cleaning discards
#: anyway; dropping them first makes trafilatura's copies of the tree and its
#: XPath passes over it cheaper (about 15% of its time on the development
#: pages, with identical output there).  JSON-LD scripts stay: trafilatura's
#: recall fallback reads ``articleBody`` from them.
_INERT_TAGS = (
    "style", "svg", "template", "noscript", "canvas", "video", "audio", "source",
    "iframe", "object", "embed", "button", "select", "input", "textarea",
)


def _prune_inert(tree: lxml_html.HtmlElement) -> None:
    etree.strip_elements(tree, *_INERT_TAGS, with_tail=False)
    for script in list(tree.iter("script")):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            script.drop_tree()  # keeps the text that follows it


def _extract(tree: lxml_html.HtmlElement, options: dict[str, Any]) -> list[str]:
    # trafilatura's precision mode drops some inline wrappers with their text
    # ("reported that <span class=link><a>the NFL will fine him</a></span> for"
    # loses the link words); unwrapping spans inside paragraphs keeps them.
    for paragraph in tree.iter("p"):
        etree.strip_tags(paragraph, "span")
    document = trafilatura.bare_extraction(tree, **options)
    if document is None or document.body is None:
        return []
    text = trafilatura.xml.xmltotxt(document.body, False)
    return [line.strip() for line in text.split("\n") if line.strip()]


def _shown_on_page(text: str, tree: lxml_html.HtmlElement) -> bool:
    """True when the opening words of ``text`` are part of the visible page text."""
    words = _comparable(text).split()[:8]
    if len(words) < 3:
        return False
    visible = _comparable(" ".join(tree.xpath("//body//text()[not(ancestor::script)]")))
    return " ".join(words) in visible


#: Calls to action and widget labels that end up inside article containers.
#: Only short paragraphs are tested, so a story sentence that happens to
#: start with "Subscribe" survives.
_BOILERPLATE_RE = re.compile(
    r"^(?:like this (?:story|article)|share (?:this|it)\b|tell us what you think|have a tip\b|"
    r"follow (?:us|him|her|them|the \w+)\b.* on (?:facebook|twitter|instagram|x)|"
    r"sign up (?:for|to)\b|subscribe (?:to|now|for|here)\b|get the latest\b|"
    r"click here (?:to|for)\b|also on [\w.-]+\.\w+|(?:read|see) (?:more|also)\s*:|"
    r"\[?related(?: (?:articles?|stories|coverage|posts?|reading|content))?\s*:|"
    r"advertisement$|you may also like|filed under\b|"
    r"(?:reading time|tempo de leitura|tiempo de lectura|lesezeit|temps de lecture)\s*:|"
    r"\d+\s*(?:min|minute|minutes)\s+read$|[\w' -]{0,40}\bnewsletter$|"
    r"\[(\w+)\b[^\]]*\].*\[/\1\])",
    re.I,
)
#: A paragraph that is only a publication stamp ("Friday, 22 October 2010, 20:13").
_STAMP_RE = re.compile(
    r"^(?=.*\b(?:19|20)\d\d\b)(?=.*(?<![\d.])\d{1,2}[:h.]\d\d\b(?!\.\d)).{0,60}$"
)
_BOILERPLATE_MAX_CHARS = 250


def _drop_boilerplate(body: list[str], title: str) -> list[str]:
    """Remove a repeated headline at the top and short call-to-action paragraphs."""
    heading = _comparable(title)
    kept = []
    for index, paragraph in enumerate(body):
        if index < 2 and _comparable(paragraph) == heading:
            continue
        if len(paragraph) <= _BOILERPLATE_MAX_CHARS and _BOILERPLATE_RE.match(paragraph):
            continue
        if _STAMP_RE.match(paragraph):
            continue
        kept.append(paragraph)
    return kept


def _comparable(text: str) -> str:
    return comparable(text).casefold()


def _clean_story(
    paragraphs: list[str], title: str
) -> tuple[Dateline | None, list[str], list[str]]:
    """Dateline, cleaned story paragraphs and byline names of extracted paragraphs."""
    dateline, body = _split_dateline(paragraphs)
    body, byline_authors = _split_byline(body)
    return dateline, wire.clean_paragraphs(_drop_boilerplate(body, title)), byline_authors


def _split_dateline(body: list[str]) -> tuple[Dateline | None, list[str]]:
    """A wire dateline opening the first paragraphs moves to ``dateline``."""
    for index, paragraph in enumerate(body[:3]):
        dateline, rest = wire.extract_dateline(paragraph)
        if dateline is not None:
            return dateline, body[:index] + ([rest] if rest else []) + body[index + 1 :]
    return None, body


def _split_byline(body: list[str]) -> tuple[list[str], list[str]]:
    """A "By A and B" paragraph at the top is authorship, not story."""
    for index, paragraph in enumerate(body[:3]):
        if wire.is_byline(paragraph):
            return body[:index] + body[index + 1 :], wire.parse_byline(paragraph)
    return body, []



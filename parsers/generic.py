"""The parser for every page that has no site parser.

Metadata comes from :mod:`parsers.metadata` (JSON-LD, then ``<meta>`` tags,
then the document); the story text from trafilatura with the settings that
scored best on the development corpus, improved by a few checks of our own;
the wire rules of :mod:`parsers.wire` then split update flags, datelines and
bylines off so wire copy from any site comes out in the same shape as from a
site parser.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from parsers import wire
from parsers.base import Dateline, Image, ParsedArticle, ParseError
from parsers.byline import labelled_bylines, meta_line_items, title_heading, visible_bylines
from parsers.dates import MONTH_NAMES, parse_datetime
from parsers.html import (
    comparable,
    element_text,
    hidden_from_view,
    lines_of,
    link_texts,
    mostly_links,
    parse_html,
    within_hidden,
)
from parsers.metadata import (
    NAME_PARTICLES,
    PageMetadata,
    agency_credits,
    clean_author_names,
    credited_otherwise,
    dom_authors,
    extract_metadata,
    organisation_credits,
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
#: Below this much text (characters) a find that is less than THIN_SHARE of
#: the page's visible text is checked against trafilatura's full balanced
#: cascade, which wins when it finds THIN_BODY_RATIO times as much.  The
#: ratio is high because jusText, part of that cascade, tends to take whole
#: pages (menus, teasers) when it overrides the main extractor.
THIN_BODY_CHARS = 1000
THIN_SHARE = 0.12
THIN_BODY_RATIO = 3.0


@dataclass
class _Authors:
    """Author names by where they were found, in order of trust."""

    named: list[str] = field(default_factory=list)
    markup: list[str] = field(default_factory=list)
    #: a labelled credit further down the story ("Text: Jane Roe")
    labelled: list[str] = field(default_factory=list)
    publishers: list[str] = field(default_factory=list)
    #: news agencies the byline or metadata credits: never authors, kept in the dateline
    agencies: list[str] = field(default_factory=list)
    #: the publication, desk or site the metadata (with no person named, the
    #: byline or author markup) credits: never authors either
    organisations: list[str] = field(default_factory=list)

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
    #: for it; a short precision find gives way to a far longer balanced one;
    #: 1.4: subheadings, lists and short paragraphs between the story's own
    #: paragraphs kept, a precision find that is a sliver of the page's text
    #: checked against the full balanced cascade; blog bylines ("Posted by",
    #: post footers, a heading printing the title when there is no ``<h1>``),
    #: a signature line of names as the last resort; a label the page never
    #: prints cut from the headline fields, a kicker set apart inside the
    #: ``<h1>`` left out, a ``<style>`` inside it ignored;
    #: 1.5: of several ``<h1>`` the one a field confirms, with none shown the
    #: field a heading prints; a meta title cut at an unescaped quote mended, a
    #: printed heading's dashes and quotes kept, a bracketed issue tag the page
    #: does not print left off; co-authors and full names the printed byline
    #: adds to a single metadata name; no signature from a printed heading; a
    #: theme's hAtom ``<time class="published">`` gives the page's own offset;
    #: 1.6: the publication, desk or site the author metadata (with no person
    #: named, the byline or author markup) credits kept in
    #: ``author_organisations``, never among the people in ``authors``;
    #: 1.7: the story's printed ``<h1>`` over a headline the fields agree on
    #: but the page never prints; a role after the name ("Jane Roe,
    #: Projektleiterin der …") no name; "Ein Beitrag von", "A guest post by"
    #: and "Autoren A und B" read as bylines; no byline from a profile link in
    #: a story's sentence, a CMS account ("admin", "Super User"), a gendered
    #: plural ("Autor/innen"); a company by its legal form ("… GmbH", "… e. V.")
    #: credited as an organisation, never a person;
    #: 1.8: a labelled credit further down the story ("Text: Jane Roe", an
    #: "Autor" heading over the name) when nothing nearer names anyone; on a
    #: page with no headline element, a line opening with a byline word; an
    #: interview's guest and interviewer ("A im Gespräch mit B"); a pen name of
    #: one word and a role ("Rasender Reporter"); no CMS account ("wordpressadmin");
    #: the author field of the story's own ``<article>`` far below the headline;
    #: the ``WebPage`` node's author in a graph with no article node; a closing
    #: "© 2019 Jane Roe" as a signature; no writer from inside a teaser card
    #: (a link holding another story's headline);
    #: 1.9: no byline from elements hidden from view (a theme's microdata copy
    #: of the posting account) nor from an image's licence box; soft hyphens
    #: dropped from names; a translator's or photographer's credit without a
    #: colon ("Übersetzung Jane Roe") names no writer; "Autor Jane Roe:" is the
    #: writer's line; a story printed in ``<noscript>`` (a post rendered from a
    #: script template) is kept, not dropped with the inert tags; a names-only
    #: signature after a deck of short lines; the desk a printed byline
    #: credits beside its people ("von Jane Roe, MDR SACHSEN-ANHALT"); a name
    #: typed into the story's meta line with no author mark, when nothing else
    #: names anyone
    version = "1.9"
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
        headings = frozenset(_comparable(element_text(h1)) for h1 in tree.iter("h1"))
        dateline, body, byline_authors, signature = _clean_story(body, title, headings)
        if sum(len(p) for p in body) < MIN_BODY_CHARS // 2:
            # the fast pass kept only boilerplate: the full cascade may find the story
            dateline, body, byline_authors, signature = _clean_story(
                self.body(tree, meta, fast=False), title, headings
            )
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
            authors=(
                authors.named
                or authors.byline(byline_authors)
                or authors.markup
                or authors.labelled
                or authors.byline(_signed(tree, signature))
            ),
            author_organisations=authors.organisations,
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
        the story, found later, author markup elsewhere and a labelled credit
        further down the story (:func:`parsers.byline.labelled_bylines`) rank after.
        """
        # a personal site is named after its owner, who is a person, not the publication
        publishers = [] if meta.self_published else meta.publisher_names
        # a name the metadata types as an organisation is none of the page's people
        publishers = publishers + meta.organisation_authors
        organisations = _organisations(meta, publishers)
        # nor is one it credits ("Verband e. V." in the field, "Verband" printed)
        not_people = publishers + organisations
        named = _first_named(meta.author_sources, not_people)
        h1 = meta.h1_element
        if h1 is None:
            h1 = title_heading(tree, meta.title)
        lines = visible_bylines(tree, h1)
        printed_at, printed = _first_naming([[line] for line in lines], not_people)
        credited = [v for raw in meta.author_sources for v in raw] + meta.organisation_authors
        agencies = agency_credits(credited + lines[:3])
        if named and printed and _fuller(printed, named):
            # the byline names the co-authors the metadata's single author
            # field left out, or the full name of its first name alone
            named = printed
        if named and printed and not _agree(named, printed):
            # metadata names someone the page never shows, or shows only as
            # editor ("Editor: Jane Roe") beside the byline it prints
            if _shown_otherwise(named, tree) or not _visible(named, tree):
                named = printed
        if named or printed:
            if not organisations and printed:
                # the byline credits the desk beside its people ("von Jane Roe, MDR SACHSEN-ANHALT")
                organisations = organisation_credits([lines[printed_at]], publishers)
            return _Authors(named=named or printed, publishers=not_people, agencies=agencies,
                            organisations=organisations)
        marked = dom_authors(tree)
        markup = clean_author_names(marked, not_people)
        labelled = [] if markup else _first_named([[line] for line in labelled_bylines(tree, h1)], not_people)
        if not markup and not labelled:
            # a name typed into the meta line beside the date, with no author mark
            labelled = _first_named(
                [[item] for item in meta_line_items(tree, h1) if _bare_names(item)], not_people
            )
        if not organisations and not markup and not labelled:
            # no person anywhere: a byline or author markup printing only the
            # publication or its desk ("Von Redaktion Site", rel=author "Site Redaktion")
            for line in [*lines[:4], *marked[:1]]:
                organisations = organisation_credits([line], publishers)
                if organisations:
                    break
        return _Authors(markup=markup, labelled=labelled, publishers=not_people, agencies=agencies,
                        organisations=organisations)

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
        text = _page_text(tree)
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
    names = "|".join(re.escape(n) for n in MONTH_NAMES[m])
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
#: The same text nodes as "smart" strings that know their element.
_BODY_TEXT_NODES = etree.XPath("//body//text()[not(parent::script) and not(parent::style)]")
#: The text the page shows: the body's text nodes outside scripts and styles
#: (the HTML parser gives those raw-text elements one text child, no elements,
#: so testing the parent is enough and cheaper than every ancestor).
#: Plain strings (no ``smart_strings``): nothing here needs each one's parent,
#: and building those links costs a quarter of the walk.
_BODY_TEXT = etree.XPath(
    "//body//text()[not(parent::script) and not(parent::style)]", smart_strings=False
)


def _page_text(tree: lxml_html.HtmlElement) -> str:
    """The body's text as the reader sees it, text nodes joined by spaces (scripts and styles out).

    Computed where needed rather than once a parse: the body step prunes the
    tree in between, and most pages need it once or not at all.
    """
    return " ".join(_BODY_TEXT(tree))


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
    text = _page_text(tree)[:_STAMP_TEXT_CHARS]
    instant = published.replace(second=0, microsecond=0, tzinfo=None)
    days = [instant.date() + timedelta(days=k) for k in (0, -1, 1)]
    # the story's own stamp comes first; comment threads further down print many
    for clock in itertools.islice(_CLOCK_RE.finditer(text), 5):
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


def _first_named(sources: list[list[str]], not_people: list[str]) -> list[str]:
    """The people the first of ``sources`` (raw values each) that names anyone names."""
    return _first_naming(sources, not_people)[1]


def _first_naming(sources: list[list[str]], not_people: list[str]) -> tuple[int, list[str]]:
    """:func:`_first_named` and that source's index (-1 when none names anyone)."""
    for index, raw in enumerate(sources):
        named = clean_author_names(raw, not_people)
        if named:
            return index, named
    return -1, []


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


def _organisations(meta: PageMetadata, publishers: list[str]) -> list[str]:
    """The organisations the author metadata credits: a JSON-LD author typed as one,
    else the first author field's names that are the site, its domain or a desk.

    Only the first field that names anyone counts, as for people: a later
    field's site name ("NDR" in ``<meta name=author>`` beside a JSON-LD person)
    is the CMS's default, not a credit of this story.
    """
    if meta.organisation_authors:
        return organisation_credits(meta.organisation_authors, publishers, typed=True)
    first = next((raw for raw in meta.author_sources if raw), [])
    return organisation_credits(first, publishers)


def _fuller(printed: list[str], named: list[str]) -> bool:
    """The printed byline names every metadata name and more people, or gives the
    full name of a metadata name that is a first name alone ("Todd": "By Todd Bates").

    Otherwise only whole names count: a printed name with more words than
    the metadata's often carries a line's leftovers ("Jane Roe February").
    """
    printed_keys = {_comparable(p) for p in printed}
    if len(named) == 1 and " " not in named[0].strip():
        first = _comparable(named[0]) + " "
        if any(key.startswith(first) for key in printed_keys):
            return True
    return len(printed_keys) > len(named) and all(_comparable(n) in printed_keys for n in named)


def _shown_otherwise(names: list[str], tree: lxml_html.HtmlElement) -> bool:
    """Some of ``names`` is printed in a line crediting another role ("Editor: Jane Roe").

    Only run when metadata and the printed byline disagree (rare): a scan of
    the text nodes holding the name, each read with the line it sits in.
    """
    wanted = [_comparable(n) for n in names if n]
    for node in _BODY_TEXT_NODES(tree):
        if not any(w in _comparable(node) for w in wanted):
            continue
        holder = node.getparent()
        if holder is not None and node.is_tail:
            holder = holder.getparent()
        for _ in range(3):  # the label may sit in an element around the name's
            if holder is None:
                break
            line = " ".join(element_text(holder).split())
            if len(line) > 140:
                break
            if credited_otherwise(line):
                return True
            holder = holder.getparent()
    return False


def _visible(names: list[str], tree: lxml_html.HtmlElement) -> bool:
    """Some of ``names`` is printed in the page's text (not only in scripts, tags or
    elements hidden from view, such as a theme's microdata copy of the author)."""
    wanted = [_comparable(name) for name in names]
    text = _comparable(_page_text(tree))
    if not any(w in text for w in wanted):
        return False
    # only run when metadata and the printed byline disagree: the text again,
    # hidden subtrees left out
    seen: dict[Any, bool] = {}
    shown = " ".join(
        node for node in _BODY_TEXT_NODES(tree)
        if not within_hidden(node.getparent().getparent() if node.is_tail else node.getparent(), seen)
    )
    return any(w in _comparable(shown) for w in wanted)


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
        if found >= THIN_BODY_CHARS:
            return _fill_gaps(tree, paragraphs)
        # a short find may be a box beside the story (a notice, a newsletter
        # call): a balanced pass that finds far more text has found the story
        if found < SHORT_BODY_CHARS:
            balanced = _extract(tree, {**TRAFILATURA_OPTIONS, "favor_precision": False})
            if sum(len(p) for p in balanced) >= SHORT_BODY_RATIO * found:
                return balanced
        if found < THIN_SHARE * _page_text_chars(tree):
            # a find that is a sliver of a page full of text: precision mode
            # picked one box of a story laid out in several (or a teaser
            # beside it); the full balanced cascade (with readability's and
            # jusText's opinions) finds the story when it is far longer
            full = _extract(tree, {**TRAFILATURA_OPTIONS, "favor_precision": False, "fast": False})
            if sum(len(p) for p in full) >= THIN_BODY_RATIO * found:
                return full
        return _fill_gaps(tree, paragraphs)
    # the fast pass found little: ask trafilatura's external extractors too
    paragraphs = _extract(tree, {**TRAFILATURA_OPTIONS, "fast": False})
    if sum(len(p) for p in paragraphs) >= MIN_BODY_CHARS:
        return paragraphs
    retry = {**TRAFILATURA_OPTIONS, "fast": False, "favor_precision": False, "favor_recall": True}
    return _extract(tree, retry)


#: Elements that hold one block of story text: what the recall pass of
#: :func:`_fill_gaps` looks at.
_TEXT_BLOCKS = ("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dt", "dd")
#: Containers whose text is never the story's, wherever they sit: page
#: chrome, forms, pictures (captions are credits and descriptions) and
#: tables (trafilatura keeps a story's tables itself, row by row).
_CHROME_TAGS = frozenset({"aside", "nav", "footer", "header", "form", "figure", "table", "label"})
#: Class or id words of boxes that editors and templates put inside a story
#: but that are not part of it: sharing bars, related links, teasers, ads,
#: newsletter and subscription calls, comments, captions, bylines, tag lists.
_SIDE_BOX_RE = re.compile(
    r"share|social|related|recommend|newsletter|subscri|promo|advert|(?:^|[\s_-])ads?(?:$|[\s_-])|"
    r"sponsor|comment|widget|sidebar|breadcrumb|(?:^|[\s_-])tags?(?:$|[\s_-])|caption|credit|"
    r"toolbar|popup|modal|cookie|teaser|byline|author|(?:^|[\s_-])meta(?:$|[\s_-])|menu|"
    r"footer|banner|embed|read-?more|more-?(?:stories|articles|news)|signup|paywall|hidden|"
    r"flyout|explore|print-?none|no-?print",
    re.I,
)
#: Only this much of the text may sit in links: more is a link list.
_FILL_LINK_SHARE = 0.3
#: An element whose text is one of trafilatura's paragraphs and at least
#: this long (characters, spaces left out) marks where the story runs.
_ANCHOR_CHARS = 10


def _fill_gaps(tree: lxml_html.HtmlElement, paragraphs: list[str]) -> list[str]:
    """Precision paragraphs plus the text blocks it skipped between its own.

    Precision mode drops subheadings, list items and short paragraphs it
    cannot score, even inside the story ("What does it cost?" between two
    paragraphs of the answer; the bullet list of a how-to).  Everything
    between the first and the last paragraph trafilatura did keep is the
    story's body, less the boxes templates put inside it: those are
    recognised by their tags (asides, figures, forms), their class names
    (share bars, related links, ads), hidden styles and link density, and
    left out.  Nothing before the first kept paragraph or after the last is
    added: that is where headers, teasers and footers live.
    """
    body = tree.find("body")
    if body is None or len(paragraphs) < 2:
        return paragraphs
    keys = ["".join(p.split()) for p in paragraphs]
    joined = "".join(keys)
    starts = list(itertools.accumulate(len(k) for k in keys))  # end offset of each line
    leaves = []
    for block in body.iter(_TEXT_BLOCKS):
        if next(block.iterdescendants(_TEXT_BLOCKS), None) is not None:
            continue  # its inner blocks are looked at one by one
        key = "".join(element_text(block).split())
        if key:
            leaves.append((block, key))
    # a block printed as one of the paragraphs marks where the story runs
    whole = {key for key in keys if len(key) >= _ANCHOR_CHARS}
    anchors = [i for i, (_, key) in enumerate(leaves) if key in whole]
    if len(anchors) < 2:
        return paragraphs
    first, last = anchors[0], anchors[-1]
    container = _common_ancestor(leaves[first][0], leaves[last][0])
    # the story's boxes: the elements holding the paragraphs trafilatura kept;
    # a subhead or a list of the story sits beside them, in the same box
    boxes = {_box(leaves[i][0]) for i in anchors}
    boxes |= {box.getparent() for box in boxes if box is not None}
    extras: dict[int, list[str]] = {}
    after = -1  # index of the paragraph the next addition follows
    heading: list[str] = []  # a subheading waiting for the text it introduces
    for block, key in leaves[first : last + 1]:
        found = key in joined
        linked = _linked_chars(block) if heading or not found else 0
        if found:
            at = joined.find(key)
            if heading and linked <= _FILL_LINK_SHARE * len(key):
                extras.setdefault(bisect.bisect_right(starts, at) - 1, []).extend(heading)
            after = max(after, bisect.bisect_right(starts, at + len(key) - 1))
            heading = []
            continue
        if block.tag in _SUBHEADS and linked:
            # a linked heading is a teaser's headline, not a subhead
            heading = []
            continue
        if (
            linked > _FILL_LINK_SHARE * len(key)
            or not _beside(block, boxes)
            or _side_box(block, container)
            or not _WORD_RE.search(key)
        ):
            # a heading over a link list or a side box labels that box
            # ("More on this", "Related"), it is no subhead of the story
            heading = []
            continue
        lines = lines_of(block)
        if block.tag in _SUBHEADS:
            heading = lines
            continue
        if block.tag == "li":
            lines = ["- " + line for line in lines[:1]] + lines[1:]
        extras.setdefault(after, []).extend(heading + lines)
        heading = []
    if not extras:
        return paragraphs
    filled = list(extras.get(-1, []))
    for index, paragraph in enumerate(paragraphs):
        filled.append(paragraph)
        filled.extend(extras.get(index, []))
    return filled


_WORD_RE = re.compile(r"\w")
_SUBHEADS = frozenset({"h2", "h3", "h4", "h5", "h6"})


def _linked_chars(block: lxml_html.HtmlElement) -> int:
    return sum(len("".join(element_text(a).split())) for a in block.iter("a"))


def _box(block: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    """The element a text block stands in; for a list item, the list's."""
    box = block.getparent()
    while box is not None and box.tag in ("li", "ul", "ol", "dl"):
        box = box.getparent()
    return box


def _beside(block: lxml_html.HtmlElement, boxes: set[lxml_html.HtmlElement | None]) -> bool:
    """``block`` stands in one of ``boxes`` or in a box directly inside one."""
    box = _box(block)
    return box in boxes or (box is not None and box.getparent() in boxes)


def _common_ancestor(a: lxml_html.HtmlElement, b: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    above = {a, *a.iterancestors()}
    for element in (b, *b.iterancestors()):
        if element in above:
            return element
    return a.getroottree().getroot()


def _side_box(block: lxml_html.HtmlElement, container: lxml_html.HtmlElement) -> bool:
    """``block`` sits in page chrome, a hidden element or a side box inside ``container``."""
    for element in (block, *block.iterancestors()):
        if element is container:
            return False
        if element.tag in _CHROME_TAGS:
            return True
        if hidden_from_view(element) or element.get("aria-hidden") == "true":
            return True  # (aria-hidden: decoration, such as icons and their labels)
        if _SIDE_BOX_RE.search(f"{element.get('class') or ''} {element.get('id') or ''}"):
            return True
    return False


def _page_text_chars(tree: lxml_html.HtmlElement) -> int:
    """Characters of text the page shows (whitespace runs count as one), scripts left out."""
    text = _page_text(tree)
    return sum(len(word) + 1 for word in text.split())


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


#: A ``<noscript>`` holding a paragraph and this much text (characters) is the
#: story itself, for readers without scripts (blog platforms that render the
#: post from a script template print it there), not a "please enable
#: JavaScript" notice or a tracking pixel.
_NOSCRIPT_STORY_CHARS = 400


def _prune_inert(tree: lxml_html.HtmlElement) -> None:
    for fallback in list(tree.iter("noscript")):
        if next(fallback.iter("p"), None) is not None and (
            len(fallback.text_content()) >= _NOSCRIPT_STORY_CHARS
        ):
            fallback.drop_tag()  # its content stays where it is
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
    visible = _comparable(_page_text(tree))
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


def _drop_boilerplate(body: list[str], title: str, headings: frozenset[str] = frozenset()) -> list[str]:
    """Remove a repeated headline at the top and short call-to-action paragraphs.

    ``headings`` are the page's other ``<h1>`` texts (comparable form): one
    opening the text is a section label or the site's name ("Press releases"
    printed as an ``<h1>`` above the story's), not a paragraph of the story.
    """
    tops = headings | {_comparable(title)}
    kept = []
    for index, paragraph in enumerate(body):
        if index < 2 and _comparable(paragraph) in tops:
            continue
        if len(paragraph) <= _BOILERPLATE_MAX_CHARS and _BOILERPLATE_RE.match(paragraph):
            continue
        if len(paragraph) <= 60 and _STAMP_RE.match(paragraph):  # the pattern's own bound
            continue
        kept.append(paragraph)
    return kept


def _comparable(text: str) -> str:
    return comparable(text).casefold()


def _clean_story(
    paragraphs: list[str], title: str, headings: frozenset[str] = frozenset()
) -> tuple[Dateline | None, list[str], list[str], str | None]:
    """Dateline, cleaned story paragraphs, the names of a "By" line and a bare
    signature line (:func:`_signature`) in the extracted paragraphs."""
    dateline, body = _split_dateline(paragraphs)
    body, byline_authors = _split_byline(body)
    signature = None if byline_authors else _signature(body, title)
    body = wire.clean_paragraphs(_drop_boilerplate(body, title, headings))
    return dateline, body, byline_authors, signature


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


#: "© 2019 " before a signature closing the story: the writer's own notice (a photo
#: credit, "© Jane Roe" over the picture at the top, names no year).
_COPYRIGHT_RE = re.compile(r"^(?:©|\(c\)|copyright)\s*\d{4}\s+", re.I)


#: Lines of a deck (standfirst) before the story are at most this long (characters).
_DECK_CHARS = 100


def _signature(body: list[str], title: str) -> str | None:
    """A paragraph opening or closing the story that holds nothing but names
    ("Jane Roe", "Jane Roe/John Doe"): the writers' signature; opening it also
    after a deck of short lines, closing it also with the writer's own notice
    before it ("© 2019 Jane Roe").

    It stays in the text (it may be a one-line caption).  The weakest evidence
    of all (two capitalised words may be a place or a label), so the parser
    takes it only when no field, byline or author markup names anyone, and
    only when the page does not print it as a heading (:func:`_signed`).
    """
    if len(body) <= 2:
        return None
    # the opening one, or one after a deck of short lines ("…as villagers cry foul"),
    # not after the headline repeated (a label line under it is no signature)
    headline = _comparable(title)
    opening = next(
        (i for i, p in enumerate(body[:3])
         if len(p) > _DECK_CHARS or _bare_names(p) or _comparable(p) == headline),
        0,
    )
    for paragraph in (body[opening], _COPYRIGHT_RE.sub("", body[-1])):
        if _bare_names(paragraph) and _comparable(paragraph) not in _comparable(title):  # not the headline again
            return paragraph
    return None


#: An element of the page printing ``$text`` as a heading.
_HEADING_PRINTS = etree.XPath(
    "boolean(//*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6]"
    "[normalize-space(.) = $text])"
)


def _signed(tree: lxml_html.HtmlElement, signature: str | None) -> list[str]:
    """The names of a signature line, unless the page prints the line as a heading
    ("Downloading Python" over a wiki page's text is a section, not two names)."""
    if not signature or _HEADING_PRINTS(tree, text=" ".join(signature.split())):
        return []
    return _bare_names(signature)


_BARE_JOIN_RE = re.compile(r"\s*(?:/|&|,|\band\b|\bund\b)\s*")
_BARE_WORD_RE = re.compile(r"^(?:[^\W\d_][\w'’-]*[^\W\d_]|[^\W\d_]\.)$")
#: Determiners and possessives: a phrase ("The Big Day", "Deine Anna") opens with one, a name not.
_DETERMINERS = frozenset(
    "the a an my your our his her their this der die das ein eine mein meine dein deine unser "
    "unsere euer eure ihr ihre alle alles le la les un une mon ma mes ton ta el los las il lo "
    "gli uno una".split()
)


def _bare_names(paragraph: str) -> list[str]:
    """Names making up a whole short paragraph: each of two to four capitalised words."""
    if len(paragraph) > 80:
        return []
    names = [n for n in _BARE_JOIN_RE.split(paragraph.strip()) if n]
    for name in names:
        words = name.split()
        if not 2 <= len(words) <= 4 or not all(_BARE_WORD_RE.match(w) for w in words):
            return []
        if not words[0][0].isupper() or not words[-1][0].isupper():
            return []
        if words[0].casefold() in _DETERMINERS:
            return []
        if any(not w[0].isupper() and w not in NAME_PARTICLES for w in words):
            return []
    return names



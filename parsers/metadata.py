"""Article metadata from the machine-readable parts of a page.

Sources, strongest first: schema.org JSON-LD (``NewsArticle`` and kin), then
OpenGraph / Twitter / Dublin Core / Parse.ly / Sailthru ``<meta>`` tags, then
the document itself (``<title>``, ``<h1>``, ``<time>``, ``<html lang>``).

Written with ``json`` + lxml instead of ``extruct``: we read a dozen fields from
two syntaxes, extruct would add a dependency tree (rdflib, mf2py, jstyleson) for
microdata/RDFa we do not use, and its JSON-LD step is the same ``json.loads``
with less control over the broken JSON that real pages ship.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from html import unescape
from typing import Any
from urllib.parse import urlsplit

from lxml import etree
from lxml import html as lxml_html

from parsers.byline import POSTED_BY, in_picture_licence, in_teaser_card, outside_story
from parsers.dates import MONTH_NAMES, WEEKDAY_NAMES, parse_datetime
from parsers.html import INVISIBLE_RE, comparable, element_text, hidden_from_view, is_site_logo, squash
from parsers.wire import is_agency

#: schema.org types that describe a single story, most specific first.
ARTICLE_TYPES = (
    "NewsArticle",
    "ReportageNews",
    "AnalysisNewsArticle",
    "OpinionNewsArticle",
    "BackgroundNewsArticle",
    "ReviewNewsArticle",
    "LiveBlogPosting",
    "Article",
    "BlogPosting",
    "Report",
    "SocialMediaPosting",
)
_ARTICLE_RANK = {name: rank for rank, name in enumerate(ARTICLE_TYPES)}
_PERSON_TYPES = {"Person"}
_ORG_TYPES = {"Organization", "NewsMediaOrganization", "Corporation", "WebSite", "Brand"}


#: ``<meta>`` keys for each field, in order of preference.
META_TITLE = ("og:title", "twitter:title", "sailthru.title", "parsely-title", "dc.title", "title")
META_AUTHOR = (
    "author",
    "article:author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "dcterms.creator",
    "byl",
    "byline",
    "cxenseparse:author",
    "dcsext.author",
)
META_PUBLISHED = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "parsely-pub-date",
    "sailthru.date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "article.published",
    "dc.date.issued",
    "dcterms.created",
    "dc.date",
    "dcterms.date",
    "date",
    "og:published_time",
    "cxenseparse:recs:publishtime",
)
META_MODIFIED = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified")
META_SECTION = ("article:section", "parsely-section", "sailthru.section")
META_KEYWORDS = ("article:tag", "news_keywords", "keywords", "parsely-tags", "sailthru.tags")
META_DESCRIPTION = ("og:description", "description", "twitter:description", "dc.description")


@dataclass
class PageMetadata:
    """Everything the metadata layer found; ``None``/empty when the page says nothing."""

    title: str | None = None
    #: every headline field the page has, cleaned of site names, by source key
    title_sources: dict[str, str] = field(default_factory=dict)
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    updated_at: datetime | None = None
    keywords: list[str] = field(default_factory=list)
    section: list[str] = field(default_factory=list)
    description: str | None = None
    image: str | None = None
    language: str | None = None
    site_name: str | None = None
    canonical_url: str | None = None
    article_body: str | None = None
    site_article_id: str | None = None
    publisher_names: list[str] = field(default_factory=list)
    author_sources: list[list[str]] = field(default_factory=list)
    #: organisations the metadata names as author (agencies among them are credits)
    organisation_authors: list[str] = field(default_factory=list)
    #: the JSON-LD publisher is a person (a personal site): the site's name is a person's
    self_published: bool = False
    #: every publication time the fields state, strongest first
    published_candidates: list[datetime] = field(default_factory=list)
    #: the story's printed ``<h1>`` (see :func:`story_h1`): where the byline is looked for
    h1_element: lxml_html.HtmlElement | None = None


# -- JSON-LD ---------------------------------------------------------------

_JSON_COMMENT_RE = re.compile(r"^\s*(?:<!--|<!\[CDATA\[)|(?:-->|\]\]>)\s*$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _load_json(text: str) -> Any:
    """``json.loads`` that tolerates what CMSs wrap around or leave inside JSON-LD."""
    text = _JSON_COMMENT_RE.sub("", text.strip()).strip().rstrip(";")
    for candidate in (text, _CONTROL_RE.sub(" ", text).replace("\n", " ").replace("\t", " ")):
        try:
            return json.loads(candidate, strict=False)
        except ValueError:
            continue
    return None


def _walk(node: Any, depth: int = 0):
    """Yield every dict in a JSON-LD document: lists, ``@graph``, nested nodes."""
    if depth > 6:
        return
    if isinstance(node, list):
        for item in node:
            yield from _walk(item, depth + 1)
    elif isinstance(node, dict):
        yield node
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
            if key in node:
                yield from _walk(node[key], depth + 1)


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.rsplit("/", 1)[-1] for v in values if isinstance(v, str)}


def jsonld_nodes(tree: lxml_html.HtmlElement) -> list[dict[str, Any]]:
    """All JSON-LD dicts on the page, in document order."""
    nodes: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        data = _load_json(script.text or "")
        if data is not None:
            nodes.extend(_walk(data))
    return nodes


def article_node(nodes: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The node describing the story: the most specific article type, with a headline."""
    best: tuple[int, int, dict[str, Any]] | None = None
    for node in nodes:
        ranks = [_article_rank(t) for t in _types(node)]
        ranks = [r for r in ranks if r is not None]
        if not ranks:
            continue
        # a node without headline or date is usually a stub ("isPartOf" etc.)
        useful = 0 if (node.get("headline") or node.get("datePublished")) else 1
        if best is None or (useful, min(ranks)) < best[:2]:
            best = (useful, min(ranks), node)
    return best[2] if best else None


def _article_rank(schema_type: str) -> int | None:
    """Rank of a type; unlisted ``*NewsArticle``/``*Article`` types rank with their base."""
    if schema_type in _ARTICLE_RANK:
        return _ARTICLE_RANK[schema_type]
    if schema_type.endswith("NewsArticle"):
        return _ARTICLE_RANK["NewsArticle"]
    if schema_type.endswith("Article"):
        return _ARTICLE_RANK["Article"]
    return None


def _page_author(nodes: list[dict[str, Any]]) -> Any:
    """The ``author`` of the graph's ``WebPage`` node, for pages with no article node."""
    for node in nodes:
        if "WebPage" in _types(node) and node.get("author"):
            return node["author"]
    return None


def _resolve(value: Any, nodes: list[dict[str, Any]]) -> Any:
    """Replace ``{"@id": ...}`` references (Yoast-style ``@graph``) by the nodes they name."""
    if isinstance(value, list):
        return [_resolve(v, nodes) for v in value]
    if isinstance(value, dict) and set(value) <= {"@id", "@type"} and value.get("@id"):
        for node in nodes:
            if node.get("@id") == value["@id"] and len(node) > len(value):
                return node
    return value


def _text(value: Any) -> str | None:
    """A JSON-LD value as one clean string (first item of a list, ``@value`` of a dict)."""
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name")
    if isinstance(value, (str, int, float)):
        text = squash(str(value))
        return unescape(text) or None
    return None


def _names(value: Any) -> list[str]:
    """Person names from a JSON-LD ``author``: strings, Person dicts, lists; never organisations."""
    out: list[str] = []
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            types = _types(item)
            if types & _ORG_TYPES and not types & _PERSON_TYPES:
                continue
            name = item.get("name")
            if isinstance(name, list):
                out.extend(n for n in name if isinstance(n, str))
            elif isinstance(name, str):
                out.append(name)
            elif item.get("givenName") or item.get("familyName"):
                out.append(f"{item.get('givenName', '')} {item.get('familyName', '')}")
    return out


def _organisations(value: Any) -> list[str]:
    """Organisation names from a JSON-LD ``author`` (the ones :func:`_names` skips)."""
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, dict) and _types(item) & _ORG_TYPES and not _types(item) & _PERSON_TYPES:
            name = _text(item.get("name"))
            if name:
                out.append(name)
    return out


def _list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list):
        return [t for v in value for t in _list(v)]
    text = _text(value)
    return [text] if text else []


# -- <meta> ----------------------------------------------------------------


def meta_tags(tree: lxml_html.HtmlElement) -> dict[str, list[str]]:
    """``<meta>`` contents by lower-cased name/property/itemprop, in document order."""
    found: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        content = meta.get("content")
        if content is None or not content.strip():
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = meta.get(attr)
            if key:
                found.setdefault(key.strip().lower(), []).append(squash(content))
    return found


def _first(meta: dict[str, list[str]], keys: tuple[str, ...]) -> str | None:
    """The first content among ``keys``; lxml has decoded its entities already (once)."""
    for key in keys:
        if meta.get(key):
            return meta[key][0]
    return None


# -- site names ------------------------------------------------------------

def host_of(url: str | None) -> str | None:
    host = urlsplit(url).hostname if url else None
    return host.removeprefix("www.") if host else None


#: Everything but letters and digits (``\w`` is ``str.isalnum()`` plus "_").
_NOT_ALNUM_RE = re.compile(r"[\W_]+")


@lru_cache(maxsize=4096)
def _name_key(text: str) -> str:
    """Letters and digits only, case- and accent-folded: "Der Standard" and "derstandard" match.

    Cached: a page compares the same few site names with every title part and byline.
    """
    return _NOT_ALNUM_RE.sub("", unicodedata.normalize("NFKD", text).casefold())


def _is_site_name(part: str, site_names: list[str], *, exact: bool = False) -> bool:
    """True when ``part`` names the site (one name holds the other, or equals it)."""
    key = _name_key(part)
    if not key:
        return False
    for name in site_names:
        other = _name_key(name)
        if not other or key == other:
            if other:
                return True
            continue
        shorter, longer = sorted((key, other), key=len)
        if exact or len(shorter) < 3:
            continue
        # "MDR THÜRINGEN" and "Tageszeitung junge Welt" name mdr.de and
        # jungewelt.de; a part merely holding a short name inside a word
        # ("br" of br.de in "Missbrauch") does not
        if longer.startswith(shorter) or longer.endswith(shorter):
            return True
        if len(shorter) >= 4 and shorter in longer and len(longer) <= 3 * len(shorter):
            return True
    return False


#: Where a site joins its own words to a headline: bars, guillemets, bullets and
#: colons in any script and spacing ("Story｜Site", "Story:site", "Story » Blog"),
#: dashes and slashes with a space on one side or glued to punctuation
#: ("Story - Site", "Story！-新华网"; never inside "Baden-Baden").  A seam only
#: splits a title where the page gives evidence that a side is not headline.
_SEAM_RE = re.compile(
    r"\s*[|｜¦ǀ•·~：:]+\s*"
    r"|\s+[-–—/»]+\s*|\s*[–—/]+\s+|(?<![^\W\d_])-+\s+"
    r"|(?<=[^\w\s])[-–—]+|[-–—]+(?=[^\w\s])"
)


def title_segments(title: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each seam-separated part of ``title``, in order.

    A hyphen glued to the word before it opens an elided compound
    ("Feuerwehr- und Katastrophenschutz"), never a seam; a "»" after an open
    "«" closes a quotation.
    """
    parts, position = [], 0
    for seam in _SEAM_RE.finditer(title):
        if seam.group().strip() == "»" and title.count("«", 0, seam.start()) > title.count(
            "»", 0, seam.start()
        ):
            continue
        if seam.start() > position:
            parts.append((position, seam.start()))
        position = max(position, seam.end())
    if position < len(title):
        parts.append((position, len(title)))
    return parts


def _site_names(site_name: str | None, url: str | None) -> list[str]:
    """The site's names as the page gives them: og:site_name/publisher, host, its core label."""
    names = [n for n in (site_name,) if n]
    host = host_of(url)
    if host:
        labels = host.split(".")
        names.append(".".join(labels[-2:]) if len(labels) >= 2 else host)
        # the label before the public suffix: "derstandard" of derstandard.at,
        # "bbc" of bbc.co.uk
        core = [x for x in labels if x not in {"com", "co", "org", "net", "www", "news"}]
        if core:
            names.append(core[-2] if len(core) > 1 and len(core[-1]) <= 3 else core[-1])
    return names


#: A title part that is only a date or time stamp ("06.11.2023, 11.41 Uhr", "2024-05-03").
_DATE_PART_RE = re.compile(
    r"^(?=.*(?:\b(?:19|20)\d\d\b|\b\d{1,2}\.\d{1,2}\.))[\d\s.,:/-]+(?:uhr|h|am|pm)?\.?$", re.I
)


def strip_site_name(
    title: str, site_name: str | list[str] | None, url: str | None
) -> str:
    """Drop leading/trailing site names from a headline ("Story | Site" -> "Story"),
    and a short tagline after a trailing one ("Story | Site | Discover now").

    ``site_name`` is one name or several (og:site_name, the JSON-LD
    publisher's); the URL's host counts too.  Any seam of :data:`_SEAM_RE`
    separates them, in any script.
    """
    given = [site_name] if isinstance(site_name, str) else list(site_name or [])
    names = _site_names(None, url) + [n for n in given if n]
    while True:
        parts = title_segments(title)
        if len(parts) < 2:
            return title
        (first_start, first_end), (last_start, last_end) = parts[0], parts[-1]
        if _is_site_name(title[last_start:last_end], names) or _DATE_PART_RE.match(
            title[last_start:last_end]
        ):
            title = title[: parts[-2][1]].strip()
        elif _is_site_name(title[first_start:first_end], names) and not (
            re.search("[:：]", title[first_end : parts[1][0]])
            and not _is_site_name(title[first_start:first_end], names, exact=True)
        ):
            # (a part before a colon that merely opens with the site's name is
            # a kicker: "GdP-Vize Klemmer: Headline" on gdp.de)
            title = title[parts[1][0] :].strip()
        elif (
            len(parts) >= 3
            and _is_site_name(title[parts[-2][0] : parts[-2][1]], names)
            and len(title[last_start:last_end].split()) <= 3
        ):
            # "Story | Site | Discover now": the site's name, then its tagline
            title = title[: parts[-3][1]].strip()
        else:
            return title


#: How much each headline source counts when they disagree.  JSON-LD and
#: ``<title>`` are written per page by the publisher; og/twitter titles are
#: social-card copies of each other (two copies must not outvote the page).
#: The ``<h1>`` is the headline the reader sees: alone it outweighs any one
#: SEO field; two agreeing fields outweigh an ``<h1>`` no field confirms
#: (pages also print section names or fragments in an ``<h1>``).  An ``<h1>``
#: a field confirms (:func:`_confirmed`) takes no vote: it is the headline.
TITLE_WEIGHTS = {
    "jsonld": 1.5,
    "document": 1.5,
    "og": 1.0,
    "twitter": 1.0,
    "h1": 1.6,
    "meta": 0.5,
    "jsonld_name": 0.5,
}
_WORD_TOKEN_RE = re.compile(r"\w+")


def _confirmed(h1: str, others: list[str]) -> bool:
    """Most words of ``h1`` appear in one of ``others`` (case-folded), and no other
    is "Kicker: ``h1``" (a kicker-less ``<h1>`` under fields that state the kicker
    is no rewording: the fields' headline keeps its kicker) or "``h1``: a longer
    rest" (an ``<h1>`` printing only the kicker or the section is no headline)."""
    words = {w.casefold() for w in _WORD_TOKEN_RE.findall(h1)}
    plain = comparable(h1)
    if not words:
        return False
    for other in others:
        whole = comparable(other)
        if whole.endswith(plain) and whole != plain and re.search(r"[:：]\s*$", whole[: -len(plain)]):
            return False
        rest = whole[len(plain) :]
        if whole.startswith(plain) and _starts_with_seam(rest) and len(rest) > len(plain):
            return False
    return _states_most_words(h1, others)


def _states_most_words(text: str, others: list[str]) -> bool:
    """One of ``others`` states more than half the words of ``text`` (case-folded)."""
    words = {w.casefold() for w in _WORD_TOKEN_RE.findall(text)}
    for other in others:
        shared = words & {w.casefold() for w in _WORD_TOKEN_RE.findall(other)}
        if 2 * len(shared) > len(words):
            return True
    return False


_TITLE_ORDER = ("jsonld", "og", "twitter", "document", "h1", "meta", "jsonld_name")


#: A short bracketed tag after a headline: "Headline (Video)", "Headline [PHOTOS]",
#: "Purzelbaum (2021/5)" (an issue number); ``match`` it for a whole suffix.
_TAG_TAIL_RE = re.compile(r"\s*[(\[][^()\[\]]{1,20}[)\]]$")


def _inner_headline(value: str, others: list[str]) -> str | None:
    """The longest other source that ``value`` holds between seams, or ``None``.

    ``"Kicker: Headline | Section"`` holds ``"Headline"`` and ``"Kicker:
    Headline"``; ``"Headlines of today"`` holds neither (no seam at the
    edge).  A short bracketed media tag after the headline counts as a seam.
    """
    whole = comparable(value)
    best: str | None = None
    for other in others:
        part = comparable(other)
        if not part or part == whole or (best and len(part) <= len(comparable(best))):
            continue
        start = whole.find(part)
        if start < 0:
            continue
        prefix, suffix = whole[:start], whole[start + len(part) :]
        if (not prefix or _ends_in_seam(prefix)) and (
            not suffix or _starts_with_seam(suffix) or bool(_TAG_TAIL_RE.match(suffix))
        ):
            best = other
    return best


def _ends_in_seam(text: str) -> bool:
    return any(seam.end() == len(text) and seam.end() > seam.start() for seam in _SEAM_RE.finditer(text))


def _starts_with_seam(text: str) -> bool:
    match = _SEAM_RE.match(text)
    return match is not None and match.end() > 0


#: Sources whose headline may stand as the core of a decorated one.  The
#: ``<h1>`` is not among them: pages commonly print the kicker in its own
#: element above the ``<h1>``, so a kicker-less ``<h1>`` is no evidence that
#: the kicker in the other fields is decoration rather than headline.
_CORE_SOURCES = ("jsonld", "og", "twitter", "document", "meta", "jsonld_name")


def _undecorate(
    key: str, value: str, sources: dict[str, str], shown: Callable[[str], bool] | None = None
) -> str:
    """Reduce a decorated title to the plain headline another source states.

    SEO ``<title>``/og titles often wrap the headline in a kicker and a
    section ("Kicker: Headline | City News"); when another field gives just
    the inner part, the extras are decoration and the decorated copies
    should vote for the headline, not against it.  A suffix alone (nothing
    cut before the headline) may be cut on the ``<h1>``'s word too.
    """
    h1 = sources.get("h1")
    if h1 and _plain(value) == _plain(h1):
        # the page prints this very text as its headline: whatever a shorter
        # field states is a cut of it, not the headline under decoration
        return value
    cores = [v for k, v in sources.items() if k != key and k in _CORE_SOURCES]
    inner = _inner_headline(value, cores)
    if h1 and key != "h1" and (_suffixed(value, h1) or _prefixed(value, h1, shown)):
        if inner is None or len(h1) > len(inner):
            inner = h1
    return inner or value


def _suffixed(value: str, h1: str) -> bool:
    """``value`` is the printed ``h1`` plus a shorter tail after a non-colon seam.

    ``"Story - Blog Name"`` over ``<h1>Story</h1>``; not ``"Kicker: Story"``
    over an ``<h1>`` that prints only the kicker.
    """
    whole, part = comparable(value), comparable(h1)
    if not part or not whole.startswith(part) or whole == part:
        return False
    tail = whole[len(part) :]
    seam = _SEAM_RE.match(tail)
    if seam is None or seam.end() == 0 or ":" in seam.group() or "：" in seam.group():
        return False
    return len(tail) - seam.end() < len(part)


def _prefixed(value: str, h1: str, shown: Callable[[str], bool] | None) -> bool:
    """``value`` is a label the page never prints, a seam, then the printed ``h1``.

    ``"Press release: Wind farms approved"`` over ``<h1>Wind farms
    approved</h1>`` on a page that shows no "Press release": the label is
    search-engine decoration.  A label the page does print (a kicker inside
    or above the ``<h1>``) is the publisher's and stays with the headline,
    as the fields state it.
    """
    whole, part = comparable(value), comparable(h1)
    if shown is None or not part or not whole.endswith(part) or whole == part:
        return False
    head = whole[: -len(part)]
    label = head.strip(" :：-–—|/")
    return _ends_in_seam(head) and 0 < len(label) < len(part) and not shown(value[: len(label)])


def choose_title(sources: dict[str, str], shown: Callable[[str], bool] | None = None) -> str | None:
    """The headline most sources agree on, weighted by :data:`TITLE_WEIGHTS`.

    ``shown(text)`` tells whether the page prints ``text`` as an element's
    own text (see :func:`_prefixed`); without it labels before the headline
    are kept.
    """
    if not sources:
        return None
    reduced = {key: _undecorate(key, value, sources, shown) for key, value in sources.items()}
    h1 = reduced.get("h1")
    if h1 and _confirmed(h1, [v for k, v in sources.items() if k != "h1"]):
        # the printed headline, and a field shares most of its words: it is the
        # story's headline, the fields' wording an SEO or social-card version
        # of it ("Wait, are dead skin cells a good thing?" printed over "Dead
        # Skin Cells Might Be A Good Thing"), however many fields repeat that
        return _printed(h1, sources.get("h1"))
    votes: dict[str, float] = {}
    for key, value in reduced.items():
        votes[comparable(value)] = votes.get(comparable(value), 0.0) + TITLE_WEIGHTS.get(key, 0.5)
    best = max(votes.values())
    chosen = next(
        (reduced[k] for k in _TITLE_ORDER if k in reduced and votes[comparable(reduced[k])] == best),
        next(iter(reduced.values())),
    )
    return _printed(chosen, sources.get("h1"))


def _printed(title: str, h1: str | None) -> str:
    """The ``<h1>``'s own characters when it prints the chosen headline.

    Fields copy a headline with curly quotes straightened or dashes
    simplified; the printed one is the text as published.
    """
    if h1 and _plain(title) == _plain(h1):
        return h1
    return title


_DASHES = str.maketrans(dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212"), "-"))


#: Characters a field may hold where the page prints a typographic one.
_STRAIGHTENED_RE = re.compile("[-'\"]")


def _as_printed(title: str, printed: dict[str, list[lxml_html.HtmlElement]]) -> str:
    """``title`` in the characters of a heading printing it ("Korsetts – Shops"
    printed, "Korsetts - Shops" in the fields), else ``title``: the field's
    copy straightened the dash or quotes, the page shows the published text.

    ``printed`` is :func:`printed_headings`: keys compare as :func:`_plain` does.
    """
    plain = _plain(title)
    for key, elements in printed.items():
        if _plain(key) != plain:
            continue
        for element in elements:
            text = squash(element_text(element))
            if text != title and len(text) == len(title):
                return text
    return title


def _plain(text: str) -> str:
    """:func:`comparable` with typographic dashes as hyphens: for equality tests only."""
    return comparable(text).translate(_DASHES)


#: A seam with nothing on its far side: a template filled "Site - {headline}"
#: with an empty headline ("National Rail Enquiries -").
_DANGLING_SEAM_RE = re.compile(r"^\s*[-–—|:/·•]+\s+|\s+[-–—|:/·•]+\s*$")
#: Title sources read from a ``<meta content="...">`` attribute.
_ATTRIBUTE_SOURCES = ("og", "twitter", "meta")


def _mend_cut_attributes(sources: dict[str, str | None]) -> None:
    """Put back a headline an unescaped quote cut short in a ``<meta>`` attribute.

    ``content="Senator calls Biden "unfit""`` ends the attribute at the
    second quote: the field reads "Senator calls Biden".  When a text source
    (``<title>``, JSON-LD) holds that field followed by a ``"``, the field is
    that source's headline cut at the quote.
    """
    texts = [v for k, v in sources.items() if v and k not in _ATTRIBUTE_SOURCES]
    for key in _ATTRIBUTE_SOURCES:
        value = (sources.get(key) or "").rstrip()
        if not value:
            continue
        for text in texts:
            if len(text) > len(value) and text.startswith(value) and text[len(value) :].lstrip().startswith('"'):
                sources[key] = text
                break


def story_h1(
    tree: lxml_html.HtmlElement, fields: list[str] | None = None
) -> tuple[lxml_html.HtmlElement, str] | None:
    """The story's ``<h1>`` and the headline it prints: one a field confirms,
    else the first inside ``<article>``/``<main>``, else the first.

    A page with several ``<h1>`` (a location or section heading before the
    story's, as in "Bangkok" above the headline) is told apart by the
    fields: the one more than half of whose words a headline field states is
    the story's (whether that field's wording is the headline is
    :func:`choose_title`'s question).

    Page chrome often carries an ``<h1>`` of its own before the story (the
    logo, "Log In", the section name); the one inside the article element is
    the headline the reader sees above the text.  An ``<h1>`` that is the
    site's logo (:func:`parsers.html.is_site_logo`) never counts, and a kicker
    printed inside the ``<h1>`` before the headline is left out
    (:func:`h1_headline`).
    """
    candidates: list[tuple[lxml_html.HtmlElement, str, bool]] = []
    for h1 in tree.iter("h1"):
        text = h1_headline(h1)
        if not INVISIBLE_RE.sub("", text).strip() or is_site_logo(h1) or _IN_NAVIGATION(h1):
            continue
        if _SEO_CLASS_RE.search(h1.get("class") or ""):
            continue  # a copy for search engines, not the heading shown
        candidates.append((h1, text, any(a.tag in ("article", "main") for a in h1.iterancestors())))
    if not candidates:
        return None
    default = next((c for c in candidates if c[2]), candidates[0])
    if fields and len(candidates) > 1 and not _states_most_words(default[1], fields):
        default = next((c for c in candidates if _states_most_words(c[1], fields)), default)
    return default[0], default[1]


#: Class words of a kicker (overline, roofline, supertitle) printed before a headline.
_KICKER_RE = re.compile(
    r"kicker|overline|over-line|dachzeile|roofline|topline|top-line|spitzmarke|supertitle|"
    r"super-title|subtitle|eyebrow|pretitle|pre-title|top-?title|over-?title|h1small|rubric|"
    r"catchline|label",
    re.I,
)
#: Class words of a subtitle (dek, standfirst) printed inside the ``<h1>`` after the headline.
_SUBTITLE_RE = re.compile(r"sub-?title|sub-?line|sub-?headline|standfirst|(?:^|[\s_-])dek(?:$|[\s_-])", re.I)
#: Text that only joins a kicker to its headline (" - ", ": ").
_JOINER_RE = re.compile(r"^[\s\-–—:|/•·]+")


#: Anything inside an element whose text may not be shown.
_MAYBE_UNSHOWN = etree.XPath(".//style | .//script | .//*[@class or @style or @hidden]")


def _shown_text(element: lxml_html.HtmlElement) -> str:
    """``text_content()`` without text the reader never sees: ``<style>`` and
    ``<script>`` blocks (component frameworks put one inside the heading it
    styles), screen-reader-only labels and hidden elements."""
    unshown = [e for e in _MAYBE_UNSHOWN(element) if e.tag in ("style", "script") or hidden_from_view(e)]
    if not unshown:
        return element_text(element)
    skip = set(unshown)
    parts: list[str] = []

    def walk(node: lxml_html.HtmlElement) -> None:
        parts.append(node.text or "")
        for child in node:
            if child not in skip and isinstance(child.tag, str):
                walk(child)
            parts.append(child.tail or "")

    walk(element)
    return "".join(parts)


def _set_apart(first: lxml_html.HtmlElement) -> bool:
    """The ``<h1>``'s opening element is a label the headline text follows.

    Either it ends in a colon ("Press release:" then the headline as plain
    text), or its last word runs into the text after it with no space
    ("<span>Demo</span>The day nears"): a page that prints them that way
    shows the element on a line of its own, as a kicker.
    """
    label = squash(_shown_text(first))
    tail = first.tail or ""
    if not label or len(squash(tail).split()) < 2:
        return False
    return label.endswith((":", "：")) or (label[-1].isalnum() and tail[:1].isalpha())


def h1_headline(h1: lxml_html.HtmlElement) -> str:
    """The ``<h1>``'s text without a kicker opening it or a small print line closing it.

    ``<h1><span class="dachzeile">Leak</span> <span>Data stolen</span></h1>``
    prints the kicker "Leak" above the headline "Data stolen": the kicker is
    a label of the story (and runs into the headline when the text is read
    flat), so the headline is the rest, when a rest of two words or more
    remains.  An element opening the ``<h1>`` is a kicker when its class
    names one, when it holds a date, when it is ``<small>`` print, when a
    ``<br>`` ends its line or when it is set apart (:func:`_set_apart`); a
    ``<small>`` line after a ``<br>`` at the end (date, tags) goes too.
    """
    text = squash(_shown_text(h1))
    children = [c for c in h1 if isinstance(c.tag, str) and c.tag not in ("style", "script")]
    if not text or not children:
        return text
    dropped = set()
    first = children[0]
    marks = f"{first.get('class') or ''} {first.get('id') or ''}"
    if not (h1.text or "").strip() and (
        _KICKER_RE.search(marks)
        or first.tag == "small"
        or next(first.iter("time"), None) is not None
        or (len(children) > 2 and children[1].tag == "br" and not (first.tail or "").strip())
        or _set_apart(first)
    ):
        dropped.add(first)
    last = children[-1]
    if last.tag == "small" and len(children) > 1 and children[-2].tag == "br" and not (last.tail or "").strip():
        dropped.add(last)
    if len(children) > 1 and not (last.tail or "").strip() and _SUBTITLE_RE.search(last.get("class") or ""):
        dropped.add(last)  # a subtitle printed inside the <h1>, below the headline
    if not dropped:
        return text
    rest: list[str] = [h1.text or ""]
    for child in children:
        if child not in dropped:
            rest.append(_shown_text(child))
        rest.append(child.tail or "")
    headline = _JOINER_RE.sub("", squash(" ".join(rest)))
    return headline if len(headline.split()) >= 2 else text


#: Some element's own text, or the whole text of a small element (no
#: grandchildren: string values of big ones would make this quadratic), is
#: ``$text``, in the ``<body>``.
_PRINTS_TEXT = etree.XPath(
    "boolean(//body//*[normalize-space(text()) = $text or (not(*/*) and normalize-space(.) = $text)])"
)


#: Elements that print a headline: headings, and blocks whose class says "title"/"headline".
_HEADINGS = etree.XPath(
    "//h1 | //h2 | //h3 | //@class[contains(., 'title') or contains(., 'headline')]/.."
)
#: A heading in a menu, breadcrumb or list of teasers: never the story's headline.
_IN_NAVIGATION = etree.XPath("boolean(ancestor::nav or ancestor::ol)")


def printed_headings(tree: lxml_html.HtmlElement) -> dict[str, list[lxml_html.HtmlElement]]:
    """The texts the page prints as headings (comparable form), with their elements.

    The caller checks the few elements of a text it looks up (site logo,
    kicker): testing every heading of the page would cost more.
    """
    found: dict[str, list[lxml_html.HtmlElement]] = {}
    for element in _HEADINGS(tree):
        if element.tag in ("title", "meta", "body", "html"):
            continue
        text = comparable(INVISIBLE_RE.sub("", element_text(element)))
        if 3 <= len(text) <= 300:
            found.setdefault(text, []).append(element)
    return found


def _shown_as_heading(text: str, printed: dict[str, list[lxml_html.HtmlElement]]) -> bool:
    """Some element printing ``text`` is a heading: not the site's logo, a kicker, a
    share widget, a teaser or a copy for search engines, and not in a menu or
    breadcrumb."""
    return any(_a_heading(e) for e in printed.get(comparable(text), ()))


def _a_heading(element: lxml_html.HtmlElement) -> bool:
    classes = element.get("class") or ""
    return not (
        is_site_logo(element)
        or _KICKER_RE.search(classes)
        or _ELSEWHERE_RE.search(classes)
        or _SEO_CLASS_RE.search(classes)
        or _IN_NAVIGATION(element)
    )


#: A heading kept for search engines ("seotitle"), hidden or not the one shown.
_SEO_CLASS_RE = re.compile(r"(?:^|[\s_-])seo", re.I)


def printed_field(
    sources: dict[str, str], printed: dict[str, list[lxml_html.HtmlElement]]
) -> str | None:
    """The one headline field a heading prints, on a page with no ``<h1>``.

    Templates that keep the ``<h1>`` for the logo or a hidden SEO copy print
    the story's headline in an ``<h2>``, often after a kicker ("Kicker –
    Headline"); of fields that disagree, the one the reader sees is the
    headline.  ``None`` when no field or several different ones are printed.
    """
    found: dict[str, str] = {}
    for key, value in sources.items():
        wanted = comparable(value)
        if key == "h1" or not wanted or wanted in found:
            continue
        if _shown_as_heading(value, printed) or any(
            text.endswith(" " + wanted)
            and len(text) < 2 * len(wanted)
            and _ends_in_seam(text[: -len(wanted)])
            and any(_a_heading(e) for e in elements)
            for text, elements in printed.items()
        ):
            found[wanted] = value
    return next(iter(found.values())) if len(found) == 1 else None


#: Classes of boxes that print other texts than the story's headline: share
#: widgets (the page's <title> again), teasers of related stories.
_ELSEWHERE_RE = re.compile(r"share|social|related|teaser|promo|recommend", re.I)


def printed_part(
    value: str, printed: dict[str, list[lxml_html.HtmlElement]], site_names: list[str] | None = None
) -> str:
    """The seam-separated run of ``value`` that the page prints as a heading, or ``value``.

    A ``<title>`` "Story | Blog name | Forum" on a page whose heading reads
    "Story": the printed part is the headline, the rest decoration, whatever
    words the decoration uses.  A run that is the site's name, or one short
    word (a section label), is never the headline.
    """
    if _shown_as_heading(value, printed):
        return value
    tag = _TAG_TAIL_RE.search(value)
    if tag and _shown_as_heading(value[: tag.start()], printed):
        return value[: tag.start()]  # "Headline (2021/5)" over a printed "Headline"
    parts = title_segments(value)
    # "Kicker: Headline" and "Kicker - Headline" with the kicker printed apart:
    # the kicker is part of the headline the fields state, so a run may only
    # start after a bar, guillemet or bullet, and never end at a colon
    seams = [value[parts[i - 1][1] : parts[i][0]] for i in range(1, len(parts))]
    starts = [0] + [i for i in range(1, len(parts)) if not re.search(r"[:：\-–—]", seams[i - 1])]
    ends = [i for i in range(len(parts) - 1) if not re.search(r"[:：]", seams[i])]
    best = value
    best_len = 0
    for i in starts:
        for j in range(len(parts) - 1, i - 1, -1):
            if (i == 0 and j == len(parts) - 1) or (j + 1 < len(parts) and j not in ends):
                continue
            candidate = value[parts[i][0] : parts[j][1]]
            if (
                len(candidate) > best_len
                and _shown_as_heading(candidate, printed)
                and (len(candidate.split()) >= 2 or len(candidate) >= 12)
                and not _is_site_name(candidate, site_names or [], exact=True)
            ):
                best, best_len = candidate, len(candidate)
                break
    return best


def _unprinted_field_over_h1(
    title: str | None,
    h1_text: str | None,
    h1: lxml_html.HtmlElement | None,
    tree: lxml_html.HtmlElement,
    shown: Callable[[str], bool],
) -> bool:
    """The vote chose a field's wording that the page never prints over the
    headline the story's ``<h1>`` prints.

    An SEO or social-card headline rewritten after publication ("Verkehrschaos
    durch Hitze: …" in every field, "So sind Straßenbahnen … vorbereitet" in
    the ``<h1>``) outvotes the one ``<h1>``; the vote cannot tell rewording
    from a stray heading, the page can: a headline the fields agree on but
    the reader never sees is not the published one.  The ``<h1>`` must head
    the story (inside ``<article>``/``<main>``, or the page's only ``<h1>``;
    blog themes print other posts' titles as ``<h1>`` too) and read like a
    headline (four words or more: a section label is shorter).
    """
    if not title or not h1_text or h1 is None or len(h1_text.split()) < 4:
        return False
    chosen, printed = comparable(title), comparable(h1_text)
    if printed in chosen or chosen in printed:
        return False  # one holds the other: a kicker printed apart, a cut
    in_story = any(a.tag in ("article", "main") for a in h1.iterancestors())
    if not in_story and sum(1 for _ in tree.iter("h1")) > 1:
        return False
    return not shown(title)


# -- assembly --------------------------------------------------------------


def extract_metadata(tree: lxml_html.HtmlElement, url: str | None = None) -> PageMetadata:
    """Read every metadata source once and merge them, strongest first."""
    nodes = jsonld_nodes(tree)
    node = article_node(nodes) or {}
    meta = meta_tags(tree)
    result = PageMetadata()

    result.site_name = _first(meta, ("og:site_name", "twitter:site"))
    application = _first(meta, ("application-name",))
    if not result.site_name and application and len(application.split()) <= 4:
        # an app's name is short; some CMSs put the story's headline there
        result.site_name = application
    if not result.site_name:
        for other in nodes:
            if _types(other) & {"WebSite", "NewsMediaOrganization", "Organization"}:
                result.site_name = _text(other.get("name"))
                if result.site_name:
                    break
        if not result.site_name and isinstance(node.get("publisher"), dict):
            result.site_name = _text(node["publisher"].get("name"))

    publisher = _resolve(node.get("publisher"), nodes)
    result.publisher_names = [
        n for n in (result.site_name, _text(publisher) if publisher else None, host_of(url)) if n
    ]
    result.canonical_url = _canonical(tree, meta) or url
    page_url = result.canonical_url or url

    sources = {
        "jsonld": _text(node.get("headline")),
        "og": _first(meta, ("og:title",)),
        "twitter": _first(meta, ("twitter:title",)),
        "document": _document_title(tree),
        "h1": None,
        "meta": _first(meta, META_TITLE[2:]),
        "jsonld_name": _text(node.get("name")),
    }
    _mend_cut_attributes(sources)
    names = [n for n in (result.site_name, _text(publisher) if publisher else None) if n]
    # the name the site prints in its logo heading names it too
    names += [n for n in (squash(element_text(h)) for h in tree.iter("h1") if is_site_logo(h)) if 0 < len(n) <= 60]
    site_names = names + _site_names(None, page_url)

    def clean(value: str | None) -> str | None:
        value = _DANGLING_SEAM_RE.sub("", value) if value else value
        if not value or _is_site_name(value, site_names, exact=True):
            return None  # the site's own name is never the headline
        return strip_site_name(value, names, page_url) or None

    cleaned = {key: clean(value) for key, value in sources.items()}
    # the fields, cleaned of the site's name, tell the story's <h1> among several
    story = story_h1(tree, [v for v in cleaned.values() if v])
    if story is not None:
        result.h1_element, cleaned["h1"] = story[0], clean(story[1])
    cleaned = {key: value for key, value in cleaned.items() if value}
    headings: list[dict[str, list[lxml_html.HtmlElement]]] = []

    def printed() -> dict[str, list[lxml_html.HtmlElement]]:
        # built once a page, and only for pages whose fields need it
        if not headings:
            headings.append(printed_headings(tree))
        return headings[0]

    if "h1" not in cleaned and len({comparable(v) for v in cleaned.values()}) > 1:
        shown = printed_field(cleaned, printed())
        if shown is not None:
            cleaned["h1"] = shown  # what the reader sees heading the story
    h1 = comparable(cleaned.get("h1", ""))
    if any(
        (len(title_segments(v)) > 1 or _TAG_TAIL_RE.search(v)) and comparable(v) != h1
        for k, v in cleaned.items()
        if k != "h1"
    ):
        for key, value in cleaned.items():
            if key != "h1":
                cleaned[key] = printed_part(value, printed(), site_names)
    result.title_sources = cleaned
    def shown(text: str) -> bool:
        return bool(_PRINTS_TEXT(tree, text=squash(text)))

    result.title = choose_title(cleaned, shown)
    if _unprinted_field_over_h1(result.title, cleaned.get("h1"), result.h1_element, tree, shown):
        # the fields' headline appears nowhere on the page, while the story's
        # own <h1> prints another: the reader's headline is the printed one
        result.title = cleaned["h1"]
    if result.title and result.title != cleaned.get("h1") and _STRAIGHTENED_RE.search(result.title):
        result.title = _as_printed(result.title, printed())

    # every source in order; the parser takes the first that survives cleaning
    # (a meta author of "site.de" must not hide the byline in the page), then
    # :func:`dom_authors`, which is slower and so only run when needed
    # with no article node, the WebPage node Yoast-style graphs write for any post
    # still names its author (by reference to a Person node of the graph)
    written = node.get("author") if node else _page_author(nodes)
    result.author_sources = [
        _names(_resolve(written, nodes)),
        _names(_resolve(node.get("creator"), nodes)),
        _meta_authors(meta),
    ]
    result.authors = next((a for a in result.author_sources if a), [])
    result.organisation_authors = _organisations(_resolve(written, nodes))
    result.self_published = _person_publisher(node, nodes)

    updated = [parse_datetime(_text(node.get("dateModified"))), *_dates(meta, META_MODIFIED)]
    result.updated_at = own_offset(updated)
    published = [
        parse_datetime(_text(node.get("datePublished"))),
        *_dates(meta, META_PUBLISHED, not_after=result.updated_at),
    ]
    published += [parse_datetime(_text(node.get("dateCreated"))), _time_element(tree)]
    result.published_at = own_offset(published)
    result.published_candidates = [d for d in published if d is not None]

    keywords = _list(node.get("keywords"))
    if not keywords:
        for key in META_KEYWORDS:
            if meta.get(key):
                keywords = [k for v in meta[key] for k in _list(v)]
                break
    result.keywords = keywords
    section = _list(node.get("articleSection"))
    if not section:
        first = _first(meta, META_SECTION)
        section = [first] if first else []
    result.section = section

    result.description = _text(node.get("description")) or _first(meta, META_DESCRIPTION)
    result.image = _image(node.get("image")) or _first(meta, ("og:image", "twitter:image"))
    result.language = _language(tree, meta, node)
    body = node.get("articleBody")
    result.article_body = body.strip() if isinstance(body, str) and body.strip() else None
    ident = node.get("identifier")
    result.site_article_id = _text(ident) if isinstance(ident, (str, int)) else None
    return result


def _person_publisher(node: dict[str, Any], nodes: list[dict[str, Any]]) -> bool:
    """The article's publisher is a person: typed ``Person``, the author's own node, or
    a reference into the ``#/schema/person/`` ids schema generators give people."""
    publisher = node.get("publisher")
    if isinstance(publisher, list):
        publisher = next((p for p in publisher if isinstance(p, dict)), None)
    if not isinstance(publisher, dict):
        return False
    ident = publisher.get("@id")
    if isinstance(ident, str) and "/schema/person/" in ident:
        return True
    authors = node.get("author")
    authors = authors if isinstance(authors, list) else [authors]
    if ident and any(isinstance(a, dict) and a.get("@id") == ident for a in authors):
        return True
    resolved = _resolve(publisher, nodes)
    return isinstance(resolved, dict) and _types(resolved) == _PERSON_TYPES


def _meta_authors(meta: dict[str, list[str]]) -> list[str]:
    for key in META_AUTHOR:
        values = [v for v in meta.get(key, []) if not _looks_like_url(v)]
        if values:
            return values
    # Slack-style reading-time cards: twitter:label1 "Written by" / twitter:data1 "Name"
    for index in range(1, 5):
        label = (meta.get(f"twitter:label{index}") or [""])[0].lower()
        if label.startswith(("written by", "by", "author", "von", "auteur", "autor")):
            return meta.get(f"twitter:data{index}", [])[:1]
    return []


#: Conservative byline markup: schema.org microdata, ``rel=author`` links and
#: class names that name an author (not "author-bio" boxes or comment authors).
_DOM_AUTHOR_XPATH = (
    "//*[@itemprop='author']//*[@itemprop='name']"
    " | //*[@itemprop='author' and not(.//*[@itemprop='name'])]"
    " | //a[@rel='author']"
    # the cheap substring test first: the token tests only run on its few hits
    " | //*[contains(@class, 'author') or contains(@class, 'byline')]"
    "[contains(concat(' ', normalize-space(@class), ' '), ' authorname ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' author-name ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' byline__name ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' byline-name ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' byline ')"
    " or (contains(concat(' ', normalize-space(@class), ' '), ' author ')"
    # comment authors and author boxes of other stories name other people
    " and not(ancestor::*[contains(@class, 'comment') or contains(@class, 'related')"
    " or contains(@class, 'recommend')]))]"
)
_DOM_AUTHORS = etree.XPath(_DOM_AUTHOR_XPATH)


def dom_authors(tree: lxml_html.HtmlElement) -> list[str]:
    """Byline texts from the page markup (microdata, ``rel=author``, byline classes)."""
    names: list[str] = []
    # a writer inside a teaser card wrote that card's story, an image licence's its picture
    marked = [e for e in _DOM_AUTHORS(tree) if not in_teaser_card(e) and not in_picture_licence(e)]
    for element in marked[:6]:
        if element.tag == "meta":
            text = element.get("content") or ""
        else:
            text = element_text(element)
        text = squash(text)
        if text and len(text) < 80 and text not in names:
            names.append(text)
    return names


def _looks_like_url(value: str) -> bool:
    return value.startswith(("http://", "https://", "//", "www.")) or "/" in value


#: "10/05/2022": month first or day first, the digits alone cannot tell.
_AMBIGUOUS_SLASH_RE = re.compile(r"^(0?[1-9]|1[0-2])/(0?[1-9]|1[0-2])/(\d{4})\b(.*)$")


def _dates(
    meta: dict[str, list[str]], keys: tuple[str, ...], not_after: datetime | None = None
) -> list[datetime | None]:
    """The fields' times; an ambiguous "10/05/2022" is read day first when read month
    first it would fall after ``not_after`` (the page's modification time) and day
    first it would not: a story is not published after its last change."""
    found = []
    for key in keys:
        for value in meta.get(key, []):
            parsed = parse_datetime(value)
            ambiguous = _AMBIGUOUS_SLASH_RE.match(value.strip())
            if parsed and not_after and ambiguous and parsed > not_after:
                month, day, year, rest = ambiguous.groups()
                swapped = parse_datetime(f"{day}/{month}/{year}{rest}")
                if swapped and swapped <= not_after:
                    parsed = swapped
            found.append(parsed)
    return found


def own_offset(candidates: list[datetime | None]) -> datetime | None:
    """The first stated time, in the page's own offset when another field gives it.

    CMSs often write one field in UTC and another in local time for the same
    instant ("…T01:00:00Z" and "…T10:00:00+09:00"): the instant is the first
    field's, the offset the one the page states for its own zone.
    """
    found = [c for c in candidates if c is not None]
    if not found:
        return None
    first = found[0]
    if first.utcoffset():
        return first
    for other in found[1:]:
        if other.utcoffset() and other == first:
            return other
    return first


def _time_element(tree: lxml_html.HtmlElement) -> datetime | None:
    """``<time itemprop=datePublished>`` / ``<time pubdate>`` / ``<time class="published">``
    (the hAtom microformat blog themes print) inside the page.

    Themes often state the local time there and UTC in the fields: it gives
    :func:`own_offset` the page's own offset.
    """
    for element in tree.iter("time"):
        if (
            element.get("itemprop") == "datePublished"
            or element.get("pubdate") is not None
            or ("published" in (element.get("class") or "").split() and not outside_story(element))
        ):
            parsed = parse_datetime(element.get("datetime") or element_text(element))
            if parsed:
                return parsed
    return None


def _document_title(tree: lxml_html.HtmlElement) -> str | None:
    element = tree.find(".//title")
    if element is None:
        return None
    text = squash(element_text(element))
    return text or None


def _canonical(tree: lxml_html.HtmlElement, meta: dict[str, list[str]]) -> str | None:
    for link in tree.iter("link"):
        if (link.get("rel") or "").strip().lower() == "canonical" and link.get("href"):
            href = link.get("href").strip()
            if href.startswith(("http://", "https://")):
                return href
    value = _first(meta, ("og:url",))
    return value if value and value.startswith(("http://", "https://")) else None


def _image(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    return value if isinstance(value, str) and value.startswith(("http", "//")) else None


_LANG_RE = re.compile(r"^[a-zA-Z]{2,3}(?:[-_][a-zA-Z0-9]{2,8})*$")


def _language(tree: lxml_html.HtmlElement, meta: dict[str, list[str]], node: dict) -> str | None:
    """BCP-47-ish tag, primary subtag lower-cased (``de-AT`` -> ``de``)."""
    root = tree.getroottree().getroot()
    candidates = [
        root.get("lang"),
        root.get("xml:lang"),
        _text(node.get("inLanguage")),
        _first(meta, ("og:locale", "content-language", "language", "dc.language")),
    ]
    for value in candidates:
        if value and _LANG_RE.match(value.strip()):
            return value.strip().replace("_", "-").split("-")[0].lower()
    return None


# -- authors ---------------------------------------------------------------

_AUTHOR_PREFIX_RE = re.compile(
    r"^\s*(?:[-–—]+\s*)?(?:(?:view|see) all posts by|(?:zeige )?alle beiträge von|(?:alles|mehr) von|"
    r"(?:all|more) (?:posts|stories|articles) by|"
    rf"{POSTED_BY}|"
    r"(?:a |an )?(?:commentary|comment|kommentar|analyse|analysis|interview|essay|column|"
    r"gastbeitrag|reportage)\s+(?:by|von)|"
    r"by|written by|reporting by|text(?:e)?(?:\s+(?:von|by|de))?|von|por|par|door|di|av|af|"
    r"autor(?:in)?(?:\s*/\s*autor(?:in)?)?|autor(?:en|innen)|author|auteur)"
    r"\s*:?\s+",
    re.I,
)
#: A part that is only a byline word or a label ending in one ("Von", "Kommentar von").
_AUTHOR_LABEL_RE = re.compile(
    r"^(?:.*\s)?(?:by|von|por|par|door|di|av|af|text(?:e)?|autor(?:in)?|author|auteur|"
    r"autorin\s*/\s*autor|verfasser(?:in)?)\s*:?$",
    re.I,
)
#: Job titles printed after a name ("Jane Roe Redakteurin", "Jane Roe, Staff Writer").
_AUTHOR_ROLE_RE = re.compile(
    r"(?:^|\s+)(?:(?:senior |chief |staff |contributing |deputy )?(?:redakteur(?:in)?|reporter(?:in)?|"
    r"editor|writer|correspondent|korrespondent(?:in)?|journalist(?:in)?|columnist|"
    r"kolumnist(?:in)?|contributor|volontär(?:in)?|autor(?:in)?|redaktion|"
    r"nachrichtenagentur|news agency))\s*$",
    re.I,
)
#: The roles of :data:`_AUTHOR_ROLE_RE` that name a desk or agency, not a person's job.
_DESK_ROLE_RE = re.compile(r"redaktion|agency|agentur", re.I)
#: A role phrase after the name, set apart by a comma ("Jane Roe, Projektleiterin
#: der Stiftung in Tunis", "Jane Roe, head of research at ..."): a job title,
#: then the body it is held in.  The name stands before it; the phrase names no one.
_ROLE_PHRASE_RE = re.compile(
    r"^(?:(?:senior|chief|deputy|stellvertretende[rn]?|managing)\s+)?"
    r"(?:projekt)?(?:leiter(?:in)?|referent(?:in)?|(?:presse)?sprecher(?:in)?|direktor(?:in)?|"
    r"director|geschäftsführer(?:in)?|vorsitzende[rn]?|präsident(?:in)?|president|head|chef(?:in)?|"
    r"professor(?:in)?|mitarbeiter(?:in)?|researcher|fellow|manager(?:in)?|koordinator(?:in)?|"
    r"coordinator|berater(?:in)?|analyst(?:in)?|chair(?:man|woman)?|founder|gründer(?:in)?|"
    r"member|mitglied|student(?:in)?|doktorand(?:in)?|lecturer|dozent(?:in)?|expert(?:e|in)?|"
    r"partner(?:in)?|inhaber(?:in)?|owner|ceo|cto|cfo)"
    r"\s+(?:der|des|von|vom|bei|beim|für|im|am|an|of|at|for|in|with|de|du|del|della)\b",
    re.I,
)
#: A team, desk or role after a spaced dash ("Jane Roe – Chefredakteurin"): a
#: name holds hyphens ("Jean-Luc"), never a dash with a space on each side.
_DASHED_TAIL_RE = re.compile(r"\s+[-–—]\s+.*$")
#: Link labels that follow a name in author boxes ("Jane Roe Alle Artikel").
_AUTHOR_SUFFIX_RE = re.compile(r"\s+(?:alle artikel|all (?:posts|articles)|more posts)\s*$", re.I)
# joiners between names in many languages ("A und B", "A y B", "A et B" ...)
_AUTHOR_JOIN_RE = re.compile(
    r"\s+(?:and|und|y|et|e|en|og|och|i|és|a|ve|и)\s+|\s*[,;&|/]\s*|\s+·\s+"
)
#: An interview's credit names the guest and the interviewer ("A im Gespräch mit B"):
#: read as two names before the noise rules take "im Gespräch" for a category.
_INTERVIEW_RE = re.compile(
    r"\s+(?:im gespräch mit|in conversation with|en conversación con|en entretien avec|"
    r"in conversazione con)\s+",
    re.I,
)
_AUTHOR_NOISE_RE = re.compile(
    r"\S+@\S+|https?://\S+|[(\[][^)\]]*[)\]]|"
    # (not "Published by Jane Roe": that names the author)
    r"\b(?:updated?|published|veröffentlicht|aktualisiert|geändert|modified|stand|publié|mis à jour|"
    r"publicad[oa]|actualizad[oa])\b(?!\s+(?:by|von|par|por|da)\b).*$|"
    # a date or time after the name ("VON JANE ROE am 21. April 2020", "Jane Roe, 3 June")
    # ("Posted by Jane Roe at 10:12 AM", "Jane Roe um 12:20")
    r"(?:\s+(?:am|on|le|el|il|den|de|vom|at|um|à|às|alle|a las))?\s*(?<!\w)\d.*$|"
    # other people's credits after the name ("Text von A Illustration von B", "A; Fotos: B")
    r"[\s;,|]+(?:illustrations?|illustration(?:en)?|fotos?|photos?|bilder?|grafik|images?|"
    r"zeichnungen?|video|kamera)\s*(?:von|by|de|:).*$|"
    # a category after the name ("Posted by Jane Roe in Politics")
    r"\s+(?-i:in|im|dans)\s+(?-i:[A-ZÄÖÜÉ]).*$|"
    # a section list after the name ("By Jane Roe, in News, Business")
    r"\s*,\s*(?:in|en|dans|im)\s+[^\W\d_].*$",
    re.I,
)
_DOMAIN_RE = re.compile(
    r"\b[\w-]+\.(?:com|net|org|de|at|ch|fr|it|es|uk|co|be|nl|info|news|tv)\b", re.I
)
_AUTHOR_OK_RE = re.compile(r"^[^\W\d_][\w.'’\-]*(?:\s+[^\W\d_][\w.'’\-]*){0,5}$")
#: Lower-case words a name may hold ("Ludwig van Beethoven", "María de la Cruz").
#: Lower-case words inside a person's name ("Jan de Vries", "Ana dos Santos").
NAME_PARTICLES = frozenset(
    "de la le du des del della di da das do dos van von der den ter ten zu y e bin ibn al el".split()
)


def _name_shaped(part: str) -> bool:
    """A long name capitalises its words but for particles, a phrase does not ("Größtes
    solarthermisches Kraftwerk der Welt"); a short one may be written all in lower case
    ("jane roe") but does not open in lower case before a capital ("deinen Bloggern")."""
    words = part.split()
    lower = [w[0].islower() and w not in NAME_PARTICLES for w in words]
    if len(words) > 3:
        return not any(lower)
    return not (lower[0] and not all(lower))


#: What a CMS fills in where no one is named: an account or a placeholder, never a person.
_PLACEHOLDER_RE = re.compile(
    r"^(?:(?:wp|wordpress|site|web|blog|cms)[-_ ]?)?(?:admin|administrator)\d*$|"
    r"^(?:super ?user|webmaster|publisher|author|unknown|anonymous|anonym|no author|"
    r"none|null|undefined|root|guest)$|"
    # "Red." signs for the desk (Redaktion, redazione): no one in particular
    r"^red\.?$",
    re.I,
)
#: A company's or association's legal form closing its name ("Nordex SE", "Verband
#: e. V.", "Acme Ltd."): an organisation, never a person.
_LEGAL_FORM_RE = re.compile(
    r"\s(?:g?GmbH|mbH|AG|SE|KG|KGaA|OHG|eG|e\.\s?V\.?|Inc\.?|Ltd\.?|LLC|LLP|plc|PLC|Corp\.?|"
    r"S\.A\.?|S\.p\.A\.?|B\.V\.?|N\.V\.?|ASA|Oy)$"
)
#: A German gendered plural ("Autor/innen", "Leser*innen", "Autor:innen"): a heading or
#: label about a group ("Richtlinien für Autor/innen"), not a byline; the slash is no joiner.
_GENDERED_RE = re.compile(r"[^\W\d_][/*:_]innen\b")
#: Initials alone ("PA", "dsw") or a press service's code ("SP-X"): a desk's sign-off, not a name.
_INITIALS_RE = re.compile(r"^(?:[A-Z]{1,3}|[a-z]{1,3}|[A-Z]{1,3}-[A-Z\d]{1,3})\.?$")
#: An editorial desk ("Redaktion Gelbe Liste", "Editorial Team"): the publication, not a person.
_DESK_WORDS = (
    r"redaktion(?:steam)?|editorial (?:team|staff|board|desk)|the editors|newsroom|"
    r"nachrichtenredaktion|rédaction|redacción|redazione"
)
_DESK_RE = re.compile(rf"^(?:{_DESK_WORDS})\b", re.I)
#: Calendar words left of a date cut off a byline ("Jane Roe Feb", "Donnerstag").
_CALENDAR_RE = re.compile(
    r"^(?:" + "|".join(re.escape(n) for names in MONTH_NAMES.values() for n in names) + r")\.?$"
    r"|^(?:" + "|".join(WEEKDAY_NAMES) + r")$",
    re.I,
)
#: An English month left after a name when the date was cut ("Jane Roe Sept.",
#: "Jane Roe September" of "By Jane Roe September 12, 2019").
_TRAILING_MONTH_RE = re.compile(
    r"\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|"
    r"april|june|july|august|september|october|november|december)\.?$",
    re.I,
)


_ENDS_WITH_INITIAL_RE = re.compile(r"\s[^\W\d_]\.$")


#: A labelled line whose label is no author's ("Redaktion: A", "Editor: B", "Fotos: C").
#: (A label holds no digit: "Jane Roe am 26/10/13, 03:48" is a time, not a label.)
_OTHER_LABEL_RE = re.compile(r"^\s*([^\W\d_][^:：\d]{0,24})\s*[:：]\s*(?:\S|$)")
_AUTHOR_LABELS_RE = re.compile(
    r"^(?:by|von|text(?:e)?|autor(?:in)?|autoren|author|authors|auteur|auteurs|autore|"
    r"verfasser(?:in)?|written by|reporting by|reporter|byline|autorin\s*/\s*autor|"
    rf"{POSTED_BY}|"
    r"text (?:von|by)|texte de)$",
    re.I,
)
#: A label that opens with the writer's label, the colon after the name ("Autor Jane
#: Roe:", a language tag next): the author's line, not another role.
_AUTHOR_OPENING_RE = re.compile(r"^\s*(?:autor(?:in)?|author|auteur|verfasser(?:in)?)\s+\S", re.I)
#: A line opening with another role than the writer's, without a colon: the
#: translator ("Übersetzung Jane Roe", "Translated by"), the photographer.
_OTHER_ROLE_RE = re.compile(
    r"^\s*(?:übersetzung|übersetzt\s+von|translation|translated\s+by|traduction|traduit\s+par|"
    r"traducción|traducido\s+por|traduzione|tradotto\s+da|fotos?|photos?|photography|"
    r"illustrations?|illustriert\s+von)(?=\s|$)",
    re.I,
)
_GLUED_DIGITS_RE = re.compile(r"(?<=[^\W\d_])\d+$")
#: Generic second-level suffixes ("co.uk", "com.au"): the registrable domain has three labels.
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "or", "ne", "go"})
#: A site named as someone's possession ("Jane Roe's blog", "Roe´s Notes"): its owner is a person.
_POSSESSIVE_SITE_RE = re.compile(r"^(\S.*?)['’´]s\s+\S", re.I)


def _publication_names(site_names: list[str]) -> tuple[list[str], set[str]]:
    """The names a byline part must not equal to be a person's (the site's own names),
    and the keys of the people a site is named after.

    A host counts by its registrable domain only: on shared blog hosts the
    subdomain is the writer's handle ("jroe" of jroe.blogspot.example), so it
    names a person, not the publication.  A site named in the possessive
    after someone ("Jane Roe's blog") is that person's: a byline naming the
    owner names a person, even where the domain spells the name too.
    """
    names, owners = [], set()
    for name in site_names:
        possessive = _POSSESSIVE_SITE_RE.match(name)
        if possessive:
            owners.add(_name_key(possessive.group(1)))
            continue
        if " " not in name and name.count(".") >= 2:
            labels = name.split(".")
            # "co.uk", "com.au": a generic second-level suffix takes one more label
            keep = 3 if labels[-2] in _SECOND_LEVEL else 2
            name = ".".join(labels[-keep:])
        names.append(name)
    return names, owners


def credited_otherwise(line: str) -> bool:
    """A line crediting someone in another role than author ("Editor: Jane Roe",
    "Foto: ...", "Übersetzung Jane Roe")."""
    if _OTHER_ROLE_RE.match(line):
        return True
    label = _OTHER_LABEL_RE.match(line)
    return (
        bool(label)
        and not _AUTHOR_LABELS_RE.match(label.group(1).strip())
        and not _AUTHOR_OPENING_RE.match(label.group(1))
    )


def agency_credits(raw: list[str]) -> list[str]:
    """News agencies a byline or author field credits ("Mara Oakes, AP", "dpa"), as printed."""
    credits: list[str] = []
    for value in raw:
        text = _AUTHOR_PREFIX_RE.sub("", squash(unescape(value)))
        for part in _AUTHOR_JOIN_RE.split(re.sub(r"[()\[\]]", ",", text)):
            part = part.strip(" .,:;-–—")
            if part and is_agency(part) and part not in credits:
                credits.append(part)
    return credits


#: Words of an organisation's desk or team anywhere in a credit ("BR24 Redaktion",
#: "Teufel Blog Redaktion"): the publication's staff, not a person.
_DESK_WORD_RE = re.compile(rf"\b(?:{_DESK_WORDS}|redactie|editors|online|web)\b|編集部|编辑部", re.I)


def _holds_site_name(text: str, site_names: list[str]) -> bool:
    """True when ``text`` names the site in full ("Fenwick Courier", "Redaktion
    fenwick-courier.de"); a mere part of the site's name ("Fenwick", a town) is not."""
    key = _name_key(text)
    # a host names the site without its suffix too ("hausinfo" of hausinfo.ch)
    hosts = [n.rsplit(".", 1)[0] for n in site_names if "." in n and " " not in n]
    return any(len(other) >= 3 and other in key for other in map(_name_key, site_names + hosts))


#: Separators between the names of one author field ("Troy Roe, Cleveland.com",
#: "site.de, Frankfurt, Germany", "unocero - Jane Roe"); words such as "und" are
#: not, as they join the words of one organisation's name.
_CREDIT_SEPARATOR_RE = re.compile(r"\s*[,;|]\s*|\s+[-–—]\s+")


def organisation_credits(raw: list[str], site_names: list[str], *, typed: bool = False) -> list[str]:
    """Organisations an author field credits: the publication, its desk or its site.

    Where a page credits no person ("Redaktion hessenschau.de", "DER SPIEGEL",
    "ndr.de"), who stands behind the story is still worth a reader's knowing,
    but an organisation is never among ``authors``; news agencies are credited
    in the dateline instead.  ``typed``: the values are already known to be
    organisations (a JSON-LD ``Organization``); otherwise a value counts when
    it is no person's name and names the site, its domain or a desk.
    """
    credits: list[str] = []
    publication = _publication_names(site_names)[0]
    parts = raw if typed else [p for v in raw for p in _CREDIT_SEPARATOR_RE.split(squash(v))]
    for value in parts:
        text = _AUTHOR_PREFIX_RE.sub("", squash(unescape(value))).strip(" ,;:-–—")
        if not text or len(text) > 60 or "/" in text or "@" in text or not re.search(r"[^\W\d_]", text):
            continue  # a URL, an e-mail, a sentence: no credit
        if is_agency(text) or credited_otherwise(text) or _CALENDAR_RE.match(text):
            continue
        if not typed:
            if clean_author_names([text], site_names):
                continue  # a person
            if not (_DOMAIN_RE.search(text) or _DESK_WORD_RE.search(text)
                    or _LEGAL_FORM_RE.search(text) or _holds_site_name(text, publication)):
                continue
        if text.casefold() not in {c.casefold() for c in credits}:
            credits.append(text)
    return credits


def _without_role(part: str) -> str:
    """The name without the job title printed after it ("Jane Roe Redakteurin"), but
    one word before a writer's role is a pen name and stays whole ("Rasender Reporter")."""
    role = _AUTHOR_ROLE_RE.search(part)
    if role is None:
        return part
    bare = part[: role.start()].strip(" ,:;-–—")
    if bare and " " not in bare and not _DESK_ROLE_RE.search(role.group()):
        return part
    return bare


def clean_author_names(raw: list[str], site_names: list[str] | None = None) -> list[str]:
    """People's names only: no "By", e-mails, agencies, site names; "A and B" split.

    Organisations are not authors (the record says who wrote the story);
    names keep the characters and case the page prints them in; duplicates
    dropped, order kept.
    """
    names: list[str] = []
    site_names, owners = _publication_names(site_names or [])
    for value in raw:
        if _DOMAIN_RE.search(value):
            continue  # "hessenschau.de, Frankfurt", "Deutsche Welle (www.dw.com)": a site
        if _GENDERED_RE.search(value):
            continue  # "Richtlinien für Autor/innen": a label about a group
        if credited_otherwise(value):
            continue  # editors, photographers, translators, sources: not the story's authors
        # soft hyphens and other invisible marks are typesetting hints, not part of a name
        text = INVISIBLE_RE.sub("", unescape(value))
        text = _AUTHOR_NOISE_RE.sub(" ", _INTERVIEW_RE.sub(", ", text))
        text = _AUTHOR_SUFFIX_RE.sub("", _AUTHOR_PREFIX_RE.sub("", squash(text)))
        for part in _AUTHOR_JOIN_RE.split(text):
            part = _AUTHOR_PREFIX_RE.sub("", part).strip(" ,:;-–—")
            part = _without_role(part)
            part = _DASHED_TAIL_RE.sub("", part)  # "Kiran C Nair - Safe Browsing team"
            part = _TRAILING_MONTH_RE.sub("", part)
            if " " in part:
                part = _GLUED_DIGITS_RE.sub("", part)  # "Jane Roe12:20pm" cut at the digits
            if not _ENDS_WITH_INITIAL_RE.search(part):
                part = part.strip(" .")
            if not part or not _AUTHOR_OK_RE.match(part) or not _name_shaped(part) or is_agency(part):
                continue
            if _AUTHOR_LABEL_RE.match(part) or _INITIALS_RE.match(part) or _CALENDAR_RE.match(part):
                continue
            if _DESK_RE.match(part) or _ROLE_PHRASE_RE.match(part) or _PLACEHOLDER_RE.match(part):
                continue
            if _LEGAL_FORM_RE.search(part):
                continue  # "Nordex SE": a company
            if _name_key(part) in owners:
                pass  # the person the site is named after
            elif len(_name_key(part)) >= 4 and _is_site_name(part, site_names):
                continue  # the publication itself ("Stuttgarter Zeitung", "LBCI")
            if part not in names:
                names.append(part)
    return names

"""lxml helpers shared by the HTML parsers: safe tree building and text.

libxml2 silently stops descending at 255 levels of nesting (2048 with
``huge_tree``), dropping everything deeper; :func:`parse_html` notices that
and raises ``too_deep`` instead of returning a page with a hole in it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from urllib.parse import urljoin

import lxml.etree
import lxml.html
from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

from parsers.base import ParseError

#: Depth at which libxml2's HTML parser gives up (without huge_tree).
PARSER_DEPTH_LIMIT = 255
_TAG_START = re.compile(
    r"<\s*(?:!doctype|html|head|body|div|p|span|a|meta|title|table|article|br)\b", re.I
)
_XML_DECLARATION = re.compile(r"\s*<\?xml[^>]*>")
_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, recover=True)
# Every element gets lxml.html's HtmlElement class by a lookup done in C.
# lxml.html's own lookup is a Python method that picks per-tag subclasses
# (FormElement, InputElement...) none of the parsers use, called each time an
# element is wrapped: 1.4 million calls, 7% of a generic parse (trafilatura's
# passes over the tree included, they inherit the parser's lookup).
_PARSER.set_element_class_lookup(
    lxml.etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
)
#: Elements that start a new line of text (``lines_of`` splits there).
BLOCK_TAGS = frozenset({
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
    "table", "section", "article", "figure", "figcaption", "blockquote", "pre", "header",
    "footer", "aside", "main", "nav", "hr", "address",
})
#: Table cells: a row becomes one line, its cells joined with " | ".
CELL_TAGS = frozenset({"td", "th"})


_CANONICAL = re.compile(
    r"<link\b[^>]*?\brel=[\"']?canonical\b[^>]*?\bhref=[\"']?([^\"'\s>]+)"
    r"|<meta\b[^>]*?\bproperty=[\"']og:url[\"'][^>]*?\bcontent=[\"']([^\"'\s>]+)",
    re.I,
)


def canonical_url(text: str) -> str | None:
    """The page's own canonical URL (``<link rel=canonical>``/``og:url``), from its head.

    Read with a regex before any tree is built: it only chooses the parser.
    """
    match = _CANONICAL.search(text[:65536])
    if not match:
        return None
    found = match.group(1) or match.group(2)
    return found if found.startswith(("http://", "https://")) else None


def looks_like_html(text: str) -> bool:
    """True when the first 64 KB contain HTML tags (not a flat text dump)."""
    head = text[:65536]
    # Two tags settle it: stop there instead of listing every tag of the head.
    tags = _TAG_START.finditer(head)
    if next(tags, None) is not None and next(tags, None) is not None:
        return True
    return head.lstrip().lower().startswith(("<!doctype html", "<html"))


# True when some element sits PARSER_DEPTH_LIMIT - 1 levels below the root
# (the root counting as level 1).  One XPath of child steps is evaluated in C,
# level by level; a Python walk over every element cost more than the rest of
# a Yonhap parse on ordinary pages.
_AT_DEPTH_LIMIT = lxml.etree.XPath("boolean(" + "/".join(["*"] * (PARSER_DEPTH_LIMIT - 2)) + ")")


def _too_deep(root: HtmlElement) -> bool:
    return bool(_AT_DEPTH_LIMIT(root))


def parse_html(text: str) -> HtmlElement:
    """Build an lxml tree; ``malformed`` if none, ``too_deep`` if nesting was cut."""
    # lxml refuses str input that carries an XML encoding declaration.  A
    # match() at the start: re.sub would try (and fail) at every position.
    declaration = _XML_DECLARATION.match(text)
    if declaration:
        text = text[declaration.end():]
    try:
        root = lxml.html.document_fromstring(text, parser=_PARSER)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ParseError("malformed", f"HTML could not be parsed: {exc}") from exc
    if root is None:
        raise ParseError("malformed", "HTML could not be parsed: empty document")
    if _too_deep(root):
        raise ParseError(
            "too_deep", f"elements nested {PARSER_DEPTH_LIMIT}+ levels deep; the parser cut them"
        )
    return root


def element_text(element: HtmlElement) -> str:
    """The element's text, its tail left out: ``text_content()`` without the XPath.

    Serialising as text runs in C: about twice as fast as joining
    ``itertext()`` or ``text_content()`` (an XPath per call), measured on the
    text blocks of the development pages.
    """
    return lxml.etree.tostring(element, method="text", encoding=str, with_tail=False)


#: Class names of text kept for screen readers only, or hidden by the template
#: ("Headline:" before a headline, "(opens in a new tab)"), including the
#: utility classes of common CSS frameworks and themes that hide on every
#: screen ("is-hidden", "u-hidden", "rich-snippet-hidden": microdata kept for
#: search engines).  Responsive ones ("hidden-xs", "desktop-hidden") hide on
#: some screens only and do not count.
_HIDDEN_CLASS_RE = re.compile(
    r"(?:^|\s)(?:visually-?hidden|sr-only|screen-?reader(?:-text|-only)?|element-invisible|"
    r"a11y-hidden|offscreen|hidden|is-hidden|u-hidden|rich-snippet-hidden)(?:\s|$)",
    re.I,
)
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def hidden_from_view(element: HtmlElement) -> bool:
    """The element is not shown to a sighted reader: the ``hidden`` attribute, an
    inline ``display: none``, or a screen-reader-only or hidden class.

    ``aria-hidden`` is not among them: it hides text from screen readers
    (decorative dashes, icons), not from view; callers that skip decoration
    test it themselves.
    """
    if element.get("hidden") is not None:
        return True
    style = element.get("style")
    if style and _HIDDEN_STYLE_RE.search(style):
        return True
    classes = element.get("class")
    return bool(classes) and _HIDDEN_CLASS_RE.search(classes) is not None


def within_hidden(element: HtmlElement | None, seen: dict[HtmlElement, bool] | None = None) -> bool:
    """``element`` or one of its ancestors is :func:`hidden_from_view`: a template's
    microdata copy of the byline ("rich-snippet-hidden") is no line the reader sees.

    ``seen`` remembers the answer for every element asked about and its ancestors,
    for a caller asking of every text node of a page.
    """
    if element is None:
        return False
    if seen is None:
        return any(hidden_from_view(e) for e in (element, *element.iterancestors()))
    if element not in seen:
        seen[element] = hidden_from_view(element) or within_hidden(element.getparent(), seen)
    return seen[element]


def squash(text: str | None) -> str:
    """Collapse whitespace runs to single spaces."""
    return " ".join((text or "").split())


#: Soft hyphen, zero-width and direction marks, word joiner, BOM.
INVISIBLE_RE = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff]")
_PLAIN_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"'})


def comparable(text: str) -> str:
    """Text reduced for equality tests: no invisible characters, plain quotes, one space.

    Publishers copy a headline between fields with soft hyphens, zero-width
    spaces and curly quotes added or lost on the way.
    """
    return squash(INVISIBLE_RE.sub("", text).translate(_PLAIN_QUOTES))


def text_of(element: HtmlElement | None) -> str:
    """Visible text of an element on one line, whitespace-collapsed, scripts excluded."""
    if element is None:
        return ""
    parts: list[str] = []
    _collect(element, parts)
    return squash("".join(parts))


def _collect(element: HtmlElement, parts: list[str], cell_separator: str = " | ") -> None:
    # Iterative walk: a recursive one would hit Python's recursion limit on deep trees.
    stack: list[tuple[HtmlElement, bool]] = [(element, False)]
    while stack:
        node, done = stack.pop()
        if done:
            if node.tag in BLOCK_TAGS:
                parts.append("\n")
            if node.tail and node is not element:
                parts.append(node.tail)
            continue
        if not isinstance(node.tag, str) or node.tag in {"script", "style", "noscript", "template"}:
            if node.tail and node is not element:
                parts.append(node.tail)
            continue
        if node.tag == "br" or node.tag in BLOCK_TAGS:
            parts.append("\n")
        elif node.tag in CELL_TAGS and node.getprevious() is not None:
            parts.append(cell_separator)
        if node.text:
            parts.append(node.text)
        stack.append((node, True))
        for child in reversed(node):
            stack.append((child, False))


def lines_of(element: HtmlElement, *, cell_separator: str = " | ") -> list[str]:
    """Text of an element split at ``<br>`` and block elements: one entry per line.

    Table rows become one line each, cells joined with ``cell_separator``
    (" | " unless a site prints its tables another way).
    """
    parts: list[str] = []
    _collect(element, parts, cell_separator)
    return [squash(line) for line in "".join(parts).split("\n") if squash(line)]


# The whole-tree class test cssselect writes at the head of a branch.
_CLASS_SCAN = re.compile(
    r"(^|\| )descendant-or-self::(\*|[a-z][a-z0-9]*)\[@class and contains\(@class, ('[^']*')\) and "
)


def css_xpath(css: str) -> lxml.etree.XPath:
    """``CSSSelector(css)`` compiled with a cheaper scan for leading class tests.

    For ``.x ...`` (or ``div.x ...``) cssselect tests every element (every
    div) with ``@class and contains(@class, 'x') and ...``; libxml2 runs
    that predicate machinery per element.  Walking the ``class`` attributes instead and stepping up to
    their elements selects the same elements, in document order, with the
    same remaining (exact class-token) test, at about half the cost.
    """
    path = CSSSelector(css).path
    return lxml.etree.XPath(
        _CLASS_SCAN.sub(r"\1(descendant-or-self::\2/@class[contains(., \3)]/..)[", path)
    )


class ScopedSelector:
    """A CSS selector run only inside the few elements where a match can begin.

    ``CSSSelector`` turns each comma branch into its own scan of the whole
    tree, testing classes with XPath string functions on every element
    (measured: 0.55 ms for the three branches of Yonhap's keyword selector on
    a 600-element page, a fifth of the parse).  When every branch begins (its
    leftmost compound) with an element whose class contains one of a few
    substrings, one scan over the ``class`` attributes finds those *anchors*;
    the outermost ones are disjoint subtrees in document order, every match
    lies inside the anchor its branch begins at, so the selector run inside
    each of them in turn returns the same elements in the same order as on
    the whole tree (0.19 ms).  Worth it only for selectors with several
    branches and rare anchors.

    Exact only from the tree's root: on any other element (whose ancestors
    could be anchors) the plain selector runs.
    """

    def __init__(self, css: str, *, classes: Iterable[str]) -> None:
        self.css = css
        self._plain = CSSSelector(css)
        test = " or ".join(f"contains(., '{c}')" for c in classes)
        self._anchors = lxml.etree.XPath(
            f"(//@class[{test}]/..)[not(ancestor::*[@class[{test}]])]"
        )

    def __call__(self, root: HtmlElement) -> list[HtmlElement]:
        if root.getparent() is not None:
            return self._plain(root)
        found: list[HtmlElement] = []
        for anchor in self._anchors(root):
            found.extend(self._plain(anchor))
        return found


_ALL_META = lxml.etree.XPath("//meta[@content]")


@functools.lru_cache(maxsize=1)
def _meta_index(root: HtmlElement) -> dict[tuple[str, str], str]:
    """``(attribute, key) -> first non-empty content``, built in one pass per document.

    Parsers ask for a dozen meta keys per page; one walk instead of one
    ``//meta`` scan per key and attribute.  Pages are parsed one at a time,
    so the cache holds only the current tree (never a pile of old pages).
    """
    index: dict[tuple[str, str], str] = {}
    for element in _ALL_META(root):
        content = element.get("content")
        if not content or not content.strip():
            continue
        for attr in ("property", "name", "itemprop"):
            key = element.get(attr)
            if key is not None:
                index.setdefault((attr, key), content)
    return index


def meta(root: HtmlElement, *keys: str) -> str | None:
    """First non-empty ``<meta>`` content among ``property``/``name``/``itemprop`` keys."""
    index = _meta_index(root)
    for key in keys:
        for attr in ("property", "name", "itemprop"):
            value = index.get((attr, key))
            if value is not None:
                return squash(value)
    return None


def absolute_url(src: str | None, base: str | None = None) -> str | None:
    """Protocol-relative and root-relative image URLs made absolute."""
    if not src:
        return None
    src = src.strip()
    if src.startswith("//"):
        return "https:" + src
    if base and not re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I):
        return urljoin(base, src)
    return src


#: Class or id words of a site's logo or name block ("logo", "branding", "site-title").
_LOGO_RE = re.compile(
    r"(?:^|[\s_-])(?:logo|branding|brand|site-?title|site-?name|masthead)(?:$|[\s_-])", re.I
)
#: A link to a site's front page: "/", "/?lang=de", "https://host", ".../https://host/".
_HOME_HREF_RE = re.compile(r"^(?:[^?#]*//[^/?#]+)?/?(?:[?#].*)?$")


def is_site_logo(heading: HtmlElement) -> bool:
    """A heading that holds the site's logo or name, not a story's headline.

    Many templates print the site's name in an ``<h1>`` on every page, as a
    link to the front page or in a block named "logo"/"branding"; the
    story's headline then sits in another heading.
    """
    for element in (heading, *heading.iterancestors()):
        if element.tag in ("body", "article", "main"):
            break
        if _LOGO_RE.search(f"{element.get('class') or ''} {element.get('id') or ''}"):
            return True
    text = squash(element_text(heading))
    for link in heading.iter("a"):
        href = (link.get("href") or "").strip()
        if href and not href.startswith("#") and _HOME_HREF_RE.match(href) and squash(element_text(link)) == text:
            return True
    return False


#: Link texts shorter than this are navigation ("Sports", "More"), not headlines.
MIN_LINK_TEXT = 15


def link_texts(root: HtmlElement) -> set[str]:
    """The whitespace-squashed texts of the page's links long enough to be headlines."""
    # element_text() serialises in C; text_content() runs an XPath per link (a tenth
    # of a generic parse on link-heavy pages).  Squashing only shortens, so
    # raw texts already under the limit are skipped unsquashed.
    raw = (element_text(anchor) for anchor in root.iter("a"))
    texts = {squash(text) for text in raw if len(text) >= MIN_LINK_TEXT}
    return {text for text in texts if len(text) >= MIN_LINK_TEXT}


def mostly_links(paragraphs: list[str], anchors: set[str]) -> bool:
    """True when most of the text is link titles (plus dates): an index page, not a story.

    Generic extractors given a section front return its headline list as the
    body.  A story quotes a headline now and then; an index is nothing else,
    so the test is the share of characters covered by link texts (60%).
    """
    total = linked = 0
    for paragraph in paragraphs:
        text = squash(paragraph)
        total += len(text)
        linked += min(sum(len(anchor) for anchor in anchors if anchor in text), len(text))
    return bool(total) and linked > 0.6 * total

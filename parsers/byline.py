"""The byline a reader sees: names printed near the headline.

Metadata (JSON-LD, ``<meta name=author>``) often names nobody, a login
handle or an editor; the page itself prints the byline beside the headline,
in one of two general shapes:

* an element whose class or id says it holds an author ("byline",
  "article__author-name", "metaInfoAuthorList-item", "auteurs", ...), or
  a link to an author page (``/author/jane-roe``, ``/autoren/...``);
* a line that opens with a byline word ("By", "Von", "Par", "Por",
  "Door", "Autor:", "Text:") followed by the names, or with the day and a
  dash ("25.10.2022 - Jane Roe").

Both are taken only near the story's ``<h1>`` (the one
:func:`parsers.metadata.story_h1` picks): a few dozen elements after it, a
few before.  Author boxes, comment authors and teaser lists further down the
page name other people.  Only when nothing there names anyone does
:func:`labelled_bylines` look further down the story, for an explicit label
("Text:", "Autor") or the author field of the story's own ``<article>``.
Returned texts are raw; the caller cleans them into names
(:func:`parsers.metadata.clean_author_names`).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from itertools import islice

from lxml import etree
from lxml import html as lxml_html

from parsers.html import comparable, element_text, squash, within_hidden

#: Words that, in a class or id, say the element holds an author's name.
_AUTHOR_WORDS = ("author", "byline", "autor", "auteur", "verfasser", "writer", "contributor")
#: Author pages a name links to, in the URL conventions of common CMSs.
_AUTHOR_HREFS = (
    "/author/", "/authors/", "/autor/", "/autoren/", "/auteur/", "/auteurs/", "/autore/",
    "/journalist/", "/journalisten/", "/redakteur/", "/profil/", "/profile/", "/people/",
    "/staff/", "/writers/", "/newsteam/",
)
#: Class/id tokens naming what sits beside a byline, not the name itself.
_NOT_NAME_RE = re.compile(
    r"bio|avatar|photo|image|img|pic|desc|about|comment|date|time|follow|social|share|"
    r"more|title|role|job|position|label|email|mail|twitter|link-?list|box|card|url|"
    r"count|list-?wrap|logo|icon|summary|intro|teaser|related|recommend|also|"
    # a modifier of a teaser card that has a byline somewhere inside ("withAuthor")
    r"^(?:with|has)[-_]?(?:author|byline)",
    re.I,
)
_WORD_RE = re.compile("|".join(_AUTHOR_WORDS), re.I)

#: "Posted by", "Verfasst von", "Publié par": a verb of writing or posting, then "by"
#: (also part of the author-name cleaning in :mod:`parsers.metadata`).
POSTED_BY = (
    r"(?:(?:posted|published|written|veröffentlicht|verfasst|geschrieben|erstellt|publié|écrit|rédigé|"
    r"publicado|escrito|pubblicato|scritto|skrevet)\s+(?:by|von|par|por|da|af|av)|"
    # "Ein Beitrag von", "Blog-Beitrag von", "A guest post by": the post, then its writer
    r"(?:ein\s+)?(?:blog-?\s*|gast)?beitrag\s+von|(?:a\s+)?(?:guest\s+)?(?:post|article|story)\s+by)"
)
#: A line that opens with a byline word, and the word itself.
_PREFIX_RE = re.compile(
    # the lookahead of first letters fails most texts at once (it runs on every text node)
    # (after a rule of dashes some templates print before it: "---- by Jane Roe")
    rf"^\s*(?:[-–—]+\s*)?(?=[abdeéprstvgw])(?:{POSTED_BY}\s*:?|"
    r"(?:by|von|par|por|door|di|av|af)\s*:?|text(?:e)?\s*:|text (?:von|by)|texte de|"
    r"autor(?:in)?(?:\s*/\s*autor(?:in)?)?\s*:?|autor(?:en|innen)\s*:?|author\s*:|auteur\s*:)(?=\s|$)",
    re.I,
)
_MAX_LINE = 140
#: Labels that name the writer outright ("Autor", "Text:", "Verfasserin"). Unlike
#: "By" or "Von", which open ordinary sentences and captions too, such a label is
#: trusted anywhere in the story, not only beside the headline.
_LABEL_RE = re.compile(
    r"^\s*(?:autor(?:in|en|innen)?|author|auteur|verfasser(?:in)?|text(?:e)?)\s*:?(?=\s|$)", re.I
)
#: Sidebars list the blog's pages under "Autor" headings of their own (a class that
#: opens with the word: "widget_pages", "sidebar-left", not "has-double-sidebar").
_SIDEBAR_RE = re.compile(r"(?:^|\s)(?:sidebar|widget)", re.I)
#: A line of its own that opens with the day, then a dash or bar, then the
#: names: "25.10.2022 - Jane Roe" (the cleaning refuses what is no name).
_DATED_RE = re.compile(
    r"^\s*(?:\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4})"
    r"\s*[-–|·•]\s*(?P<names>[^\W\d_].*?)\s*$"
)
#: How far from the ``<h1>`` (in elements, in document order) a byline may sit.
_AFTER_H1 = 120
_BEFORE_H1 = 25
_BLOCKS = frozenset({
    "p", "div", "li", "address", "section", "header", "footer", "td", "dd", "dt", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "article", "aside", "main", "table", "tr",
    "blockquote", "figcaption",
})
#: Boxes around other stories or other people (comments, teasers of related
#: stories, an image's licence box) and the breadcrumb, whose section links may
#: look like author pages ("/people/real-life").
_LICENCE_RE = re.compile(r"licen[cs]e", re.I)
_ELSEWHERE_RE = re.compile(rf"comment|related|recommend|breadcrumb|{_LICENCE_RE.pattern}", re.I)
_RELATED_RE = re.compile(r"related|recommend", re.I)
_STOP = frozenset({"body", "article", "main"})
_OUTSIDE = frozenset({"footer", "nav", "aside", "figcaption", "form"})


#: Where pages without a story ``<h1>`` print the post's headline.
_TITLE_HEADINGS = ("h1", "h2", "h3")
_TITLE_CLASS_RE = re.compile(r"(?:entry|post|article|story)[-_]?(?:title|headline)", re.I)


def title_heading(tree: lxml_html.HtmlElement, title: str | None) -> lxml_html.HtmlElement | None:
    """With no story ``<h1>``, the element printing the headline: a heading whose text
    is the title, else one whose class says it is the post's title ("entry-title").

    Blog themes print the post title as ``<h2>`` (the blog's name is the page's
    ``<h1>`` or no heading at all); some templates put the story's ``<h1>`` in a
    list the headline finder leaves alone.  The byline sits beside it all the same.
    """
    want = comparable(title).casefold() if title else ""
    marked = None
    for heading in tree.iter(*_TITLE_HEADINGS):
        text = comparable(element_text(heading)).casefold()
        if not text:
            continue
        if want and (
            text == want or (len(text) >= 12 and text in want) or (len(want) >= 12 and text.endswith(want))
        ):
            return heading  # the title, a part of it, or the title after a kicker
        if marked is None and _TITLE_CLASS_RE.search(heading.get("class") or ""):
            marked = heading
    return marked


def visible_bylines(tree: lxml_html.HtmlElement, h1: lxml_html.HtmlElement | None) -> list[str]:
    """Byline texts near the headline, nearest first (each a raw line to clean).

    With no headline element to stand beside (a page that prints its headline
    in a table cell or a ``<span>``), only lines opening with a byline word
    count, anywhere in the story, in page order.
    """
    if h1 is None:
        return _prefixed_lines(tree.iter())
    around = _around(tree, h1)
    if around is None:
        return []
    elements, anchor = around
    found: list[tuple[int, str]] = []
    for position, element in enumerate(elements):
        if position == anchor or not isinstance(element.tag, str):
            continue
        for text, holder in ((element.text, element), (element.tail, element.getparent())):
            if text and holder is not None and _PREFIX_RE.match(text):
                line = _prefixed_line(holder, element, text is element.tail)
                if line:
                    found.append((position, line))
        if element.text and not len(element):
            dated = _DATED_RE.match(element.text)
            if dated and len(dated.group("names")) <= _MAX_LINE:
                found.append((position, dated.group("names")))
        if not _is_candidate(element):
            continue
        text = _line(element)
        if text and len(text) <= _MAX_LINE:
            found.append((position, text))
    found = [
        f for f in found
        if not _is_outside_at(elements, f[0]) and not in_teaser_card(elements[f[0]])
        and not within_hidden(elements[f[0]])
    ]
    found.sort(key=lambda pair: (pair[0] < anchor, abs(pair[0] - anchor)))
    lines: list[str] = []
    for _, text in found:
        if text not in lines:
            lines.append(text)
    return lines


def _around(
    tree: lxml_html.HtmlElement, h1: lxml_html.HtmlElement
) -> tuple[list[lxml_html.HtmlElement], int] | None:
    """The elements near ``h1`` in document order, and ``h1``'s index among them."""
    before: deque = deque(maxlen=_BEFORE_H1)
    walk = tree.iter()
    for element in walk:
        if element is h1:
            break
        before.append(element)
    else:
        return None
    return [*before, h1, *islice(walk, _AFTER_H1)], len(before)


#: The story's meta line (date, writer, comments), as page builders and themes mark it.
_META_LINE_RE = re.compile(r"(?:post|entry|article)[-_]?(?:info|meta)(?:$|\s|[-_]?(?:list|items?))", re.I)


def meta_line_items(tree: lxml_html.HtmlElement, h1: lxml_html.HtmlElement | None) -> list[str]:
    """The texts of the single items of the story's meta line beside the headline.

    Page builders let an editor type the writer into an item of the meta line
    with no author mark at all (Elementor's "custom" post-info item, next to
    the date and the comment count); the caller keeps an item only when it is
    nothing but a name, and asks only when nothing else names anyone.
    """
    around = _around(tree, h1) if h1 is not None else None
    if around is None:
        return []
    items: list[str] = []
    for element in around[0]:
        if not isinstance(element.tag, str) or not _META_LINE_RE.search(element.get("class") or ""):
            continue
        if outside_story(element) or in_teaser_card(element):
            continue
        for item in element.iter("li", "span"):
            if len(item) or item.getparent().tag == "a":
                continue  # a leaf, not a link (a category, a date archive)
            text = squash(item.text)
            if text and text not in items:
                items.append(text)
    return items


def labelled_bylines(tree: lxml_html.HtmlElement, h1: lxml_html.HtmlElement | None) -> list[str]:
    """Labelled author lines further down the story than :func:`visible_bylines` looks.

    Magazines and foundations print the credit under the story ("Text: Jane Roe",
    or a meta box with the heading "Autor" over the name), hundreds of elements
    past the headline.  Only an explicit label counts there, never "By"/"Von";
    page chrome, comments and related stories are left out as beside the
    headline, and so are sidebars and list items: a list of facts ("Autor: Jane
    Roe; Illustrator: …" under a board game) credits a work the story is about.
    The author field of the story's own ``<article>`` (its footer or meta box:
    an author class or an author-page link, as beside the headline) counts too.
    The caller asks only when nothing nearer names anyone.
    """
    if h1 is None:
        return []
    walk = tree.iter()
    for element in walk:
        if element is h1:
            break
    else:
        return []
    lines = _prefixed_lines(islice(walk, _AFTER_H1, None), labelled=True)
    story = next((a for a in h1.iterancestors("article")), None)
    if story is not None:
        # the author field of the story's own <article> (its footer, its meta box)
        inside = story.iter()
        for element in inside:
            if element is h1:
                break
        for element in islice(inside, _AFTER_H1, None):
            if (isinstance(element.tag, str) and _is_candidate(element) and _owned_by(element, story)
                    and not outside_story(element)):
                text = _line(element)
                if text and len(text) <= _MAX_LINE and text not in lines:
                    lines.append(text)
    return lines


def _owned_by(element: lxml_html.HtmlElement, story: lxml_html.HtmlElement) -> bool:
    """``element`` sits in ``story`` and in no other <article> inside it (a teaser)."""
    return next(element.iterancestors("article"), None) is story


def _prefixed_lines(elements: Iterator, *, labelled: bool = False) -> list[str]:
    """The lines among ``elements`` that open with a byline word (``labelled``: with
    an explicit label), in page order, leaving out chrome, sidebars and lists."""
    lines: list[str] = []
    for element in elements:
        if not isinstance(element.tag, str):
            continue
        for text, holder in ((element.text, element), (element.tail, element.getparent())):
            if not text or holder is None or not _PREFIX_RE.match(text):
                continue
            if (labelled and not _LABEL_RE.match(text)) or _in_list_or_sidebar(holder) or in_teaser_card(element):
                continue
            line = _prefixed_line(holder, element, text is element.tail)
            if line and line not in lines and not outside_story(element):
                lines.append(line)
    return lines


_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def in_teaser_card(element: lxml_html.HtmlElement) -> bool:
    """Inside a link that holds a headline: a teaser card of another story, whose
    writer it names (a link around an author box, name and photo, holds none)."""
    return any(
        ancestor.tag == "a" and next(ancestor.iter(*_HEADINGS), None) is not None
        for ancestor in element.iterancestors()
    )


def in_picture_licence(element: lxml_html.HtmlElement) -> bool:
    """Inside an image's licence box ("license-info": author, licence, source), whose
    "author" made the picture, not the story."""
    return any(_LICENCE_RE.search(a.get("class") or "") for a in (element, *element.iterancestors()))


def _in_list_or_sidebar(element: lxml_html.HtmlElement) -> bool:
    """In a list item (a list of facts) or a sidebar widget: no credit of the story."""
    for ancestor in (element, *element.iterancestors()):
        if ancestor.tag == "li" or _SIDEBAR_RE.search(ancestor.get("class") or ""):
            return True
    return False


def _is_outside_at(elements: list, position: int) -> bool:
    return outside_story(elements[position])


def _is_candidate(element: lxml_html.HtmlElement) -> bool:
    """An author element: ``itemprop``/``rel`` author, an author-page link, an author class."""
    if element.get("itemprop") == "author" or element.get("rel") == "author":
        return True
    if element.tag == "a":
        href = element.get("href") or ""
        if any(h in href for h in _AUTHOR_HREFS):
            return not _inside_a_sentence(element)
    marks = f"{element.get('class') or ''} {element.get('id') or ''}"
    return bool(_WORD_RE.search(marks)) and _names_author(element)


def _inside_a_sentence(link: lxml_html.HtmlElement) -> bool:
    """A link in the running text of a paragraph ("… lost to <a href=/profil/…>Denis
    Roe</a> (Canada) in …"): a profile of someone the story names, not its byline."""
    block = link.getparent()
    while block is not None and block.tag not in _BLOCKS:
        block = block.getparent()
    if block is None or block.tag != "p":
        return False
    return len(squash(block.text_content())) > 3 * len(squash(link.text_content())) + 60


def outside_story(element: lxml_html.HtmlElement) -> bool:
    """Inside page chrome, a comment thread or a related story: never the story's
    byline (nor its date).

    A ``<footer>`` inside an ``<article>`` is that article's own footer (HTML5),
    where blog themes print "Posted by X in Y": not page chrome.  A comment
    is often an ``<article>`` or ``<li>`` of its own, marked by its class.
    """
    if _ELSEWHERE_RE.search(element.get("class") or ""):
        return True
    ancestors = element.iterancestors()
    for ancestor in ancestors:
        if _ELSEWHERE_RE.search(ancestor.get("class") or "") and ancestor.tag not in ("body", "main"):
            return True
        if ancestor.tag in _STOP:
            break
        if ancestor.tag == "footer" and _in_article(ancestor):
            continue
        if ancestor.tag in _OUTSIDE:
            return True
    else:
        return False
    # past an <article>: the page's own classes ("has-sidebar comments-open") say
    # nothing, but a teaser <article> may sit in a list of related stories
    for ancestor in ancestors:
        if ancestor.tag in ("body", "main"):
            return False
        if _RELATED_RE.search(ancestor.get("class") or ""):
            return True
    return False


def _in_article(element: lxml_html.HtmlElement) -> bool:
    return any(a.tag == "article" for a in element.iterancestors())


def _names_author(element: lxml_html.HtmlElement) -> bool:
    """A class/id token says "author" and nothing that sits beside a name (bio, photo...)."""
    tokens = f"{element.get('class') or ''} {element.get('id') or ''}".split()
    return any(_WORD_RE.search(t) and not _NOT_NAME_RE.search(t) for t in tokens)


def _line(element: lxml_html.HtmlElement) -> str:
    """The element's text up to its first line break (``<br>`` or a block inside)."""
    parts: list[str] = []
    _gather(element, parts)
    return squash(" ".join(parts))


def _gather(element: lxml_html.HtmlElement, parts: list[str]) -> bool:
    """Append text until a line break; True once one is reached."""
    if element.text:
        parts.append(element.text)
    for child in element:
        if not isinstance(child.tag, str) or child.tag in ("script", "style"):
            if child.tail:
                parts.append(child.tail)
            continue
        if child.tag == "br" or (child.tag in _BLOCKS and squash(" ".join(parts))):
            return True
        if _gather(child, parts):
            return True
        if child.tail:
            parts.append(child.tail)
    return False


def _prefixed_line(holder: lxml_html.HtmlElement, owner: lxml_html.HtmlElement, tail: bool) -> str:
    """The line opening with a byline word ("By", "Von", "Autor:") that ``owner`` holds.

    A label alone in its block ("<h5>Autor:</h5>Jane Roe") labels the line after it.
    """
    block = holder
    while block.tag not in _BLOCKS and block.getparent() is not None:
        block = block.getparent()
    text = _line_from(block, owner, tail)
    if text and _PREFIX_RE.sub("", text).strip(" :") == "":
        following = _next_line(block)
        text = f"{text} {following}" if following else ""
    return text if text and _PREFIX_RE.match(text) and len(text) <= _MAX_LINE else ""


def _next_line(block: lxml_html.HtmlElement) -> str:
    """The line printed after ``block``: its tail, else its next sibling's first
    line, else (up to two levels up, for a label wrapped alone in a box) the
    next sibling of a box that holds nothing else."""
    for _ in range(3):
        following = squash(block.tail or "")
        if following:
            return following
        after = block.getnext()
        if after is not None:
            return _line(after) if isinstance(after.tag, str) else ""
        parent = block.getparent()
        if parent is None or parent.tag in _STOP or squash(parent.text or ""):
            return ""
        block = parent
    return ""


def _line_from(block: lxml_html.HtmlElement, owner: lxml_html.HtmlElement, is_tail: bool) -> str:
    """The line of ``block`` holding ``owner``'s text or tail (lines split at ``<br>``/blocks)."""
    lines: list[list[str]] = [[]]
    target = -1
    for event, item in etree.iterwalk(block, events=("start", "end")):
        if not isinstance(item.tag, str):
            continue
        if event == "start":
            if item is not block and (item.tag == "br" or item.tag in _BLOCKS):
                lines.append([])
            if item.text and item.tag not in ("script", "style"):
                if item is owner and not is_tail:
                    target = len(lines) - 1
                lines[-1].append(item.text)
        elif item is not block:
            if item.tag in _BLOCKS:
                lines.append([])
            if item.tail:
                if item is owner and is_tail:
                    target = len(lines) - 1
                lines[-1].append(item.tail)
    return squash(" ".join(lines[target])) if target >= 0 else ""

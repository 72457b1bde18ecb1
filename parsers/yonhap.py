"""Yonhap News Agency article pages: English (en.yna.co.kr) and Korean (www.yna.co.kr).

One method per field, selectors compiled once as class attributes (the
shape of a fundus publisher parser).  Every field has a fallback from the
page's visible markup to its ``<meta>`` tags, so that a page that lost one
block still parses.

Page facts this parser relies on (2023 design, both editions):

- The story is ``article.story-news``: one ``<p>`` per paragraph, with
  ``<br>`` separating the editors' note, the byline ("By Kang Yoon-seung")
  and the reporter e-mail / "(END)" lines; photos sit inside it as
  ``div.photo-group > figure`` with the caption in ``p.txt-desc``.
- Article ids look like ``AEN20230419003851320``: prefix, date, a 4-digit
  story serial, a 2-digit update serial ("51" for the ``(LEAD)`` rewrite of
  story "0038", "00" for its first version) and a 3-digit desk code.  The
  record id uses the id with the update serial set to "00", so all versions
  of one story share an id and the publisher counts them as versions.
- The page's script ``CONTENT_DATA`` names the real section code
  ("national/politics"); the visible breadcrumb only shows the listing the
  reader came from ("All News").
- The body keeps the dateline at the head of its first paragraph, as the
  story was published; ``dateline`` is read from it, not cut out of it.
  Editors' notes, the byline, captions, the e-mail line and "(END)" are
  removed (:func:`parsers.wire.clean_paragraphs`).
- ``summary`` is the page description only when it says something of its
  own: Yonhap's ``og:description`` is usually the story's first 80
  characters cut off with "...", which is left out (``null``).
- ``updated_at`` is ``article:modified_time`` as the site states it (equal to
  the publication time when the story was not touched since).
- Price tables (``KOSPI 200 Closing Price List``) are one ``<p>`` of
  ``<br>``-separated rows: each row becomes one body paragraph, its text as
  printed (cells are separated by single spaces on the page).
- Real ``<table>`` markup (exchange rates) sits in the story inside a
  ``div.comp-box`` frame like the photos: the table is kept, the frame's
  other content dropped, and each row (header row included) becomes one
  body paragraph in document order, its cells joined by single spaces as on
  the price pages, so both kinds of table read alike.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import date, datetime, timedelta, timezone

from lxml import etree
from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

from parsers import wire
from parsers.base import Dateline, Image, ParsedArticle, ParseError
from parsers.dates import parse_datetime
from parsers.html import (
    ScopedSelector,
    absolute_url,
    css_xpath,
    lines_of,
    meta,
    parse_html,
    text_of,
)

KST = timezone(timedelta(hours=9), "KST")

_ID_RE = re.compile(r"\b([A-Z]{3}\d{8})(\d{4})(\d{2})(\d{3})\b")
_NAV_LINKS = etree.XPath("//nav//a")
_GENERIC_CRUMBS = {"all news", "all headlines", "latest news", "news", "전체기사", "최신기사"}


def story_key(article_id: str) -> str:
    """Article id with its update serial zeroed: the same for all versions of a story."""
    match = _ID_RE.search(article_id)
    if not match:
        return article_id
    prefix, serial, _update, desk = match.groups()
    return f"{prefix}{serial}00{desk}"


class YonhapEnParser:
    """en.yna.co.kr article pages, in the design the 2023 corpus pages show."""

    name = "yonhap_en"
    version = "1.0"
    VALID_UNTIL: date | None = None
    language = "en"
    site_suffix = re.compile(r"\s*[|\-–]\s*Yonhap News Agency\s*$|\s*\|\s*연합뉴스\s*$")

    # css_xpath: the CSS selector with a cheaper scan for leading class tests.
    _title = css_xpath("header.title-article01 h1, .title-article01 .tit, h1.tit, article h1")
    _any_h1 = CSSSelector("h1")
    _story = css_xpath("article.story-news, div.story-news, div.article-story, div.article-txt")
    _junk = CSSSelector(
        "div.photo-group, figure, div.comp-box, div.related-group, aside, script, style, "
        "div.keyword-zone01, div.share-zone, .sns-share, button, ins, iframe, "
        "p.txt-copyright, div.writer-zone01, div.ad-box, div[class*=banner]"
    )
    # Boxes that frame photos and data tables alike: their tables are story text.
    _table_frames = CSSSelector("div.comp-box, figure")
    _figures = CSSSelector("figure, div.photo-group")
    _figure_img = CSSSelector("img")
    _figure_caption = CSSSelector(".txt-desc, figcaption p, figcaption")
    # Every branch begins at a class containing "keyword-zone": search there only.
    _keywords = ScopedSelector(
        ".keyword-zone01 .list a, .keyword-zone01 a, .keyword-zone a.keyword",
        classes=("keyword-zone",),
    )
    _breadcrumb = css_xpath(".path .con a, .path .con strong, .location a, .nav-path a")
    _stamp = css_xpath(".info-con .txt, .update-time, .info-box .txt")
    _content_data = CSSSelector("script#contentJsonData")

    # ------------------------------------------------------------------ entry

    def parse(
        self, html: str, *, url: str | None = None, reference_date: date | None = None
    ) -> ParsedArticle:
        root = parse_html(html)
        story = self._story_element(root)
        if story is None:
            raise ParseError("no_article_body", "no Yonhap story block (article.story-news)")
        raw_lines = lines_of(self._without_junk(story), cell_separator=" ")
        _notes, lines = wire.split_editorial_notes(raw_lines)
        title = self.title(root)
        flag, _ = wire.split_update_flag(title)
        return ParsedArticle(
            title=title,
            body=self.body(lines),
            site_article_id=self.site_article_id(root, url),
            language=self.language,
            update_flag=flag,
            authors=self.authors(lines),
            dateline=self.dateline(lines),
            published_at=self.published_at(root),
            updated_at=self.updated_at(root),
            section=self.section(root),
            keywords=self.keywords(root),
            summary=self.summary(root, raw_lines),
            images=self.images(story, url),
            canonical_url=self.canonical_url(root, url),
        )

    # ---------------------------------------------------------------- helpers

    def _story_element(self, root: HtmlElement) -> HtmlElement | None:
        found = self._story(root)
        return found[0] if found else None

    def _without_junk(self, story: HtmlElement) -> HtmlElement:
        story = _copy(story)
        frames = set(self._table_frames(story))
        for element in self._junk(story):
            if element is story:
                continue
            if element in frames:
                _keep_only_tables(element)
            else:
                element.drop_tree()
        return story

    def _content_data_field(self, root: HtmlElement, key: str) -> str | None:
        """One string field of the page's ``CONTENT_DATA`` script object.

        Read field by field with a regex: the object embeds the raw story
        text, which is not always valid JSON as a whole.
        """
        for script in self._content_data(root):
            match = re.search(rf'"{key}"\s*:\s*("(?:[^"\\]|\\.)*")', script.text or "")
            if match:
                try:
                    return json.loads(match.group(1)) or None
                except ValueError:
                    return None
        return None

    # ----------------------------------------------------------------- fields

    def title(self, root: HtmlElement) -> str:
        for element in self._title(root) or self._any_h1(root):
            text = text_of(element)
            if text:
                return text
        fallback = meta(root, "og:title", "title") or text_of(root.find(".//title"))
        return self.site_suffix.sub("", fallback or "").strip()

    def site_article_id(self, root: HtmlElement, url: str | None) -> str | None:
        # Lazily: the first candidate usually answers, and the <input> scan
        # is the costly one.
        for candidate in (
            meta(root, "yna:content_id"),
            lambda: root.xpath("string(//input[@id='cid']/@value)") or None,
            url,
            lambda: meta(root, "og:url"),
        ):
            if callable(candidate):
                candidate = candidate()
            if candidate:
                match = _ID_RE.search(candidate)
                if match:
                    return story_key(match.group(0))
        return None

    def canonical_url(self, root: HtmlElement, url: str | None) -> str | None:
        links = root.xpath("//link[@rel='canonical']/@href")
        canonical = absolute_url(links[0], url) if links else meta(root, "og:url")
        if canonical and canonical.startswith("http"):
            return canonical
        return url

    def body(self, lines: list[str]) -> list[str]:
        return wire.clean_paragraphs(lines)

    def authors(self, lines: list[str]) -> list[str]:
        for line in lines[:4]:
            if wire.is_byline(line):
                return wire.parse_byline(line)
            match = wire.match_dateline(line)
            if match is not None:
                return wire.parse_byline(match.reporters) if match.reporters else []
        return []

    def dateline(self, lines: list[str]) -> Dateline | None:
        for line in lines[:4]:
            found, _ = wire.extract_dateline(line)
            if found is not None:
                return found
        return None

    def published_at(self, root: HtmlElement) -> datetime | None:
        stated = parse_datetime(meta(root, "article:published_time", "datePublished"), KST)
        if stated:
            return stated
        data = self._content_data_field(root, "DATETIME")
        if data and re.fullmatch(r"\d{14}", data):
            return datetime.strptime(data, "%Y%m%d%H%M%S").replace(tzinfo=KST)
        return self._displayed_time(root)

    def updated_at(self, root: HtmlElement) -> datetime | None:
        return parse_datetime(meta(root, "article:modified_time", "dateModified"), KST)

    def _displayed_time(self, root: HtmlElement) -> datetime | None:
        """The stamp under the headline: "14:53 April 19, 2023" (EN) or "2023-04-19 14:53" (KO)."""
        for element in self._stamp(root):
            text = text_of(element)
            for pattern, fmt in (
                (r"\d{1,2}:\d{2} [A-Z][a-z]+ \d{1,2}, \d{4}", "%H:%M %B %d, %Y"),
                (r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "%Y-%m-%d %H:%M"),
            ):
                match = re.search(pattern, text)
                if match:
                    try:
                        return datetime.strptime(match.group(0), fmt).replace(tzinfo=KST)
                    except ValueError:
                        continue
        return None

    def section(self, root: HtmlElement) -> list[str]:
        from_code = self._section_from_code(root)
        if from_code:
            return from_code
        crumbs = [
            text_of(e) for e in self._breadcrumb(root) if text_of(e).lower() not in {"home", "홈"}
        ]
        crumbs = list(dict.fromkeys(c for c in crumbs if c))
        if crumbs and not all(c.lower() in _GENERIC_CRUMBS for c in crumbs):
            return crumbs
        stated = meta(root, "article:section")
        if stated:
            return [stated]
        return crumbs

    def _section_from_code(self, root: HtmlElement) -> list[str]:
        """``"national/politics;Politics"`` named as the site's menu names it."""
        code = (self._content_data_field(root, "SECTION") or "").split(";")[0].strip("/")
        if not code or "/" not in code:
            return []
        top = code.split("/")[0]
        names = []
        # One XPath for the menu links, the "ends with" test in Python: the
        # XPath 1.0 spelling (substring/string-length) per link cost 0.1 ms.
        links = [(a.get("href") or "", a) for a in _NAV_LINKS(root)]
        for href_end in (f"/{top}/index", f"/{code}"):
            found = [a for href, a in links if href.endswith(href_end)]
            if found and text_of(found[0]):
                names.append(text_of(found[0]))
        return names if len(names) == 2 else []

    def keywords(self, root: HtmlElement) -> list[str]:
        words = [text_of(a).lstrip("#").strip() for a in self._keywords(root)]
        if not words:
            stated = self._content_data_field(root, "KEYWORD") or meta(root, "news_keywords")
            words = re.split(r"[;,]", stated or "")
        return [w.strip() for w in words if w.strip()]

    def summary(self, root: HtmlElement, lines: list[str]) -> str | None:
        """The page description, unless it is only the story's opening cut off with "..."."""
        description = meta(root, "og:description", "description")
        if not description:
            return None
        stem = re.sub(r"\s+", "", description.rstrip(". …"))
        opening = re.sub(r"\s+", "", "".join(lines))
        if not stem or opening.startswith(stem):
            return None
        return description

    def images(self, story: HtmlElement, url: str | None) -> list[Image]:
        images: list[Image] = []
        for figure in self._figures(story):
            imgs = self._figure_img(figure)
            if not imgs:
                continue
            src = absolute_url(imgs[0].get("src") or imgs[0].get("data-src"), url)
            if not src or any(i.url == src for i in images):
                continue
            captions = self._figure_caption(figure)
            caption = text_of(captions[0]) if captions else ""
            images.append(Image(url=src, caption=caption or None))
        return images


class YonhapKoParser(YonhapEnParser):
    """www.yna.co.kr (Korean) article pages: same CMS, Korean wire conventions.

    The Korean dateline names the reporter: "(서울=연합뉴스) 홍길동 기자 = ...";
    the story ends with the reporter's e-mail and a copyright line.
    """

    name = "yonhap_ko"
    version = "1.0"
    language = "ko"
    _title = css_xpath(
        "header.title-article01 h1, .title-article01 .tit, h1.tit, .title-con01 h1, article h1"
    )
    _story = css_xpath(
        "article.story-news, div.story-news, div.article-story, #articleWrap .article, "
        "div.article-txt"
    )
    _stamp = css_xpath(".update-time, .info-con .txt, p.update-time, .txt-time01")
    _breadcrumb = css_xpath(".nav-path01 a, .path .con a, .path .con strong, .location a")
    # Every branch begins at a class containing "keyword".
    _keywords = ScopedSelector(
        ".keyword-zone01 a, .keyword-zone a, .list-keyword01 a, .keyword a",
        classes=("keyword",),
    )

    def published_at(self, root: HtmlElement) -> datetime | None:
        stated = parse_datetime(meta(root, "article:published_time", "datePublished"), KST)
        if stated:
            return stated
        stamp = root.xpath("string((//*[@data-published-time])[1]/@data-published-time)")
        if stamp:
            for fmt in ("%Y-%m-%d %H:%M", "%Y%m%d%H%M%S", "%Y-%m-%d %H:%M:%S"):
                try:
                    return datetime.strptime(stamp.strip(), fmt).replace(tzinfo=KST)
                except ValueError:
                    continue
        return super().published_at(root)

    def authors(self, lines: list[str]) -> list[str]:
        found = super().authors(lines)
        if found:
            return found
        for line in lines[-3:]:
            names = wire.parse_byline(line) if "기자" in line else []
            if names:
                return names
        return []


def _keep_only_tables(frame: HtmlElement) -> None:
    """Put the frame's outermost tables where the frame was and drop the rest of it.

    A data table (exchange rates, results) is part of the story; the frame's
    other content (photos, captions, buttons) is not.
    """
    for table in frame.xpath(".//table[not(ancestor::table)]"):
        table.tail = None
        frame.addprevious(table)
    frame.drop_tree()


def _copy(element: HtmlElement) -> HtmlElement:
    """A detached deep copy, so removing junk does not touch the page tree."""
    clone = copy.deepcopy(element)
    clone.tail = None
    return clone


__all__ = ["KST", "YonhapEnParser", "YonhapKoParser", "story_key"]

"""www.yna.co.kr (Korean): article pages served as EUC-KR, listing, RSS, sitemaps.

The real Korean site is UTF-8 today; older Korean news sites (and Yonhap's own
archive pages) are EUC-KR, and a crawler must decode them right. So every
Korean page here is EUC-KR: normally with ``Content-Type: text/html;
charset=euc-kr`` and a matching ``<meta http-equiv>``, and one story (header
``charset: none`` in its content file) with no charset in either place.
"""

from __future__ import annotations

from collections.abc import Iterable

import jinja2

from devsite.stories import Story
from devsite.templating import (
    BASE,
    DAYS,
    HOST,
    RSS_UTF8,
    XML_UTF8,
    Page,
    esc,
    make_env,
    paginate,
    render_news_sitemap,
    render_robots,
    render_sitemap_index,
)

HTML_EUCKR = "text/html; charset=euc-kr"
HTML_NO_CHARSET = "text/html"
MENU = (("politics", "정치"), ("nk", "북한"), ("economy", "경제"), ("society", "사회"),
        ("international", "세계"), ("culture", "문화"), ("sports", "스포츠"))
SECTION_NAMES = dict(MENU)


class YonhapKorean:
    def __init__(self, stories: list[Story], env: jinja2.Environment | None = None) -> None:
        self.env = env or make_env()
        self.stories = stories  # newest first

    def _item(self, story: Story) -> dict:
        return {
            "id": story.id,
            "title": story.title,
            "summary": story.summary,
            "short_time": story.published.strftime("%m-%d %H:%M"),
        }

    def _common(self, exclude: str = "", charset_meta: bool = True) -> dict:
        others = [s for s in self.stories if s.id != exclude]
        return {
            "base": BASE,
            "host": HOST,
            "menu": MENU,
            "charset_meta": charset_meta,
            "latest": [self._item(s) for s in others[:5]],
            "most_read": [self._item(s) for s in others[::-1][:5]],
        }

    def article(self, story: Story) -> tuple[bytes, str]:
        """(EUC-KR bytes, Content-Type header) of one article page."""
        with_charset = story.get("charset") != "none"
        blocks = []
        for block in story.blocks:
            if block.kind == "photo":
                blocks.append({"kind": "photo", "path": block.path, "caption": block.caption})
            else:
                blocks.append({"kind": "p", "html": "<br>".join(map(esc, block.lines))})
        section = story.get("section")
        first = story.paragraphs[0] if story.paragraphs else ""
        article = {
            "id": story.id,
            "title": story.title,
            "description": first[:100],
            "image": story.image,
            "section": section,
            "section_name": SECTION_NAMES.get(section, section),
            "published_iso": story.published.isoformat(),
            "stamp": story.published.strftime("%Y-%m-%d %H:%M"),
            "stamp_slash": story.published.strftime("%Y/%m/%d %H:%M"),
            "byline": story.get("byline"),
            "email_user": story.get("email").split("@")[0],
            "keywords": story.keywords,
            "blocks": blocks,
        }
        related = [self._item(s) for s in self.stories if s.id != story.id][-3:]
        html = self.env.get_template("yonhap_ko_article.html").render(
            **self._common(story.id, with_charset), a=article, related=related
        )
        return html.encode("euc-kr"), HTML_EUCKR if with_charset else HTML_NO_CHARSET

    def listing_pages(self) -> Iterable[Page]:
        chunks = paginate(self.stories)
        for page, chunk in enumerate(chunks, start=1):
            html = self.env.get_template("yonhap_ko_listing.html").render(
                **self._common(), items=[self._item(s) for s in chunk], page=page,
                pages=len(chunks),
            )
            url = "/news" if page == 1 else f"/news/{page}"
            file = "ko/news/index.html" if page == 1 else f"ko/news/{page}.html"
            yield Page(url, file, HTML_EUCKR, html.encode("euc-kr"))

    def rss(self) -> bytes:
        items = [
            {**self._item(s), "summary": s.summary, "pub_date": s.published.strftime(
                "%a, %d %b %Y %H:%M:%S %z"), "creator": s.get("byline"),
             "category": SECTION_NAMES.get(s.get("section"), "")}
            for s in self.stories
        ]
        context = {"base": BASE, "title": "연합뉴스 최신기사", "items": items,
                   "self_path": "/rss/news.xml", "description": "연합뉴스 최신기사",
                   "language": "ko",
                   "build_date": items[0]["pub_date"] if items else ""}
        return self.env.get_template("yonhap_rss.xml").render(context).encode("utf-8")


def yonhap_ko_pages(ko: YonhapKorean) -> Iterable[Page]:
    for story in ko.stories:
        body, content_type = ko.article(story)
        yield Page(f"/view/{story.id}", f"ko/view/{story.id}.html", content_type, body)
    yield from ko.listing_pages()
    yield Page("/rss/news.xml", "ko/rss/news.xml", RSS_UTF8, ko.rss())
    days = [d for d in DAYS if any(s.day == d for s in ko.stories)]
    for day in days:
        stories = [s for s in ko.stories if s.day == day]
        yield Page(f"/sitemap/news/{day}.xml", f"ko/sitemap/news/{day}.xml", XML_UTF8,
                   render_news_sitemap(ko.env, stories, "연합뉴스", "ko"))
    index = render_sitemap_index(ko.env, [
        {"loc": f"/sitemap/news/{day}.xml",
         "lastmod": max(s.published for s in ko.stories if s.day == day).isoformat()}
        for day in days
    ])
    yield Page("/sitemap/index.xml", "ko/sitemap/index.xml", XML_UTF8, index)
    robots = render_robots(ko.env, [], ["/sitemap/index.xml"])
    yield Page(robots.path, "ko/robots.txt", robots.content_type, robots.body)

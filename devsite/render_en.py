"""en.yna.co.kr: article pages, section listings, RSS feeds and news sitemaps.

The markup follows the real English site's article template (element ids,
class names, head meta tags, the ``CONTENT_DATA`` script, share buttons,
weather box, Latest News, Most Liked/Viewed, breadcrumb path, footer), so that
a parser which leaves boilerplate in visibly fails on these pages too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from email.utils import format_datetime

import jinja2

from devsite.stories import INLINE_LINK, SECTIONS, Section, Story
from devsite.templating import (
    BASE,
    DAYS,
    HOST,
    HTML_UTF8,
    RSS_UTF8,
    XML_UTF8,
    Page,
    esc,
    make_env,
    paginate,
    render_news_sitemap,
    render_robots,
    render_sitemap_index,
    script_json,
)

RSS_LATEST_ITEMS = 20
_LINK_WITH_SPACE = re.compile(" ?" + INLINE_LINK.pattern)

# The Yonhap English top menu, in the order the real navigation bar shows it.
MENU = (
    ("national", "National", "National"),
    ("nk", "North Korea", "North Korea"),
    ("economy-finance", "Economy", "Economy/Finance"),
    ("k-biz", "BIZ", "BIZ"),
    ("culture", "Culture", "Culture/K-pop"),
    ("sports", "Sports", "Sports"),
)
# Section feeds under /RSS/, named as on the real "RSS" channel page.
RSS_FEEDS = {
    "news": ("All News", None),
    "national": ("National", "national"),
    "nk": ("North Korea", "nk"),
    "economy": ("Economy/Finance", "economy-finance"),
    "market": ("BIZ", "k-biz"),
    "culture": ("Culture/K-pop", "culture"),
    "sports": ("Sports", "sports"),
}
WEATHER = {
    "icon": "맑음", "text": "Sunny", "temp": "6.4", "min": "-1", "max": "11",
    "precip": "0mm", "wind": "NW 2.1m/s", "humidity": "38%", "cai": "Moderate 64",
    "pm10": "Moderate", "pm25": "Good",
}


def _menu() -> list[dict]:
    menu = []
    for code, menu_name, nav_name in MENU:
        subs = [
            {"code": s.code, "name": s.name}
            for s in SECTIONS.values()
            if s.depth01 == code and len(s.crumbs) > 1
        ]
        menu.append({"code": code, "menu_name": menu_name, "nav_name": nav_name, "subs": subs})
    return menu


def _section_view(section: Section) -> dict:
    return {
        "code": section.code,
        "depth01": section.depth01,
        "name": section.name,
        "genre": section.genre,
        "listing": section.listing,
        "crumbs": [{"code": code, "name": name} for code, name in section.crumbs],
    }


class YonhapEnglish:
    """Renders en.yna.co.kr-style pages: articles, listings, RSS and sitemaps.

    Also used at serve time by the synthetic-article and fault modes, so that
    every generated page carries exactly the same boilerplate as the stored ones.
    """

    def __init__(self, stories: list[Story], env: jinja2.Environment | None = None) -> None:
        self.env = env or make_env()
        self.stories = stories  # newest first
        self.public = [s for s in stories if not s.embargoed]
        self.menu = _menu()

    # -- article pages ------------------------------------------------------
    def _item(self, story: Story) -> dict:
        section = story.section
        return {
            "id": story.id,
            "title": story.title,
            "image": story.image,
            "hhmm": story.published.strftime("%H:%M"),
            "section": _section_view(section) if section else {"code": "news"},
        }

    def _common(self) -> dict:
        return {
            "base": BASE,
            "host": HOST,
            "menu": self.menu,
            "weather": WEATHER,
            "latest": [self._item(s) for s in self.public[:6]],
        }

    def _sidebars(self, story: Story) -> tuple[list[dict], list[dict], list[dict]]:
        """Latest News, side boxes and 'Right Now' links: other stories, chosen
        deterministically so that each page's boilerplate differs a little."""
        others = [s for s in self.public if s.id != story.id]
        if not others:
            return [], [], []
        n = len(others)
        seed = sum(map(ord, story.id))
        latest = [self._item(s) for s in others[:6]]

        def pick(offset: int, count: int) -> list[dict]:
            return [self._item(others[(seed + offset + 3 * i) % n]) for i in range(min(count, n))]

        boxes = [
            {"title": "Most Liked", "link": "", "items": pick(1, 5)},
            {"title": "Most Viewed", "link": "/mostviewed/index", "items": pick(7, 5)},
        ]
        return latest, boxes, pick(13, 4)

    def article_context(self, story: Story) -> dict:
        section = story.section or SECTIONS["national/national"]
        blocks = []
        lead_lines = [ln for ln in (story.get("attn"), story.get("byline")) if ln]
        if lead_lines:
            blocks.append({"kind": "p", "html": "<br/>".join(map(esc, lead_lines))})
        for block in story.blocks:
            if block.kind == "table":
                rows = [row.split("|") for row in block.lines]
                blocks.append({"kind": "table", "head": rows[0], "rows": rows[1:]})
            elif block.kind == "photo":
                blocks.append({
                    "kind": "photo",
                    "path": block.path,
                    "filename": block.path.rsplit("/", 1)[-1],
                    "caption": block.caption,
                })
            else:
                html = "<br/>".join(_with_links(esc(line)) for line in block.lines)
                blocks.append({"kind": "p", "html": " " + html})
        if not story.paragraphs or story.paragraphs[-1].splitlines()[-1] != "(MORE)":
            blocks.append({"kind": "p", "html": f" {esc(story.get('email'))}<br/>(END)"})
        text = "\n".join(lead_lines + ["   " + p for p in story.paragraphs])
        description = (" ".join(lead_lines) + " " + " ".join(story.paragraphs)).strip()
        content_data = {
            "CID": story.id,
            "TITLE": story.title,
            "BODY": text[:600],
            "IMG": f"{story.image}_P2.jpg" if story.image else "",
            "LINK_PHOTO_PATH": "",
            "SECTION": f"{section.code};{section.name}",
            "SECTION_NAME": section.name,
            "KEYWORD": ",".join(story.keywords),
            "DATETIME": story.published.strftime("%Y%m%d%H%M%S"),
            "REGIST_DATETIME": "",
        }
        site_data = {
            "SITE_ID": "000100010000",
            "SITE_DEPTH": "3",
            "SITE1_LINK": "/index",
            "SITE1_NAME": "Main Page",
            "SITE2_LINK": f"/{section.crumbs[0][0]}",
            "SITE2_NAME": section.crumbs[0][1],
            "SITE3_LINK": f"/{section.listing}",
            "SITE3_NAME": section.name,
            "PAGE_TYPE": "view",
        }
        latest, boxes, rightnow = self._sidebars(story)
        related = [self._item(s) for s in self.public
                   if s.section == story.section and s.id[:15] != story.id[:15]][:4]
        article = {
            "id": story.id,
            "title": story.title,
            "description": description[:90] + "...",
            "image": story.image,
            "author_ko": story.get("author_ko"),
            "section": _section_view(section),
            "published_iso": story.published.isoformat(),
            "display_time": f"{story.published:%H:%M} {story.published:%B} "
            f"{story.published.day}, {story.published.year}",
            "blocks": blocks,
            "no_story": False,
            # Real pages put "Related Articles" inside the story element when
            # the desk links some; here stories with a photo get them.
            "related": related if story.image else [],
            "keywords": story.keywords,
            "content_data": script_json(content_data),
            "site_data": script_json(site_data),
        }
        slides = {"DATA": [
            {"NUM": n, "CID": item["id"], "TITLE": item["title"],
             "SECTION_CODE": item["section"]["code"]}
            for n, item in enumerate(latest + rightnow, start=1)
        ]}
        return {
            **self._common(),
            "slide_data": script_json(slides),
            "a": article,
            "depth01": section.depth01,
            "latest": latest,
            "sidebars": boxes,
            "rightnow": rightnow,
        }

    def article(self, story: Story) -> bytes:
        page = self.env.get_template("yonhap_en_article.html").render(self.article_context(story))
        return page.encode("utf-8")

    def no_article(self, story: Story) -> bytes:
        """A page with all the navigation of an article page but no story in it."""
        context = self.article_context(story)
        context["a"]["blocks"] = []
        context["a"]["keywords"] = []
        context["a"]["no_story"] = True
        return self.env.get_template("yonhap_en_article.html").render(context).encode("utf-8")

    # -- listings -------------------------------------------------------------
    def listing(
        self, path: str, title: str, stories: list[Story], page: int, pages: int
    ) -> bytes:
        """One page of a section listing (``/news``, ``/news/2``, ...), newest first."""
        context = {
            **self._common(),
            "depth01": path.split("/")[0],
            "listing_title": title,
            "listing_path": path,
            "items": [
                {
                    **self._item(s),
                    "summary": s.summary,
                    "time": s.published.strftime("%Y-%m-%d %H:%M"),
                }
                for s in stories
            ],
            "page": page,
            "pages": pages,
        }
        return self.env.get_template("yonhap_en_listing.html").render(context).encode("utf-8")

    def listing_pages(self, path: str, title: str, stories: list[Story]) -> Iterable[Page]:
        chunks = paginate(stories)
        for page, chunk in enumerate(chunks, start=1):
            url = f"/{path}" if page == 1 else f"/{path}/{page}"
            file = f"en/{path}/index.html" if page == 1 else f"en/{path}/{page}.html"
            body = self.listing(path, title, chunk, page, len(chunks))
            yield Page(url, file, HTML_UTF8, body)

    # -- feeds ----------------------------------------------------------------
    def rss(self, title: str, stories: list[Story], self_path: str) -> bytes:
        items = [
            {
                **self._item(s),
                "summary": s.summary,
                "pub_date": format_datetime(s.published),
                "creator": s.get("byline").removeprefix("By ").strip(),
                "category": s.section.name if s.section else "",
            }
            for s in stories
        ]
        context = {"base": BASE, "title": title, "items": items, "self_path": self_path,
                   "description": "Yonhap News Agency English news service", "language": "en"}
        if stories:
            context["build_date"] = format_datetime(stories[0].published)
        else:
            context["build_date"] = ""
        return self.env.get_template("yonhap_rss.xml").render(context).encode("utf-8")

    def news_sitemap(self, stories: list[Story]) -> bytes:
        return render_news_sitemap(self.env, stories, "Yonhap News Agency", "en")


def _with_links(escaped: str) -> str:
    """Turn ``[[words|ID]]`` markup into Yonhap's inline "txt-hyper" link (which,
    as on the real pages, swallows the space before the words)."""
    return _LINK_WITH_SPACE.sub(
        lambda m: (f'<span class="txt-hyper"><a href="{BASE}/view/{m["id"]}" target="_blank" '
                   f'title="Opening new web browser window"> {m["text"]}</a></span>'),
        escaped,
    )


def yonhap_en_pages(en: YonhapEnglish) -> Iterable[Page]:
    for story in en.stories:
        yield Page(f"/view/{story.id}", f"en/view/{story.id}.html", HTML_UTF8, en.article(story))
    # Listings: everything (embargoed story included: it is linked, robots.txt
    # forbids fetching it), then one listing per section that has stories.
    yield from en.listing_pages("news", "All News", en.stories)
    listings: dict[str, list[Story]] = {}
    for story in en.stories:
        section = story.section
        if section:
            listings.setdefault(section.listing, []).append(story)
            if len(section.crumbs) > 1:
                listings.setdefault(section.crumbs[0][0], []).append(story)
    for path, stories in sorted(listings.items()):
        title = next(name for s in SECTIONS.values() for code, name in s.crumbs if code == path)
        yield from en.listing_pages(path, title, stories)
    # RSS: the latest items across all days, and one feed per top section.
    yield Page("/RSS/news.xml", "en/RSS/news.xml", RSS_UTF8,
               en.rss("Yonhap News Agency - All News", en.stories[:RSS_LATEST_ITEMS],
                      "/RSS/news.xml"))
    for name, (title, top) in RSS_FEEDS.items():
        if top is None:
            continue
        stories = [s for s in en.stories if s.section and s.section.depth01 == top]
        yield Page(f"/RSS/{name}.xml", f"en/RSS/{name}.xml", RSS_UTF8,
                   en.rss(f"Yonhap News Agency - {title}", stories, f"/RSS/{name}.xml"))
    # News sitemaps: one per publication day (by Seoul date).
    for day in DAYS:
        stories = [s for s in en.stories if s.day == day]
        yield Page(f"/sitemap/news/{day}.xml", f"en/sitemap/news/{day}.xml", XML_UTF8,
                   en.news_sitemap(stories))
    # The index points at the gzipped variant for the first day (served by
    # the server from the plain file), as real sites mix both.
    index = render_sitemap_index(en.env, [
        {"loc": f"/sitemap/news/{day}.xml" + (".gz" if day == DAYS[0] else ""),
         "lastmod": max(s.published for s in en.stories if s.day == day).isoformat()}
        for day in DAYS
    ])
    yield Page("/sitemap/index.xml", "en/sitemap/index.xml", XML_UTF8, index)
    env = en.env
    for name, template in (("/channel/index", "yonhap_en_channel.html"),):
        body = env.get_template(template).render(
            **en._common(), depth01="channel", feeds=RSS_FEEDS
        )
        yield Page(name, "en/channel/index.html", HTML_UTF8, body.encode("utf-8"))
    robots = render_robots(env, [f"/view/{s.id}" for s in en.stories if s.embargoed],
                           ["/sitemap/index.xml"])
    yield Page(robots.path, "en/robots.txt", robots.content_type, robots.body)



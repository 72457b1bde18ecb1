"""apnews.com-style pages for the generic parser: articles with JSON-LD
``NewsArticle`` metadata, a paginated hub (``?p=2``), an Atom feed and a news
sitemap. Times are America/New_York."""

from __future__ import annotations

import json
from collections.abc import Iterable

import jinja2

from devsite.stories import Story
from devsite.templating import (
    ATOM_UTF8,
    BASE,
    HTML_UTF8,
    XML_UTF8,
    Page,
    esc,
    make_env,
    paginate,
    render_news_sitemap,
    render_robots,
    story_path,
)

HUB_PAGE_SIZE = 2  # small, so that the three stories span two hub pages


def _authors(byline: str) -> list[str]:
    names = byline.removeprefix("By ").replace(" and ", ", ").split(",")
    return [n.strip().title() for n in names if n.strip()]


def _display_time(story: Story) -> str:
    hour = story.published.strftime("%I").lstrip("0")
    return (f"{hour}:{story.published:%M %p} {story.published.tzname()}, "
            f"{story.published:%B} {story.published.day}, {story.published.year}")


class APNews:
    def __init__(self, stories: list[Story], env: jinja2.Environment | None = None) -> None:
        self.env = env or make_env()
        self.stories = stories  # newest first

    def _item(self, story: Story) -> dict:
        return {
            "path": story_path(story),
            "title": story.title,
            "summary": story.summary,
            "published_iso": story.published.isoformat(),
            "timestamp_ms": int(story.published.timestamp() * 1000),
            "display_time": _display_time(story),
            "author": ", ".join(_authors(story.get("byline"))),
        }

    def article(self, story: Story) -> bytes:
        url = BASE + story_path(story)
        jsonld = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": story.title,
            "description": story.summary,
            "url": url,
            "mainEntityOfPage": url,
            "datePublished": story.published.isoformat(),
            "dateModified": story.published.isoformat(),
            "author": [{"@type": "Person", "name": n} for n in _authors(story.get("byline"))],
            "publisher": {"@type": "Organization", "name": "AP News",
                          "logo": {"@type": "ImageObject", "url": f"{BASE}/logo.png"}},
            "articleSection": [story.get("section")],
            "keywords": story.keywords,
            "inLanguage": "en",
        }
        article = {
            "title": story.title,
            "summary": story.summary,
            "section": story.get("section"),
            "byline": story.get("byline"),
            "published_iso": story.published.isoformat(),
            "timestamp_ms": int(story.published.timestamp() * 1000),
            "display_time": _display_time(story),
            "jsonld": json.dumps(jsonld, ensure_ascii=False).replace("</", "<\\/"),
            "blocks": [{"html": esc(" ".join(b.lines))} for b in story.blocks if b.kind == "p"],
        }
        related = [self._item(s) for s in self.stories if s.id != story.id]
        html = self.env.get_template("ap_article.html").render(
            base=BASE, url=url, a=article, related=related)
        return html.encode("utf-8")


def ap_pages(ap: APNews) -> Iterable[Page]:
    for story in ap.stories:
        yield Page(story_path(story), f"ap/article/{story.id}.html", HTML_UTF8, ap.article(story))
    chunks = paginate(ap.stories, HUB_PAGE_SIZE)
    for page, chunk in enumerate(chunks, start=1):
        html = ap.env.get_template("ap_hub.html").render(
            base=BASE, items=[ap._item(s) for s in chunk], page=page, pages=len(chunks))
        path = "/hub/ap-top-news" + (f"?p={page}" if page > 1 else "")
        yield Page(path, f"ap/hub/ap-top-news-{page}.html", HTML_UTF8, html.encode("utf-8"))
    atom = ap.env.get_template("ap_atom.xml").render(
        base=BASE, items=[ap._item(s) for s in ap.stories],
        updated=ap.stories[0].published.isoformat())
    yield Page("/hub/ap-top-news.atom", "ap/hub/ap-top-news.atom", ATOM_UTF8, atom.encode("utf-8"))
    yield Page("/news-sitemap-content.xml", "ap/news-sitemap-content.xml", XML_UTF8,
               render_news_sitemap(ap.env, ap.stories, "Associated Press", "en"))
    robots = render_robots(ap.env, [], ["/news-sitemap-content.xml"])
    yield Page(robots.path, "ap/robots.txt", robots.content_type, robots.body)

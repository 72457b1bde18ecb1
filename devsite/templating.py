"""Shared pieces of the page generators: the Jinja environment, placeholders,
content types and the news sitemap every site publishes."""

from __future__ import annotations

import functools
import html
import json
from dataclasses import dataclass
from pathlib import Path

import jinja2

from devsite.stories import Story

TEMPLATE_DIR = Path(__file__).with_name("templates")
#: Placeholders the server replaces with its own address when it starts.
BASE = "{{BASE}}"  # scheme://host:port
HOST = "{{HOST}}"  # host:port, for the protocol-relative //host/path links Yonhap uses

HTML_UTF8 = "text/html; charset=utf-8"
XML_UTF8 = "application/xml; charset=utf-8"
RSS_UTF8 = "application/rss+xml; charset=utf-8"
ATOM_UTF8 = "application/atom+xml; charset=utf-8"
TEXT_UTF8 = "text/plain; charset=utf-8"

LISTING_PAGE_SIZE = 10
DAYS = ("2025-03-10", "2025-03-11", "2025-03-12")


@dataclass(frozen=True)
class Page:
    """One servable resource: URL path (with query if it has one), file under
    ``site/<site dir>/``, the exact Content-Type header to send, and the bytes."""

    path: str
    file: str
    content_type: str
    body: bytes


@functools.lru_cache(maxsize=1)
def make_env() -> jinja2.Environment:
    """One environment per process: every renderer shares its compiled templates."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def esc(text: str) -> str:
    """Escape body text the way the real pages do: ``&<>`` only, quotes left as is."""
    return html.escape(text, quote=False)


def script_json(data: dict) -> str:
    """JSON for an inline <script>: '</' must not close the script element."""
    return json.dumps(data, ensure_ascii=False, indent="\t\t").replace("</", "<\\/")


def story_path(story: Story) -> str:
    """The URL path of a story's page on its site."""
    if story.site == "apnews":
        return f"/article/{story.get('slug')}-{story.id}"
    return f"/view/{story.id}"


def render_news_sitemap(
    env: jinja2.Environment, stories: list[Story], publication: str, language: str
) -> bytes:
    """A Google News sitemap (one ``<news:news>`` per URL) for the given stories."""
    items = [
        {"path": story_path(s), "title": s.title, "date": s.published.isoformat(),
         "keywords": ", ".join(s.keywords)}
        for s in stories
    ]
    context = {"base": BASE, "items": items, "publication": publication, "language": language}
    return env.get_template("news_sitemap.xml").render(context).encode("utf-8")


def render_sitemap_index(env: jinja2.Environment, sitemaps: list[dict]) -> bytes:
    """``sitemaps``: ``{"loc": path, "lastmod": iso}`` each."""
    return env.get_template("sitemap_index.xml").render(base=BASE, sitemaps=sitemaps).encode()


def render_robots(env: jinja2.Environment, disallowed: list[str], sitemaps: list[str]) -> Page:
    body = env.get_template("robots.txt").render(base=BASE, disallowed=disallowed,
                                                 sitemaps=sitemaps)
    return Page("/robots.txt", "robots.txt", TEXT_UTF8, body.encode("utf-8"))


def paginate(stories: list[Story], size: int = LISTING_PAGE_SIZE) -> list[list[Story]]:
    return [stories[i : i + size] for i in range(0, len(stories), size)] or [[]]

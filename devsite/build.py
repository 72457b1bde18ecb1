"""Render the wire sites from the stories in ``content/``, in memory.

Nothing generated is stored: the server renders every page when it starts
(a fraction of a second, once per process), so a change to content or
templates is live at once and the repository holds only the sources.
``python -m devsite.build OUT_DIR`` writes the pages to a folder
for reading them as files.

Three sites are built, each served by the server on its own port so that local
paths equal the real ones: ``en/`` (en.yna.co.kr), ``ko/`` (www.yna.co.kr) and
``ap/`` (apnews.com). Every absolute address is written as the placeholder
``{{BASE}}`` (``http://127.0.0.1:54321``) or ``{{HOST}}`` (``127.0.0.1:54321``,
for the protocol-relative ``//host/path`` links Yonhap uses); the server fills
them in, so the same pages work on any port.

:func:`site_routes` maps, per site, each URL path to its bytes and the exact
``Content-Type`` header to send (which may deliberately lack a charset).
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from devsite.render_ap import APNews, ap_pages
from devsite.render_en import YonhapEnglish, yonhap_en_pages
from devsite.render_ko import YonhapKorean, yonhap_ko_pages
from devsite.stories import load_stories
from devsite.templating import BASE, DAYS, HTML_UTF8, Page, make_env

#: Source ids served by the wire site, in the order their servers start.
SITES = ("yonhap_en", "yonhap_ko", "apnews")

# Gzipped variants of plain pages, compressed by the server after it has filled
# in its address (the compressed bytes depend on it).
GZIP_VARIANTS = {
    "yonhap_en": {f"/sitemap/news/{day}.xml.gz": f"/sitemap/news/{day}.xml" for day in DAYS},
}


#: Per site: (page language, encoding, name, copyright line, links on filler pages).
_SITE_INFO = {
    "yonhap_en": ("en", "utf-8", "Yonhap News Agency",
                  "Copyright (c) Yonhap News Agency. All Rights Reserved.",
                  (("All News", "/news"), ("RSS", "/channel/index"))),
    "yonhap_ko": ("ko", "euc-kr", "연합뉴스", "Copyright (c) 연합뉴스. All rights reserved.",
                  (("최신기사", "/news"),)),
    "apnews": ("en", "utf-8", "AP News", "Copyright 2025 The Associated Press.",
               (("Top News", "/hub/ap-top-news"),)),
}
_INTERNAL_LINK = re.compile(r'(?:href|src)="(?://\{\{HOST\}\}|\{\{BASE\}\})(/[^"#?]*)"')


def filler_pages(site: str, pages: list[Page]) -> list[Page]:
    """Plain pages for the site's internal links that no generated page serves
    (home, "About us", menu entries without stories...), so that a crawler
    following navigation meets 200s, as on the real site, not a wall of 404s."""
    lang, encoding, name, copyright_line, links = _SITE_INFO[site]
    routed = {p.path for p in pages}
    wanted = {"/"}
    for page in pages:
        if page.content_type.startswith("text/html"):
            wanted |= set(_INTERNAL_LINK.findall(page.body.decode(encoding)))
    template = make_env().get_template("info_page.html")
    fillers = []
    for path in sorted(wanted - routed):
        if path.endswith(".jpg"):
            continue  # photos: the server answers any photo path with a placeholder
        words = [w for w in path.strip("/").split("/") if w not in ("index", "all")]
        title = " ".join(words).replace("-", " ").title() or name
        html = template.render(lang=lang, charset=None if encoding == "utf-8" else encoding,
                               title=title, site_name=name, base=BASE, path=path,
                               links=links, copyright=copyright_line)
        file = _SITE_DIRS[site] + "/pages/" + ("_".join(path.strip("/").split("/")) or "home")
        content_type = HTML_UTF8 if encoding == "utf-8" else f"text/html; charset={encoding}"
        fillers.append(Page(path, file + ".html", content_type, html.encode(encoding)))
    return fillers


_SITE_DIRS = {"yonhap_en": "en", "yonhap_ko": "ko", "apnews": "ap"}


@functools.cache
def render_pages() -> dict[str, list[Page]]:
    """Every static page of every site, in a stable order (rendered once per process)."""
    pages = {
        "yonhap_en": list(yonhap_en_pages(YonhapEnglish(load_stories("yonhap_en")))),
        "yonhap_ko": list(yonhap_ko_pages(YonhapKorean(load_stories("yonhap_ko")))),
        "apnews": list(ap_pages(APNews(load_stories("apnews")))),
    }
    for site, site_pages in pages.items():
        site_pages += filler_pages(site, site_pages)
    for site, site_pages in pages.items():
        paths = [p.path for p in site_pages]
        duplicates = {p for p in paths if paths.count(p) > 1}
        if duplicates:
            raise ValueError(f"{site}: two pages claim the same URL path: {sorted(duplicates)}")
    return pages


def story_pages(site: str) -> list[Page]:
    """The article pages of one site (``/view/...`` or ``/article/...``), by path."""
    pages = render_pages()[site]
    return sorted((p for p in pages if p.path.startswith(("/view/", "/article/"))), key=lambda p: p.path)


@dataclass(frozen=True)
class Route:
    """What one URL path serves: the Content-Type header and the page's bytes."""

    content_type: str
    body: bytes
    gzip: bool = False


@functools.cache
def site_routes() -> dict[str, dict[str, Route]]:
    """Per site, every URL path and what it serves, rendered once per process."""
    routes: dict[str, dict[str, Route]] = {}
    for site, site_pages in render_pages().items():
        served = {page.path: Route(page.content_type, page.body) for page in site_pages}
        for gz_path, plain in GZIP_VARIANTS.get(site, {}).items():
            served[gz_path] = Route("application/x-gzip", served[plain].body, gzip=True)
        routes[site] = dict(sorted(served.items()))
    return routes


def write_site(out_dir: Path) -> int:
    """Write every page into ``out_dir`` (replacing it) with a ``routes.json`` index.

    Returns the number of pages written.
    """
    pages = render_pages()
    if out_dir.exists():
        shutil.rmtree(out_dir)
    index: dict[str, dict[str, dict[str, str]]] = {}
    for site, site_pages in pages.items():
        for page in site_pages:
            target = out_dir / page.file
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(page.body)
            index.setdefault(site, {})[page.path] = {"file": page.file, "type": page.content_type}
    (out_dir / "routes.json").write_text(json.dumps(index, indent=1) + "\n", encoding="utf-8")
    return sum(len(p) for p in pages.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the wire sites' pages to a folder, to read them as files.")
    parser.add_argument("out_dir", type=Path, help="folder to write (replaced if it exists)")
    args = parser.parse_args(argv)
    count = write_site(args.out_dir)
    print(f"wrote {count} pages to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

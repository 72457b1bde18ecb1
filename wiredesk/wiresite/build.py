"""Generate the static wire sites in ``site/`` from the stories in ``content/``.

Run ``python -m wiredesk.wiresite.build`` after editing content or templates and
commit the result; ``--check`` exits non-zero when the committed ``site/`` differs
from a fresh build (the test suite runs the same comparison).

Three sites are built, each served by the server on its own port so that local
paths equal the real ones: ``en/`` (en.yna.co.kr), ``ko/`` (www.yna.co.kr) and
``ap/`` (apnews.com). Every absolute address is written as the placeholder
``{{BASE}}`` (``http://127.0.0.1:54321``) or ``{{HOST}}`` (``127.0.0.1:54321``,
for the protocol-relative ``//host/path`` links Yonhap uses); the server fills
them in, so the same files work on any port.

``site/routes.json`` maps, per site, each URL path to its file and the exact
``Content-Type`` header to send (which may deliberately lack a charset).
"""

from __future__ import annotations

import argparse
import filecmp
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

from wiredesk.wiresite.render_ap import APNews, ap_pages
from wiredesk.wiresite.render_en import YonhapEnglish, yonhap_en_pages
from wiredesk.wiresite.render_ko import YonhapKorean, yonhap_ko_pages
from wiredesk.wiresite.stories import load_stories
from wiredesk.wiresite.templating import BASE, DAYS, HTML_UTF8, Page, make_env

SITE_DIR = Path(__file__).with_name("site")
#: Source ids served by the wire site, in the order their servers start.
SITES = ("yonhap_en", "yonhap_ko", "apnews")

# Gzipped variants are made at serve time from these files (gzip output embeds
# a timestamp; storing only the plain file keeps the build byte-reproducible).
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


def render_pages() -> dict[str, list[Page]]:
    """Every static page of every site, in a stable order."""
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


def write_site(out_dir: Path = SITE_DIR) -> int:
    """Render every page into ``out_dir`` (replacing it) and write ``routes.json``.

    Returns the number of pages written.
    """
    pages = render_pages()
    if out_dir.exists():
        shutil.rmtree(out_dir)
    routes: dict[str, dict[str, dict]] = {}
    for site, site_pages in pages.items():
        site_routes: dict[str, dict] = {}
        for page in site_pages:
            target = out_dir / page.file
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(page.body)
            site_routes[page.path] = {"file": page.file, "type": page.content_type}
        for gz_path, plain in GZIP_VARIANTS.get(site, {}).items():
            site_routes[gz_path] = {"file": site_routes[plain]["file"],
                                    "type": "application/x-gzip", "gzip": True}
        routes[site] = dict(sorted(site_routes.items()))
    (out_dir / "routes.json").write_text(json.dumps(routes, indent=1) + "\n", encoding="utf-8")
    return sum(len(p) for p in pages.values())


def diff_against_fresh_build(site_dir: Path = SITE_DIR) -> list[str]:
    """Relative paths that differ between ``site_dir`` and a fresh build."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "site"
        write_site(fresh)
        left = {p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*") if p.is_file()}
        right = {p.relative_to(fresh).as_posix() for p in fresh.rglob("*") if p.is_file()}
        differ = sorted(left ^ right)
        for rel in sorted(left & right):
            if not filecmp.cmp(site_dir / rel, fresh / rel, shallow=False):
                differ.append(rel)
        return differ


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate wiredesk/wiresite/site/.")
    parser.add_argument("--check", action="store_true",
                        help="compare the committed site/ with a fresh build; do not write")
    args = parser.parse_args(argv)
    if args.check:
        differ = diff_against_fresh_build()
        for rel in differ:
            print(f"differs: {rel}")
        return 1 if differ else 0
    count = write_site()
    print(f"wrote {count} pages to {SITE_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

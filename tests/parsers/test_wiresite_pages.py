"""The parsers on every article page of the bundled fixture wire site.

The site (``wiredesk/wiresite``) imitates the real markup; the demo and the
end-to-end tests crawl it, so every article there must parse cleanly with
the site parser, and each update must share the id of its first version.
The stored files hold ``{{BASE}}``/``{{HOST}}`` placeholders that the server
fills with its address; here they are filled with the real sites' addresses.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from parsers import parse_page

SITE = Path(__file__).resolve().parents[2] / "wiredesk" / "wiresite" / "site"
HOSTS = {"en": "https://en.yna.co.kr", "ko": "https://www.yna.co.kr", "ap": "https://apnews.com"}
PAGES = sorted(p for edition in ("en", "ko") for p in (SITE / edition / "view").glob("*.html"))
AP_PAGES = sorted((SITE / "ap" / "article").glob("*.html"))
TABLE_STORY = SITE / "en" / "view" / "AEN20250311006000320.html"

# Nothing of the page around the story may reach the body: no marker anywhere ...
JUNK = (
    "(END)", "(MORE)", "@yna.co.kr", "Most Viewed", "Most Liked", "Copyright", "저작권자",
    "ABCDEFG", "송고시간", "okjebo", "{{",
)
# ... and no box heading or button label as a paragraph of its own.
LABELS = {
    "latest news", "most viewed", "most liked", "related articles", "keywords", "weather",
    "share", "facebook", "twitter", "많이 본 뉴스", "최신 뉴스", "공유", "top",
}


def _filled(page: Path, edition: str) -> bytes:
    base = HOSTS[edition]
    return (
        page.read_bytes()
        .replace(b"{{BASE}}", base.encode())
        .replace(b"{{HOST}}", base.removeprefix("https://").encode())
    )


def _parse(page: Path) -> dict:
    edition = page.parent.parent.name
    return parse_page(_filled(page, edition), url=f"{HOSTS[edition]}/view/{page.stem}")


@pytest.fixture(scope="module")
def records() -> dict[Path, dict]:
    return {page: _parse(page) for page in PAGES}


@pytest.mark.skipif(not PAGES, reason="bundled wire site has no article pages")
def test_every_article_parses_with_the_site_parser(records: dict[Path, dict]) -> None:
    for page, record in records.items():
        edition = page.parent.parent.name
        assert record["parser"]["name"] == f"yonhap_{edition}", page.name
        assert record["url"] == f"{HOSTS[edition]}/view/{page.stem}", page.name
        assert record["language"] == edition, page.name
        assert record["title"] and "Yonhap" not in record["title"], page.name
        assert record["section"] and record["keywords"], page.name
        assert record["published_at"].endswith("+09:00"), page.name
        assert record["updated_at"] is None or record["updated_at"].endswith("+09:00")
        assert record["body"], page.name
        body = "\n".join(record["body"])
        for junk in JUNK:
            assert junk not in body, (page.name, junk)
        assert not any(p.startswith("#") for p in record["body"]), page.name
        assert not LABELS & {p.strip().lower() for p in record["body"]}, page.name
        for image in record["images"]:
            assert image["url"].startswith(HOSTS[edition]), page.name
            assert image["caption"] is None or image["caption"] not in body


@pytest.mark.skipif(not PAGES, reason="bundled wire site has no article pages")
def test_english_stories_open_with_their_dateline(records: dict[Path, dict]) -> None:
    for page, record in records.items():
        if page.parent.parent.name != "en" or record["dateline"] is None:
            continue
        assert record["dateline"]["agency"] == "Yonhap", page.name
        assert record["body"][0].startswith(record["dateline"]["city"] + ", "), page.name
        for author in record["authors"]:
            assert not any(p.startswith(f"By {author}") for p in record["body"]), page.name


@pytest.mark.skipif(not TABLE_STORY.exists(), reason="bundled wire site has no table story")
def test_table_rows_are_body_paragraphs_in_document_order() -> None:
    record = _parse(TABLE_STORY)
    html = TABLE_STORY.read_text(encoding="utf-8")
    table = html[html.index("<table") : html.index("</table>")]
    rows = [
        " ".join(re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row))
        for row in re.findall(r"<tr>(.*?)</tr>", table)
    ]
    assert len(rows) >= 3
    assert rows[1].startswith("U.S. dollar ")  # cells joined by one space, as on price pages
    body = record["body"]
    assert body[0].startswith("SEOUL, March 11 (Yonhap) -- The following table")
    assert body[1 : 1 + len(rows)] == rows  # header row first, then each data row
    assert body[1 + len(rows)].startswith("The won weakened")  # prose after the table
    assert len(body) == len(rows) + 2
    assert record["authors"] == ["Byun Hye-jin"]


@pytest.mark.skipif(not PAGES, reason="bundled wire site has no article pages")
def test_updates_share_their_first_versions_id(records: dict[Path, dict]) -> None:
    by_id: dict[str, list[dict]] = defaultdict(list)
    for record in records.values():
        by_id[record["id"]].append(record)
    updated = [versions for versions in by_id.values() if len(versions) > 1]
    assert updated, "the site is expected to carry (LEAD) updates of earlier stories"
    for versions in updated:
        assert len({r["content_hash"] for r in versions}) == len(versions)
        assert sum(r["update_flag"] is None or r["update_flag"] == "URGENT" for r in versions) >= 1


@pytest.mark.skipif(not AP_PAGES, reason="bundled wire site has no AP pages")
def test_ap_articles_go_to_the_generic_parser() -> None:
    for page in AP_PAGES:
        record = parse_page(_filled(page, "ap"), url=f"{HOSTS['ap']}/article/{page.stem}")
        assert record["parser"]["name"] not in {"yonhap_en", "yonhap_ko", "text"}, page.name
        assert record["source"] == "apnews-com", page.name
        assert record["url"].startswith(f"{HOSTS['ap']}/article/"), page.name
        assert record["title"] and record["body"], page.name
        assert "(END)" not in "\n".join(record["body"]), page.name

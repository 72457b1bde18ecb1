"""The parsers on every article page of the bundled fixture wire site.

The site (``devsite``) imitates the real markup; the demo and the
end-to-end tests crawl it, so every article there must parse cleanly with
the site parser, and each update must share the id of its first version.
The rendered pages hold ``{{BASE}}``/``{{HOST}}`` placeholders that the server
fills with its address; here they are filled with the real sites' addresses.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from devsite.build import story_pages
from devsite.templating import Page
from parsers import parse_page

HOSTS = {"en": "https://en.yna.co.kr", "ko": "https://www.yna.co.kr", "ap": "https://apnews.com"}
PAGES = story_pages("yonhap_en") + story_pages("yonhap_ko")
AP_PAGES = story_pages("apnews")
TABLE_STORY = next(p for p in PAGES if p.path == "/view/AEN20250311006000320")

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


def _edition(page: Page) -> str:
    return page.file.split("/", 1)[0]


def _filled(page: Page) -> bytes:
    base = HOSTS[_edition(page)]
    return page.body.replace(b"{{BASE}}", base.encode()).replace(b"{{HOST}}", base.removeprefix("https://").encode())


def _parse(page: Page) -> dict:
    return parse_page(_filled(page), url=HOSTS[_edition(page)] + page.path)


@pytest.fixture(scope="module")
def records() -> dict[str, dict]:
    return {page.path: _parse(page) for page in PAGES}


def test_every_story_of_the_site_is_checked() -> None:
    assert len(PAGES) >= 30 and len(AP_PAGES) >= 3  # the loops below are not vacuous


def test_every_article_parses_with_the_site_parser(records: dict[str, dict]) -> None:
    for page in PAGES:
        record, edition, name = records[page.path], _edition(page), page.path
        assert record["parser"]["name"] == f"yonhap_{edition}", name
        assert record["url"] == HOSTS[edition] + page.path, name
        assert record["language"] == edition, name
        assert record["title"] and "Yonhap" not in record["title"], name
        assert record["section"] and record["keywords"], name
        assert record["published_at"].endswith("+09:00"), name
        assert record["updated_at"] is None or record["updated_at"].endswith("+09:00")
        assert record["body"], name
        body = "\n".join(record["body"])
        for junk in JUNK:
            assert junk not in body, (name, junk)
        assert not any(p.startswith("#") for p in record["body"]), name
        assert not LABELS & {p.strip().lower() for p in record["body"]}, name
        for image in record["images"]:
            assert image["url"].startswith(HOSTS[edition]), name
            assert image["caption"] is None or image["caption"] not in body


def test_english_stories_open_with_their_dateline(records: dict[str, dict]) -> None:
    for page in PAGES:
        record = records[page.path]
        if _edition(page) != "en" or record["dateline"] is None:
            continue
        assert record["dateline"]["agency"] == "Yonhap", page.path
        assert record["body"][0].startswith(record["dateline"]["city"] + ", "), page.path
        for author in record["authors"]:
            assert not any(p.startswith(f"By {author}") for p in record["body"]), page.path


def test_table_rows_are_body_paragraphs_in_document_order() -> None:
    record = _parse(TABLE_STORY)
    html = TABLE_STORY.body.decode("utf-8")
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


def test_updates_share_their_first_versions_id(records: dict[str, dict]) -> None:
    by_id: dict[str, list[dict]] = defaultdict(list)
    for record in records.values():
        by_id[record["id"]].append(record)
    updated = [versions for versions in by_id.values() if len(versions) > 1]
    assert updated, "the site is expected to carry (LEAD) updates of earlier stories"
    for versions in updated:
        assert len({r["content_hash"] for r in versions}) == len(versions)
        assert sum(r["update_flag"] is None or r["update_flag"] == "URGENT" for r in versions) >= 1


def test_ap_articles_go_to_the_generic_parser() -> None:
    for page in AP_PAGES:
        record = _parse(page)
        assert record["parser"]["name"] not in {"yonhap_en", "yonhap_ko", "text"}, page.path
        assert record["source"] == "apnews-com", page.path
        assert record["url"].startswith(f"{HOSTS['ap']}/article/"), page.path
        assert record["title"] and record["body"], page.path
        assert "(END)" not in "\n".join(record["body"]), page.path

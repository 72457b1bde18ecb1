"""The Yonhap parsers on every article page of the bundled fixture wire site.

The site (``wiredesk/wiresite``) imitates the real markup; the demo and the
end-to-end tests crawl it, so every article there must parse cleanly with
the site parser, and each update must share the id of its first version.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from parsers import parse_page

SITE = Path(__file__).resolve().parents[2] / "wiredesk" / "wiresite" / "site"
HOSTS = {"en": "https://en.yna.co.kr", "ko": "https://www.yna.co.kr"}
PAGES = sorted(p for edition in HOSTS for p in (SITE / edition / "view").glob("*.html"))


def _parse(page: Path) -> dict:
    edition = page.parent.parent.name
    return parse_page(page.read_bytes(), url=f"{HOSTS[edition]}/view/{page.stem}")


@pytest.mark.skipif(not PAGES, reason="bundled wire site has no article pages")
def test_every_article_parses_with_the_site_parser() -> None:
    for page in PAGES:
        record = _parse(page)
        edition = page.parent.parent.name
        assert record["parser"]["name"] == f"yonhap_{edition}", page.name
        assert record["body"] and record["published_at"], page.name
        body = "\n".join(record["body"])
        for junk in ("(END)", "@yna.co.kr", "Most Viewed", "Copyright", "저작권자"):
            assert junk not in body, (page.name, junk)
        assert not any(p.startswith("#") for p in record["body"]), page.name
        for image in record["images"]:
            assert image["caption"] is None or image["caption"] not in body


@pytest.mark.skipif(not PAGES, reason="bundled wire site has no article pages")
def test_updates_share_their_first_versions_id() -> None:
    by_id: dict[str, list[dict]] = defaultdict(list)
    for page in PAGES:
        record = _parse(page)
        by_id[record["id"]].append(record)
    updated = [records for records in by_id.values() if len(records) > 1]
    assert updated, "the site is expected to carry (LEAD) updates of earlier stories"
    for records in updated:
        assert len({r["content_hash"] for r in records}) == len(records)
        assert sum(r["update_flag"] is None or r["update_flag"] == "URGENT" for r in records) >= 1

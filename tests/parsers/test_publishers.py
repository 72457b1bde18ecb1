"""The publisher table: a known publisher's headline field wins over the vote."""

from __future__ import annotations

from datetime import date

import pytest

from parsers.generic import GenericParser
from parsers.publishers import PUBLISHERS, Publisher, publisher_for
from tests.parsers.test_generic import jsonld, page

SEO = "Heated airers compared: the twelve best for 2025, tried and tested"
PRINTED = "The airer that dried a week of laundry in a night"


def split_page() -> str:
    """JSON-LD and <title> carry the SEO headline, OpenGraph and <h1> the printed one."""
    head = (
        f"<title>{SEO}</title>"
        f'<meta property="og:title" content="{PRINTED}">'
        + jsonld({"@type": "NewsArticle", "headline": SEO, "datePublished": "2025-03-04T09:00:00Z"})
    )
    return page(head=head, body_top=f"<h1>{PRINTED}</h1>")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.telegraph.co.uk/recommended/home/airers/", PRINTED),  # house rule: og:title
        ("https://www.wired.com/story/airers/", SEO),  # house rule: JSON-LD headline
        # unknown: the weighted vote, where the printed <h1> a field confirms wins
        ("https://courier.example.org/2025/03/04/airers", PRINTED),
    ],
)
def test_the_publishers_field_decides_a_split_headline(url: str, expected: str) -> None:
    assert GenericParser().parse(split_page(), url=url).title == expected


def test_a_missing_house_field_falls_back_to_the_vote() -> None:
    head = f"<title>{SEO}</title>" + jsonld({"@type": "NewsArticle", "headline": SEO})
    article = GenericParser().parse(page(head=head), url="https://www.telegraph.co.uk/news/x/")
    assert article.title == SEO  # no og:title on the page


def test_versions_are_chosen_by_day_and_subdomains_match() -> None:
    assert publisher_for("https://www.mdr.de/nachrichten/a.html", date(2023, 4, 28)).title == "jsonld"
    assert publisher_for("https://www.mdr.de/nachrichten/a.html", date(2026, 7, 8)).title == "h1"
    assert publisher_for("https://www.mdr.de/nachrichten/a.html").title == "h1"  # newest
    assert publisher_for("https://sport.kicker.de/a").name == "kicker"
    assert publisher_for("https://notkicker.de/a") is None
    assert publisher_for("https://example.org/a") is None and publisher_for(None) is None


def test_the_day_of_a_split_page_picks_the_version() -> None:
    head_old = (
        f'<meta property="og:title" content="{PRINTED}">'
        + jsonld({"@type": "NewsArticle", "headline": SEO, "datePublished": "2023-04-28T10:00:00+02:00"})
    )
    old = GenericParser().parse(page(head=head_old, body_top=f"<h1>{PRINTED}</h1>"), url="https://www.mdr.de/a.html")
    assert old.title == SEO  # MDR's pages before its redesign: JSON-LD headline
    new = GenericParser().parse(
        page(head=head_old, body_top=f"<h1>{PRINTED}</h1>"),
        url="https://www.mdr.de/a.html",
        reference_date=date(2026, 7, 8),
    )
    assert new.title == PRINTED  # after it: the printed <h1>


def test_entries_name_known_fields_and_versions_are_ordered() -> None:
    with pytest.raises(ValueError, match="unknown title field"):
        Publisher("x", ("x.org",), "headline")
    by_name: dict[str, list[Publisher]] = {}
    for entry in PUBLISHERS:
        by_name.setdefault(entry.name, []).append(entry)
    for entries in by_name.values():
        ends = [e.valid_until for e in entries]
        assert ends[-1] is None, "the newest version of a publisher is open-ended"
        assert ends[:-1] == sorted(ends[:-1]), "versions are listed oldest first"

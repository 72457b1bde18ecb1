"""The generic parser on publishers it has never seen: one small page per failure kind.

Every page is written for these tests (made-up sites, towns and people).
They pin what must hold without any per-publisher entry: site names cut by
evidence on the page in any script and with any separator, the site's name
never taken as the headline, the printed headline over an SEO title, bylines
read from the visible text, the page's own UTC offset, and characters kept
as published.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from parsers import parse_page
from parsers.generic import GenericParser
from parsers.metadata import choose_title, strip_site_name
from tests.parsers.test_generic import STORY, jsonld, page


@pytest.fixture
def parser() -> GenericParser:
    return GenericParser(publisher_table=False)


@pytest.mark.parametrize(
    ("title", "site", "expected"),
    [
        ("Ferry to reopen — Brindle Post", "Brindle Post", "Ferry to reopen"),
        ("渡し船が再開へ｜ブリンドル新報", "ブリンドル新報", "渡し船が再開へ"),
        ("渡し船が再開へ：ブリンドル新報", "ブリンドル新報", "渡し船が再開へ"),
        ("Ferry to reopen:brindlepost開発日誌", "brindlepost開発日誌", "Ferry to reopen"),
        ("渡轮将恢复！-布林德尔网", "布林德尔网", "渡轮将恢复！"),
        ("Паром снова в строю » Бриндл Пост", "Бриндл Пост", "Паром снова в строю"),
        ("Brindle Post | Ferry to reopen", "Brindle Post", "Ferry to reopen"),
        ("Vote - a close call", "Brindle Post", "Vote - a close call"),
        ("Baden-Baden votes", "Baden", "Baden-Baden votes"),
    ],
)
def test_site_names_are_cut_in_any_script_and_separator(title, site, expected):
    assert strip_site_name(title, site, None) == expected


def test_a_short_host_name_inside_a_word_is_not_a_site_name():
    # "br" of br.example is inside "Missbrauch": not the site's name
    title = "Kirche: Landeskirche will Missbrauch aufarbeiten"
    assert strip_site_name(title, None, "https://br.example/a") == title


def test_the_part_repeated_across_title_fields_is_the_headline(parser):
    head = (
        '<meta property="og:title" content="Ferry landing to reopen">'
        "<title>Ferry landing to reopen ~ Notes from the Harbour</title>"
    )
    article = parser.parse(
        page(head=head, body_top="<h1>Ferry landing to reopen</h1>"), url="https://n.example/a"
    )
    assert article.title == "Ferry landing to reopen"


def test_the_sites_own_name_is_never_the_headline(parser):
    head = (
        '<meta property="og:site_name" content="브린들뉴스TV">'
        '<meta property="og:title" content="브린들뉴스TV">'
        "<title>브린들뉴스TV</title>"
    )
    article = parser.parse(
        page(head=head, body_top="<h1>나루터 다시 연다</h1>", lang="ko"),
        url="https://tv.example/a",
    )
    assert article.title == "나루터 다시 연다"


def test_the_printed_headline_beats_a_single_seo_title(parser):
    head = "<title>Ferry Brindle 2024: prices, times, reopening date</title>"
    article = parser.parse(
        page(head=head, body_top="<h1>After nine years, the ferry is coming back</h1>"),
        url="https://n.example/a",
    )
    assert article.title == "After nine years, the ferry is coming back"


def test_a_kicker_only_h1_does_not_cut_the_headline():
    sources = {
        "jsonld": "Harbour: Ferry landing to reopen",
        "document": "Harbour: Ferry landing to reopen",
        "h1": "Harbour",
    }
    assert choose_title(sources) == "Harbour: Ferry landing to reopen"


def test_curly_quotes_and_dashes_are_kept_as_printed(parser):
    head = (
        jsonld({"@type": "NewsArticle", "headline": "It's back - the ferry \"returns\""})
        + "<title>It's back - the ferry \"returns\"</title>"
    )
    article = parser.parse(
        page(head=head, body_top="<h1>It’s back – the ferry “returns”</h1>"),
        url="https://n.example/a",
    )
    assert article.title == "It’s back – the ferry “returns”"
    curly = ["“We waited nine years,” said Ána Brück – the ferry’s skipper – on Tuesday. " * 3]
    article = parser.parse(
        page(body_top="<h1>Ferry</h1>", paragraphs=curly + STORY), url="https://n.example/b"
    )
    assert article.body[0] == curly[0].strip()


def test_entities_are_decoded_once(parser):
    head = '<meta property="og:title" content="Salt &amp;amp; pepper ferry">'
    article = parser.parse(page(head=head), url="https://n.example/a")
    assert article.title == "Salt &amp; pepper ferry"  # what the page's markup says


def test_a_byline_only_in_the_visible_text(parser):
    body = ["By Mara Oakes and Tomas Vell", *STORY]
    article = parser.parse(page(body_top="<h1>Ferry</h1>", paragraphs=body), url="https://n.example/a")
    assert article.authors == ["Mara Oakes", "Tomas Vell"]
    assert article.body[0] == STORY[0]


def test_agency_credits_are_kept_apart_from_people(parser):
    head = jsonld({"@type": "NewsArticle", "headline": "Ferry", "author": "Mara Oakes, AP"})
    article = parser.parse(page(head=head), url="https://n.example/a")
    assert article.authors == ["Mara Oakes"]


def test_names_keep_the_case_the_page_prints(parser):
    head = '<meta name="author" content="MARA OAKES"><title>Ferry</title>'
    article = parser.parse(page(head=head), url="https://n.example/a")
    assert article.authors == ["MARA OAKES"]


def test_the_pages_own_offset_is_kept(parser):
    head = (
        jsonld({"@type": "NewsArticle", "headline": "Ferry",
                "datePublished": "2024-03-05T01:30:00Z", "dateModified": "2024-03-05T02:00:00Z"})
        + '<meta property="article:published_time" content="2024-03-05T10:30:00+09:00">'
        + '<meta property="article:modified_time" content="2024-03-05T11:00:00+09:00">'
    )
    article = parser.parse(page(head=head), url="https://n.example/a")
    assert article.published_at.utcoffset() == timedelta(hours=9)
    assert article.published_at.isoformat() == "2024-03-05T10:30:00+09:00"
    assert article.updated_at.isoformat() == "2024-03-05T11:00:00+09:00"


def test_a_different_instant_does_not_borrow_an_offset(parser):
    head = (
        jsonld({"@type": "NewsArticle", "headline": "Ferry", "datePublished": "2024-03-05T01:30:00Z"})
        + '<meta property="article:published_time" content="2024-03-04T10:30:00+09:00">'
    )
    article = parser.parse(page(head=head), url="https://n.example/a")
    assert article.published_at.isoformat() == "2024-03-05T01:30:00+00:00"


def test_the_publisher_table_can_be_switched_off():
    head = (
        jsonld({"@type": "NewsArticle", "headline": "SEO ferry headline"})
        + "<title>SEO ferry headline</title>"
        + '<meta property="og:title" content="Printed ferry headline">'
    )
    html = page(head=head, body_top="<h1>Printed ferry headline</h1>")
    url = "https://www.telegraph.co.uk/news/ferry"  # a table entry: og holds the headline
    assert parse_page(html, url=url)["title"] == "Printed ferry headline"
    off = parse_page(html, url=url, publisher_table=False)["title"]
    assert off == choose_title(
        {"jsonld": "SEO ferry headline", "document": "SEO ferry headline",
         "og": "Printed ferry headline", "h1": "Printed ferry headline"}
    )


# -- bylines printed beside the headline ----------------------------------------


def test_a_byline_element_beside_the_headline(parser):
    top = (
        "<h1>Ferry landing to reopen</h1>"
        '<div class="story-meta__byline">By <a href="/author/mara-oakes">Mara Oakes</a>'
        ' and <a href="/author/tomas-vell">Tomas Vell</a></div>'
    )
    article = parser.parse(page(body_top=top), url="https://n.example/a")
    assert article.authors == ["Mara Oakes", "Tomas Vell"]


def test_a_von_line_after_the_headline_ends_at_its_line_break(parser):
    top = (
        "<h1>Fähre legt wieder an</h1>"
        "<p>Von <strong>Ána Brück</strong> und <strong>Jens Kolter</strong><br>"
        "Unterbrindel</p>"
    )
    article = parser.parse(page(body_top=top, lang="de"), url="https://n.example/a")
    assert article.authors == ["Ána Brück", "Jens Kolter"]


def test_a_label_then_the_name_in_its_own_element(parser):
    top = (
        "<h1>Ferry</h1><ul class='facts'><li><strong>Autorin/Autor</strong> Ána Brück</li>"
        "<li><strong>Datum</strong> 05.03.2024</li></ul>"
    )
    article = parser.parse(page(body_top=top, lang="de"), url="https://n.example/a")
    assert article.authors == ["Ána Brück"]


def test_dates_roles_and_labels_are_not_names(parser):
    top = (
        "<h1>Ferry</h1>"
        '<p class="byline__author">VON MARA OAKES am 21. April 2024</p>'
        '<p class="article-editor">Redaktion: Tomas Vell</p>'
    )
    article = parser.parse(page(body_top=top), url="https://n.example/a")
    assert article.authors == ["MARA OAKES"]
    top = '<h1>Ferry</h1><span class="author-name">Ána Brück Redakteurin</span>'
    article = parser.parse(page(body_top=top), url="https://n.example/b")
    assert article.authors == ["Ána Brück"]


def test_the_printed_byline_beats_a_metadata_name_the_page_never_shows(parser):
    head = '<meta name="author" content="cmsadmin7">'
    top = '<h1>Ferry</h1><span class="post-author"><a href="/author/x">Mara Oakes</a></span>'
    article = parser.parse(page(head=head, body_top=top), url="https://n.example/a")
    assert article.authors == ["Mara Oakes"]


def test_a_metadata_name_the_page_shows_is_kept_over_a_teaser_byline(parser):
    head = jsonld({"@type": "NewsArticle", "headline": "Ferry", "author": {"@type": "Person",
                                                                          "name": "Mara Oakes"}})
    top = (
        "<h1>Ferry</h1><div class='teaser'><a href='/other'>Bridge road</a>"
        "<div class='authors'>von <span>Tomas Vell</span></div></div>"
    )
    story = ["Mara Oakes reports from the harbour, where the council met on Tuesday.", *STORY]
    article = parser.parse(page(head=head, body_top=top, paragraphs=story), url="https://n.example/a")
    assert article.authors == ["Mara Oakes"]


def test_comment_authors_and_far_away_author_boxes_are_not_bylines(parser):
    comments = (
        "<section class='comments'><div class='comment-body'>"
        "<span class='comment-author'>Tomas Vell</span> says: great news</div></section>"
    )
    html = page(body_top="<h1>Ferry</h1>").replace("</article>", "</article>" + comments)
    assert parser.parse(html, url="https://n.example/a").authors == []


def test_an_agency_credit_goes_to_the_dateline_not_the_authors():
    head = jsonld({"@type": "NewsArticle", "headline": "Ferry", "author": "Mara Oakes, AP"})
    record = parse_page(page(head=head), url="https://n.example/a", publisher_table=False)
    assert record["authors"] == ["Mara Oakes"]
    assert record["dateline"] == {"city": None, "agency": "AP"}
    head = jsonld({"@type": "NewsArticle", "headline": "Ferry",
                   "author": {"@type": "Organization", "name": "dpa"}})
    record = parse_page(page(head=head), url="https://n.example/b", publisher_table=False)
    assert record["authors"] == []
    assert record["dateline"] == {"city": None, "agency": "dpa"}

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
from lxml import html as lxml_html

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
        # an elided compound is no seam; a guillemet closing a quotation is no seam
        ("Fähr- und Hafenamt öffnet - Brindle Post", "Brindle Post", "Fähr- und Hafenamt öffnet"),
        ("«Wir fahren wieder» - Brindle Post", "Brindle Post", "«Wir fahren wieder»"),
        ("« Nous repartons » - Brindle Post", "Brindle Post", "« Nous repartons »"),
        # a date or time stamp after the headline is no part of it
        ("Fähre fährt wieder : 06.11.2023, 11.41 Uhr", None, "Fähre fährt wieder"),
        # a kicker before a colon that merely opens with the site's name stays
        ("Brindle-Chef Oakes: Fähre fährt wieder", "Brindle", "Brindle-Chef Oakes: Fähre fährt wieder"),
        ("Brindle: Fähre fährt wieder", "Brindle", "Fähre fährt wieder"),
        # the site's name, then its tagline; a long last part is no tagline
        ("Ferry to reopen | Brindle Post | Read more now!", "Brindle Post", "Ferry to reopen"),
        ("Ferry - Brindle Post - what the harbour board decided on Tuesday", "Brindle Post",
         "Ferry - Brindle Post - what the harbour board decided on Tuesday"),
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


def test_the_printed_headline_beats_fields_agreeing_on_an_unprinted_one(parser):
    # every field repeats a rewritten SEO headline the page never prints
    seo = "Ferry chaos in the heat: old boats and cracked piers as big risks"
    head = (
        jsonld({"@type": "NewsArticle", "headline": seo})
        + f'<title>{seo}</title><meta property="og:title" content="{seo}">'
        + f'<meta name="twitter:title" content="{seo}">'
    )
    article = parser.parse(
        page(head=head, body_top="<h1>How the harbour prepares its boats for the next heatwave</h1>"),
        url="https://n.example/a",
    )
    assert article.title == "How the harbour prepares its boats for the next heatwave"


def test_fields_printed_on_the_page_or_a_stray_h1_keep_the_fields_headline(parser):
    seo = "Ferry chaos in the heat: old boats and cracked piers as big risks"
    head = f'<title>{seo}</title><meta property="og:title" content="{seo}">'
    # the fields' headline is printed (a teaser, a caption): the vote stands
    printed = parser.parse(
        page(head=head, body_top=f"<h1>How the harbour prepares its boats</h1><p>{seo}</p>"),
        url="https://n.example/a",
    )
    assert printed.title == seo
    # a blog theme printing other posts' titles as <h1> outside any article
    blog = f"""<html><head>{head}</head><body>
<div class="post"><h1>Council approves the new bridge road budget</h1></div>
<div class="post"><h1>Divers finish the survey of the old pier</h1></div>
<div class="entry">{"".join(f"<p>{p}</p>" for p in STORY)}</div></body></html>"""
    assert parser.parse(blog, url="https://n.example/b").title == seo


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


# -- headlines: the page's logo, kickers, printed headings ---------------------


def blog_page(head: str, top: str, article: str = "") -> str:
    """A blog template: the site's name in an <h1> logo, the post's title lower down."""
    paras = "".join(f"<p>{p}</p>" for p in STORY)
    return (
        f"<html lang='en'><head>{head}</head><body>"
        f"<header>{top}</header><div class='post'>{article}{paras}</div></body></html>"
    )


def test_a_logo_h1_is_the_sites_name_not_the_headline(parser):
    head = "<title>Ferry landing to reopen : Harbour Notes</title>"
    top = '<h1 class="logo"><a href="https://notes.example/">Harbour Notes</a></h1>'
    article = parser.parse(blog_page(head, top), url="https://notes.example/2024/ferry")
    assert article.title == "Ferry landing to reopen"
    top = '<h1><a href="/">Harbour Notes</a></h1>'  # a home link, no class
    article = parser.parse(blog_page(head, top), url="https://notes.example/2024/ferry")
    assert article.title == "Ferry landing to reopen"


def test_the_part_of_the_title_printed_as_a_heading_is_the_headline(parser):
    head = "<title>Ferry landing to reopen | Harbour Notes | Forum</title>"
    article = parser.parse(
        blog_page(head, "", "<h2 class='title'>Ferry landing to reopen</h2>"),
        url="https://n.example/a",
    )
    assert article.title == "Ferry landing to reopen"
    # no field names the site: the printed part alone tells; a share box that
    # prints the whole <title> again is no heading
    head = "<title>渡轮将恢复：码头重新开放！-布林德尔网</title>"
    article_top = (
        "<div class='share-title'>渡轮将恢复：码头重新开放！-布林德尔网</div>"
        "<div class='h-title'>渡轮将恢复：码头重新开放！</div>"
    )
    article = parser.parse(blog_page(head, "", article_top), url="https://n.example/b")
    assert article.title == "渡轮将恢复：码头重新开放！"


def test_a_kicker_inside_the_h1_is_left_out(parser):
    head = "<title>Ferry landing to reopen | Brindle Post</title>"
    for h1 in (
        '<h1><span class="dachzeile">Harbour works</span> <span>Ferry landing to reopen</span></h1>',
        '<h1><span class="kicker">Harbour works</span>Ferry landing to reopen</h1>',
        "<h1><small>Harbour works</small><br>Ferry landing to reopen</h1>",
        "<h1>Ferry landing to reopen<br><small>4 March 2024 | Local</small></h1>",
    ):
        article = parser.parse(page(head=head, body_top=h1), url="https://n.example/a")
        assert article.title == "Ferry landing to reopen", h1


def test_an_h1_in_a_breadcrumb_is_not_the_headline(parser):
    head = jsonld({"@type": "NewsArticle", "headline": "Harbour works: Ferry landing to reopen"})
    head += '<meta property="og:title" content="Harbour works: Ferry landing to reopen">'
    crumb = "<ol class='crumbs'><li><a href='/'>Home</a></li><li><h1>Ferry landing</h1></li></ol>"
    article = parser.parse(page(head=head, body_top=crumb), url="https://n.example/a")
    assert article.title == "Harbour works: Ferry landing to reopen"


def test_a_printed_h1_a_field_rewords_outweighs_the_seo_and_social_fields(parser):
    seo = "Ferry Brindle: council votes to reopen landing"
    head = (
        jsonld({"@type": "NewsArticle", "headline": seo})
        + f'<meta property="og:title" content="{seo}">'
        + "<title>The Ferry Is Actually Coming Back | Brindle Post</title>"
    )
    h1 = "<h1>Wait, is the ferry actually coming back?</h1>"
    article = parser.parse(page(head=head, body_top=h1), url="https://n.example/a")
    assert article.title == "Wait, is the ferry actually coming back?"
    # an <h1> no field shares words with (a section label) does not
    article = parser.parse(page(head=head, body_top="<h1>Local news</h1>"), url="https://n.example/b")
    assert article.title == seo


def test_a_long_application_name_is_not_the_sites_name(parser):
    headline = "Ferry landing to reopen after nine years, council says"
    head = f'<meta name="application-name" content="{headline}"><title>{headline}</title>'
    article = parser.parse(page(head=head, body_top=f"<h1>{headline}</h1>"), url="https://n.example/a")
    assert article.title == headline


# -- publication dates -----------------------------------------------------------


def test_dotted_dates_are_day_first():
    from parsers.dates import parse_datetime

    assert parse_datetime("10.12.2022, 07:00:03").isoformat() == "2022-12-10T07:00:03+00:00"


def test_an_ambiguous_slash_date_is_not_after_the_last_change(parser):
    head = (
        '<meta property="article:published_time" content="10/05/2022 05:22 pm">'
        '<meta property="article:modified_time" content="2022/05/10 17:36:11">'
    )
    article = parser.parse(page(head=head, body_top="<h1>Ferry</h1>"), url="https://n.example/a")
    assert article.published_at.date().isoformat() == "2022-05-10"


def test_fields_far_apart_are_settled_by_the_date_the_page_prints(parser):
    head = (
        jsonld({"@type": "NewsArticle", "headline": "Ferry", "datePublished": "2021-12-06T14:36:00Z"})
        + '<meta property="article:published_time" content="2022-12-15T09:13:00+01:00">'
    )
    top = "<h1>Ferry</h1><p class='meta'>Mara Oakes, 15.12.2022</p>"
    article = parser.parse(page(head=head, body_top=top), url="https://n.example/a")
    assert article.published_at.isoformat() == "2022-12-15T09:13:00+01:00"
    # nothing printed: the first field stands
    article = parser.parse(page(head=head, body_top="<h1>Ferry</h1>"), url="https://n.example/b")
    assert article.published_at.isoformat() == "2021-12-06T14:36:00+00:00"


def test_a_utc_stamp_takes_the_offset_of_the_local_time_the_page_prints(parser):
    head = jsonld({"@type": "NewsArticle", "headline": "Ferry", "datePublished": "2022-05-04T00:25:56Z"})
    top = "<h1>Ferry</h1><p class='meta'>3 de mayo de 2022 21:25</p>"
    article = parser.parse(page(head=head, body_top=top, lang="es"), url="https://n.example/a")
    assert article.published_at.isoformat() == "2022-05-03T21:25:56-03:00"
    top = "<h1>Ferry</h1><p class='meta'>May 3, 2022 | 8:25pm</p>"
    article = parser.parse(page(head=head, body_top=top), url="https://n.example/b")
    assert article.published_at.isoformat() == "2022-05-03T20:25:56-04:00"
    # date and time in elements of their own, with no space between them
    top = "<h1>Ferry</h1><p class='meta'><span>3 de mayo de 2022</span><span>21:25</span></p>"
    article = parser.parse(page(head=head, body_top=top, lang="es"), url="https://n.example/d")
    assert article.published_at.isoformat() == "2022-05-03T21:25:56-03:00"
    # a printed time that is no real offset away (here 21:40) changes nothing
    top = "<h1>Ferry</h1><p class='meta'>3 May 2022 21:40</p>"
    article = parser.parse(page(head=head, body_top=top), url="https://n.example/c")
    assert article.published_at.isoformat() == "2022-05-04T00:25:56+00:00"


# -- story text -----------------------------------------------------------------


def test_a_date_without_a_time_is_no_publication_stamp(parser):
    body = [*STORY[:2], "Termin: 29.02.2020, 19 Uhr", "Friday, 22 October 2010, 20:13", *STORY[2:]]
    article = parser.parse(page(body_top="<h1>Ferry</h1>", paragraphs=body), url="https://n.example/a")
    assert "Termin: 29.02.2020, 19 Uhr" in article.body
    assert "Friday, 22 October 2010, 20:13" not in article.body


def test_a_short_precision_find_gives_way_to_a_far_longer_balanced_one(monkeypatch):
    from parsers import generic

    notice = ["Subscribe to our weekly harbour newsletter for news about the ferry and the pier."] * 2
    calls = []

    def fake_extract(tree, options):
        calls.append(options["favor_precision"])
        return notice if options["favor_precision"] else notice + STORY

    monkeypatch.setattr(generic, "_extract", fake_extract)
    assert generic._trafilatura_paragraphs(generic.parse_html(page())) == notice + STORY
    assert calls == [True, False]
    # a long precision find is trusted without a second pass
    calls.clear()
    monkeypatch.setattr(generic, "_extract", lambda tree, options: calls.append(1) or STORY * 3)
    generic._trafilatura_paragraphs(generic.parse_html(page()))
    assert calls == [1]


def test_a_style_block_inside_the_h1_is_no_part_of_the_headline(parser):
    h1 = (
        '<h1 class="css-1x"><style>.css-1x{font-size:16px;color:#707070}</style>'
        "Ferry landing to reopen next spring</h1>"
    )
    article = parser.parse(page(body_top=h1), url="https://n.example/a")
    assert article.title == "Ferry landing to reopen next spring"


@pytest.mark.parametrize(
    "h1",
    [
        # a label ending in a colon, the headline as the text after it
        "<h1><span>Council notice <span>:</span></span>Ferry landing to reopen next spring</h1>",
        # a label whose last word runs into the headline: shown on a line of its own
        "<h1><span>Harbour</span>Ferry landing to reopen next spring</h1>",
    ],
)
def test_a_label_set_apart_inside_the_h1_is_a_kicker(parser, h1):
    article = parser.parse(page(body_top=h1), url="https://n.example/a")
    assert article.title == "Ferry landing to reopen next spring"


def test_the_printed_headline_is_not_cut_to_a_shorter_field():
    # <title> states only the part after the dash; the <h1> and the social
    # cards state the whole: the printed text is not decoration around it
    full = "“Lost crossings” – a study of Brindle’s ferries"
    sources = {"og": full, "twitter": full, "document": "a study of Brindle’s ferries", "h1": full}
    assert choose_title(sources) == full


def test_a_label_the_page_never_prints_is_cut_from_the_fields(parser):
    head = (
        '<meta property="og:title" content="Press release: Ferry landing to reopen">'
        '<meta name="twitter:title" content="Press release: Ferry landing to reopen">'
        "<title>Press release: Ferry landing to reopen</title>"
    )
    article = parser.parse(
        page(head=head, body_top="<h1>Ferry landing to reopen</h1>"), url="https://n.example/a"
    )
    assert article.title == "Ferry landing to reopen"


def test_a_kicker_the_page_prints_stays_with_the_headline(parser):
    head = (
        '<meta property="og:title" content="Harbour vote: Ferry landing to reopen">'
        "<title>Harbour vote: Ferry landing to reopen</title>"
    )
    top = '<div class="topic">Harbour vote</div><h1>Ferry landing to reopen</h1>'
    article = parser.parse(page(head=head, body_top=top), url="https://n.example/a")
    assert article.title == "Harbour vote: Ferry landing to reopen"


def test_the_printed_headline_beats_every_field_repeating_an_seo_wording():
    seo = "Ferry Landing Reopening: Dates, Prices And What Changes"
    sources = {"jsonld": seo, "og": seo, "twitter": seo, "document": seo,
               "h1": "Ferry landing reopens: what changes for riders"}
    assert choose_title(sources) == "Ferry landing reopens: what changes for riders"


def test_an_h1_printing_only_the_fields_kicker_is_no_headline():
    full = "Harbour works: Ferry landing to reopen next spring"
    sources = {"jsonld": full, "og": full, "document": full, "h1": "Harbour works"}
    assert choose_title(sources) == full


@pytest.mark.parametrize(
    "h1",
    [
        # a label for screen readers only
        '<h1><span class="visuallyhidden">Story</span> Ferry landing to reopen next spring</h1>',
        '<h1>Ferry landing to reopen next spring<span class="sr-only"> (opens in a new tab)</span></h1>',
        # hidden by an attribute or an inline style
        '<h1>Ferry landing to reopen next spring<span hidden> | Brindle Courier</span></h1>',
        '<h1><span style="display: none">Top story: </span>Ferry landing to reopen next spring</h1>',
        # a kicker by its class, a subtitle printed inside the <h1> after the headline
        '<h1><span class="entry-title__toptitle">Harbour works</span> Ferry landing to reopen next spring</h1>',
        '<h1><span>Ferry landing to reopen next spring</span> '
        '<span class="entry-subtitle">What the council decided on Tuesday</span></h1>',
    ],
)
def test_text_the_h1_does_not_show_as_headline_is_left_out(parser, h1):
    article = parser.parse(page(body_top=h1), url="https://n.example/a")
    assert article.title == "Ferry landing to reopen next spring"


def test_a_meta_title_cut_at_an_unescaped_quote_is_mended(parser):
    # content="... de "unfit"" ends the attribute at the second quote
    head = (
        '<title>Senator calls the minister "unfit"</title>'
        '<meta property="og:title" content="Senator calls the minister "unfit"">'
        '<meta name="twitter:title" content="Senator calls the minister "unfit"">'
    )
    article = parser.parse(page(head=head), url="https://n.example/a")
    assert article.title == 'Senator calls the minister "unfit"'


@pytest.mark.parametrize(
    ("field", "printed"),
    [
        # an issue tag the page does not print is left off
        ("The historic somersault (2021/5)", "<header><h2>The historic somersault</h2></header>"),
        # the heading's dash, where the fields' copy straightened it
        ("Corsets - shops, designers, buying online", "<h2>Corsets – shops, designers, buying online</h2>"),
    ],
)
def test_a_field_title_is_taken_as_the_heading_prints_it(parser, field, printed):
    head = f'<title>{field}</title><meta property="og:title" content="{field}">'
    article = parser.parse(blog_page(head, "", printed), url="https://n.example/a")
    assert article.title == lxml_html.fromstring(printed).text_content()


@pytest.mark.parametrize(
    "head",
    [
        '<meta property="og:title" content="Ferry landing to reopen next spring, Brindle">',
        # a field with a suffix no site name explains still tells the story's <h1>
        "<title>Ferry landing to reopen next spring - Harbour Rowing Club of Lower Brindle</title>",
    ],
)
def test_of_several_h1_the_one_the_fields_confirm_is_the_headline(parser, head):
    top = "<h1 class='place'>Harbourside</h1><h1 class='page-title'>Ferry landing to reopen next spring</h1>"
    article = parser.parse(page(head=head, body_top=top), url="https://n.example/a")
    assert article.title == "Ferry landing to reopen next spring"


def test_a_two_word_h1_sharing_one_word_with_the_fields_is_not_confirmed():
    full = "The quietest end of the world: Montauk"
    sources = {"jsonld": full, "og": full, "document": "A blog for readers over forty",
               "h1": '"Downtown" Montauk'}
    assert choose_title(sources) == full


def test_with_no_h1_the_field_a_heading_prints_is_the_headline(parser):
    # the <h1> is a hidden copy for search engines; the reader sees an <h2>
    # with a kicker before the headline one field states
    head = (
        "<title>Ferry landing to reopen in May</title>"
        + jsonld({"@type": "NewsArticle", "headline": "Ferry landing to reopen in May"})
        + '<meta property="og:title" content="Ferry landing reopens – but the cafe stays shut">'
    )
    top = (
        '<h1 class="seotitle">Ferry landing to reopen in May</h1>'
        '<h2 class="title"><span class="kicker">Harbour works</span> – '
        "<span>Ferry landing reopens – but the cafe stays shut</span></h2>"
    )
    article = parser.parse(page(head=head, body_top=top), url="https://n.example/a")
    assert article.title == "Ferry landing reopens – but the cafe stays shut"


@pytest.mark.parametrize(
    ("h1_class", "expected"),
    [
        # "museo-title" is a museum page's heading, not a copy for search engines
        ("museo-title", "The harbour museum opens its doors again"),
        ("seo-title", "Harbour Museum Reopening: Dates And Prices"),
    ],
)
def test_seo_names_a_class_only_as_a_word_of_it(parser, h1_class, expected):
    head = "<title>Harbour Museum Reopening: Dates And Prices</title>"
    top = f'<h1 class="{h1_class}">The harbour museum opens its doors again</h1>'
    article = parser.parse(page(head=head, body_top=top), url="https://n.example/a")
    assert article.title == expected


def test_another_h1_opening_the_text_is_a_label_not_a_paragraph(parser):
    # "Press releases" printed as an <h1> above the story's own
    head = "<title>Ferry landing to reopen next spring - Harbour Rowing Club</title>"
    top = '<h1 class="section">Press releases</h1><h1>Ferry landing to reopen next spring</h1>'
    article = parser.parse(page(head=head, body_top=top), url="https://n.example/a")
    assert article.title == "Ferry landing to reopen next spring"
    assert article.body[0] == STORY[0]


def test_a_seam_with_nothing_beyond_it_is_no_part_of_the_title(parser):
    # a template filled "{headline} | Site" with an empty site name, or "Site - {headline}"
    # with an empty headline: the dangling separator goes
    for title in ("Ferry landing to reopen |", "- Ferry landing to reopen"):
        article = parser.parse(page(head=f"<title>{title}</title>"), url="https://n.example/a")
        assert article.title == "Ferry landing to reopen"


def test_a_themes_hatom_published_time_gives_the_pages_own_offset(parser):
    head = (
        "<title>Ferry landing to reopen</title>"
        '<meta property="article:published_time" content="2020-08-11T07:29:20+00:00">'
    )
    related = (
        '<ul class="related-posts"><li><article><h4>An older post</h4>'
        '<time class="published updated" datetime="2009-04-11T18:06:36+02:00">11 April 2009</time>'
        "</article></li></ul>"
    )
    own = (
        '<header class="entry-header"><time class="entry-date published" '
        'datetime="2020-08-11T09:29:20+02:00">11/08/2020</time></header>'
    )
    article = parser.parse(page(head=head, body_top=own + related), url="https://n.example/a")
    assert article.published_at.isoformat() == "2020-08-11T09:29:20+02:00"
    # a related post's date is never the story's, and states no offset for it
    article = parser.parse(page(head=head, body_top=related), url="https://n.example/a")
    assert article.published_at.isoformat() == "2020-08-11T07:29:20+00:00"

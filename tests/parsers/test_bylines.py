"""Bylines on small invented blog and news pages: who the generic parser names as author.

Every page here is written for these tests (made-up people, sites and
stories).  Each test pins one general property of bylines: where themes print
them, how they word them, and which nearby names belong to other people.
"""

from __future__ import annotations

import json

import pytest

from parsers.generic import GenericParser
from parsers.metadata import clean_author_names

STORY = [
    "The allotment society of Little Fenwick met on Saturday to decide what to do with "
    "the empty plot by the railway, which has stood unused since the last tenant moved "
    "to the coast and left a greenhouse full of tomato plants behind.",
    "After a long discussion about compost, water rights and the old shed, the members "
    "agreed to share the plot between the primary school and the beekeepers, who have "
    "promised to build a fence before the first hives arrive in April.",
    "The treasurer reminded everyone that the annual fee rises by two pounds next year, "
    "a change most members accepted without complaint once the tea had been served.",
]


def blog_page(
    *,
    head: str = "",
    header: str = "",
    before_story: str = "",
    article_footer: str = "",
    after_article: str = "",
    heading: str = '<h1 class="entry-title">Plot by the railway goes to school and bees</h1>',
    paragraphs: list[str] | None = None,
) -> str:
    """A blog-shaped page: site header, one post (header, text, footer), sidebar, footer."""
    paras = "\n".join(f"<p>{p}</p>" for p in (STORY if paragraphs is None else paragraphs))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Plot by the railway goes to school and bees</title>{head}</head>
<body>
<header class="site-header"><p class="site-title">Fenwick Notes</p>
<nav><a href="/">Home</a> <a href="/about">About</a></nav></header>
<div id="content">
<article class="post type-post">
<header class="entry-header">{heading}{header}</header>
<div class="entry-content">{before_story}
{paras}
</div>
<footer class="entry-meta">{article_footer}</footer>
</article>
{after_article}
</div>
<aside class="widget-area"><h3>Archive</h3><ul><li><a href="/2021/">2021</a></li></ul></aside>
<footer class="site-footer"><p>Fenwick Notes. Powered by a blog engine.</p></footer>
</body></html>"""


def authors(html: str, url: str = "https://fenwick-notes.example/2021/03/plot/") -> list[str]:
    return GenericParser().parse(html, url=url).authors


def jsonld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


COMMENTS = """
<div id="comments" class="comments-area"><ol class="comment-list">
<li class="comment byuser comment-author-pbrook bypostauthor">
<article class="comment-body"><footer class="comment-meta">
<div class="comment-author vcard"><b class="fn">Peter Brook</b> says:</div></footer>
<div class="comment-content"><p>Lovely news for the bees, well done everyone.</p></div>
</article></li></ol></div>
"""


# -- where themes print the byline ----------------------------------------


def test_wordpress_author_vcard_in_entry_meta():
    html = blog_page(
        header='<div class="entry-meta"><span class="posted-on">March 3, 2021</span> '
        '<span class="byline">by <span class="author vcard">'
        '<a class="url fn n" href="/author/ada/">Ada Lindqvist</a></span></span></div>',
        after_article=COMMENTS,
    )
    assert authors(html) == ["Ada Lindqvist"]


def test_posted_by_in_the_posts_own_footer():
    # the post's <footer> inside <article> is the post's, not the page's chrome
    html = blog_page(article_footer="<p>Posted by Tomas Greer in Gardening</p>")
    assert authors(html) == ["Tomas Greer"]


def test_posted_by_with_time_under_an_h2_title():
    # blog themes print the post title as <h2> and no <h1> at all
    html = blog_page(
        heading='<h2 class="post-title">Plot by the railway goes to school and bees</h2>',
        header='<div class="post-header">Posted by Maren Holt at 10:12 AM</div>',
    )
    assert authors(html) == ["Maren Holt"]


def test_several_authors_in_one_byline():
    html = blog_page(header="<p>By Ada Lindqvist, Tomas Greer and Maren Holt</p>")
    assert authors(html) == ["Ada Lindqvist", "Tomas Greer", "Maren Holt"]


def test_label_alone_labels_the_following_line():
    html = blog_page(header='<div class="meta"><h5>Author:</h5>Ines Marlow<br></div>')
    assert authors(html) == ["Ines Marlow"]


def test_text_credit_keeps_the_writer_not_the_illustrator():
    html = blog_page(before_story="<p>Text von Ines Marlow Illustration von Olaf Brenner</p>")
    assert authors(html) == ["Ines Marlow"]


def test_verfasst_von_label():
    html = blog_page(header="<small>Verfasst von: Ines Marlow | 3. März 2021</small>")
    assert authors(html) == ["Ines Marlow"]


def test_bare_name_paragraph_opening_the_story():
    html = blog_page(paragraphs=["Hanna Evers", *STORY])
    assert authors(html) == ["Hanna Evers"]


def test_bare_phrase_opening_with_a_determiner_is_no_name():
    html = blog_page(paragraphs=["The Big Day", *STORY])
    assert authors(html) == []


# -- names that belong to other people -------------------------------------


def test_comment_author_is_not_the_author():
    html = blog_page(after_article=COMMENTS)
    assert authors(html) == []


def test_author_box_of_a_related_story_is_not_the_author():
    related = """
<section class="related-posts"><h2>You may also like</h2>
<article class="post"><h3><a href="/2021/02/bees/">Bees return to the orchard</a></h3>
<div class="author-box"><span class="author vcard"><a class="url fn n" href="/author/olaf/">
Olaf Brenner</a></span><p class="author-bio">Olaf keeps bees.</p></div></article></section>
"""
    html = blog_page(after_article=related)
    assert authors(html) == []


def test_agency_credit_kept_apart_from_people():
    article = GenericParser().parse(
        blog_page(header="<p>By Mara Oakes, AP</p>"), url="https://fenwick-notes.example/plot/"
    )
    assert article.authors == ["Mara Oakes"]
    assert article.dateline is not None and article.dateline.agency == "AP"


def test_metadata_editor_gives_way_to_the_printed_byline():
    # the metadata's name is printed only as the editor's: the byline names the writer
    head = jsonld({"@context": "https://schema.org", "@type": "NewsArticle",
                   "headline": "Plot by the railway goes to school and bees",
                   "author": {"@type": "Person", "name": "Rolf Danner"}})
    html = blog_page(
        head=head,
        header='<div class="info"><span class="author">Hanna Evers</span>'
        '<div class="editor">Editor : Rolf Danner</div></div>',
    )
    assert authors(html) == ["Hanna Evers"]


def test_editorial_desk_is_not_a_person():
    html = blog_page(header="<p>By Redaktion Fenwick Notes</p>")
    assert authors(html) == []
    # but the desk the byline prints is credited as an organisation
    parsed = GenericParser().parse(html, url="https://fenwick-notes.example/2021/03/plot/")
    assert parsed.author_organisations == ["Redaktion Fenwick Notes"]


# -- personal sites: the owner's name is a person's ------------------------


def test_handle_on_a_shared_blog_host():
    # the subdomain of a blog host is the writer's handle, not a publication
    html = blog_page(
        header='<span class="byline">by <span class="author vcard">'
        '<a class="url fn n" href="/author/adalind/">adalind</a></span></span>'
    )
    assert authors(html, url="https://adalind.blogs.example/2021/03/plot/") == ["adalind"]


def test_owner_of_a_site_named_in_the_possessive():
    head = "<meta property=\"og:site_name\" content=\"Tomas Greer's Notebook\">"
    html = blog_page(head=head, header='<p class="byline">By Tomas Greer</p>')
    assert authors(html, url="https://tomasgreer.example/plot/") == ["Tomas Greer"]


def test_person_publisher_names_the_site_after_its_owner():
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "@id": "https://majaolsen.example/#website", "name": "Maja Olsen"},
        {"@type": "Person", "@id": "https://majaolsen.example/#/schema/person/1",
         "name": "Maja Olsen"},
        {"@type": "Article", "headline": "Plot by the railway goes to school and bees",
         "author": {"@id": "https://majaolsen.example/#/schema/person/1"},
         "publisher": {"@id": "https://majaolsen.example/#/schema/person/1"}},
    ]}
    html = blog_page(head=jsonld(graph) + '<meta property="og:site_name" content="Maja Olsen">')
    assert authors(html, url="https://majaolsen.example/plot/") == ["Maja Olsen"]


def test_publication_named_in_the_byline_is_still_no_author():
    head = '<meta property="og:site_name" content="Fenwick Courier">'
    html = blog_page(head=head, header="<p>By Fenwick Courier</p>")
    assert credits(html, url="https://fenwickcourier.example/plot/") == (
        [], ["Fenwick Courier"], None)


# -- cleaning -----------------------------------------------------------------


def test_cleaning_keeps_names_as_printed():
    assert clean_author_names(["Published by jane roe"]) == ["jane roe"]
    assert clean_author_names(["Posted by JANE ROE in Politics"]) == ["JANE ROE"]
    assert clean_author_names(["Peter Maahn/SP-X"]) == ["Peter Maahn"]
    assert clean_author_names(["Zuletzt geändert am:"]) == []


def test_a_sentence_is_no_name():
    assert clean_author_names(["Largest solar plant of the world opens in May"]) == []
    assert clean_author_names(["deinen Hochzeitsbloggern"]) == []


def test_a_dutch_and_between_two_names_is_no_category():
    from parsers.metadata import clean_author_names

    assert clean_author_names(["Door Jan de Vries en Piet Bakker"]) == ["Jan de Vries", "Piet Bakker"]


def test_author_markup_outranks_a_names_only_paragraph():
    # a names-only line is the weakest evidence: author markup elsewhere wins
    html = blog_page(
        paragraphs=["Hanna Evers", *STORY],
        after_article='<aside class="about"><a rel="author" href="/author/olaf/">Olaf Brandt</a></aside>',
    )
    assert authors(html) == ["Olaf Brandt"]


def test_a_team_after_a_spaced_dash_is_not_part_of_the_last_name():
    line = "Posted by Ada Brook, Tom Lee and Kiran C Nair - Allotment Safety team"
    assert clean_author_names([line]) == ["Ada Brook", "Tom Lee", "Kiran C Nair"]
    assert clean_author_names(["Jean-Luc Marchand"]) == ["Jean-Luc Marchand"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Autorin: Ada Brook, Projektleiterin der Hafenstiftung in Lower Brindle.", ["Ada Brook"]),
        ("By Tom Lee, head of research at the Brindle Harbour Trust", ["Tom Lee"]),
        ("Ada Brook, Pressesprecherin des Fährvereins", ["Ada Brook"]),
        # a name that merely opens with such a word stays a name
        ("By Ada Brook and Mina Head", ["Ada Brook", "Mina Head"]),
    ],
)
def test_a_role_phrase_after_the_name_names_no_one(line, expected):
    assert clean_author_names([line]) == expected


@pytest.mark.parametrize(
    "before_story",
    [
        "<p>Blog-Beitrag von Ada Brook</p>",
        "<p>Ein Beitrag von Ada Brook</p>",
        "<p>A guest post by Ada Brook</p>",
    ],
)
def test_a_line_naming_the_post_and_its_writer(before_story):
    assert authors(blog_page(before_story=before_story)) == ["Ada Brook"]


def test_a_plural_author_label_without_a_colon():
    html = blog_page(paragraphs=[*STORY, "Autoren Ada Brook und Tom Lee"])
    assert authors(html) == ["Ada Brook", "Tom Lee"]


def test_a_profile_link_in_the_running_text_is_no_byline():
    sentence = ('<p>The plot was dug by <a href="/profil/ada-brook/">Ada Brook</a>, who has kept '
                "bees by the railway for eleven years and now teaches the school's pupils how "
                "to look after the hives through the winter.</p>")
    assert authors(blog_page(before_story=sentence)) == []
    byline = '<p>Von <a href="/profil/tom-lee/">Tom Lee</a>, 3. März 2021</p>'
    assert authors(blog_page(header=byline, before_story=sentence)) == ["Tom Lee"]


def test_the_printed_byline_adds_the_co_authors_a_single_meta_author_leaves_out():
    head = '<meta name="author" content="Ada Brook">'
    header = '<span class="vcard author"><span class="fn">By Ada Brook, Tom Lee</span></span>'
    assert authors(blog_page(head=head, header=header)) == ["Ada Brook", "Tom Lee"]


def test_a_first_name_in_the_metadata_takes_the_printed_full_name():
    head = jsonld({"@type": "BlogPosting", "headline": "Plot by the railway goes to school and bees",
                   "author": {"@type": "Person", "name": "Ada"}})
    header = "<div><p class='label'><strong>By</strong></p></div><div><p class='full-name'>Ada Brook</p></div>"
    assert authors(blog_page(head=head, header=header)) == ["Ada Brook"]


def test_a_teaser_card_marked_with_author_is_not_a_byline():
    teasers = (
        '<div class="card-content withAuthor"><h3 class="article-section"><a href="/garden/">Garden</a></h3>'
        '<h2><a href="/other">Another story</a></h2></div>'
    )
    header = '<div class="article-author"><a href="/author/ada-brook/">Ada Brook</a></div>'
    assert authors(blog_page(before_story="", header=teasers + header)) == ["Ada Brook"]


def test_a_section_link_in_the_breadcrumb_is_not_an_author_page():
    crumbs = '<div class="breadcrumb"><a href="/">Home</a> &gt; <a href="/people/real-life">Real Life</a></div>'
    assert authors(blog_page(header=crumbs)) == []


def test_a_byline_with_a_time_after_the_name_is_no_labelled_credit():
    header = "<p class='postmeta'>von tessa am 26/10/13, 03:48 pm</p>"
    assert authors(blog_page(header=header)) == ["tessa"]


def test_a_names_only_heading_over_the_text_is_no_signature():
    # the same two capitalised words as a paragraph sign the story; as a heading
    # they title a section ("Downloading Python"), and name nobody
    assert authors(blog_page(paragraphs=["Hanna Evers", *STORY])) == ["Hanna Evers"]
    html = blog_page(before_story="<h2>Hanna Evers</h2>")
    assert authors(html) == []


def test_a_dated_line_beside_the_headline_names_the_author():
    header = '<div class="meta"><span class="field-content">25.10.2022 - Ada Brook</span></div>'
    assert authors(blog_page(header=header)) == ["Ada Brook"]
    # a date and a time is no byline
    assert authors(blog_page(header='<span class="date">25.10.2022 - 08:13 Uhr</span>')) == []


def test_a_month_left_after_a_name_by_a_cut_date_is_dropped():
    assert clean_author_names(["By Ada Brook September 12, 2019"]) == ["Ada Brook"]
    assert clean_author_names(["Ada Brook Sept."]) == ["Ada Brook"]


def test_the_byline_beside_a_story_h1_inside_a_list_is_still_found():
    # some templates print the story's <h1> inside an <ol>, which the headline
    # finder leaves alone; the byline is found beside it all the same
    head = "<title>Plot by the railway goes to school and bees</title>"
    html = blog_page(
        head=head,
        heading="<ol><li><h1>Allotments: Plot by the railway goes to school and bees</h1></li></ol>",
        header="<p><strong>Von <span>Ada Brook</span>, Fenwick</strong></p>",
    )
    assert "Ada Brook" in authors(html)


# -- organisations credited as author: kept beside the people, never among them ----------


def credits(html: str, url: str = "https://fenwickcourier.example/2021/03/plot/") -> tuple:
    parsed = GenericParser().parse(html, url=url)
    agency = parsed.dateline.agency if parsed.dateline else None
    return parsed.authors, parsed.author_organisations, agency


COURIER = '<meta property="og:site_name" content="Fenwick Courier">'


def test_an_author_typed_as_an_organisation_is_credited_as_one():
    head = COURIER + jsonld({"@context": "https://schema.org", "@type": "NewsArticle",
                             "headline": "Plot by the railway goes to school and bees",
                             "author": {"@type": "NewsMediaOrganization",
                                        "name": "Redaktion Fenwick Courier"}})
    assert credits(blog_page(head=head)) == ([], ["Redaktion Fenwick Courier"], None)


def test_the_site_name_given_as_a_person_is_an_organisation():
    # CMSs fill a Person's name with the publication's when no reporter is credited
    head = COURIER + jsonld({"@context": "https://schema.org", "@type": "NewsArticle",
                             "author": {"@type": "Person", "name": "Fenwick Courier"}})
    assert credits(blog_page(head=head)) == ([], ["Fenwick Courier"], None)


def test_a_desk_beside_a_reporter_in_one_field_is_credited_beside_her():
    head = COURIER + '<meta name="author" content="Lena Brook, Redaktion Fenwick Courier">'
    assert credits(blog_page(head=head)) == (["Lena Brook"], ["Redaktion Fenwick Courier"], None)


def test_the_site_name_in_a_later_field_is_the_cms_default_not_a_credit():
    head = COURIER + jsonld({"@context": "https://schema.org", "@type": "NewsArticle",
                             "author": {"@type": "Person", "name": "Lena Brook"}}) + (
        '<meta name="author" content="Fenwick Courier">')
    assert credits(blog_page(head=head)) == (["Lena Brook"], [], None)


def test_a_news_agency_stays_in_the_dateline_and_a_url_is_no_credit():
    head = COURIER + jsonld({"@context": "https://schema.org", "@type": "NewsArticle",
                             "author": [{"@type": "Organization", "name": "Associated Press"}]})
    assert credits(blog_page(head=head)) == ([], [], "Associated Press")
    head = COURIER + '<meta name="author" content="https://social.example/fenwickcourier/">'
    assert credits(blog_page(head=head)) == ([], [], None)


def test_a_domain_credited_as_author_is_the_site():
    head = '<meta name="author" content="fenwick-courier.de, Fenwick, England">'
    assert credits(blog_page(head=head), url="https://www.fenwick-courier.de/plot/") == (
        [], ["fenwick-courier.de"], None)


def test_a_desk_in_author_markup_or_after_a_date_line_is_credited_when_no_person_is():
    # the byline block opens with the date; the desk is in rel=author markup further down
    header = ('<div class="byline">Thursday, 4 November 2021</div><div class="byline">by</div>'
              '<address class="article-author"><a rel="author" class="url fn n" '
              'href="/author/desk/">fenwick-courier.de Redaktion</a></address>')
    assert credits(blog_page(header=header), url="https://www.fenwick-courier.de/plot/") == (
        [], ["fenwick-courier.de Redaktion"], None)


def test_the_host_without_its_suffix_names_the_site():
    header = '<p class="byline">Article by:</p><p class="byline">fenwickcourier</p>'
    assert credits(blog_page(header=header), url="https://www.fenwickcourier.ch/plot/") == (
        [], ["fenwickcourier"], None)


@pytest.mark.parametrize("legal_form", ["GmbH", "e. V.", "e.V.", "SE", "AG", "Ltd.", "Inc."])
def test_a_company_by_its_legal_form_is_an_organisation(legal_form):
    head = COURIER + f'<meta name="author" content="Fenwick Bee Keepers {legal_form}">'
    assert credits(blog_page(head=head)) == ([], [f"Fenwick Bee Keepers {legal_form}"], None)
    # a person beside the company stays a person
    head = COURIER + f'<meta name="author" content="Lena Brook, Fenwick Bee Keepers {legal_form}">'
    assert credits(blog_page(head=head))[0] == ["Lena Brook"]


def test_the_credited_company_printed_without_its_legal_form_is_no_person():
    head = COURIER + '<meta name="author" content="Fenwick Bee Keepers e.V.">'
    header = '<span class="author">Fenwick Bee Keepers</span>'
    assert credits(blog_page(head=head, header=header)) == ([], ["Fenwick Bee Keepers e.V."], None)


@pytest.mark.parametrize("value", ["admin", "Super User", "publisher", "Unknown", "No Author", "Red.", "red"])
def test_a_cms_account_or_placeholder_is_no_author(value):
    assert clean_author_names([value]) == []


def test_a_gendered_plural_is_a_label_not_two_names():
    # "Autor/innen" is one word (authors of any gender), not "Autor" and "innen"
    assert clean_author_names(["Richtlinien für Autor/innen"]) == []
    assert clean_author_names(["Hinweise für Leser*innen"]) == []



# -- labelled credits far below the headline --------------------------------

#: a long story: its last paragraph sits well past where bylines beside the headline are looked for
LONG_STORY = STORY * 45


def test_a_text_credit_under_a_long_story_names_its_writer():
    html = blog_page(paragraphs=[*LONG_STORY, "<strong>Text:</strong> Ada Lindqvist"])
    assert authors(html) == ["Ada Lindqvist"]


def test_an_author_heading_in_the_meta_box_after_a_long_story():
    box = ('<section class="post-meta"><h4>Autor</h4>'
           '<p><a href="/profil/ada-lindqvist">Ada Lindqvist</a><b>, </b></p></section>')
    assert authors(blog_page(paragraphs=LONG_STORY, article_footer=box)) == ["Ada Lindqvist"]


def test_a_sidebar_author_widget_or_a_list_of_facts_names_no_writer():
    widget = ('<div class="sidebar"><div class="widget"><h2 class="widgettitle">Autor</h2>'
              '<ul><li><a href="/about/">Ada Lindqvist</a></li></ul></div></div>')
    assert authors(blog_page(paragraphs=LONG_STORY, after_article=widget)) == []
    facts = "<ul><li>Players: 2 to 4</li><li>Autor: Ada Lindqvist; Illustrator: Tomas Greer</li></ul>"
    assert authors(blog_page(paragraphs=LONG_STORY, article_footer=facts)) == []


def test_an_author_meta_box_in_a_layout_that_has_sidebars():
    # "has-double-sidebar" describes the page's layout, not a sidebar holding the box
    box = '<h4>Autor</h4><p><a href="/profil/ada-lindqvist">Ada Lindqvist</a></p>'
    html = blog_page(paragraphs=LONG_STORY, article_footer=box).replace(
        '<div id="content">', '<div id="content" class="main-content has-double-sidebar">')
    assert authors(html) == ["Ada Lindqvist"]


# -- pages printing no headline element -------------------------------------


def table_layout_page(byline: str) -> str:
    """An old portal: the headline a ``<span>`` in a table cell, no ``<h1>``/``<h2>``."""
    paras = "".join(f"<p>{p}</p>" for p in STORY)
    return f"""<html><head><title>Fenwick Notes - News - Plot by the railway</title></head><body>
<table><tr><td class="itemHead"><span class="itemTitle">Plot by the railway goes to school and
bees</span></td></tr><tr><td class="itemInfo">{byline}</td></tr>
<tr><td class="itemText">{paras}</td></tr></table></body></html>"""


@pytest.mark.parametrize("byline", [
    '<span class="poster">Geschrieben von <a href="/userinfo.php?uid=6">Ada Lindqvist</a></span> am 25.08.2015',
    "<h5><em>Von Ada Lindqvist</em></h5>",
])
def test_a_byline_on_a_page_without_a_headline_element(byline):
    assert authors(table_layout_page(byline)) == ["Ada Lindqvist"]


# -- names and the words around them ----------------------------------------


def test_one_word_before_a_writers_role_is_a_pen_name():
    assert clean_author_names(["Rasender Reporter"]) == ["Rasender Reporter"]
    # the role after a full name, or set apart by a comma, is still the job title
    assert clean_author_names(["Ada Lindqvist Reporterin"]) == ["Ada Lindqvist"]
    assert clean_author_names(["Lindqvist, Reporter"]) == ["Lindqvist"]
    # a desk is no pen name (it is credited as an organisation, see organisation_credits)
    assert "Greentech Redaktion" not in clean_author_names(["Greentech Redaktion"])


@pytest.mark.parametrize("credit", [
    "Ada Lindqvist im Gespräch mit Tomas Greer",
    "Ada Lindqvist in conversation with Tomas Greer",
    "Ada Lindqvist en entretien avec Tomas Greer",
])
def test_an_interview_credit_names_the_guest_and_the_interviewer(credit):
    assert clean_author_names([credit]) == ["Ada Lindqvist", "Tomas Greer"]


@pytest.mark.parametrize("account", ["wordpressadmin", "wp-admin", "siteadmin", "admin2"])
def test_a_cms_administrator_account_is_no_author(account):
    assert clean_author_names([account]) == []


def test_the_author_field_in_the_footer_of_the_storys_own_article():
    footer = ('<div class="field field-name-author">von <a href="/redaktion/ada" class="username">'
              "Ada</a></div>")
    assert authors(blog_page(paragraphs=LONG_STORY, article_footer=footer)) == ["Ada"]
    # the same field of a teaser <article> inside the story names that teaser's writer
    teaser = f'<article class="teaser"><p>Next: the beehives</p>{footer}</article>'
    assert authors(blog_page(paragraphs=LONG_STORY, article_footer=teaser)) == []


@pytest.mark.parametrize("link", ["Alles von Ada Lindqvist", "More stories by Ada Lindqvist"])
def test_an_author_page_links_label_is_no_part_of_the_name(link):
    assert clean_author_names([link]) == ["Ada Lindqvist"]


def test_a_webpage_node_names_the_author_when_the_graph_has_no_article():
    # Yoast-style graph on a post typed as a page: the author is a reference to a Person
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebPage", "@id": "https://fenwick-notes.example/plot/#webpage",
         "name": "Plot by the railway goes to school and bees",
         "author": {"@id": "https://fenwick-notes.example/#/schema/person/1"}},
        {"@type": "Person", "@id": "https://fenwick-notes.example/#/schema/person/1", "name": "Ada Lindqvist"},
    ]}
    head = jsonld(graph) + '<meta name="author" content="Theme Studio Designs">'
    assert authors(blog_page(head=head)) == ["Ada Lindqvist"]


def test_a_closing_notice_with_year_signs_the_story_a_photo_credit_does_not():
    assert authors(blog_page(paragraphs=[*STORY, "© 2019 Ada Lindqvist"])) == ["Ada Lindqvist"]
    assert authors(blog_page(paragraphs=["© Ada Lindqvist", *STORY])) == []


def test_writers_inside_teaser_cards_wrote_those_stories():
    cards = "".join(
        f'<div class="teaser"><a href="/2021/03/story-{n}/"><h3>Another story {n}</h3>'
        f'<p>A summary of another story.</p><span class="author">von {name}</span></a></div>'
        for n, name in enumerate(["Ada Lindqvist", "Tomas Greer", "Maren Holt"])
    )
    assert authors(blog_page(after_article=cards)) == []
    # far below a long story, where only the page-wide author markup would find them
    assert authors(blog_page(paragraphs=LONG_STORY, after_article=cards)) == []


def test_an_author_box_wrapped_in_a_profile_link_still_names_the_writer():
    box = ('<a href="/user/ada.html" class="userbox"><img src="/ada.jpg" alt="">'
           '<span class="author-name">Ada Lindqvist</span></a>')
    assert authors(blog_page(header=box)) == ["Ada Lindqvist"]


@pytest.mark.parametrize("line", ["---- by Ada Lindqvist", "— Von Ada Lindqvist"])
def test_a_byline_after_a_rule_of_dashes(line):
    assert authors(blog_page(header=f"<div><strong><em>{line}</em></strong></div>")) == ["Ada Lindqvist"]


def test_a_nickname_is_no_desk_abbreviation():
    assert clean_author_names(["Red Smith"]) == ["Red Smith"]


def test_soft_hyphens_in_a_byline_are_no_part_of_the_name():
    # justified text hyphenated by hand: the hints are invisible, the name is one word
    assert clean_author_names(["Von Ma\u00adren Hol\u00adt"]) == ["Maren Holt"]


def test_a_hidden_microdata_author_gives_way_to_the_printed_byline():
    # a theme's hidden vcard of the account that posted, and the writer printed in the story
    hidden = ('<div class="meta-info"><span class="vcard rich-snippet-hidden"><span class="fn">'
              '<a href="/author/tgreer/" rel="author">Tomas Greer</a></span></span>'
              '<span>3 March 2021</span></div>')
    head = '<meta name="author" content="Tomas Greer">'
    byline = "<p><strong>Von Ada Lind\u00adqvist</strong></p>"
    html = blog_page(head=head, header=hidden, before_story=byline)
    assert authors(html) == ["Ada Lindqvist"]
    # shown, the same markup names the writer (the rule is the hiding, not the markup)
    shown = hidden.replace(" rich-snippet-hidden", "")
    assert authors(blog_page(head=head, header=shown)) == ["Tomas Greer"]


def test_the_author_of_a_photo_licence_is_no_byline():
    licence = ('<div class="img-holder"><img src="/plot.jpg" alt=""><div class="license-info">'
               '<span class="author-name"><a href="https://photos.example/u/maren">Maren Holt</a>'
               '</span> CC BY-SA 4.0</div></div>')
    assert authors(blog_page(before_story=licence)) == []
    byline = '<div class="author"><p><span>Autor Ada Lindqvist:</span></p></div>'
    assert authors(blog_page(before_story=licence + byline)) == ["Ada Lindqvist"]


@pytest.mark.parametrize("line", ["Übersetzung Tomas Greer", "Translated by Tomas Greer", "Fotos Tomas Greer"])
def test_a_translator_or_photographer_credit_names_no_writer(line):
    assert clean_author_names([line]) == []
    # beside the writer's own credit, the metadata's account of the translator gives way
    head = '<meta name="author" content="tomas-greer">'
    header = f'<p class="author">Autor Ada Lindqvist:</p><p class="author">{line}</p>'
    assert authors(blog_page(head=head, header=header)) == ["Ada Lindqvist"]


def test_a_signature_after_the_deck_names_the_writers():
    deck = ["…as the plot goes to the school", "…beekeepers promise a fence"]
    assert authors(blog_page(paragraphs=[*deck, "Ada Lindqvist/Tomas Greer", *STORY])) == [
        "Ada Lindqvist", "Tomas Greer",
    ]
    # a label line under the headline repeated in the text is no signature
    headline = "Plot by the railway goes to school and bees"
    assert authors(blog_page(paragraphs=[headline, "Ort Fenwick", *STORY])) == []


def test_the_printed_byline_credits_the_desk_beside_its_writer():
    byline = '<p class="byline">von Lena Brook , FENWICK COURIER LOKAL</p>'
    head = COURIER + '<meta name="author" content="Lena Brook">'
    assert credits(blog_page(head=head, header=byline)) == (["Lena Brook"], ["FENWICK COURIER LOKAL"], None)
    # a place after the name is no desk
    byline = '<p class="byline">von Lena Brook, Fenwick</p>'
    assert credits(blog_page(head=head, header=byline))[1] == []


def test_a_name_typed_into_the_meta_line_beside_the_date():
    # a page builder's post-info line: the date, an item with the writer's name and no
    # author mark, the comment count
    line = ('<ul class="elementor-icon-list-items elementor-post-info">'
            '<li><a href="/2021/03/03/"><span>3. März 2021</span></a></li>'
            '<li><span class="elementor-post-info__item--type-custom">Ada Lindqvist</span></li>'
            '<li><a href="#comments"><span>12</span></a></li></ul>')
    assert authors(blog_page(header=line)) == ["Ada Lindqvist"]
    # a category item is a link, a label item no name: neither names anyone
    others = line.replace("Ada Lindqvist", "Lokales")
    others = others.replace('<li><a href="#comments">', '<li><a href="/category/garden-news/">')
    assert authors(blog_page(header=others.replace("<span>12</span>", "<span>Garden News</span>"))) == []

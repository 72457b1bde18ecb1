"""The recall pass of the generic parser: story blocks precision mode skipped.

Pages here are written for these tests.  ``_fill_gaps`` is given the
paragraphs trafilatura "kept" directly, so each test pins one rule whatever
trafilatura's own choices are.
"""

from __future__ import annotations

from parsers import generic
from parsers.html import parse_html

P1 = "The council voted on Tuesday to close the old harbour bridge to cars from next spring onwards."
P2 = "Engineers had warned for years that the steel frame was corroding faster than expected."
P3 = "Residents will be able to cross on foot and by bicycle while a replacement is designed."


def _page(middle: str, *, before: str = "", after: str = "") -> str:
    return (
        "<html><body><header><p>Site name and a long tagline for the whole site</p></header>"
        f"{before}<article><div class='story'><p>{P1}</p>{middle}<p>{P2}</p><p>{P3}</p></div></article>"
        f"{after}<footer><p>Copyright and a long line of legal text for the footer</p></footer>"
        "</body></html>"
    )


def _fill(html: str, kept: list[str]) -> list[str]:
    return generic._fill_gaps(parse_html(html), kept)


def test_subheading_and_list_inside_the_story_are_kept_in_place():
    html = _page("<h2>What happens next</h2><ul><li>Buses are rerouted</li><li>Ferries run hourly</li></ul>")
    assert _fill(html, [P1, P2, P3]) == [
        P1, "What happens next", "- Buses are rerouted", "- Ferries run hourly", P2, P3,
    ]


def test_short_paragraph_between_kept_paragraphs_is_kept():
    html = _page("<p>Not everyone agrees.</p>")
    assert _fill(html, [P1, P2, P3]) == [P1, "Not everyone agrees.", P2, P3]


def test_story_split_across_sibling_boxes_is_filled():
    html = (
        "<html><body><article>"
        f"<div class='part'><p>{P1}</p><h3>The cost</h3></div>"
        f"<div class='part'><p>A short line.</p><p>{P2}</p></div>"
        "</article></body></html>"
    )
    assert _fill(html, [P1, P2]) == [P1, "The cost", "A short line.", P2]


def test_related_links_list_and_its_heading_are_dropped():
    related = (
        "<h3>More on this</h3><ul>"
        "<li><a href='/a'>Bridge tolls to rise in the autumn</a></li>"
        "<li><a href='/b'>New ferry line opens to the islands</a></li></ul>"
    )
    html = _page(related)
    assert _fill(html, [P1, P2, P3]) == [P1, P2, P3]


def test_linked_heading_is_a_teaser_not_a_subhead():
    html = _page("<h2><a href='/other'>Another story entirely</a></h2><p>Teaser text here.</p>")
    # the heading links elsewhere: dropped; the short line below it stays
    assert _fill(html, [P1, P2, P3]) == [P1, "Teaser text here.", P2, P3]


def test_side_boxes_inside_the_story_are_dropped():
    boxes = (
        "<aside><p>Read our other coverage</p></aside>"
        "<div class='share-tools'><p>Share this story</p></div>"
        "<figure><figcaption>The bridge at dusk</figcaption></figure>"
        "<div style='display: none'><p>Hidden note</p></div>"
        "<div class='newsletter-signup'><h3>Daily briefing</h3><p>Every morning in your inbox.</p></div>"
    )
    html = _page(boxes)
    assert _fill(html, [P1, P2, P3]) == [P1, P2, P3]


def test_nothing_is_added_before_the_first_or_after_the_last_kept_paragraph():
    html = _page("", before="<p>Breaking: live updates</p>", after="<p>You might also like</p>")
    assert _fill(html, [P1, P2, P3]) == [P1, P2, P3]


def test_a_single_kept_paragraph_gives_no_range_to_fill():
    html = _page("<h2>What happens next</h2>")
    assert _fill(html, [P1]) == [P1]


def test_page_text_chars_leaves_scripts_out():
    tree = parse_html(
        "<html><body><p>one  two</p><script>var x = 'not shown';</script></body></html>"
    )
    assert generic._page_text_chars(tree) == len("one two ")


def test_generic_parser_keeps_a_subheaded_story():
    body = "".join(
        f"<p>{text} {text}</p>" for text in (P1, P2, P3)
    )
    html = (
        "<html><head><title>Harbour bridge to close</title></head><body>"
        "<nav><ul><li><a href='/'>Home</a></li><li><a href='/news'>News</a></li></ul></nav>"
        "<article><h1>Harbour bridge to close</h1>"
        f"{body}<h2>What happens next</h2><p>{P3} {P1}</p><p>{P2} {P3}</p>"
        "</article></body></html>"
    )
    article = generic.GenericParser().parse(html, url="https://news.example/bridge")
    assert "What happens next" in article.body
    assert not any("Home" == p for p in article.body)


def _blog_with_script_template(fallback: str) -> str:
    """A blog platform's post page: the post rendered from a script template, its
    text printed again in ``<noscript>`` for readers without scripts; an archive
    widget of many short links beside it."""
    archive = "".join(f"<li><a href='/{y}/{m:02}/'>{y} {m:02}</a></li>" for y in (2019, 2020) for m in range(1, 13))
    template = f"<script type='text/template'>{fallback}</script>"
    return (
        "<html><head><title>Harbour bridge to close</title></head><body>"
        "<div class='post'><h2 class='post-title'>Harbour bridge to close</h2>"
        f"<div class='post-body'>{template}<noscript>{fallback}</noscript></div></div>"
        f"<div class='sidebar'><h2>Archive</h2><ul>{archive}</ul></div></body></html>"
    )


def test_a_story_printed_only_in_noscript_is_the_story():
    story = "".join(f"<p>{text} {text}</p>" for text in (P1, P2, P3))
    article = generic.GenericParser().parse(_blog_with_script_template(story), url="https://blog.example/bridge")
    assert article.body[:3] == [f"{text} {text}" for text in (P1, P2, P3)]


def test_a_short_noscript_notice_is_no_story_text():
    notice = "<noscript><p>Please enable JavaScript to watch the video.</p></noscript>"
    html = _page(notice, before="<h1>Harbour bridge to close</h1>")
    article = generic.GenericParser().parse(html, url="https://news.example/bridge")
    assert not any("JavaScript" in p for p in article.body)

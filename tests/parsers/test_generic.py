"""The generic parser on small invented pages, plus a corpus regression floor.

Every page here is written for these tests (made-up towns, people and
events); the corpus test reads ``../shared/corpus`` and skips without it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from benchmarks.corpus import aeb_pages
from benchmarks.metric import body_score
from parsers.base import ParseError
from parsers.dates import parse_datetime
from parsers.generic import GenericParser
from parsers.metadata import choose_title, clean_author_names, strip_site_name

STORY = [
    "The council of Lower Brindle voted on Tuesday to reopen the old ferry landing, "
    "closed since a storm damaged its pier nine years ago, after residents collected "
    "more than four thousand signatures asking for the crossing to return.",
    "Engineers hired by the town estimate the repairs at 2.3 million crowns, to be "
    "shared between the municipality and the regional transport office, which has "
    "promised to run two boats an hour during the summer months.",
    "Opponents argued that the money would be better spent on the bridge road, where "
    "traffic has doubled since the landing closed, but the motion passed by eleven "
    "votes to four after a debate that lasted most of the afternoon.",
    "Work on the pier is expected to begin in the autumn, and the first crossing could "
    "take place next spring if the weather allows the divers to finish on schedule.",
]


def page(
    *,
    head: str = "",
    body_top: str = "",
    paragraphs: list[str] | None = None,
    lang: str = "en",
) -> str:
    """A news-shaped page: navigation, an article with paragraphs, a footer."""
    paras = "\n".join(f"<p>{p}</p>" for p in (STORY if paragraphs is None else paragraphs))
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">{head}</head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/local">Local</a></li>
<li><a href="/sport">Sport</a></li></ul></nav>
<main><article>{body_top}
{paras}
</article></main>
<footer><p>Brindle Courier, 12 Harbour Row. All rights reserved.</p></footer>
</body></html>"""


def jsonld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


@pytest.fixture(scope="module")
def parser() -> GenericParser:
    return GenericParser()


def test_contract_attributes(parser):
    assert parser.name == "generic"
    assert parser.version == "1.9"


def test_jsonld_metadata_from_graph(parser):
    head = jsonld(
        {
            "@context": "https://schema.org",
            "@graph": [
                {"@type": "WebSite", "@id": "#site", "name": "Brindle Courier"},
                {"@type": "Person", "@id": "#p1", "name": "Mara Oakes"},
                {
                    "@type": ["NewsArticle"],
                    "headline": "Ferry landing to reopen in Lower Brindle",
                    "datePublished": "2024-03-05T09:30:00+01:00",
                    "dateModified": "2024-03-05T11:00:00+01:00",
                    "author": [
                        {"@id": "#p1"},
                        {"@type": "Person", "name": "By Tomas Vell"},
                        {"@type": "Organization", "name": "Brindle Courier"},
                    ],
                    "keywords": "ferry, council",
                    "articleSection": "Local",
                    "description": "Councillors back the return of the crossing.",
                    "image": {"@type": "ImageObject", "url": "https://example.org/pier.jpg"},
                    "inLanguage": "en-GB",
                },
            ],
        }
    )
    article = parser.parse(page(head=head), url="https://courier.example.org/local/ferry")
    assert article.title == "Ferry landing to reopen in Lower Brindle"
    assert article.authors == ["Mara Oakes", "Tomas Vell"]
    assert article.published_at == datetime(2024, 3, 5, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    assert article.updated_at.hour == 11
    assert article.keywords == ["ferry", "council"]
    assert article.section == ["Local"]
    assert article.summary == "Councillors back the return of the crossing."
    assert [i.url for i in article.images] == ["https://example.org/pier.jpg"]
    assert article.language == "en"
    assert article.body[0].startswith("The council of Lower Brindle voted")
    assert not any("All rights reserved" in p for p in article.body)


def test_a_tree_parsed_by_the_caller_is_used_instead_of_parsing_again(parser):
    from lxml import html as lxml_html

    head = '<meta property="og:title" content="Ferry landing to reopen">'
    text = page(head=head)
    own = parser.parse(text, url="https://courier.example.org/a/1")
    given = parser.parse(
        "", url="https://courier.example.org/a/1", tree=lxml_html.document_fromstring(text)
    )  # no markup to parse: only the tree can have supplied the story
    assert given.title == own.title == "Ferry landing to reopen"
    assert given.body == own.body


def test_parse_page_builds_the_tree_of_a_generic_page_once(monkeypatch):
    """The dispatcher's tree (built to check nesting depth) is the one the parser reads."""
    import parsers
    import parsers.html

    built = []
    real = parsers.html.parse_html

    def counting(text):
        built.append(len(text))
        return real(text)

    monkeypatch.setattr(parsers, "parse_html", counting)
    monkeypatch.setattr("parsers.generic.parse_html", counting)
    head = '<meta property="og:title" content="Ferry landing to reopen">'
    record = parsers.parse_page(page(head=head), url="https://courier.example.org/a/1")
    assert record["title"] == "Ferry landing to reopen"
    assert len(built) == 1


def test_opengraph_fallback_without_jsonld(parser):
    head = (
        '<meta property="og:title" content="Ferry landing to reopen">'
        '<meta property="og:site_name" content="Brindle Courier">'
        '<meta property="article:published_time" content="2024-03-05T08:30:00Z">'
        '<meta name="author" content="Mara Oakes">'
        '<meta property="article:section" content="Local">'
        '<meta property="og:locale" content="de_DE">'
        "<title>Ferry landing to reopen | Brindle Courier</title>"
    )
    article = parser.parse(page(head=head, lang=""), url="https://courier.example.org/a/1")
    assert article.title == "Ferry landing to reopen"
    assert article.published_at == datetime(2024, 3, 5, 8, 30, tzinfo=UTC)
    assert article.authors == ["Mara Oakes"]
    assert article.section == ["Local"]
    assert article.language == "de"


@pytest.mark.parametrize(
    ("title", "site", "url", "expected"),
    [
        ("Ferry to reopen | Brindle Courier", "Brindle Courier", None, "Ferry to reopen"),
        ("Ferry - Brindle Courier", None, "https://brindlecourier.com/x", "Ferry"),
        ("Brindle Courier — Ferry to reopen", "Brindle Courier", None, "Ferry to reopen"),
        ("Ferry – Local – Brindle Courier", "Brindle Courier", None, "Ferry – Local"),
        ("Vote - a close call", "Brindle Courier", None, "Vote - a close call"),
    ],
)
def test_title_suffix_removal(title, site, url, expected):
    assert strip_site_name(title, site, url) == expected


def test_displayed_headline_wins_over_section_suffixed_copy(parser):
    head = (
        jsonld({"@type": "NewsArticle", "headline": "Ferry landing to reopen | Local"})
        + '<meta property="og:title" content="Ferry landing to reopen">'
        + "<title>Ferry landing to reopen | Local | Brindle Courier</title>"
    )
    article = parser.parse(
        page(head=head, body_top="<h1>Ferry landing to reopen</h1>"),
        url="https://brindlecourier.example/a",
    )
    assert article.title == "Ferry landing to reopen"


def test_kicker_and_section_decoration_folds_into_the_stated_headline():
    decorated = "Harbour Works: Ferry landing to reopen in spring | Brindle News"
    sources = {
        "jsonld": "Ferry landing to reopen in spring",
        "og": decorated,
        "twitter": decorated,
        "document": decorated,
        "h1": "Ferry landing to reopen in spring",
    }
    assert choose_title(sources) == "Ferry landing to reopen in spring"


def test_a_media_tag_after_the_headline_is_decoration_when_a_field_agrees():
    sources = {"jsonld": "Ferry landing reopens", "og": "Ferry landing reopens (Video)",
               "document": "Ferry landing reopens (Video)"}
    assert choose_title(sources) == "Ferry landing reopens"
    longer = "Ferry landing reopens (and why the town wanted it)"
    sources.update(og=longer, document=longer)  # a clause, not a media tag
    assert choose_title(sources) == longer


def test_kickerless_h1_alone_does_not_strip_the_kicker():
    full = "Harbour Works: Ferry landing to reopen"
    sources = {"jsonld": full, "og": full, "h1": "Ferry landing to reopen"}
    assert choose_title(sources) == full


def test_a_title_merely_containing_another_is_not_a_decoration():
    sources = {"jsonld": "Ferry landing", "og": "Ferry landings reopen", "document": "Ferry landings reopen"}
    assert choose_title(sources) == "Ferry landings reopen"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["By Mara Oakes and Tomas Vell"], ["Mara Oakes", "Tomas Vell"]),
        (["Mara Oakes, Tomas Vell"], ["Mara Oakes", "Tomas Vell"]),
        (["Von Jana Brück und Ole Sand"], ["Jana Brück", "Ole Sand"]),
        (["MARA OAKES"], ["MARA OAKES"]),  # printed case kept
        (["Mara Oakes (mara.oakes@courier.example)"], ["Mara Oakes"]),
        (["Associated Press"], []),
        (["Mara Oakes", "Reuters"], ["Mara Oakes"]),
        (["courier.example.com, Lower Brindle"], []),
        (["Brindle Courier"], []),
    ],
)
def test_author_cleaning(raw, expected):
    assert clean_author_names(raw, ["Brindle Courier"]) == expected


def test_wire_copy_through_generic_path(parser):
    head = '<meta property="og:title" content="(LEAD) Harbour strike ends after talks">'
    paragraphs = [
        "By Mara Oakes",
        "PORT ELLIS, March 5 (Reuters) -- Dock workers in Port Ellis returned to work "
        "on Tuesday after a week-long strike, the union said, ending a dispute over "
        "night shifts that had left dozens of ships waiting outside the harbour.",
        *STORY[1:],
        "mara.oakes@wire.example",
        "(END)",
    ]
    article = parser.parse(page(head=head, paragraphs=paragraphs), url="https://news.example/s/1")
    assert article.update_flag == "LEAD"
    assert article.title == "Harbour strike ends after talks"
    assert article.dateline is not None
    assert article.dateline.city == "PORT ELLIS"
    assert article.dateline.agency == "Reuters"
    assert article.body[0].startswith("Dock workers in Port Ellis")
    assert article.authors == ["Mara Oakes"]
    assert not any("@" in p or "(END)" in p for p in article.body)


@pytest.mark.parametrize(
    "noise",
    [
        "Sign up for our morning newsletter here.",
        "Reading time: 3 minutes",
        "Lesezeit: 2 Minuten",
        "[Related: Bridge road works to start in May]",
        "You may also like...",
        "Friday, 5 March 2024, 20:13",
        "Harbour Weekly Newsletter",
    ],
)
def test_call_to_action_and_repeated_headline_are_dropped(parser, noise):
    head = '<meta property="og:title" content="Ferry landing to reopen">'
    paragraphs = ["Ferry landing to reopen", noise, *STORY, noise]
    article = parser.parse(page(head=head, paragraphs=paragraphs), url="https://n.example/b")
    assert article.body == STORY


def test_date_only_falls_back_to_midnight_utc(parser):
    head = '<meta property="og:title" content="Ferry">'
    html = page(head=head, body_top='<p class="date">Published 2024-03-05</p>')
    article = parser.parse(html, url="https://n.example/2024/03/05/ferry")
    assert article.published_at == datetime(2024, 3, 5, tzinfo=UTC)


def test_parse_datetime_keeps_offsets_and_assumes_utc_for_naive():
    assert parse_datetime("2024-03-05T09:30:00+0900").utcoffset() == timedelta(hours=9)
    assert parse_datetime("2024-03-05 09:30:00").tzinfo is UTC
    assert parse_datetime("Tue, 05 Mar 2024 09:30:00 GMT").day == 5
    assert parse_datetime("not a date") is None


def test_page_without_article_raises(parser):
    html = page(
        head="<title>Brindle Courier: home</title>",
        paragraphs=[],
        body_top='<ul><li><a href="/a">Ferry</a></li><li><a href="/b">Bridge</a></li></ul>',
    )
    with pytest.raises(ParseError) as caught:
        parser.parse(html, url="https://n.example/")
    assert caught.value.reason == "no_article_body"


def test_empty_page_raises(parser):
    with pytest.raises(ParseError) as caught:
        parser.parse("   ", url=None)
    assert caught.value.reason == "empty"


#: Measured 2026-11-27 on the first 15 aeb-dev pages: F1 0.987 (all 50: 0.974;
#: trafilatura defaults 0.957 on the same 15).  The floor leaves room for
#: library updates while still failing if extraction falls to trafilatura's level.
AEB_SUBSET = 15
AEB_F1_FLOOR = 0.965


@pytest.mark.corpus
def test_aeb_body_f1_floor(parser):
    pages = aeb_pages(limit=AEB_SUBSET)
    if not pages:
        pytest.skip("no aeb-dev corpus at ../shared/corpus")
    predictions = []
    for item in pages:
        try:
            article = parser.parse(item.html.decode("utf-8", "replace"), url=item.url)
            predictions.append("\n".join(article.body))
        except ParseError:
            predictions.append("")
    score = body_score(zip(predictions, (p.expected["articleBody"] for p in pages), strict=True))
    assert score.f1 >= AEB_F1_FLOOR, score


def test_xml_declaration_and_broken_jsonld_are_tolerated(parser):
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'
        '<script type="application/ld+json"><!--{"@type": "NewsArticle",'
        ' "headline": "Ferry vote passes"};--></script>'
    )
    html = '<?xml version="1.0" encoding="utf-8"?>\n' + page(head=head)
    article = parser.parse(html, url="https://n.example/c")
    assert article.title == "Ferry vote passes"
    assert len(article.body) == len(STORY)


def test_section_index_of_headline_links_is_not_an_article(parser):
    items = "".join(
        f"<li><a href='/local/{i}'>Brindle council story number {i} about the ferry pier</a>"
        f"<span>05.03. 10:{i:02d}</span></li>"
        for i in range(30)
    )
    html = page(head="<title>Local | Brindle Courier</title>", paragraphs=[], body_top=items)
    with pytest.raises(ParseError) as caught:
        parser.parse(html, url="https://n.example/local/")
    assert caught.value.reason == "no_article_body"


def test_jsonld_article_body_used_when_extraction_finds_little(parser):
    story = " ".join(STORY)
    hidden = jsonld({"@type": "NewsArticle", "headline": "Ferry", "articleBody": story})
    shown = f"<div><span>{story}</span></div>"
    article = parser.parse(
        page(head=hidden, paragraphs=[], body_top=shown), url="https://n.example/d"
    )
    assert " ".join(article.body) == story


def test_byline_markup_used_when_metadata_names_only_the_site(parser):
    head = (
        '<meta property="og:title" content="Ferry landing to reopen">'
        '<meta name="author" content="courier.example.com">'
    )
    byline = '<p class="meta">Von <span class="authorname">Jana Brück</span> | 05.03.24</p>'
    article = parser.parse(page(head=head, body_top=byline), url="https://courier.example.com/f")
    assert article.authors == ["Jana Brück"]


def test_inert_elements_go_before_extraction_but_their_tails_and_jsonld_stay():
    from lxml import html as lxml_html

    from parsers.generic import _prune_inert

    tree = lxml_html.document_fromstring(
        '<html><head><script type="application/ld+json">{"headline": "Ferry"}</script>'
        "<style>p {color: red}</style></head><body><p>The ferry <script>track()</script>"
        "returns <button>Share</button>in spring.</p><svg><text>icon</text></svg></body></html>"
    )
    _prune_inert(tree)
    assert tree.findtext(".//p") is not None
    assert tree.find(".//p").text_content() == "The ferry returns in spring."
    assert [s.get("type") for s in tree.iter("script")] == ["application/ld+json"]
    assert tree.find(".//style") is None and tree.find(".//svg") is None


def test_the_h1_inside_the_article_beats_a_chrome_h1(parser):
    head = (
        jsonld({"@type": "NewsArticle", "headline": "Ferry landing to reopen"})
        + "<title>Ferry landing to reopen next spring</title>"
    )
    html = page(head=head, body_top="<h1>Ferry landing to reopen next spring</h1>").replace(
        "<body>", "<body><h1>Log In</h1>"
    )
    # JSON-LD (1.5) vs <title> + the article's <h1> (1.5 + 0.5): the story's
    # h1 breaks the tie; the "Log In" heading of the page chrome must not
    article = parser.parse(html, url="https://brindlecourier.example/a")
    assert article.title == "Ferry landing to reopen next spring"

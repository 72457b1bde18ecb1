"""Named faults of the local wire site, each on its own dedicated URL.

A fault is off unless named in ``WireSite(faults=[...])``. While it is on, the
Yonhap English feed ``/RSS/news.xml``, the first page of the ``/news`` listing
and the ``/sitemap/news/2025-03-12.xml`` news sitemap link to its URL (dated
2025-03-12 evening, so it sits at the top); the two document faults are linked
from the place where such a document is found instead. While it is off, its URL
is not linked anywhere and answers 404, so normal runs stay clean.

====================  ==========================  ============================================
fault                 URL (Yonhap English site)   behaviour
====================  ==========================  ============================================
``500_then_ok``       /view/AEN20250312900100315  first request 500, later ones 200 (article)
``429_retry_after``   /view/AEN20250312900200315  first 429 + ``Retry-After: 1``, then 200
``503_retry_after``   /view/AEN20250312900300315  first 503 + ``Retry-After: 1``, then 200
``slow``              /view/AEN20250312900400315  waits ``SLOW_DELAY_SECONDS`` (5 s), then 200;
                                                  clients should time out before that
``truncated``         /view/AEN20250312900500315  Content-Length of the whole page, only the
                                                  first half sent, then the connection closes
``redirect_loop``     /view/AEN20250312900600315  302 to ``?loop=1``, which 302s back
``offsite_redirect``  /view/AEN20250312900700315  302 to ``http://example.invalid/view/...``
                                                  (must be refused, never fetched)
``wrong_charset``     /view/AEN20250312900800315  EUC-KR bytes (Hangul in the text) sent with
                                                  ``charset=utf-8``; the meta tag says euc-kr
``euckr_no_header``   /view/AEN20250312900900315  EUC-KR bytes, ``Content-Type: text/html``,
                                                  no charset in the header nor in a meta tag
``not_html``          /view/AEN20250312901000315  a PDF (``application/pdf``) at an article URL
``huge``              /view/AEN20250312901100315  exactly ``HUGE_BYTES`` (20 MiB) of article
                                                  HTML, streamed in 64 KiB chunks
``404``               /view/AEN20250312901200315  linked, but gone: 404
``no_article``        /view/AEN20250312901300315  200, navigation and sidebars but no story
``moved``             /view/AEN20250312901400315  301 to the story's update
                                                  ``/view/AEN20250312901401315`` (same site),
                                                  which serves the article
``malformed_feed``    /RSS/breaking.xml           200 RSS with broken XML; linked from
                                                  ``/channel/index``
``xml_bomb``          /sitemap/news/bomb.xml      billion-laughs entity expansion; listed in
                                                  ``/sitemap/index.xml``
====================  ==========================  ============================================

Retry-style faults count requests per server: the first request to the URL
fails, every later one succeeds (a new ``WireSite`` starts over).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import TYPE_CHECKING

from devsite.stories import KST, Block, Story
from devsite.templating import HTML_UTF8, RSS_UTF8, XML_UTF8, esc

if TYPE_CHECKING:
    from devsite.server import Response, WireSite

SLOW_DELAY_SECONDS = 5.0
HUGE_BYTES = 20 * 1024 * 1024
OFFSITE_URL = "http://example.invalid/view/AEN20250312900700315"
#: Where the ``moved`` fault redirects: the same story's updated version, as a
#: site does when an old story URL now names its latest rewrite.
MOVED_TARGET = "/view/AEN20250312901401315"
FEED_LINKED_FROM = (
    ("yonhap_en", "/RSS/news.xml"),
    ("yonhap_en", "/news"),
    ("yonhap_en", "/sitemap/news/2025-03-12.xml"),
)


@dataclass(frozen=True)
class Fault:
    name: str
    path: str
    title: str


def _article(name: str, serial: int, title: str) -> Fault:
    return Fault(name, f"/view/AEN20250312{serial:04d}00315", title)


ARTICLE_FAULTS = (
    _article("500_then_ok", 9001, "Port operator resumes night shifts after system outage"),
    _article("429_retry_after", 9002, "Ferry service to Ulleung Island to add weekend sailings"),
    _article("503_retry_after", 9003, "Seoul to expand late-night bus routes to outer districts"),
    _article("slow", 9004, "Rail operator tests delay alerts sent to passengers' phones"),
    _article("truncated", 9005, "Local governments report record applications for farm jobs"),
    _article("redirect_loop", 9006, "Coast guard launches drone patrols off west coast"),
    _article("offsite_redirect", 9007, "Tourism agency opens new visitor center in Gyeongju"),
    _article("wrong_charset", 9008,
             "'Hallyu' and 'mukbang' among Korean words in new dictionary update"),
    _article("euckr_no_header", 9009, "Seoul names 'jeong' its word of the year for citizens"),
    _article("not_html", 9010, "Statistics office publishes quarterly household survey"),
    _article("huge", 9011, "Full text of the parliamentary budget committee report"),
    _article("404", 9012, "Correction notice withdrawn after review"),
    _article("no_article", 9013, "Photo gallery: spring blossoms along the Han River"),
    _article("moved", 9014, "Subway line extension to open two new stations in May"),
)
DOCUMENT_FAULTS = (
    Fault("malformed_feed", "/RSS/breaking.xml", "Yonhap News Agency - Breaking"),
    Fault("xml_bomb", "/sitemap/news/bomb.xml", "sitemap"),
)
FAULTS: tuple[str, ...] = tuple(f.name for f in ARTICLE_FAULTS + DOCUMENT_FAULTS)
_BY_PATH = {f.path: f for f in ARTICLE_FAULTS + DOCUMENT_FAULTS}
_BY_PATH[MOVED_TARGET] = _BY_PATH["/view/AEN20250312901400315"]  # served while "moved" is on

# Invented story texts for the charset faults: Hangul and curly quotes make a
# wrong decoding visible in the body. The undeclared page quotes a few Korean
# sentences: with only a handful of non-ASCII bytes in 30 KB of markup no
# detector can tell EUC-KR from a Latin code page, and the fault would test luck.
_CHARSET_TEXTS = {
    "wrong_charset": [
        "SEOUL, March 12 (Yonhap) -- Korean words such as “hallyu” (한류) and “mukbang” "
        "(먹방) were among the entries added to a major English dictionary in its spring "
        "update, the publisher said Wednesday.",
        "The update also included “banchan” (반찬), the side dishes served with a Korean "
        "meal, and “daebak” (대박), an exclamation of delight.",
        "“Korean popular culture keeps giving English new words,” an editor said.",
    ],
    "euckr_no_header": [
        "SEOUL, March 12 (Yonhap) -- The Seoul city government on Wednesday named “jeong” "
        "(정), a Korean word for deep affection and attachment, as its word of the year "
        "chosen by citizens.",
        "More than 82,000 residents took part in the online vote, with “nunchi” (눈치) "
        "and “bap” (밥) finishing second and third.",
        "The city published the winning entries with the reasons voters gave, in Korean: "
        "“정은 서로를 오래 아끼고 돌보는 마음이다. 이웃과 나누는 밥 한 끼에도 정이 담겨 있다. "
        "서울은 바쁜 도시이지만 골목마다 따뜻한 정이 남아 있다.”",
        "One voter wrote, “눈치는 말하지 않아도 상대의 마음을 읽는 힘이고, 밥은 함께 사는 "
        "사람들을 하나로 묶어 주는 말이다.”",
        "The results will be displayed on a media wall at Seoul Plaza through the end of "
        "the month, the city said.",
    ],
}
_PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
    b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


class FaultState:
    """Per-server request counts of each fault URL (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hits: Counter[str] = Counter()

    def hit(self, name: str) -> int:
        """Count one request; returns how many came before it."""
        with self._lock:
            before = self._hits[name]
            self._hits[name] += 1
            return before


def validate(names: Iterable[str]) -> frozenset[str]:
    """The given fault names as a set; unknown names are an error, not ignored."""
    names = frozenset(names)
    unknown = names - set(FAULTS)
    if unknown:
        raise ValueError(f"unknown faults {sorted(unknown)}; known: {', '.join(FAULTS)}")
    return names


def fault_story(fault: Fault) -> Story:
    """The article served (when it is served) at an article fault's URL."""
    serial = int(fault.path[-9:-5])
    published = datetime(2025, 3, 12, 19, 0, tzinfo=KST).replace(minute=serial - 9000)
    texts = _CHARSET_TEXTS.get(fault.name) or [
        f"SEOUL, March 12 (Yonhap) -- {fault.title}, officials said Wednesday.",
        "The announcement followed months of preparation and consultation with residents, "
        "according to the officials.",
        "Further details will be released next week, they added.",
    ]
    return Story(
        id=fault.path.removeprefix("/view/"),
        site="yonhap_en",
        title=fault.title,
        published=published,
        blocks=tuple(Block("p", lines=(t,)) for t in texts),
        headers={"section": "national/national", "byline": "By Oh Seung-hee",
                 "email": "shoh@yna.co.kr", "keywords": "fault"},
    )


def extra_links(active: frozenset[str]) -> dict[tuple[str, str], list[str]]:
    """Snippets to splice into feeds, listings and sitemaps for the active faults."""
    links: dict[tuple[str, str], list[str]] = {}
    for fault in ARTICLE_FAULTS:
        if fault.name not in active:
            continue
        story = fault_story(fault)
        for where, snippet in zip(FEED_LINKED_FROM, _article_snippets(story), strict=True):
            links.setdefault(where, []).append(snippet)
    if "malformed_feed" in active:
        links.setdefault(("yonhap_en", "/channel/index"), []).append(
            '<li><strong class="tit">Breaking</strong> <a href="{{BASE}}/RSS/breaking.xml" '
            'class="url">{{BASE}}/RSS/breaking.xml</a></li>'
        )
    if "xml_bomb" in active:
        links.setdefault(("yonhap_en", "/sitemap/index.xml"), []).append(
            "<sitemap>\n<loc>{{BASE}}/sitemap/news/bomb.xml</loc>\n"
            "<lastmod>2025-03-12T19:30:00+09:00</lastmod>\n</sitemap>"
        )
    return links


def _article_snippets(story: Story) -> tuple[str, str, str]:
    """(RSS item, listing entry, news sitemap url) linking one fault article."""
    title = esc(story.title)
    rss = (f"<item>\n<title><![CDATA[{story.title}]]></title>\n"
           f"<link>{{{{BASE}}}}/view/{story.id}</link>\n"
           f'<guid isPermaLink="true">{{{{BASE}}}}/view/{story.id}</guid>\n'
           f"<pubDate>{format_datetime(story.published)}</pubDate>\n</item>")
    listing = (f'<li>\n<article>\n<div class="txt-con">\n<h2 class="tit">'
               f'<a href="//{{{{HOST}}}}/view/{story.id}">{title}</a></h2>\n'
               f'<span class="date">{story.published:%Y-%m-%d %H:%M}</span>\n'
               f"</div>\n</article>\n</li>")
    sitemap = (f"<url>\n<loc>{{{{BASE}}}}/view/{story.id}</loc>\n<news:news>\n"
               f"<news:publication>\n<news:name>Yonhap News Agency</news:name>\n"
               f"<news:language>en</news:language>\n</news:publication>\n"
               f"<news:publication_date>{story.published.isoformat()}</news:publication_date>\n"
               f"<news:title>{title}</news:title>\n</news:news>\n</url>")
    return rss, listing, sitemap


def route(site: WireSite, path: str, raw_path: str) -> Response | None:
    """The response for a fault URL while its fault is on, else None."""
    fault = _BY_PATH.get(path)
    if fault is None or fault.name not in site.faults:
        return None
    return _HANDLERS[fault.name](site, fault, raw_path)


# -- handlers ----------------------------------------------------------------


def _response(*args, **kwargs) -> Response:
    from devsite.server import Response

    return Response(*args, **kwargs)


def _page(site: WireSite, fault: Fault) -> bytes:
    from devsite.synthetic import renderer

    return site.rewrite(renderer().article(fault_story(fault)))


def _ok(site: WireSite, fault: Fault) -> Response:
    return _response(200, {"Content-Type": HTML_UTF8}, _page(site, fault))


def _fail_first(status: int, retry_after: bool) -> Callable[..., Response]:
    def handle(site: WireSite, fault: Fault, raw_path: str) -> Response:
        if site.fault_state.hit(fault.name) == 0:
            headers = {"Content-Type": "text/html; charset=utf-8"}
            if retry_after:
                headers["Retry-After"] = "1"
            return _response(status, headers, f"<html><body>{status}</body></html>".encode())
        return _ok(site, fault)

    return handle


def _slow(site: WireSite, fault: Fault, raw_path: str) -> Response:
    site.wait(SLOW_DELAY_SECONDS)
    return _ok(site, fault)


def _truncated(site: WireSite, fault: Fault, raw_path: str) -> Response:
    page = _page(site, fault)
    return _response(200, {"Content-Type": HTML_UTF8}, [page[: len(page) // 2]],
                     length=len(page), close=True)


def _redirect_loop(site: WireSite, fault: Fault, raw_path: str) -> Response:
    target = fault.path if "loop=1" in raw_path else fault.path + "?loop=1"
    return _response(302, {"Location": site.url(target)})


def _offsite(site: WireSite, fault: Fault, raw_path: str) -> Response:
    return _response(302, {"Location": OFFSITE_URL})


def _moved(site: WireSite, fault: Fault, raw_path: str) -> Response:
    if raw_path.split("?", 1)[0] == MOVED_TARGET:
        return _ok(site, fault)
    return _response(301, {"Location": site.url(MOVED_TARGET)})


def _euc_kr(site: WireSite, fault: Fault, header: str, meta: str) -> Response:
    page = _page(site, fault).decode("utf-8")
    page = page.replace('<meta charset="utf-8">', meta, 1)
    # The language menu has Arabic and Latin letters EUC-KR lacks; real EUC-KR
    # pages carry them as character references.
    return _response(200, {"Content-Type": header},
                     page.encode("euc-kr", errors="xmlcharrefreplace"))


def _wrong_charset(site: WireSite, fault: Fault, raw_path: str) -> Response:
    return _euc_kr(site, fault, HTML_UTF8, '<meta charset="euc-kr">')


def _no_header(site: WireSite, fault: Fault, raw_path: str) -> Response:
    return _euc_kr(site, fault, "text/html", "")


def _not_html(site: WireSite, fault: Fault, raw_path: str) -> Response:
    return _response(200, {"Content-Type": "application/pdf"}, _PDF)


def _huge(site: WireSite, fault: Fault, raw_path: str) -> Response:
    page = _page(site, fault)
    cut = page.index(b'<article class="story-news">') + len(b'<article class="story-news">\n')
    head, tail = page[:cut], page[cut:]
    filler_size = HUGE_BYTES - len(head) - len(tail)
    paragraph = (b"<p> The committee's report lists every line item of the budget, "
                 b"ministry by ministry, with the amount requested and approved.</p>\n")

    def stream() -> Iterator[bytes]:
        yield head
        block = paragraph * (65536 // len(paragraph))
        left = filler_size
        while left > 0:
            chunk = block[:left]
            left -= len(chunk)
            yield chunk
        yield tail

    return _response(200, {"Content-Type": HTML_UTF8}, stream(), length=HUGE_BYTES)


def _gone(site: WireSite, fault: Fault, raw_path: str) -> Response:
    from devsite.server import NOT_FOUND_HTML

    return _response(404, {"Content-Type": HTML_UTF8}, NOT_FOUND_HTML)


def _no_article(site: WireSite, fault: Fault, raw_path: str) -> Response:
    from devsite.synthetic import renderer

    page = renderer().no_article(fault_story(fault))
    return _response(200, {"Content-Type": HTML_UTF8}, site.rewrite(page))


def _malformed_feed(site: WireSite, fault: Fault, raw_path: str) -> Response:
    # Links only stories that the good feed lists too, so a lenient reader
    # finds nothing new; the document breaks off inside an unclosed item.
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n<channel>\n'
        "<title>Yonhap News Agency - Breaking</title>\n<link>{{BASE}}/</link>\n"
        "<item>\n<title>Markets & bonds rally</title>\n"
        "<link>{{BASE}}/view/AEN20250312000351320</link>\n"
        "<pubDate>Wed, 12 Mar 2025 11:05:00 +0900</pubDate>\n</item>\n"
        "<item>\n<title>Rival parties agree on hearing\n"
        "<link>{{BASE}}/view/AEN20250312002800315</link>\n</channel>\n"
    )
    return _response(200, {"Content-Type": RSS_UTF8}, site.rewrite(body.encode()))


def _xml_bomb(site: WireSite, fault: Fault, raw_path: str) -> Response:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE urlset [\n'
        + "\n".join(entities)
        + '\n]>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        "<url><loc>{{BASE}}/view/&lol9;</loc></url>\n</urlset>\n"
    )
    return _response(200, {"Content-Type": XML_UTF8}, site.rewrite(body.encode()))


_HANDLERS: dict[str, Callable[[WireSite, Fault, str], Response]] = {
    "500_then_ok": _fail_first(500, retry_after=False),
    "429_retry_after": _fail_first(429, retry_after=True),
    "503_retry_after": _fail_first(503, retry_after=True),
    "slow": _slow,
    "truncated": _truncated,
    "redirect_loop": _redirect_loop,
    "offsite_redirect": _offsite,
    "wrong_charset": _wrong_charset,
    "euckr_no_header": _no_header,
    "not_html": _not_html,
    "huge": _huge,
    "404": _gone,
    "no_article": _no_article,
    "moved": _moved,
    "malformed_feed": _malformed_feed,
    "xml_bomb": _xml_bomb,
}
if set(_HANDLERS) != set(FAULTS):  # pragma: no cover - a programming error
    raise RuntimeError("every fault needs exactly one handler")

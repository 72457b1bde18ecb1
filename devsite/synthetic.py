"""Generated Yonhap English articles for throughput benchmarks.

``WireSite(synthetic_articles=N)`` adds N small, distinct, deterministic articles
dated 2025-03-12, rendered on request with the same templates (and therefore the
same boilerplate) as the stored pages; nothing is written to disk.

=================================  ==========================================
URL                                what
=================================  ==========================================
``/view/AEN20250312<serial>00315``  article; serials 1000 .. 1000+N-1
``/sitemap-synthetic.xml``          news sitemap of all N (also listed in
                                    ``/sitemap/index.xml`` while N > 0)
``/synthetic/index[/<page>]``       listing, newest first, 100 per page
=================================  ==========================================
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from devsite.render_en import YonhapEnglish
from devsite.stories import KST, Block, Story, load_stories
from devsite.templating import HTML_UTF8, XML_UTF8, render_news_sitemap

if TYPE_CHECKING:
    from devsite.server import Response, WireSite

FIRST_SERIAL = 1000
MAX_ARTICLES = 8000  # serials 9000+ belong to the fault pages
PAGE_SIZE = 100
LISTING = "synthetic/index"
DAY_START = datetime(2025, 3, 12, tzinfo=KST)

_SUBJECTS = ("The finance ministry", "A city council", "The transport ministry", "A startup",
             "The central bank", "A shipbuilder", "The health ministry", "A university team",
             "The weather agency", "A steelmaker", "The customs service", "A game developer")
_VERBS = ("announced", "unveiled", "postponed", "expanded", "reviewed", "completed")
_OBJECTS = ("a plan to upgrade rural bus routes", "new rules on battery recycling",
            "a pilot program for robot deliveries", "a survey of small merchants",
            "an export support package", "a study on coastal erosion",
            "a hiring drive for young engineers", "a review of water tariffs")
_PLACES = ("SEOUL", "BUSAN", "INCHEON", "DAEJEON", "GWANGJU", "SEJONG")
_SECTIONS = ("national/national", "economy-finance/economy", "k-biz/corporate",
             "culture/arts-culture", "economy-finance/health")


def synthetic_id(serial: int) -> str:
    return f"AEN20250312{serial:04d}00315"


def make_story(index: int, total: int) -> Story:
    """The ``index``-th synthetic story (0-based); the same inputs give the same story."""
    serial = FIRST_SERIAL + index
    rng = random.Random(serial)
    subject, verb, obj = rng.choice(_SUBJECTS), rng.choice(_VERBS), rng.choice(_OBJECTS)
    place = rng.choice(_PLACES)
    # Spread the stories over the day in serial order, so newer means larger serial.
    published = DAY_START + timedelta(seconds=int(86_399 * (index + 1) / (total + 1)))
    published = published.replace(second=0)
    title = f"{subject} {verb} {obj} (No. {serial})"
    weekday = "Wednesday"
    paragraphs = [
        f"{place}, March 12 (Yonhap) -- {subject} {verb} {obj} on {weekday}, "
        f"officials said, in a move tracked as item number {serial} of the day.",
        f"The measure, worth {rng.randint(2, 900)} billion won, will take effect "
        f"in {rng.choice(('April', 'May', 'June', 'July'))} after a review "
        f"by {rng.randint(3, 40)} experts, according to the officials.",
        f"\"We expect about {rng.randint(100, 9000)} people to benefit in the first year,\" "
        f"an official said, asking not to be named.",
    ]
    return Story(
        id=synthetic_id(serial),
        site="yonhap_en",
        title=title,
        published=published,
        blocks=tuple(Block("p", lines=(p,)) for p in paragraphs),
        headers={
            "section": rng.choice(_SECTIONS),
            "byline": "By Staff Reporter",
            "email": "newsdesk@yna.co.kr",
            "keywords": f"synthetic, item {serial}",
        },
    )


@lru_cache(maxsize=1)
def renderer() -> YonhapEnglish:
    """One renderer per process, built from the stored stories (for sidebars)."""
    return YonhapEnglish(load_stories("yonhap_en"))


class SyntheticArticles:
    """The synthetic mode of one server: which ids exist and how to serve them."""

    def __init__(self, count: int) -> None:
        if not 0 <= count <= MAX_ARTICLES:
            raise ValueError(f"synthetic_articles must be 0..{MAX_ARTICLES}, not {count}")
        self.count = count
        self._sitemap: bytes | None = None

    def story(self, story_id: str) -> Story | None:
        if not (story_id.startswith("AEN20250312") and story_id.endswith("00315")):
            return None
        serial_text = story_id[11:15]
        if not serial_text.isdigit():
            return None
        index = int(serial_text) - FIRST_SERIAL
        if 0 <= index < self.count and len(story_id) == 20:
            return make_story(index, self.count)
        return None

    def newest_first(self) -> list[Story]:
        return [make_story(i, self.count) for i in reversed(range(self.count))]

    def extra_links(self) -> dict[tuple[str, str], str]:
        if not self.count:
            return {}
        entry = ("<sitemap>\n<loc>{{BASE}}/sitemap-synthetic.xml</loc>\n"
                 "<lastmod>2025-03-12T23:59:00+09:00</lastmod>\n</sitemap>")
        return {("yonhap_en", "/sitemap/index.xml"): entry}

    def route(self, site: WireSite, path: str) -> Response | None:
        from devsite.server import Response

        if not self.count:
            return None
        if path.startswith("/view/"):
            story = self.story(path.removeprefix("/view/"))
            if story is None:
                return None
            return Response(200, {"Content-Type": HTML_UTF8},
                            site.rewrite(renderer().article(story)))
        if path == "/sitemap-synthetic.xml":
            if self._sitemap is None:
                self._sitemap = render_news_sitemap(
                    renderer().env, self.newest_first(), "Yonhap News Agency", "en")
            return Response(200, {"Content-Type": XML_UTF8}, site.rewrite(self._sitemap))
        if path == f"/{LISTING}" or path.startswith(f"/{LISTING}/"):
            page_text = path.removeprefix(f"/{LISTING}").strip("/") or "1"
            pages = (self.count + PAGE_SIZE - 1) // PAGE_SIZE
            if not page_text.isdigit() or not 1 <= int(page_text) <= pages:
                return None
            page = int(page_text)
            newest = self.count - 1 - (page - 1) * PAGE_SIZE
            stories = [make_story(i, self.count)
                       for i in range(newest, max(newest - PAGE_SIZE, -1), -1)]
            body = renderer().listing(LISTING, "Synthetic", stories, page, pages)
            return Response(200, {"Content-Type": HTML_UTF8}, site.rewrite(body))
        return None

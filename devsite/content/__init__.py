"""The invented stories the wire site serves, one text file per story.

``articles(source)`` gives them as :class:`devsite.stories.Story`
records (``id``, ``title``, ``published`` as an aware datetime in the source's
time zone, ``section``, ``keywords``, ``paragraphs``...), newest first; tests use
it as the expected answer for a crawl of the local site.

Folders are named by source id: ``yonhap_en/``, ``yonhap_ko/``, ``apnews/``.
"""

from __future__ import annotations

from devsite.stories import SOURCES, Story, load_stories

__all__ = ["SOURCES", "Story", "articles"]


def articles(source: str | None = None, *, include_embargoed: bool = False) -> list[Story]:
    """Stories of one source (or of all), newest first.

    Embargoed stories are linked from feeds and listings but disallowed by
    robots.txt, so a polite crawl never fetches them; they are left out unless
    ``include_embargoed`` is set.
    """
    sources = [source] if source else list(SOURCES)
    stories = [s for src in sources for s in load_stories(src)]
    if not include_embargoed:
        stories = [s for s in stories if not s.embargoed]
    return sorted(stories, key=lambda s: (s.published, s.id), reverse=True)

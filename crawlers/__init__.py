"""The Scrapy project of wiredesk: source registry, the ``wire`` spider, runner.

Public entry points: :func:`crawlers.sources.load_sources`,
:func:`crawlers.sources.source_from_feed` and :func:`crawlers.runner.crawl`
(one crawl in its own process, then the run directory staged in the store).
See ``crawlers/README.md`` for the outcomes every discovered URL can reach.
"""

"""Crawl throughput and memory: the full wiredesk crawl against a bare Scrapy spider.

Both crawl the bundled wire site with ``synthetic_articles=5000`` (generated
stories dated 2025-03-12) in child processes, one after the other, in one run:

- **full**: ``crawlers.runner.crawl`` of ``yonhap_en`` for 2025-03-12:
  discovery (RSS, sitemap index, news sitemaps), robots.txt, fetch, WARC
  archive, parse, ledger, staging upload to a ``file://`` store;
- **bare**: :class:`BareSpider` below, which only downloads the same article
  pages listed in the synthetic sitemap and throws them away.

Throughput is pages fetched per wall-clock second of the child process
(start-up included for both).  The two are run alternately ``REPEAT`` times
(env ``WIREDESK_BENCH_REPEAT``, default 2) and the best rate of each is kept,
so a burst of load from elsewhere on the machine does not decide the ratio.
Memory is the crawl process's RSS high-water mark as Scrapy's ``MemoryUsage``
extension records it (``memusage/max``, sampled every 0.5 s), for 500 vs
5,000 articles.

Politeness is switched off for the benchmark through settings overrides (the
local site is ours): ``DOWNLOAD_DELAY=0``, ``AUTOTHROTTLE_ENABLED=False``,
``CONCURRENT_REQUESTS=CONCURRENT_REQUESTS_PER_DOMAIN=32``; the same values go
to the bare spider.  Targets: full/bare >= 0.5, RSS(5000)/RSS(500) <= 1.5.

Run: ``python -m benchmarks.bench_crawl`` (or ``make bench``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import scrapy

DAY = date(2025, 3, 12)
CONCURRENCY = 32
OVERRIDES = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": CONCURRENCY,
    "CONCURRENT_REQUESTS_PER_DOMAIN": CONCURRENCY,
    "LOG_LEVEL": "WARNING",
    "WIREDESK_PROGRESS_INTERVAL": 0,
    "MEMUSAGE_ENABLED": True,
    "MEMUSAGE_CHECK_INTERVAL_SECONDS": 0.5,
}
REPEAT = int(os.environ.get("WIREDESK_BENCH_REPEAT", "2"))


class BareSpider(scrapy.Spider):
    """The baseline: read one sitemap, download every page it lists, keep nothing."""

    name = "bare"

    def __init__(self, sitemap: str = "", **kwargs):
        super().__init__(**kwargs)
        self.sitemap = sitemap

    async def start(self):
        yield scrapy.Request(self.sitemap, callback=self.parse_sitemap)

    def parse_sitemap(self, response):
        response.selector.remove_namespaces()
        for url in response.xpath("//url/loc/text()").getall():
            yield scrapy.Request(url.strip(), callback=self.parse_page)

    def parse_page(self, response):
        return None


def run_full(articles: int, work: Path) -> dict:
    from crawlers import runner
    from devsite.localsite import local_sources_file
    from devsite.server import WireSite

    work.mkdir(parents=True, exist_ok=True)
    with WireSite(synthetic_articles=articles) as site:
        sources = local_sources_file(site.base_urls, work / f"sources-{articles}.yaml")
        started = time.perf_counter()
        result = runner.crawl(
            "yonhap_en", DAY, (work / f"store-{articles}").as_uri(),
            sources_file=str(sources), settings=OVERRIDES, work_dir=work / f"runs-{articles}",
            timeout=900,
        )
        elapsed = time.perf_counter() - started
    crawl = json.loads((work / f"store-{articles}" / result["staging"] / "crawl.json").read_text())
    pages = crawl["stats"].get("downloader/response_count", 0)
    peak = crawl["stats"].get("memusage/max", 0) / (1024 * 1024)
    return {"pages": pages, "seconds": elapsed, "parsed": result["counts"]["parsed"],
            "peak_rss_mb": peak, "rate": pages / elapsed}


def run_bare(articles: int) -> dict:
    from devsite.server import WireSite

    with WireSite(synthetic_articles=articles) as site:
        argv = [sys.executable, "-m", "scrapy", "runspider", __file__,
                "-a", f"sitemap={site.base_url}/sitemap-synthetic.xml",
                "-s", "REMOTE_CONTROL_ENABLED=False", "-s", "TELNETCONSOLE_ENABLED=False"]
        for key, value in OVERRIDES.items():
            if not key.startswith(("WIREDESK_", "MEMUSAGE_")):
                argv += ["-s", f"{key}={value}"]
        env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
        started = time.perf_counter()
        subprocess.run(argv, check=True, env=env, cwd=tempfile.gettempdir())
        elapsed = time.perf_counter() - started
        pages = sum(1 for _, path, _ in site.requests if path.startswith("/view/"))
    return {"pages": pages, "seconds": elapsed, "rate": pages / elapsed}


def parse_cost_ms(samples: int = 50) -> float:
    """Milliseconds ``parsers.parse_page`` takes per synthetic page, in this process.

    Printed next to the rates: it bounds what one crawl process can reach.
    """
    import urllib.request

    import parsers
    from devsite.server import WireSite
    from devsite.synthetic import synthetic_id

    with WireSite(synthetic_articles=samples) as site:
        pages = [urllib.request.urlopen(site.url(f"/view/{synthetic_id(1000 + i)}")).read()
                 for i in range(samples)]
    started = time.perf_counter()
    for body in pages:
        parsers.parse_page(body, "https://en.yna.co.kr/view/x", "yonhap_en", DAY)
    return (time.perf_counter() - started) / samples * 1000


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="wiredesk-bench-crawl-") as tmp:
        work = Path(tmp)
        small = run_full(500, work / "small")
        fulls, bares = [], []
        for attempt in range(REPEAT):
            bares.append(run_bare(5000))
            fulls.append(run_full(5000, work / f"large-{attempt}"))
    large = max(fulls, key=lambda r: r["rate"])
    bare = max(bares, key=lambda r: r["rate"])
    peak_large = max(r["peak_rss_mb"] for r in fulls)
    print(f"{'crawl (5000 synthetic articles)':34} {'pages':>7} {'seconds':>8} {'pages/s':>8}"
          f"   (best of {REPEAT})")
    print(f"{'full: fetch+parse+WARC+stage':34} {large['pages']:>7} {large['seconds']:>8.1f} "
          f"{large['rate']:>8.1f}")
    print(f"{'bare Scrapy: download only':34} {bare['pages']:>7} {bare['seconds']:>8.1f} "
          f"{bare['rate']:>8.1f}")
    print(f"throughput ratio full/bare: {large['rate'] / bare['rate']:.2f} (target >= 0.5)")
    print("all rates: full " + ", ".join(f"{r['rate']:.1f}" for r in fulls)
          + "; bare " + ", ".join(f"{r['rate']:.1f}" for r in bares))
    print(f"parsed: {large['parsed']} pages (5000 synthetic + the day's stored stories)")
    cost = parse_cost_ms()
    print(f"parse_page alone: {cost:.1f} ms/page, i.e. at most {1000 / cost:.0f} pages/s on one "
          "core before any fetching; the full crawl spends most of its CPU there")
    print(f"peak crawl-process RSS: {small['peak_rss_mb']:.0f} MB for 500 articles, "
          f"{peak_large:.0f} MB for 5000 -> ratio "
          f"{peak_large / small['peak_rss_mb']:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()

"""Parser throughput against ``trafilatura.extract`` on the same pages, one process.

For each page set the whole set is parsed once by each side to warm caches
(imports, compiled regexes, lxml), then ``REPEATS`` rounds of one timed pass
per side, alternating; the median pass gives pages per second and the median
per-round ratio the comparison.  Both sides get the page's raw bytes, so
ours pays for charset decoding as trafilatura does.

* Yonhap parser (``parsers.parse_page`` dispatching on the Yonhap URL) on
  ``yonhap-dev`` and on the bundled fixture site's article pages; target: at
  least 3x trafilatura's pages per second.
* Generic parser (``parse_page`` on pages without a site parser) on
  ``aeb-dev`` + ``fundus-dev``; target: its time at most 1.5x trafilatura's.
"""

from __future__ import annotations

import statistics
import sys
import time
import warnings
from collections.abc import Callable

from benchmarks.corpus import (
    Page,
    aeb_pages,
    corpus_dir,
    fundus_pages,
    wiresite_pages,
    yonhap_pages,
)

REPEATS = 3


def _time_pass(pages: list[Page], extract: Callable[[Page], object]) -> float:
    started = time.perf_counter()
    for page in pages:
        extract(page)
    return time.perf_counter() - started


def measure(pages: list[Page], extract: Callable[[Page], object], repeats: int = REPEATS) -> float:
    """Median pages per second over ``repeats`` passes after one warm-up pass."""
    _time_pass(pages, extract)
    seconds = statistics.median(_time_pass(pages, extract) for _ in range(repeats))
    return len(pages) / seconds if seconds > 0 else float("inf")


def measure_pair(
    pages: list[Page],
    ours: Callable[[Page], object],
    theirs: Callable[[Page], object],
    repeats: int = REPEATS,
) -> tuple[float, float, float]:
    """Pages/s of both sides and the median of per-round speed ratios.

    Passes alternate (ours, theirs, ours, ...) so that load from other
    processes on a shared machine hits both sides alike; the ratio is taken
    per round, then the median, which is steadier than a ratio of medians.
    """
    _time_pass(pages, ours)
    _time_pass(pages, theirs)
    mine, base, ratios = [], [], []
    for _ in range(repeats):
        a = _time_pass(pages, ours)
        b = _time_pass(pages, theirs)
        mine.append(a)
        base.append(b)
        ratios.append(b / a if a > 0 else float("inf"))
    count = len(pages)
    return (
        count / statistics.median(mine),
        count / statistics.median(base),
        statistics.median(ratios),
    )


def _ours(page: Page) -> object:
    from parsers import ParseError, parse_page

    try:
        return parse_page(page.html, url=page.url)
    except ParseError as exc:  # refusals are part of the work measured
        return exc


def _trafilatura(page: Page) -> object:
    import trafilatura

    return trafilatura.extract(page.html)


def compare(label: str, pages: list[Page], target: str) -> dict[str, float]:
    """Measure both extractors on ``pages`` and print one comparison line."""
    ours, theirs, ratio = measure_pair(pages, _ours, _trafilatura)
    print(
        f"{label:34} {len(pages):4d} pages: ours {ours:7.1f} p/s, "
        f"trafilatura {theirs:7.1f} p/s, ratio {ratio:4.2f}x  ({target})",
        flush=True,
    )
    return {"pages": len(pages), "ours_pps": ours, "trafilatura_pps": theirs, "ratio": ratio}


def main() -> None:
    warnings.filterwarnings("ignore")
    results: dict[str, dict[str, float]] = {}
    fixture = wiresite_pages()
    if fixture:
        results["yonhap_fixture"] = compare(
            "yonhap parser (fixture wire site)", fixture, "target >= 3x"
        )
    root = corpus_dir()
    if root is None:
        print("corpus benchmarks skipped: no corpus at ../shared/corpus (WIREDESK_CORPUS)")
        return
    yonhap = yonhap_pages(root)
    if yonhap:
        results["yonhap_dev"] = compare("yonhap parser (yonhap-dev)", yonhap, "target >= 3x")
    generic = aeb_pages(root) + fundus_pages(root)
    if generic:
        results["generic"] = compare(
            "generic parser (aeb-dev+fundus-dev)", generic, "target >= 0.67x"
        )
    for name, row in results.items():
        target = 1 / 1.5 if name == "generic" else 3.0
        verdict = "ok" if row["ratio"] >= target else "BELOW TARGET"
        print(f"  {name}: {verdict}")


if __name__ == "__main__":
    main()
    sys.exit(0)

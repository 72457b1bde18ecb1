"""Parser throughput against ``trafilatura.extract`` on the same pages, one process.

For each page set the whole set is parsed once by each side to warm caches
(imports, compiled regexes, lxml), then ``ROUNDS`` rounds of one timed pass
per side.  Both sides get the page's raw bytes, so ours pays for charset
decoding as trafilatura does.

Made to give the same verdict on a busy 2-core machine:

* passes are timed in **CPU seconds of this process** (``time.process_time``)
  by default, so another process stealing the core during one side's pass
  does not count against that side (``--wall`` measures elapsed time);
* the sides alternate and swap who goes first every round (ours, theirs,
  theirs, ours, ...) so drift (thermal, caches) hits both alike;
* a full garbage collection runs before every pass, so one side does not pay
  for the other's garbage;
* the comparison is the median of the per-round ratios (theirs / ours, >1
  means ours is faster), printed with the lowest and highest round.

* Yonhap parser (``parsers.parse_page`` dispatching on the Yonhap URL) on
  ``yonhap-dev`` and on the bundled fixture site's article pages; target: at
  least 3x trafilatura's pages per second.
* Generic parser (``parse_page`` on pages without a site parser) on
  ``aeb-dev`` + ``fundus-dev``; target: at least as fast as trafilatura on
  the same pages, i.e. a ratio of at least 1.0x.

Run: ``python -m benchmarks.bench_parsers [--rounds N] [--wall]``.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.corpus import (
    Page,
    aeb_pages,
    corpus_dir,
    fundus_pages,
    wiresite_pages,
    yonhap_pages,
)

ROUNDS = 7

#: The clock passes are timed with: CPU time of this process unless ``--wall``.
Clock = Callable[[], float]


def _time_pass(
    pages: list[Page], extract: Callable[[Page], object], clock: Clock = time.process_time
) -> float:
    gc.collect()
    started = clock()
    for page in pages:
        extract(page)
    return clock() - started


def measure(
    pages: list[Page],
    extract: Callable[[Page], object],
    repeats: int = ROUNDS,
    clock: Clock = time.process_time,
) -> float:
    """Median pages per second over ``repeats`` passes after one warm-up pass."""
    _time_pass(pages, extract, clock)
    seconds = statistics.median(_time_pass(pages, extract, clock) for _ in range(repeats))
    return len(pages) / seconds if seconds > 0 else float("inf")


@dataclass
class Comparison:
    """Both sides' median pages/s and the per-round speed ratios (theirs' time / ours)."""

    pages: int
    ours_pps: float
    theirs_pps: float
    ratios: list[float]

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)

    @property
    def spread(self) -> tuple[float, float]:
        return min(self.ratios), max(self.ratios)


def measure_pair(
    pages: list[Page],
    ours: Callable[[Page], object],
    theirs: Callable[[Page], object],
    repeats: int = ROUNDS,
    clock: Clock = time.process_time,
) -> Comparison:
    """Time both sides ``repeats`` times, alternating, after a warm-up pass of each.

    Round ``i`` runs ours first when ``i`` is even and theirs first when odd;
    each round's ratio compares the two passes of that round only, and the
    median of those ratios is the comparison, steadier than a ratio of medians.
    """
    _time_pass(pages, ours, clock)
    _time_pass(pages, theirs, clock)
    mine, base, ratios = [], [], []
    for round_no in range(repeats):
        if round_no % 2 == 0:
            a = _time_pass(pages, ours, clock)
            b = _time_pass(pages, theirs, clock)
        else:
            b = _time_pass(pages, theirs, clock)
            a = _time_pass(pages, ours, clock)
        mine.append(a)
        base.append(b)
        ratios.append(b / a if a > 0 else float("inf"))
    count = len(pages)
    median_mine, median_base = statistics.median(mine), statistics.median(base)
    return Comparison(
        pages=count,
        ours_pps=count / median_mine if median_mine > 0 else float("inf"),
        theirs_pps=count / median_base if median_base > 0 else float("inf"),
        ratios=ratios,
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


def compare(
    label: str, pages: list[Page], target: str, rounds: int, clock: Clock
) -> Comparison:
    """Measure both extractors on ``pages`` and print one comparison line."""
    result = measure_pair(pages, _ours, _trafilatura, repeats=rounds, clock=clock)
    low, high = result.spread
    print(
        f"{label:34} {len(pages):4d} pages: ours {result.ours_pps:7.1f} p/s, "
        f"trafilatura {result.theirs_pps:7.1f} p/s, ratio {result.ratio:4.2f}x "
        f"(rounds {low:4.2f}-{high:4.2f}x)  ({target})",
        flush=True,
    )
    return result


def main(argv: list[str] | None = None) -> None:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--rounds", type=int, default=ROUNDS, help="timed rounds per set")
    cli.add_argument("--wall", action="store_true", help="time elapsed, not CPU, seconds")
    args = cli.parse_args(argv if argv is not None else [])
    clock: Clock = time.perf_counter if args.wall else time.process_time
    print(f"{'wall' if args.wall else 'CPU'} time, {args.rounds} rounds per set", flush=True)
    warnings.filterwarnings("ignore")
    results: dict[str, Comparison] = {}
    fixture = wiresite_pages()
    if fixture:
        results["yonhap_fixture"] = compare(
            "yonhap parser (fixture wire site)", fixture, "target >= 3x", args.rounds, clock
        )
    root = corpus_dir()
    if root is None:
        print("corpus benchmarks skipped: no corpus at ../shared/corpus (WIREDESK_CORPUS)")
        return
    yonhap = yonhap_pages(root)
    if yonhap:
        results["yonhap_dev"] = compare(
            "yonhap parser (yonhap-dev)", yonhap, "target >= 3x", args.rounds, clock
        )
    generic = aeb_pages(root) + fundus_pages(root)
    if generic:
        results["generic"] = compare(
            "generic parser (aeb-dev+fundus-dev)", generic, "target >= 1.0x", args.rounds, clock
        )
    for name, row in results.items():
        target = 1.0 if name == "generic" else 3.0
        verdict = "ok" if row.ratio >= target else "BELOW TARGET"
        steady = "every round" if row.spread[0] >= target else "not every round"
        print(f"  {name}: {verdict} ({steady} at target)")


if __name__ == "__main__":
    main(sys.argv[1:])
    sys.exit(0)

"""The parser benchmark's timing helper (the full run is ``make bench``)."""

from __future__ import annotations

from benchmarks.bench_parsers import measure, measure_pair
from benchmarks.corpus import Page


def test_measure_warms_up_then_takes_the_median_of_repeats():
    calls: list[str] = []
    pages = [Page(id=str(i), url=None, html=b"<p>x</p>") for i in range(4)]
    rate = measure(pages, lambda page: calls.append(page.id), repeats=3)
    assert len(calls) == 4 * (1 + 3)  # one warm-up pass, three timed passes
    assert rate > 0


def test_measure_pair_alternates_and_reports_a_ratio():
    order: list[str] = []
    pages = [Page(id="1", url=None, html=b"")]
    ours_pps, theirs_pps, ratio = measure_pair(
        pages, lambda p: order.append("ours"), lambda p: order.append("theirs"), repeats=3
    )
    assert order == ["ours", "theirs"] * 4  # warm-up round, then three timed rounds
    assert ours_pps > 0 and theirs_pps > 0 and ratio > 0

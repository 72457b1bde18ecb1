"""The parser benchmark's timing helpers (the full run is ``python -m benchmarks.bench_parsers``)."""

from __future__ import annotations

from itertools import count

from benchmarks.bench_parsers import measure, measure_pair
from benchmarks.corpus import Page


def test_measure_warms_up_then_takes_the_median_of_repeats():
    calls: list[str] = []
    pages = [Page(id=str(i), url=None, html=b"<p>x</p>") for i in range(4)]
    rate = measure(pages, lambda page: calls.append(page.id), repeats=3)
    assert len(calls) == 4 * (1 + 3)  # one warm-up pass, three timed passes
    assert rate > 0


def test_measure_pair_alternates_who_goes_first_and_reports_every_round():
    order: list[str] = []
    pages = [Page(id="1", url=None, html=b"")]
    result = measure_pair(
        pages, lambda p: order.append("ours"), lambda p: order.append("theirs"), repeats=3
    )
    # warm-up of each, then rounds ours-theirs, theirs-ours, ours-theirs
    assert order == ["ours", "theirs", "ours", "theirs", "theirs", "ours", "ours", "theirs"]
    assert len(result.ratios) == 3
    assert result.ours_pps > 0 and result.theirs_pps > 0


def test_ratio_is_the_median_round_and_spread_its_extremes():
    # a fake clock: each reading advances 1 s, so a pass of one page takes 1 s,
    # except that our extract call advances it one more second (ours twice as slow)
    ticks = count()
    now = [0.0]

    def clock() -> float:
        now[0] = float(next(ticks)) + extra[0]
        return now[0]

    extra = [0.0]

    def ours(page: Page) -> None:
        extra[0] += 1.0

    pages = [Page(id="1", url=None, html=b"")]
    result = measure_pair(pages, ours, lambda page: None, repeats=5, clock=clock)
    assert result.ratio == 0.5  # theirs 1 s / ours 2 s in every round
    assert result.spread == (0.5, 0.5)
    assert result.ours_pps == 0.5 and result.theirs_pps == 1.0

"""The aeb body metric on hand-made texts whose shingle counts are easy to verify."""

from __future__ import annotations

import pytest

from benchmarks.metric import aggregate, body_score, score_page, shingles, tokens


def test_tokens_are_unicode_word_runs_with_case_kept():
    assert tokens("Seoul's K-pop, 2024!") == ["Seoul", "s", "K", "pop", "2024"]
    assert tokens("서울에서 열린 회의") == ["서울에서", "열린", "회의"]
    assert tokens("") == []


def test_shingles_are_a_multiset_of_four_token_windows():
    counted = shingles("a b c d a b c d")
    assert sum(counted.values()) == 5
    assert counted[("a", "b", "c", "d")] == 2


def test_short_text_is_one_shingle_and_empty_text_none():
    assert shingles("only three words") == {("only", "three", "words"): 1}
    assert shingles("   ") == {}


def test_identical_texts_score_one():
    page = score_page("one two three four five", "one two three four five")
    assert (page.tp, page.fp, page.fn) == (2, 0, 0)
    assert page.precision == page.recall == 1.0


def test_extra_and_missing_shingles():
    # truth: 1 2 3 4 5 6 -> 3 shingles; prediction adds "x" at the end -> 4 shingles, 3 shared
    page = score_page("1 2 3 4 5 6 x", "1 2 3 4 5 6")
    assert (page.tp, page.fp, page.fn) == (3, 1, 0)
    assert page.precision == pytest.approx(0.75)
    assert page.recall == 1.0
    # prediction drops the last token: 2 shingles, both shared; one true shingle missing
    page = score_page("1 2 3 4 5", "1 2 3 4 5 6")
    assert (page.tp, page.fp, page.fn) == (2, 0, 1)
    assert page.recall == pytest.approx(2 / 3)


def test_repeated_shingles_count_by_multiset_minimum():
    page = score_page("a b c d a b c d", "a b c d")
    assert (page.tp, page.fp, page.fn) == (1, 4, 0)


def test_no_shared_shingle_gives_zero():
    page = score_page("completely different words here", "nothing in common at all")
    assert page.precision == 0.0 and page.recall == 0.0


def test_macro_average_skips_undefined_sides():
    perfect = score_page("a b c d e", "a b c d e")
    empty_prediction = score_page("", "a b c d e")  # recall 0, no precision
    half = score_page("a b c d x y z w", "a b c d e")  # P 1/5, R 1/2
    result = aggregate([perfect, empty_prediction, half])
    assert result.precision == pytest.approx((1.0 + 0.2) / 2)
    assert result.recall == pytest.approx((1.0 + 0.0 + 0.5) / 3)
    p, r = result.precision, result.recall
    assert result.f1 == pytest.approx(2 * p * r / (p + r))
    assert result.pages == 3


def test_body_score_of_nothing_is_zero():
    assert body_score([]).f1 == 0.0
    assert body_score([("", "")]).f1 == 0.0

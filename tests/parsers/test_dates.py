"""The calendar words one table gives every parser: months as wires and CMSs print them."""

from __future__ import annotations

import pytest

from parsers.dates import month_number
from parsers.metadata import clean_author_names


@pytest.mark.parametrize(
    ("word", "number"),
    [
        ("Jan.", 1), ("January", 1), ("SEPT", 9), ("Sept.", 9), ("abr", 4), ("März", 3),
        ("Janv.", 1), ("dic", 12), ("Okt", 10), ("giugno", 6),
    ],
)
def test_month_names_and_abbreviations(word, number):
    assert month_number(word) == number


@pytest.mark.parametrize("word", [None, "", "Seoul", "Monday", "12"])
def test_other_words_are_no_month(word):
    assert month_number(word) is None


def test_calendar_words_left_of_a_cut_date_are_no_names():
    assert clean_author_names(["Donnerstag", "Dez.", "Janvier"]) == []
    assert clean_author_names(["Mara Oakes"]) == ["Mara Oakes"]

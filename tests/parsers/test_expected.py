"""Every stored page against its expected record, field by field (fundus style).

Corpus pages skip when ``../shared/corpus`` is absent; the pages written for
these tests always run.  A failing case prints which fields differ; if the
change is intended, run ``python -m tests.parsers.regenerate`` and review the
diff it prints.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.parsers.cases import Case, dump, fixture_cases, seed_cases, yonhap_corpus_cases

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "storage" / "schemas" / "article.v1.json").read_text()
)


def _params(cases: list[Case], what: str) -> list:
    if not cases:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{what} not available"))]
    return [pytest.param(case, id=case.name) for case in cases]


def _check(case: Case) -> None:
    assert case.expected.exists(), f"no expected file {case.expected}: run tests.parsers.regenerate"
    record = case.parse()
    versions = json.loads(case.expected.read_text())
    version = record["parser"]["version"]
    assert version in versions, f"no expected record for parser version {version}"
    expected = versions[version]
    keys = expected.keys() | record.keys()
    differing = sorted(k for k in keys if expected.get(k) != record.get(k))
    report = {k: {"expected": expected.get(k), "got": record.get(k)} for k in differing}
    assert not differing, report


@pytest.mark.corpus
@pytest.mark.parametrize("case", _params(yonhap_corpus_cases(), "yonhap-dev corpus"))
def test_yonhap_corpus_page(case: Case) -> None:
    _check(case)


@pytest.mark.corpus
@pytest.mark.parametrize("case", _params(seed_cases(), "seed corpus"))
def test_seed_text_dump(case: Case) -> None:
    _check(case)


@pytest.mark.parametrize("case", _params(fixture_cases(), "fixture pages"))
def test_fixture_page(case: Case) -> None:
    _check(case)


@pytest.mark.parametrize(
    "case", _params(yonhap_corpus_cases() + seed_cases() + fixture_cases(), "pages")
)
def test_record_matches_schema(case: Case) -> None:
    jsonschema.validate(case.parse_full(), SCHEMA)


def test_every_expected_file_has_a_page() -> None:
    """A stale expected file (its page renamed or gone) is an error, not dead weight."""
    cases = {c.expected for c in fixture_cases()}
    stored = set((Path(__file__).parent / "expected" / "pages").glob("*.json"))
    assert stored <= cases


def test_expected_files_are_in_canonical_form() -> None:
    """Sorted keys and one layout: a file that differs was edited by hand."""
    folder = Path(__file__).parent / "expected"
    files = sorted(folder.rglob("*.json"))
    assert files
    for path in files:
        text = path.read_text()
        assert text == dump(json.loads(text)), f"{path} is not as regenerate.py writes it"

"""The eval harness's comparisons and its behaviour without a corpus."""

from __future__ import annotations

import json
from datetime import date

from benchmarks import eval_parsers
from benchmarks.eval_parsers import (
    Extraction,
    authors_credit_ok,
    authors_ok,
    date_ok,
    format_table,
    name_set,
    segment_counts,
    snippet_authors_credit_ok,
    snippet_authors_ok,
    snippet_date_ok,
    snippet_title_ok,
    title_ok,
)


def test_title_normalisation_covers_whitespace_quotes_and_invisibles():
    row = {"title": "Strava's  new\u00a0plan"}
    assert title_ok(Extraction(title="Strava\u2019s new plan\u200b"), row)
    assert not title_ok(Extraction(title="strava's new plan"), row)  # case counts
    assert not title_ok(Extraction(title=None), row)


def test_typographic_dashes_match_but_entities_and_substrings_do_not():
    row = {"title": "Vote - a close call"}
    assert title_ok(Extraction(title="Vote \u2013 a close call"), row)
    assert title_ok(Extraction(title="Vote \u2014 a close call"), row)
    assert not title_ok(Extraction(title="Vote &ndash; a close call"), row)  # a defect
    assert not title_ok(Extraction(title="Vote - a close call | Courier"), row)


def test_date_is_the_local_day_each_side_states():
    row = {"publishing_date": "2024-05-03 23:30:00+02:00"}
    assert date_ok(Extraction(day=date(2024, 5, 3)), row)
    assert not date_ok(Extraction(day=date(2024, 5, 4)), row)
    assert not date_ok(Extraction(day=None), row)


def test_authors_are_compared_as_normalised_sets():
    row = {"authors": ["Mara Oakes", "Tomas Vell"]}
    assert authors_ok(Extraction(authors=["tomas vell", "Mara  Oakes"]), row)
    assert not authors_ok(Extraction(authors=["Mara Oakes"]), row)
    assert authors_ok(Extraction(authors=[]), {"authors": None})


def test_credited_organisations_count_only_in_the_credit_row():
    # the record keeps people, the publication or desk, and the agency apart
    got = Extraction(authors=["Mara Oakes"], organisations=["Redaktion Courier"], agency="dpa")
    row = {"authors": ["Mara Oakes", "Redaktion Courier", "dpa"]}
    assert not authors_ok(got, row) and authors_credit_ok(got, row)
    assert not authors_credit_ok(got, {"authors": ["Mara Oakes", "dpa"]})
    assert authors_credit_ok(Extraction(organisations=["Courier"]), {"authors": ["courier"]})
    assert authors_credit_ok(Extraction(agency="AP"), {"authors": ["Associated Press"]})
    snippet = {"author": "Mara Oakes; Redaktion Courier; dpa"}
    assert not snippet_authors_ok(got, snippet) and snippet_authors_credit_ok(got, snippet)


def test_table_leads_with_the_table_off_figure_beside_table_on_and_trafilatura():
    result = {
        "sets": {"aeb-dev": {"pages": 2, "refused by ours": 0}},
        "metrics": {
            "aeb-dev body F1": {"ours": 0.97, "ours+table": 0.98, "trafilatura": 0.95, "delta": 0.02}
        },
    }
    table = format_table(result)
    header = next(line for line in table.splitlines() if line.startswith("metric"))
    assert header.split()[1:] == ["ours", "ours+table", "trafilatura", "delta"]
    assert "publisher table off" in table
    assert "+0.0200" in table


def test_missing_corpus_skips_with_exit_zero(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WIREDESK_CORPUS", str(tmp_path / "absent"))
    out = tmp_path / "eval.json"
    assert eval_parsers.main(["--out", str(out)]) == 0
    assert "skipped" in capsys.readouterr().out
    assert not out.exists()


def test_tiny_corpus_writes_json_table(tmp_path, monkeypatch):
    """A one-page aeb-dev set of our own runs end to end through both extractors."""
    import gzip

    story = " ".join(
        f"Paragraph {i} tells how the Brindle ferry council met again to vote." for i in range(8)
    )
    html = (
        "<html><head><title>Ferry vote</title></head><body><article>"
        + "".join(f"<p>{s}.</p>" for s in story.split(". "))
        + "</article></body></html>"
    )
    base = tmp_path / "aeb-dev"
    (base / "html").mkdir(parents=True)
    (base / "html" / "page1.html.gz").write_bytes(gzip.compress(html.encode()))
    (base / "ground-truth.json").write_text(
        json.dumps({"page1": {"articleBody": story, "url": "https://n.example/a"}})
    )
    monkeypatch.setenv("WIREDESK_CORPUS", str(tmp_path))
    out = tmp_path / "eval.json"
    assert eval_parsers.main(["--out", str(out)]) == 0
    table = json.loads(out.read_text())
    assert table["sets"] == {"aeb-dev": {"pages": 1, "refused by ours": 0}}
    assert set(table["metrics"]["aeb-dev body F1"]) == {"ours", "ours+table", "trafilatura", "delta"}
    assert table["metrics"]["aeb-dev body F1"]["ours"] > 0.5


def test_segment_metric_counts_with_and_without_snippets():
    row = {"with": ["ferry  council", "met again"], "without": ["Subscribe now"]}
    assert segment_counts("The ferry council\nmet on Monday. Subscribe now", row) == (1, 1, 1)
    # canonically equivalent text is one text: a page's decomposed letters match the NFC snippet
    assert segment_counts("sa\u0300 ferry", {"with": ["s\u00e0 ferry"]}) == (1, 0, 0)


def test_trafilatura_dev_fields_follow_its_readme():
    row = {"title": "It’s  a vote", "date": "2024-05-03", "author": "Mara Oakes und Tomas Vell"}
    assert snippet_title_ok(Extraction(title="It’s a vote"), row)
    assert not snippet_title_ok(Extraction(title="It's a vote"), row)  # exact: quotes count
    # canonically equivalent text is one text: a precomposed letter (U+09DC) and
    # its NFC decomposition (U+09A1 U+09BC) compare equal, case does not
    assert snippet_title_ok(Extraction(title="বা\u09dcি"), {"title": "বা\u09a1\u09bcি"})
    assert not snippet_title_ok(Extraction(title="VOTE"), {"title": "Vote"})
    assert snippet_date_ok(Extraction(published="2024-05-03T23:30:00+02:00"), row)
    assert snippet_authors_ok(Extraction(authors=["Tomas Vell", "Mara Oakes"]), row)
    assert not snippet_authors_ok(Extraction(authors=["Mara Oakes"]), row)
    # a news agency is one credit however it is spelled, on both sides
    assert snippet_authors_credit_ok(Extraction(agency="AP"), {"author": "The Associated Press"})
    assert snippet_authors_credit_ok(Extraction(agency="AP"), {"author": "Associated Press"}, case=True)
    assert not snippet_authors_credit_ok(Extraction(agency="AP"), {"author": "Reuters"})
    # a byline a style sheet sets in capitals is the same person; the strict row counts case
    capitals = {"author": "MARA OAKES"}
    assert snippet_authors_ok(Extraction(authors=["Mara Oakes"]), capitals)
    assert not snippet_authors_ok(Extraction(authors=["Mara Oakes"]), capitals, case=True)
    assert not snippet_authors_credit_ok(Extraction(organisations=["Mara Oakes"]), capitals, case=True)
    assert name_set(["Oakes, PhD"]) == {"Oakes, PhD"}  # a list is one name an item


def test_a_page_annotated_with_no_author_scores_whether_anyone_was_named():
    from benchmarks.corpus import Page
    from benchmarks.eval_parsers import Column, _score_snippets

    column = Column()
    for authors, annotated in (([], ""), (["Jane Roe"], ""), (["Jane Roe"], None)):
        page = Page(id="p", url=None, html=b"", expected={"author": annotated})
        _score_snippets(column, Extraction(authors=authors), page)
    assert column.checks["no author, none named"] == [True, False]  # unannotated: not scored
    assert "authors" not in column.checks

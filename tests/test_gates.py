"""Quality gates (:mod:`wiredesk.gates`): each gate on its own, then all of them over a real staged run."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from crawlers.sources import Gates, load_sources
from storage import open_store
from storage.publish import publish_run
from storage.staging import upload_staging
from tests.storage.factories import make_record, write_run_dir
from wiredesk import gates, run
from wiredesk.settings import BOILERPLATE, GATES

DAY = date(2026, 11, 20)


# -- limits ---------------------------------------------------------------------------


def test_defaults_come_from_settings_and_a_source_overrides_single_limits(monkeypatch):
    monkeypatch.delenv("WIREDESK_GATE_MIN_ARTICLES", raising=False)
    assert gates.resolve(None) == GATES
    limits = gates.resolve(Gates(min_articles=20, boilerplate=["Copyright"]))
    assert limits["min_articles"] == 20 and limits["boilerplate"] == ["Copyright"]
    assert limits["max_quarantined_share"] == GATES["max_quarantined_share"]


def test_environment_changes_the_defaults_but_not_what_a_source_sets(monkeypatch):
    monkeypatch.setenv("WIREDESK_GATE_MIN_ARTICLES", "7")
    monkeypatch.setenv("WIREDESK_GATE_MAX_DRIFT", "0.5")
    assert gates.resolve(None)["min_articles"] == 7
    assert gates.resolve(None)["max_drift"] == 0.5
    assert gates.resolve(Gates(min_articles=3))["min_articles"] == 3


def test_sources_yaml_sets_gates_and_refuses_nonsense(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text("yonhap_en:\n  gates:\n    min_articles: 50\n    max_quarantined_share: 0.1\n")
    spec = load_sources(path)["yonhap_en"]
    assert spec.gates.min_articles == 50 and spec.gates.max_quarantined_share == 0.1
    assert spec.gates.boilerplate is None  # left to the default list
    path.write_text("yonhap_en:\n  gates:\n    max_quarantined_share: 2\n")
    with pytest.raises(ValueError, match="yonhap_en"):
        load_sources(path)
    path.write_text("yonhap_en:\n  gates:\n    min_artcles: 5\n")
    with pytest.raises(ValueError, match="min_artcles"):
        load_sources(path)


# -- each gate ------------------------------------------------------------------------


def test_min_articles():
    assert gates.min_articles(5, 5).passed
    failed = gates.min_articles(4, 5)
    assert not failed.passed
    assert failed.line() == "gate min_articles FAILED: 4 parsed records (limit at least 5)"


def test_max_quarantined_share_is_of_fetched_pages():
    assert gates.max_quarantined_share(3, 10, 0.3).passed
    failed = gates.max_quarantined_share(4, 10, 0.3)
    assert not failed.passed
    assert failed.line() == ("gate max_quarantined_share FAILED: 0.40 (4 quarantined of 10 fetched) "
                             "(limit at most 0.30)")
    assert gates.max_quarantined_share(0, 0, 0.0).passed  # nothing fetched: min_articles speaks


def test_boilerplate_names_the_phrase_the_count_and_the_first_record():
    clean = [make_record(1), make_record(2)]
    assert gates.boilerplate(clean, BOILERPLATE).passed
    dirty = clean + [make_record(3, body=["Story text.", "(END)"]), make_record(4, body=["x (END)"])]
    failed = gates.boilerplate(dirty, BOILERPLATE)
    assert not failed.passed
    assert failed.measured == "'(END)' in 2 record(s), first https://wire.example/3"
    assert failed.limit == f"none of {len(BOILERPLATE)} phrases"
    assert gates.boilerplate(dirty, ["Copyright"]).passed  # a source's own list replaces the default


def _shares(records):
    shares = gates.FieldShares()
    for record in records:
        shares.add(record)
    return shares


def _day(n, *, without_authors=0):
    records = [make_record(i) for i in range(n)]
    for record in records[:without_authors]:
        record["authors"] = []
    return _shares(records)


def test_drift_compares_each_field_with_the_mean_of_earlier_days():
    limits = {**GATES, "max_drift": 0.3}
    history = [_day(20, without_authors=2), _day(20, without_authors=4), _day(20, without_authors=0)]
    assert gates.drift(_day(20, without_authors=6), history, limits).passed  # 0.30 vs 0.10: +0.20
    failed = gates.drift(_day(20, without_authors=16), history, limits)  # 0.80 vs 0.10
    assert not failed.passed
    assert "no authors 0.80 vs 0.10" in failed.measured
    assert failed.measured.endswith("largest rise +0.70 (authors)")
    assert failed.limit == "+0.30 over the mean of the last 7 published day(s)"


def test_drift_without_a_baseline_is_skipped_and_says_why():
    limits = {**GATES, "drift_min_days": 3, "drift_min_records": 10}
    short = gates.drift(_day(20, without_authors=20), [_day(20), _day(20)], limits)
    assert short.passed and short.skipped
    assert short.measured == "2 earlier published day(s), 3 needed for a baseline"
    small = gates.drift(_day(5, without_authors=5), [_day(20)] * 3, limits)
    assert small.skipped and small.measured == "5 record(s) on the day, 10 needed"


def test_missing_means_empty_or_null():
    record = make_record(1)
    record.update(authors=[], published_at=None, section=["World"])
    assert gates.missing(record) == {"authors": True, "published_at": True, "section": False}


# -- all gates over a staged run in a real store ------------------------------------------


def _stage(store, tmp_path, day, records, run_id, **kwargs):
    directory = write_run_dir(tmp_path / f"run-{day}-{run_id}", records, run_id=run_id, day=str(day), **kwargs)
    upload_staging(store, "testwire", day, run_id, directory)


def _publish_history(store, tmp_path, days=3, n=12):
    for offset in range(1, days + 1):
        day = DAY - timedelta(days=offset)
        records = [make_record(1000 * offset + i, published_at=f"{day}T09:00:00+09:00") for i in range(n)]
        _stage(store, tmp_path, day, records, f"h{offset}")
        publish_run(store, "testwire", day, f"h{offset}")


def test_check_staged_passes_a_clean_day_against_its_history(tmp_path):
    store = open_store(tmp_path.joinpath("store").as_uri())
    _publish_history(store, tmp_path)
    _stage(store, tmp_path, DAY, [make_record(i) for i in range(12)], "r1")
    results = gates.check_staged(store, "testwire", DAY, "r1", Gates(min_articles=10))
    assert [(r.gate, r.passed, r.skipped) for r in results] == [
        ("min_articles", True, False), ("max_quarantined_share", True, False),
        ("boilerplate", True, False), ("drift", True, False),
    ]
    assert "(mean of 3 day(s))" in results[-1].measured


@pytest.mark.parametrize("republished_at_part", [0, 1])  # before any record, part-way
def test_drift_history_samples_a_day_republished_while_it_is_read(store, tmp_path, monkeypatch,
                                                                  republished_at_part):
    """A backfill republishes an earlier day (its old parts deleted) while the gate samples
    it: the sample starts that day over on its new run, not a failed task, not two runs mixed
    (file and SeaweedFS)."""
    import storage.read as read_module

    earlier = DAY - timedelta(days=1)
    _stage(store, tmp_path, earlier, [make_record(i, published_at=f"{earlier}T09:00:00+09:00")
                                      for i in range(6)], "h1")
    publish_run(store, "testwire", earlier, "h1", part_max_records=2)
    backfill = [make_record(i, published_at=f"{earlier}T09:00:00+09:00") for i in range(6)]
    for record in backfill:
        record["authors"] = []  # the new run differs: its shares tell which run was sampled
    _stage(store, tmp_path, earlier, backfill, "h2")
    real_read_part, seen = read_module.read_part, []

    def read_part_while_a_backfill_lands(store_, part, **kwargs):
        seen.append(part["key"])
        if len(seen) == republished_at_part + 1:
            publish_run(store, "testwire", earlier, "h2", part_max_records=2)
        yield from real_read_part(store_, part, **kwargs)

    monkeypatch.setattr(read_module, "read_part", read_part_while_a_backfill_lands)
    history = gates.recent_days(store, "testwire", DAY, days=3, sample=100)
    assert "part-h1." in seen[republished_at_part]
    assert [(h.records, h.share("authors")) for h in history] == [(6, 1.0)]


def test_validate_step_fails_with_gate_value_and_limit_and_publishes_nothing(tmp_path):
    url = tmp_path.joinpath("store").as_uri()
    store = open_store(url)
    _publish_history(store, tmp_path)
    records = [make_record(i) for i in range(12)]
    for record in records:
        record["authors"] = []  # a parser that lost the byline
    _stage(store, tmp_path, DAY, records, "r1")
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "testwire:\n  name: Test wire\n  language: en\n  allowed_domains: [wire.example]\n"
        "  feeds: ['https://wire.example/rss.xml']\n  gates: {min_articles: 20}\n")
    crawled = {"source": "testwire", "date": str(DAY), "run_id": "r1"}
    with pytest.raises(run.GateError) as failure:
        run.validate_step(crawled, storage_url=url, sources_file=str(sources))
    first, second, *_ = str(failure.value).splitlines()
    assert first == ("validate testwire 2026-11-20: gate min_articles FAILED: 12 parsed records "
                     "(limit at least 20); nothing published.")
    assert second.startswith("validate testwire 2026-11-20: gate drift FAILED: no authors 1.00 vs 0.00")
    assert not list(tmp_path.joinpath("store").glob("articles/**/date=2026-11-20/_manifest.json"))

    sources.write_text(sources.read_text().replace("min_articles: 20", "min_articles: 5, max_drift: 1.0"))
    checked = run.validate_step(crawled, storage_url=url, sources_file=str(sources))
    assert checked["run_id"] == "r1" and [g["passed"] for g in checked["gates"]] == [True] * 4


@pytest.mark.integration
def test_wiredesk_crawl_applies_the_gates_before_it_publishes(tmp_path, wiresite, monkeypatch):
    import subprocess
    import sys

    from devsite.localsite import local_sources_file

    sources = local_sources_file(wiresite.base_urls, tmp_path / "sources.yaml")
    store = tmp_path / "store"
    cli = [sys.executable, "-m", "wiredesk.cli", "crawl", "yonhap_en", "--date", "2025-03-12",
           "--sources", str(sources), "--storage", store.as_uri()]
    env = {**__import__("os").environ, "WIREDESK_GATE_MIN_ARTICLES": "50"}
    refused = subprocess.run(cli, capture_output=True, text=True, timeout=300, env=env)
    assert refused.returncode == 1
    line = refused.stderr.strip().splitlines()[-1]  # the crawl's own log comes first
    assert refused.stderr.count("error: ") == 1
    assert line.startswith("error: validate yonhap_en 2025-03-12: gate min_articles FAILED: 10 parsed records "
                           "(limit at least 50); nothing published. (the run stays staged; 'wiredesk publish "
                           "yonhap_en --date 2025-03-12 --run-id ")
    assert not list(store.glob("articles/**/_manifest.json"))

    env["WIREDESK_GATE_MIN_ARTICLES"] = "5"
    passed = subprocess.run(cli, capture_output=True, text=True, timeout=300, env=env)
    assert passed.returncode == 0, passed.stderr[-2000:]
    gates_line = "gates          min_articles passed, max_quarantined_share passed, boilerplate passed, drift "
    assert gates_line in passed.stdout
    assert list(store.glob("articles/v1/source=yonhap_en/date=2025-03-12/_manifest.json"))

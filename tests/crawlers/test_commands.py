"""``wiredesk sources`` and ``wiredesk crawl`` against the local wire site."""

from __future__ import annotations

from pathlib import Path

import pytest

from wiredesk.cli import main

CONTENT = Path(__file__).resolve().parents[2] / "devsite" / "content" / "yonhap_en"


def test_sources_lists_builtins_and_overrides(tmp_path, capsys):
    path = tmp_path / "sources.yaml"
    path.write_text("yonhap_en:\n  base_url: http://127.0.0.1:9\n", encoding="utf-8")
    assert main(["sources", "--sources", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:3] == ["ID", "NAME", "LANG"]
    rows = {line.split()[0]: line for line in out[1:]}
    assert {"yonhap_en", "yonhap_ko", "apnews"} <= set(rows)
    assert "127.0.0.1" in rows["yonhap_en"] and "Asia/Seoul" in rows["yonhap_ko"]


def test_sources_reports_a_bad_file(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text("yonhap_en:\n  timezone: Nowhere/Else\n", encoding="utf-8")
    assert main(["sources", "--sources", str(path)]) == 1
    assert "yonhap_en" in capsys.readouterr().err


@pytest.mark.integration
def test_crawl_command_crawls_and_publishes(wiresite, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("WIREDESK_CRAWL_LOG_LEVEL", "WARNING")
    path = tmp_path / "sources.yaml"
    path.write_text(
        f"yonhap_en:\n  base_url: {wiresite.base_url}\n"
        "  politeness: {download_delay: 0, autothrottle: false, concurrency_per_domain: 8}\n",
        encoding="utf-8",
    )
    store = (tmp_path / "store").as_uri()
    code = main(["crawl", "yonhap_en", "--date", "2025-03-10", "--sources", str(path),
                 "--storage", store])
    out = capsys.readouterr().out
    assert code == 0, out
    stories = len(list(CONTENT.glob("AEN20250310*.txt")))
    assert f"published      {stories} articles for yonhap_en 2025-03-10" in out
    assert f"discovered={stories}" in out
    assert (tmp_path / "store/articles/v1/source=yonhap_en/date=2025-03-10/_manifest.json").is_file()

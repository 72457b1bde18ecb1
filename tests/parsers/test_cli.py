"""``wiredesk parse``: JSON on stdout, or ``error: <reason>: ...`` and exit code 2."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.parsers.cases import PAGES, REPO
from wiredesk.cli import main


def test_parse_html_file(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["parse", str(PAGES / "yonhap_en_lead.html"),
                 "--url", "https://en.yna.co.kr/view/AEN20250312004551315"])
    out = capsys.readouterr().out
    assert code == 0
    record = json.loads(out)
    assert record["source"] == "yonhap_en"
    assert record["update_flag"] == "LEAD"
    assert out.startswith("{\n  ")  # indented for people


def test_parse_gzipped_html_with_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "page.html.gz"
    page.write_bytes(gzip.compress((PAGES / "yonhap_ko_story.html").read_bytes()))
    assert main(["parse", str(page), "--source", "yonhap_ko"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["source"] == "yonhap_ko"
    assert "해조류" in record["title"]  # ensure_ascii=False keeps Hangul readable


def test_parse_text_dump_with_reference_date(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["parse", str(PAGES / "reuters_style_dump.txt"), "--reference-date", "2025-03-11"])
    assert code == 0
    record = json.loads(capsys.readouterr().out)
    assert record["parser"]["name"] == "text"
    assert record["dateline"] == {"city": "STOCKHOLM", "agency": "Reuters"}


def test_parse_error_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    assert main(["parse", str(empty)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: empty: ")


def test_console_script_end_to_end(tmp_path: Path) -> None:
    pdf = tmp_path / "report.html"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj\n")
    script = REPO / ".venv" / "bin" / "wiredesk"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "wiredesk.cli"]
    done = subprocess.run([*command, "parse", str(pdf)], capture_output=True, text=True,
                          timeout=60, cwd=REPO)
    assert done.returncode == 2
    assert "error: not_html:" in done.stderr


def test_fetched_at_dates_a_dump_without_a_year(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = tmp_path / "story.txt"
    dump.write_text(
        "Home\nYear-end rally lifts stocks\nSEOUL, Dec. 30 (Yonhap) -- Stocks rose on the "
        "last trading day of the year, dealers said.\n"
    )
    assert main(["parse", str(dump), "--fetched-at", "2011-01-02T03:00:00Z"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["published_at"] == "2010-12-30T00:00:00+09:00"  # the year before the fetch


def test_fetched_at_must_be_a_time(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["parse", str(PAGES / "ap_style_dump.txt"), "--fetched-at", "yesterday"])
    assert info.value.code == 2
    assert "not an ISO 8601 time" in capsys.readouterr().err

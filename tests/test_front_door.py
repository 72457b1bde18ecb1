"""The front door: every bad input or wrong setting ends in one clear line and a known exit code,
configuration is checked before any page is fetched, and no secret shows at any log level."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from devsite.localsite import local_sources_file
from tests.support.seaweed import ACCESS_KEY, CANARY_SECRET
from wiredesk import cli

DAY = "2025-03-12"


def _errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("error:")]


# -- a table of mistakes ----------------------------------------------------------------


def _write(tmp_path: Path, name: str, text: str | bytes) -> str:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return str(path)


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"

CASES = [
    # (name, argv builder, exit code, message fragment)
    ("malformed sources YAML",
     lambda t: ["crawl", "yonhap_en", "--date", DAY, "--sources",
                _write(t, "bad.yaml", "yonhap_en: {base_url: 'http://x'\n")],
     1, "not valid YAML at line 2"),
    ("missing sources file",
     lambda t: ["crawl", "yonhap_en", "--date", DAY, "--sources", str(t / "nope.yaml")],
     1, "nope.yaml: no such file"),
    ("sources file that defines nothing",
     lambda t: ["crawl", "yonhap_en", "--date", DAY, "--sources", _write(t, "empty.yaml", "\n")],
     1, "defines no sources"),
    ("sources file with YAML aliases",
     lambda t: ["sources", "--sources", _write(t, "bomb.yaml", BOMB)],
     1, "YAML aliases (*name) are not allowed"),
    ("oversized sources file",
     lambda t: ["sources", "--check", _write(t, "big.yaml", "# x\n" * 300_000)],
     1, "over 1024 KiB"),
    ("sources file naming an unknown parser",
     lambda t: ["sources", "--check",
                _write(t, "p.yaml", "yonhap_en: {parser: yonhap_english}\n")],
     1, "unknown parser 'yonhap_english'"),
    ("unknown source id",
     lambda t: ["crawl", "no_such_source", "--date", DAY],
     1, "unknown source 'no_such_source'"),
    ("credentials in the storage URL",
     lambda t: ["ls", "--storage", f"s3://AKIAWIREDESKCANARY:{CANARY_SECRET}@bucket/x"],
     1, "must not carry credentials"),
    ("unsupported storage scheme",
     lambda t: ["ls", "--storage", "ftp://host/x"],
     1, "scheme must be one of"),
    ("a page from /dev/zero",
     lambda t: ["parse", "/dev/zero"],
     2, "too_large"),
    ("a page labelled utf-8 whose bytes are mostly invalid",
     lambda t: ["parse", _write(t, "bad.html", b'<meta charset="utf-8"><title>Bad</title><p>'
                + bytes(range(128, 256)) * 20 + b"</p>")],
     2, "undecodable: "),
    ("a missing page",
     lambda t: ["parse", str(t / "nope.html")],
     1, "cannot read"),
    ("a date that is not a date",
     lambda t: ["crawl", "yonhap_en", "--date", "2025-13-45"],
     2, "invalid fromisoformat value"),
    ("an unknown command",
     lambda t: ["no-such-command"],
     2, "invalid choice"),
]


@pytest.mark.parametrize(("name", "argv", "code", "message"), CASES, ids=[c[0] for c in CASES])
def test_every_mistake_is_one_clear_line(name, argv, code, message, tmp_path, capsys,
                                         monkeypatch) -> None:
    monkeypatch.delenv("WIREDESK_SOURCES", raising=False)
    monkeypatch.setenv("WIREDESK_STORAGE_URL", (tmp_path / "store").as_uri())
    try:
        result = cli.main(argv(tmp_path))
    except SystemExit as exc:  # argparse's usage errors
        result = exc.code
    err = capsys.readouterr().err
    assert result == code, err
    assert message in err, err
    assert "Traceback" not in err
    if code == 1:
        assert len(_errors(err)) == 1, err
    assert CANARY_SECRET not in err


def test_sources_check_prints_what_a_file_changes(tmp_path, capsys) -> None:
    path = _write(tmp_path, "ok.yaml", (
        "yonhap_en: {base_url: 'http://127.0.0.1:9'}\n"
        "mywire: {name: My Wire, language: en, timezone: Asia/Seoul,\n"
        "         allowed_domains: [wire.example], feeds: ['https://wire.example/rss'],\n"
        "         parser: yonhap_en}\n"))
    assert cli.main(["sources", "--check", path]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{path}: valid"
    assert "  yonhap_en: overrides base_url" in out
    assert any(line.startswith("  mywire: new source (My Wire; 1 feed(s)") for line in out)


# -- storage checked before any page is fetched ----------------------------------------------


@pytest.mark.parametrize(("problem", "message"), [
    ("secret", "signature mismatch"),
    ("bucket", "does not exist"),
])
def test_a_wrong_store_fails_before_the_first_request(problem, message, seaweed, wiresite,
                                                      tmp_path, capsys, monkeypatch) -> None:
    bucket = seaweed.create_bucket() if problem != "bucket" else "wd-no-such-bucket"
    monkeypatch.setenv("WIREDESK_S3_ENDPOINT_URL", seaweed.endpoint_url)
    monkeypatch.setenv("WIREDESK_S3_ADDRESSING_STYLE", "path")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY",
                       "wrong-secret-0000" if problem == "secret" else CANARY_SECRET)
    sources = local_sources_file(wiresite.base_urls, tmp_path / "sources.yaml")
    before = len(wiresite.requests)
    code = cli.main(["crawl", "yonhap_en", "--date", DAY, "--sources", str(sources),
                     "--storage", f"s3://{bucket}/x"])
    err = capsys.readouterr().err
    assert code == 1
    assert message in _errors(err)[0] and len(_errors(err)) == 1
    assert len(wiresite.requests) == before  # not one page fetched
    assert "Traceback" not in err


# -- secrets -----------------------------------------------------------------------------------


def test_the_crawl_child_gets_no_credentials(monkeypatch) -> None:
    from crawlers.runner import _child_env

    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CANARY_SECRET)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    env = _child_env()
    assert "AWS_SECRET_ACCESS_KEY" not in env and "AWS_ACCESS_KEY_ID" not in env
    assert CANARY_SECRET not in "".join(env.values())


@pytest.mark.timeout(900)  # sixteen commands, three of them start Airflow: slow on a cold machine
def test_no_command_shows_a_secret_at_debug_level(seaweed, wiresite, tmp_path) -> None:
    """Every command, with -v, against a store whose secret is the canary: never printed,
    and the access key id only masked (botocore's Authorization headers included)."""
    bucket = seaweed.create_bucket()
    url = f"s3://{bucket}/x"
    env = dict(os.environ, AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=CANARY_SECRET,
               WIREDESK_S3_ENDPOINT_URL=seaweed.endpoint_url, WIREDESK_S3_ADDRESSING_STYLE="path",
               WIREDESK_STORAGE_URL=url)
    env.pop("WIREDESK_SOURCES", None)
    sources = str(local_sources_file(wiresite.base_urls, tmp_path / "sources.yaml"))
    page = _write(tmp_path, "page.html", "<html><head><title>T</title></head><body>"
                  + "<p>A paragraph of a story, long enough to count as text.</p>" * 5
                  + "</body></html>")
    script = Path(sys.executable).with_name("wiredesk")
    commands = [
        ["crawl", "yonhap_en", "--date", DAY, "--sources", sources, "--no-publish",
         "--run-id", "canary1"],
        ["publish", "yonhap_en", "--date", DAY, "--run-id", "canary1"],
        ["reindex", "yonhap_en"],
        ["ls"],
        ["cat", "yonhap_en", DAY, "--verify"],
        ["sources", "--sources", sources],
        ["sources", "--check", sources],
        ["parse", page],
        ["ls", "--storage", f"s3://{ACCESS_KEY}:{CANARY_SECRET}@{bucket}/x"],
        ["cat", "yonhap_en", "2025-03-13"],
        ["changes", "--since", "-1"],
        ["vacuum", "--dry-run"],
        ["ddl", "--bucket-url", f"s3://{bucket}/x"],
        ["reparse", "yonhap_en", "--from", DAY, "--to", DAY, "--sources", sources],
        ["run", "yonhap_en", "--date", DAY, "--sources", sources, "--storage", f"s3://{bucket}/r",
         "--airflow-home", str(tmp_path / "airflow")],
        ["trigger", "yonhap_en", "--date", DAY, "--sources", sources, "--airflow-home", str(tmp_path / "airflow")],
    ]
    from wiredesk.cli import COMMANDS

    assert {argv[0] for argv in commands} | {"airflow_ui"} == set(COMMANDS)
    seen = ""
    for argv in commands:
        done = subprocess.run([str(script), "-v", *argv], env=env, capture_output=True,
                              text=True, timeout=300, cwd=tmp_path)
        output = done.stdout + done.stderr
        assert CANARY_SECRET not in output, argv
        assert ACCESS_KEY not in output, (argv, [ln for ln in output.splitlines()
                                                 if ACCESS_KEY in ln][:3])
        seen += output
    seen += _airflow_ui_output(script, env, tmp_path)
    assert CANARY_SECRET not in seen and ACCESS_KEY not in seen
    assert "Credential=WDTE…(masked)" in seen  # botocore's signed headers were logged, masked
    assert "published" in seen and "error: the storage URL must not carry credentials" in seen
    assert "airflow        http://127.0.0.1:" in seen


def _airflow_ui_output(script: Path, env: dict[str, str], tmp_path: Path) -> str:
    """``airflow-ui -v`` until it has started Airflow and served a few seconds, then stopped."""
    import signal
    import socket
    import time

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([str(script), "-v", "airflow-ui", "--port", str(port),
                             "--workdir", str(tmp_path / "ui")], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(15)
    finally:
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=60)
    log = tmp_path / "ui" / "airflow-standalone.log"
    return output + (log.read_text(errors="replace") if log.exists() else "")

"""Every subcommand module loads and registers itself; ``wiredesk --help`` lists them all."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from wiredesk.cli import COMMANDS, build_parser, main


def test_every_listed_command_registers():
    parser = build_parser()
    registered = set(parser._subparsers._group_actions[0].choices)
    assert registered == {name.replace("_", "-") for name in COMMANDS}


def test_console_script_help_lists_the_commands():
    script = Path(sys.executable).with_name("wiredesk")
    out = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=True).stdout
    for name in COMMANDS:
        assert f"    {name.replace('_', '-')} " in out


def test_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["no-such-command"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_every_command_defaults_to_the_same_store(tmp_path, monkeypatch):
    import storage
    from wiredesk.settings import storage_url_from_env

    monkeypatch.delenv("WIREDESK_STORAGE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    assert storage_url_from_env() == storage.default_storage_url() == (tmp_path / "var" / "store").as_uri()
    monkeypatch.setenv("WIREDESK_STORAGE_URL", "s3://bucket/news")
    assert storage_url_from_env() == storage.default_storage_url() == "s3://bucket/news"


def test_a_light_install_lists_pipeline_commands_and_explains_them(monkeypatch, capsys):
    """With only 'wiredesk[read]' installed, the crawler's modules are missing: one clear line."""
    import sys as _sys

    for name in ("wiredesk.commands.run", "wiredesk.commands.crawl", "crawlers.sources"):
        monkeypatch.delitem(_sys.modules, name, raising=False)
    monkeypatch.setitem(_sys.modules, "crawlers.sources", None)  # as if never installed
    assert main(["run", "yonhap_en", "--date", "2025-03-12"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == ("error: 'run' needs the pipeline's packages (crawlers.sources is not "
                           "installed): pip install 'wiredesk[pipeline]'")

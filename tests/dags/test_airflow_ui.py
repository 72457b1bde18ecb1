"""``wiredesk airflow-ui``: the local UI's environment, checked without starting Airflow.

Starting ``airflow standalone`` takes most of a minute on a small machine;
docs/operators.md records how the real UI was checked.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from wiredesk.commands import airflow_ui
from wiredesk.local_airflow import DAGS_FOLDER, LocalAirflow, airflow_bin


def test_ui_serves_this_projects_dags_on_loopback_only(tmp_path):
    env = LocalAirflow(home=tmp_path / "airflow").ui_env(18123)
    assert env["AIRFLOW__API__HOST"] == "127.0.0.1"
    assert env["AIRFLOW__API__PORT"] == "18123"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:18123/execution/"
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == str(DAGS_FOLDER)
    assert env["AIRFLOW_HOME"] == str(tmp_path / "airflow")
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False"


def test_standalone_finds_the_airflow_of_this_environment_on_path(tmp_path):
    # `airflow standalone` starts its scheduler and API server as `airflow ...` looked up on PATH.
    env = LocalAirflow(home=tmp_path).ui_env()
    assert env["PATH"].split(os.pathsep)[0] == str(Path(airflow_bin()).parent)


def test_overrides_win_over_ui_defaults(tmp_path):
    airflow = LocalAirflow(home=tmp_path, env_overrides={"WIREDESK_STORAGE_URL": "file:///x",
                                                         "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False"})
    env = airflow.ui_env()
    assert env["WIREDESK_STORAGE_URL"] == "file:///x"
    assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS"] == "False"


def test_command_defaults_to_the_bundled_site_and_a_store_under_its_workdir():
    parser = argparse.ArgumentParser()
    airflow_ui.register(parser.add_subparsers())
    args = parser.parse_args(["airflow-ui"])
    assert (args.port, args.workdir, args.storage, args.real_sites) == (8080, Path("var/ui"), None, False)
    assert args.func is airflow_ui.run


def test_in_the_checkout_the_local_site_comes_from_devsite():
    devsite = airflow_ui.checkout_devsite()
    assert devsite is not None
    assert callable(devsite.server.WireSite) and callable(devsite.localsite.local_sources_file)


def test_without_a_checkout_the_local_site_is_one_clear_line(tmp_path, monkeypatch, capsys):
    # An installed wheel has no devsite/ beside its packages.
    monkeypatch.setattr("wiredesk.local_airflow.REPO_ROOT", tmp_path)
    parser = argparse.ArgumentParser()
    airflow_ui.register(parser.add_subparsers())
    args = parser.parse_args(["airflow-ui", "--workdir", str(tmp_path / "ui")])
    assert airflow_ui.run(args) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert "devsite/" in err and "--real-sites" in err
    assert not (tmp_path / "ui").exists()


def test_local_airflow_creates_one_pool_per_site_of_its_sources(tmp_path):
    sources = tmp_path / "sources.yaml"
    sources.write_text("apnews:\n  base_url: http://127.0.0.1:9001\n")
    pools = LocalAirflow(home=tmp_path, env_overrides={"WIREDESK_SOURCES": str(sources),
                                                       "WIREDESK_POOL_SLOTS": "3"}).pools()
    assert pools == {
        "wiredesk_127_0_0_1": {"slots": 3, "include_deferred": False,
                               "description": "wiredesk crawls of 127.0.0.1 (apnews)"},
        "wiredesk_en_yna_co_kr": {"slots": 3, "include_deferred": False,
                                  "description": "wiredesk crawls of en.yna.co.kr (yonhap_en)"},
        "wiredesk_www_yna_co_kr": {"slots": 3, "include_deferred": False,
                                   "description": "wiredesk crawls of www.yna.co.kr (yonhap_ko)"},
    }

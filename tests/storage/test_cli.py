"""``wiredesk ls``, ``cat`` and ``publish`` on a local store."""

from __future__ import annotations

import json

import storage
from tests.storage.factories import as_published, make_record, write_run_dir
from wiredesk import cli


def test_publish_ls_cat(tmp_path, capsys, monkeypatch) -> None:
    url = (tmp_path / "store").as_uri()
    monkeypatch.setenv("WIREDESK_STORAGE_URL", url)
    assert storage.default_storage_url() == url
    records = [make_record(i) for i in range(3)]
    storage.upload_staging(storage.open_store(url), "testwire", "2026-11-20", "r1",
                           write_run_dir(tmp_path / "run", records))

    assert cli.main(["publish", "testwire", "--date", "2026-11-20", "--run-id", "r1"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["published"] == 3

    assert cli.main(["ls", "--source", "testwire"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["SOURCE", "DATE", "RECORDS", "PUBLISHED", "DUPLICATE",
                                "QUARANTINED", "RUN"]
    assert lines[1].split() == ["testwire", "2026-11-20", "3", "3", "0", "0", "r1"]

    assert cli.main(["cat", "testwire", "2026-11-20", "--verify", "--storage", url]) == 0
    assert [json.loads(line) for line in capsys.readouterr().out.splitlines()] == [
        as_published(r) for r in records
    ]

    assert cli.main(["cat", "testwire", "2026-11-21"]) == 1
    assert "no complete partition" in capsys.readouterr().err
    assert cli.main(["publish", "testwire", "--date", "2026-11-20", "--run-id", "r9"]) == 1
    assert "nothing staged" in capsys.readouterr().err


def test_default_url_is_the_repo_store(monkeypatch) -> None:
    monkeypatch.delenv("WIREDESK_STORAGE_URL", raising=False)
    assert storage.default_storage_url().endswith("/var/store")
    assert storage.default_storage_url().startswith("file:///")


def test_reindex_restores_a_deleted_index_piece(tmp_path, capsys) -> None:
    url = (tmp_path / "store").as_uri()
    store = storage.open_store(url)
    storage.upload_staging(store, "testwire", "2026-11-20", "r1",
                           write_run_dir(tmp_path / "run", [make_record(i) for i in range(2)]))
    [piece] = storage.publish_run(store, "testwire", "2026-11-20", "r1")["state"]
    store.delete_keys([piece])
    assert cli.main(["reindex", "testwire", "--storage", url]) == 0
    assert "1 day(s) re-indexed" in capsys.readouterr().out
    assert store.exists(piece)

"""A store on each backend for the tests that must hold on both: ``store`` runs its test
against ``file://`` and against a real SeaweedFS (:mod:`tests.support.seaweed`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import storage


@pytest.fixture(params=["file", "s3"])
def store_config(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, dict[str, Any]]:
    """``(url, open_store options)`` of an empty store on each backend."""
    if request.param == "file":
        return (tmp_path / "store").as_uri(), {}
    url = request.getfixturevalue("s3_store_url")
    return url, request.getfixturevalue("s3_store_options")


@pytest.fixture
def store(store_config: tuple[str, dict[str, Any]]) -> storage.ObjectStore:
    url, options = store_config
    with storage.open_store(url, **options) as opened:
        yield opened

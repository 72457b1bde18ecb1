"""SeaweedFS for the tests: the pytest fixtures over :class:`devsite.seaweed.SeaweedServer`.

- ``seaweed``: one server per test session, with S3 auth enforced;
- ``s3_store_url``: a fresh bucket per test, as ``s3://bucket/prefix``;
- ``s3_store_options``: the ``open_store`` keyword arguments for that server.

The server is stopped by the fixture that started it, also when a test fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from devsite.seaweed import ACCESS_KEY, CANARY_SECRET, SeaweedServer, find_weed, free_ports

__all__ = ["ACCESS_KEY", "CANARY_SECRET", "SeaweedServer", "find_weed", "free_ports"]


@pytest.fixture(scope="session")
def seaweed() -> Iterator[SeaweedServer]:
    """One SeaweedFS for the session; skipped when the ``weed`` binary is missing."""
    if not find_weed():
        pytest.skip("SeaweedFS 'weed' binary not installed")
    server = SeaweedServer()
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def s3_store_options(seaweed: SeaweedServer) -> dict[str, Any]:
    return seaweed.store_options(max_attempts=2)


@pytest.fixture
def s3_store_url(seaweed: SeaweedServer) -> str:
    """A fresh bucket per test, with a prefix so keys are not at the bucket root."""
    return f"s3://{seaweed.create_bucket()}/wiredesk"

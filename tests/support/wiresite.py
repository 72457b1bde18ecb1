"""pytest fixtures for the bundled local wire site (``devsite``).

``wiresite`` is a clean site; ``wiresite_faults`` has every fault switched on.
Each fixture starts its own server on 127.0.0.1 (free port) for one test and
stops it in the finalizer, also when the test fails.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devsite import FAULTS, WireSite


@pytest.fixture
def wiresite() -> Iterator[WireSite]:
    site = WireSite().start()
    try:
        yield site
    finally:
        site.stop()


@pytest.fixture
def wiresite_faults() -> Iterator[WireSite]:
    site = WireSite(faults=FAULTS).start()
    try:
        yield site
    finally:
        site.stop()

"""Aim the registry's real sources at the local wire site (:mod:`devsite`).

The local site serves each imitated site on its own 127.0.0.1 port with the
real sites' paths, so a source override only needs the host: the YAML written
here is exactly what a user would write to point a source elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml

#: The bundled site is our own server on loopback: no need to pace requests to
#: it the way the real sites' politeness settings do.
LOCAL_POLITENESS = {"download_delay": 0.0, "concurrency_per_domain": 8, "autothrottle": False}


def local_sources_file(base_urls: Mapping[str, str], path: Path) -> Path:
    """Write a sources YAML overriding ``base_url`` of each bundled source; returns ``path``.

    ``base_urls`` maps source id → base URL, as ``WireSite.base_urls`` does.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    overrides = {
        source: {"base_url": url, "politeness": dict(LOCAL_POLITENESS)}
        for source, url in base_urls.items()
    }
    path.write_text(
        "# Written by wiredesk: the bundled sources, aimed at the local wire site.\n"
        + yaml.safe_dump({"sources": overrides}, sort_keys=True),
        encoding="utf-8",
    )
    return path

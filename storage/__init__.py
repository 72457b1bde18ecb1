"""wiredesk storage: object stores by URL, the key layout, atomic publishing, readers.

Downstream code needs only :func:`read_articles` and :func:`list_partitions`;
the pipeline uses :func:`upload_staging` and :func:`publish_run`. See
docs/downstream.md for the layout and the manifest's meaning.
"""

from __future__ import annotations

import os
from pathlib import Path

from storage import errors
from storage.base import ObjectStore, open_store
from storage.counts import Counts
from storage.publish import publish_run
from storage.read import PartitionInfo, list_partitions, read_articles, read_manifest
from storage.schema import SCHEMA_VERSION, validate_record
from storage.staging import discard_staging, read_staged, upload_staging
from storage.versions import rebuild_index

__all__ = [
    "SCHEMA_VERSION",
    "Counts",
    "ObjectStore",
    "PartitionInfo",
    "default_storage_url",
    "discard_staging",
    "errors",
    "list_partitions",
    "open_store",
    "publish_run",
    "read_articles",
    "read_manifest",
    "read_staged",
    "rebuild_index",
    "upload_staging",
    "validate_record",
]

def default_storage_url() -> str:
    """``$WIREDESK_STORAGE_URL``, else the embedded store ``file://<cwd>/var/store``.

    The working directory, not the package's location: an installed package
    lives in site-packages, and every ``wiredesk`` command must agree on it.
    """
    return os.environ.get("WIREDESK_STORAGE_URL") or (Path.cwd() / "var" / "store").resolve().as_uri()

"""Human summaries of what a run published, for the demo and the CLI."""

from __future__ import annotations

from datetime import date
from itertools import islice
from typing import Any

from wiredesk.run import format_counts


def print_partition_summary(storage_url: str, source: str, day: date, **storage_options: Any) -> int:
    """Print counts, the partition's location and a sample title; 1 if nothing trustworthy is there.

    ``storage_options`` go to :func:`storage.open_store` (credentials and
    endpoint of an Airflow connection, when the run used one).
    """
    from storage import open_store, read_articles, read_manifest
    from storage.layout import manifest_key, partition_prefix

    store = open_store(storage_url, **storage_options)
    manifest = read_manifest(store, source, day)
    if manifest is None:
        print(f"error: no manifest for {source} {day} in {storage_url}")
        return 1
    sample = list(islice(read_articles(store, source=source, start=day, end=day), 3))
    location = f"{storage_url.rstrip('/')}/{partition_prefix(source, day)}"
    print(f"published      {manifest['records']} articles for {source} {day}")
    print(f"where          {location}")
    print(f"manifest       {storage_url.rstrip('/')}/{manifest_key(source, day)}")
    print(f"counts         {format_counts(manifest['counts'])}")
    if manifest.get("ledger"):
        print(f"every URL      {storage_url.rstrip('/')}/{manifest['ledger']}")
    for record in sample:
        print(f"sample title   {record['title']}")
    if sample:
        first = sample[0]["body"][0]
        print(f"sample body    {first[:100]}{'...' if len(first) > 100 else ''}")
    print(f"read them      wiredesk cat {source} {day} --storage {storage_url}")
    return 0

"""Every error the storage package raises, in one small tree.

    StorageError                 anything that went wrong talking to a store
     ├── StorageUnavailable      server down, connection refused, timeouts, 5xx;
     │                           raised only after bounded retries with backoff
     ├── StorageAuthError        wrong or missing credentials; the message names the
     │                           problem (unknown key id, signature mismatch, denied)
     ├── BucketNotFound          the configured bucket does not exist at the endpoint
     ├── ObjectNotFound          a key that was read does not exist (also a KeyError)
     ├── InvalidKey              a key, source id, date or run id that could escape the
     │                           store's prefix or break the layout (also a ValueError)
     ├── RecordInvalid           a record that does not match the article JSON Schema
     ├── CommitConflict          a conditional write lost: the object changed (or appeared)
     │                           since it was read; the caller re-reads and decides again
     ├── CorruptObject           an object that fails its own checksum or cannot be read
     │                           as what it claims to be; the message names the key
     └── PublishError            a run that cannot be published as asked (nothing staged,
                                 counts that do not add up, ...)

Callers that only want "did storage work" catch :class:`StorageError`; the Airflow
task lets :class:`StorageUnavailable` fail the try so Airflow retries it later.
No message, ``repr`` or attribute here ever carries a secret: access key ids are
masked with :func:`mask_key_id` before they are formatted.
"""

from __future__ import annotations

__all__ = [
    "BucketNotFound",
    "CommitConflict",
    "CorruptObject",
    "InvalidKey",
    "ObjectNotFound",
    "PublishError",
    "RecordInvalid",
    "StorageAuthError",
    "StorageError",
    "StorageUnavailable",
    "mask_key_id",
]


def mask_key_id(key_id: str | None) -> str:
    """Show enough of an access key id to recognise it, never the whole id.

    >>> mask_key_id("AKIAIOSFODNN7EXAMPLE")
    'AKIA…(masked)'
    """
    if not key_id:
        return "<none>"
    return f"{key_id[:4]}…(masked)"


class StorageError(Exception):
    """Base class: something went wrong reading or writing the object store."""


class StorageUnavailable(StorageError):
    """The store did not answer (refused, timed out, 5xx) after bounded retries."""


class StorageAuthError(StorageError):
    """The store refused our credentials; the message says which part is wrong."""


class BucketNotFound(StorageError):
    """The configured bucket does not exist at the endpoint."""

    def __init__(self, bucket: str, endpoint: str) -> None:
        super().__init__(f"bucket {bucket!r} does not exist at {endpoint}")
        self.bucket = bucket
        self.endpoint = endpoint


class ObjectNotFound(StorageError, KeyError):
    """A key that was read does not exist in the store."""

    def __init__(self, key: str, where: str) -> None:
        super().__init__(f"no object {key!r} in {where}")
        self.key = key

    def __str__(self) -> str:  # KeyError would quote the whole message again
        return str(self.args[0])


class InvalidKey(StorageError, ValueError):
    """A key or key component that is unsafe or does not fit the layout."""


class RecordInvalid(StorageError, ValueError):
    """A record that fails the article JSON Schema.

    ``path`` is a JSON path into the record (``$.body[0]``), ``message`` the
    validator's explanation; ``reason`` is the stable quarantine reason.
    """

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message

    @property
    def reason(self) -> str:
        return f"schema_invalid: {self.path}"


class PublishError(StorageError):
    """A run that cannot be published as asked (nothing staged, bad accounting)."""


class CommitConflict(StorageError):
    """A conditional write found the object changed since it was read (HTTP 412).

    Raised by ``put_bytes(..., if_match=...)`` / ``if_none_match=True``; nothing
    was written. Publishing uses it to let exactly one of two concurrent
    commits of a day win.
    """

    def __init__(self, key: str, where: str) -> None:
        super().__init__(f"{key!r} in {where} changed since it was read; nothing written")
        self.key = key


class CorruptObject(StorageError):
    """An object that is not what it claims to be: a short manifest, a checksum mismatch."""

    def __init__(self, key: str, where: str, problem: str) -> None:
        super().__init__(f"corrupt object {key!r} in {where}: {problem}")
        self.key = key
        self.problem = problem


class PartitionChanged(StorageError):
    """A day was published again while a reader was part-way through it.

    The newer publish deletes the older parts once its manifest is in place,
    so a reader holding the older manifest cannot finish; what it already
    read was the complete older day up to that point. Read the day again.
    """

    def __init__(self, source: str, day: str, was: str, now: str | None) -> None:
        super().__init__(
            f"{source} {day} was published again (run {was} -> run {now}) while it was "
            "being read; the records already returned are from the older run: read the day again"
        )
        self.source, self.day = source, day


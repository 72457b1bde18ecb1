"""One small object-store interface and the URL-scheme registry behind ``open_store``.

Like Scrapy's ``FilesPipeline.STORE_SCHEMES`` or httpx's transports: callers
name a store by URL (``file:///abs/path``, ``s3://bucket/prefix``) and get an
:class:`ObjectStore`; everything above this module (publishing, readers) only
uses the methods below, so both backends behave the same way and the tests run
the same suite against each.

Keys are relative, ``/``-separated paths under the store's root or prefix and
are checked by :func:`storage.layout.check_key` on every call.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urlsplit

from storage.errors import InvalidKey


@dataclass(frozen=True)
class ObjectInfo:
    """A listed object. ``modified`` is the store's own clock (UTC), never the caller's:
    publishing compares it with a manifest's ``modified`` to tell an abandoned
    write (older than the commit that superseded it) from one still in flight."""

    key: str
    modified: datetime
    size: int


@dataclass(frozen=True)
class StoredObject:
    """An object read whole, with the token a conditional write must match to replace it."""

    key: str
    data: bytes
    token: str
    modified: datetime


class ObjectStore(abc.ABC):
    """A flat key → bytes store where each object appears atomically when written.

    Every write is verified by the store (S3: ``Content-MD5`` on each request;
    files: fsync before the rename), so a write cut short fails instead of
    leaving a short object. ``put_bytes`` can be conditional, which is all the
    coordination publishing needs: no lock server.
    """

    @abc.abstractmethod
    def put_bytes(
        self, key: str, data: bytes, *, if_match: str | None = None, if_none_match: bool = False
    ) -> str:
        """Write ``data`` under ``key``; returns the new object's token.

        ``if_none_match=True`` writes only if no object exists under ``key``;
        ``if_match=token`` only if the current object still has that token
        (see :meth:`get_object`). Either raises
        :class:`~storage.errors.CommitConflict` and writes nothing otherwise.
        """

    @abc.abstractmethod
    def get_object(self, key: str) -> StoredObject:
        """The whole object with its token and modification time; raises ``ObjectNotFound``."""

    @abc.abstractmethod
    def list_objects(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Objects whose key starts with ``prefix``, in key order, with their times."""

    @abc.abstractmethod
    def put_file(self, key: str, path: str | Path) -> None:
        """Upload a local file (multipart for large files on S3)."""

    @abc.abstractmethod
    def open_writer(self, key: str) -> AbstractContextManager[BinaryIO]:
        """A binary stream; the object appears only when the ``with`` block exits cleanly.

        If the block raises, nothing is written (the temp file or the multipart
        upload is discarded), so a reader never sees half an object.
        """

    def get_bytes(self, key: str) -> bytes:
        """The whole object; raises :class:`~storage.errors.ObjectNotFound` if absent."""
        with self.open_reader(key) as stream:
            return stream.read()

    @abc.abstractmethod
    def open_reader(self, key: str) -> BinaryIO:
        """A readable binary stream over the object (use it as a context manager)."""

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        """Keys starting with ``prefix`` (a plain string prefix), in sorted order."""
        return (info.key for info in self.list_objects(prefix))

    @abc.abstractmethod
    def delete_keys(self, keys: Iterable[str]) -> None:
        """Delete the keys; keys that do not exist are ignored."""

    @abc.abstractmethod
    def exists(self, key: str) -> bool:
        """Whether an object exists under ``key``."""

    @abc.abstractmethod
    def describe(self) -> str:
        """The store's URL, never with credentials: safe for logs and manifests."""

    def check(self) -> None:
        """Fail now, with the store's own error, if it cannot be used (a wrong secret, a
        missing bucket, an unwritable folder): before a crawl fetches anything."""
        next(iter(self.list_keys("state/")), None)

    def close(self) -> None:  # noqa: B027 - optional hook, most stores hold nothing
        """Release connections; the store must not be used afterwards."""

    def __enter__(self) -> ObjectStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.describe()}>"


def _open_file_store(url: str, **options: Any) -> ObjectStore:
    from storage.local import FileStore

    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise InvalidKey(f"file URL must be file:///absolute/path, got {url!r}")
    path = unquote(parts.path)
    if not path.startswith("/"):
        raise InvalidKey(f"file URL must hold an absolute path, got {url!r}")
    unknown = {k for k, v in options.items() if v is not None}
    if unknown:
        raise TypeError(f"file:// stores take no options, got {sorted(unknown)}")
    return FileStore(Path(path))


def _open_s3_store(url: str, **options: Any) -> ObjectStore:
    from storage.s3 import S3Store

    parts = urlsplit(url)
    if "@" in parts.netloc:  # never echoed: the part before '@' may be a secret
        raise InvalidKey("the storage URL must not carry credentials (s3://KEY:SECRET@...): "
                         "use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile or a role")
    return S3Store(parts.netloc, parts.path.lstrip("/"), **options)


#: URL scheme → factory.  Add a backend by adding an entry; nothing else changes.
STORE_SCHEMES = {
    "file": _open_file_store,
    "s3": _open_s3_store,
}


def open_store(url: str, **options: Any) -> ObjectStore:
    """Open the store named by ``url``.

    ``file:///abs/path`` is the embedded default (no options). ``s3://bucket/prefix``
    uses boto3 with the standard credential chain unless ``credentials``
    (``aws_access_key_id``, ``aws_secret_access_key``, optional
    ``aws_session_token``) is given; ``endpoint_url``, ``region`` and
    ``addressing_style`` (``path``/``virtual``) point it at S3-compatible servers
    and fall back to ``WIREDESK_S3_ENDPOINT_URL``, ``WIREDESK_S3_REGION``,
    ``WIREDESK_S3_ADDRESSING_STYLE``; ``sse`` (``AES256`` or ``aws:kms``) and
    ``sse_kms_key_id`` (env ``WIREDESK_S3_SSE``, ``WIREDESK_S3_SSE_KMS_KEY_ID``)
    turn on server-side encryption. Further S3 options: ``max_attempts``,
    ``connect_timeout``, ``read_timeout``, ``multipart_chunksize``.

    The options go to the backend unchanged: :class:`storage.s3.S3Store` declares
    and types them in one place, and a misspelt one fails there.
    """
    scheme = urlsplit(url).scheme
    try:
        factory = STORE_SCHEMES[scheme]
    except KeyError:
        raise InvalidKey(
            f"unsupported storage URL {url.split('?')[0]!r}: scheme must be one of "
            f"{sorted(STORE_SCHEMES)}"
        ) from None
    return factory(url, **options)


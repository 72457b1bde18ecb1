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
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urlsplit

from storage.errors import InvalidKey


class ObjectStore(abc.ABC):
    """A flat key → bytes store where each object appears atomically when written."""

    @abc.abstractmethod
    def put_bytes(self, key: str, data: bytes) -> None:
        """Write ``data`` under ``key``, replacing any previous object."""

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

    @abc.abstractmethod
    def list_keys(self, prefix: str = "") -> Iterator[str]:
        """Keys starting with ``prefix`` (a plain string prefix), in sorted order."""

    @abc.abstractmethod
    def delete_keys(self, keys: Iterable[str]) -> None:
        """Delete the keys; keys that do not exist are ignored."""

    @abc.abstractmethod
    def exists(self, key: str) -> bool:
        """Whether an object exists under ``key``."""

    @abc.abstractmethod
    def describe(self) -> str:
        """The store's URL, never with credentials: safe for logs and manifests."""

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


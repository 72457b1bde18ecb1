"""``s3://bucket/prefix`` backend on boto3, for AWS and S3-compatible servers (SeaweedFS).

S3 has no rename, so atomicity comes from S3 itself: a PUT (or the completion
of a multipart upload) makes the whole object visible at once. Failed
streamed uploads are aborted so no half object is ever listed. Every PUT and
every uploaded part carries ``Content-MD5``, which AWS and SeaweedFS verify:
a body cut short on the wire is refused (``BadDigest``), never stored.
Conditional writes use ``If-None-Match: *`` and ``If-Match: <etag>``.

Retries: botocore's ``standard`` retry mode retries connection errors, timeouts
and 5xx/throttling with exponential backoff and jitter, bounded by
``max_attempts``; what still fails becomes :class:`StorageUnavailable`.
Credentials stay inside the boto3 session; messages show a masked key id only.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC
from pathlib import Path
from typing import Any, BinaryIO

import boto3
import botocore.exceptions
from botocore.config import Config

from storage.base import ObjectInfo, ObjectStore, StoredObject
from storage.errors import (
    BucketNotFound,
    CommitConflict,
    InvalidKey,
    ObjectNotFound,
    StorageAuthError,
    StorageError,
    StorageUnavailable,
    mask_key_id,
)
from storage.layout import check_key

_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_MiB = 1 << 20

_AUTH_CODES = {
    "InvalidAccessKeyId": "access denied for key id {key}: the server does not know this key id",
    "SignatureDoesNotMatch": "signature mismatch for key id {key}: check the secret access key",
    "AccessDenied": "access denied for key id {key}: the credentials lack permission",
    "InvalidToken": "access denied for key id {key}: the session token is invalid",
    "ExpiredToken": "access denied for key id {key}: the session token has expired",
    "InvalidSecurity": "access denied for key id {key}: invalid security credentials",
}
_NOT_FOUND_CODES = {"NoSuchKey", "404", "NotFound"}
#: A lost conditional write: 412, or AWS's 409 for two conditional writes racing.
_CONFLICT_CODES = {"PreconditionFailed", "412", "ConditionalRequestConflict"}
_UNAVAILABLE_CODES = {
    "ServiceUnavailable", "SlowDown", "InternalError", "RequestTimeout", "503", "500", "502",
}
_CONNECTION_ERRORS = (
    botocore.exceptions.EndpointConnectionError,
    botocore.exceptions.ConnectionClosedError,
    botocore.exceptions.ConnectTimeoutError,
    botocore.exceptions.ReadTimeoutError,
    botocore.exceptions.ConnectionError,
    botocore.exceptions.HTTPClientError,
)


def _env(name: str, value: Any) -> Any:
    return value if value is not None else (os.environ.get(f"WIREDESK_S3_{name}") or None)


class S3Store(ObjectStore):
    """Objects under ``s3://bucket/prefix``; key ``k`` is object ``prefix/k``."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        addressing_style: str | None = None,
        sse: str | None = None,
        sse_kms_key_id: str | None = None,
        credentials: dict[str, str] | None = None,
        max_attempts: int = 4,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        multipart_chunksize: int = 8 * _MiB,
    ) -> None:
        if not _BUCKET_RE.match(bucket or ""):
            raise InvalidKey(f"invalid bucket name {bucket!r}")
        prefix = prefix.strip("/")
        if prefix:
            check_key(prefix)
        self.bucket = bucket
        self.prefix = f"{prefix}/" if prefix else ""
        self.endpoint_url = _env("ENDPOINT_URL", endpoint_url)
        self.region = _env("REGION", region)
        addressing_style = _env("ADDRESSING_STYLE", addressing_style)
        self.sse = _env("SSE", sse)
        self.sse_kms_key_id = _env("SSE_KMS_KEY_ID", sse_kms_key_id)
        if self.sse not in (None, "AES256", "aws:kms"):
            raise ValueError(f"sse must be 'AES256' or 'aws:kms', got {self.sse!r}")
        if self.sse_kms_key_id and self.sse != "aws:kms":
            raise ValueError("sse_kms_key_id needs sse='aws:kms'")
        self.multipart_chunksize = max(5 * _MiB, multipart_chunksize)

        session_kwargs: dict[str, str] = {}
        if credentials:
            unknown = set(credentials) - {
                "aws_access_key_id", "aws_secret_access_key", "aws_session_token",
            }
            if unknown:
                raise ValueError(f"unknown credential fields {sorted(unknown)}")
            session_kwargs = {k: v for k, v in credentials.items() if v}
            missing = {"aws_access_key_id", "aws_secret_access_key"} - set(session_kwargs)
            if missing:
                raise StorageAuthError(f"incomplete credentials: {sorted(missing)} missing")
        session = boto3.session.Session(region_name=self.region, **session_kwargs)
        try:
            found = session.get_credentials()
        except botocore.exceptions.BotoCoreError as exc:  # e.g. a broken profile file
            raise StorageAuthError(f"cannot load credentials: {type(exc).__name__}") from None
        self._masked_key_id = mask_key_id(found.access_key if found else None)
        self._session = session
        self._addressing_style = addressing_style
        config = Config(
            retries={"mode": "standard", "max_attempts": max_attempts},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            s3={"addressing_style": addressing_style} if addressing_style else None,
            # Only checksum when the operation requires it: S3-compatible servers vary.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        self._client = session.client(
            "s3", endpoint_url=self.endpoint_url, region_name=self.region or "us-east-1",
            config=config,
        )
        self._bucket_checked = False

    # -- naming ---------------------------------------------------------------

    def describe(self) -> str:
        url = f"s3://{self.bucket}/{self.prefix}"
        return f"{url} at {self.endpoint_url}" if self.endpoint_url else url

    def _endpoint(self) -> str:
        return self.endpoint_url or f"AWS S3 ({self.region or 'default region'})"

    def _object(self, key: str) -> str:
        return self.prefix + check_key(key)

    def _sse_args(self) -> dict[str, str]:
        args: dict[str, str] = {}
        if self.sse:
            args["ServerSideEncryption"] = self.sse
        if self.sse_kms_key_id:
            args["SSEKMSKeyId"] = self.sse_kms_key_id
        return args

    # -- errors ---------------------------------------------------------------

    def _translate(self, exc: BaseException, key: str | None = None) -> StorageError:
        cause = exc
        if isinstance(exc, boto3.exceptions.S3UploadFailedError) and exc.__context__:
            cause = exc.__context__
        if isinstance(cause, _CONNECTION_ERRORS):
            return StorageUnavailable(
                f"S3 endpoint {self._endpoint()} unavailable after retries: "
                f"{type(cause).__name__}"
            )
        if isinstance(cause, botocore.exceptions.NoCredentialsError):
            return StorageAuthError(f"no credentials found for {self.describe()}")
        if isinstance(cause, botocore.exceptions.ClientError):
            error = cause.response.get("Error", {})
            code = str(error.get("Code", ""))
            status = cause.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in _AUTH_CODES:
                return StorageAuthError(_AUTH_CODES[code].format(key=self._masked_key_id))
            if code == "NoSuchBucket":
                return BucketNotFound(self.bucket, self._endpoint())
            if code in _NOT_FOUND_CODES and key is not None:
                return ObjectNotFound(key, self.describe())
            if code in _CONFLICT_CODES and key is not None:
                return CommitConflict(key, self.describe())
            if code in _UNAVAILABLE_CODES or (status and status >= 500):
                return StorageUnavailable(
                    f"S3 endpoint {self._endpoint()} failed after retries: {code}"
                )
            if status == 403:
                return StorageAuthError(_AUTH_CODES["AccessDenied"].format(key=self._masked_key_id))
            return StorageError(f"S3 error {code or status} on {self.describe()}")
        return StorageError(f"S3 error on {self.describe()}: {type(cause).__name__}")

    @contextmanager
    def _errors(self, key: str | None = None) -> Iterator[None]:
        try:
            yield
        except StorageError:
            raise
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError,
                boto3.exceptions.Boto3Error) as exc:
            raise self._translate(exc, key) from None

    def check(self) -> None:
        self._check_bucket()

    def delta_options(self) -> dict[str, str]:
        """This store's endpoint, region and credentials as delta-rs ``storage_options``.

        Commits use S3's conditional PUT (``If-None-Match``), which AWS and
        SeaweedFS honour, so concurrent writers need no lock table.
        """
        options = {"AWS_REGION": self.region or "us-east-1", "conditional_put": "etag"}
        if self.endpoint_url:
            options["AWS_ENDPOINT_URL"] = self.endpoint_url
            if self.endpoint_url.startswith("http://"):
                options["AWS_ALLOW_HTTP"] = "true"
        if self._addressing_style == "path" or (self.endpoint_url and not self._addressing_style):
            options["AWS_FORCE_PATH_STYLE"] = "true"
        found = self._session.get_credentials()
        if found is not None:
            frozen = found.get_frozen_credentials()
            options["AWS_ACCESS_KEY_ID"] = frozen.access_key
            options["AWS_SECRET_ACCESS_KEY"] = frozen.secret_key
            if frozen.token:
                options["AWS_SESSION_TOKEN"] = frozen.token
        if self.sse:
            options["AWS_SERVER_SIDE_ENCRYPTION"] = self.sse
        if self.sse_kms_key_id:
            options["AWS_SSE_KMS_KEY_ID"] = self.sse_kms_key_id
        return options

    def _check_bucket(self) -> None:
        """Probe the bucket once: some servers (SeaweedFS) auto-create on PUT,
        which would hide a typo in the bucket name behind a fresh empty bucket."""
        if self._bucket_checked:
            return
        with self._errors():
            try:
                self._client.list_objects_v2(Bucket=self.bucket, Prefix=self.prefix, MaxKeys=1)
            except botocore.exceptions.ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in ("404", "NotFound"):
                    raise BucketNotFound(self.bucket, self._endpoint()) from None
                raise
        self._bucket_checked = True

    # -- writing --------------------------------------------------------------

    def put_bytes(
        self, key: str, data: bytes, *, if_match: str | None = None, if_none_match: bool = False
    ) -> str:
        name = self._object(key)
        self._check_bucket()
        conditions: dict[str, str] = {}
        if if_none_match:
            conditions["IfNoneMatch"] = "*"
        if if_match is not None:
            conditions["IfMatch"] = if_match
        with self._errors(key):
            response = self._client.put_object(
                Bucket=self.bucket, Key=name, Body=data, ContentMD5=_md5(data),
                **conditions, **self._sse_args(),
            )
        return str(response.get("ETag", ""))

    def put_file(self, key: str, path: str | Path) -> None:
        # Through the one streamed write path, so every part carries its Content-MD5
        # (boto3's managed transfer would need the CRC trailers some servers lack).
        # Whole chunks go straight through: no second buffer of the file's bytes.
        with open(path, "rb") as source, self.open_writer(key) as stream:
            while chunk := source.read(self.multipart_chunksize):
                stream.write_part(chunk)  # type: ignore[attr-defined]

    def get_object(self, key: str) -> StoredObject:
        name = self._object(key)
        with self._errors(key):
            response = self._client.get_object(Bucket=self.bucket, Key=name)
            data = response["Body"].read()
        return StoredObject(
            key, data, str(response.get("ETag", "")),
            response["LastModified"].astimezone(UTC),
        )

    @contextmanager
    def open_writer(self, key: str) -> Iterator[BinaryIO]:
        name = self._object(key)
        self._check_bucket()
        writer = _MultipartWriter(self, name, key)
        try:
            yield writer  # type: ignore[misc]
        except BaseException:
            writer.abort()
            raise
        writer.commit()

    # -- reading --------------------------------------------------------------

    def open_reader(self, key: str) -> BinaryIO:
        name = self._object(key)
        with self._errors(key):
            response = self._client.get_object(Bucket=self.bucket, Key=name)
        return io.BufferedReader(_BodyReader(self, response["Body"], key), _MiB)  # type: ignore[return-value]

    def exists(self, key: str) -> bool:
        name = self._object(key)
        self._check_bucket()
        try:
            with self._errors(key):
                self._client.head_object(Bucket=self.bucket, Key=name)
        except ObjectNotFound:
            return False
        return True

    def list_objects(self, prefix: str = "") -> Iterator[ObjectInfo]:
        self._check_bucket()
        paginator = self._client.get_paginator("list_objects_v2")
        with self._errors():
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
                for item in page.get("Contents", ()):
                    yield ObjectInfo(
                        item["Key"][len(self.prefix):],
                        item["LastModified"].astimezone(UTC),
                        int(item.get("Size", 0)),
                    )

    def delete_keys(self, keys: Iterable[str]) -> None:
        names = [self._object(key) for key in keys]
        for start in range(0, len(names), 1000):  # DeleteObjects takes 1000 keys at most
            batch = [{"Key": name} for name in names[start:start + 1000]]
            with self._errors():
                response = self._client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}
                )
            errors = [e for e in response.get("Errors", ()) if e.get("Code") != "NoSuchKey"]
            if errors:
                raise StorageError(
                    f"could not delete {len(errors)} object(s) from {self.describe()}: "
                    f"{errors[0].get('Code')} on {errors[0].get('Key')!r}"
                )

    def close(self) -> None:
        self._client.close()


class _MultipartWriter(io.RawIOBase):
    """Streams writes into a multipart upload, one part per ``multipart_chunksize``.

    Memory stays at one part's buffer however large the object; an object
    smaller than one part is sent with a single PUT on commit.
    """

    def __init__(self, store: S3Store, name: str, key: str) -> None:
        super().__init__()
        self._store = store
        self._name = name
        self._key = key
        self._buffer = bytearray()
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []
        self._pending: bytes | None = None

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._buffer += data
        if len(self._buffer) >= self._store.multipart_chunksize:
            self._send_part()
        return len(data) if not isinstance(data, memoryview) else data.nbytes

    def write_part(self, chunk: bytes) -> None:
        """Send a whole chunk as it is (``put_file``): no copy into the buffer."""
        if self._buffer:
            self._send_part()
        if self._pending is not None:
            self._send_part(self._pending)
        self._pending = chunk  # held back: the last chunk may go as a single PUT

    def _send_part(self, body: bytes | None = None) -> None:
        store = self._store
        if body is None:
            body = bytes(self._buffer)
            self._buffer.clear()
        else:
            self._pending = None
        with store._errors(self._key):
            if self._upload_id is None:
                self._upload_id = store._client.create_multipart_upload(
                    Bucket=store.bucket, Key=self._name, **store._sse_args()
                )["UploadId"]
            number = len(self._parts) + 1
            response = store._client.upload_part(
                Bucket=store.bucket, Key=self._name, UploadId=self._upload_id,
                PartNumber=number, Body=body, ContentMD5=_md5(body),
            )
        self._parts.append({"PartNumber": number, "ETag": response["ETag"]})

    def commit(self) -> None:
        store = self._store
        if self._pending is not None and self._upload_id is not None:
            self._send_part(self._pending)
        if self._upload_id is None:
            body = self._pending if self._pending is not None else bytes(self._buffer)
            self._pending = None
            with store._errors(self._key):
                store._client.put_object(
                    Bucket=store.bucket, Key=self._name, Body=body, ContentMD5=_md5(body),
                    **store._sse_args(),
                )
            self._buffer.clear()
            return
        if self._buffer:
            self._send_part()
        with store._errors(self._key):
            store._client.complete_multipart_upload(
                Bucket=store.bucket, Key=self._name, UploadId=self._upload_id,
                MultipartUpload={"Parts": self._parts},
            )

    def abort(self) -> None:
        self._buffer.clear()
        self._pending = None
        if self._upload_id is None:
            return
        try:
            self._store._client.abort_multipart_upload(
                Bucket=self._store.bucket, Key=self._name, UploadId=self._upload_id
            )
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError):
            pass  # the server may be down; lifecycle rules clean stale uploads


def _md5(data: bytes) -> str:
    """``Content-MD5``: the server recomputes it and refuses a body that arrived different."""
    return base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode("ascii")


class _BodyReader(io.RawIOBase):
    """Adapts botocore's streaming body to ``io`` so gzip and BufferedReader can wrap it."""

    def __init__(self, store: S3Store, body: Any, key: str) -> None:
        super().__init__()
        self._store = store
        self._body = body
        self._key = key

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        with self._store._errors(self._key):
            try:
                data = self._body.read(len(buffer))
            except (OSError, ValueError) as exc:
                raise StorageUnavailable(
                    f"S3 endpoint {self._store._endpoint()} broke off a read: "
                    f"{type(exc).__name__}"
                ) from None
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()

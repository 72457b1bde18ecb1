"""The raw archive: every HTTP exchange of a run in one WARC 1.1 file (warcio).

Pages are kept exactly as fetched so they can be parsed again later with
better parsers, without crawling again.  Failures are archived too: an error
response (4xx/5xx) like any other, a network error as a ``metadata`` record
naming the URL and the error.  Each record is its own gzip member, so the
byte offset returned for a response is enough to seek to it and read it back
(``ArchiveIterator`` from that offset).
"""

from __future__ import annotations

import json
import os
import random
import uuid
import zlib
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

#: gzip level of each record.  warcio uses 9; on 35 KB news pages level 9
#: takes 0.70 ms, 6 0.56 ms, 1 0.24 ms, for archives 18 % larger than at 9
#: (6: 0.3 %).  Archiving was a tenth of a crawl's CPU at level 6, so the
#: fastest level: the raw archive is written once and rarely read.
GZIP_LEVEL = 1

#: Hop-by-hop headers that no longer describe the stored body (the HTTP
#: client already removed the chunking), so a WARC reader must not apply them.
_DROP_HEADERS = {b"transfer-encoding"}


class _Writer(WARCWriter):
    """``WARCWriter`` with a cheaper gzip level and cheaper record ids.

    Same records: one gzip member per record, ``urn:uuid`` ids of random
    version-4 UUIDs; only drawn from a generator seeded once from the OS
    instead of one ``os.urandom`` call per record (a syscall that, with the
    parser threads holding the GIL, cost 0.2 ms each in a crawl).
    """

    def __init__(self, filebuf: IO[bytes], *, compresslevel: int, **kwargs: Any) -> None:
        super().__init__(filebuf, gzip=True, **kwargs)
        self._compresslevel = compresslevel
        self._ids = random.Random(os.urandom(32))

    def _make_warc_id(self) -> str:  # type: ignore[override]  # classmethod in warcio
        return f"<urn:uuid:{uuid.UUID(int=self._ids.getrandbits(128), version=4)}>"

    def _write_warc_record(self, out: IO[bytes], record: Any) -> None:
        buffer = BytesIO()
        self.gzip = False
        try:
            super()._write_warc_record(buffer, record)
        finally:
            self.gzip = True
        compressor = zlib.compressobj(self._compresslevel, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        out.write(compressor.compress(buffer.getvalue()) + compressor.flush())
        out.flush()


class WarcArchive:
    """Appends request/response pairs to one ``.warc.gz`` and returns pointers.

    ``key`` is the object-store key the file will have once uploaded
    (``raw/source=S/date=D/R.warc.gz``); it is what records point at.
    """

    def __init__(
        self, path: Path, key: str, *, software: str = "wiredesk", compresslevel: int = GZIP_LEVEL
    ) -> None:
        self.path = Path(path)
        self.key = key
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[bytes] = open(self.path, "wb")  # closed in close()
        self._writer = _Writer(self._file, compresslevel=compresslevel, warc_version="WARC/1.1")
        self.records = 0
        info = self._writer.create_warcinfo_record(
            self.path.name, {"software": software, "format": "WARC File Format 1.1"}
        )
        self._writer.write_record(info)

    def write_exchange(
        self,
        *,
        url: str,
        method: str,
        request_headers: list[tuple[bytes, bytes]],
        request_body: bytes,
        status: int,
        reason: str,
        response_headers: list[tuple[bytes, bytes]],
        body: bytes,
        protocol: str = "HTTP/1.1",
    ) -> dict[str, Any]:
        """Write request + response records; return the response's pointer."""
        response_record = self._writer.create_warc_record(
            url,
            "response",
            payload=BytesIO(body),
            http_headers=StatusAndHeaders(
                f"{status} {reason}".strip(),
                [(_s(k), _s(v)) for k, v in response_headers if k.lower() not in _DROP_HEADERS],
                protocol=protocol,
            ),
        )
        request_record = self._writer.create_warc_record(
            url,
            "request",
            payload=BytesIO(request_body),
            http_headers=StatusAndHeaders(
                f"{method} {_path(url)} {protocol}",
                [(_s(k), _s(v)) for k, v in request_headers],
                is_http_request=True,
            ),
        )
        # Request first (the usual order), linked to its response; the
        # response's own offset is what a record's ``raw`` points at.
        response_id = response_record.rec_headers.get_header("WARC-Record-ID")
        request_record.rec_headers.add_header("WARC-Concurrent-To", response_id)
        self._writer.write_record(request_record)
        offset = self._file.tell()
        self._writer.write_record(response_record)
        self.records += 2
        return self._pointer(response_record, offset)

    def write_error(self, *, url: str, error: str, detail: str) -> dict[str, Any]:
        """A ``metadata`` record for an exchange that produced no response."""
        payload = json.dumps(
            {"url": url, "error": error, "detail": detail, "at": _now()}, ensure_ascii=False
        ).encode("utf-8")
        record = self._writer.create_warc_record(
            url,
            "metadata",
            payload=BytesIO(payload),
            warc_content_type="application/json",
        )
        offset = self._file.tell()
        self._writer.write_record(record)
        self.records += 1
        return self._pointer(record, offset)

    def _pointer(self, record: Any, offset: int) -> dict[str, Any]:
        return {
            "warc": self.key,
            "record_id": record.rec_headers.get_header("WARC-Record-ID"),
            "offset": offset,
        }

    def close(self) -> None:
        if not self._file.closed:
            self._file.flush()
            self._file.close()


def _s(value: bytes | str) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _path(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _now() -> str:
    return datetime.now(UTC).isoformat()

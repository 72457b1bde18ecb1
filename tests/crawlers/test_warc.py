"""The raw archive: pointers seek straight to their records."""

from __future__ import annotations

import json

from warcio.archiveiterator import ArchiveIterator

from crawlers.warc import WarcArchive


def _read_at(path, offset):
    with open(path, "rb") as handle:
        handle.seek(offset)
        return next(iter(ArchiveIterator(handle)))


def test_pointers_point_at_their_records(tmp_path):
    path = tmp_path / "R.warc.gz"
    archive = WarcArchive(path, "raw/source=s/date=2025-03-10/R.warc.gz")
    ok = archive.write_exchange(
        url="http://127.0.0.1/view/A", method="GET", request_headers=[(b"User-Agent", b"ua")],
        request_body=b"", status=200, reason="OK",
        response_headers=[(b"Content-Type", b"text/html; charset=euc-kr"),
                          (b"Transfer-Encoding", b"chunked")],
        body="<p>서울</p>".encode("euc-kr"),
    )
    failed = archive.write_exchange(
        url="http://127.0.0.1/view/B", method="GET", request_headers=[], request_body=b"",
        status=500, reason="Internal Server Error", response_headers=[], body=b"oops",
    )
    note = archive.write_error(url="http://127.0.0.1/view/C", error="TimeoutError", detail="30 s")
    archive.close()

    assert ok["warc"] == "raw/source=s/date=2025-03-10/R.warc.gz"
    first = _read_at(path, ok["offset"])
    assert first.rec_type == "response"
    assert first.rec_headers.get_header("WARC-Record-ID") == ok["record_id"]
    assert first.content_stream().read().decode("euc-kr") == "<p>서울</p>"
    assert _read_at(path, failed["offset"]).http_headers.get_statuscode() == "500"
    meta = _read_at(path, note["offset"])
    assert meta.rec_type == "metadata"
    assert json.loads(meta.content_stream().read())["error"] == "TimeoutError"
    with open(path, "rb") as handle:
        types = [r.rec_type for r in ArchiveIterator(handle)]
    assert types == ["warcinfo", "request", "response", "request", "response", "metadata"]

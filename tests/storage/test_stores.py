"""The ObjectStore interface behaves the same on every backend."""

from __future__ import annotations

import gzip

import pytest

import storage
from storage.errors import InvalidKey, ObjectNotFound


def test_put_get_list_delete(store: storage.ObjectStore) -> None:
    store.put_bytes("a/b/one.txt", b"1")
    store.put_bytes("a/b/two.txt", b"22")
    store.put_bytes("a/c.txt", b"333")
    assert store.get_bytes("a/b/two.txt") == b"22"
    assert list(store.list_keys("a/b/")) == ["a/b/one.txt", "a/b/two.txt"]
    assert list(store.list_keys("a/")) == ["a/b/one.txt", "a/b/two.txt", "a/c.txt"]
    assert list(store.list_keys("a/b/t")) == ["a/b/two.txt"]
    assert store.exists("a/c.txt") and not store.exists("a/none.txt")
    store.delete_keys(["a/b/one.txt", "a/missing.txt"])
    assert list(store.list_keys()) == ["a/b/two.txt", "a/c.txt"]


def test_missing_object_raises_object_not_found(store: storage.ObjectStore) -> None:
    with pytest.raises(ObjectNotFound, match="nope.txt"):
        store.get_bytes("nope.txt")


def test_writer_streams_and_appears_only_on_success(store: storage.ObjectStore, tmp_path) -> None:
    with store.open_writer("x/data.gz") as stream, gzip.GzipFile(fileobj=stream, mode="wb") as gz:
        gz.write(b"line\n" * 1000)
    with store.open_reader("x/data.gz") as stream:
        assert gzip.decompress(stream.read()) == b"line\n" * 1000

    with pytest.raises(RuntimeError), store.open_writer("x/broken.bin") as stream:
        stream.write(b"half")
        raise RuntimeError("crash mid-write")
    assert not store.exists("x/broken.bin")
    assert list(store.list_keys("x/")) == ["x/data.gz"]

    local = tmp_path / "f.bin"
    local.write_bytes(b"z" * 1000)
    store.put_file("x/f.bin", local)
    assert store.get_bytes("x/f.bin") == b"z" * 1000


@pytest.mark.parametrize(
    "key",
    ["../escape", "a/../../escape", "/etc/passwd", "a//b", "a/./b", "nul\x00byte", "back\\slash",
     "", "a/", "line\nbreak"],
)
def test_unsafe_keys_are_refused(store: storage.ObjectStore, key: str) -> None:
    with pytest.raises(InvalidKey):
        store.put_bytes(key, b"x")
    assert list(store.list_keys()) == []


def test_describe_has_no_credentials(store: storage.ObjectStore) -> None:
    text = store.describe() + repr(store)
    assert "SECRET" not in text and "WDTESTKEY" not in text
    assert text.startswith(("file://", "s3://"))


def test_file_store_takes_no_options(tmp_path) -> None:
    url = (tmp_path / "store").as_uri()
    with pytest.raises(TypeError, match="endpoint_url"):
        storage.open_store(url, endpoint_url="http://127.0.0.1:9")
    assert storage.open_store(url, endpoint_url=None, sse=None).describe() == url  # unset options


def test_unknown_scheme_is_a_clear_error() -> None:
    with pytest.raises(InvalidKey, match="scheme must be one of"):
        storage.open_store("ftp://host/path")

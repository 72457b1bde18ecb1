"""``file://`` backend: a local folder, each object written via temp file + ``os.replace``.

``os.replace`` is atomic on POSIX within one file system, so a reader sees the
old object or the new one, never a torn write. Temp files start with
``.tmp-`` and are never listed as keys.

Conditional writes (the manifest's commit) hold an exclusive ``flock`` on a
lock file beside the object while they compare its token and rename: the
same "exactly one wins" that S3's ``If-Match``/``If-None-Match`` give, for
every process on the machine. A token is the file's inode, size and
nanosecond mtime, which every ``os.replace`` changes.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from storage.base import ObjectInfo, ObjectStore, StoredObject
from storage.errors import CommitConflict, InvalidKey, ObjectNotFound, StorageError
from storage.layout import check_key

_TMP_PREFIX = ".tmp-"


class FileStore(ObjectStore):
    """Objects are files under ``root``; key ``a/b/c`` is ``root/a/b/c``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(os.path.abspath(root))

    def describe(self) -> str:
        return self.root.as_uri()

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create the store folder {self.root}: "
                               f"{exc.strerror or exc}") from None
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StorageError(f"the store folder {self.root} is not writable")

    def _path(self, key: str) -> Path:
        check_key(key)
        path = self.root / key
        # Defence in depth: check_key already forbids '..', this also catches symlinks.
        if not os.path.realpath(path).startswith(os.path.realpath(self.root) + os.sep):
            raise InvalidKey(f"invalid key {key!r}: resolves outside the store root")
        return path

    @contextmanager
    def open_writer(self, key: str) -> Iterator[BinaryIO]:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as stream:
                yield stream
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(tmp, path)
        except BaseException:
            with _ignore_missing():
                os.unlink(tmp)
            raise

    def put_bytes(
        self, key: str, data: bytes, *, if_match: str | None = None, if_none_match: bool = False
    ) -> str:
        path = self._path(key)
        if if_match is None and not if_none_match:
            with self.open_writer(key) as stream:
                stream.write(data)
            return _token(path.stat())
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = os.open(path.parent / f"{_TMP_PREFIX}lock-{path.name}", os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                current: str | None = _token(path.stat())
            except FileNotFoundError:
                current = None
            if (if_none_match and current is not None) or (
                if_match is not None and current != if_match
            ):
                raise CommitConflict(key, self.describe())
            with self.open_writer(key) as stream:
                stream.write(data)
            return _token(path.stat())
        finally:
            os.close(lock)  # closing the descriptor releases the flock

    def get_object(self, key: str) -> StoredObject:
        with self.open_reader(key) as stream:
            stat = os.fstat(stream.fileno())
            data = stream.read()
        return StoredObject(key, data, _token(stat), _modified(stat))

    def put_file(self, key: str, path: str | Path) -> None:
        with open(path, "rb") as source, self.open_writer(key) as stream:
            shutil.copyfileobj(source, stream, 1 << 20)

    def open_reader(self, key: str) -> BinaryIO:
        path = self._path(key)
        try:
            return open(path, "rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ObjectNotFound(key, self.describe()) from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list_objects(self, prefix: str = "") -> Iterator[ObjectInfo]:
        for key in self.list_keys(prefix):
            try:
                stat = (self.root / key).stat()
            except FileNotFoundError:  # deleted since the walk
                continue
            yield ObjectInfo(key, _modified(stat), stat.st_size)

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        # Start the walk at the deepest directory the prefix names, not at the root.
        base = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
        if base:
            check_key(base)
        start = self.root / base if base else self.root
        found = []
        for dirpath, _dirnames, filenames in os.walk(start):
            rel_dir = os.path.relpath(dirpath, self.root)
            rel_dir = "" if rel_dir == "." else rel_dir.replace(os.sep, "/") + "/"
            found.extend(
                rel_dir + name
                for name in filenames
                if not name.startswith(_TMP_PREFIX) and (rel_dir + name).startswith(prefix)
            )
        # Plain string order, the order S3 lists keys in.
        yield from sorted(found)

    def delete_keys(self, keys: Iterable[str]) -> None:
        for key in keys:
            path = self._path(key)
            with _ignore_missing():
                path.unlink()
            self._prune_empty_dirs(path.parent)

    def _prune_empty_dirs(self, directory: Path) -> None:
        while directory != self.root and self.root in directory.parents:
            try:
                directory.rmdir()
            except OSError:
                return
            directory = directory.parent


def _token(stat: os.stat_result) -> str:
    return f"{stat.st_ino}-{stat.st_size}-{stat.st_mtime_ns}"


def _modified(stat: os.stat_result) -> datetime:
    return datetime.fromtimestamp(stat.st_mtime_ns / 1e9, UTC)


@contextmanager
def _ignore_missing() -> Iterator[None]:
    try:
        yield
    except FileNotFoundError:
        pass

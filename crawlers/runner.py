"""Run one crawl in its own process, then stage its run directory.

A Twisted reactor cannot be restarted, and an Airflow worker must not host
one, so :func:`crawl` starts ``python -m scrapy crawl wire`` as a child
process with ``SCRAPY_SETTINGS_MODULE=crawlers.settings``, streams its log
through, and only then uploads the local run directory with
:func:`storage.staging.upload_staging`.  A failed child (exit code, or a
``crawl.json`` marked failed) raises :class:`CrawlError` naming the source,
the exit code and the last log lines.

The child runs in its own session (process group), so that nothing of it
outlives its caller: on a timeout, on SIGTERM (how Airflow stops a task),
SIGINT or any other exception while it runs, :func:`run_process` ends the
whole group and waits for it, and :func:`crawl` removes its temporary run
directory before the error goes on (:class:`CrawlTerminated` for a signal).
"""

from __future__ import annotations

import collections
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from crawlers.spiders.wire import MODES, new_run_id

logger = logging.getLogger(__name__)

#: The directory holding the ``crawlers`` package (the repo root in a checkout).
PROJECT_ROOT = Path(__file__).resolve().parent.parent
TAIL_LINES = 40
RUN_ID_RE = re.compile(r"[0-9A-Za-z_.-]{1,100}")


class CrawlError(RuntimeError):
    """A crawl process failed; the message says which source, how, and its last log lines."""

    def __init__(self, message: str, *, source: str, returncode: int | None, tail: list[str]):
        super().__init__(message)
        self.source = source
        self.returncode = returncode
        self.tail = tail


class CrawlTerminated(CrawlError):
    """The caller was asked to stop (SIGTERM) while its crawl ran; the crawl was ended first."""


#: How long the crawl's process group has to exit after SIGTERM before SIGKILL.
TERM_GRACE_SECONDS = 5.0


def crawl_command(
    source_id: str,
    day: date,
    run_dir: Path,
    run_id: str,
    *,
    sources_file: str | None = None,
    mode: str = "incremental",
    settings: dict[str, Any] | None = None,
) -> list[str]:
    """The child process's argv (``scrapy crawl wire -a ... -s ...``)."""
    argv = [sys.executable, "-m", "scrapy", "crawl", "wire",
            "-a", f"source={source_id}", "-a", f"date={day.isoformat()}",
            "-a", f"run_dir={run_dir}", "-a", f"run_id={run_id}", "-a", f"mode={mode}"]
    if sources_file:
        argv += ["-a", f"sources_file={os.path.abspath(sources_file)}"]
    for key, value in (settings or {}).items():
        text = json.dumps(value) if isinstance(value, (dict, list, bool)) else str(value)
        argv += ["-s", f"{key}={text}"]
    return argv


#: Credentials the crawl child never needs: it fetches pages; the parent talks to the store.
_SECRETS = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
            "AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AIRFLOW_CONN_WIREDESK_S3")


def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SECRETS}
    env["SCRAPY_SETTINGS_MODULE"] = "crawlers.settings"
    paths = [str(PROJECT_ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def run_process(
    argv: list[str], *, source: str, timeout: float | None = None, cwd: Path | None = None
) -> list[str]:
    """Run the child, forwarding its output as it comes; return the last log lines.

    Output is forwarded in chunks, not lines, so the child's live progress
    line (redrawn with ``\\r`` when our stderr is a terminal) shows up live.
    Raises :class:`CrawlError` on a non-zero exit or on timeout, and
    :class:`CrawlTerminated` on SIGTERM; on those and on any other exception
    while the child runs, its whole process group is ended first
    (:func:`end_process_group`), so no reactor is left behind.
    """
    tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
    env = _child_env()
    if _stderr_is_tty():
        env["WIREDESK_PROGRESS_TTY"] = "1"
    proc = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        # The run directory, not the checkout: an installed package may live in
        # a read-only site-packages; settings come from SCRAPY_SETTINGS_MODULE.
        cwd=str(cwd or PROJECT_ROOT),
        start_new_session=True,
    )

    def pump() -> None:
        assert proc.stdout is not None
        pending = ""
        while chunk := proc.stdout.read1(65536):
            text = chunk.decode("utf-8", errors="replace")
            sys.stderr.write(text)
            sys.stderr.flush()
            pending += text
            *lines, pending = pending.split("\n")
            tail.extend(line.rsplit("\r", 1)[-1] for line in lines)
        if pending:
            tail.append(pending.rsplit("\r", 1)[-1])

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    started = time.monotonic()
    try:
        with _sigterm_raises(source):
            returncode = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        end_process_group(proc)
        reader.join(5)
        raise CrawlError(
            f"crawl of {source!r} timed out after {time.monotonic() - started:.0f}s and was killed;"
            " last log lines:\n" + "\n".join(tail),
            source=source, returncode=None, tail=list(tail),
        ) from None
    except BaseException:  # SIGTERM (CrawlTerminated), SIGINT, an Airflow task timeout, ...
        end_process_group(proc)
        reader.join(5)
        raise
    reader.join(10)
    if returncode != 0:
        raise CrawlError(
            f"crawl of {source!r} failed with exit code {returncode}; last log lines:\n"
            + "\n".join(tail),
            source=source, returncode=returncode, tail=list(tail),
        )
    return list(tail)


def end_process_group(proc: subprocess.Popen, grace: float = TERM_GRACE_SECONDS) -> None:
    """End the child's whole process group: SIGTERM, ``grace`` seconds, then SIGKILL; wait for it.

    The child leads its own group (``start_new_session=True``), so the group id
    is its pid; anything it started in that group ends with it.
    """
    pgid = proc.pid
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        if _group_gone(proc, pgid, grace):
            break
        logger.warning("crawl process group %d still there %.0fs after %s", pgid, grace, sig.name)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL cannot be refused
        logger.error("crawl process %d did not exit after SIGKILL", proc.pid)


def _group_gone(proc: subprocess.Popen, pgid: int, wait: float) -> bool:
    """Wait up to ``wait`` seconds for the group to empty (its dead members reaped)."""
    deadline = time.monotonic() + wait
    while True:
        proc.poll()  # reap the leader: a zombie would keep its group alive
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


@contextmanager
def _sigterm_raises(source: str) -> Iterator[None]:
    """While the crawl runs, SIGTERM raises :class:`CrawlTerminated` (main thread only).

    The previous handler comes back when the child has ended; a handler can
    only be installed from the main thread, elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminated(signum: int, frame: object) -> None:
        raise CrawlTerminated(
            f"crawl of {source!r} stopped by {signal.Signals(signum).name}; the crawl process group "
            "was ended and nothing of this attempt is staged",
            source=source, returncode=-signum, tail=[],
        )

    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _stderr_is_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _run_and_check(
    argv: list[str], source: str, run_dir: Path, timeout: float | None
) -> dict[str, Any]:
    """Run the crawl process; return its ``crawl.json`` if the run passed its checks."""
    tail = run_process(argv, source=source, timeout=timeout, cwd=run_dir)
    from storage.staging import RunDir

    summary = RunDir(run_dir).read_crawl()
    if summary is None:
        raise CrawlError(
            f"crawl of {source!r} exited without writing crawl.json; last log lines:\n"
            + "\n".join(tail), source=source, returncode=0, tail=tail,
        )
    if summary.get("status") != "ok":
        raise CrawlError(
            f"crawl of {source!r} finished but failed its checks: {summary.get('errors')}",
            source=source, returncode=0, tail=tail,
        )
    return summary


def _discard(base: Path, keep: bool) -> None:
    if not keep:
        shutil.rmtree(base, ignore_errors=True)


def crawl(
    source_id: str,
    day: date,
    storage_url: str,
    *,
    run_id: str | None = None,
    sources_file: str | None = None,
    mode: str = "incremental",
    settings: dict[str, Any] | None = None,
    work_dir: Path | None = None,
    timeout: float | None = None,
    storage_options: dict[str, Any] | None = None,
    keep_run_dir: bool = False,
) -> dict[str, Any]:
    """Crawl ``source_id`` for ``day`` in a child process and stage the run.

    Returns ``{"run_id", "source", "date", "counts", "staging", "raw", "status"}``
    where ``staging`` is the run's staging prefix and ``raw`` its WARC key.
    ``settings`` become ``-s`` overrides (they win over per-source politeness).
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    from crawlers.sources import get_source

    spec = get_source(source_id, sources_file)  # fail fast, in this process, on a bad id
    run_id = run_id or new_run_id()
    if not RUN_ID_RE.fullmatch(run_id) or run_id in {".", ".."}:
        raise ValueError(f"invalid run id {run_id!r}: expected [0-9A-Za-z_.-]{{1,100}}")
    base = Path(work_dir) if work_dir else Path(tempfile.mkdtemp(prefix="wiredesk-crawl-"))
    run_dir = base / f"{spec.id}-{day.isoformat()}-{run_id}"
    run_dir.mkdir(parents=True, exist_ok=True)
    argv = crawl_command(source_id, day, run_dir, run_id, sources_file=sources_file,
                         mode=mode, settings=settings)
    logger.info("crawling %s for %s (run %s, mode %s)", spec.id, day, run_id, mode)
    try:
        summary = _run_and_check(argv, spec.id, run_dir, timeout)
    except (CrawlTerminated, KeyboardInterrupt):
        # Asked to stop: a temporary run directory goes even if it was to be kept.
        _discard(base, work_dir is not None)
        raise
    except BaseException:
        # A failed crawl's run dir goes: the error carries the log tail, and
        # workers must not fill up.
        _discard(base, keep_run_dir or work_dir is not None)
        raise
    from storage import open_store
    from storage.errors import StorageError
    from storage.layout import staging_prefix
    from storage.staging import upload_staging

    try:
        store = open_store(storage_url, **(storage_options or {}))
        uploaded = upload_staging(store, spec.id, day, run_id, run_dir)
    except StorageError as exc:
        # A finished crawl is kept until it is staged: nothing fetched is thrown away.
        exc.add_note(f"the finished crawl is kept in {run_dir}; stage it with "
                     f"storage.upload_staging or re-run the crawl")
        logger.error("staging %s %s run %s failed; the finished crawl is kept in %s",
                     spec.id, day, run_id, run_dir)
        raise
    _discard(base, keep_run_dir or work_dir is not None)
    return {
        "run_id": run_id,
        "source": spec.id,
        "date": day.isoformat(),
        "mode": mode,
        "status": summary["status"],
        "counts": summary["counts"],
        "discovery_errors": summary.get("discovery_errors", []),
        "staging": staging_prefix(spec.id, day, run_id),
        "raw": (uploaded.get("raw") or [summary.get("raw")])[0],
        "run_dir": str(run_dir) if (keep_run_dir or work_dir is not None) else None,
    }

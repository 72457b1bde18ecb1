"""A fault-injecting HTTP proxy between boto3 and a real S3 server (SeaweedFS) for tests.

:class:`S3FaultProxy` forwards every request unchanged (method, request target
with its query string, headers including ``Host`` and the SigV4 signature,
body) to the upstream server and streams the answer back. Faults can be
switched on and off while requests are in flight:

- :meth:`S3FaultProxy.pause`: hold matching requests *after* the upstream
  answered (the server applied the write, the client has not heard back);
- :meth:`S3FaultProxy.pause_before`: hold matching requests before they reach
  the upstream;
- :meth:`S3FaultProxy.truncate_body`: forward only the first bytes of a body,
  with a matching ``Content-Length`` (a PUT cut short that looks complete);
- :meth:`S3FaultProxy.down` / :meth:`S3FaultProxy.down_for`: an outage; new
  connections are accepted and closed without an answer.

Predicates are called as ``predicate(method, target)`` where ``target`` is the
request target exactly as the client sent it: the percent-encoded path plus
``?query`` when there is one (``/bucket/key``, ``/bucket/key?uploadId=…&partNumber=1``).

Every answer carries ``Content-Length`` (except where HTTP forbids a body) and
``Connection: close``, so each request uses its own connection. Everything binds
to 127.0.0.1 and runs in daemon threads; :meth:`S3FaultProxy.stop` releases
held requests and joins the threads.
"""

from __future__ import annotations

import http.client
import socket
import struct
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

Predicate = Callable[[str, str], bool]

#: How many ``(method, target)`` pairs :attr:`S3FaultProxy.requests` keeps.
MAX_RECORDED = 10_000

# Hop-by-hop headers (RFC 9110 7.6.1) plus Expect, which the proxy answers itself.
_HOP_BY_HOP = frozenset({
    "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
    "te", "trailer", "transfer-encoding", "upgrade", "expect",
})
_CHUNK = 64 * 1024


def _always(method: str, target: str) -> bool:
    return True


class Fault:
    """One fault rule: counts the requests that matched it."""

    def __init__(self, predicate: Predicate | None) -> None:
        self.predicate: Predicate = predicate or _always
        self._lock = threading.Lock()
        self._hit = threading.Event()
        self._hits = 0

    @property
    def hits(self) -> int:
        """How many requests matched so far."""
        return self._hits

    def wait_hit(self, timeout: float | None = None) -> bool:
        """Wait until at least one request matched; False on timeout."""
        return self._hit.wait(timeout)

    def _match(self, method: str, target: str) -> bool:
        if not self.predicate(method, target):
            return False
        with self._lock:
            self._hits += 1
        self._hit.set()
        return True


class Gate(Fault):
    """Holds the requests that match it until :meth:`release`.

    After :meth:`release` the gate stays open: later matches are counted but
    pass straight through.
    """

    def __init__(self, predicate: Predicate | None) -> None:
        super().__init__(predicate)
        self._open = threading.Event()

    @property
    def released(self) -> bool:
        return self._open.is_set()

    def release(self) -> None:
        """Let every held (and every later) matching request go on."""
        self._open.set()

    def _hold(self) -> None:
        self._open.wait()


class Truncation(Fault):
    """Forward only the first ``keep`` bytes of a matching request's body."""

    def __init__(self, predicate: Predicate | None, keep: int) -> None:
        if keep < 0:
            raise ValueError(f"keep must be >= 0, got {keep}")
        super().__init__(predicate)
        self.keep = keep


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() joins the handler threads itself, with a bound

    def __init__(self, proxy: S3FaultProxy) -> None:
        self.proxy = proxy
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        proxy = self.proxy
        if proxy.is_down:
            proxy._drop(request)
            return
        thread = threading.Thread(
            target=self._serve_one, args=(request, client_address),
            name=f"s3proxy:{self.server_address[1]}:handler", daemon=True,
        )
        with proxy._lock:
            proxy._threads.add(thread)
            proxy._sockets.add(request)
        thread.start()

    def _serve_one(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self.proxy._lock:
                self.proxy._threads.discard(threading.current_thread())
                self.proxy._sockets.discard(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that went away mid-answer is expected under fault injection


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # needed for Expect: 100-continue
    disable_nagle_algorithm = True
    timeout = 60  # an idle client never pins a thread for longer
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _proxy(self) -> None:
        self.close_connection = True
        self.server.proxy._forward(self)

    do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = do_OPTIONS = do_PATCH = _proxy


class S3FaultProxy:
    """An HTTP proxy on 127.0.0.1 in front of ``upstream_url`` that injects faults on demand."""

    def __init__(self, upstream_url: str, *, upstream_timeout: float = 60.0) -> None:
        parts = urlsplit(upstream_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"upstream must be an http:// URL, got {upstream_url!r}")
        self.upstream_url = upstream_url
        self._upstream = (parts.hostname, parts.port or 80)
        self._upstream_timeout = upstream_timeout
        self._lock = threading.RLock()
        self._gates_after: list[Gate] = []
        self._gates_before: list[Gate] = []
        self._truncations: list[Truncation] = []
        self._down = False
        self._reset = False
        self._timer: threading.Timer | None = None
        self._threads: set[threading.Thread] = set()
        self._sockets: set[socket.socket] = set()
        self._server: _Server | None = None
        self._port: int | None = None
        self._serve_thread: threading.Thread | None = None
        self._stopped = False
        #: ``(method, target)`` of every request seen, oldest first (the last :data:`MAX_RECORDED`).
        self.requests: list[tuple[str, str]] = []

    # -- life cycle -------------------------------------------------------------

    def start(self) -> S3FaultProxy:
        if self._server is not None or self._stopped:
            raise RuntimeError("S3FaultProxy can be started once")
        self._server = _Server(self)
        self._port = self._server.server_address[1]
        self._serve_thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"s3proxy:{self._server.server_address[1]}:accept", daemon=True,
        )
        self._serve_thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving, release held requests, join the threads; safe to call twice."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            server, self._server = self._server, None
        self.clear()  # opens every gate, so no handler stays held
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._serve_thread is not None:
            self._serve_thread.join(timeout)
        self._join(timeout / 2)
        with self._lock:  # whoever is still busy is cut off
            sockets = list(self._sockets)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._join(timeout / 2)

    def _join(self, timeout: float) -> None:
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout)

    def __enter__(self) -> S3FaultProxy:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("S3FaultProxy is not started")
        return self._port

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- fault controls ---------------------------------------------------------

    def pause(self, predicate: Predicate | None = None) -> Gate:
        """Hold matching requests after the upstream answered, until ``gate.release()``."""
        gate = Gate(predicate)
        with self._lock:
            self._gates_after.append(gate)
        return gate

    def pause_before(self, predicate: Predicate | None = None) -> Gate:
        """Hold matching requests before they are forwarded, until ``gate.release()``."""
        gate = Gate(predicate)
        with self._lock:
            self._gates_before.append(gate)
        return gate

    def truncate_body(self, predicate: Predicate | None, keep: int) -> Truncation:
        """Forward only the first ``keep`` body bytes of matching requests.

        ``Content-Length`` is rewritten to match; every other header (Content-MD5,
        x-amz-content-sha256, the signature) is forwarded unchanged.
        """
        rule = Truncation(predicate, keep)
        with self._lock:
            self._truncations.append(rule)
        return rule

    def down(self, flag: bool = True, *, reset: bool = False) -> None:
        """While down, new connections are accepted and closed without an answer.

        ``reset=True`` closes them with a TCP reset instead of a normal close.
        Cancels a pending :meth:`down_for` timer.
        """
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._down = bool(flag)
            self._reset = reset

    def down_for(self, seconds: float, *, reset: bool = False) -> None:
        """Go down now and come back up after ``seconds``."""
        with self._lock:
            self.down(True, reset=reset)
            timer = threading.Timer(seconds, self._timer_up)
            timer.daemon = True
            self._timer = timer
            timer.start()

    def _timer_up(self) -> None:
        with self._lock:
            if self._timer is threading.current_thread():
                self._timer = None
                self._down = False

    @property
    def is_down(self) -> bool:
        return self._down

    def clear(self) -> None:
        """Remove every fault; held requests are released. :attr:`requests` is kept."""
        with self._lock:
            gates = self._gates_after + self._gates_before
            self._gates_after, self._gates_before, self._truncations = [], [], []
            self.down(False)
        for gate in gates:
            gate.release()

    # -- the proxy itself ---------------------------------------------------------

    def _drop(self, sock: socket.socket) -> None:
        try:
            if self._reset:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()

    def _matching(self, rules: list[Any], method: str, target: str) -> list[Any]:
        with self._lock:
            rules = list(rules)
        return [rule for rule in rules if rule._match(method, target)]

    def _forward(self, handler: _Handler) -> None:
        method, target = handler.command, handler.path
        with self._lock:
            self.requests.append((method, target))
            del self.requests[:-MAX_RECORDED]
        try:
            body, had_body = _read_body(handler)
        except (OSError, ValueError):
            return  # the client went away or sent a broken body: nothing to answer
        for gate in self._matching(self._gates_before, method, target):
            gate._hold()
        for rule in self._matching(self._truncations, method, target)[:1]:
            body = body[: rule.keep]

        headers: list[tuple[str, str]] = []
        for name, value in handler.headers.items():
            lname = name.lower()
            if lname in _HOP_BY_HOP:
                continue
            if lname == "content-length":
                value = str(len(body))
            headers.append((name, value))
        if had_body and "content-length" not in {name.lower() for name, _ in headers}:
            headers.append(("Content-Length", str(len(body))))

        connection = http.client.HTTPConnection(*self._upstream, timeout=self._upstream_timeout)
        try:
            try:
                connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
                for name, value in headers:
                    connection.putheader(name, value)
                connection.endheaders(body if had_body else None)
                response = connection.getresponse()
            except (OSError, http.client.HTTPException) as exc:
                _answer_bad_gateway(handler, exc)
                return
            self._relay(handler, method, target, response)
        finally:
            connection.close()

    def _relay(self, handler: _Handler, method: str, target: str,
               response: http.client.HTTPResponse) -> None:
        gates = self._matching(self._gates_after, method, target)
        no_body = method == "HEAD" or response.status in (204, 304) or response.status < 200
        length = response.getheader("Content-Length")
        chunked = "chunked" in (response.getheader("Transfer-Encoding") or "").lower()
        body: bytes | None = None
        try:
            if not no_body and (gates or chunked or length is None):
                body = response.read()  # whole answer first: the server has fully applied it
        except (OSError, http.client.HTTPException):
            return  # upstream broke mid-answer: the client sees the connection close
        for gate in gates:
            gate._hold()

        try:
            handler.send_response_only(response.status, response.reason)
            for name, value in response.getheaders():
                lname = name.lower()
                if lname in _HOP_BY_HOP or (lname == "content-length" and not no_body):
                    continue
                handler.send_header(name, value)
            if body is not None:
                handler.send_header("Content-Length", str(len(body)))
            elif not no_body:
                handler.send_header("Content-Length", str(length))
            handler.send_header("Connection", "close")
            handler.end_headers()
            if body is not None:
                handler.wfile.write(body)
            elif not no_body:
                remaining = int(length or 0)
                while remaining > 0:
                    chunk = response.read(min(_CHUNK, remaining))
                    if not chunk:
                        break  # upstream cut short: so is the client's answer
                    handler.wfile.write(chunk)
                    remaining -= len(chunk)
            handler.wfile.flush()
        except (OSError, http.client.HTTPException):
            pass  # the client or the upstream went away


def _read_body(handler: _Handler) -> tuple[bytes, bool]:
    """The request body (de-chunked) and whether the request had one at all."""
    encoding = (handler.headers.get("Transfer-Encoding") or "").lower()
    if "chunked" in encoding:
        parts: list[bytes] = []
        while True:
            size_line = handler.rfile.readline(65537)
            if not size_line:
                raise ValueError("chunked body cut short")
            size = int(size_line.split(b";", 1)[0].strip(), 16)
            if size == 0:
                while handler.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass  # trailers: dropped
                return b"".join(parts), True
            parts.append(_read_exact(handler, size))
            handler.rfile.readline(65537)  # CRLF after the chunk
    length = handler.headers.get("Content-Length")
    if length is None:
        return b"", False
    return _read_exact(handler, int(length)), True


def _read_exact(handler: _Handler, size: int) -> bytes:
    data = handler.rfile.read(size)
    if len(data) != size:
        raise ValueError("request body cut short")
    return data


def _answer_bad_gateway(handler: _Handler, exc: BaseException) -> None:
    body = f"upstream unreachable: {type(exc).__name__}\n".encode()
    try:
        handler.send_response_only(502, "Bad Gateway")
        handler.send_header("Content-Type", "text/plain")
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(body)
        handler.wfile.flush()
    except OSError:
        pass

"""A local imitation of en.yna.co.kr (plus www.yna.co.kr and apnews.com pages).

``WireSite`` serves the pre-built files in ``site/`` from stdlib
``ThreadingHTTPServer``s bound to 127.0.0.1, in daemon threads: one port per
imitated site, because the real sites use the same paths (``/sitemap/index.xml``
exists on both Yonhap hosts). ``base_url`` is the Yonhap English site;
``base_urls`` has all three (``yonhap_en``, ``yonhap_ko``, ``apnews``).
Absolute addresses inside the files are ``{{BASE}}``/``{{HOST}}`` placeholders
filled in with each server's own address when it starts, so a local source spec
differs from the real one only by host.

Paths (each site; ``{{BASE}}`` is its base URL):

========================  ==================================================
yonhap_en                 ``/RSS/news.xml`` (latest 20), ``/RSS/<section>.xml``,
                          ``/sitemap/index.xml`` -> ``/sitemap/news/<day>.xml``
                          (``.xml.gz`` too), ``/news`` + ``/news/<n>``, section
                          listings such as ``/national/politics[/<n>]``,
                          ``/view/<id>``, ``/channel/index``, ``/robots.txt``
yonhap_ko                 ``/rss/news.xml``, ``/sitemap/index.xml``,
                          ``/news`` + ``/news/<n>``, ``/view/<id>`` (EUC-KR)
apnews                    ``/hub/ap-top-news.atom``, ``/news-sitemap-content.xml``,
                          ``/hub/ap-top-news`` + ``?p=<n>``, ``/article/<slug>-<id>``
========================  ==================================================

Optional modes, off by default so that a normal run is clean:

* ``faults=[...]``: named misbehaviours, each on its own dedicated URL that the
  feeds, listings and sitemaps link to only while that fault is on (the table
  is in :mod:`devsite.faults`).
* ``synthetic_articles=N``: N extra generated Yonhap articles dated 2025-03-12,
  listed in ``/sitemap-synthetic.xml`` and in ``/synthetic/index[/<page>]``
  (see :mod:`devsite.synthetic`), for throughput benchmarks.
* ``latency=s``: every response waits ``s`` seconds first.

``requests`` is the log of ``(method, path, status)`` served, in order; tests use
it to prove, for example, that a robots.txt-disallowed page was never fetched.
Every same-site link on every page resolves (navigation targets without a story
get a plain filler page); any ``/photo/...jpg`` answers a 1x1 JPEG; stored pages
carry an ETag and honour ``If-None-Match``.
"""

from __future__ import annotations

import gzip
import hashlib
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from devsite import faults as faults_mod
from devsite import synthetic as synthetic_mod
from devsite.build import SITES, site_routes

EXTRA_MARKER = b"<!--wiresite:extra-->"
# A 1x1 grey JPEG for every photo path, so image links on the pages resolve locally.
PLACEHOLDER_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c"
    "1912130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc000"
    "0b080001000101011100ffc4001f0000010501010101010100000000000000000102030405060708090a0bffc400"
    "b5100002010303020403050504040000017d01020300041105122131410613516107227114328191a1082342b1c1"
    "1552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a63"
    "6465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6"
    "b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008"
    "010100003f00fbfcffd9"
)
NOT_FOUND_HTML = (
    b"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    b"<title>Page Not Found | Yonhap News Agency</title></head>\n<body class=\"page-error\">"
    b"<div class=\"error-zone\"><strong class=\"tit\">The page you requested cannot be found."
    b"</strong><p>Please check the address.</p><a href=\"/index\">HOME</a></div>\n</body></html>\n"
)


@dataclass
class Response:
    """What a route produced: status, headers and a body (bytes or a chunk stream)."""

    status: int
    headers: dict[str, str]
    body: bytes | Iterable[bytes] = b""
    length: int | None = None  # Content-Length when ``body`` is a stream
    close: bool = False  # drop the connection after writing (truncated responses)


class _Server(ThreadingHTTPServer):
    """A crawler that gives up on a slow or faulty page hangs up mid-request:
    that is the client's business, not a server error worth a traceback."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class WireSite:
    """The local wire site; a context manager that starts and stops the server.

    :param host: address to bind; only loopback addresses are accepted.
    :param port: TCP port, 0 for a free one (read it back from ``base_url``).
    :param faults: names from :data:`devsite.faults.FAULTS` to switch on.
    :param synthetic_articles: number of generated articles to add (0 to 8000).
    :param latency: seconds every response waits before it is sent.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        faults: Iterable[str] = (),
        synthetic_articles: int = 0,
        latency: float = 0.0,
    ) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"the wire site binds loopback only, not {host!r}")
        self.faults = faults_mod.validate(faults)
        self.synthetic = synthetic_mod.SyntheticArticles(synthetic_articles)
        self.latency = latency
        self._host, self._port = host, port
        self._lock = threading.Lock()
        self._requests: list[tuple[str, str, str, int]] = []
        self._servers: dict[str, _Server] = {}
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._static: dict[str, dict[str, tuple[str, bytes, str]]] = {}
        self.fault_state = faults_mod.FaultState()

    # -- lifecycle ----------------------------------------------------------
    @property
    def base_url(self) -> str:
        """Base URL of the Yonhap English site, e.g. ``http://127.0.0.1:54321``."""
        return self.base_url_of("yonhap_en")

    @property
    def base_urls(self) -> dict[str, str]:
        """Base URL of every imitated site, by source id."""
        return {site: self.base_url_of(site) for site in SITES}

    def base_url_of(self, site: str) -> str:
        server = self._servers.get(site)
        if server is None:
            raise RuntimeError(f"WireSite is not started (or has no site {site!r})")
        host, port = server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def host(self) -> str:
        """``host:port`` of the Yonhap English server (what its ``{{HOST}}`` becomes)."""
        return self.base_url.removeprefix("http://")

    def start(self) -> WireSite:
        if self._servers:
            return self
        self._stopping.clear()
        try:
            for site in SITES:
                port = self._port if site == "yonhap_en" else 0
                server = _Server((self._host, port), _Handler)
                server.wiresite = self  # type: ignore[attr-defined]
                server.site_id = site  # type: ignore[attr-defined]
                self._servers[site] = server
            self._load_static()
        except BaseException:
            self.stop()
            raise
        for site, server in self._servers.items():
            thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.1},
                name=f"wiresite-{site}", daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Stop every server and wait for their threads; safe to call twice."""
        self._stopping.set()  # wakes up 'slow' responses
        if self._threads:
            # shutdown() waits up to one poll interval; stop the servers side by side.
            stoppers = [threading.Thread(target=s.shutdown) for s in self._servers.values()]
            for stopper in stoppers:
                stopper.start()
            for stopper in stoppers:
                stopper.join(timeout=10)
        for server in self._servers.values():
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=10)
        self._servers, self._threads = {}, []

    def __enter__(self) -> WireSite:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- request log ----------------------------------------------------------
    @property
    def requests(self) -> list[tuple[str, str, int]]:
        """A copy of the ``(method, path, status)`` log of all sites, oldest first.

        ``path`` is the request target as sent (query string included).
        """
        with self._lock:
            return [(method, path, status) for _, method, path, status in self._requests]

    def requests_of(self, site: str) -> list[tuple[str, str, int]]:
        """The log of one site (``yonhap_en``, ``yonhap_ko`` or ``apnews``)."""
        with self._lock:
            return [(m, p, s) for where, m, p, s in self._requests if where == site]

    def reset_log(self) -> None:
        with self._lock:
            self._requests.clear()

    def _log(self, site: str, method: str, path: str, status: int) -> None:
        with self._lock:
            self._requests.append((site, method, path, status))

    def url(self, path: str, site: str = "yonhap_en") -> str:
        """Absolute URL of ``path`` on one of the sites."""
        return self.base_url_of(site) + path

    # -- content --------------------------------------------------------------
    def rewrite(self, data: bytes, site: str = "yonhap_en") -> bytes:
        """Fill the ``{{BASE}}``/``{{HOST}}`` placeholders with a site's address."""
        base = self.base_url_of(site)
        return data.replace(b"{{BASE}}", base.encode()).replace(
            b"{{HOST}}", base.removeprefix("http://").encode()
        )

    def _load_static(self) -> None:
        """Fill every rendered page with addresses and extra links, once.

        The sites are small (a few MB); holding them in memory keeps the server
        fast enough for crawl benchmarks.
        """
        routes = site_routes()
        extras = faults_mod.extra_links(self.faults)
        for (site, path), snippet in self.synthetic.extra_links().items():
            extras.setdefault((site, path), []).append(snippet)
        self._static = {}
        for site in SITES:
            static: dict[str, tuple[str, bytes, str]] = {}
            for path, route in routes[site].items():
                data = route.body
                plain_path = path.removesuffix(".gz") if route.gzip else path
                if EXTRA_MARKER in data:
                    snippets = extras.get((site, plain_path), [])
                    data = data.replace(EXTRA_MARKER, "\n".join(snippets).encode())
                data = self.rewrite(data, site)
                if route.gzip:
                    data = gzip.compress(data, mtime=0)
                etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
                static[path] = (route.content_type, data, etag)
            self._static[site] = static

    def respond(
        self, site: str, method: str, raw_path: str, if_none_match: str | None = None
    ) -> Response:
        """Route one request (the handler only writes what this returns).

        Stored pages carry an ``ETag`` and answer a matching ``If-None-Match``
        with 304, so conditional re-fetches can be tested too.
        """
        path = urlsplit(raw_path).path
        if site == "yonhap_en":
            special = faults_mod.route(self, path, raw_path) or self.synthetic.route(self, path)
            if special is not None:
                return special
        static = self._static[site]
        found = static.get(raw_path) or static.get(path)
        if found is not None:
            content_type, data, etag = found
            if if_none_match and etag in (t.strip() for t in if_none_match.split(",")):
                return Response(304, {"ETag": etag})
            return Response(200, {"Content-Type": content_type, "ETag": etag}, data)
        if path.endswith(".jpg") and path.startswith(("/photo/", "/etc/inner/")):
            return Response(200, {"Content-Type": "image/jpeg"}, PLACEHOLDER_JPEG)
        return Response(404, {"Content-Type": "text/html; charset=utf-8"}, NOT_FOUND_HTML)

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; returns False early if the server is stopping."""
        return not self._stopping.wait(seconds)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as crawlers use
    server_version = "wiresite/1.0"
    # Headers and body go out in separate writes; with Nagle's algorithm on, the
    # client's delayed ACK stalls every keep-alive response by ~40 ms.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Silence the per-request stderr line; the site keeps its own log."""

    def do_GET(self) -> None:  # noqa: N802 (stdlib naming)
        self._serve(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(head=True)

    def _serve(self, head: bool) -> None:
        site: WireSite = self.server.wiresite  # type: ignore[attr-defined]
        site_id: str = self.server.site_id  # type: ignore[attr-defined]
        if site.latency:
            site.wait(site.latency)
        response = site.respond(site_id, self.command, self.path,
                                self.headers.get("If-None-Match"))
        site._log(site_id, self.command, self.path, response.status)
        body = response.body
        length = len(body) if isinstance(body, bytes) else response.length
        if response.status == 304:
            length = None  # a 304 has no body and no Content-Length
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if length is not None:
            self.send_header("Content-Length", str(length))
        if response.close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if head:
            return
        try:
            for chunk in _chunks(body):
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def _chunks(body: bytes | Iterable[bytes]) -> Iterator[bytes]:
    if isinstance(body, bytes):
        yield body
    else:
        yield from body

"""The source registry: one declarative, validated spec per news site.

A source says *where* to look (feeds, news sitemaps, section listings),
*what* to keep (allowed domains, named URL rules), *how* to parse (the
parser id given to :func:`parsers.parse_page`) and *how politely* to fetch.
Specs are plain data, validated on construction like a fundus ``Publisher``,
and kept in a dict keyed by id.  Built-ins live in :data:`BUILTIN_SOURCES`; a
YAML file (``--sources FILE`` or env ``WIREDESK_SOURCES``) may add sources or
override single fields of a built-in, e.g. ``base_url`` to point a real spec
at the bundled local wire site.
"""

from __future__ import annotations

import copy
import os
import re
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

#: How a crawl finds its day's URLs: feeds and sitemaps (``incremental``), the
#: section listings paged back to the day (``backfill``), or both (``all``).
CRAWL_MODES = ("incremental", "backfill", "all")

SOURCE_ID_RE = r"^[a-z0-9][a-z0-9_-]{0,63}$"
SOURCES_ENV = "WIREDESK_SOURCES"


class UrlRule(BaseModel):
    """A named regex over canonical URLs; its name becomes a ``filtered/<name>`` key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    pattern: str

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regex {value!r}: {exc}") from exc
        return value

    def matches(self, url: str) -> bool:
        return re.search(self.pattern, url) is not None


class UrlFilters(BaseModel):
    """Which discovered URLs are articles worth fetching.

    ``deny`` rules are checked first (the first match names the reason);
    when ``allow`` rules exist, a URL matching none of them is
    ``filtered/not_article``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    allow: list[UrlRule] = Field(default_factory=list)
    deny: list[UrlRule] = Field(default_factory=list)

    def reject_reason(self, url: str) -> str | None:
        for rule in self.deny:
            if rule.matches(url):
                return rule.name
        if self.allow and not any(rule.matches(url) for rule in self.allow):
            return "not_article"
        return None


class Listing(BaseModel):
    """A section listing page with pagination, walked back in time for backfills.

    ``url`` holds a ``{page}`` placeholder (``/news/{page}`` or ``?page={page}``),
    ``first_url`` the first page when it has no number;
    pages ``first_page .. first_page + max_pages - 1`` are read newest first
    until a page holds only stories older than the data interval.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str
    #: page ``first_page``'s own address when it differs (``/news`` before ``/news/2``)
    first_url: str | None = None
    first_page: int = Field(default=1, ge=0)
    max_pages: int = Field(default=50, ge=1, le=10_000)

    @field_validator("url")
    @classmethod
    def _has_page(cls, value: str) -> str:
        if "{page}" not in value:
            raise ValueError("listing url needs a {page} placeholder")
        return value

    def page_url(self, page: int) -> str:
        if page == self.first_page and self.first_url:
            return self.first_url
        return self.url.replace("{page}", str(page))


class Politeness(BaseModel):
    """Per-source fetch manners, applied as spider-priority Scrapy settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    download_delay: float = Field(default=1.0, ge=0)
    concurrency_per_domain: int = Field(default=2, ge=1, le=64)
    autothrottle: bool = True
    autothrottle_target: float = Field(default=1.0, gt=0)
    contact: str | None = None  # overrides the contact in the User-Agent


class Gates(BaseModel):
    """Quality gates a day must pass before it is published (``wiredesk.gates`` applies them).

    Every field left out (``None``) takes the default from ``wiredesk.settings``
    (``WIREDESK_GATE_*`` or the built-in value), so a source names only what it
    changes: ``gates: {min_articles: 20, boilerplate: ["(END)", "Copyright"]}``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: parsed records the day needs
    min_articles: int | None = Field(default=None, ge=0)
    #: quarantined pages / fetched pages allowed
    max_quarantined_share: float | None = Field(default=None, ge=0, le=1)
    #: phrases no body may contain; replaces the default list
    boilerplate: list[str] | None = None
    #: allowed rise of the share of records without authors, dates or sections,
    #: over the mean of the last ``drift_days`` published days (absolute, 0..1)
    max_drift: float | None = Field(default=None, ge=0, le=1)
    drift_days: int | None = Field(default=None, ge=0, le=60)
    drift_min_days: int | None = Field(default=None, ge=1, le=60)
    drift_sample: int | None = Field(default=None, ge=1, le=100_000)
    drift_min_records: int | None = Field(default=None, ge=1)

    @field_validator("boilerplate")
    @classmethod
    def _no_empty_phrase(cls, values: list[str] | None) -> list[str] | None:
        if values is not None and not all(isinstance(v, str) and v.strip() for v in values):
            raise ValueError("boilerplate phrases must be non-empty strings")
        return values


class SourceSpec(BaseModel):
    """One news source, declared as data (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=SOURCE_ID_RE)
    name: str
    language: str
    timezone: str = "UTC"
    allowed_domains: list[str] = Field(min_length=1)
    feeds: list[str] = Field(default_factory=list)
    #: HTML pages listing a site's feeds (an "RSS" page); every feed they link is read too
    feed_directories: list[str] = Field(default_factory=list)
    sitemaps: list[str] = Field(default_factory=list)
    listings: list[Listing] = Field(default_factory=list)
    url_filters: UrlFilters = Field(default_factory=UrlFilters)
    #: query parameters to drop besides the usual tracking ones (utm_*, fbclid, ...)
    strip_params: list[str] = Field(default_factory=list)
    #: regex with named groups y, m, d dating a story by its URL (used on listings)
    url_date_pattern: str | None = None
    parser: str | None = None  # parser id; defaults to the source id
    politeness: Politeness = Field(default_factory=Politeness)
    gates: Gates = Field(default_factory=Gates)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    @field_validator("feeds", "sitemaps", "feed_directories")
    @classmethod
    def _http_urls(cls, values: list[str]) -> list[str]:
        for value in values:
            if urlsplit(value).scheme not in ("http", "https"):
                raise ValueError(f"not an http(s) URL: {value!r}")
        return values

    @field_validator("parser")
    @classmethod
    def _known_parser(cls, value: str | None) -> str | None:
        """A named parser must exist: a typo would otherwise parse every page generically."""
        if value is None:
            return value
        from parsers.registry import PARSERS

        known = sorted({*PARSERS, "generic"})
        if value not in known:
            raise ValueError(f"unknown parser {value!r}; known parsers: {', '.join(known)}")
        return value

    @field_validator("allowed_domains")
    @classmethod
    def _bare_hosts(cls, values: list[str]) -> list[str]:
        for value in values:
            if "/" in value or not value:
                raise ValueError(f"allowed domain must be a bare host name: {value!r}")
        return [v.lower() for v in values]

    @model_validator(mode="after")
    def _has_entry_points(self) -> SourceSpec:
        if not (self.feeds or self.sitemaps or self.listings):
            raise ValueError(f"source {self.id!r} has no feeds, sitemaps or listings")
        if self.url_date_pattern:
            groups = re.compile(self.url_date_pattern).groupindex
            if not {"y", "m", "d"} <= set(groups):
                raise ValueError("url_date_pattern needs named groups y, m and d")
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def parser_id(self) -> str:
        return self.parser or self.id

    def with_base_url(self, base_url: str) -> SourceSpec:
        """The same spec with every entry URL's scheme and host replaced.

        Lets tests and demos aim a real source at the local wire site
        (``http://127.0.0.1:PORT``) without restating its paths.
        """
        base = urlsplit(base_url)
        if base.scheme not in ("http", "https") or not base.hostname:
            raise ValueError(f"base_url must be http(s)://host[:port]: {base_url!r}")

        def rehost(url: str) -> str:
            parts = urlsplit(url)
            return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, parts.fragment))

        data = self.model_dump()
        data["feeds"] = [rehost(u) for u in self.feeds]
        data["feed_directories"] = [rehost(u) for u in self.feed_directories]
        data["sitemaps"] = [rehost(u) for u in self.sitemaps]
        data["listings"] = [
            {**lst, "url": rehost(lst["url"]),
             "first_url": rehost(lst["first_url"]) if lst["first_url"] else None}
            for lst in data["listings"]
        ]
        data["allowed_domains"] = [base.hostname]
        return SourceSpec.model_validate(data)


def _yonhap(host: str) -> dict[str, Any]:
    """What both Yonhap editions share: one CMS, so the same story ids, paths and manners."""
    return {
        "timezone": "Asia/Seoul",
        "allowed_domains": [host],
        "sitemaps": [f"https://{host}/sitemap/index.xml"],
        "listings": [
            {
                "url": f"https://{host}/news/{{page}}",
                "first_url": f"https://{host}/news",
                "max_pages": 50,
            }
        ],
        "strip_params": ["section", "site", "input"],
        "url_date_pattern": r"/view/A[A-Z]{2}(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})",
        "politeness": {"download_delay": 1.0, "concurrency_per_domain": 2},
    }


#: Story ids: ``A``, the edition (``EN``, ``KR``), ``yyyymmdd``, a serial.
_YONHAP_ARTICLE = {"name": "article", "pattern": r"/view/A[A-Z]{2}\d{8}\d+"}
_YONHAP_PHOTO = {"name": "photo", "pattern": r"/view/PYH"}


def _yonhap_en() -> dict[str, Any]:
    return {
        **_yonhap("en.yna.co.kr"),
        "id": "yonhap_en",
        "name": "Yonhap News Agency (English)",
        "language": "en",
        # The article pages link the RSS directory (/channel/index) and the
        # sitemap index (see _yonhap); this is the feed the directory lists.
        "feeds": ["https://en.yna.co.kr/RSS/news.xml"],
        "feed_directories": ["https://en.yna.co.kr/channel/index"],
        "url_filters": {
            "allow": [dict(_YONHAP_ARTICLE)],
            "deny": [dict(_YONHAP_PHOTO), {"name": "video", "pattern": r"/(video|vod)/"}],
        },
    }


def _yonhap_ko() -> dict[str, Any]:
    return {
        **_yonhap("www.yna.co.kr"),
        "id": "yonhap_ko",
        "name": "Yonhap News Agency (Korean)",
        "language": "ko",
        "feeds": ["https://www.yna.co.kr/rss/news.xml"],
        "url_filters": {"allow": [dict(_YONHAP_ARTICLE)], "deny": [dict(_YONHAP_PHOTO)]},
    }


def _apnews() -> dict[str, Any]:
    return {
        "id": "apnews",
        "name": "The Associated Press",
        "language": "en",
        "timezone": "America/New_York",
        "allowed_domains": ["apnews.com"],
        "feeds": ["https://apnews.com/hub/ap-top-news.atom"],
        "sitemaps": ["https://apnews.com/news-sitemap-content.xml"],
        "listings": [
            {
                "url": "https://apnews.com/hub/ap-top-news?p={page}",
                "first_url": "https://apnews.com/hub/ap-top-news",
                "max_pages": 20,
            }
        ],
        "url_filters": {
            "allow": [{"name": "article", "pattern": r"/article/"}],
            "deny": [{"name": "video", "pattern": r"/video/"}],
        },
        "politeness": {"download_delay": 2.0, "concurrency_per_domain": 1},
    }


#: Built-in sources as plain data; :func:`load_sources` validates them.
BUILTIN_SOURCES: dict[str, dict[str, Any]] = {
    spec["id"]: spec for spec in (_yonhap_en(), _yonhap_ko(), _apnews())
}


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Nested-dict merge: an override names only the fields it changes."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


#: A sources file is configuration, not data: anything bigger or deeper is a mistake.
MAX_SOURCES_BYTES = 1024 * 1024
MAX_SOURCES_DEPTH = 12


def _read_yaml(path: str | os.PathLike[str]) -> dict[str, dict[str, Any]]:
    """Read a sources file: bounded in size and depth, no aliases, at least one source.

    Aliases are refused because a few lines of them expand to gigabytes
    ("billion laughs"); an empty file is refused because "no overrides" would
    silently crawl the real sites with a local setup's typo.
    """
    with open(path, "rb") as handle:
        data = handle.read(MAX_SOURCES_BYTES + 1)
    if len(data) > MAX_SOURCES_BYTES:
        raise ValueError(f"{path}: over {MAX_SOURCES_BYTES // 1024} KiB; a sources file is "
                         "configuration, not data")
    try:
        text = data.decode("utf-8")
        depth = 0
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                raise ValueError(f"{path}: YAML aliases (*name) are not allowed in a sources file")
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_SOURCES_DEPTH:
                    raise ValueError(f"{path}: nested deeper than {MAX_SOURCES_DEPTH} levels")
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
        loaded = yaml.safe_load(text)
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ValueError(f"{path}: not valid YAML{where}: {problem}") from None
    if isinstance(loaded, dict) and isinstance(loaded.get("sources"), dict):
        loaded = loaded["sources"]
    if not loaded:
        raise ValueError(f"{path} defines no sources; give at least one source id with its "
                         "fields, or drop the file to use the built-in sources")
    if not isinstance(loaded, dict) or not all(isinstance(v, dict) for v in loaded.values()):
        raise ValueError(f"{path}: expected a mapping of source id -> fields")
    return loaded


def describe_overrides(path: str | os.PathLike[str]) -> list[str]:
    """What a sources file changes against the built-ins, one line per source (validated)."""
    specs = load_sources(path)
    lines = []
    for source_id, override in _read_yaml(path).items():
        spec = specs[source_id]
        if source_id not in BUILTIN_SOURCES:
            lines.append(f"{source_id}: new source ({spec.name}; {len(spec.feeds)} feed(s), "
                         f"{len(spec.sitemaps)} sitemap(s), {len(spec.listings)} listing(s), "
                         f"parser {spec.parser_id})")
            continue
        changed = ", ".join(sorted(override)) or "nothing"
        lines.append(f"{source_id}: overrides {changed}")
    return lines


def build_spec(entry: dict[str, Any]) -> SourceSpec:
    """Validate one entry; a ``base_url`` key rewrites the hosts afterwards."""
    entry = dict(entry)
    base_url = entry.pop("base_url", None)
    spec = SourceSpec.model_validate(entry)
    return spec.with_base_url(base_url) if base_url else spec


def load_sources(path: str | os.PathLike[str] | None = None) -> dict[str, SourceSpec]:
    """Built-in sources, overridden or extended by a YAML file.

    ``path`` defaults to env ``WIREDESK_SOURCES``.  Each YAML key is a source
    id; its fields are merged into the built-in of that id (so
    ``yonhap_en: {base_url: "http://127.0.0.1:8080"}`` is a whole entry) or
    form a new source.  Raises ``ValueError`` naming the bad source.
    """
    raw = copy.deepcopy(BUILTIN_SOURCES)
    path = path or os.environ.get(SOURCES_ENV) or None
    if path:
        for source_id, override in _read_yaml(path).items():
            raw[source_id] = _merge(raw.get(source_id, {"id": source_id}), override)
    specs: dict[str, SourceSpec] = {}
    for source_id, entry in raw.items():
        entry.setdefault("id", source_id)
        try:
            specs[source_id] = build_spec(entry)
        except ValueError as exc:
            raise ValueError(f"source {source_id!r}: {exc}") from exc
    return specs


def get_source(source_id: str, path: str | os.PathLike[str] | None = None) -> SourceSpec:
    """One source by id, or a ``KeyError`` listing the known ids.

    An id that is an http(s) URL becomes an ad-hoc source (:func:`source_from_feed`).
    """
    if source_id.startswith(("http://", "https://")):
        return source_from_feed(source_id)
    specs = load_sources(path)
    try:
        return specs[source_id]
    except KeyError:
        raise KeyError(f"unknown source {source_id!r}; known: {', '.join(sorted(specs))}") from None


def source_from_feed(url: str, *, kind: Literal["feed", "sitemap"] | None = None) -> SourceSpec:
    """An ad-hoc spec for any site from one feed or sitemap URL (generic parser)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    host = parts.hostname.lower()
    if kind is None:
        kind = "sitemap" if "sitemap" in parts.path.lower() else "feed"
    slug = re.sub(r"[^a-z0-9_-]+", "-", host.removeprefix("www.")).strip("-")[:64] or "site"
    return SourceSpec(
        id=slug,
        name=host,
        language="und",
        timezone="UTC",
        allowed_domains=[host],
        feeds=[url] if kind == "feed" else [],
        sitemaps=[url] if kind == "sitemap" else [],
        parser=None,  # an unknown source id makes parse_page fall back to the generic parser
    )

"""Bytes to text: refuse what is not a page, then find the real charset.

Order of evidence, strongest first: a byte-order mark, the HTTP header's
charset, the page's own ``<meta charset>``/``http-equiv``, and finally
detection (charset-normalizer).  Declarations are only hints: a declared
charset that cannot decode the bytes, or whose result is obvious mojibake of
Korean text, loses to the next candidate.  Korean sites often still serve
EUC-KR, and the characters added by Microsoft's CP949 (e.g. "똠", "햏") are
not in EUC-KR proper, so EUC-KR is always read as its superset CP949.
"""

from __future__ import annotations

from charset_normalizer import from_bytes
from w3lib.encoding import html_body_declared_encoding, read_bom, resolve_encoding

from parsers.base import ParseError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"RIFF", "a RIFF (WebP/AVI/WAV) file"),
    (b"\x00\x00\x00", "binary data"),
    (b"ID3", "an MP3 file"),
    (b"OggS", "an Ogg file"),
    (b"\x7fELF", "an executable"),
    (b"BZh", "bzip2-compressed data"),
    (b"\xfd7zXZ", "xz-compressed data"),
)
#: C0 control bytes that never occur in text (tab, newlines, form feed, ESC excluded).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
#: Labels browsers read as another charset that w3lib's table (WHATWG based) does not know.
_ALIASES = {"windows-949": "cp949", "x-windows-949": "cp949", "unicode": "utf-8"}
_SINGLE_BYTE = {"cp1252", "iso8859-15", "cp1250", "cp1251", "koi8-r", "iso8859-2"}


def _canonical(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    return resolve_encoding(_ALIASES.get(label, label))


def check_bytes(content: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """Raise :class:`ParseError` for content no page parser should see."""
    if len(content) > max_bytes:
        raise ParseError("too_large", f"{len(content)} bytes is over the {max_bytes}-byte limit")
    if not content.strip():
        raise ParseError("empty", "no content")
    if read_bom(content)[0] is not None:
        return
    head = content.lstrip()[:16]
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise ParseError("not_html", f"content is {what}, not a web page")
    sample = content[:65536]
    if sample.count(b"\x00") > len(sample) // 100:
        raise ParseError("not_html", "content is binary (NUL bytes), not a web page")
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls > len(sample) // 50:
        raise ParseError("not_html", f"content is binary ({controls} control bytes in 64 KB)")


def declared_charset(content: bytes) -> str | None:
    """The charset a page declares in its first 4 KB of markup.

    w3lib's WHATWG prescan: comments are skipped, the scan stops at ``<body>``,
    and a ``content="...; charset=..."`` counts only with ``http-equiv``.
    """
    return html_body_declared_encoding(content)


def _hangul_share(text: str) -> float:
    high = [c for c in text if ord(c) > 127]
    if not high:
        return 0.0
    return sum(1 for c in high if "\uac00" <= c <= "\ud7a3") / len(high)


def _try(content: bytes, charset: str) -> str | None:
    """Strict decode; a character cut off by truncation at the very end is forgiven."""
    try:
        text = content.decode(charset)
    except UnicodeDecodeError as exc:
        if exc.start < len(content) - 4:
            return None
        text = content[: exc.start].decode(charset, errors="replace")
    except LookupError:
        return None
    return None if "\ufffd" in text else text


def _korean(content: bytes) -> str | None:
    """CP949 text when the bytes are strictly valid CP949 and mostly Hangul."""
    text = _try(content, "cp949")
    if text is not None and _hangul_share(text) > 0.5:
        return text
    return None


_ASCII = bytes(range(128))


def _declared_or_refused(content: bytes, charset: str) -> str:
    """A page whose declared charset cannot read it: stray bad bytes (up to a tenth of
    the non-ASCII ones) are forgiven, mostly invalid bytes are refused (``undecodable``) rather than guessed at: a
    guess turns a page into confident garbage ("Bad ■ bytes ├(")."""
    text = content.decode(charset, errors="replace")
    bad = text.count("\ufffd")
    high = len(content.translate(None, _ASCII))
    if bad <= max(2, high // 10):  # a few stray bytes among many good ones: keep the reading
        return text
    raise ParseError(
        "undecodable",
        f"{bad} invalid byte sequences among {high} non-ASCII bytes under the declared "
        f"charset {charset}, and no other reading fits",
    )


def decode_html(
    content: bytes | str,
    *,
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> str:
    """Decode a fetched page to text.

    ``encoding`` is the HTTP header's charset, a hint only.  Raises
    :class:`ParseError` (``empty``, ``too_large``, ``not_html``, ``undecodable``).
    """
    if isinstance(content, str):
        if len(content) > max_bytes:
            raise ParseError("too_large", f"{len(content)} characters is over the limit")
        if not content.strip():
            raise ParseError("empty", "no content")
        sample = content[:65536]
        if sample.count("\x00") > len(sample) // 100:
            raise ParseError("not_html", "text contains NUL bytes: binary data")
        return content.lstrip("\ufeff")
    check_bytes(content, max_bytes=max_bytes)
    charset, bom = read_bom(content)
    if charset is not None:
        return content[len(bom):].decode(charset, errors="replace")
    if content.isascii():  # C speed; a Python loop over the bytes dominated profiles
        return content.decode("ascii")
    declared = [c for c in (_canonical(encoding), declared_charset(content)) if c is not None]
    for candidate in declared:
        text = _try(content, candidate)
        if text is None:
            continue  # declared charset cannot read these bytes: a lie
        if candidate != "utf-8":
            # Non-ASCII text that is valid UTF-8 is UTF-8 whatever the label
            # says: legacy multi-byte text almost never forms valid UTF-8.
            as_utf8 = _try(content, "utf-8")
            if as_utf8 is not None:
                return as_utf8
        if candidate in _SINGLE_BYTE:
            # Any byte string "decodes" as a single-byte charset; prefer a
            # Korean reading when the bytes are valid CP949 and mostly Hangul.
            korean = _korean(content)
            if korean is not None:
                return korean
        return text
    text = _try(content, "utf-8")
    if text is not None:
        return text
    korean = _korean(content)
    if korean is not None:
        return korean
    # A UTF-8 page with a stray bad byte or two is still UTF-8, whatever it declares.
    text = content.decode("utf-8", errors="replace")
    high = sum(1 for c in text if ord(c) > 127)
    if high and text.count("\ufffd") <= max(2, high // 200):
        return text
    if declared:
        return _declared_or_refused(content, declared[0])
    best = from_bytes(content[:200_000]).best()
    if best is not None and best.encoding:
        charset = _canonical(best.encoding) or best.encoding
        return content.decode(charset, errors="replace")
    return content.decode("utf-8", errors="replace")

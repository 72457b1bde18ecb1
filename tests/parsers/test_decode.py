"""Charset decoding: declared, undeclared and mislabeled Korean pages, BOMs."""

from __future__ import annotations

import codecs

import pytest

from parsers import ParseError, parse_page
from parsers.decode import _canonical, declared_charset, decode_html

# 똠 and 햏 are CP949 additions, outside EUC-KR proper
KOREAN = "정부는 19일 규제 완화로 6천억 원 규모의 투자를 지원한다고 밝혔다. 똠방각하 햏"


def _page(charset_meta: str | None, body: str = KOREAN) -> str:
    meta = f'<meta charset="{charset_meta}">' if charset_meta else ""
    return f"<html><head>{meta}<title>t</title></head><body><p>{body}</p></body></html>"


def test_cp949_only_characters_exist() -> None:
    """"똠" has a CP949 code but none in EUC-KR proper: strict EUC-KR cannot read it."""
    with pytest.raises(UnicodeDecodeError):
        "똠".encode("cp949").decode("euc-kr")


@pytest.mark.parametrize(
    ("meta", "header"),
    [
        ("euc-kr", None),  # declared in the page
        (None, "euc-kr"),  # declared in the HTTP header only
        (None, None),  # declared nowhere
        ("utf-8", None),  # mislabeled as UTF-8 in the page
        (None, "utf-8"),  # mislabeled as UTF-8 in the header
        ("iso-8859-1", None),  # mislabeled as Latin-1
        (None, "iso-8859-1"),
        ("ks_c_5601-1987", None),
    ],
)
def test_korean_page_decodes(meta: str | None, header: str | None) -> None:
    data = _page(meta).encode("cp949")
    assert KOREAN in decode_html(data, encoding=header)


def test_utf8_page_declared_euc_kr_is_read_as_utf8() -> None:
    data = _page("euc-kr").encode("utf-8")
    assert KOREAN in decode_html(data)


def test_latin1_page_stays_latin1() -> None:
    text = "<html><head><meta charset='iso-8859-1'></head><body><p>Café crème à Besançon</p>"
    assert "Café crème à Besançon" in decode_html(text.encode("latin-1"))


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ],
)
def test_bom_wins_over_declarations(bom: bytes, codec: str) -> None:
    data = bom + _page("iso-8859-1").encode(codec)
    decoded = decode_html(data, encoding="euc-kr")
    assert KOREAN in decoded and not decoded.startswith("\ufeff")


def test_truncated_multibyte_character_at_end_is_forgiven() -> None:
    data = _page("utf-8").encode("utf-8")[:-30] + "한".encode()[:2]
    assert "규제 완화" in decode_html(data)


def test_declared_charset_from_http_equiv() -> None:
    data = b'<meta http-equiv="Content-Type" content="text/html; charset=EUC-KR">'
    assert declared_charset(data) == "cp949"


def test_mislabeled_korean_page_parses_end_to_end() -> None:
    html = (
        "<html><head><meta charset='utf-8'><title>기사</title></head><body>"
        "<h1>해조류 박물관 개관</h1><article>"
        + "".join(f"<p>{KOREAN} 문단 {i}입니다. 관계자는 이렇게 말했다.</p>" for i in range(6))
        + "</article></body></html>"
    )
    record = parse_page(html.encode("cp949"), url="https://example.kr/news/1")
    assert any("똠방각하" in p for p in record["body"])


def test_str_input_is_used_as_is() -> None:
    assert decode_html("\ufeff<p>x</p>") == "<p>x</p>"


def test_undecodable_declared_charset_is_ignored() -> None:
    data = _page("x-no-such-charset").encode("cp949")
    assert KOREAN in decode_html(data)


def test_empty_bytes() -> None:
    with pytest.raises(ParseError) as info:
        decode_html(b"")
    assert info.value.reason == "empty"


def test_utf8_page_with_euc_kr_header_is_read_as_utf8() -> None:
    data = _page("utf-8").encode("utf-8")
    assert KOREAN in decode_html(data, encoding="euc-kr")


def test_declared_charset_skips_commented_out_meta() -> None:
    data = b'<head><!-- <meta charset="iso-8859-1"> --><meta charset="euc-kr"></head>'
    assert declared_charset(data) == "cp949"


@pytest.mark.parametrize(
    ("label", "codec"), [("windows-949", "cp949"), ("ks_c_5601-1987", "cp949"), ("latin1", "cp1252")]
)
def test_header_charset_labels_resolve_as_browsers_read_them(label: str, codec: str) -> None:
    """Labels resolve to the superset browsers decode with: EUC-KR as CP949, Latin-1 as CP1252."""
    assert _canonical(label) == codec


@pytest.mark.parametrize(("meta", "header"), [("utf-8", None), (None, "utf-8")])
def test_mostly_invalid_bytes_under_a_declared_charset_are_refused(meta, header) -> None:
    """Not a guess: random high bytes labelled as a charset end as a quarantine reason."""
    import random

    noise = bytes(random.Random(7).randrange(128, 256) for _ in range(3000))
    declared = f'<meta charset="{meta}">' if meta else ""
    page = f"<html><head>{declared}<title>Bad bytes</title></head><body><p>".encode() + noise
    with pytest.raises(ParseError) as info:
        decode_html(page + b"</p></body></html>", encoding=header)
    assert info.value.reason == "undecodable"
    assert "invalid byte sequences" in info.value.message


def test_a_stray_bad_byte_under_a_declared_charset_is_forgiven() -> None:
    page = ('<meta charset="utf-8"><p>' + "Caf\u00e9 cr\u00e8me " * 200 + "</p>").encode()
    assert "Caf\u00e9" in decode_html(page[:60] + b"\xff" + page[60:])

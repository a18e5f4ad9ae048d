from newsarchive.decode import decode_html
from tests.conftest import FIXTURES

LEGACY = FIXTURES / "captured/xinhua/xinhuanet-chinaneast-zh-legacy-gb2312-article.html"


def test_gb2312_page_decodes_as_gb18030_from_its_header():
    text, encoding, overridden = decode_html(LEGACY.read_bytes(), "text/html; charset=gb2312")
    assert encoding == "gb18030" and not overridden
    assert "农机专家李金泽" in text


def test_gbk_served_with_a_utf8_label_is_detected_and_flagged():
    body = "<html><body><p>新华社北京电 中国经济稳中向好。</p></body></html>".encode("gbk")
    text, encoding, overridden = decode_html(body, "text/html; charset=utf-8")
    assert (encoding, overridden) == ("gb18030", True)
    assert "中国经济稳中向好" in text


def test_meta_charset_is_used_when_the_header_has_none():
    body = '<meta charset="gbk"><p>中新网</p>'.encode("gbk")
    assert decode_html(body, "text/html")[1] == "gb18030"


def test_utf8_bom_wins_over_labels():
    body = "\ufeff<p>CGTN</p>".encode("utf-8")
    assert decode_html(body, "text/html; charset=gbk")[:2] == ("<p>CGTN</p>", "utf-8")

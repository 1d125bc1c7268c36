"""Loaders on real encodings and formats, including the broken and empty files a folder will contain."""

import io

import pytest

from ingest.clean import clean_text
from ingest.errors import BrokenFile, EmptyDocument, UnsupportedFile
from ingest.load import read_text

ARTICLE = "第一条 为了规范人才公寓管理，制定本办法。\n\n第二条 本办法适用于科学城范围内的人才公寓。"


def test_gbk_and_gb18030_are_detected():
    assert read_text("a.txt", ARTICLE.encode("gbk")) == ARTICLE
    assert read_text("a.txt", ARTICLE.encode("gb18030")) == ARTICLE


def test_utf8_with_and_without_bom():
    assert read_text("a.md", ARTICLE.encode("utf-8")) == ARTICLE
    assert read_text("a.md", b"\xef\xbb\xbf" + ARTICLE.encode("utf-8")) == ARTICLE


def test_html_keeps_text_and_headings():
    html = ("<html><head><title>人才公寓管理办法</title><script>var x=1;</script></head><body>"
            "<h2>第一章 总则</h2><p>第一条 为了规范人才公寓管理，制定本办法。</p></body></html>").encode("gbk")
    text = read_text("a.html", html)
    assert "# 人才公寓管理办法" in text
    assert "## 第一章 总则" in text
    assert "第一条 为了规范人才公寓管理" in text
    assert "var x" not in text


def test_docx_paragraphs_and_headings():
    from docx import Document

    d = Document()
    d.add_heading("第一章 总则", level=2)
    d.add_paragraph("第一条 为了规范人才公寓管理，制定本办法。")
    buf = io.BytesIO()
    d.save(buf)
    text = read_text("a.docx", buf.getvalue())
    assert "## 第一章 总则" in text
    assert "第一条 为了规范人才公寓管理，制定本办法。" in text


def _minimal_pdf(text: str) -> bytes:
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
            b"/Contents 5 0 R >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out, offsets = b"%PDF-1.4\n", []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out


def test_pdf_text_is_extracted():
    assert "Article 1 applies" in read_text("a.pdf", _minimal_pdf("Article 1 applies"))


def test_corrupt_pdf_empty_and_unsupported_files_raise_clear_errors():
    with pytest.raises(BrokenFile, match="corrupt PDF"):
        read_text("a.pdf", b"%PDF-1.4 this is not really a pdf")
    with pytest.raises(BrokenFile, match="corrupt DOCX"):
        read_text("a.docx", b"PK not a zip")
    with pytest.raises(EmptyDocument):
        read_text("a.txt", b"   \n")
    with pytest.raises(UnsupportedFile, match=".xlsx"):
        read_text("a.xlsx", b"data")


def test_clean_text_changes_no_wording():
    raw = "\ufeff第一条\u3000内容。\r\n\r\n\r\n\r\n第二条 内容２０日。\x00"
    assert clean_text(raw) == "第一条\u3000内容。\n\n第二条 内容２０日。"

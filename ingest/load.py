"""Read files of the supported kinds into text, detecting Chinese encodings."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

from ingest.errors import BrokenFile, EmptyDocument, UnsupportedFile

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx"}


def decode_bytes(data: bytes) -> str:
    """Decode text bytes: UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK/GB2312).

    Chinese government files come in both; trying the strict decoders in this order is exact for
    valid input, and charset-normalizer is only the last resort for anything else.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise BrokenFile("cannot detect the text encoding")
    return str(best)


def _read_pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise BrokenFile(f"corrupt PDF: {exc}") from exc
    return "\n\n".join(p.strip() for p in pages if p.strip())


def _read_docx(data: bytes) -> str:
    import zipfile

    from docx import Document as DocxDocument

    try:
        doc = DocxDocument(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise BrokenFile(f"corrupt DOCX: {exc}") from exc
    lines = []
    for para in doc.paragraphs:
        text = para.text.strip()
        if not text:
            continue
        style = (para.style.name or "").lower() if para.style is not None else ""
        if style.startswith("heading"):
            level = re.sub(r"\D", "", style) or "1"
            text = "#" * min(int(level), 3) + " " + text
        lines.append(text)
    return "\n\n".join(lines)


def _read_html(data: bytes) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode_bytes(data), "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript"]):
        tag.decompose()
    title = soup.title.get_text(strip=True) if soup.title else ""
    if soup.title:
        soup.title.decompose()
    blocks = []
    for el in soup.find_all(["h1", "h2", "h3", "h4", "p", "li", "td", "pre", "div"]):
        if el.find(["p", "div", "li", "table", "h1", "h2", "h3", "h4"]):
            continue  # only leaf blocks, so text is not repeated
        text = el.get_text(" ", strip=True)
        if not text:
            continue
        if el.name in {"h1", "h2", "h3"}:
            text = "#" * int(el.name[1]) + " " + text
        blocks.append(text)
    if title and not any(b.startswith("# ") for b in blocks):
        blocks.insert(0, "# " + title)
    return "\n\n".join(blocks)


def read_text(name: str, data: bytes) -> str:
    """Return the raw text of a file's bytes, chosen by the file name's suffix.

    Raises:
        UnsupportedFile: the suffix has no loader.
        BrokenFile: the file cannot be parsed.
    """
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedFile(f"unsupported file type {suffix or '(none)'}; supported: "
                              + ", ".join(sorted(SUPPORTED_SUFFIXES)))
    if not data.strip():
        raise EmptyDocument("empty file")
    if suffix == ".pdf":
        return _read_pdf(data)
    if suffix == ".docx":
        return _read_docx(data)
    if suffix in {".html", ".htm"}:
        return _read_html(data)
    return decode_bytes(data)

"""Work out a document's id, title, version date and kind from its file name and text."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from knowledge.models import Document

_NAME_DATE = re.compile(r"[（(](\d{4})-(\d{1,2})-(\d{1,2})[)）]")
_CN_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_ARTICLE = re.compile(r"^第[零一二三四五六七八九十百千〇0-9]+条", re.M)
_REPORT_HEADING = re.compile(r"^[一二三四五六七八九十]+、", re.M)


def doc_id_for(source: str) -> str:
    """Stable id from the file name: re-ingesting a changed file replaces the same document."""
    return hashlib.sha1(source.encode("utf-8")).hexdigest()[:16]


def _title(source: str, text: str) -> str:
    for line in text.splitlines()[:5]:
        if line.startswith("# "):
            return line[2:].strip()
    stem = _NAME_DATE.sub("", Path(source).stem).strip()
    if stem:
        return stem
    first = text.strip().splitlines()[0] if text.strip() else source
    return first[:80]


def _version_date(source: str, text: str) -> str:
    """The date in the file name wins; else the latest date in the header (adoption/amendment lines)."""
    m = _NAME_DATE.search(Path(source).name)
    if m:
        y, mo, d = m.groups()
        return f"{y}-{int(mo):02d}-{int(d):02d}"
    header = text.split("<!-- INFO END -->")[0] if "<!-- INFO END -->" in text else "\n".join(
        text.splitlines()[:4])
    dates = [f"{y}-{int(mo):02d}-{int(d):02d}" for y, mo, d in _CN_DATE.findall(header[:3000])]
    return max(dates) if dates else ""


def _kind(text: str) -> str:
    if len(_ARTICLE.findall(text)) >= 2:
        return "regulation"
    if len(_REPORT_HEADING.findall(text)) >= 2:
        return "report"
    return "text"


def describe_document(source: str, text: str) -> Document:
    """Build the stored ``Document`` for cleaned text read from the file named ``source``."""
    return Document(
        doc_id=doc_id_for(source),
        title=_title(source, text),
        source=source,
        version_date=_version_date(source, text),
        text=text,
        kind=_kind(text),
    )

"""Checks every answer passes before it leaves the service: quotes are verbatim, numbers are cited.

A wrong number is the worst failure this product can have, so this is code, not a prompt.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_MARKER = re.compile(r"\[\d{1,2}\]")
_ARABIC = re.compile(r"\d+(?:[.,]\d+)*")
_CN_DIGITS = "零一二两三四五六七八九十百千万亿"
# Chinese numerals with a unit (六十日, 百分之三十, 二十个工作日): numbers too, when they state a figure.
_CN_FIGURE = re.compile(rf"百分之[{_CN_DIGITS}]+|[{_CN_DIGITS}]{{2,}}(?=个?(?:工作日|日|天|月|年|元|万元|亿元|项|家|名|套|倍|次|学时|周岁|小时|人))")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def numbers_in(text: str) -> set[str]:
    """Figures stated in a text: Arabic numbers (width-normalised) and Chinese numerals with a unit."""
    text = _MARKER.sub(" ", _norm(text))
    found = {m.group(0).rstrip(".,") for m in _ARABIC.finditer(text)}
    found.update(m.group(0) for m in _CN_FIGURE.finditer(text))
    return {f for f in found if f}


def numbers_outside(answer: str, cited_texts: Iterable[str]) -> list[str]:
    """Figures of ``answer`` that none of the cited texts contains (empty list = the answer is clean)."""
    haystack = _norm(" ".join(cited_texts))
    return sorted(n for n in numbers_in(answer) if n not in haystack)


def quote_is_verbatim(document_text: str, quote: str, start: int, end: int) -> bool:
    return 0 <= start <= end <= len(document_text) and document_text[start:end] == quote


def markers_in(answer: str) -> set[int]:
    return {int(m.group(0)[1:-1]) for m in _MARKER.finditer(answer)}

"""Normalise loaded text without changing its wording: citations must stay verbatim."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff]")
_MANY_BLANKS = re.compile(r"\n{3,}")


def clean_text(text: str) -> str:
    """Unify line ends, drop control characters and BOMs, collapse runs of blank lines.

    Nothing else is touched (no width folding, no punctuation changes): quotes are checked
    against this text character for character.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = _MANY_BLANKS.sub("\n\n", text)
    return text.strip()

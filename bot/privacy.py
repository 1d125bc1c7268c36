"""Mask personal data before a question is stored: staff need the question, not the caller's identity."""

from __future__ import annotations

import re

# Order matters: an 18-digit ID number must be masked before the phone pattern sees its digits.
_ID_CARD = re.compile(r"(?<!\d)[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?!\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}[-\s]?\d{7,8}(?!\d)")


def mask_personal_data(text: str) -> str:
    """Replace ID-card numbers, e-mail addresses, mobile and landline numbers with labelled placeholders."""
    text = _ID_CARD.sub("[身份证号]", text)
    text = _EMAIL.sub("[邮箱]", text)
    text = _MOBILE.sub("[手机号]", text)
    return _LANDLINE.sub("[电话]", text)

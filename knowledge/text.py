"""Sentence and article primitives of Chinese policy text, shared by ingestion (splitting) and answering.

Offsets always index the text they were computed on, so quotes stay verbatim.
"""

from __future__ import annotations

import re

CN_NUM = "零一二三四五六七八九十百千〇0-9０-９"
ARTICLE = re.compile(rf"^第[{CN_NUM}]+条(?:之[{CN_NUM}]+)?")
ARTICLE_LABEL = re.compile(ARTICLE.pattern + r"\s*")  # "第十九条 " before an article's first sentence
ARTICLE_NUMBER = re.compile(r"第[零一二三四五六七八九十百千]+条")
ITEM = re.compile(r"^[（(][一二三四五六七八九十\d]+[)）]")  # an enumerated item: （一）…
SENTENCE_END = "。！？；!?;"
_CLOSERS = "”’」』）)\"'"
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]*")


def sentences(text: str) -> list[str]:
    """The sentences of a short text (a message), stripped."""
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of the sentences in ``text[start:end]``; a sentence ends after 。！？；(+closing quotes) or a line end."""
    spans: list[tuple[int, int]] = []
    i, s = start, None
    while i < end:
        ch = text[i]
        if s is None:
            if not ch.isspace():
                s = i
            i += 1
            continue
        if ch == "\n":
            spans.append((s, _rstrip(text, s, i)))
            s = None
            i += 1
            continue
        i += 1
        if ch in SENTENCE_END:
            while i < end and (text[i] in SENTENCE_END or text[i] in _CLOSERS):
                i += 1
            spans.append((s, i))
            s = None
    if s is not None:
        spans.append((s, _rstrip(text, s, end)))
    return [sp for sp in spans if sp[1] > sp[0]]


def labelled_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a passage, each without the article label that opens it ("第十九条 "): the units
    an answer quotes and the sentence vectors are computed for."""
    spans = []
    for s, e in split_sentences(text, 0, len(text)):
        label = ARTICLE_LABEL.match(text[s:e])
        spans.append((s + label.end() if label else s, e))
    return [(s, e) for s, e in spans if e > s]


def _rstrip(text: str, s: int, e: int) -> int:
    while e > s and text[e - 1].isspace():
        e -= 1
    return e

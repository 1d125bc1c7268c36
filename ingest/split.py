"""Structure-aware splitting of Chinese policy text into verbatim chunks with offsets.

Regulations (one 第N条 per paragraph under 章/节 headings) become one chunk per article: an
article is the unit a citizen is pointed to, and a staff member quotes it by number. An article
longer than ``max_chars`` is split at sentence ends (。；！？), never inside a sentence, because a
half sentence of a legal rule can read as its opposite ("不得……" cut before its exception).

Reports and other prose are split at headings (一、 (一) and Markdown #) and then packed into
passages of roughly ``min_chars``..``max_chars`` characters, preferring to break before an
enumeration (一是 二是 …) so each passage holds one measure.

Every chunk keeps ``start``/``end`` with ``document.text[start:end] == chunk.text``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from knowledge.models import Chunk, Document
from knowledge.text import ARTICLE, CN_NUM, split_sentences

_MD_HEADING = re.compile(r"^(#{1,6})\s*(.+?)\s*#*$")
_CN_HEADING = re.compile(rf"^第[{CN_NUM}]+([编章节])(?:\s|$)")
_REPORT_TOP = re.compile(r"^[一二三四五六七八九十]+、")
_REPORT_SUB = re.compile(r"^[（(][一二三四五六七八九十]+[)）]")
_ENUM = re.compile(r"^(?:[一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、])")
_CN_LEVEL = {"编": 1, "章": 2, "节": 3}


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            start = pos + lead
            out.append(_Line(start, start + len(stripped), stripped))
        pos += len(raw) + 1
    return out


def _pack(text: str, sentences: list[tuple[int, int]], max_chars: int, min_chars: int = 0,
          prefer_break: set[int] | None = None) -> list[tuple[int, int]]:
    """Group consecutive sentences into pieces of at most ``max_chars`` (a single longer sentence stays whole).

    With ``min_chars``, a piece that already has that many characters is closed before a sentence
    that starts at a preferred break (a paragraph or an enumeration such as 二是).
    """
    if not sentences:
        return []
    total = sentences[-1][1] - sentences[0][0]
    if total <= max_chars:
        return [(sentences[0][0], sentences[-1][1])]
    # Aim for balanced pieces: 2 x 400 reads better than 500 + 300.
    target = max(min_chars, min(max_chars, total / -(-total // max_chars)))
    prefer_break = prefer_break or set()
    pieces: list[tuple[int, int]] = []
    cur_start, cur_end = sentences[0]
    for s, e in sentences[1:]:
        size = cur_end - cur_start
        if e - cur_start > max_chars or (min_chars and size >= min_chars and s in prefer_break) \
                or size >= target:
            pieces.append((cur_start, cur_end))
            cur_start = s
        cur_end = e
    pieces.append((cur_start, cur_end))
    # A tiny tail reads better joined to its neighbour when the two still fit.
    if len(pieces) > 1 and pieces[-1][1] - pieces[-1][0] < max(min_chars // 2, 40) \
            and pieces[-1][1] - pieces[-2][0] <= max_chars:
        pieces[-2:] = [(pieces[-2][0], pieces[-1][1])]
    return pieces


def _chunk_id(doc_id: str, text: str, seen: dict[str, int]) -> str:
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
    n = seen.get(digest, 0)
    seen[digest] = n + 1
    # The occurrence number keeps ids unique where a document repeats a passage verbatim.
    return f"{doc_id}-{digest}-{n}"


def _heading(line: _Line) -> tuple[int, str] | None:
    """(level, name) when the line is a heading in a regulation (Markdown # or 第N章/节)."""
    m = _MD_HEADING.match(line.text)
    if m:
        return len(m.group(1)), m.group(2).strip()
    m = _CN_HEADING.match(line.text)
    if m and len(line.text) <= 40 and not ARTICLE.match(line.text):
        return _CN_LEVEL[m.group(1)], line.text
    return None


class _Builder:
    def __init__(self, doc: Document, with_context: bool = True) -> None:
        self.doc = doc
        self.with_context = with_context
        self.seen: dict[str, int] = {}
        self.chunks: list[Chunk] = []

    def add(self, start: int, end: int, section: str, context_path: str) -> None:
        text = self.doc.text[start:end]
        if not text.strip():
            return
        context = f"{self.doc.title} {context_path}".strip() if self.with_context else ""
        self.chunks.append(Chunk(
            chunk_id=_chunk_id(self.doc.doc_id, text, self.seen),
            doc_id=self.doc.doc_id, title=self.doc.title, section=section, source=self.doc.source,
            version_date=self.doc.version_date, text=text, start=start, end=end, context=context,
        ))


def _split_regulation(doc: Document, max_chars: int, with_context: bool = True) -> list[Chunk]:
    b = _Builder(doc, with_context)
    lines = [ln for ln in _lines(doc.text) if ln.text != "<!-- INFO END -->"]
    stack: list[tuple[int, str]] = []
    preamble: list[_Line] = []
    article: list[_Line] = []
    article_name = ""
    seen_structure = False

    def path() -> str:
        return " > ".join(name for _, name in stack)

    def flush_article() -> None:
        nonlocal article
        if not article:
            return
        spans = _pack(doc.text, split_sentences(doc.text, article[0].start, article[-1].end), max_chars)
        for i, (s, e) in enumerate(spans):
            name = article_name if len(spans) == 1 else f"{article_name} [{i + 1}/{len(spans)}]"
            b.add(s, e, " > ".join(x for x in (path(), name) if x), path())
        article = []

    for line in lines:
        head = _heading(line)
        if head and head[0] == 1 and not seen_structure and line.text.startswith("#") \
                and head[1] == doc.title:
            continue  # the document title line
        if head:
            flush_article()
            seen_structure = True
            level, name = head
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, name))
            continue
        m = ARTICLE.match(line.text)
        if m:
            flush_article()
            seen_structure = True
            article, article_name = [line], m.group(0)
            continue
        if article:
            article.append(line)  # items （一）（二）… belong to their article
        elif not seen_structure:
            preamble.append(line)
        else:
            article, article_name = [line], ""  # text under a heading before any article
    flush_article()
    if preamble:
        # Adoption and amendment lines: they answer "when was this adopted / revised".
        for s, e in _pack(doc.text, split_sentences(doc.text, preamble[0].start, preamble[-1].end), max_chars):
            b.add(s, e, "题注", "题注")
    b.chunks.sort(key=lambda c: c.start)
    return b.chunks


def _first_sentence(text: str, limit: int = 40) -> str:
    for i, ch in enumerate(text):
        if ch in "。；:：" or i >= limit:
            return text[:i] + ("…" if i >= limit else "")
    return text[:limit]


def _split_prose(doc: Document, max_chars: int, min_chars: int, with_context: bool = True) -> list[Chunk]:
    """Reports and plain text: sections from headings, then packed sentence runs."""
    b = _Builder(doc, with_context)
    lines = _lines(doc.text)
    # Sections: (path, lines)
    sections: list[tuple[list[str], list[_Line]]] = [([], [])]
    top: list[str] = []
    for idx, line in enumerate(lines):
        md = _MD_HEADING.match(line.text)
        if md:
            if idx == 0 and len(md.group(1)) == 1:
                continue
            level = len(md.group(1))
            top = top[: level - 1] + [md.group(2)]
            sections.append((list(top), []))
            continue
        if _REPORT_TOP.match(line.text) and len(line.text) <= 80:
            top = [line.text]
            sections.append((list(top), []))
            continue
        if _REPORT_SUB.match(line.text):
            sections.append((top[:1] + [_first_sentence(line.text)], [line]))
            continue
        sections[-1][1].append(line)
    for names, sec_lines in sections:
        if not sec_lines:
            continue
        sentences: list[tuple[int, int]] = []
        breaks: set[int] = set()
        for line in sec_lines:
            spans = split_sentences(doc.text, line.start, line.end)
            if spans:
                breaks.add(spans[0][0])
            for s, e in spans:
                if _ENUM.match(doc.text[s:e]):
                    breaks.add(s)
            sentences.extend(spans)
        path = " > ".join(names) if names else "正文"
        for s, e in _pack(doc.text, sentences, max_chars, min_chars, breaks):
            piece = doc.text[s:e]
            label = _first_sentence(piece, 24) if _ENUM.match(piece) and not _REPORT_SUB.match(piece) else ""
            b.add(s, e, " > ".join(x for x in (path, label) if x), path)
    return b.chunks


def split_into_chunks(doc: Document, max_chars: int = 500, min_chars: int = 150,
                      with_context: bool = True) -> list[Chunk]:
    """Split a document into verbatim chunks.

    Args:
        doc: the document; its ``kind`` chooses the strategy ("regulation" by articles, else prose).
        max_chars: longest chunk, except a single sentence longer than this, which stays whole.
        min_chars: in prose, the size a passage reaches before it may close at a preferred break.
        with_context: prepend title and chapter to the indexed text (off only for the ablation).

    Returns:
        Chunks in document order; ``doc.text[c.start:c.end] == c.text`` for each.
    """
    if doc.kind == "regulation":
        return _split_regulation(doc, max_chars, with_context)
    return _split_prose(doc, max_chars, min_chars, with_context)

"""Questions people ask of each passage: the everyday wording of what a passage answers.

A statute says 用人单位自用工之日起即与劳动者建立劳动关系; a caller asks 刚入职还没签合同算不算有劳动关系.
Neither BM25 nor one passage vector bridges that gap reliably, but a question written for the passage does:
a new question is compared with questions (same register, same length) instead of with statute text — the
doc2query idea. The shipped documents' questions are data (``knowledge/data/asked.jsonl``), written from the
corpus alone by writers who saw no evaluation question, the code or the rules; each names its file and a
verbatim quote of the sentence that answers it, so it attaches to whichever chunk holds that sentence
however the documents are split. Uploaded documents have none until someone writes them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge.models import Chunk

log = logging.getLogger(__name__)

ASKED = "asked"  # the kind of the questions' vector caches
ASKED_PATH = Path(__file__).resolve().parent / "data" / "asked.jsonl"
_ANCHOR = 10  # characters of a quote enough to place it when it straddles two chunks


@dataclass(frozen=True)
class AskedQuestion:
    source: str  # the document's file name (a chunk's ``source``)
    quote: str  # verbatim, in the sentence that answers the question
    question: str


def read_asked(path: Path | None = ASKED_PATH) -> list[AskedQuestion]:
    """The questions of a JSON-lines file ({"file", "quote", "q"} per line); a broken line is logged and
    skipped, a missing file gives none."""
    if path is None or not Path(path).exists():
        return []
    out: list[AskedQuestion] = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            q = AskedQuestion(Path(str(raw["file"])).name, str(raw["quote"]), str(raw["q"]).strip())
        except (ValueError, KeyError, TypeError) as exc:
            log.error("%s line %d skipped: %s", path, n, exc)
            continue
        if q.quote and q.question:
            out.append(q)
    return out


def attach(chunks: list[Chunk], questions: Iterable[AskedQuestion]) -> tuple[list[AskedQuestion], np.ndarray]:
    """The questions that fall in ``chunks``, in chunk order, and for each the index of its chunk.

    A question belongs to the chunk of its file whose text holds its quote (or, when the quote straddles a
    chunk boundary, the quote's first characters). A question whose quote is no longer in its file (the
    document was replaced by a new version) is dropped.
    """
    by_source: dict[str, list[int]] = {}
    for i, c in enumerate(chunks):
        by_source.setdefault(c.source, []).append(i)
    placed: list[tuple[int, AskedQuestion]] = []
    for q in questions:
        for anchor in (q.quote, q.quote[:_ANCHOR]):
            owner = next((i for i in by_source.get(q.source, ()) if anchor in chunks[i].text), None)
            if owner is not None:
                placed.append((owner, q))
                break
    placed.sort(key=lambda p: p[0])  # stable: a chunk's questions are contiguous, in file order
    return [q for _, q in placed], np.asarray([i for i, _ in placed], dtype=np.int64)


def in_sentence(quote: str, sentence: str) -> bool:
    """Does a question's quote lie in this sentence (or start in it, when sentences are split finer)?"""
    return quote in sentence or quote[:_ANCHOR] in sentence


def best_per_chunk(scores: np.ndarray, owners: np.ndarray, n_chunks: int) -> np.ndarray:
    """Each chunk's best score over its questions (−inf for a chunk without questions); ``owners`` sorted, as
    ``attach`` returns them (one reduction over contiguous runs: ``np.maximum.at`` is ten times slower)."""
    out = np.full(n_chunks, -np.inf, dtype=np.float64)
    if len(owners):
        starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
        out[owners[starts]] = np.maximum.reduceat(scores, starts)
    return out

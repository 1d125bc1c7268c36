"""Questions people ask of each passage: the everyday wording of what a passage answers.

A statute says 用人单位自用工之日起即与劳动者建立劳动关系; a caller asks 刚入职还没签合同算不算有劳动关系.
Neither BM25 nor one passage vector bridges that gap reliably, but a question written for the passage does:
a new question is compared with questions (same register, same length) instead of with statute text — the
doc2query idea. The shipped documents' questions are data (``knowledge/data/asked.jsonl``), written from the
corpus alone by writers who saw no evaluation question, the code or the rules; each names its file and a
verbatim quote of the sentence that answers it, so it attaches to whichever chunk holds that sentence
however the documents are split. Uploaded documents have none until staff write them (``WrittenQuestions``:
staff questions are kept beside the shipped ones in the data directory and never edit the shipped file).
"""

from __future__ import annotations

import json
import logging
import os
import threading
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


class WrittenQuestions:
    """The questions written for passages: the shipped file's, and the ones staff wrote (a JSON-lines file in
    the data directory, per document source; they add to the shipped ones)."""

    def __init__(self, shipped_path: Path | None = ASKED_PATH, edits_path: Path | None = None) -> None:
        self.shipped = read_asked(shipped_path)
        self.edits_path = Path(edits_path) if edits_path else None
        self._lock = threading.Lock()
        self._staff = read_asked(self.edits_path)

    def all(self) -> list[AskedQuestion]:
        return self.shipped + self._staff

    def of(self, source: str) -> tuple[list[AskedQuestion], list[AskedQuestion]]:
        """A document's shipped questions and the ones staff wrote."""
        return ([q for q in self.shipped if q.source == source], [q for q in self._staff if q.source == source])

    def put(self, source: str, questions: list[AskedQuestion]) -> None:
        """Replace the questions staff wrote for one document (none: remove them); written atomically."""
        if self.edits_path is None:
            raise ValueError("staff questions are not enabled (no file configured)")
        with self._lock:
            kept = [q for q in self._staff if q.source != source] + [
                AskedQuestion(source, q.quote, q.question) for q in questions]
            self.edits_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.edits_path.with_suffix(".tmp")
            tmp.write_text("".join(json.dumps({"file": q.source, "quote": q.quote, "q": q.question}, ensure_ascii=False)
                                   + "\n" for q in kept), encoding="utf-8")
            os.replace(tmp, self.edits_path)
            self._staff = kept


def with_predecessors(questions: list[AskedQuestion], successor: dict[str, str]) -> list[AskedQuestion]:
    """The questions, plus for a newer version that has none of its own (``successor[old source] = new
    source``) those of the version it supersedes: an uploaded new version of a regulation keeps the ways
    people ask about it. ``attach`` then drops any whose quote the new text no longer holds."""
    own = {q.source for q in questions}
    inherited = [AskedQuestion(successor[q.source], q.quote, q.question) for q in questions
                 if q.source in successor and successor[q.source] not in own]
    return questions + inherited


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

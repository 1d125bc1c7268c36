"""Vectors of the passages' sentences: how close each quotable sentence is to a question in meaning.

A derived index, rebuilt from the chunks at every refresh of the searcher. Vectors come from the shipped
cache (``knowledge/data/embeddings/<model>.sentences.npz``, rebuilt by ``bot build-embedding-cache``), then
from a cache in the data directory (sentences of uploaded documents), and are embedded only when neither
has them: at ~40 sentences a second, the shipped ~19,000 would take minutes at every fresh start.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from knowledge.embeddings import KBEmbeddings, TextVectors, VectorCache
from knowledge.models import Chunk
from knowledge.text import labelled_sentences

SENTENCES = "sentences"


def sentence_texts(chunks: Iterable[Chunk]) -> list[str]:
    """Every quotable sentence of the chunks (without article labels), once each."""
    seen: dict[str, None] = {}
    for c in chunks:
        for s, e in labelled_sentences(c.text):
            seen.setdefault(c.text[s:e], None)
    return list(seen)


class SentenceVectors(TextVectors):
    """Sentence text → unit vector, for the sentences of the indexed chunks."""

    def __init__(self, embeddings: KBEmbeddings, local_dir: Path | None = None,
                 shipped: VectorCache | None = None) -> None:
        super().__init__(embeddings, SENTENCES, local_dir, shipped)

    def update(self, chunks: list[Chunk]) -> int:
        """Hold a vector for every sentence of ``chunks`` (and only those); returns how many were embedded."""
        return self.hold(sentence_texts(chunks))

    def matrix(self, chunks: list[Chunk]) -> tuple[np.ndarray, np.ndarray]:
        """The vectors of each chunk's sentences stacked in chunk order, and the bounds: chunk i's sentences
        are rows ``bounds[i]:bounds[i + 1]`` (call after ``update`` with the same chunks)."""
        known = self.known()
        rows: list[np.ndarray] = []
        bounds = [0]
        for c in chunks:
            rows += [known[t] for t in (c.text[s:e] for s, e in labelled_sentences(c.text)) if t in known]
            bounds.append(len(rows))
        dim = self.embeddings.dim or (len(rows[0]) if rows else 0)
        return (np.vstack(rows).astype(np.float32) if rows else np.zeros((0, dim), np.float32),
                np.array(bounds, dtype=np.int64))

